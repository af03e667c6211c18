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

/* @relative: where the file sits below the folder it was added with, that
 * folder's own name first ("Album A/CD 1/01.flac"), or NULL for a file
 * added by itself; when given, it is the end of @path. Takes the strings
 * of @info. */
CwQueueItem *cw_queue_item_new              (const char   *path,
                                             const char   *relative,
                                             CwAudioInfo  *info);
const char  *cw_queue_item_get_path         (CwQueueItem  *self);
const char  *cw_queue_item_get_relative     (CwQueueItem  *self);
const char  *cw_queue_item_get_display_name (CwQueueItem  *self);
/* The folder the file is in, for display: "~/Music/Album A" */
char        *cw_queue_item_dup_folder       (CwQueueItem  *self);
double       cw_queue_item_get_seconds      (CwQueueItem  *self);
int          cw_queue_item_get_channels     (CwQueueItem  *self);
int          cw_queue_item_get_rate         (CwQueueItem  *self);
const char  *cw_queue_item_get_format_name  (CwQueueItem  *self);
const char  *cw_queue_item_get_subtype_name (CwQueueItem  *self);

/* The file's device and inode (from stat), so the queue holds a file
 * once however it was reached; 0, 0 (unknown) is never the same file. */
void         cw_queue_item_set_file_id      (CwQueueItem  *self,
                                             guint64       dev,
                                             guint64       ino);
/* For a GHashTable of items keyed by their file. */
guint        cw_queue_item_file_hash        (gconstpointer item);
gboolean     cw_queue_item_same_file        (gconstpointer a,
                                             gconstpointer b);

G_END_DECLS
