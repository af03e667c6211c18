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

#include <glib-unix.h>

#include "cw-batch.h"
#include "cw-demo.h"
#include "cw-error.h"
#include "cw-joblog.h"
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
  g_free (cli->mode_name);
  g_free (cli->seed_text);
  g_free (cli->output_dir);
  g_free (cli->synthetic);
  g_free (cli->demo_dir);
  g_free (cli->shard_text);
  g_free (cli->joblog_path);
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
/* JSON, by hand: a handful of flat objects does not need a library */

static void
json_string (GString    *out,
             const char *s)
{
  g_autofree char *valid = NULL;

  if (s == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  /* JSON is UTF-8: a file name in another encoding shows with U+FFFD. */
  if (!g_utf8_validate (s, -1, NULL))
    {
      valid = g_utf8_make_valid (s, -1);
      s = valid;
    }

  g_string_append_c (out, '"');
  for (const char *p = s; *p; p++)
    {
      guchar c = (guchar) *p;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x20)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
json_double (GString *out,
             double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6f", v));
}

/* ---------------------------------------------------------------------- */
/* progress on a terminal */

static void
progress_clear (Cli *cli)
{
  if (cli->show_progress)
    fputs ("\r\033[K", stderr);
}

static void
progress_draw (Cli      *cli,
               gboolean  force)
{
  gint64 now;
  double elapsed, rate, fraction;
  char bar[31];
  guint filled;
  g_autofree char *eta = NULL;

  if (!cli->show_progress)
    return;
  now = g_get_monotonic_time ();
  if (!force && now - cli->last_draw_us < 100000)
    return;
  elapsed = (now - cli->start_us) / 1e6;
  rate = elapsed > 0 ? cli->done / elapsed : 0;
  fraction = cli->total > 0 ? (double) cli->done / cli->total : 0;
  filled = (guint) (fraction * 30);
  cli->last_draw_us = now;

  for (guint i = 0; i < 30; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[30] = '\0';
  if (rate > 0 && cli->total > cli->done)
    {
      gint64 left = (gint64) ((cli->total - cli->done) / rate + 0.5);

      eta = g_strdup_printf ("ETA %" G_GINT64_FORMAT ":%02d", left / 60, (int) (left % 60));
    }
  else
    eta = g_strdup (cli->done >= cli->total ? "done" : "ETA --:--");

  fprintf (stderr, "\r\033[K[%s] %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " %3.0f%%  %.1f/s  %s%s",
           bar, cli->done, cli->total, fraction * 100, rate, eta,
           cli->failed > 0 ? "  (some failed)" : "");
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

      g_string_append_printf (line, "{\"type\":\"result\",\"index\":%" G_GUINT64_FORMAT ",\"status\":\"%s\",",
                              r->index, cw_status_to_string (r->status));
      g_string_append (line, "\"input\":");
      json_string (line, r->input_path);
      g_string_append (line, ",\"output\":");
      json_string (line, r->output_path);
      g_string_append (line, ",\"error\":");
      json_string (line, r->error);
      g_string_append_printf (line, ",\"frames\":%" G_GINT64_FORMAT ",\"value\":%" G_GINT64_FORMAT
                              ",\"worker\":%u,\"pid\":%d,\"attempts\":%u,\"start_s\":",
                              r->frames, r->value, r->worker, r->pid, r->attempts);
      json_double (line, (r->start_us - cli->start_us) / 1e6);
      g_string_append (line, ",\"end_s\":");
      json_double (line, (r->end_us - cli->start_us) / 1e6);
      g_string_append (line, ",\"cpu_s\":");
      json_double (line, r->cpu_us / 1e6);
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
  o->format = CW_FORMAT_SAME;
  if (cli->format_name != NULL && !cw_options_parse_format (cli->format_name, &o->format, error))
    return FALSE;
  if (cli->seed_text != NULL && !cw_options_parse_seed (cli->seed_text, &o->seed, error))
    return FALSE;
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
  o->overwrite = cli->overwrite;
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
      g_autoptr(GString) line = g_string_new ("{\"type\":\"summary\",\"wall_s\":");

      json_double (line, wall);
      g_string_append (line, ",\"cpu_s\":");
      json_double (line, cpu);
      g_string_append_printf (line, ",\"ok\":%" G_GUINT64_FORMAT ",\"failed\":%" G_GUINT64_FORMAT
                              ",\"cancelled\":%" G_GUINT64_FORMAT ",\"total\":%" G_GUINT64_FORMAT
                              ",\"workers\":%u,\"chunk_size\":",
                              stats->n_ok, stats->n_failed, stats->n_cancelled,
                              cli->total, stats->n_workers);
      if (o->chunk_size > 0)
        g_string_append_printf (line, "%u", o->chunk_size);
      else
        g_string_append (line, "\"auto\"");
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
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            g_string_append (line, g_ascii_formatd (buf, sizeof buf, "%.1f", ru.ru_maxrss / 1024.0));
          }
        }
      g_string_append_printf (line, ",\"seed\":%" G_GUINT64_FORMAT ",\"transform\":", o->seed);
      json_string (line, synthetic ? NULL : cli->transform != NULL ? cli->transform : CW_DEFAULT_SPEC);
      g_string_append (line, ",\"output_dir\":");
      json_string (line, cli->output_dir);
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
  printf (".\nCPU %.2f s, speed-up %.2f× on %u %s (%s), chunk size %s, order %s",
          cpu, wall > 0 ? cpu / wall : 0.0, stats->n_workers,
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
    { "mode", 0, 0, G_OPTION_ARG_STRING, &cli.mode_name, "processes (default), threads or sequential", "MODE" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &cli.seed_text, "Batch seed for the noise (default 0)", "N" },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &cli.overwrite, "Replace existing outputs (never an input)", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli.json, "One JSON object per result on stdout, then a summary object", NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &cli.progress, "Show the progress bar even when stderr is not a terminal", NULL },
    { "task-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &cli.task_timeout_s, "Fail a task still running after SECONDS, ending its worker (default: off)", "SECONDS" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli.quiet, "Print only errors (with --json: only the summary object, failures on stderr)", NULL },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &cli.shard_text, "Run only shard I of N (from 0) of the sorted input list; N runs together give one run's outputs", "I/N" },
    { "joblog", 0, 0, G_OPTION_ARG_FILENAME, &cli.joblog_path, "Append one line per finished file to FILE (safe for concurrent runs)", "FILE" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &cli.resume, "Skip inputs the job log says are done with these settings", NULL },
    { "synthetic", 0, 0, G_OPTION_ARG_STRING, &cli.synthetic, "Run synthetic tasks: mul10:count=N, spin:count=N,ms=M or fib:count=N,n=M", "KIND:count=N[,…]" },
    { "demo", 0, 0, G_OPTION_ARG_FILENAME, &cli.demo_dir, "Write the lesson's demo set to DIR and exit", "DIR" },
    { "demo-count", 0, 0, G_OPTION_ARG_INT, &cli.demo_count, "Files in the demo set (default 24)", "N" },
    { "demo-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &cli.demo_seconds, "Length of each demo file (default 240)", "S" },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cli.inputs, NULL, "INPUT…" },
    { NULL }
  };

  context = g_option_context_new ("INPUT… -o OUTDIR");
  g_option_context_set_summary (context,
    "Transform audio files on every CPU core. INPUT is a file or a folder (walked\n"
    "recursively). Outputs are written beside each other in OUTDIR; inputs are\n"
    "never modified.\n\n"
    "Transform chains: noise:sigma=0.1  gain:db=-3  normalize:peak=-1\n"
    "  fade:in=500:out=2000  mono  copy, joined with commas.");
  g_option_context_set_description (context,
    "Exit status: 0 when every file succeeded, 1 when some failed, 2 for usage errors,\n"
    "128 + N after signal N (130 SIGINT, 143 SIGTERM, 129 SIGHUP).");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = usage_error ("%s", error->message);
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

  cli.total = cw_batch_get_n_tasks (cli.batch);
  if (cli.total == 0)
    {
      /* a shard with nothing in it, or a batch already complete */
      cli.start_us = cli.end_us = g_get_monotonic_time ();
      print_summary (&cli);
      status = 0;
      goto out;
    }

  cli.show_progress = !cli.json && !cli.quiet && (cli.progress || isatty (STDERR_FILENO));
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
  if (cli.show_progress)
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
