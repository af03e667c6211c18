/* cw-cli.c: corewave-cli, the batch job without a window
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The option names and the --json fields are a contract scripts rely on.
 * Exit status: 0 all succeeded, 1 some failed (or were cancelled), 2 usage.
 */

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

#include "cw-audio.h"
#include "cw-error.h"
#include "cw-inputs.h"
#include "cw-joblog.h"
#include "cw-pool.h"
#include "cw-spec.h"
#include "cw-text.h"

#define EXIT_SOME_FAILED 1
#define EXIT_USAGE       2

/* --workers not given: the pool's default, one per online CPU */
#define WORKERS_UNSET    G_MININT

typedef struct
{
  /* options */
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
  char       **inputs;

  /* the batch */
  CwMode       mode;
  CwOrder      order;
  CwFormat     format;
  guint64      seed;
  guint        chunk;           /* 0 = auto */
  CwTaskKind   synthetic_kind;
  gint64       synthetic_arg;
  guint64      synthetic_count;
  GPtrArray   *plan;            /* CwPlannedFile*, audio batches */
  guint        next;            /* the next planned file / synthetic task */
  guint64      total;
  guint        shard_index;
  guint        shard_count;     /* 0: no --shard */
  guint64      n_resumed;       /* skipped by --resume: done in an earlier run */
  guint        n_redone;        /* --resume: outputs of ours made again (settings changed) */
  CwJobSettings settings;       /* spec, format, seed: what the job log records */
  CwJoblog    *joblog;
  GThreadPool *joblog_thread;   /* one thread: checksums and log lines */
  gint         joblog_failed;   /* atomic */

  CwPool      *pool;
  GMainLoop   *loop;
  GCancellable *cancellable;
  CwBatchStats stats;
  GError      *error;
  gint64       start_us;
  gint64       end_us;
  guint64      done;
  guint64      failed;
  guint64      cancelled;
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
  if (cli->joblog_thread != NULL)
    g_thread_pool_free (g_steal_pointer (&cli->joblog_thread), FALSE, TRUE);
  g_clear_pointer (&cli->joblog, cw_joblog_close);
  g_strfreev (cli->inputs);
  g_clear_pointer (&cli->plan, g_ptr_array_unref);
  g_clear_object (&cli->pool);
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

static gboolean
next_planned_file (gpointer  user_data,
                   CwTask   *task)
{
  Cli *cli = user_data;
  CwPlannedFile *file;

  if (cli->next >= cli->plan->len)
    return FALSE;
  file = g_ptr_array_index (cli->plan, cli->next++);
  task->kind = CW_TASK_AUDIO;
  task->input_path = g_strdup (file->input_path);
  task->output_path = g_strdup (file->output_path);
  task->seed_key = g_strdup (file->seed_key);
  task->replace = file->replace;
  return TRUE;
}

static gboolean
next_synthetic (gpointer  user_data,
                CwTask   *task)
{
  Cli *cli = user_data;

  if (cli->next >= cli->synthetic_count)
    return FALSE;
  task->kind = cli->synthetic_kind;
  /* mul10 multiplies its own index, like the lesson's range(n) */
  task->arg = cli->synthetic_kind == CW_TASK_MUL10 ? (gint64) cli->next : cli->synthetic_arg;
  cli->next++;
  return TRUE;
}

typedef struct
{
  const CwPlannedFile *file;    /* cli->plan outlives the log thread */
  CwStatus             status;
  double               seconds;
  char                *error;
} JoblogLine;

/* On the log thread: the checksum of a finished output (XXH64: ~4 ms for a
 * 21 MB file from the page cache) and its line. Off the main loop, so
 * dispatching to the workers never waits for it. */
static void
joblog_write_line (gpointer data,
                   gpointer user_data)
{
  JoblogLine *line = data;
  Cli *cli = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *checksum = NULL;
  g_autofree char *read_error = NULL;
  CwStatus status = line->status;

  if (status == CW_STATUS_OK)
    {
      checksum = cw_checksum_file (line->file->output_path, &error);
      if (checksum == NULL)
        {
          /* logged as failed, so a resume redoes it */
          status = CW_STATUS_FAILED;
          read_error = g_strdup (error->message);
          g_clear_error (&error);
        }
    }
  if (!cw_joblog_append (cli->joblog, line->file->input_path, line->file->output_path,
                         cw_status_to_string (status), line->seconds, checksum,
                         read_error ? read_error : line->error, &cli->settings, &error)
      && g_atomic_int_compare_and_exchange (&cli->joblog_failed, 0, 1))
    g_printerr ("\ncorewave-cli: %s\n", error->message);
  g_free (line->error);
  g_free (line);
}

/* One line per finished file (cancelled ones are not finished). */
static void
joblog_result (Cli            *cli,
               const CwResult *r)
{
  JoblogLine *line;

  if (cli->joblog_thread == NULL || r->status == CW_STATUS_CANCELLED || r->index >= cli->plan->len)
    return;
  line = g_new0 (JoblogLine, 1);
  line->file = g_ptr_array_index (cli->plan, r->index);
  line->status = r->status;
  line->seconds = (r->end_us - r->start_us) / 1e6;
  line->error = g_strdup (r->error);
  g_thread_pool_push (cli->joblog_thread, line, NULL);
}

static void
on_result (const CwResult *r,
           gpointer        user_data)
{
  Cli *cli = user_data;

  joblog_result (cli, r);
  cli->done++;
  if (r->status == CW_STATUS_FAILED)
    cli->failed++;
  else if (r->status == CW_STATUS_CANCELLED)
    cli->cancelled++;

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
pool_closed_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  Cli *cli = user_data;

  cw_pool_close_finish (CW_POOL (object), result, NULL);
  cli->end_us = g_get_monotonic_time ();
  g_main_loop_quit (cli->loop);
}

static void
map_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Cli *cli = user_data;

  cw_pool_map_finish (CW_POOL (object), result, &cli->stats, &cli->error);
  /* Like Pool.close + join: the run ends when every worker is reaped. */
  cw_pool_close_async (cli->pool, NULL, pool_closed_cb, cli);
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

  if (!cw_task_kind_from_string (kind, &cli->synthetic_kind) || cli->synthetic_kind == CW_TASK_AUDIO)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   "--synthetic: unknown kind “%s” (mul10, spin or fib)", kind);
      return FALSE;
    }
  cli->synthetic_arg = cli->synthetic_kind == CW_TASK_SPIN ? 10 : cli->synthetic_kind == CW_TASK_FIB ? 25 : 0;

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
          cli->synthetic_count = v;
          have_count = TRUE;
        }
      else if (g_str_equal (key, "ms") && cli->synthetic_kind == CW_TASK_SPIN)
        cli->synthetic_arg = (gint64) MIN (v, 3600 * 1000);
      else if (g_str_equal (key, "n") && cli->synthetic_kind == CW_TASK_FIB)
        {
          if (v > 92)
            {
              g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "--synthetic: fib n must be at most 92");
              return FALSE;
            }
          cli->synthetic_arg = (gint64) v;
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
  if (!cw_audio_write_demo (cli->demo_dir, cli->demo_count, cli->demo_seconds, &error))
    {
      g_printerr ("corewave-cli: could not write the demo set: %s\n", error->message);
      return EXIT_SOME_FAILED;
    }
  if (!cli->json)
    printf ("Wrote %d demo files of %g s to %s\n", cli->demo_count, cli->demo_seconds, cli->demo_dir);
  return 0;
}

/* Drops the planned files an earlier run finished with these settings,
 * lets the outputs the log says are ours be made again when the settings
 * changed, keeps every other file, and removes what killed runs left. */
static gboolean
resume_plan (Cli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) done = cw_joblog_load_done (cli->joblog_path, &error);

  if (done == NULL)
    {
      g_printerr ("corewave-cli: %s\n", error->message);
      return FALSE;
    }
  cli->n_resumed = cw_joblog_resume (done, cli->plan, &cli->settings, &cli->n_redone);
  return TRUE;
}

static void
print_summary (Cli *cli)
{
  double wall = (cli->end_us - cli->start_us) / 1e6;
  double cpu = cli->stats.cpu_us / 1e6;
  g_autofree char *chunk = cli->chunk > 0 ? g_strdup_printf ("%u", cli->chunk)
                                          : g_strdup_printf ("auto (up to %u)", cli->stats.max_chunk_size);

  if (cli->json)
    {
      g_autoptr(GString) line = g_string_new ("{\"type\":\"summary\",\"wall_s\":");

      json_double (line, wall);
      g_string_append (line, ",\"cpu_s\":");
      json_double (line, cpu);
      g_string_append_printf (line, ",\"ok\":%" G_GUINT64_FORMAT ",\"failed\":%" G_GUINT64_FORMAT
                              ",\"cancelled\":%" G_GUINT64_FORMAT ",\"total\":%" G_GUINT64_FORMAT
                              ",\"workers\":%u,\"chunk_size\":",
                              cli->stats.n_ok, cli->stats.n_failed, cli->stats.n_cancelled,
                              cli->total, cli->stats.n_workers);
      if (cli->chunk > 0)
        g_string_append_printf (line, "%u", cli->chunk);
      else
        g_string_append (line, "\"auto\"");
      g_string_append_printf (line, ",\"max_chunk_size\":%u,\"trips\":%" G_GUINT64_FORMAT
                              ",\"retried\":%u,\"worker_deaths\":%u,\"order\":\"%s\",\"mode\":\"%s\"",
                              cli->stats.max_chunk_size, cli->stats.n_trips, cli->stats.n_retried,
                              cli->stats.n_worker_deaths, cw_order_to_string (cli->order),
                              cw_mode_to_string (cli->mode));
      if (cli->mode == CW_MODE_PROCESSES)
        {
          struct rusage ru;

          /* every worker has been reaped by now: the largest one's peak */
          getrusage (RUSAGE_CHILDREN, &ru);
          g_string_append_printf (line, ",\"worker_peak_rss_mb\":%.1f", ru.ru_maxrss / 1024.0);
        }
      g_string_append (line, ",\"seed\":");
      g_string_append_printf (line, "%" G_GUINT64_FORMAT, cli->seed);
      g_string_append (line, ",\"transform\":");
      json_string (line, cli->synthetic ? NULL : cli->transform);
      g_string_append (line, ",\"output_dir\":");
      json_string (line, cli->output_dir);
      if (cli->shard_count > 0)
        g_string_append_printf (line, ",\"shard\":\"%u/%u\"", cli->shard_index, cli->shard_count);
      if (cli->resume)
        g_string_append_printf (line, ",\"resumed\":%" G_GUINT64_FORMAT ",\"redone\":%u",
                                cli->n_resumed, cli->n_redone);
      if (cli->stats.n_workers_unstarted > 0)
        g_string_append_printf (line, ",\"workers_unstarted\":%u", cli->stats.n_workers_unstarted);
      g_string_append (line, "}\n");
      fputs (line->str, stdout);
      return;
    }

  if (cli->quiet)
    return;
  if (cli->shard_count > 0)
    printf ("Shard %u/%u: ", cli->shard_index, cli->shard_count);
  if (cli->resume)
    printf ("%" G_GUINT64_FORMAT " already done (skipped), ", cli->n_resumed);
  if (cli->n_redone > 0)
    printf ("%u redone (made with other settings), ", cli->n_redone);
  if (cli->total == 0)
    {
      printf ("nothing to do.\n");
      return;
    }
  printf ("%" G_GUINT64_FORMAT " %s in %.2f s: %" G_GUINT64_FORMAT " ok, %" G_GUINT64_FORMAT " failed",
          cli->total, cli->synthetic ? "tasks" : "files", wall, cli->stats.n_ok, cli->stats.n_failed);
  if (cli->stats.n_cancelled > 0)
    printf (", %" G_GUINT64_FORMAT " cancelled", cli->stats.n_cancelled);
  /* a batch stopped by an error (no worker could start, say) never sent
   * some files: count them, so every file is accounted for */
  if (cli->stats.n_ok + cli->stats.n_failed + cli->stats.n_cancelled < cli->total)
    printf (", %" G_GUINT64_FORMAT " not run",
            cli->total - cli->stats.n_ok - cli->stats.n_failed - cli->stats.n_cancelled);
  if (cli->stats.n_ok + cli->stats.n_failed + cli->stats.n_cancelled == 0)
    {
      printf (".\n");
      return;
    }
  printf (".\nCPU %.2f s, speed-up %.2f× on %u %s (%s), chunk size %s, order %s",
          cpu, wall > 0 ? cpu / wall : 0.0, cli->stats.n_workers,
          cli->mode == CW_MODE_PROCESSES ? "worker processes" : cli->mode == CW_MODE_THREADS ? "threads" : "thread",
          cw_mode_to_string (cli->mode), chunk, cw_order_to_string (cli->order));
  if (cli->stats.n_worker_deaths > 0)
    printf (", %u worker deaths survived", cli->stats.n_worker_deaths);
  if (cli->stats.n_workers_unstarted > 0)
    printf (", %u of the workers could not start (process or file limits)",
            cli->stats.n_workers_unstarted);
  printf (".\n");
  if (cli->output_dir != NULL && cli->stats.n_ok > 0)
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
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(CwChain) chain = NULL;
  g_autofree char *canonical_spec = NULL;
  guint tick = 0, flush = 0, sigint = 0, sigterm = 0, sighup = 0;
  double task_timeout_s = 0;
  int status;
  GOptionEntry entries[] = {
    { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, &cli.output_dir, "Write the results into DIR (created if missing)", "DIR" },
    { "workers", 'j', 0, G_OPTION_ARG_INT, &cli.workers, "Worker count, 1–256 (default: online CPUs)", "N" },
    { "chunk-size", 'c', 0, G_OPTION_ARG_STRING, &cli.chunk_size, "Tasks per trip to a worker, or auto (default)", "N|auto" },
    { "order", 0, 0, G_OPTION_ARG_STRING, &cli.order_name, "ordered (imap), unordered (imap_unordered, default) or all (map)", "ORDER" },
    { "transform", 't', 0, G_OPTION_ARG_STRING, &cli.transform, "Transform chain (default: " CW_DEFAULT_SPEC ")", "SPEC" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &cli.format_name, "Output format: wav, flac, ogg, opus or mp3 (default: as the input)", "FORMAT" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &cli.mode_name, "processes (default), threads or sequential", "MODE" },
    { "seed", 0, 0, G_OPTION_ARG_STRING, &cli.seed_text, "Batch seed for the noise (default 0)", "N" },
    { "overwrite", 0, 0, G_OPTION_ARG_NONE, &cli.overwrite, "Replace existing outputs (never an input)", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli.json, "One JSON object per result on stdout, then a summary object", NULL },
    { "progress", 0, 0, G_OPTION_ARG_NONE, &cli.progress, "Show the progress bar even when stderr is not a terminal", NULL },
    { "task-timeout", 0, 0, G_OPTION_ARG_DOUBLE, &task_timeout_s, "Fail a task still running after SECONDS, ending its worker (default: off)", "SECONDS" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli.quiet, "Print only errors (with --json: only the summary object)", NULL },
    { "shard", 0, 0, G_OPTION_ARG_STRING, &cli.shard_text, "Run only shard I of N (from 0) of the sorted input list; N runs together give one run's outputs", "I/N" },
    { "joblog", 0, 0, G_OPTION_ARG_FILENAME, &cli.joblog_path, "Append one line per finished file to FILE (safe for concurrent runs)", "FILE" },
    { "resume", 0, 0, G_OPTION_ARG_NONE, &cli.resume, "Skip inputs whose output is present and matches the job log", NULL },
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
    "Exit status: 0 when every file succeeded, 1 when some failed, 2 for usage errors.");
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

  /* Validate everything before touching a file. */
  /* 0 means "online CPUs" to the pool, not to a person: "--workers 0" is
   * a mistake, and the message says 1 is the least. */
  if (cli.workers == WORKERS_UNSET)
    cli.workers = 0;
  else if (cli.workers < 1 || cli.workers > CW_POOL_MAX_WORKERS)
    {
      status = usage_error ("--workers must be between 1 and %d", CW_POOL_MAX_WORKERS);
      goto out;
    }
  if (cli.chunk_size != NULL && !g_str_equal (cli.chunk_size, "auto"))
    {
      guint64 k;

      if (!g_ascii_string_to_unsigned (cli.chunk_size, 10, 1, CW_POOL_MAX_CHUNK_SIZE, &k, NULL))
        {
          status = usage_error ("--chunk-size must be auto or a number from 1 to %d", CW_POOL_MAX_CHUNK_SIZE);
          goto out;
        }
      cli.chunk = (guint) k;
    }
  cli.order = CW_ORDER_UNORDERED;
  if (cli.order_name != NULL && !cw_order_from_string (cli.order_name, &cli.order))
    {
      status = usage_error ("--order must be ordered, unordered or all, not “%s”", cli.order_name);
      goto out;
    }
  cli.mode = CW_MODE_PROCESSES;
  if (cli.mode_name != NULL && !cw_mode_from_string (cli.mode_name, &cli.mode))
    {
      status = usage_error ("--mode must be processes, threads or sequential, not “%s”", cli.mode_name);
      goto out;
    }
  cli.format = CW_FORMAT_SAME;
  if (cli.format_name != NULL && !cw_format_from_string (cli.format_name, &cli.format))
    {
      status = usage_error ("--format must be wav, flac, ogg, opus or mp3, not “%s”", cli.format_name);
      goto out;
    }
  if (cli.seed_text != NULL && !g_ascii_string_to_unsigned (cli.seed_text, 10, 0, G_MAXUINT64, &cli.seed, NULL))
    {
      status = usage_error ("--seed must be a whole number, not “%s”", cli.seed_text);
      goto out;
    }
  /* 0 is "off" (the default); anything else is a real, reachable time */
  if (!(task_timeout_s == 0.0 || (task_timeout_s >= 0.001 && task_timeout_s <= 7 * 24 * 3600.0)))
    {
      status = usage_error ("--task-timeout must be 0 (off) or from 0.001 to 604800 seconds");
      goto out;
    }
  if (cli.transform == NULL)
    cli.transform = g_strdup (CW_DEFAULT_SPEC);
  chain = cw_chain_parse (cli.transform, &error);
  if (chain == NULL)
    {
      status = usage_error ("--transform: %s", error->message);
      goto out;
    }
  canonical_spec = cw_chain_to_string (chain);
  cli.settings.spec = canonical_spec;
  cli.settings.format = cli.format;
  cli.settings.seed = cli.seed;
  if (cli.shard_text != NULL && !cw_shard_parse (cli.shard_text, &cli.shard_index, &cli.shard_count, &error))
    {
      status = usage_error ("%s", error->message);
      goto out;
    }
  if (cli.resume && cli.joblog_path == NULL)
    {
      status = usage_error ("--resume needs the job log of the earlier run: add --joblog FILE");
      goto out;
    }

  if (cli.synthetic != NULL)
    {
      if (cli.shard_count > 0 || cli.joblog_path != NULL || cli.resume)
        {
          status = usage_error ("--shard, --joblog and --resume are for files, not --synthetic");
          goto out;
        }
      if (!parse_synthetic (&cli, &error))
        {
          status = usage_error ("%s", error->message);
          goto out;
        }
      if (cli.inputs != NULL)
        {
          status = usage_error ("--synthetic takes no INPUT");
          goto out;
        }
      cli.total = cli.synthetic_count;
    }
  else
    {
      g_autoptr(GPtrArray) files = NULL;

      if (cli.inputs == NULL)
        {
          status = usage_error ("no INPUT given");
          goto out;
        }
      if (cli.output_dir == NULL)
        {
          status = usage_error ("no output folder given: add -o OUTDIR");
          goto out;
        }
      if (g_mkdir_with_parents (cli.output_dir, 0777) != 0)
        {
          int saved = errno;
          g_autofree char *dir = g_filename_display_name (cli.output_dir);

          g_printerr ("corewave-cli: cannot create the output folder %s: %s\n", dir, g_strerror (saved));
          status = EXIT_SOME_FAILED;
          goto out;
        }

      skipped = g_ptr_array_new_with_free_func (g_free);
      files = cw_inputs_collect ((const char * const *) cli.inputs, cli.output_dir, skipped);
      /* a file left out is news even with -q */
      for (guint i = 0; i < skipped->len; i++)
        {
          g_autofree char *note = cw_text_for_terminal (g_ptr_array_index (skipped, i));

          g_printerr ("skipped: %s\n", note);
        }
      if (files->len == 0)
        {
          g_printerr ("corewave-cli: no audio files found in the inputs\n");
          status = EXIT_SOME_FAILED;
          goto out;
        }
      /* Shards sort the whole list first, so every machine sees the same
       * list whatever the arguments' order. */
      if (cli.shard_count > 0)
        cw_shard_sort_inputs (files);
      /* Keys are planned over the whole list, so a file gets the same name
       * and noise in every shard as in one run. With --shard, --joblog or
       * --resume an output is always named by its key (never "name (1)"
       * for a file already there), so shards and reruns find each other's
       * outputs; an existing one is then an error unless --overwrite, or
       * --resume finds it in the log as this batch's own. */
      cli.plan = cw_inputs_plan (files, cli.output_dir, cli.format,
                                 cli.overwrite ? CW_PLAN_REPLACE
                                 : (cli.shard_count > 0 || cli.joblog_path != NULL) ? CW_PLAN_BY_KEY
                                 : CW_PLAN_NUMBERED);
      if (cli.shard_count > 0)
        cw_shard_select (cli.plan, cli.shard_index, cli.shard_count,
                         (GDestroyNotify) cw_planned_file_free);
      if (cli.resume && !resume_plan (&cli))
        {
          status = EXIT_SOME_FAILED;
          goto out;
        }
      if (cli.joblog_path != NULL)
        {
          cli.joblog = cw_joblog_open (cli.joblog_path, &error);
          if (cli.joblog == NULL)
            {
              g_printerr ("corewave-cli: %s\n", error->message);
              status = EXIT_SOME_FAILED;
              goto out;
            }
          cli.joblog_thread = g_thread_pool_new (joblog_write_line, &cli, 1, FALSE, NULL);
        }
      cli.total = cli.plan->len;
      if (cli.total == 0)
        {
          /* a shard with nothing in it, or a batch already complete */
          cli.start_us = cli.end_us = g_get_monotonic_time ();
          print_summary (&cli);
          status = 0;
          goto out;
        }
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
  cli.pool = cw_pool_new (cli.mode, (guint) cli.workers);
  cw_pool_set_chunk_size (cli.pool, cli.chunk);
  cw_pool_set_task_timeout (cli.pool, task_timeout_s > 0 ? (guint) rint (task_timeout_s * 1000.0) : 0);
  cw_pool_map_async (cli.pool, &cli.settings,
                     cli.synthetic ? next_synthetic : next_planned_file, &cli, NULL,
                     cli.total, cli.order, on_result, &cli,
                     cli.cancellable, map_done_cb, &cli);
  g_main_loop_run (cli.loop);

  g_clear_handle_id (&tick, g_source_remove);
  g_clear_handle_id (&flush, g_source_remove);
  g_clear_handle_id (&sigint, g_source_remove);
  g_clear_handle_id (&sigterm, g_source_remove);
  g_clear_handle_id (&sighup, g_source_remove);
  /* every finished file logged before we say we are done */
  if (cli.joblog_thread != NULL)
    g_thread_pool_free (g_steal_pointer (&cli.joblog_thread), FALSE, TRUE);
  progress_draw (&cli, TRUE);
  if (cli.show_progress)
    fputc ('\n', stderr);

  if (cli.error != NULL && !g_error_matches (cli.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_printerr ("corewave-cli: %s\n", cli.error->message);
  print_summary (&cli);
  fflush (stdout);

  status = (cli.error != NULL || cli.failed > 0 || cli.cancelled > 0 || g_atomic_int_get (&cli.joblog_failed)) ? EXIT_SOME_FAILED : 0;
  if (cli.signal != 0)
    status = 128 + cli.signal;

out:
  cli_clear (&cli);
  return status;
}
