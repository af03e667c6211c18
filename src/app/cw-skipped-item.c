/* cw-skipped-item.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-skipped-item.h"

#include <string.h>

#include "cw-text.h"

struct _CwSkippedItem
{
  GObject        parent_instance;
  char          *path;
  char          *reason;
  CwSkippedWhen  when;
};

G_DEFINE_FINAL_TYPE (CwSkippedItem, cw_skipped_item, G_TYPE_OBJECT)

CwSkippedItem *
cw_skipped_item_new (const char    *path,
                     const char    *reason,
                     CwSkippedWhen  when)
{
  CwSkippedItem *self = g_object_new (CW_TYPE_SKIPPED_ITEM, NULL);

  g_autofree char *display = g_filename_display_name (path);
  g_autofree char *base = g_filename_display_basename (path);
  g_autofree char *quoted = g_strdup_printf ("“%s”", display);
  g_autofree char *quoted_base = g_strdup_printf ("“%s”", base);
  /* reasons may quote file names, which need not be UTF-8 */
  g_autofree char *valid = g_utf8_make_valid (reason, -1);
  GString *text = g_string_new (valid);

  self->path = g_strdup (path);
  self->when = when;
  /* "empty file: “/home/me/Music/Album A/04.wav” has 0 bytes": the row
   * shows the folder beside it, the reason needs only the name */
  g_string_replace (text, quoted, quoted_base, 0);
  self->reason = g_string_free (text, FALSE);
  return self;
}

CwSkippedItem *
cw_skipped_item_new_from_note (const char     *note,
                               CwSkippedWhen   when,
                               gboolean      (*is_path) (const char *path,
                                                         gpointer    data),
                               gpointer        data)
{
  const char *cut = strstr (note, ": ");
  g_autofree char *path = NULL;

  if (cut == NULL)
    return cw_skipped_item_new (note, "", when);
  for (const char *at = cut; is_path != NULL && at != NULL; at = strstr (at + 1, ": "))
    {
      g_autofree char *candidate = g_strndup (note, at - note);

      if (is_path (candidate, data))
        {
          cut = at;
          break;
        }
    }
  path = g_strndup (note, cut - note);
  return cw_skipped_item_new (path, cut + 2, when);
}

const char *
cw_skipped_item_get_path (CwSkippedItem *self)
{
  return self->path;
}

const char *
cw_skipped_item_get_reason (CwSkippedItem *self)
{
  return self->reason;
}

CwSkippedWhen
cw_skipped_item_get_when (CwSkippedItem *self)
{
  return self->when;
}

char *
cw_skipped_item_dup_display_name (CwSkippedItem *self)
{
  return g_filename_display_basename (self->path);
}

char *
cw_skipped_item_dup_folder (CwSkippedItem *self)
{
  g_autofree char *dir = g_path_get_dirname (self->path);

  return cw_text_display_folder (dir);
}

static void
cw_skipped_item_finalize (GObject *object)
{
  CwSkippedItem *self = CW_SKIPPED_ITEM (object);

  g_free (self->path);
  g_free (self->reason);
  G_OBJECT_CLASS (cw_skipped_item_parent_class)->finalize (object);
}

static void
cw_skipped_item_class_init (CwSkippedItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cw_skipped_item_finalize;
}

static void
cw_skipped_item_init (CwSkippedItem *self)
{
}
