/* cw-batch.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Planning runs where the caller puts it (a thread for the window); the
 * run is driven from the caller's main context; every file access of the
 * job log and the record happens in order on one thread of the batch's
 * own, so a checksum of a large output never holds up dispatch or a frame.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-batch.h"
#include "cw-batch-private.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "cw-error.h"
#include "cw-joblog.h"
#include "cw-output-file.h"


struct _CwBatch
{
  GObject         parent_instance;

  CwBatchOptions  options;
  CwJobSettings   settings;
  CwPool         *pool;
  GMainContext   *context;

  /* the plan */
  gboolean        planned;
  GPtrArray      *plan;          /* CwPlannedFile* */
  GPtrArray      *skipped;       /* char* */
  GPtrArray      *notes;         /* CwBatchNote* */
  guint           n_refused;
  guint           n_resumed;
  guint           n_redone;
  guint           n_existing;

  /* the run */
  GTask          *run_task;
  guint64         next;
  CwResultFunc    on_result;
  gpointer        result_data;
  CwBatchStats    stats;
  GError         *run_error;

  /* the log thread: the job log and the record, in order */
  GThreadPool    *log_thread;
  CwJoblog       *log;           /* that thread's */
  GMutex          log_lock;
  char           *log_error;     /* under log_lock */
};

G_DEFINE_FINAL_TYPE (CwBatch, cw_batch, G_TYPE_OBJECT)

static void
note_free (CwBatchNote *note)
{
  g_free (note->input_path);
  g_free (note->text);
  g_free (note);
}

/* ---------------------------------------------------------------------- */
/* options */

GPtrArray *
_cw_batch_copy_plan (GPtrArray *plan)
{
  GPtrArray *copy = g_ptr_array_new_full (plan->len, (GDestroyNotify) cw_planned_file_free);

  for (guint i = 0; i < plan->len; i++)
    g_ptr_array_add (copy, cw_planned_file_copy (g_ptr_array_index (plan, i)));
  return copy;
}

static void
options_copy (const CwBatchOptions *src,
              CwBatchOptions       *dest)
{
  *dest = *src;
  dest->inputs = g_strdupv (src->inputs);
  /* (held: 20,000 files would be copied for nothing) */
  dest->input_files = src->input_files != NULL ? g_ptr_array_ref (src->input_files) : NULL;
  dest->plan = src->plan != NULL ? _cw_batch_copy_plan (src->plan) : NULL;
  dest->output_dir = g_strdup (src->output_dir);
  dest->spec = g_strdup (src->spec);
  dest->joblog_path = g_strdup (src->joblog_path);
  dest->record_dir = g_strdup (src->record_dir);
  dest->worker_commands = g_strdupv (src->worker_commands);
}

void
cw_batch_options_clear (CwBatchOptions *options)
{
  g_clear_pointer (&options->inputs, g_strfreev);
  g_clear_pointer (&options->input_files, g_ptr_array_unref);
  g_clear_pointer (&options->plan, g_ptr_array_unref);
  g_clear_pointer (&options->output_dir, g_free);
  g_clear_pointer (&options->spec, g_free);
  g_clear_pointer (&options->joblog_path, g_free);
  g_clear_pointer (&options->record_dir, g_free);
  g_clear_pointer (&options->worker_commands, g_strfreev);
}

char *
_cw_batch_record_path (const char *dir)
{
  return g_build_filename (dir, "batch", NULL);
}

char *
_cw_batch_record_joblog_path (const char *dir)
{
  return g_build_filename (dir, "joblog", NULL);
}

/* ---------------------------------------------------------------------- */
/* the object */

static void
cw_batch_dispose (GObject *object)
{
  CwBatch *self = CW_BATCH (object);

  /* every queued line is written before the batch goes */
  if (self->log_thread != NULL)
    g_thread_pool_free (g_steal_pointer (&self->log_thread), FALSE, TRUE);
  g_clear_pointer (&self->log, cw_joblog_close);
  g_clear_object (&self->pool);
  G_OBJECT_CLASS (cw_batch_parent_class)->dispose (object);
}

static void
cw_batch_finalize (GObject *object)
{
  CwBatch *self = CW_BATCH (object);

  cw_batch_options_clear (&self->options);
  cw_job_settings_clear (&self->settings);
  g_clear_pointer (&self->plan, g_ptr_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);
  g_clear_pointer (&self->notes, g_ptr_array_unref);
  g_clear_error (&self->run_error);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->log_lock);
  g_free (self->log_error);
  G_OBJECT_CLASS (cw_batch_parent_class)->finalize (object);
}

static void
cw_batch_class_init (CwBatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_batch_dispose;
  object_class->finalize = cw_batch_finalize;
}

static void
cw_batch_init (CwBatch *self)
{
  g_mutex_init (&self->log_lock);
  self->skipped = g_ptr_array_new_with_free_func (g_free);
  self->notes = g_ptr_array_new_with_free_func ((GDestroyNotify) note_free);
}

CwBatch *
cw_batch_new (const CwBatchOptions *options)
{
  CwBatch *self;

  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->synthetic_kind != 0 || options->inputs != NULL
                        || options->input_files != NULL || options->plan != NULL, NULL);

  self = g_object_new (CW_TYPE_BATCH, NULL);
  options_copy (options, &self->options);
  self->settings.spec = g_strdup (options->spec != NULL ? options->spec : "copy");
  self->settings.format = options->format;
  self->settings.bits = options->bits;
  self->settings.has_quality = options->has_quality;
  self->settings.quality = options->has_quality ? CLAMP (options->quality, 0.0, 1.0) : 0.0;
  self->settings.no_metadata = options->no_metadata;
  self->settings.seed = options->seed;
  /* a record keeps its job log beside the plan */
  if (options->record_dir != NULL && options->joblog_path == NULL)
    self->options.joblog_path = _cw_batch_record_joblog_path (options->record_dir);
  /* the log's checksums come with the results, summed by the workers */
  self->settings.checksum = self->options.joblog_path != NULL;
  self->pool = cw_pool_new (options->mode, options->n_workers);
  cw_pool_set_chunk_size (self->pool, options->chunk_size);
  cw_pool_set_task_timeout (self->pool, options->task_timeout_ms);
  cw_pool_set_worker_nice (self->pool, options->worker_nice);
  if (options->worker_commands != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* checked by whoever took them (cw_options_worker_commands ()) */
      if (!cw_pool_set_worker_commands (self->pool, (const char * const *) options->worker_commands, &error))
        g_critical ("%s", error->message);
    }
  return self;
}

const CwBatchOptions *
cw_batch_get_options (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), NULL);
  return &self->options;
}

const CwJobSettings *
cw_batch_get_settings (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), NULL);
  return &self->settings;
}

CwPool *
cw_batch_get_pool (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), NULL);
  return self->pool;
}

/* ---------------------------------------------------------------------- */
/* planning */

static gboolean
resume_plan (CwBatch  *self,
             GError  **error)
{
  g_autoptr(GHashTable) done = cw_joblog_load_done (self->options.joblog_path, error);

  if (done == NULL)
    return FALSE;
  self->n_resumed = cw_joblog_resume (done, self->plan, &self->settings, &self->n_redone);
  /* what is left at an output's name is the user's: --existing skip keeps
   * it and leaves its input out (the batch's own outputs are ALWAYS now) */
  if (self->options.existing == CW_EXISTING_SKIP)
    {
      gsize len = 0;
      gpointer *files = g_ptr_array_steal (self->plan, &len);

      for (gsize i = 0; i < len; i++)
        {
          CwPlannedFile *file = files[i];
          struct stat st;

          if (file->replace != CW_REPLACE_ALWAYS && lstat (file->output_path, &st) == 0)
            {
              g_autofree char *display = g_filename_display_name (file->output_path);

              g_ptr_array_add (self->skipped, g_strdup_printf ("%s: its output “%s” exists (kept)",
                                                               file->input_path, display));
              cw_planned_file_free (file);
            }
          else
            g_ptr_array_add (self->plan, file);
        }
      g_free (files);
    }
  return TRUE;
}

/* The tree layout's subfolders of this batch's outputs, made now (off the
 * workers' way), never through a link. */
static gboolean
make_folders (CwBatch  *self,
              GError  **error)
{
  g_autoptr(GHashTable) made = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < self->plan->len; i++)
    {
      const CwPlannedFile *file = g_ptr_array_index (self->plan, i);
      const char *slash = strrchr (file->seed_key, '/');
      g_autofree char *dir = NULL;

      if (slash == NULL)
        continue;
      dir = g_strndup (file->seed_key, slash - file->seed_key);
      if (g_hash_table_contains (made, dir))
        continue;
      if (!cw_output_make_folders (self->options.output_dir, dir, error))
        return FALSE;
      g_hash_table_add (made, g_steal_pointer (&dir));
    }
  return TRUE;
}

/* Opens each planned input as its worker will, to say before any work
 * what the output's format makes of it (cw_audio_check ()). Only when
 * the format or depth changes: a file kept as it was is always written. */
static gboolean
check_encodings (CwBatch       *self,
                 GCancellable  *cancellable,
                 GError       **error)
{
  const CwJobSettings *s = &self->settings;
  g_autoptr(CwChain) chain = NULL;

  if (s->format == CW_FORMAT_SAME && s->bits == CW_BITS_SAME)
    return TRUE;
  chain = cw_chain_parse (s->spec, NULL);
  if (chain == NULL)
    return TRUE;        /* the workers say so, file by file */
  for (guint i = 0; i < self->plan->len; i++)
    {
      const CwPlannedFile *file = g_ptr_array_index (self->plan, i);
      CwAudioJob job = {
        .input_path = file->input_path,
        .output_path = file->output_path,
        .chain = chain,
        .format = s->format,
        .seed = s->seed,
        .seed_key = file->seed_key,
        .bits = s->bits,
        .has_quality = s->has_quality,
        .quality = s->quality,
        .no_metadata = s->no_metadata,
      };
      g_autoptr(GError) local = NULL;
      g_autofree char *text = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!cw_audio_check (&job, &text, &local))
        {
          /* a file that cannot be read fails at run time with its own reason */
          if (!g_error_matches (local, CW_ERROR, CW_ERROR_UNSUPPORTED))
            continue;
          text = g_strdup (local->message);
        }
      if (text != NULL)
        {
          CwBatchNote *note = g_new0 (CwBatchNote, 1);

          note->input_path = g_strdup (file->input_path);
          note->text = g_steal_pointer (&text);
          note->refused = local != NULL;
          self->n_refused += note->refused;
          g_ptr_array_add (self->notes, note);
        }
    }
  return TRUE;
}

gboolean
cw_batch_plan (CwBatch       *self,
               GCancellable  *cancellable,
               GError       **error)
{
  const CwBatchOptions *o;
  g_autoptr(GPtrArray) files = NULL;

  g_return_val_if_fail (CW_IS_BATCH (self), FALSE);
  g_return_val_if_fail (!self->planned, FALSE);

  o = &self->options;
  self->planned = TRUE;
  if (o->synthetic_kind != 0)
    return TRUE;
  if (o->resume && o->joblog_path == NULL)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                           "--resume needs the job log of the earlier run: add --joblog FILE");
      return FALSE;
    }

  if (o->plan != NULL)
    {
      /* a recorded batch: the same names as before */
      self->plan = _cw_batch_copy_plan (o->plan);
      return !o->resume || resume_plan (self, error);
    }

  if (g_mkdir_with_parents (o->output_dir, 0777) != 0)
    return cw_set_error_from_errno (error, errno, "cannot create the output folder", o->output_dir);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (o->input_files != NULL)
    {
      /* walked already: the same files, in their order (sharding sorts
       * this array, not the caller's) */
      files = g_ptr_array_new_full (o->input_files->len, NULL);
      for (guint i = 0; i < o->input_files->len; i++)
        g_ptr_array_add (files, g_ptr_array_index (o->input_files, i));
    }
  else
    files = cw_inputs_collect ((const char * const *) o->inputs, o->output_dir, self->skipped);
  if (files->len == 0)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_NO_INPUT, "no audio files found in the inputs");
      return FALSE;
    }
  /* every shard sorts the whole list the same way, whatever the
   * arguments' order, then plans names over all of it */
  if (o->shard_count > 0)
    cw_shard_sort_inputs (files);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  {
    CwPlanOptions plan = {
      .output_dir = o->output_dir,
      .format = o->format,
      .layout = o->layout,
      /* resuming decides about existing outputs itself, from the log */
      .existing = o->resume ? (o->existing == CW_EXISTING_REPLACE ? CW_EXISTING_REPLACE : CW_EXISTING_FAIL)
                            : o->existing,
      /* shards and reruns must find each other's outputs: names by key;
       * a record keeps its plan, names and all, and is resumed by them */
      .by_key = o->shard_count > 0 || (o->joblog_path != NULL && o->record_dir == NULL),
      .skipped = self->skipped,
    };

    if (plan.by_key && o->existing == CW_EXISTING_RENAME)
      {
        g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                             "--existing rename cannot go with --shard or --joblog: their outputs "
                             "are named by key, so that runs find each other's");
        return FALSE;
      }
    self->plan = cw_inputs_plan (files, &plan);
    self->n_existing = plan.n_existing;
  }
  /* the plan has what the run needs of them */
  g_clear_pointer (&files, g_ptr_array_unref);
  g_clear_pointer (&self->options.input_files, g_ptr_array_unref);
  if (o->shard_count > 0)
    cw_shard_select (self->plan, o->shard_index, o->shard_count, (GDestroyNotify) cw_planned_file_free);
  if (!make_folders (self, error))
    return FALSE;
  if (o->resume && !resume_plan (self, error))
    return FALSE;
  return check_encodings (self, cancellable, error);
}

GPtrArray *
cw_batch_get_notes (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), NULL);
  return self->notes;
}

guint
cw_batch_get_n_refused (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), 0);
  return self->n_refused;
}

guint
cw_batch_drop_refused (CwBatch *self)
{
  g_autoptr(GHashTable) refused = g_hash_table_new (g_str_hash, g_str_equal);
  guint kept = 0, dropped = 0;

  g_return_val_if_fail (CW_IS_BATCH (self), 0);
  g_return_val_if_fail (self->run_task == NULL, 0);

  for (guint i = 0; i < self->notes->len; i++)
    {
      CwBatchNote *note = g_ptr_array_index (self->notes, i);

      if (note->refused)
        g_hash_table_insert (refused, note->input_path, note->text);
    }
  for (guint i = 0; self->plan != NULL && i < self->plan->len; i++)
    {
      CwPlannedFile *file = g_ptr_array_index (self->plan, i);
      const char *why = g_hash_table_lookup (refused, file->input_path);

      if (why != NULL)
        {
          g_ptr_array_add (self->skipped, g_strdup_printf ("%s: %s", file->input_path, why));
          cw_planned_file_free (file);
          dropped++;
        }
      else
        self->plan->pdata[kept++] = file;
    }
  if (self->plan != NULL)
    {
      /* the dropped ones are freed already */
      g_ptr_array_set_free_func (self->plan, NULL);
      g_ptr_array_set_size (self->plan, kept);
      g_ptr_array_set_free_func (self->plan, (GDestroyNotify) cw_planned_file_free);
    }
  self->n_refused = 0;
  return dropped;
}

char **
cw_batch_note_lines (GPtrArray *notes,
                     gboolean   refused,
                     guint      max_names)
{
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                        (GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  GPtrArray *lines = g_ptr_array_new ();

  for (guint i = 0; notes != NULL && i < notes->len; i++)
    {
      CwBatchNote *note = g_ptr_array_index (notes, i);
      GPtrArray *files;

      if (note->refused != refused)
        continue;
      files = g_hash_table_lookup (groups, note->text);
      if (files == NULL)
        {
          files = g_ptr_array_new ();
          g_hash_table_insert (groups, note->text, files);
          g_ptr_array_add (order, note->text);
        }
      g_ptr_array_add (files, note->input_path);
    }
  for (guint i = 0; i < order->len; i++)
    {
      const char *text = g_ptr_array_index (order, i);
      GPtrArray *files = g_hash_table_lookup (groups, text);
      g_autoptr(GString) line = g_string_new (NULL);

      if (files->len == 1)
        {
          g_autofree char *name = g_filename_display_basename (g_ptr_array_index (files, 0));

          g_string_append_printf (line, "%s: %s", name, text);
        }
      else
        {
          g_string_append_printf (line, "%u files (", files->len);
          for (guint f = 0; f < MIN (files->len, max_names); f++)
            {
              g_autofree char *name = g_filename_display_basename (g_ptr_array_index (files, f));

              g_string_append_printf (line, "%s%s", f ? ", " : "", name);
            }
          g_string_append_printf (line, "%s): %s", files->len > max_names ? ", …" : "", text);
        }
      g_ptr_array_add (lines, g_string_free (g_steal_pointer (&line), FALSE));
    }
  g_ptr_array_add (lines, NULL);
  return (char **) g_ptr_array_free (lines, FALSE);
}

static void
plan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GError *error = NULL;

  if (cw_batch_plan (source_object, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cw_batch_plan_async (CwBatch             *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, cw_batch_plan_async);
  g_task_run_in_thread (task, plan_thread);
}

gboolean
cw_batch_plan_finish (CwBatch       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GPtrArray *
cw_batch_get_skipped (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), NULL);
  return self->skipped;
}

GPtrArray *
cw_batch_get_plan (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), NULL);
  return self->plan;
}

guint
cw_batch_get_n_resumed (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), 0);
  return self->n_resumed;
}

guint
cw_batch_get_n_existing (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), 0);
  return self->n_existing;
}

guint
cw_batch_get_n_redone (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), 0);
  return self->n_redone;
}

guint64
cw_batch_get_n_tasks (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), 0);
  if (self->options.synthetic_kind != 0)
    return self->options.synthetic_count;
  return self->plan != NULL ? self->plan->len : 0;
}

/* ---------------------------------------------------------------------- */
/* the log thread */

typedef enum { OP_OPEN, OP_RESULT, OP_END } OpKind;

typedef struct
{
  OpKind    kind;
  guint64   index;      /* OP_RESULT: the planned file */
  CwStatus  status;
  double    seconds;
  char     *error;
  gboolean  has_checksum;
  guint64   checksum;
  gboolean  completed;  /* OP_END: the batch ran to its end */
} Op;

static void
note_log_error (CwBatch    *self,
                const char *message)
{
  g_mutex_lock (&self->log_lock);
  if (self->log_error == NULL)
    self->log_error = g_strdup (message);
  g_mutex_unlock (&self->log_lock);
}

/* The record of a new batch: its plan and settings, written whole before
 * the first result can be logged. */
static void
write_record (CwBatch *self)
{
  const CwBatchOptions *o = &self->options;
  g_autoptr(GString) text = g_string_new (CW_BATCH_RECORD_HEADER "\n");
  g_autofree char *out = cw_joblog_escape (o->output_dir);
  g_autofree char *spec = cw_joblog_escape (self->settings.spec);
  g_autofree char *path = _cw_batch_record_path (o->record_dir);
  g_autoptr(GError) error = NULL;

  g_string_append_printf (text, "output_dir\t%s\nspec\t%s\nformat\t%d\nseed\t%" G_GUINT64_FORMAT "\n",
                          out, spec, (int) self->settings.format, self->settings.seed);
  g_string_append_printf (text, "bits\t%d\nno_metadata\t%d\n",
                          (int) self->settings.bits, self->settings.no_metadata ? 1 : 0);
  if (self->settings.has_quality)
    {
      char q[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (text, "quality\t%s\n",
                              g_ascii_dtostr (q, sizeof q, self->settings.quality));
    }
  for (guint i = 0; i < self->plan->len; i++)
    {
      const CwPlannedFile *file = g_ptr_array_index (self->plan, i);
      g_autofree char *in = cw_joblog_escape (file->input_path);
      g_autofree char *output = cw_joblog_escape (file->output_path);
      g_autofree char *key = cw_joblog_escape (file->seed_key);

      /* and whether the plan may replace a file there (overwrite was on) */
      g_string_append_printf (text, "file\t%s\t%s\t%s\t%d\n", in, output, key, (int) file->replace);
    }
  /* a new batch replaces the record of an older one, log and all */
  g_unlink (o->joblog_path);
  if (g_mkdir_with_parents (o->record_dir, 0700) != 0
      || !g_file_set_contents (path, text->str, text->len, &error))
    {
      /* resuming is a convenience: the batch itself goes on */
      g_debug ("cannot record the batch in %s: %s", o->record_dir,
               error != NULL ? error->message : g_strerror (errno));
    }
}

static void
open_log (CwBatch *self)
{
  const CwBatchOptions *o = &self->options;
  g_autofree char *path = cw_joblog_file_for (o->joblog_path, o->shard_index, o->shard_count);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;

  if (o->record_dir != NULL && o->plan == NULL)
    write_record (self);
  /* a folder of logs (--joblog DIR/) is made on first use */
  if (!g_str_equal (path, o->joblog_path))
    g_mkdir_with_parents (parent, 0777);
  self->log = cw_joblog_open (path, &error);
  if (self->log == NULL)
    note_log_error (self, error->message);
}

/* On the log thread: a finished output's line, with the checksum its
 * worker summed as it wrote it, or else (a worker that could not sum it)
 * the output read back: ~4 ms for a 21 MB file from the page cache. */
static void
log_result (CwBatch *self,
            Op      *op)
{
  const CwPlannedFile *file = g_ptr_array_index (self->plan, op->index);
  g_autoptr(GError) error = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *read_error = NULL;
  CwStatus status = op->status;

  if (self->log == NULL)
    return;
  if (status == CW_STATUS_OK && op->has_checksum)
    checksum = cw_checksum_format (op->checksum);
  else if (status == CW_STATUS_OK)
    {
      checksum = cw_checksum_file (file->output_path, &error);
      if (checksum == NULL)
        {
          /* logged as failed, so a resume redoes it */
          status = CW_STATUS_FAILED;
          read_error = g_strdup (error->message);
          g_clear_error (&error);
        }
    }
  if (!cw_joblog_append (self->log, file->input_path, file->output_path,
                         cw_status_to_string (status), op->seconds, checksum,
                         read_error != NULL ? read_error : op->error, &self->settings, &error))
    note_log_error (self, error->message);
}

static gboolean
run_completed_cb (gpointer user_data)
{
  CwBatch *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->run_task);

  if (self->run_error != NULL)
    g_task_return_error (task, g_error_copy (self->run_error));
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static void
end_log (CwBatch *self,
         Op      *op)
{
  g_clear_pointer (&self->log, cw_joblog_close);
  /* ran to its end: nothing to resume */
  if (op->completed && self->options.record_dir != NULL)
    {
      g_autofree char *path = _cw_batch_record_path (self->options.record_dir);

      g_unlink (path);
      g_unlink (self->options.joblog_path);
    }
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, run_completed_cb,
                              g_object_ref (self), g_object_unref);
}

static void
log_thread_func (gpointer data,
                 gpointer user_data)
{
  Op *op = data;
  CwBatch *self = user_data;

  switch (op->kind)
    {
    case OP_OPEN:
      open_log (self);
      break;
    case OP_RESULT:
      log_result (self, op);
      break;
    case OP_END:
    default:
      end_log (self, op);
      break;
    }
  g_free (op->error);
  g_free (op);
}

static void
push_op (CwBatch *self,
         Op      *op)
{
  g_thread_pool_push (self->log_thread, op, NULL);
}

/* ---------------------------------------------------------------------- */
/* running */

static gboolean
next_task_cb (gpointer  user_data,
              CwTask   *task)
{
  CwBatch *self = user_data;
  const CwBatchOptions *o = &self->options;

  if (o->synthetic_kind != 0)
    {
      if (self->next >= o->synthetic_count)
        return FALSE;
      task->kind = o->synthetic_kind;
      /* mul10 multiplies its own index, like the lesson's range(n) */
      task->arg = o->synthetic_kind == CW_TASK_MUL10 ? (gint64) self->next : o->synthetic_arg;
      self->next++;
      return TRUE;
    }
  if (self->next >= self->plan->len)
    return FALSE;
  {
    const CwPlannedFile *file = g_ptr_array_index (self->plan, self->next++);

    task->kind = CW_TASK_AUDIO;
    task->input_path = g_strdup (file->input_path);
    task->output_path = g_strdup (file->output_path);
    task->seed_key = g_strdup (file->seed_key);
    task->replace = file->replace;
  }
  return TRUE;
}

static void
result_cb (const CwResult *result,
           gpointer        user_data)
{
  CwBatch *self = user_data;

  /* cancelled files are not finished: a resume does them */
  if (self->log_thread != NULL && self->plan != NULL && result->status != CW_STATUS_CANCELLED
      && result->index < self->plan->len)
    {
      Op *op = g_new0 (Op, 1);

      op->kind = OP_RESULT;
      op->index = result->index;
      op->status = result->status;
      op->seconds = (result->end_us - result->start_us) / 1e6;
      op->error = g_strdup (result->error);
      op->has_checksum = result->has_checksum;
      op->checksum = result->checksum;
      push_op (self, op);
    }
  if (self->on_result != NULL)
    self->on_result (result, self->result_data);
}

static void
pool_closed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CwBatch) self = user_data;

  cw_pool_close_finish (CW_POOL (object), result, NULL);
  if (self->log_thread != NULL)
    {
      Op *op = g_new0 (Op, 1);

      op->kind = OP_END;
      op->completed = self->run_error == NULL;
      push_op (self, op);
    }
  else
    run_completed_cb (self);
}

static void
map_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CwBatch *self = user_data;

  cw_pool_map_finish (CW_POOL (object), result, &self->stats, &self->run_error);
  /* Like Pool.close + join: the run ends when every worker is reaped. */
  cw_pool_close_async (self->pool, NULL, pool_closed_cb, g_object_ref (self));
}

void
cw_batch_run_async (CwBatch             *self,
                    CwResultFunc         on_result,
                    gpointer             result_data,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_return_if_fail (CW_IS_BATCH (self));
  g_return_if_fail (self->planned);
  g_return_if_fail (self->run_task == NULL);

  self->run_task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->run_task, cw_batch_run_async);
  self->context = g_main_context_ref_thread_default ();
  self->on_result = on_result;
  self->result_data = result_data;

  if (self->options.joblog_path != NULL && self->options.synthetic_kind == 0)
    {
      self->log_thread = g_thread_pool_new (log_thread_func, self, 1, FALSE, NULL);
      push_op (self, g_new0 (Op, 1));  /* OP_OPEN */
    }

  /* self->run_task holds the batch until the run has completed */
  cw_pool_map_async (self->pool, &self->settings, next_task_cb, self, NULL,
                     cw_batch_get_n_tasks (self), self->options.order, result_cb, self,
                     cancellable, map_done_cb, self);
}

gboolean
cw_batch_run_finish (CwBatch       *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

const CwBatchStats *
cw_batch_get_stats (CwBatch *self)
{
  g_return_val_if_fail (CW_IS_BATCH (self), NULL);
  return &self->stats;
}

const char *
cw_batch_get_log_error (CwBatch *self)
{
  const char *message;

  g_return_val_if_fail (CW_IS_BATCH (self), NULL);
  g_mutex_lock (&self->log_lock);
  message = self->log_error;
  g_mutex_unlock (&self->log_lock);
  return message;
}
