/* cw-cli.c: corewave-cli, the batch job without a window
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The option names and the --json fields are a contract scripts rely on.
 * Exit status: 0 all succeeded, 1 some failed (or were cancelled), 2 usage,
 * 128 + N after signal N (SIGINT, SIGTERM, SIGHUP).
 *
 * The batch itself (planning, the job log, resuming, the pool) is
 * CwBatch's, as in the window: this file reads options and prints.
 */

#define G_LOG_DOMAIN "corewave-cli"

#include "config.h"

#include "cw-cli.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <glib-unix.h>

#include "cw-batch.h"
#include "cw-cpus.h"
#include "cw-demo.h"
#include "cw-error.h"
#include "cw-joblog.h"
#include "cw-json.h"
#include "cw-options.h"
#include "cw-spec.h"
#include "cw-text.h"

#define EXIT_SOME_FAILED 1
#define EXIT_USAGE       2

/* --workers not given: the pool's default, one per online CPU */
#define WORKERS_UNSET    G_MININT

typedef struct
{
  /* options as given */
  int          workers;
  char        *chunk_size;
  char        *order_name;
  char        *transform;
  char        *format_name;
  char        *bits_name;
  char        *quality_text;
  gboolean     no_metadata;
  char        *mode_name;
  char        *seed_text;
  char        *output_dir;
  char        *synthetic;
  char        *demo_dir;
  int          demo_count;
  double       demo_seconds;
  gboolean     overwrite;
  gboolean     json;
  gboolean     progress;
  gboolean     quiet;
  char        *shard_text;
  char        *joblog_path;
  gboolean     resume;
  double       task_timeout_s;
  gboolean     version;
  char        *files_from;
  char        *layout_name;
  char        *existing_name;
  gboolean     null_separated;
  gboolean     check;
  char       **worker_commands;
  char        *sshloginfile;
  char       **inputs;

  /* the batch */
  CwBatchOptions options;
  CwBatch     *batch;
  GMainLoop   *loop;
  GCancellable *cancellable;
  GError      *error;           /* what stopped the batch */
  gboolean    run_done;
  gint64       start_us;
  gint64       end_us;
  guint64      total;
  guint64      done;
  guint64      failed;
  gboolean     show_progress;
  gboolean     progress_is_tty;  /* redraw one line; else plain lines */
  gint64       last_draw_us;
  guint        n_interrupts;
  int          signal;          /* the first SIGINT, SIGTERM or SIGHUP: exit 128 + it */
} Cli;

static void
cli_clear (Cli *cli)
{
  g_free (cli->chunk_size);
  g_free (cli->order_name);
  g_free (cli->transform);
  g_free (cli->format_name);
  g_free (cli->bits_name);
  g_free (cli->quality_text);
  g_free (cli->mode_name);
  g_free (cli->seed_text);
  g_free (cli->output_dir);
  g_free (cli->synthetic);
  g_free (cli->demo_dir);
  g_free (cli->shard_text);
  g_free (cli->joblog_path);
  g_free (cli->files_from);
  g_free (cli->layout_name);
  g_free (cli->existing_name);
  g_strfreev (cli->worker_commands);
  g_free (cli->sshloginfile);
  g_strfreev (cli->inputs);
  cw_batch_options_clear (&cli->options);
  g_clear_object (&cli->batch);
  g_clear_pointer (&cli->loop, g_main_loop_unref);
  g_clear_object (&cli->cancellable);
  g_clear_error (&cli->error);
}

static int
usage_error (const char *format,
             ...) G_GNUC_PRINTF (1, 2);

static int
usage_error (const char *format,
             ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("corewave-cli: %s\nTry “corewave-cli --help” for more information.\n", message);
  return EXIT_USAGE;
}

/* ---------------------------------------------------------------------- */
/* progress on a terminal */

static void
progress_clear (Cli *cli)
{
  if (cli->show_progress && cli->progress_is_tty)
    fputs ("\r\033[K", stderr);
}

/* On a terminal, one line redrawn at most ten times a second; into a file
 * or a pipe (--progress), a plain line a second, without escapes. */
static void
progress_draw (Cli      *cli,
               gboolean  force)
{
  gint64 now;
  double elapsed, rate, fraction;
  g_autofree char *eta = NULL;

  if (!cli->show_progress)
    return;
  now = g_get_monotonic_time ();
  if (!force && now - cli->last_draw_us < (cli->progress_is_tty ? 100000 : 1000000))
    return;
  elapsed = (now - cli->start_us) / 1e6;
  rate = elapsed > 0 ? cli->done / elapsed : 0;
  fraction = cli->total > 0 ? (double) cli->done / cli->total : 0;
  cli->last_draw_us = now;

  if (rate > 0 && cli->total > cli->done)
    {
      g_autofree char *left = cw_text_duration ((cli->total - cli->done) / rate);

      eta = g_strconcat ("ETA ", left, NULL);
    }
  else
    eta = g_strdup (cli->done >= cli->total ? "done" : "ETA --:--");

  if (cli->progress_is_tty)
    {
      char bar[31];
      guint filled = (guint) (fraction * 30);

      for (guint i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '.';
      bar[30] = '\0';
      fprintf (stderr, "\r\033[K[%s] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " %3.0f%%  %.1f/s  %s%s",
               bar, cli->done, cli->total, fraction * 100, rate, eta,
               cli->failed > 0 ? "  (some failed)" : "");
    }
  else
    fprintf (stderr, "progress: %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " %.0f%% %.1f/s %s%s\n",
             cli->done, cli->total, fraction * 100, rate, eta,
             cli->failed > 0 ? " (some failed)" : "");
  fflush (stderr);
}

/* --json lines reach a reader as they come (a pipe is block-buffered),
 * without a write per line for a million tiny results. */
static gboolean
flush_cb (gpointer user_data)
{
  fflush (stdout);
  return G_SOURCE_CONTINUE;
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  progress_draw (user_data, TRUE);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* the batch */

static void
on_result (const CwResult *r,
           gpointer        user_data)
{
  Cli *cli = user_data;

  cli->done++;
  if (r->status == CW_STATUS_FAILED)
    cli->failed++;

  if (cli->json && !cli->quiet)
    {
      g_autoptr(GString) line = g_string_sized_new (256);

      g_string_append_printf (line, "{\"type\":\"result\",\"schema\":1,\"index\":%" G_GUINT64_FORMAT ",\"status\":\"%s\",",
                              r->index, cw_status_to_string (r->status));
      g_string_append (line, "\"input\":");
      cw_json_append_string (line, r->input_path);
      g_string_append (line, ",\"output\":");
      cw_json_append_string (line, r->output_path);
      g_string_append (line, ",\"error\":");
      cw_json_append_string (line, r->error);
      g_string_append_printf (line, ",\"frames\":%" G_GINT64_FORMAT ",\"value\":%" G_GINT64_FORMAT
                              ",\"worker\":%u,\"pid\":%d,\"attempts\":%u,\"start_s\":",
                              r->frames, r->value, r->worker, r->pid, r->attempts);
      cw_json_append_double (line, (r->start_us - cli->start_us) / 1e6, 6);
      g_string_append (line, ",\"end_s\":");
      cw_json_append_double (line, (r->end_us - cli->start_us) / 1e6, 6);
      g_string_append (line, ",\"cpu_s\":");
      cw_json_append_double (line, r->cpu_us / 1e6, 6);
      g_string_append (line, "}\n");
      fputs (line->str, stdout);
    }
  /* -q means "only errors": a failure is never silent (with --json it is
   * in the result object, unless -q leaves those out) */
  else if (r->status == CW_STATUS_FAILED)
    {
      g_autofree char *name = cw_text_for_terminal (r->input_path ? r->input_path : "?");
      g_autofree char *reason = cw_text_for_terminal (r->error ? r->error : "unknown error");

      progress_clear (cli);
      fprintf (stderr, "failed: %s: %s\n", name, reason);
    }

  if (cli->show_progress)
    progress_draw (cli, FALSE);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Cli *cli = user_data;

  cw_batch_run_finish (CW_BATCH (object), result, &cli->error);
  cli->end_us = g_get_monotonic_time ();
  cli->run_done = TRUE;
  g_main_loop_quit (cli->loop);
}

/* SIGINT, SIGTERM or SIGHUP: cancel (the workers answer for what they
 * finished and remove what they had not), then exit 128 + the signal, as
 * shells and GNU parallel expect. A second one leaves at once. */
static gboolean
interrupted (Cli *cli,
             int  signal_number)
{
  if (cli->n_interrupts++ == 0)
    {
      cli->signal = signal_number;
      progress_clear (cli);
      g_printerr ("corewave-cli: cancelling (press Ctrl+C again to stop at once)\n");
      g_cancellable_cancel (cli->cancellable);
      return G_SOURCE_CONTINUE;
    }
  /* The workers die with us (PR_SET_PDEATHSIG); an unnamed temporary goes
   * with them. */
  _exit (128 + signal_number);
}

static gboolean
sigint_cb (gpointer user_data)
{
  return interrupted (user_data, SIGINT);
}

static gboolean
sigterm_cb (gpointer user_data)
{
  return interrupted (user_data, SIGTERM);
}

static gboolean
sighup_cb (gpointer user_data)
{
  return interrupted (user_data, SIGHUP);
}

/* ---------------------------------------------------------------------- */
/* options */

static gboolean
parse_synthetic (Cli     *cli,
                 GError **error)
{
  g_auto(GStrv) parts = NULL;
  const char *colon = strchr (cli->synthetic, ':');
  g_autofree char *kind = g_strndup (cli->synthetic, colon ? (gsize) (colon - cli->synthetic) : strlen (cli->synthetic));
  gboolean have_count = FALSE;

  if (!cw_task_kind_from_string (kind, &cli->options.synthetic_kind) || cli->options.synthetic_kind == CW_TASK_AUDIO)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   "--synthetic: unknown kind “%s” (mul10, spin or fib)", kind);
      return FALSE;
    }
  cli->options.synthetic_arg = cli->options.synthetic_kind == CW_TASK_SPIN ? 10 : cli->options.synthetic_kind == CW_TASK_FIB ? 25 : 0;

  parts = g_strsplit_set (colon ? colon + 1 : "", ":,", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *eq = strchr (parts[i], '=');
      g_autofree char *key = NULL;
      guint64 v;

      if (parts[i][0] == '\0')
        continue;
      if (eq == NULL)
        {
          g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "--synthetic: “%s” is not KEY=VALUE", parts[i]);
          return FALSE;
        }
      key = g_strndup (parts[i], eq - parts[i]);
      if (!g_ascii_string_to_unsigned (eq + 1, 10, 0, G_MAXINT64, &v, NULL))
        {
          g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "--synthetic: “%s” needs a whole number", parts[i]);
          return FALSE;
        }
      if (g_str_equal (key, "count"))
        {
          cli->options.synthetic_count = v;
          have_count = TRUE;
        }
      else if (g_str_equal (key, "ms") && cli->options.synthetic_kind == CW_TASK_SPIN)
        cli->options.synthetic_arg = (gint64) MIN (v, 3600 * 1000);
      else if (g_str_equal (key, "n") && cli->options.synthetic_kind == CW_TASK_FIB)
        {
          if (v > 92)
            {
              g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "--synthetic: fib n must be at most 92");
              return FALSE;
            }
          cli->options.synthetic_arg = (gint64) v;
        }
      else
        {
          g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "--synthetic: unknown key “%s” for %s", key, kind);
          return FALSE;
        }
    }
  if (!have_count)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "--synthetic: give a count, e.g. %s:count=1000", kind);
      return FALSE;
    }
  return TRUE;
}

static int
run_demo (Cli *cli)
{
  g_autoptr(GError) error = NULL;

  if (cli->demo_count < 1 || cli->demo_count > 10000)
    return usage_error ("--demo-count must be between 1 and 10000");
  if (!(cli->demo_seconds > 0 && cli->demo_seconds <= 24 * 3600))
    return usage_error ("--demo-seconds must be more than 0 and at most a day");
  if (!cw_demo_write (cli->demo_dir, cli->demo_count, cli->demo_seconds, &error))
    {
      g_printerr ("corewave-cli: could not write the demo set: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }
  if (!cli->json)
    printf ("Wrote %d demo files of %g s to %s\n", cli->demo_count, cli->demo_seconds, cli->demo_dir);
  return 0;
}

/* Appends the names --files-from lists to the inputs, in order, so a list
 * too long for one command line is still one batch (one naming plan, one
 * shard mapping). A file name may hold any byte but NUL; with newlines as
 * separators it cannot hold a newline (use -0). */
static gboolean
read_file_list (Cli     *cli,
                GError **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *contents = NULL;
  char separator = cli->null_separated ? '\0' : '\n';
  gsize len = 0;

  if (g_str_equal (cli->files_from, "-"))
    {
      g_autoptr(GInputStream) in = g_unix_input_stream_new (STDIN_FILENO, FALSE);
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();

      if (g_output_stream_splice (out, in, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, error) < 0)
        {
          g_prefix_error (error, "--files-from -: ");
          return FALSE;
        }
      len = g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out));
      contents = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
    }
  else if (!g_file_get_contents (cli->files_from, &contents, &len, error))
    {
      g_prefix_error (error, "--files-from: ");
      return FALSE;
    }

  g_strv_builder_addv (builder, (const char **) (cli->inputs != NULL ? cli->inputs : (char *[]) { NULL }));
  for (gsize start = 0; start < len;)
    {
      const char *end = memchr (contents + start, separator, len - start);
      gsize n = end != NULL ? (gsize) (end - (contents + start)) : len - start;

      if (n > 0)
        {
          g_autofree char *name = g_strndup (contents + start, n);

          /* a NUL inside a newline-separated list cannot be a name */
          if (!cli->null_separated && memchr (contents + start, '\0', n) != NULL)
            {
              g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                                   "--files-from: the list holds NUL bytes: add -0");
              return FALSE;
            }
          g_strv_builder_add (builder, name);
        }
      start += n + 1;
    }
  g_strfreev (cli->inputs);
  cli->inputs = g_strv_builder_end (builder);
  if (cli->inputs[0] == NULL)
    g_clear_pointer (&cli->inputs, g_strfreev);
  return TRUE;
}

/* Every option checked and turned into the batch's, before a file is
 * touched; one set of messages with the window (cw-options.h). */
static gboolean
build_options (Cli     *cli,
               GError **error)
{
  CwBatchOptions *o = &cli->options;

  /* --workers not given: the pool's default (0), the usable CPUs */
  if (cli->workers != WORKERS_UNSET && !cw_options_parse_workers (cli->workers, &o->n_workers, error))
    return FALSE;
  if (!cw_options_parse_chunk_size (cli->chunk_size != NULL ? cli->chunk_size : "auto", &o->chunk_size, error))
    return FALSE;
  o->order = CW_ORDER_UNORDERED;
  if (cli->order_name != NULL && !cw_options_parse_order (cli->order_name, &o->order, error))
    return FALSE;
  o->mode = CW_MODE_PROCESSES;
  if (cli->mode_name != NULL && !cw_options_parse_mode (cli->mode_name, &o->mode, error))
    return FALSE;
  if (cli->worker_commands != NULL || cli->sshloginfile != NULL)
    {
      g_autofree char *worker = cw_pool_find_worker ();

      if (o->mode != CW_MODE_PROCESSES)
        {
          g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                               "--worker-command and --sshloginfile start worker processes: "
                               "they need --mode processes");
          return FALSE;
        }
      o->worker_commands = cw_options_worker_commands ((const char * const *) cli->worker_commands,
                                                       cli->sshloginfile, worker, error);
      if (o->worker_commands == NULL)
        return FALSE;
      /* as many workers as the commands, unless told otherwise */
      if (cli->workers == WORKERS_UNSET)
        o->n_workers = g_strv_length (o->worker_commands);
    }
  o->format = CW_FORMAT_SAME;
  if (cli->format_name != NULL && !cw_options_parse_format (cli->format_name, &o->format, error))
    return FALSE;
  if (cli->bits_name != NULL && !cw_options_parse_bits (cli->bits_name, &o->bits, error))
    return FALSE;
  o->has_quality = cli->quality_text != NULL;
  if (o->has_quality && !cw_options_parse_quality (cli->quality_text, &o->quality, error))
    return FALSE;
  o->no_metadata = cli->no_metadata;
  if (!cw_options_check_encoding (o->format, o->bits, o->has_quality, error))
    return FALSE;
  if (cli->seed_text != NULL && !cw_options_parse_seed (cli->seed_text, &o->seed, error))
    return FALSE;
  if (cli->layout_name != NULL && !cw_layout_from_string (cli->layout_name, &o->layout))
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "--layout must be tree or flat, not “%s”",
                   cli->layout_name);
      return FALSE;
    }
  if (!cw_options_parse_task_timeout (cli->task_timeout_s, &o->task_timeout_ms, error))
    return FALSE;
  o->spec = cw_options_parse_transform (cli->transform != NULL ? cli->transform : CW_DEFAULT_SPEC, error);
  if (o->spec == NULL)
    return FALSE;
  if (cli->shard_text != NULL && !cw_shard_parse (cli->shard_text, &o->shard_index, &o->shard_count, error))
    return FALSE;
  if (cli->resume && cli->joblog_path == NULL)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                           "--resume needs the job log of the earlier run: add --joblog FILE");
      return FALSE;
    }

  if (cli->synthetic != NULL)
    {
      if (cli->shard_text != NULL || cli->joblog_path != NULL || cli->resume)
        {
          g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                               "--shard, --joblog and --resume are for files, not --synthetic");
          return FALSE;
        }
      if (!parse_synthetic (cli, error))
        return FALSE;
      if (cli->inputs != NULL)
        {
          g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE, "--synthetic takes no INPUT");
          return FALSE;
        }
      return TRUE;
    }

  if (cli->null_separated && cli->files_from == NULL)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE, "-0 goes with --files-from");
      return FALSE;
    }
  if (cli->check && cli->joblog_path == NULL)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                           "--check reads the job log of the batch: add --joblog FILE");
      return FALSE;
    }
  if (cli->files_from != NULL && !read_file_list (cli, error))
    return FALSE;
  if (cli->inputs == NULL)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE, "no INPUT given");
      return FALSE;
    }
  if (cli->output_dir == NULL)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE, "no output folder given: add -o OUTDIR");
      return FALSE;
    }
  o->inputs = g_strdupv (cli->inputs);
  o->output_dir = g_strdup (cli->output_dir);
  if (cli->existing_name != NULL && !cw_existing_from_string (cli->existing_name, &o->existing))
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   "--existing must be rename, replace, skip or fail, not “%s”", cli->existing_name);
      return FALSE;
    }
  if (cli->overwrite)
    {
      if (o->existing != CW_EXISTING_DEFAULT && o->existing != CW_EXISTING_REPLACE)
        {
          g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                               "--overwrite is --existing replace: give one of them");
          return FALSE;
        }
      o->existing = CW_EXISTING_REPLACE;
    }
  o->joblog_path = g_strdup (cli->joblog_path);
  o->resume = cli->resume;
  return TRUE;
}

static void
print_summary (Cli *cli)
{
  const CwBatchOptions *o = &cli->options;
  const CwBatchStats *stats = cw_batch_get_stats (cli->batch);
  double wall = (cli->end_us - cli->start_us) / 1e6;
  double cpu = stats->cpu_us / 1e6;
  gboolean synthetic = o->synthetic_kind != 0;
  guint n_resumed = cw_batch_get_n_resumed (cli->batch);
  guint n_redone = cw_batch_get_n_redone (cli->batch);
  guint64 n_run = stats->n_ok + stats->n_failed + stats->n_cancelled;
  g_autofree char *chunk = o->chunk_size > 0 ? g_strdup_printf ("%u", o->chunk_size)
                                             : g_strdup_printf ("auto (up to %u)", stats->max_chunk_size);

  if (cli->json)
    {
      g_autoptr(GString) line = g_string_new ("{\"type\":\"summary\",\"schema\":1,\"version\":\"" PACKAGE_VERSION "\",\"wall_s\":");

      cw_json_append_double (line, wall, 6);
      g_string_append (line, ",\"cpu_s\":");
      cw_json_append_double (line, cpu, 6);
      g_string_append (line, ",\"workers_cpu_s\":");
      cw_json_append_double (line, stats->workers_cpu_us / 1e6, 6);
      g_string_append_printf (line, ",\"ok\":%" G_GUINT64_FORMAT ",\"failed\":%" G_GUINT64_FORMAT
                              ",\"cancelled\":%" G_GUINT64_FORMAT ",\"total\":%" G_GUINT64_FORMAT
                              ",\"workers\":%u,\"chunk_auto\":%s,\"chunk_size\":%u",
                              stats->n_ok, stats->n_failed, stats->n_cancelled,
                              cli->total, stats->n_workers, o->chunk_size > 0 ? "false" : "true",
                              o->chunk_size > 0 ? o->chunk_size : stats->max_chunk_size);
      g_string_append_printf (line, ",\"max_chunk_size\":%u,\"trips\":%" G_GUINT64_FORMAT
                              ",\"retried\":%u,\"worker_deaths\":%u,\"order\":\"%s\",\"mode\":\"%s\"",
                              stats->max_chunk_size, stats->n_trips, stats->n_retried,
                              stats->n_worker_deaths, cw_order_to_string (o->order),
                              cw_mode_to_string (o->mode));
      if (o->mode == CW_MODE_PROCESSES)
        {
          struct rusage ru;

          /* every worker has been reaped by now: the largest one's peak */
          getrusage (RUSAGE_CHILDREN, &ru);
          g_string_append (line, ",\"worker_peak_rss_mb\":");
          cw_json_append_double (line, ru.ru_maxrss / 1024.0, 1);
        }
      /* as a string: above 2^53 a JSON number loses digits in most readers */
      g_string_append_printf (line, ",\"seed\":\"%" G_GUINT64_FORMAT "\",\"transform\":", o->seed);
      cw_json_append_string (line, synthetic ? NULL : cli->transform != NULL ? cli->transform : CW_DEFAULT_SPEC);
      g_string_append (line, ",\"encoding\":");
      {
        g_autofree char *encoding = synthetic ? NULL
                                    : cw_job_settings_describe_output (cw_batch_get_settings (cli->batch));

        cw_json_append_string (line, encoding);
      }
      g_string_append (line, ",\"output_dir\":");
      cw_json_append_string (line, cli->output_dir);
      if (o->shard_count > 0)
        g_string_append_printf (line, ",\"shard\":\"%u/%u\"", o->shard_index, o->shard_count);
      if (o->resume)
        g_string_append_printf (line, ",\"resumed\":%u,\"redone\":%u", n_resumed, n_redone);
      if (stats->n_workers_unstarted > 0)
        g_string_append_printf (line, ",\"workers_unstarted\":%u", stats->n_workers_unstarted);
      g_string_append (line, "}\n");
      fputs (line->str, stdout);
      return;
    }

  if (cli->quiet)
    return;
  if (o->shard_count > 0)
    printf ("Shard %u/%u: ", o->shard_index, o->shard_count);
  if (o->resume)
    printf ("%u already done (skipped), ", n_resumed);
  if (n_redone > 0)
    printf ("%u redone (made with other settings), ", n_redone);
  if (cli->total == 0)
    {
      printf ("nothing to do.\n");
      return;
    }
  printf ("%" G_GUINT64_FORMAT " %s in %.2f s: %" G_GUINT64_FORMAT " ok, %" G_GUINT64_FORMAT " failed",
          cli->total, synthetic ? "tasks" : "files", wall, stats->n_ok, stats->n_failed);
  if (stats->n_cancelled > 0)
    printf (", %" G_GUINT64_FORMAT " cancelled", stats->n_cancelled);
  /* a batch stopped by an error (no worker could start, say) never sent
   * some files: count them, so every file is accounted for */
  if (n_run < cli->total)
    printf (", %" G_GUINT64_FORMAT " not run", cli->total - n_run);
  if (n_run == 0)
    {
      printf (".\n");
      return;
    }
  /* What the workers' CPU was of this machine's cores: not a speed-up,
   * which needs a one-after-another run to compare with (corewave-cli lab
   * modes has one). Workers on other hosts are not this machine's. */
  printf (".\nWorkers' CPU %.2f s", stats->workers_cpu_us / 1e6);
  if (wall > 0 && o->worker_commands == NULL)
    {
      guint cores = MAX (cw_cpus_usable (), 1);
      double used = MIN (stats->workers_cpu_us / 1e6 / wall, (double) cores);

      printf (", %.1f of %u %s used on average (%.0f %%)", used, cores, cores == 1 ? "core" : "cores",
              used / cores * 100);
    }
  printf ("; %u %s (%s), chunk size %s, order %s",
          stats->n_workers,
          o->mode == CW_MODE_PROCESSES ? "worker processes" : o->mode == CW_MODE_THREADS ? "threads" : "thread",
          cw_mode_to_string (o->mode), chunk, cw_order_to_string (o->order));
  if (stats->n_worker_deaths > 0)
    printf (", %u worker deaths survived", stats->n_worker_deaths);
  if (stats->n_workers_unstarted > 0)
    printf (", %u of the workers could not start (process or file limits)",
            stats->n_workers_unstarted);
  printf (".\n");
  if (cli->output_dir != NULL && stats->n_ok > 0)
    {
      g_autofree char *dir = g_filename_display_name (cli->output_dir);

      printf ("Output: %s\n", dir);
    }
}

/* --check: is every planned file done, by the job log (or a folder of
 * them), with these settings? Nothing runs and nothing is touched. */
static int
run_check (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) done = cw_joblog_load_done (cli->options.joblog_path, &error);
  GPtrArray *plan = cw_batch_get_plan (cli->batch);
  const CwJobSettings *settings = cw_batch_get_settings (cli->batch);
  guint missing = 0;

  if (done == NULL)
    {
      g_printerr ("corewave-cli: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }
  for (guint i = 0; i < plan->len; i++)
    {
      const CwPlannedFile *file = g_ptr_array_index (plan, i);
      const char *why = cw_joblog_why_not_done (done, file, settings);

      if (why == NULL)
        continue;
      missing++;
      if (cli->json)
        {
          g_autoptr(GString) line = g_string_new ("{\"type\":\"missing\",\"schema\":1,\"input\":");

          cw_json_append_string (line, file->input_path);
          g_string_append (line, ",\"output\":");
          cw_json_append_string (line, file->output_path);
          g_string_append (line, ",\"reason\":");
          cw_json_append_string (line, why);
          g_string_append (line, "}\n");
          fputs (line->str, stdout);
        }
      else
        {
          g_autofree char *name = cw_text_for_terminal (file->input_path);

          printf ("not done: %s: %s\n", name, why);
        }
    }
  if (cli->json)
    printf ("{\"type\":\"check\",\"schema\":1,\"version\":\"" PACKAGE_VERSION "\",\"complete\":%s,"
            "\"files\":%u,\"done\":%u,\"missing\":%u}\n",
            missing == 0 ? "true" : "false", plan->len, plan->len - missing, missing);
  else if (missing == 0)
    printf ("Complete: the job log shows all %u files done.\n", plan->len);
  else
    printf ("Incomplete: %u of %u files are not done.\n", missing, plan->len);
  return missing == 0 ? 0 : EXIT_SOME_FAILED;
}

int
cw_cli_run (int    argc,
            char **argv)
{
  Cli cli = {
    .workers = WORKERS_UNSET,
    .demo_count = 24,
    .demo_seconds = 240.0,
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  guint tick = 0, flush = 0, sigint = 0, sigterm = 0, sighup = 0;
  gboolean ok;
  int status;
  GOptionEntry entries[] = {
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &cli.output_dir, "Write the results into DIR (created if missing)", "DIR" },
    { "workers", 'j', 0, G_OPTION_ARG_INT, &cli.workers, "Worker count, 1–256 (default: the CPUs this process may use)", "N" },
    { "chunk-size", 'c', 0, G_OPTION_ARG_STRING, &cli.chunk_size, "Tasks per trip to a worker, or auto (default)", "N|auto" },
    { "order", 0, 0, G_OPTION_ARG_STRING, &cli.order_name, "ordered (imap), unordered (imap_unordered, default) or all (map)", "ORDER" },
    { "transform", 't', 0, G_OPTION_ARG_STRING, &cli.transform, "Transform chain (default: " CW_DEFAULT_SPEC ")", "SPEC" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &cli.format_name, "Output format: wav, flac, ogg, opus or mp3 (default: as the input)", "FORMAT" },
    { "bits", 0, 0, G_OPTION_ARG_STRING, &cli.bits_name, "Sample format of WAV, FLAC and other PCM outputs: 16, 24 or 32f (float); fewer bits than the input's are dithered (default: as the input)", "16|24|32f" },
    { "quality", 0, 0, G_OPTION_ARG_STRING, &cli.quality_text, "Ogg Vorbis, Opus and MP3 quality, 0 (smallest file) to 1 (best sound) (default: the encoder's)", "Q" },
    { "no-metadata", 0, 0, G_OPTION_ARG_NONE, &cli.no_metadata, "Do not copy title, artist, album and other tags to the outputs", NULL },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &cli.mode_name, "processes (default), threads or sequential", "MODE" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &cli.seed_text, "Batch seed for the noise (default 0)", "N" },
    { "existing", 0, 0, G_OPTION_ARG_STRING, &cli.existing_name, "A file already at an output's name: rename (keep both, the default), replace (never an input), skip (keep it, leave the input out) or fail (the default with --shard or --joblog)", "WHAT" },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &cli.overwrite, "The same as --existing replace", NULL },
    { "layout", 0, 0, G_OPTION_ARG_STRING, &cli.layout_name, "tree (default: files from a folder keep their subfolders in OUTDIR) or flat (all in OUTDIR)", "LAYOUT" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli.json, "One JSON object per result on stdout, then a summary object", NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &cli.progress, "Show the progress bar even when stderr is not a terminal", NULL },
    { "task-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &cli.task_timeout_s, "Fail a task still running after SECONDS, ending its worker (default: off)", "SECONDS" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli.quiet, "Print only errors (with --json: only the summary object, failures on stderr)", NULL },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &cli.shard_text, "Run only shard I of N (from 0) of the sorted input list; N runs together give one run's outputs", "I/N" },
    { "joblog", 0, 0, G_OPTION_ARG_FILENAME, &cli.joblog_path, "Append one line per finished file to FILE (safe for concurrent runs)", "FILE" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &cli.resume, "Skip inputs the job log says are done with these settings", NULL },
    { "synthetic", 0, 0, G_OPTION_ARG_STRING, &cli.synthetic, "Run synthetic tasks: mul10:count=N, spin:count=N,ms=M or fib:count=N,n=M", "KIND:count=N[,…]" },
    { "files-from", 0, 0, G_OPTION_ARG_FILENAME, &cli.files_from, "Read the inputs from FILE (- for standard input), one a line", "FILE" },
    { "null", '0', 0, G_OPTION_ARG_NONE, &cli.null_separated, "--files-from names end with a NUL byte, as find -print0 writes them", NULL },
    { "worker-command", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cli.worker_commands, "Start each worker with CMD instead (e.g. 'ssh -T node1 /usr/libexec/corewave-worker'); repeat it for more hosts, the workers take the commands in turn; -j defaults to their count", "CMD" },
    { "sshloginfile", 0, 0, G_OPTION_ARG_FILENAME, &cli.sshloginfile, "Run workers over ssh on the hosts in FILE, GNU parallel's format: [N/]host a line (N workers there), : for this machine", "FILE" },
    { "check", 0, 0, G_OPTION_ARG_NONE, &cli.check, "Run nothing: say whether the job log shows every planned file done, and exit 1 naming what is not", NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &cli.version, "Print the version and exit", NULL },
    { "demo", 0, 0, G_OPTION_ARG_FILENAME, &cli.demo_dir, "Write the lesson's demo set to DIR and exit", "DIR" },
    { "demo-count", 0, 0, G_OPTION_ARG_INT, &cli.demo_count, "Files in the demo set (default 24)", "N" },
    { "demo-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &cli.demo_seconds, "Length of each demo file (default 240)", "S" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli.inputs, NULL, "INPUT…" },
    { NULL }
  };

  /* GOption prints the remaining arguments' name itself */
  context = g_option_context_new ("-o OUTDIR");
  g_option_context_set_summary (context,
    "Transform audio files on every CPU core. INPUT is a file or a folder (walked\n"
    "recursively). Outputs go to OUTDIR, in the subfolders they had below a folder\n"
    "given (--layout tree) or all at its top (--layout flat); inputs are never\n"
    "modified.\n\n"
    "A transform chain joins stages with commas: noise:sigma=0.1, gain:db=-3,\n"
    "normalize:peak=-1, fade:in=500:out=2000, mono, resample:rate=48000,\n"
    "loudness:lufs=-16:tp=-1 (EBU R128), copy.");
  g_option_context_set_description (context,
    "The lesson's experiments, measured on this machine: corewave-cli lab --help\n\n"
    "Exit status: 0 when every file succeeded, 1 when some failed, 2 for usage errors,\n"
    "128 + N after signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = usage_error ("%s", error->message);
      goto out;
    }

  if (cli.version)
    {
      printf ("corewave-cli " PACKAGE_VERSION "\n");
      status = 0;
      goto out;
    }
  if (cli.demo_dir != NULL)
    {
      status = run_demo (&cli);
      goto out;
    }

  if (!build_options (&cli, &error))
    {
      status = usage_error ("%s", error->message);
      goto out;
    }
  cli.batch = cw_batch_new (&cli.options);

  ok = cw_batch_plan (cli.batch, NULL, &error);
  /* a file left out is news even with -q, and even when nothing is left */
  for (guint i = 0; i < cw_batch_get_skipped (cli.batch)->len; i++)
    {
      g_autofree char *note = cw_text_for_terminal (g_ptr_array_index (cw_batch_get_skipped (cli.batch), i));

      g_printerr ("skipped: %s\n", note);
    }
  if (!ok)
    {
      if (g_error_matches (error, CW_ERROR, CW_ERROR_USAGE))
        status = usage_error ("%s", error->message);
      else
        {
          g_autofree char *message = cw_text_for_terminal (error->message);

          g_printerr ("corewave-cli: %s\n", message);
          status = EXIT_SOME_FAILED;
        }
      goto out;
    }

  /* what the output format makes of some files, before any work */
  if (!cli.quiet && !cli.check)
    for (int refused = 0; refused <= 1; refused++)
      {
        g_auto(GStrv) lines = cw_batch_note_lines (cw_batch_get_notes (cli.batch), refused, 3);

        for (guint i = 0; lines[i] != NULL; i++)
          {
            g_autofree char *line = cw_text_for_terminal (lines[i]);

            g_printerr ("%s: %s\n", refused ? "will fail" : "note", line);
          }
      }

  if (cli.check)
    {
      status = run_check (&cli);
      goto out;
    }

  cli.total = cw_batch_get_n_tasks (cli.batch);
  if (cli.total == 0)
    {
      /* a shard with nothing in it, or a batch already complete */
      cli.start_us = cli.end_us = g_get_monotonic_time ();
      print_summary (&cli);
      status = 0;
      goto out;
    }

  cli.progress_is_tty = isatty (STDERR_FILENO);
  cli.show_progress = !cli.json && !cli.quiet && (cli.progress || cli.progress_is_tty);
  cli.loop = g_main_loop_new (NULL, FALSE);
  cli.cancellable = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, sigint_cb, &cli);
  sigterm = g_unix_signal_add (SIGTERM, sigterm_cb, &cli);
  sighup = g_unix_signal_add (SIGHUP, sighup_cb, &cli);
  if (cli.show_progress)
    tick = g_timeout_add (250, progress_tick_cb, &cli);
  if (cli.json && !cli.quiet)
    flush = g_timeout_add (100, flush_cb, NULL);

  cli.start_us = g_get_monotonic_time ();
  cw_batch_run_async (cli.batch, on_result, &cli, cli.cancellable, run_done_cb, &cli);
  if (!cli.run_done)
    g_main_loop_run (cli.loop);

  g_clear_handle_id (&tick, g_source_remove);
  g_clear_handle_id (&flush, g_source_remove);
  g_clear_handle_id (&sigint, g_source_remove);
  g_clear_handle_id (&sigterm, g_source_remove);
  g_clear_handle_id (&sighup, g_source_remove);
  progress_draw (&cli, TRUE);
  if (cli.show_progress && cli.progress_is_tty)
    fputc ('\n', stderr);

  if (cli.error != NULL && !g_error_matches (cli.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_printerr ("corewave-cli: %s\n", cli.error->message);
  if (cw_batch_get_log_error (cli.batch) != NULL)
    g_printerr ("corewave-cli: %s\n", cw_batch_get_log_error (cli.batch));
  print_summary (&cli);
  fflush (stdout);

  status = (cli.error != NULL || cli.failed > 0 || cw_batch_get_stats (cli.batch)->n_cancelled > 0
            || cw_batch_get_log_error (cli.batch) != NULL) ? EXIT_SOME_FAILED : 0;
  if (cli.signal != 0)
    status = 128 + cli.signal;

out:
  cli_clear (&cli);
  return status;
}
