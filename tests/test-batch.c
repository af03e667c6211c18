/* test-batch.c: CwBatch, the one batch engine of the window and the CLI
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cw-batch.h"
#include "cw-joblog.h"
#include "cw-error.h"
#include "cw-test-util.h"

/* It only turns a hang into a failure. */
#define WAIT_TIMEOUT_S 120

typedef struct
{
  char  *dir;
  char  *in;
  char  *out;
  char  *record;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = cw_test_make_tmp_dir ();
  f->in = g_build_filename (f->dir, "in", NULL);
  f->out = g_build_filename (f->dir, "out", NULL);
  f->record = g_build_filename (f->dir, "state", NULL);
  g_assert_cmpint (g_mkdir (f->in, 0755), ==, 0);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s/f%u.wav", f->in, i);

      cw_test_write_sine (name, i == 3 ? 2.0 : 0.2, 300 + 40 * i, 1);
    }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  cw_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->in);
  g_free (f->out);
  g_free (f->record);
}

static void
options_for (Fixture        *f,
             CwBatchOptions *o)
{
  const char *inputs[] = { f->in, NULL };

  memset (o, 0, sizeof *o);
  o->inputs = g_strdupv ((char **) inputs);
  o->output_dir = g_strdup (f->out);
  o->spec = g_strdup ("noise:sigma=0.1");
  o->n_workers = 2;
  o->chunk_size = 1;
  o->order = CW_ORDER_ORDERED;
  o->mode = CW_MODE_PROCESSES;
}

typedef struct
{
  gboolean      done;
  gboolean      ok;
  GError       *error;
  GPtrArray    *results;    /* CwResult* */
  GCancellable *cancel_after;
  guint         cancel_at;
} Run;

static void
on_result (const CwResult *result,
           gpointer        user_data)
{
  Run *run = user_data;

  g_ptr_array_add (run->results, cw_result_copy (result));
  if (run->cancel_after != NULL && run->results->len == run->cancel_at)
    g_cancellable_cancel (run->cancel_after);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  run->ok = cw_batch_run_finish (CW_BATCH (object), result, &run->error);
  run->done = TRUE;
}

static void
run_batch (CwBatch      *batch,
           GCancellable *cancellable,
           Run          *run)
{
  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_result_free);
  cw_batch_run_async (batch, on_result, run, cancellable, run_done_cb, run);
  WAIT_UNTIL (run->done);
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_clear_error (&run->error);
}

static void
planned_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_batch_plan_finish (CW_BATCH (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Planned in a thread, run, logged, and the record gone at the end. */
static void
test_record_completes (Fixture       *f,
                       gconstpointer  data)
{
  CwBatchOptions o;
  g_autoptr(CwBatch) batch = NULL;
  g_autofree char *record = g_build_filename (f->record, "batch", NULL);
  g_autofree char *log = g_build_filename (f->record, "joblog", NULL);
  gboolean planned = FALSE;
  Run run = { 0 };

  options_for (f, &o);
  o.record_dir = g_strdup (f->record);
  batch = cw_batch_new (&o);
  cw_batch_options_clear (&o);
  /* the log sits beside the record */
  g_assert_cmpstr (cw_batch_get_options (batch)->joblog_path, ==, log);

  cw_batch_plan_async (batch, NULL, planned_cb, &planned);
  WAIT_UNTIL (planned);
  g_assert_cmpuint (cw_batch_get_n_tasks (batch), ==, 6);
  g_assert_cmpuint (cw_batch_get_skipped (batch)->len, ==, 0);

  run_batch (batch, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.results->len, ==, 6);
  g_assert_cmpuint (cw_batch_get_stats (batch)->n_ok, ==, 6);
  g_assert_null (cw_batch_get_log_error (batch));
  /* ran to its end: nothing to resume */
  g_assert_false (g_file_test (record, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, 6);
  run_clear (&run);
}

static void
found_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  CwBatchRecord **record = user_data;
  g_autoptr(GError) error = NULL;

  *record = cw_batch_record_find_finish (result, &error);
  g_assert_no_error (error);
  if (*record == NULL)
    *record = GINT_TO_POINTER (1);
}

static CwBatchRecord *
find_record (const char *dir)
{
  CwBatchRecord *record = NULL;

  cw_batch_record_find_async (dir, NULL, found_cb, &record);
  WAIT_UNTIL (record != NULL);
  return record == GINT_TO_POINTER (1) ? NULL : record;
}

/* The batch that resumes @record, planned. */
static CwBatch *
plan_resume (Fixture       *f,
             CwBatchRecord *record)
{
  g_autoptr(GError) error = NULL;
  CwBatchOptions o = { .n_workers = 2 };
  CwBatch *batch;

  cw_batch_record_to_options (record, f->record, &o);
  batch = cw_batch_new (&o);
  cw_batch_options_clear (&o);
  g_assert_true (cw_batch_plan (batch, NULL, &error));
  g_assert_no_error (error);
  return batch;
}

/* Cut short, found again, resumed from its own plan: only the rest runs,
 * and the outputs are byte-identical to an uninterrupted batch's. */
static void
test_record_resumes (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CwBatch) batch = NULL;
  g_autoptr(CwBatch) again = NULL;
  g_autoptr(CwBatchRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = g_build_filename (f->dir, "ref", NULL);
  CwBatchOptions o;
  Run run = { .cancel_after = cancellable, .cancel_at = 2 };
  Run rest = { 0 };
  guint n_ok;

  options_for (f, &o);
  o.record_dir = g_strdup (f->record);
  o.n_workers = 1;
  batch = cw_batch_new (&o);
  cw_batch_options_clear (&o);
  g_assert_true (cw_batch_plan (batch, NULL, &error));
  run_batch (batch, cancellable, &run);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  n_ok = cw_batch_get_stats (batch)->n_ok;
  g_assert_cmpuint (n_ok, >=, 2);
  g_assert_cmpuint (n_ok, <, 6);

  record = find_record (f->record);
  g_assert_nonnull (record);
  g_assert_cmpuint (record->plan->len, ==, 6);
  g_assert_cmpuint (record->n_done, ==, n_ok);
  g_assert_cmpstr (record->settings.spec, ==, "noise:sigma=0.1");

  again = plan_resume (f, record);
  g_assert_cmpuint (cw_batch_get_n_resumed (again), ==, n_ok);
  g_assert_cmpuint (cw_batch_get_n_tasks (again), ==, 6 - n_ok);
  run_batch (again, NULL, &rest);
  g_assert_true (rest.ok);
  g_assert_cmpuint (rest.results->len, ==, 6 - n_ok);
  g_clear_pointer (&record, cw_batch_record_free);
  record = find_record (f->record);
  g_assert_null (record);

  /* the same as one uninterrupted batch */
  g_assert_cmpint (cw_test_run_cli (NULL, NULL, f->in, "-o", ref, "-q"), ==, 0);
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u.wav", i);
      g_autofree char *a = g_build_filename (f->out, name, NULL);
      g_autofree char *b = g_build_filename (ref, name, NULL);
      g_autoptr(GBytes) x = cw_test_read_bytes (a);
      g_autoptr(GBytes) y = cw_test_read_bytes (b);

      g_assert_true (g_bytes_equal (x, y));
    }
  run_clear (&run);
  run_clear (&rest);
}

/* The window's record keeps the plan's names, so a batch with a record
 * may keep both (a numbered name beside a file already there), and its
 * resume finds those names again. */
static void
test_record_renames (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CwBatch) batch = NULL;
  g_autoptr(CwBatch) again = NULL;
  g_autoptr(CwBatchRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *mine = g_build_filename (f->out, "f0.wav", NULL);
  g_autofree char *numbered = g_build_filename (f->out, "f0 (1).wav", NULL);
  g_autofree char *text = NULL;
  CwBatchOptions o;
  Run run = { .cancel_after = cancellable, .cancel_at = 2 };
  Run rest = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (f->out, 0755), ==, 0);
  g_assert_true (g_file_set_contents (mine, "MINE", -1, NULL));
  options_for (f, &o);
  o.record_dir = g_strdup (f->record);
  o.existing = CW_EXISTING_RENAME;
  o.n_workers = 1;
  batch = cw_batch_new (&o);
  cw_batch_options_clear (&o);
  g_assert_true (cw_batch_plan (batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cw_batch_get_n_existing (batch), ==, 1);
  g_assert_cmpstr (((CwPlannedFile *) g_ptr_array_index (cw_batch_get_plan (batch), 0))->output_path,
                   ==, numbered);
  run_batch (batch, cancellable, &run);
  g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  record = find_record (f->record);
  g_assert_nonnull (record);
  again = plan_resume (f, record);
  g_assert_cmpuint (cw_batch_get_n_resumed (again) + cw_batch_get_n_tasks (again), ==, 6);
  run_batch (again, NULL, &rest);
  g_assert_true (rest.ok);
  g_assert_true (g_file_test (numbered, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_get_contents (mine, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "MINE");
  g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, 7);
  run_clear (&run);
  run_clear (&rest);
}

static void
test_synthetic (Fixture       *f,
                gconstpointer  data)
{
  CwBatchOptions o = {
    .synthetic_kind = CW_TASK_MUL10,
    .synthetic_count = 1000,
    .n_workers = 2,
    .order = CW_ORDER_ORDERED,
  };
  g_autoptr(CwBatch) batch = cw_batch_new (&o);
  g_autoptr(GError) error = NULL;
  Run run = { 0 };

  g_assert_true (cw_batch_plan (batch, NULL, &error));
  g_assert_cmpuint (cw_batch_get_n_tasks (batch), ==, 1000);
  run_batch (batch, NULL, &run);
  g_assert_true (run.ok);
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpint (((CwResult *) g_ptr_array_index (run.results, i))->value, ==, 10 * i);
  run_clear (&run);
}

static void
test_plan_errors (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *empty = g_build_filename (f->dir, "empty", NULL);
  const char *inputs[] = { empty, NULL };
  CwBatchOptions o = { 0 };
  g_autoptr(GError) error = NULL;
  CwBatch *batch;

  g_assert_cmpint (g_mkdir (empty, 0755), ==, 0);
  o.inputs = (char **) inputs;
  o.output_dir = f->out;
  o.spec = (char *) "copy";
  batch = cw_batch_new (&o);
  g_assert_false (cw_batch_plan (batch, NULL, &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_NO_INPUT);
  g_clear_error (&error);
  g_assert_finalize_object (batch);

  o.resume = TRUE;
  batch = cw_batch_new (&o);
  g_assert_false (cw_batch_plan (batch, NULL, &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_USAGE);
  g_assert_finalize_object (batch);
}

/* Shards plan names over the whole list: shard 1 of 2 gets files 1, 3, 5
 * of the sorted list, named as in one run. */
static void
test_shard (Fixture       *f,
            gconstpointer  data)
{
  CwBatchOptions o;
  g_autoptr(CwBatch) batch = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *plan;

  options_for (f, &o);
  o.shard_index = 1;
  o.shard_count = 2;
  batch = cw_batch_new (&o);
  cw_batch_options_clear (&o);
  g_assert_true (cw_batch_plan (batch, NULL, &error));
  plan = cw_batch_get_plan (batch);
  g_assert_cmpuint (plan->len, ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *want = g_strdup_printf ("f%u.wav", 2 * i + 1);

      g_assert_cmpstr (((CwPlannedFile *) g_ptr_array_index (plan, i))->seed_key, ==, want);
    }
}

/* Files walked earlier (the window's queue) keep the path they were found
 * at: outputs mirror it with the tree layout, a file given by itself goes
 * to the top, and nothing is walked again. */
static void
test_input_files (Fixture       *f,
                  gconstpointer  data)
{
  static const char * const relatives[] = { "Album A/01.wav", "Album B/01.wav", "Album B/CD 2/01.wav" };
  static const char * const flat[] = { "01.wav", "01 (1).wav", "01 (2).wav", "f0.wav" };
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_input_file_free);
  g_autoptr(GError) error = NULL;
  CwBatchOptions o;
  Run run = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (relatives); i++)
    {
      g_autofree char *path = g_build_filename (f->in, relatives[i], NULL);
      g_autofree char *parent = g_path_get_dirname (path);

      g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
      cw_test_write_sine (path, 0.1, 400 + 100 * i, 1);
      g_ptr_array_add (files, cw_input_file_new (path, relatives[i]));
    }
  {
    g_autofree char *loose = g_build_filename (f->in, "f0.wav", NULL);

    g_ptr_array_add (files, cw_input_file_new (loose, NULL));
  }

  for (CwLayout layout = CW_LAYOUT_TREE; layout <= CW_LAYOUT_FLAT; layout++)
    {
      g_autoptr(CwBatch) batch = NULL;
      GPtrArray *plan;

      memset (&o, 0, sizeof o);
      o.input_files = files;
      o.output_dir = f->out;
      o.spec = (char *) "copy";
      o.n_workers = 2;
      o.order = CW_ORDER_ORDERED;
      o.layout = layout;
      /* (shards sort their inputs: a copy, not the caller's array) */
      o.shard_count = layout == CW_LAYOUT_FLAT ? 1 : 0;
      o.existing = layout == CW_LAYOUT_FLAT ? CW_EXISTING_FAIL : CW_EXISTING_RENAME;
      batch = cw_batch_new (&o);
      g_assert_true (cw_batch_plan (batch, NULL, &error));
      g_assert_no_error (error);
      plan = cw_batch_get_plan (batch);
      g_assert_cmpuint (plan->len, ==, 4);
      g_assert_cmpuint (cw_batch_get_skipped (batch)->len, ==, 0);
      for (guint i = 0; i < plan->len; i++)
        {
          const CwPlannedFile *file = g_ptr_array_index (plan, i);
          const char *want = layout == CW_LAYOUT_TREE ? (i < 3 ? relatives[i] : "f0.wav") : flat[i];
          g_autofree char *output = g_build_filename (f->out, want, NULL);

          g_assert_cmpstr (file->seed_key, ==, want);
          g_assert_cmpstr (file->output_path, ==, output);
        }
      g_assert_cmpstr (((CwInputFile *) g_ptr_array_index (files, 0))->relative, ==, relatives[0]);
      if (layout == CW_LAYOUT_FLAT)
        break;

      run_batch (batch, NULL, &run);
      g_assert_true (run.ok);
      for (guint i = 0; i < plan->len; i++)
        g_assert_true (g_file_test (((CwPlannedFile *) g_ptr_array_index (plan, i))->output_path,
                                    G_FILE_TEST_IS_REGULAR));
      g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, 1);
      run_clear (&run);
      cw_test_rm_rf (f->out);
    }
}

/* Before any work: 44.1 kHz files to Opus are noted as resampled, a
 * 6-channel file to MP3 is refused with its reason; dropping it moves it
 * to the skipped notes and the rest runs. */
static void
test_encoding_notes (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *six = g_build_filename (f->in, "six.wav", NULL);
  CwBatchOptions o;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) notes = NULL;
  g_auto(GStrv) refused = NULL;
  g_autoptr(CwBatch) batch = NULL;
  g_autoptr(CwBatch) same = NULL;
  Run run = { 0 };

  cw_test_write_sine (six, 0.2, 440, 6);
  options_for (f, &o);
  o.format = CW_FORMAT_OPUS;
  batch = cw_batch_new (&o);
  g_assert_true (cw_batch_plan (batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cw_batch_get_notes (batch)->len, ==, 7);
  g_assert_cmpuint (cw_batch_get_n_refused (batch), ==, 0);
  notes = cw_batch_note_lines (cw_batch_get_notes (batch), FALSE, 2);
  g_assert_cmpuint (g_strv_length (notes), ==, 1);
  g_test_message ("%s", notes[0]);
  g_assert_true (g_str_has_prefix (notes[0], "7 files (f0.wav, f1.wav, …): resampled from 44100 to 48000 Hz"));
  g_clear_object (&batch);

  o.format = CW_FORMAT_MP3;
  batch = cw_batch_new (&o);
  g_assert_true (cw_batch_plan (batch, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cw_batch_get_n_refused (batch), ==, 1);
  refused = cw_batch_note_lines (cw_batch_get_notes (batch), TRUE, 3);
  g_assert_cmpuint (g_strv_length (refused), ==, 1);
  g_test_message ("%s", refused[0]);
  g_assert_true (g_str_has_prefix (refused[0], "six.wav: MP3 holds at most 2 channels"));
  g_assert_cmpuint (cw_batch_get_plan (batch)->len, ==, 7);
  g_assert_cmpuint (cw_batch_drop_refused (batch), ==, 1);
  g_assert_cmpuint (cw_batch_get_plan (batch)->len, ==, 6);
  g_assert_cmpuint (cw_batch_get_skipped (batch)->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (cw_batch_get_skipped (batch), 0), "six.wav: MP3 holds"));
  run_batch (batch, NULL, &run);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.results->len, ==, 6);
  for (guint i = 0; i < run.results->len; i++)
    g_assert_cmpint (((CwResult *) g_ptr_array_index (run.results, i))->status, ==, CW_STATUS_OK);
  run_clear (&run);
  cw_batch_options_clear (&o);

  /* the format kept: nothing to check, no file opened */
  options_for (f, &o);
  same = cw_batch_new (&o);
  g_assert_true (cw_batch_plan (same, NULL, &error));
  g_assert_cmpuint (cw_batch_get_notes (same)->len, ==, 0);
  cw_batch_options_clear (&o);
}

/* A job log line says how the output was encoded: resuming with another
 * depth makes the files again, with the same one skips them. */
static void
test_resume_encoding (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *log = g_build_filename (f->dir, "job.log", NULL);
  g_autofree char *contents = NULL;
  CwBatchOptions o;
  g_autoptr(GError) error = NULL;

  for (guint pass = 0; pass < 3; pass++)
    {
      g_autoptr(CwBatch) batch = NULL;
      Run run = { 0 };

      options_for (f, &o);
      o.format = CW_FORMAT_FLAC;
      o.bits = pass < 2 ? CW_BITS_24 : CW_BITS_16;
      o.joblog_path = g_strdup (log);
      o.existing = CW_EXISTING_REPLACE;
      o.resume = pass > 0;
      batch = cw_batch_new (&o);
      g_assert_true (cw_batch_plan (batch, NULL, &error));
      g_assert_no_error (error);
      if (pass == 0)
        g_assert_cmpuint (cw_batch_get_n_tasks (batch), ==, 6);
      else if (pass == 1)
        {
          /* the same settings: all done */
          g_assert_cmpuint (cw_batch_get_n_tasks (batch), ==, 0);
          g_assert_cmpuint (cw_batch_get_n_resumed (batch), ==, 6);
        }
      else
        {
          /* 16 bits now: every file again */
          g_assert_cmpuint (cw_batch_get_n_tasks (batch), ==, 6);
          g_assert_cmpuint (cw_batch_get_n_redone (batch), ==, 6);
        }
      if (cw_batch_get_n_tasks (batch) > 0)
        {
          run_batch (batch, NULL, &run);
          g_assert_true (run.ok);
          run_clear (&run);
        }
      cw_batch_options_clear (&o);
    }
  g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
  g_assert_nonnull (strstr (contents, "\tflac;bits=24\t"));
  g_assert_nonnull (strstr (contents, "\tflac;bits=16\t"));
}

/* With a job log, each output's checksum is summed by the worker that
 * wrote it and comes back with its result (the log never reads an output
 * back); the log's checksums are those of the files. Without a log, the
 * workers sum nothing. */
static void
test_log_checksums (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *log = g_build_filename (f->dir, "job.log", NULL);

  for (guint pass = 0; pass < 2; pass++)
    {
      gboolean logged = pass == 0;
      g_autoptr(CwBatch) batch = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      CwBatchOptions o;
      Run run = { 0 };
      guint n_lines = 0;

      if (g_file_test (f->out, G_FILE_TEST_EXISTS))
        cw_test_rm_rf (f->out);
      options_for (f, &o);
      o.format = pass == 0 ? CW_FORMAT_SAME : CW_FORMAT_FLAC;
      if (logged)
        o.joblog_path = g_strdup (log);
      batch = cw_batch_new (&o);
      g_assert_true (cw_batch_plan (batch, NULL, &error));
      g_assert_no_error (error);
      run_batch (batch, NULL, &run);
      g_assert_true (run.ok);
      g_assert_cmpuint (run.results->len, ==, 6);
      for (guint i = 0; i < run.results->len; i++)
        {
          const CwResult *r = g_ptr_array_index (run.results, i);

          g_assert_cmpint (r->status, ==, CW_STATUS_OK);
          g_assert_cmpint (r->has_checksum, ==, logged);
          if (logged)
            {
              g_autofree char *summed = cw_checksum_format (r->checksum);
              g_autofree char *read_back = cw_checksum_file (r->output_path, NULL);

              g_assert_cmpstr (summed, ==, read_back);
            }
        }
      run_clear (&run);
      cw_batch_options_clear (&o);
      if (!logged)
        continue;

      g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = NULL;
          g_autofree char *output = NULL;
          g_autofree char *read_back = NULL;

          if (lines[i][0] == '#' || lines[i][0] == '\0')
            continue;
          fields = g_strsplit (lines[i], "\t", -1);
          g_assert_cmpuint (g_strv_length (fields), >=, 5);
          output = cw_joblog_unescape (fields[1]);
          read_back = cw_checksum_file (output, NULL);
          g_assert_true (g_str_has_prefix (fields[4], CW_CHECKSUM_PREFIX));
          g_assert_cmpstr (fields[4], ==, read_back);
          n_lines++;
        }
      g_assert_cmpuint (n_lines, ==, 6);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/cw/batch/record-completes", test_record_completes);
  ADD ("/cw/batch/log-checksums", test_log_checksums);
  ADD ("/cw/batch/record-resumes", test_record_resumes);
  ADD ("/cw/batch/synthetic", test_synthetic);
  ADD ("/cw/batch/plan-errors", test_plan_errors);
  ADD ("/cw/batch/shard", test_shard);
  ADD ("/cw/batch/input-files", test_input_files);
  ADD ("/cw/batch/record-renames", test_record_renames);
  ADD ("/cw/batch/encoding-notes", test_encoding_notes);
  ADD ("/cw/batch/resume-encoding", test_resume_encoding);
#undef ADD
  return g_test_run ();
}
