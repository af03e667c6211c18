/* cw-run-page.h: the Run page: the cores, the timeline, a replay, the results
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cw-cpu-meter.h"
#include "cw-replay.h"
#include "cw-result-view.h"
#include "cw-timeline.h"

G_BEGIN_DECLS

#define CW_TYPE_RUN_PAGE (cw_run_page_get_type ())
G_DECLARE_FINAL_TYPE (CwRunPage, cw_run_page, CW, RUN_PAGE, GtkWidget)

CwCpuMeter   *cw_run_page_get_meter        (CwRunPage         *self);
CwTimeline   *cw_run_page_get_timeline     (CwRunPage         *self);
CwResultView *cw_run_page_get_result_view  (CwRunPage         *self);
CwReplay     *cw_run_page_get_replay       (CwRunPage         *self);

/* Presentation mode: the meter in large type and the timeline only. */
void          cw_run_page_set_presentation (CwRunPage         *self,
                                            gboolean           presentation);

/* A live CPU sample (shown unless a replay is; recorded while a batch runs). */
void          cw_run_page_push_sample      (CwRunPage         *self,
                                            const CwCpuSample *sample);

/* A batch, as the window runs it. */
void          cw_run_page_batch_planning   (CwRunPage         *self,
                                            const char        *status);
void          cw_run_page_batch_started    (CwRunPage         *self,
                                            gint64             start_us,
                                            guint              n_workers);
void          cw_run_page_task_started     (CwRunPage         *self,
                                            guint              slot,
                                            guint64            index,
                                            gint64             start_us);
void          cw_run_page_add_result       (CwRunPage         *self,
                                            const CwResult    *result);
void          cw_run_page_set_progress     (CwRunPage         *self,
                                            double             fraction,
                                            const char        *text,
                                            const char        *status);
/* The batch is over (its workers reaped): marks go, the replay can play.
 * @failures opens the results. */
void          cw_run_page_batch_finished   (CwRunPage         *self,
                                            gint64             end_us,
                                            const char        *summary,
                                            gboolean           failures);
/* The status line alone (a batch that could not start). */
void          cw_run_page_set_status       (CwRunPage         *self,
                                            const char        *status);

G_END_DECLS
