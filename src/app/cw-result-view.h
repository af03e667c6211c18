/* cw-result-view.h: the result list, a GtkColumnView that stays smooth at 100,000 rows
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cw-result-item.h"

G_BEGIN_DECLS

#define CW_TYPE_RESULT_VIEW (cw_result_view_get_type ())
G_DECLARE_FINAL_TYPE (CwResultView, cw_result_view, CW, RESULT_VIEW, GtkWidget)

GtkWidget  *cw_result_view_new          (void);
/* Starts a new batch: empties the list; times are shown from @batch_start_us. */
void        cw_result_view_clear        (CwResultView   *self,
                                         gint64          batch_start_us);
/* The batch's output folder: a row shows its output below it. */
void        cw_result_view_set_output_dir (CwResultView *self,
                                           const char   *output_dir);
/* Queues a result; rows are added to the model in batches (a few times a
 * second, with g_list_store_splice) so a flood of results never stalls the
 * main loop. Arrival numbers are given in call order, from 1. */
void        cw_result_view_add          (CwResultView   *self,
                                         const CwResult *result);
/* Adds whatever is queued now (the end of a batch; tests). */
void        cw_result_view_flush        (CwResultView   *self);
/* The GListModel of CwResultItem (after flush: one per result added). */
GListModel *cw_result_view_get_model    (CwResultView   *self);

G_END_DECLS
