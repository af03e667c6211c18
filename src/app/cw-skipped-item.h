/* cw-skipped-item.h: a file left out, and why (a row of the Skipped list)
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum
{
  CW_SKIPPED_WHEN_ADDED,   /* the walk or the probe left it out of the queue */
  CW_SKIPPED_BY_BATCH,     /* the last batch left it out (its output exists, kept) */
} CwSkippedWhen;

#define CW_TYPE_SKIPPED_ITEM (cw_skipped_item_get_type ())
G_DECLARE_FINAL_TYPE (CwSkippedItem, cw_skipped_item, CW, SKIPPED_ITEM, GObject)

/* @path is a file name (not necessarily UTF-8); @reason is UTF-8. */
CwSkippedItem *cw_skipped_item_new              (const char     *path,
                                                 const char     *reason,
                                                 CwSkippedWhen   when);
/* A "path: reason" note of the engine's (cw_inputs_collect (),
 * cw_batch_get_skipped ()). @is_path (may be NULL) says where the path
 * ends when the path itself holds ": " (called with each candidate, in
 * order); otherwise the note is cut at its first ": ". */
CwSkippedItem *cw_skipped_item_new_from_note    (const char     *note,
                                                 CwSkippedWhen   when,
                                                 gboolean      (*is_path) (const char *path,
                                                                           gpointer    data),
                                                 gpointer        data);
const char    *cw_skipped_item_get_path         (CwSkippedItem  *self);
const char    *cw_skipped_item_get_reason       (CwSkippedItem  *self);
CwSkippedWhen  cw_skipped_item_get_when         (CwSkippedItem  *self);
char          *cw_skipped_item_dup_display_name (CwSkippedItem  *self);
/* The folder it is in, for display ("~/Music/Album A"). */
char          *cw_skipped_item_dup_folder       (CwSkippedItem  *self);

G_END_DECLS
