/* cw-queue-item.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cw-queue-item.h"

#include <string.h>

struct _CwQueueItem
{
  GObject      parent_instance;
  char        *path;
  char        *display_name;
  CwAudioInfo  info;
};

G_DEFINE_FINAL_TYPE (CwQueueItem, cw_queue_item, G_TYPE_OBJECT)

CwQueueItem *
cw_queue_item_new (const char  *path,
                   CwAudioInfo *info)
{
  CwQueueItem *self = g_object_new (CW_TYPE_QUEUE_ITEM, NULL);
  g_autofree char *base = g_path_get_basename (path);

  self->path = g_strdup (path);
  self->display_name = g_filename_display_name (base);
  self->info = *info;
  memset (info, 0, sizeof *info);
  return self;
}

const char *
cw_queue_item_get_path (CwQueueItem *self)
{
  return self->path;
}

const char *
cw_queue_item_get_display_name (CwQueueItem *self)
{
  return self->display_name;
}

double
cw_queue_item_get_seconds (CwQueueItem *self)
{
  return self->info.rate > 0 ? (double) self->info.frames / self->info.rate : 0.0;
}

int
cw_queue_item_get_channels (CwQueueItem *self)
{
  return self->info.channels;
}

int
cw_queue_item_get_rate (CwQueueItem *self)
{
  return self->info.rate;
}

const char *
cw_queue_item_get_format_name (CwQueueItem *self)
{
  return self->info.format_name;
}

const char *
cw_queue_item_get_subtype_name (CwQueueItem *self)
{
  return self->info.subtype_name;
}

static void
cw_queue_item_finalize (GObject *object)
{
  CwQueueItem *self = CW_QUEUE_ITEM (object);

  g_free (self->path);
  g_free (self->display_name);
  cw_audio_info_clear (&self->info);
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
