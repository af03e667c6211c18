/* cw-test-util.c: what the C tests share: files, waiting on the main
 * context, descriptors and children, and batches on a pool
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cw-test-util.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sndfile.h>

/* The waits on a pool: no run of the suites comes near it; it only turns a
 * hang into a failure. */
#define POOL_TIMEOUT_S 120

/* ---------------------------------------------------------------------- */
/* waiting on the main context */

/* A timeout that sets the gboolean at @user_data. */
gboolean
cw_test_flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* files */

/* A 16-bit WAV at 44.1 kHz: a sine at @freq, @freq * 2... per channel. */
void
cw_test_write_sine (const char *path,
                    double      seconds,
                    double      freq,
                    int         channels)
{
  SF_INFO info = { .samplerate = 44100, .channels = channels, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  sf_count_t frames = (sf_count_t) (seconds * info.samplerate);
  short block[4096];
  sf_count_t per_block;
  SNDFILE *sf;

  g_assert_cmpint (channels, >=, 1);
  g_assert_cmpint (channels, <=, G_N_ELEMENTS (block));
  per_block = G_N_ELEMENTS (block) / channels;
  sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  /* a block at a time: the long files run to minutes */
  for (sf_count_t done = 0; done < frames;)
    {
      sf_count_t n = MIN (per_block, frames - done);

      for (sf_count_t i = 0; i < n; i++)
        for (int c = 0; c < channels; c++)
          block[i * channels + c] = (short) (16000 * sin (2 * G_PI * freq * (c + 1) * (done + i) / info.samplerate));
      g_assert_cmpint (sf_writef_short (sf, block, n), ==, n);
      done += n;
    }
  g_assert_cmpint (sf_close (sf), ==, 0);
}

/* A new folder in the temporary folder, named after the test program. */
char *
cw_test_make_tmp_dir (void)
{
  g_autofree char *prgname = g_path_get_basename (g_get_prgname () != NULL ? g_get_prgname () : "test");
  g_autofree char *tmpl = g_strdup_printf ("cw-%s-XXXXXX", prgname);
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

/* Removes @path, which must exist, and all below it; read-only folders
 * included. A link is removed, not followed. */
void
cw_test_rm_rf (const char *path)
{
  struct stat st;

  if (lstat (path, &st) != 0)
    g_error ("cannot remove %s: %s", path, g_strerror (errno));
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      chmod (path, 0700);
      dir = g_dir_open (path, 0, NULL);
      g_assert_nonnull (dir);
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          cw_test_rm_rf (child);
        }
    }
  g_assert_cmpint (remove (path), ==, 0);
}

GBytes *
cw_test_read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

/* The names in @dir that end in @suffix; 0 when there is no @dir. */
guint
cw_test_count_files (const char *dir,
                     const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, suffix))
      n++;
  return n;
}

/* @dir exists and holds no partial output. */
void
cw_test_assert_no_part_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    if (g_str_has_suffix (name, ".part"))
      g_error ("a partial output was left behind: %s/%s", dir, name);
}

/* ---------------------------------------------------------------------- */
/* descriptors and children */

guint
cw_test_count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The count once GLib is done with the children it reaped: the same count
 * twice in a row, 5 ms apart. */
guint
cw_test_count_fds_settled (void)
{
  guint tick = g_timeout_add (5, tick_cb, NULL);
  guint settled = 0;

  for (guint prev = G_MAXUINT, now = cw_test_count_fds (); settled < 2; prev = now, now = cw_test_count_fds ())
    {
      settled = now == prev ? settled + 1 : 0;
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  return cw_test_count_fds ();
}

/* GLib closes a reaped child's pidfd and its GSubprocess's last pieces from
 * its worker thread, a moment after the reaping: iterate (a tick keeps the
 * loop turning) until the count is back; a real leak fails after 10 s,
 * with the descriptors still open. */
void
cw_test_wait_for_fd_count (guint expected)
{
  guint tick = g_timeout_add (5, tick_cb, NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* "before" may have held a descriptor GLib was about to close: fewer
   * is fine, more is a leak */
  while (cw_test_count_fds () > expected && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  if (cw_test_count_fds () > expected)
    {
      g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *link = g_strdup_printf ("/proc/self/fd/%s", name);
          g_autofree char *target = g_file_read_link (link, NULL);

          g_test_message ("fd %s -> %s", name, target);
        }
      g_error ("%u fds open after 10 s, %u before", cw_test_count_fds (), expected);
    }
}

/* Every child was reaped: none is left, zombie or not. */
void
cw_test_assert_no_children (void)
{
  errno = 0;
  g_assert_cmpint (waitpid (-1, NULL, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}

/* For a test that sets its workers' environment: TRUE in the test itself,
 * once it has run again in a child of its own (before any thread there)
 * and passed, within @seconds; FALSE in that child, which goes on. */
gboolean
cw_test_trap_subprocess (guint seconds)
{
  if (g_test_subprocess ())
    return FALSE;
  g_test_trap_subprocess (NULL, seconds * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* batches on a pool */

static gboolean
source_next (gpointer  user_data,
             CwTask   *task)
{
  CwTestSource *src = user_data;

  if (src->given >= src->n)
    {
      if (src->n_results != NULL)
        src->n_results_seen_at_end = *src->n_results;
      return FALSE;
    }
  task->kind = src->kind;
  task->arg = src->args != NULL ? src->args[src->given] : (gint64) src->given;
  if (src->kind == CW_TASK_AUDIO)
    {
      g_autofree char *base = g_path_get_basename (src->inputs[src->given]);

      task->input_path = g_strdup (src->inputs[src->given]);
      task->output_path = g_build_filename (src->output_dir, base, NULL);
      task->seed_key = g_steal_pointer (&base);
    }
  src->given++;
  return TRUE;
}

void
cw_test_run_init (CwTestRun *run)
{
  memset (run, 0, sizeof *run);
  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_result_free);
  run->delivered_us = g_array_new (FALSE, FALSE, sizeof (gint64));
}

void
cw_test_run_clear (CwTestRun *run)
{
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_clear_pointer (&run->delivered_us, g_array_unref);
  g_clear_error (&run->error);
}

static void
run_result_cb (const CwResult *result,
               gpointer        user_data)
{
  CwTestRun *run = user_data;
  gint64 now = g_get_monotonic_time ();

  g_assert_false (run->done);
  g_ptr_array_add (run->results, cw_result_copy (result));
  g_array_append_val (run->delivered_us, now);
  run->n_results++;
  if (run->n_results == 1 && run->cancel_on_first != NULL)
    g_cancellable_cancel (run->cancel_on_first);
  if (run->hook != NULL)
    run->hook (result, run->hook_data);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  CwTestRun *run = user_data;

  run->ok = cw_pool_map_finish (CW_POOL (object), result, &run->stats, &run->error);
  run->done = TRUE;
}

/* Maps @src on @pool and waits for the end of the batch. */
void
cw_test_run_map (CwPool              *pool,
                 const CwJobSettings *settings,
                 CwTestSource        *src,
                 CwOrder              order,
                 GCancellable        *cancellable,
                 CwTestRun           *run)
{
  src->n_results = &run->n_results;
  cw_pool_map_async (pool, settings, source_next, src, NULL, src->n, order,
                     run_result_cb, run, cancellable, run_done_cb, run);
  WAIT_UNTIL_S (run->done, POOL_TIMEOUT_S);
}

const CwResult *
cw_test_run_result (CwTestRun *run,
                    guint      i)
{
  return g_ptr_array_index (run->results, i);
}

/* Every index from 0 to @n - 1 exactly once; returns them by index. */
const CwResult **
cw_test_assert_each_once (CwTestRun *run,
                          guint      n)
{
  const CwResult **by_index = g_new0 (const CwResult *, n);

  g_assert_cmpuint (run->results->len, ==, n);
  for (guint i = 0; i < run->results->len; i++)
    {
      const CwResult *r = cw_test_run_result (run, i);

      g_assert_cmpuint (r->index, <, n);
      g_assert_null (by_index[r->index]);
      by_index[r->index] = r;
    }
  return by_index;
}

static void
closed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_pool_close_finish (CW_POOL (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Close + join, then no child of ours is left, not even a zombie. */
void
cw_test_close_pool (CwPool *pool)
{
  gboolean closed = FALSE;

  cw_pool_close_async (pool, NULL, closed_cb, &closed);
  WAIT_UNTIL_S (closed, POOL_TIMEOUT_S);
  /* let the close task's last reference go */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (pool);
  cw_test_assert_no_children ();
}

/* @seconds[i] per file, or 0.3 s; mono and stereo in turn. */
void
cw_test_audio_set_init (CwTestAudioSet     *set,
                        const char * const *names,
                        const double       *seconds)
{
  set->dir = cw_test_make_tmp_dir ();
  set->out = g_build_filename (set->dir, "out", NULL);
  g_assert_cmpint (g_mkdir (set->out, 0755), ==, 0);
  set->n = g_strv_length ((char **) names);
  set->inputs = g_new0 (char *, set->n + 1);
  for (guint i = 0; i < set->n; i++)
    {
      set->inputs[i] = g_build_filename (set->dir, names[i], NULL);
      cw_test_write_sine (set->inputs[i], seconds != NULL ? seconds[i] : 0.3, 220 + 30 * i, 1 + i % 2);
    }
}

void
cw_test_audio_set_clear (CwTestAudioSet *set)
{
  cw_test_rm_rf (set->dir);
  g_clear_pointer (&set->dir, g_free);
  g_clear_pointer (&set->out, g_free);
  g_clear_pointer (&set->inputs, g_strfreev);
}

/* Where the set's output of @input goes. */
char *
cw_test_output_of (CwTestAudioSet *set,
                   const char     *input)
{
  g_autofree char *base = g_path_get_basename (input);

  return g_build_filename (set->out, base, NULL);
}

/* ---------------------------------------------------------------------- */
/* running the CLI */

#define RUN_CLI_TIMEOUT_S 120

typedef struct
{
  gboolean  done;
  gboolean  timed_out;
  GBytes   *out;
  GBytes   *err;
  GError   *error;
} CliRun;

static void
communicated_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CliRun *run = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (object), result, &run->out, &run->err, &run->error);
  run->done = TRUE;
}

static gboolean
timed_out_cb (gpointer user_data)
{
  ((CliRun *) user_data)->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  return g_strndup (data ? data : "", len);
}

/* Runs corewave-cli with @args; returns its exit status (it must exit,
 * not die of a signal) and what it printed. */
int
cw_test_run_cli_argv (const char * const *args,
              char              **out,
              char              **err)
{
  const char *cli = g_getenv ("CW_CLI_PATH");
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  CliRun run = { 0 };
  guint timeout;

  g_assert_nonnull (cli);
  g_ptr_array_add (argv, (char *) cli);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                            | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  timeout = g_timeout_add_seconds (RUN_CLI_TIMEOUT_S, timed_out_cb, &run);
  /* an empty stdin: the CLI reads nothing, and must not wait on a terminal */
  {
    g_autoptr(GBytes) nothing = g_bytes_new (NULL, 0);

    g_subprocess_communicate_async (proc, nothing, NULL, communicated_cb, &run);
  }
  while (!run.done && !run.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (run.timed_out)
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
      g_error ("corewave-cli did not finish within %d s", RUN_CLI_TIMEOUT_S);
    }
  g_source_remove (timeout);
  g_assert_no_error (run.error);

  if (out != NULL)
    *out = bytes_to_string (run.out);
  if (err != NULL)
    *err = bytes_to_string (run.err);
  g_clear_pointer (&run.out, g_bytes_unref);
  g_clear_pointer (&run.err, g_bytes_unref);

  if (g_subprocess_get_if_signaled (proc))
    g_error ("corewave-cli was killed by signal %d", g_subprocess_get_term_sig (proc));
  g_assert_true (g_subprocess_get_if_exited (proc));
  return g_subprocess_get_exit_status (proc);
}

/* ---------------------------------------------------------------------- */
/* lab reports */

int
cw_test_column (const CwLabReport *report,
                const char        *name)
{
  for (int c = 0; report->columns[c] != NULL; c++)
    if (g_strcmp0 (report->columns[c], name) == 0)
      return c;
  g_error ("no column %s", name);
}

const char *
cw_test_cell (const CwLabReport *report,
              guint              row,
              const char        *name)
{
  return ((char **) g_ptr_array_index (report->rows, row))[cw_test_column (report, name)];
}

double
cw_test_cell_double (const CwLabReport *report,
                     guint              row,
                     const char        *name)
{
  return g_ascii_strtod (cw_test_cell (report, row, name), NULL);
}

/* The row whose first column is @key (and, when not NULL, @name is @value). */
guint
cw_test_row (const CwLabReport *report,
             const char        *key,
             const char        *name,
             const char        *value)
{
  for (guint r = 0; r < report->rows->len; r++)
    {
      char **row = g_ptr_array_index (report->rows, r);

      if (g_strcmp0 (row[0], key) == 0 && (name == NULL || g_strcmp0 (cw_test_cell (report, r, name), value) == 0))
        return r;
    }
  g_error ("no row %s %s", key, value ? value : "");
}

const CwLabSeries *
cw_test_series (const CwLabReport *report,
                const char        *name)
{
  for (guint i = 0; i < report->series->len; i++)
    {
      const CwLabSeries *series = g_ptr_array_index (report->series, i);

      if (g_strcmp0 (series->name, name) == 0)
        return series;
    }
  return NULL;
}
