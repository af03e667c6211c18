/* cw-result-item.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-result-item.h"

/* A list of 100,000 results holds 100,000 of these: keep them small, with
 * plain fields and no properties (rows read them through the getters when
 * they are bound, which is only for the few rows on screen). */
struct _CwResultItem
{
  GObject   parent_instance;

  guint64   arrival;
  guint64   index;
  gint64    value;
  gint64    start_us;       /* relative to the batch start */
  gint64    end_us;
  char     *input_path;
  char     *output_path;
  char     *error;
  gint32    pid;
  guint32   worker;
  guint32   attempts;
  CwStatus  status;
};

G_DEFINE_FINAL_TYPE (CwResultItem, cw_result_item, G_TYPE_OBJECT)

static void
cw_result_item_finalize (GObject *object)
{
  CwResultItem *self = CW_RESULT_ITEM (object);

  g_free (self->input_path);
  g_free (self->output_path);
  g_free (self->error);

  G_OBJECT_CLASS (cw_result_item_parent_class)->finalize (object);
}

static void
cw_result_item_class_init (CwResultItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cw_result_item_finalize;
}

static void
cw_result_item_init (CwResultItem *self)
{
}

CwResultItem *
cw_result_item_new (const CwResult *result,
                    guint64         arrival,
                    gint64          batch_start_us)
{
  CwResultItem *self;

  g_return_val_if_fail (result != NULL, NULL);

  self = g_object_new (CW_TYPE_RESULT_ITEM, NULL);
  self->arrival = arrival;
  self->index = result->index;
  self->status = result->status;
  self->attempts = result->attempts;
  self->pid = result->pid;
  self->worker = result->worker;
  self->value = result->value;
  /* A result that never ran (cancelled before a worker took it) has no
   * times; show it at 0 rather than at minus the batch start. */
  if (result->start_us != 0)
    self->start_us = result->start_us - batch_start_us;
  if (result->end_us != 0)
    self->end_us = result->end_us - batch_start_us;
  self->input_path = g_strdup (result->input_path);
  self->output_path = g_strdup (result->output_path);
  /* Reasons can quote file names, which need not be UTF-8; labels need it. */
  if (result->error != NULL && !g_utf8_validate (result->error, -1, NULL))
    self->error = g_utf8_make_valid (result->error, -1);
  else
    self->error = g_strdup (result->error);

  return self;
}

guint64
cw_result_item_get_arrival (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), 0);
  return self->arrival;
}

guint64
cw_result_item_get_submission (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), 0);
  return self->index + 1;
}

CwStatus
cw_result_item_get_status (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), CW_STATUS_FAILED);
  return self->status;
}

const char *
cw_result_item_get_input_path (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), NULL);
  return self->input_path;
}

const char *
cw_result_item_get_output_path (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), NULL);
  return self->output_path;
}

const char *
cw_result_item_get_error (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), NULL);
  return self->error;
}

/* Synthetic tasks have no file: the row shows a dash. File names need not
 * be UTF-8, hence g_filename_display_basename (). */
char *
cw_result_item_dup_display_name (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), NULL);

  if (self->input_path == NULL)
    return g_strdup ("—");
  return g_filename_display_basename (self->input_path);
}

guint
cw_result_item_get_worker (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), 0);
  return self->worker;
}

gint32
cw_result_item_get_pid (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), 0);
  return self->pid;
}

guint
cw_result_item_get_attempts (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), 0);
  return self->attempts;
}

double
cw_result_item_get_seconds (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), 0.0);
  return MAX (self->end_us - self->start_us, 0) / (double) G_USEC_PER_SEC;
}

double
cw_result_item_get_start_s (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), 0.0);
  return self->start_us / (double) G_USEC_PER_SEC;
}

double
cw_result_item_get_end_s (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), 0.0);
  return self->end_us / (double) G_USEC_PER_SEC;
}

gint64
cw_result_item_get_value (CwResultItem *self)
{
  g_return_val_if_fail (CW_IS_RESULT_ITEM (self), 0);
  return self->value;
}
