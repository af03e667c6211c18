/* cw-queue-item.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A queue of 20,000 files holds 20,000 of these: the relative path and the
 * display name point into the path when they can, and the format names are
 * interned (a batch has a handful of them).
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-queue-item.h"

#include <string.h>

#include "cw-text.h"

struct _CwQueueItem
{
  GObject      parent_instance;
  char        *path;
  char        *display_name;    /* NULL: the base name is UTF-8, shown from path */
  const char  *format_name;     /* interned */
  const char  *subtype_name;    /* interned */
  gint64       frames;
  guint64      dev;
  guint64      ino;
  int          rate;
  int          channels;
  guint32      base;            /* where the base name starts in path */
  guint32      relative;        /* where the relative path starts in path; 0: none */
};

G_DEFINE_FINAL_TYPE (CwQueueItem, cw_queue_item, G_TYPE_OBJECT)

CwQueueItem *
cw_queue_item_new (const char  *path,
                   const char  *relative,
                   CwAudioInfo *info)
{
  CwQueueItem *self = g_object_new (CW_TYPE_QUEUE_ITEM, NULL);
  const char *slash = strrchr (path, '/');
  gsize len = strlen (path);

  self->path = g_strdup (path);
  self->base = slash != NULL && slash[1] != '\0' ? (guint32) (slash + 1 - path) : 0;
  if (!g_utf8_validate (path + self->base, -1, NULL))
    self->display_name = g_filename_display_name (path + self->base);
  if (relative != NULL && len > strlen (relative) && g_str_has_suffix (path, relative)
      && path[len - strlen (relative) - 1] == '/')
    self->relative = (guint32) (len - strlen (relative));
  self->format_name = g_intern_string (info->format_name);
  self->subtype_name = g_intern_string (info->subtype_name);
  self->frames = info->frames;
  self->rate = info->rate;
  self->channels = info->channels;
  cw_audio_info_clear (info);
  memset (info, 0, sizeof *info);
  return self;
}

const char *
cw_queue_item_get_path (CwQueueItem *self)
{
  return self->path;
}

const char *
cw_queue_item_get_relative (CwQueueItem *self)
{
  return self->relative > 0 ? self->path + self->relative : NULL;
}

const char *
cw_queue_item_get_display_name (CwQueueItem *self)
{
  return self->display_name != NULL ? self->display_name : self->path + self->base;
}

char *
cw_queue_item_dup_folder (CwQueueItem *self)
{
  g_autofree char *dir = g_path_get_dirname (self->path);

  return cw_text_display_folder (dir);
}

double
cw_queue_item_get_seconds (CwQueueItem *self)
{
  return self->rate > 0 ? (double) self->frames / self->rate : 0.0;
}

int
cw_queue_item_get_channels (CwQueueItem *self)
{
  return self->channels;
}

int
cw_queue_item_get_rate (CwQueueItem *self)
{
  return self->rate;
}

const char *
cw_queue_item_get_format_name (CwQueueItem *self)
{
  return self->format_name;
}

const char *
cw_queue_item_get_subtype_name (CwQueueItem *self)
{
  return self->subtype_name;
}

void
cw_queue_item_set_file_id (CwQueueItem *self,
                           guint64      dev,
                           guint64      ino)
{
  self->dev = dev;
  self->ino = ino;
}

guint
cw_queue_item_file_hash (gconstpointer item)
{
  const CwQueueItem *self = item;

  if (self->dev == 0 && self->ino == 0)
    return g_direct_hash (item);
  return (guint) (self->ino ^ (self->ino >> 32) ^ (self->dev * 2654435761u));
}

gboolean
cw_queue_item_same_file (gconstpointer a,
                         gconstpointer b)
{
  const CwQueueItem *x = a, *y = b;

  if (x == y)
    return TRUE;
  if ((x->dev == 0 && x->ino == 0) || (y->dev == 0 && y->ino == 0))
    return FALSE;
  return x->dev == y->dev && x->ino == y->ino;
}

static void
cw_queue_item_finalize (GObject *object)
{
  CwQueueItem *self = CW_QUEUE_ITEM (object);

  g_free (self->path);
  g_free (self->display_name);
  G_OBJECT_CLASS (cw_queue_item_parent_class)->finalize (object);
}

static void
cw_queue_item_class_init (CwQueueItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cw_queue_item_finalize;
}

static void
cw_queue_item_init (CwQueueItem *self)
{
}
