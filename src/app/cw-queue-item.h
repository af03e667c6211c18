/* cw-queue-item.h: one file waiting in the queue, with what probing found
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-audio.h"

G_BEGIN_DECLS

#define CW_TYPE_QUEUE_ITEM (cw_queue_item_get_type ())
G_DECLARE_FINAL_TYPE (CwQueueItem, cw_queue_item, CW, QUEUE_ITEM, GObject)

/* Takes the strings of @info. */
CwQueueItem *cw_queue_item_new              (const char   *path,
                                             CwAudioInfo  *info);
const char  *cw_queue_item_get_path         (CwQueueItem  *self);
const char  *cw_queue_item_get_display_name (CwQueueItem  *self);
double       cw_queue_item_get_seconds      (CwQueueItem  *self);
int          cw_queue_item_get_channels     (CwQueueItem  *self);
int          cw_queue_item_get_rate         (CwQueueItem  *self);
const char  *cw_queue_item_get_format_name  (CwQueueItem  *self);
const char  *cw_queue_item_get_subtype_name (CwQueueItem  *self);

/* "3:05", "1:02:03" */

G_END_DECLS
