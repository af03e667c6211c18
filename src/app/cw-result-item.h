/* cw-result-item.h: one row of the result list
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

#include "cw-task.h"

G_BEGIN_DECLS

#define CW_TYPE_RESULT_ITEM (cw_result_item_get_type ())
G_DECLARE_FINAL_TYPE (CwResultItem, cw_result_item, CW, RESULT_ITEM, GObject)

/* @arrival: 1 for the first result shown, 2 for the next...
 * @batch_start_us: the batch's start on the monotonic clock, for times. */
CwResultItem *cw_result_item_new              (const CwResult *result,
                                               guint64         arrival,
                                               gint64          batch_start_us);
guint64       cw_result_item_get_arrival      (CwResultItem   *self);
guint64       cw_result_item_get_submission   (CwResultItem   *self); /* 1-based, as shown */
CwStatus      cw_result_item_get_status       (CwResultItem   *self);
const char   *cw_result_item_get_input_path   (CwResultItem   *self);
const char   *cw_result_item_get_output_path  (CwResultItem   *self); /* NULL if none */
const char   *cw_result_item_get_error        (CwResultItem   *self); /* NULL when ok */
char         *cw_result_item_dup_display_name (CwResultItem   *self); /* the input's basename, for display */
guint         cw_result_item_get_worker       (CwResultItem   *self);
gint32        cw_result_item_get_pid          (CwResultItem   *self);
guint         cw_result_item_get_attempts     (CwResultItem   *self);
double        cw_result_item_get_seconds      (CwResultItem   *self); /* end - start */
double        cw_result_item_get_start_s      (CwResultItem   *self); /* since the batch start */
double        cw_result_item_get_end_s        (CwResultItem   *self);
gint64        cw_result_item_get_value        (CwResultItem   *self);

G_END_DECLS
