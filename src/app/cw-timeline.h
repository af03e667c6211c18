/* cw-timeline.h: one lane per worker, one bar per task, on the CPU's time axis
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cw-cpu-sampler.h"
#include "cw-task.h"

G_BEGIN_DECLS

#define CW_TYPE_TIMELINE (cw_timeline_get_type ())
G_DECLARE_FINAL_TYPE (CwTimeline, cw_timeline, CW, TIMELINE, GtkWidget)

GtkWidget *cw_timeline_new          (void);
/* Forgets everything and starts a batch at @batch_start_us (monotonic
 * time) on @n_workers lanes; the axis then runs on to "now" until
 * cw_timeline_set_running (self, FALSE). */
void       cw_timeline_clear        (CwTimeline        *self,
                                     gint64             batch_start_us,
                                     guint              n_workers);
void       cw_timeline_set_running  (CwTimeline        *self,
                                     gboolean           running);
void       cw_timeline_add          (CwTimeline        *self,
                                     const CwResult    *result);
/* Only samples taken while the batch runs are kept. */
void       cw_timeline_push_cpu     (CwTimeline        *self,
                                     const CwCpuSample *sample);

/* The worker of @lane started task @index at @start_us (monotonic): it is
 * drawn as a running bar, growing, until its result (or a later start). */
void       cw_timeline_task_started (CwTimeline        *self,
                                     guint              lane,
                                     guint64            index,
                                     gint64             start_us);
/* A replay's moment, from the batch's start: everything is drawn as it
 * was then; -1 shows it all again. */
void       cw_timeline_set_cursor   (CwTimeline        *self,
                                     gint64             cursor_us);
gint64     cw_timeline_get_start    (CwTimeline        *self);
/* Whether @lane shows a task (done or running) at @at_us (monotonic). */
gboolean   cw_timeline_get_lane_busy (CwTimeline       *self,
                                     guint              lane,
                                     gint64             at_us);

guint      cw_timeline_get_n_lanes  (CwTimeline        *self);
/* The tasks drawn on @lane (a run of tasks stamped with the same times,
 * mul10's, shares one bar but counts each). */
guint      cw_timeline_get_n_bars   (CwTimeline        *self,
                                     guint              lane);
/* Where the task's bar is drawn, in widget coordinates; FALSE if unknown
 * or not laid out yet. */
gboolean   cw_timeline_get_bar_area (CwTimeline        *self,
                                     guint64            index,
                                     graphene_rect_t   *area);
/* What the tooltip says at (@x, @y), or NULL there is nothing. */
char      *cw_timeline_describe_at  (CwTimeline        *self,
                                     double             x,
                                     double             y);

G_END_DECLS
