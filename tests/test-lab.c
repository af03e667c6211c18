/* test-lab.c: each of the lab's experiments, run small, has the lesson's
 * shape; and given fixed measurements, its words follow its table
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cw-lab-private.h"
#include "cw-test-util.h"

/* No quick run comes near it; it only turns a hang into a failure. */
#define WAIT_TIMEOUT_S 120

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static void
on_batch (CwPool     *pool,
          const char *description,
          gpointer    user_data)
{
  guint *n_batches = user_data;

  g_assert_true (CW_IS_POOL (pool));
  g_assert_nonnull (description);
  (*n_batches)++;
}

/* What a CwLabObserver saw, checked as it comes. */
typedef struct
{
  guint      *n_batches;     /* on_batch's count: it comes first */
  GPtrArray  *descriptions;  /* per measured batch */
  GArray     *n_results;     /* guint per measured batch */
  GArray     *finished;      /* gboolean per measured batch */
  GHashTable *indices;       /* the current batch's task indices */
  gboolean    open;          /* between batch_started and batch_finished */
  gint64      start_us;
} Observed;

static void
observed_init (Observed *obs)
{
  memset (obs, 0, sizeof *obs);
  obs->descriptions = g_ptr_array_new_with_free_func (g_free);
  obs->n_results = g_array_new (FALSE, TRUE, sizeof (guint));
  obs->finished = g_array_new (FALSE, TRUE, sizeof (gboolean));
  obs->indices = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
}

static void
observed_clear (Observed *obs)
{
  g_ptr_array_unref (obs->descriptions);
  g_array_unref (obs->n_results);
  g_array_unref (obs->finished);
  g_hash_table_unref (obs->indices);
}

static void
observe_batch_started (CwPool     *pool,
                       const char *description,
                       guint       n_workers,
                       gint64      start_us,
                       gpointer    user_data)
{
  Observed *obs = user_data;
  guint zero = 0;
  gboolean no = FALSE;

  g_assert_true (CW_IS_POOL (pool));
  g_assert_nonnull (description);
  g_assert_cmpuint (n_workers, ==, cw_pool_get_n_workers (pool));
  g_assert_cmpuint (n_workers, >=, 1);
  g_assert_cmpint (start_us, >, obs->start_us);
  g_assert_cmpint (start_us, <=, g_get_monotonic_time ());
  /* the pipe counter's callback has seen this batch's pool already */
  g_assert_cmpuint (*obs->n_batches, >, 0);
  obs->start_us = start_us;
  obs->open = TRUE;
  g_ptr_array_add (obs->descriptions, g_strdup (description));
  g_array_append_val (obs->n_results, zero);
  g_array_append_val (obs->finished, no);
  g_hash_table_remove_all (obs->indices);
}

static void
observe_result (const CwResult *result,
                gpointer        user_data)
{
  Observed *obs = user_data;

  g_assert_true (obs->open);
  /* each task once a batch; mul10 results carry their chunk's stamp */
  g_assert_true (g_hash_table_add (obs->indices, g_memdup2 (&result->index, sizeof (gint64))));
  g_assert_cmpint (result->start_us, >=, obs->start_us);
  g_assert_cmpint (result->end_us, >=, result->start_us);
  g_array_index (obs->n_results, guint, obs->n_results->len - 1)++;
}

static void
observe_batch_finished (const char *description,
                        gint64      wall_us,
                        gpointer    user_data)
{
  Observed *obs = user_data;

  g_assert_true (obs->open);
  g_assert_cmpstr (description, ==, g_ptr_array_index (obs->descriptions, obs->descriptions->len - 1));
  g_assert_cmpint (wall_us, >, 0);
  obs->open = FALSE;
  g_array_index (obs->finished, gboolean, obs->finished->len - 1) = TRUE;
}

static const CwLabObserver observer = {
  .batch_started = observe_batch_started,
  .result = observe_result,
  .batch_finished = observe_batch_finished,
};

/* With @obs, through cw_lab_run_full_async () and an observer; without,
 * through cw_lab_run_async (). */
static CwLabReport *
run_lab_observed (CwLabExperiment  experiment,
                  Observed        *obs)
{
  g_autofree char *work = cw_test_make_tmp_dir ();
  CwLabOptions options = { .work_dir = work, .max_workers = 2, .quick = TRUE };
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CwLabReport *report;
  guint n_batches = 0;
  g_autoptr(GDir) dir = NULL;

  if (obs != NULL)
    {
      obs->n_batches = &n_batches;
      cw_lab_run_full_async (experiment, &options, on_batch, &n_batches, &observer, obs,
                             NULL, run_done_cb, &result);
    }
  else
    cw_lab_run_async (experiment, &options, on_batch, &n_batches, NULL, run_done_cb, &result);
  WAIT_UNTIL (result != NULL);

  report = cw_lab_run_finish (result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_assert_cmpint (report->experiment, ==, experiment);
  g_assert_cmpuint (n_batches, >, 0);
  g_assert_nonnull (report->explanation);
  g_assert_cmpuint (strlen (report->explanation), >, 40);
  g_assert_cmpuint (report->series->len, >, 0);
  g_assert_cmpuint (report->rows->len, >, 0);
  for (guint i = 0; i < report->rows->len; i++)
    g_assert_cmpuint (g_strv_length (g_ptr_array_index (report->rows, i)), ==,
                      g_strv_length (report->columns));

  /* the scratch folder is gone: the work folder is empty again */
  dir = g_dir_open (work, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
  g_rmdir (work);
  if (obs != NULL)
    {
      g_assert_false (obs->open);
      for (guint i = 0; i < obs->finished->len; i++)
        g_assert_true (g_array_index (obs->finished, gboolean, i));
      obs->n_batches = NULL;
    }
  return report;
}

static CwLabReport *
run_lab (CwLabExperiment experiment)
{
  return run_lab_observed (experiment, NULL);
}

static guint
observed_results (Observed *obs,
                  guint     batch)
{
  g_assert_cmpuint (batch, <, obs->n_results->len);
  return g_array_index (obs->n_results, guint, batch);
}

static int
column (const CwLabReport *report,
        const char        *name)
{
  for (int c = 0; report->columns[c] != NULL; c++)
    if (g_strcmp0 (report->columns[c], name) == 0)
      return c;
  g_error ("no column %s", name);
}

static const char *
cell (const CwLabReport *report,
      guint              row,
      const char        *name)
{
  return ((char **) g_ptr_array_index (report->rows, row))[column (report, name)];
}

static double
cell_double (const CwLabReport *report,
             guint              row,
             const char        *name)
{
  return g_ascii_strtod (cell (report, row, name), NULL);
}

/* The row whose first column is @key (and, when not NULL, @name is @value). */
static guint
find_row (const CwLabReport *report,
          const char        *key,
          const char        *name,
          const char        *value)
{
  for (guint r = 0; r < report->rows->len; r++)
    {
      char **row = g_ptr_array_index (report->rows, r);

      if (g_strcmp0 (row[0], key) == 0 && (name == NULL || g_strcmp0 (cell (report, r, name), value) == 0))
        return r;
    }
  g_error ("no row %s %s", key, value ? value : "");
}

static const CwLabSeries *
find_series (const CwLabReport *report,
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

static void
test_names (void)
{
  for (guint i = 0; i < CW_LAB_N_EXPERIMENTS; i++)
    {
      CwLabExperiment e;

      g_assert_true (cw_lab_experiment_from_string (cw_lab_experiment_to_string (i), &e));
      g_assert_cmpint (e, ==, i);
      g_assert_cmpstr (cw_lab_experiment_title (i), !=, "");
    }
  g_assert_false (cw_lab_experiment_from_string ("nope", &(CwLabExperiment) { 0 }));
}

/* Other programs' load, from /proc/loadavg: the 1-minute average less our own. */
static double
load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return 0;
  return g_ascii_strtod (text, NULL);
}

static void
test_modes (void)
{
  /* Spin tasks burn CPU time: 2 processes beat one after another only when
   * two cores are free. On a machine busy with other work (other test
   * suites, say) try again, and skip rather than fail when it stays busy. */
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_autoptr(CwLabReport) report = run_lab (CW_LAB_MODES);
      guint seq = find_row (report, "sequential", NULL, NULL);
      guint proc = find_row (report, "processes", "workers", "2");
      const CwLabSeries *ideal = find_series (report, "Ideal");
      double speedup = cell_double (report, proc, "speedup");

      g_assert_nonnull (ideal);
      g_assert_true (ideal->dashed);
      g_assert_cmpuint (ideal->points->len, ==, 2);
      g_assert_cmpfloat (g_array_index (ideal->points, CwLabPoint, 1).y, ==, 2.0);
      g_assert_nonnull (find_series (report, "Threads"));
      g_assert_nonnull (find_series (report, "Processes"));
      g_assert_cmpfloat (cell_double (report, seq, "speedup"), ==, 1.0);
      if (speedup > 1.3)
        {
          g_assert_cmpfloat (cell_double (report, proc, "wall_s"), <, cell_double (report, seq, "wall_s"));
          return;
        }
      g_test_message ("attempt %u: 2 processes %.2f× (load average %.2f)", attempt, speedup, load_average ());
    }
  if (load_average () > g_get_num_processors () - 0.5)
    g_test_skip ("the machine is busy: no two free cores to measure a speed-up on");
  else
    g_assert_not_reached ();
}

/* Touched memory in this process: a worker forked from it inherits it in
 * getrusage ()'s peak (the kernel keeps ru_maxrss across exec), not in
 * its own VmHWM. */
static char *
touch_memory (gsize size)
{
  char *block = g_malloc (size);

  for (gsize i = 0; i < size; i += 4096)
    block[i] = (char) i;
  return block;
}

static void
test_chunks (void)
{
  /* 64 MiB here: the workers' own figure must not carry it */
  g_autofree char *ballast = touch_memory (64 * 1024 * 1024);
  g_autoptr(CwLabReport) report = run_lab (CW_LAB_CHUNKS);
  guint auto_row = find_row (report, "auto", NULL, NULL);
  guint k8 = find_row (report, "8", NULL, NULL);

  /* 24 tasks on 2 workers: K = 1, 2, 4, 8 (2 × 8 < 24), then auto */
  g_assert_cmpuint (report->rows->len, ==, 5);
  g_assert_cmpstr (cell (report, 0, "chunk_size"), ==, "1");
  g_assert_cmpstr (cell (report, 3, "chunk_size"), ==, "8");
  g_assert_true (report->log_x);
  for (guint r = 0; r < report->rows->len; r++)
    {
      g_assert_cmpfloat (cell_double (report, r, "wall_s"), >, 0);
      g_assert_cmpstr (cell (report, r, "runs"), ==, "5");
      g_assert_cmpfloat (cell_double (report, r, "workers_peak_mib"), >, 0);
      g_assert_cmpfloat (cell_double (report, r, "workers_peak_mib"), <, 48);
    }
  /* three chunks of 8 for two workers: one sat idle behind the last */
  g_assert_cmpstr (cell (report, k8, "trips"), ==, "3");
  g_assert_cmpfloat (cell_double (report, k8, "idle_at_end_s"), >, 0);
  g_assert_cmpfloat (cell_double (report, auto_row, "trips"), >=, 1);
  g_assert_nonnull (strstr (report->explanation, "Auto measured"));
  g_assert_nonnull (find_series (report, "Auto"));
  /* a timeline per setting, in the plan's order */
  g_assert_cmpuint (report->timelines->len, ==, 5);
  g_assert_cmpstr (((CwLabTimeline *) g_ptr_array_index (report->timelines, 0))->setting, ==, "chunk size 1");
  g_assert_cmpstr (((CwLabTimeline *) g_ptr_array_index (report->timelines, 4))->setting, ==, "chunk size auto");
  ballast[0] = 1;
}

static void
test_overhead (void)
{
  g_autoptr(CwLabReport) report = run_lab (CW_LAB_OVERHEAD);
  guint seq = find_row (report, "sequential", NULL, NULL);
  guint k1 = find_row (report, "pool, chunk size 1", NULL, NULL);

  for (guint r = 0; r < report->rows->len; r++)
    g_assert_cmpfloat (cell_double (report, r, "us_per_task"), >, 0);
  /* one trip per task costs far more than the task */
  g_assert_cmpfloat (cell_double (report, k1, "us_per_task"), >, cell_double (report, seq, "us_per_task"));
  g_assert_cmpfloat (cell_double (report, k1, "us_per_task"), >,
                     cell_double (report, find_row (report, "pool, chunk size 100", NULL, NULL), "us_per_task"));
}

static void
test_big_data (void)
{
  g_autoptr(CwLabReport) report = run_lab (CW_LAB_BIG_DATA);
  guint names = find_row (report, "file name", NULL, NULL);
  guint samples = find_row (report, "samples", NULL, NULL);
  double b_names = cell_double (report, names, "bytes_to_workers") + cell_double (report, names, "bytes_from_workers");
  double b_samples = cell_double (report, samples, "bytes_to_workers") + cell_double (report, samples, "bytes_from_workers");

  g_assert_cmpfloat (b_names, >, 0);
  g_assert_cmpfloat (b_samples, >, 100 * b_names);
}

static void
test_shared_work (void)
{
  g_autoptr(CwLabReport) report = run_lab (CW_LAB_SHARED_WORK);
  guint single = find_row (report, "naive, one process", NULL, NULL);
  guint parallel = find_row (report, "naive, 2 processes", NULL, NULL);
  guint memo = find_row (report, "memoised, one pass", NULL, NULL);
  const CwLabSeries *wall = find_series (report, "Wall time (s)");

  g_assert_cmpfloat (cell_double (report, memo, "wall_s"), <, cell_double (report, single, "wall_s"));
  g_assert_cmpfloat (cell_double (report, memo, "wall_s"), <, cell_double (report, parallel, "wall_s"));
  /* nanoseconds, yet a figure: three significant digits */
  g_assert_cmpfloat (cell_double (report, memo, "wall_s"), >, 0);
  /* every row a bar of the chart */
  g_assert_nonnull (wall);
  g_assert_cmpuint (wall->points->len, ==, 3);
}

static guint
count_rows (const CwLabReport *report,
            const char        *name,
            const char        *value)
{
  guint n = 0;

  for (guint r = 0; r < report->rows->len; r++)
    if (g_strcmp0 (cell (report, r, name), value) == 0)
      n++;
  return n;
}

static void
test_order (void)
{
  Observed obs;
  g_autoptr(CwLabReport) report = NULL;
  double slow_ordered, slow_unordered;
  gboolean fast_before_slow = FALSE;

  observed_init (&obs);
  report = run_lab_observed (CW_LAB_ORDER, &obs);
  slow_ordered = cell_double (report, find_row (report, "ordered", "task", "0"), "visible_s");
  slow_unordered = cell_double (report, find_row (report, "unordered", "task", "0"), "visible_s");

  /* the observer saw five rounds of both batches (not the warm-up), every
   * task of each once (8 in quick) */
  g_assert_cmpuint (obs.descriptions->len, ==, 10);
  for (guint i = 0; i < 10; i += 2)
    {
      g_assert_cmpstr (g_ptr_array_index (obs.descriptions, i), ==, "as submitted");
      g_assert_cmpstr (g_ptr_array_index (obs.descriptions, i + 1), ==, "as completed");
      g_assert_cmpuint (observed_results (&obs, i), ==, count_rows (report, "order", "ordered"));
      g_assert_cmpuint (observed_results (&obs, i + 1), ==, count_rows (report, "order", "unordered"));
    }
  g_assert_cmpuint (count_rows (report, "order", "ordered"), ==, 8);
  observed_clear (&obs);

  for (guint r = 0; r < report->rows->len; r++)
    {
      if (g_strcmp0 (cell (report, r, "slow"), "yes") == 0)
        continue;
      if (g_strcmp0 (cell (report, r, "order"), "ordered") == 0)
        g_assert_cmpfloat (cell_double (report, r, "visible_s"), >=, slow_ordered);
      else if (cell_double (report, r, "visible_s") < slow_unordered)
        fast_before_slow = TRUE;
    }
  g_assert_true (fast_before_slow);
}

static void
test_random_state (void)
{
  Observed obs;
  g_autoptr(CwLabReport) report = NULL;
  guint naive, per_file;

  observed_init (&obs);
  report = run_lab_observed (CW_LAB_RANDOM_STATE, &obs);
  naive = find_row (report, "seed once in the parent", NULL, NULL);
  per_file = find_row (report, "per-file seeds", NULL, NULL);
  /* each batch's files, not the warm-up's spin tasks before them */
  g_assert_cmpuint (obs.descriptions->len, ==, 2);
  g_assert_cmpuint (observed_results (&obs, 0), ==, (guint) cell_double (report, naive, "files"));
  g_assert_cmpuint (observed_results (&obs, 1), ==, (guint) cell_double (report, per_file, "files"));
  observed_clear (&obs);

  g_assert_cmpfloat (cell_double (report, naive, "duplicate_groups"), >=, 1);
  g_assert_nonnull (strstr (cell (report, naive, "groups"), " = "));
  g_assert_cmpstr (cell (report, per_file, "duplicate_groups"), ==, "0");
}

static void
test_csv (void)
{
  g_autoptr(CwLabReport) report = run_lab (CW_LAB_SHARED_WORK);
  g_autofree char *csv = cw_lab_report_to_csv (report);
  g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);
  g_autofree char *header = g_strjoinv (",", report->columns);

  g_assert_cmpstr (lines[0], ==, header);
  g_assert_cmpstr (lines[0], ==, "method,workers,tasks,runs,wall_s,spread_s,cpu_s,speedup");
  /* header, one line per row, and the final newline's empty tail */
  g_assert_cmpuint (g_strv_length (lines), ==, report->rows->len + 2);
  /* a field with a comma is quoted */
  g_assert_true (g_str_has_prefix (lines[1], "\"naive, one process\",1,"));
  g_assert_true (g_str_has_prefix (lines[2], "\"naive, 2 processes\",2,"));
  g_assert_cmpstr (lines[report->rows->len + 1], ==, "");
}

/* corewave-cli lab: the table and the paragraph, the CSV, the exit codes */
static void
test_cli (void)
{
  const char *cli = g_getenv ("CW_CLI_PATH");
  g_autofree char *dir = NULL;
  g_autofree char *csv_path = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { cli, "lab", "shared-work", "--quick", "--workers", "2", "--csv", NULL, NULL };
  const char *bad[] = { cli, "lab", "no-such-experiment", NULL };

  /* before making the folder: a skip leaves nothing behind */
  if (cli == NULL)
    {
      g_test_skip ("CW_CLI_PATH is not set");
      return;
    }
  dir = cw_test_make_tmp_dir ();
  csv_path = g_build_filename (dir, "fib.csv", NULL);
  argv[7] = csv_path;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_nonnull (strstr (out, "memoised, one pass"));
  g_assert_nonnull (strstr (out, "× faster"));
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "method,workers,tasks,runs,wall_s,spread_s,cpu_s,speedup\n"));
  g_assert_nonnull (strstr (out, "The lesson: "));
  g_assert_nonnull (strstr (out, "This machine: "));
  g_unlink (csv_path);
  g_rmdir (dir);

  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_true (g_spawn_sync (NULL, (char **) bad, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_nonnull (strstr (err, "unknown experiment"));
}

/* ---------------------------------------------------------------------- */
/* the words follow the numbers: fixed measurements into the builders */

/* Five runs of @step, in seconds. */
static void
feed (CwLabStep    *step,
      const double  seconds[5])
{
  for (guint i = 0; i < 5; i++)
    cw_lab_step_add_measure (step, (gint64) (seconds[i] * 1e6 + 0.5));
}

/* Five runs around @median, each @step apart: the range is 4 × @step. */
static void
feed_around (CwLabStep *step,
             double     median,
             double     step_s)
{
  double v[5] = { median - 2 * step_s, median + step_s, median, median - step_s, median + 2 * step_s };

  feed (step, v);
}

static CwLabStep *
step_at (CwLabRun   *run,
         const char *description)
{
  return cw_lab_run_find_step (run, description);
}

static gboolean
is_cell (const CwLabReport *report,
         const char        *text)
{
  for (guint r = 0; r < report->rows->len; r++)
    for (char **cell = g_ptr_array_index (report->rows, r); *cell != NULL; cell++)
      if (g_str_equal (*cell, text))
        return TRUE;
  return FALSE;
}

/* Every figure with a unit in the paragraph (seconds, µs, ms, MiB, a
 * speed-up) is one of the table's cells, to the digit. */
static void
assert_figures_from_table (const CwLabReport *report)
{
  static const char * const units[] = { " s", " µs", " ms", " MiB", "×" };
  const char *p = report->explanation;
  guint n = 0;

  while (*p != '\0')
    {
      const char *start = p;
      gboolean point = FALSE;

      if (!g_ascii_isdigit (*p) || (p > report->explanation && (g_ascii_isalnum (p[-1]) || p[-1] == '.')))
        {
          p++;
          continue;
        }
      while (g_ascii_isdigit (*p) || (*p == '.' && g_ascii_isdigit (p[1])))
        point |= *p++ == '.';
      for (guint u = 0; u < G_N_ELEMENTS (units) && point; u++)
        if (g_str_has_prefix (p, units[u]))
          {
            g_autofree char *figure = g_strndup (start, p - start);

            if (!is_cell (report, figure))
              g_error ("“%s%s” in “%s” is not a figure of the table", figure, units[u], report->explanation);
            n++;
          }
    }
  g_assert_cmpuint (n, >, 0);
}

static CwLabReport *
words (CwLabRun *run)
{
  CwLabReport *report = cw_lab_run_build_report (run);

  g_test_message ("%s: %s", cw_lab_verdict_to_string (report->verdict), report->explanation);
  g_assert_cmpstr (report->claim, !=, "");
  assert_figures_from_table (report);
  return report;
}

static void
feed_modes (CwLabRun *run,
            double    seq,
            double    seq_step,
            double    threads,
            double    threads_step,
            double    processes,
            double    processes_step)
{
  feed_around (step_at (run, "sequential"), seq, seq_step);
  feed_around (step_at (run, "threads, 1"), seq, seq_step);
  feed_around (step_at (run, "processes, 1"), seq, seq_step);
  feed_around (step_at (run, "threads, 2"), threads, threads_step);
  feed_around (step_at (run, "processes, 2"), processes, processes_step);
}

static void
test_words_modes (void)
{
  CwLabRun *run;
  g_autoptr(CwLabReport) agreed = NULL, noise = NULL, slower = NULL, alone = NULL;

  /* twice as fast, runs 0.01 s apart: a speed-up; threads alike */
  run = cw_lab_run_new_planned (CW_LAB_MODES, 2, TRUE, 0);
  feed_modes (run, 1.0, 0.005, 0.52, 0.005, 0.51, 0.005);
  agreed = words (run);
  g_assert_cmpint (agreed->verdict, ==, CW_LAB_VERDICT_AGREED);
  g_assert_cmpstr (cell (agreed, find_row (agreed, "processes", "workers", "2"), "speedup"), ==, "1.96");
  g_assert_nonnull (strstr (agreed->explanation, "1.96× faster, close to the ideal 2×"));
  g_assert_nonnull (strstr (agreed->explanation, "CPU-bound tasks"));
  g_assert_nonnull (strstr (agreed->explanation, "within noise of processes"));
  g_assert_null (strstr (agreed->explanation, "reading and writing"));
  cw_lab_run_free (run);

  /* the same medians' worth of difference, but runs all over the place */
  run = cw_lab_run_new_planned (CW_LAB_MODES, 2, TRUE, 0);
  feed_modes (run, 1.0, 0.15, 0.9, 0.15, 0.85, 0.15);
  noise = words (run);
  g_assert_cmpint (noise->verdict, ==, CW_LAB_VERDICT_WITHIN_NOISE);
  g_assert_nonnull (strstr (noise->explanation, "within noise"));
  g_assert_nonnull (strstr (noise->explanation, "Turn Quick off"));
  g_assert_null (strstr (noise->explanation, "faster"));
  cw_lab_run_free (run);

  /* the full size, on files: processes slower beyond noise, threads faster */
  run = cw_lab_run_new_planned (CW_LAB_MODES, 2, FALSE, 24);
  feed_modes (run, 1.0, 0.005, 0.6, 0.005, 1.5, 0.005);
  slower = words (run);
  g_assert_cmpint (slower->verdict, ==, CW_LAB_VERDICT_DISAGREED);
  g_assert_nonnull (strstr (slower->explanation, "the 24 files"));
  g_assert_nonnull (strstr (slower->explanation, "longer than one after another"));
  g_assert_nonnull (strstr (slower->explanation, "Threads were faster, 0.600 s"));
  cw_lab_run_free (run);

  /* one CPU: nothing to spread over */
  run = cw_lab_run_new_planned (CW_LAB_MODES, 1, TRUE, 0);
  feed_around (step_at (run, "sequential"), 1.0, 0.005);
  feed_around (step_at (run, "threads, 1"), 1.0, 0.005);
  feed_around (step_at (run, "processes, 1"), 1.0, 0.005);
  alone = words (run);
  g_assert_cmpint (alone->verdict, ==, CW_LAB_VERDICT_UNTESTED);
  g_assert_nonnull (strstr (alone->explanation, "one CPU"));
  cw_lab_run_free (run);
}

/* A timeline of @wall s on two lanes, the second ending @idle s early. */
static CwLabTimeline *
two_lanes (const char *setting,
           double      wall,
           double      idle)
{
  CwLabTimeline *tl = g_new0 (CwLabTimeline, 1);
  CwLabBar a = { 0, 16, 0, (gint64) (wall * 1e6), CW_STATUS_OK };
  CwLabBar b = { 1, 8, 0, (gint64) ((wall - idle) * 1e6), CW_STATUS_OK };

  tl->setting = g_strdup (setting);
  tl->n_lanes = 2;
  tl->wall_us = (gint64) (wall * 1e6);
  tl->bars = g_array_new (FALSE, FALSE, sizeof (CwLabBar));
  g_array_append_val (tl->bars, a);
  g_array_append_val (tl->bars, b);
  return tl;
}

static void
feed_chunks (CwLabRun     *run,
             const double  medians[5],
             double        step_s,
             const gint64  peaks_kb[5])
{
  static const char * const settings[] = { "chunk size 1", "chunk size 2", "chunk size 4", "chunk size 8",
                                           "chunk size auto" };

  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    {
      CwLabStep *step = step_at (run, settings[i]);

      feed_around (step, medians[i], step_s);
      for (guint m = 0; m < step->measures->len; m++)
        {
          CwLabMeasure *measure = g_ptr_array_index (step->measures, m);

          measure->workers_peak_kb = peaks_kb[i];
          measure->stats.n_trips = step->chunk_size ? (24 + step->chunk_size - 1) / step->chunk_size : 16;
          measure->stats.max_chunk_size = step->chunk_size ? step->chunk_size : 3;
          if (step->chunk_size == 0)
            {
              measure->stats.auto_task_us = 8000;
              measure->stats.auto_target_trip_us = 100000;
            }
          /* the big last chunk: one worker done 0.05 s before the other */
          if (step->chunk_size == 8)
            measure->timeline = two_lanes (settings[i], cw_lab_seconds (measure->wall_us), 0.05);
        }
    }
}

static void
test_words_chunks (void)
{
  static const gint64 flat_kb[5] = { 5120, 5120, 5120, 5120, 5120 };
  static const gint64 growing_kb[5] = { 5120, 5120, 5120, 20480, 5120 };
  CwLabRun *run;
  g_autoptr(CwLabReport) agreed = NULL, noise = NULL, trips = NULL, few = NULL;

  run = cw_lab_run_new_planned (CW_LAB_CHUNKS, 2, TRUE, 0);
  feed_chunks (run, (double[5]) { 0.10, 0.10, 0.10, 0.15, 0.10 }, 0.001, flat_kb);
  agreed = words (run);
  g_assert_cmpint (agreed->verdict, ==, CW_LAB_VERDICT_AGREED);
  g_assert_cmpstr (cell (agreed, find_row (agreed, "8", NULL, NULL), "idle_at_end_s"), ==, "0.050");
  g_assert_nonnull (strstr (agreed->explanation, "the slowest 8 (0.150 s"));
  g_assert_nonnull (strstr (agreed->explanation, "In chunks of 8, the 24 tasks made 3 trips for 2 workers"));
  g_assert_nonnull (strstr (agreed->explanation, "sat idle for 0.050 s"));
  g_assert_nonnull (strstr (agreed->explanation, "Auto measured 8.0 ms a task"));
  g_assert_nonnull (strstr (agreed->explanation, "was 5.0 MiB at every chunk size"));
  g_assert_nonnull (strstr (agreed->explanation, "only their numbers"));
  g_assert_cmpuint (agreed->timelines->len, ==, 1);
  cw_lab_run_free (run);

  run = cw_lab_run_new_planned (CW_LAB_CHUNKS, 2, TRUE, 0);
  feed_chunks (run, (double[5]) { 0.10, 0.11, 0.10, 0.12, 0.10 }, 0.02, growing_kb);
  noise = words (run);
  g_assert_cmpint (noise->verdict, ==, CW_LAB_VERDICT_WITHIN_NOISE);
  g_assert_nonnull (strstr (noise->explanation, "within noise"));
  g_assert_null (strstr (noise->explanation, "sat idle"));
  g_assert_nonnull (strstr (noise->explanation, "went from 5.0 MiB at chunk size 1 to 20.0 MiB at chunk size 8"));
  cw_lab_run_free (run);

  run = cw_lab_run_new_planned (CW_LAB_CHUNKS, 2, TRUE, 0);
  feed_chunks (run, (double[5]) { 0.20, 0.10, 0.10, 0.11, 0.10 }, 0.001, flat_kb);
  trips = words (run);
  g_assert_cmpint (trips->verdict, ==, CW_LAB_VERDICT_AGREED);
  g_assert_nonnull (strstr (trips->explanation, "One task per trip was the slowest"));
  cw_lab_run_free (run);

  /* two files for two workers: chunks of one only */
  run = cw_lab_run_new_planned (CW_LAB_CHUNKS, 2, FALSE, 2);
  g_assert_cmpuint (run->steps->len, ==, 2);
  feed_around (step_at (run, "chunk size 1"), 0.1, 0.001);
  feed_around (step_at (run, "chunk size auto"), 0.1, 0.001);
  few = words (run);
  g_assert_cmpint (few->verdict, ==, CW_LAB_VERDICT_UNTESTED);
  g_assert_nonnull (strstr (few->explanation, "queue more files than workers"));
  cw_lab_run_free (run);
}

static void
test_words_overhead (void)
{
  CwLabRun *run;
  g_autoptr(CwLabReport) agreed = NULL, noise = NULL;

  /* 20,000 tasks: 0.005 µs in place, 8 µs a trip, 0.5 µs in chunks */
  run = cw_lab_run_new_planned (CW_LAB_OVERHEAD, 2, TRUE, 0);
  feed_around (step_at (run, "sequential"), 0.0001, 0.00001);
  feed_around (step_at (run, "pool, chunk size 1"), 0.16, 0.002);
  feed_around (step_at (run, "pool, chunk size 10"), 0.03, 0.001);
  feed_around (step_at (run, "pool, chunk size 100"), 0.012, 0.0005);
  feed_around (step_at (run, "pool, chunk size 1000"), 0.010, 0.0005);
  feed_around (step_at (run, "pool, chunk size auto"), 0.0105, 0.0005);
  agreed = words (run);
  g_assert_cmpint (agreed->verdict, ==, CW_LAB_VERDICT_AGREED);
  g_assert_nonnull (strstr (agreed->explanation, "8.000 µs a task, 1600 times as long"));
  g_assert_nonnull (strstr (agreed->explanation, "with 1000 tasks per trip it fell to 0.500 µs"));
  g_assert_nonnull (strstr (agreed->explanation, "within noise of the best fixed size"));
  g_assert_nonnull (strstr (agreed->explanation, "faster done in place"));
  cw_lab_run_free (run);

  /* a pool within noise of the loop: said so, no conclusion */
  run = cw_lab_run_new_planned (CW_LAB_OVERHEAD, 2, FALSE, 0);
  feed_around (step_at (run, "sequential"), 0.010, 0.004);
  feed_around (step_at (run, "pool, chunk size 1"), 0.012, 0.004);
  feed_around (step_at (run, "pool, chunk size 10"), 0.012, 0.004);
  feed_around (step_at (run, "pool, chunk size 100"), 0.012, 0.004);
  feed_around (step_at (run, "pool, chunk size 1000"), 0.012, 0.004);
  feed_around (step_at (run, "pool, chunk size 10000"), 0.012, 0.004);
  feed_around (step_at (run, "pool, chunk size auto"), 0.012, 0.004);
  noise = words (run);
  g_assert_cmpint (noise->verdict, ==, CW_LAB_VERDICT_WITHIN_NOISE);
  g_assert_nonnull (strstr (noise->explanation, "within noise of the loop in place"));
  g_assert_nonnull (strstr (noise->explanation, "quieter"));
  g_assert_null (strstr (noise->explanation, "times as long"));
  cw_lab_run_free (run);
}

static void
feed_big_data (CwLabRun *run,
               double    names,
               double    read,
               double    samples,
               double    step_s)
{
  CwLabStep *by_name = step_at (run, "file name");
  CwLabStep *by_value = step_at (run, "samples");

  feed_around (by_name, names, step_s);
  feed_around (step_at (run, "reading samples"), read, step_s / 4);
  feed_around (by_value, samples, step_s);
  for (guint m = 0; m < 5; m++)
    {
      CwLabMeasure *a = g_ptr_array_index (by_name->measures, m);
      CwLabMeasure *b = g_ptr_array_index (by_value->measures, m);

      a->stats.bytes_to_workers = 1432;
      a->stats.bytes_from_workers = 1008;
      b->stats.bytes_to_workers = 42337448;
      b->stats.bytes_from_workers = 928;
    }
}

static void
test_words_big_data (void)
{
  CwLabRun *run;
  g_autoptr(CwLabReport) agreed = NULL, noise = NULL;

  run = cw_lab_run_new_planned (CW_LAB_BIG_DATA, 2, TRUE, 0);
  feed_big_data (run, 0.05, 0.02, 0.12, 0.002);
  agreed = words (run);
  g_assert_cmpint (agreed->verdict, ==, CW_LAB_VERDICT_AGREED);
  /* the total, reading included, as the table has it */
  g_assert_cmpstr (cell (agreed, find_row (agreed, "samples", NULL, NULL), "total_s"), ==, "0.140");
  g_assert_nonnull (strstr (agreed->explanation, "took 0.140 s"));
  g_assert_nonnull (strstr (agreed->explanation, "0.020 s of it reading"));
  g_assert_nonnull (strstr (agreed->explanation, "moved 40.377 MiB"));
  g_assert_nonnull (strstr (agreed->explanation, "let the workers open the files"));
  cw_lab_run_free (run);

  /* the quick pitfall of the issue: 0.027 s against 0.030 s */
  run = cw_lab_run_new_planned (CW_LAB_BIG_DATA, 2, TRUE, 0);
  feed_big_data (run, 0.027, 0.001, 0.029, 0.004);
  noise = words (run);
  g_assert_cmpint (noise->verdict, ==, CW_LAB_VERDICT_WITHIN_NOISE);
  g_assert_nonnull (strstr (noise->explanation, "within noise"));
  g_assert_null (strstr (noise->explanation, "let the workers open the files"));
  cw_lab_run_free (run);
}

static void
feed_memo (CwLabStep *step,
           gint64     ns_a_pass)
{
  for (guint i = 0; i < 5; i++)
    {
      CwLabMeasure *m = cw_lab_step_add_measure (step, 2000);

      m->passes = 2000 * 1000 / (ns_a_pass + (gint64) i - 2);
      m->stats.cpu_us = 2000;
    }
}

static void
test_words_shared_work (void)
{
  CwLabRun *run;
  g_autoptr(CwLabReport) agreed = NULL, noise = NULL;

  run = cw_lab_run_new_planned (CW_LAB_SHARED_WORK, 2, FALSE, 0);
  feed_around (cw_lab_run_get_step (run, 0), 0.5, 0.002);
  feed_around (cw_lab_run_get_step (run, 1), 0.26, 0.002);
  feed_memo (cw_lab_run_get_step (run, 2), 50);
  agreed = words (run);
  g_assert_cmpint (agreed->verdict, ==, CW_LAB_VERDICT_AGREED);
  g_assert_nonnull (strstr (agreed->explanation, "fib (0) … fib (39)"));
  g_assert_nonnull (strstr (agreed->explanation, "1.92× faster"));
  g_assert_nonnull (strstr (agreed->explanation, "× faster than the naive one"));
  g_assert_cmpstr (cell (agreed, 2, "speedup"), ==, "10000000");
  /* the memoised pass: a bar on the chart, nanoseconds in the table */
  g_assert_cmpuint (((CwLabSeries *) g_ptr_array_index (agreed->series, 0))->points->len, ==, 3);
  g_assert_cmpfloat (cell_double (agreed, find_row (agreed, "memoised, one pass", NULL, NULL), "wall_s"), >, 0);
  cw_lab_run_free (run);

  run = cw_lab_run_new_planned (CW_LAB_SHARED_WORK, 2, TRUE, 0);
  feed_around (cw_lab_run_get_step (run, 0), 0.06, 0.01);
  feed_around (cw_lab_run_get_step (run, 1), 0.065, 0.01);
  feed_memo (cw_lab_run_get_step (run, 2), 70);
  noise = words (run);
  g_assert_nonnull (strstr (noise->explanation, ", within noise of one process."));
  g_assert_null (strstr (noise->explanation, "× faster. Every task"));
  cw_lab_run_free (run);
}

/* Five runs of the order batches: task 0 ends at @slow s, task i at
 * 0.03 i; shown as completed, or all with task 0 when ordered. */
static void
feed_order (CwLabRun *run,
            double    slow,
            double    first_unordered)
{
  CwLabStep *ordered = step_at (run, "as submitted");
  CwLabStep *unordered = step_at (run, "as completed");

  for (guint r = 0; r < 5; r++)
    {
      CwLabMeasure *o = cw_lab_step_add_measure (ordered, (gint64) ((slow + 0.001 * r) * 1e6));
      CwLabMeasure *u = cw_lab_step_add_measure (unordered, (gint64) ((slow + 0.001 * r) * 1e6));

      for (guint i = 0; i < ordered->n_tasks; i++)
        {
          gint64 end = (gint64) ((i == 0 ? slow : first_unordered + 0.03 * (i - 1)) * 1e6) + r * 1000;
          gint64 slow_end = (gint64) (slow * 1e6) + r * 1000;

          g_array_append_val (o->finished_us, end);
          g_array_append_val (o->visible_us, slow_end);
          g_array_append_val (u->finished_us, end);
          g_array_append_val (u->visible_us, end);
        }
    }
}

static void
test_words_order (void)
{
  CwLabRun *run;
  g_autoptr(CwLabReport) agreed = NULL, noise = NULL;

  run = cw_lab_run_new_planned (CW_LAB_ORDER, 2, TRUE, 0);
  feed_order (run, 0.25, 0.03);
  agreed = words (run);
  g_assert_cmpint (agreed->verdict, ==, CW_LAB_VERDICT_AGREED);
  g_assert_nonnull (strstr (agreed->explanation, "the first quick result showed after 0.032 s"));
  g_assert_nonnull (strstr (agreed->explanation, "the first result showed at 0.252 s, though 7 of the others"));
  cw_lab_run_free (run);

  /* the quick ones no sooner than the slow one: nothing to tell apart */
  run = cw_lab_run_new_planned (CW_LAB_ORDER, 2, TRUE, 0);
  feed_order (run, 0.25, 0.25);
  noise = words (run);
  g_assert_cmpint (noise->verdict, ==, CW_LAB_VERDICT_WITHIN_NOISE);
  g_assert_nonnull (strstr (noise->explanation, "within noise"));
  cw_lab_run_free (run);
}

static void
feed_duplicates (CwLabStep *step,
                 guint      groups,
                 guint      files)
{
  cw_lab_step_add_measure (step, 100000);
  for (guint i = 0; i < 8; i++)
    g_ptr_array_add (step->outputs, g_strdup_printf ("%02u.wav", i));
  step->dup_groups = groups;
  step->dup_files = files;
  step->dup_text = g_strdup (groups ? "example00.wav = example01.wav" : "");
}

static void
test_words_random_state (void)
{
  static const struct
  {
    guint        naive_groups, naive_files, per_file_groups, per_file_files;
    CwLabVerdict verdict;
    const char  *words;
  } cases[] = {
    { 4, 8, 0, 0, CW_LAB_VERDICT_AGREED, "8 of 8 files fell into 4 groups" },
    { 4, 8, 1, 2, CW_LAB_VERDICT_DISAGREED, "a bug in Corewave" },
    { 0, 0, 0, 0, CW_LAB_VERDICT_UNTESTED, "queue more files than workers" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      CwLabRun *run = cw_lab_run_new_planned (CW_LAB_RANDOM_STATE, 2, TRUE, 0);
      g_autoptr(CwLabReport) report = NULL;

      feed_duplicates (step_at (run, "seed once in the parent"), cases[i].naive_groups, cases[i].naive_files);
      feed_duplicates (step_at (run, "per-file seeds"), cases[i].per_file_groups, cases[i].per_file_files);
      report = cw_lab_run_build_report (run);
      g_assert_cmpint (report->verdict, ==, cases[i].verdict);
      g_assert_nonnull (strstr (report->explanation, cases[i].words));
      cw_lab_run_free (run);
    }
}

/* The spread rule itself: a difference counts only when the runs do not
 * overlap. */
static void
test_noise_rule (void)
{
  CwLabStat a, b, c;

  cw_lab_stat_init (&a, (double[]) { 1.0, 1.2, 0.9, 1.1, 1.0 }, 5);
  cw_lab_stat_init (&b, (double[]) { 1.25, 1.3, 1.4, 1.35, 1.3 }, 5);
  cw_lab_stat_init (&c, (double[]) { 1.15, 1.3, 1.4, 1.35, 1.3 }, 5);
  g_assert_cmpfloat (a.median, ==, 1.0);
  g_assert_cmpfloat (a.lo, ==, 0.9);
  g_assert_cmpfloat (a.hi, ==, 1.2);
  g_assert_cmpuint (a.n, ==, 5);
  g_assert_cmpfloat_with_epsilon (cw_lab_stat_spread (&a), 0.3, 1e-12);
  g_assert_true (cw_lab_stat_differs (&a, &b));
  g_assert_true (cw_lab_stat_differs (&b, &a));
  /* one run of c beat a's slowest: within noise */
  g_assert_false (cw_lab_stat_differs (&a, &c));
  cw_lab_stat_init (&c, (double[]) { 2.0, 1.0 }, 2);
  g_assert_cmpfloat (c.median, ==, 1.5);
  cw_lab_stat_init (&c, NULL, 0);
  g_assert_false (cw_lab_stat_differs (&a, &c));
}

/* Rounds, not repeats in a row: one warm-up batch, then every setting once
 * a round, five rounds. */
static void
record_step_cb (guint       index,
                guint       n_steps,
                const char *description,
                gpointer    user_data)
{
  g_ptr_array_add (user_data, g_strdup (description));
}

static void
test_rounds (void)
{
  g_autofree char *work = cw_test_make_tmp_dir ();
  CwLabOptions options = { .work_dir = work, .max_workers = 2, .quick = TRUE };
  CwLabObserver rounds_observer = { .step_started = record_step_cb };
  g_autoptr(GPtrArray) steps = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(CwLabReport) report = NULL;
  g_autoptr(GError) error = NULL;

  cw_lab_run_full_async (CW_LAB_BIG_DATA, &options, NULL, NULL, &rounds_observer, steps, NULL, run_done_cb, &result);
  WAIT_UNTIL (result != NULL);
  report = cw_lab_run_finish (result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 1 + 5 * 3);
  g_assert_cmpstr (g_ptr_array_index (steps, 0), ==, "file name");
  for (guint r = 0; r < 5; r++)
    {
      g_assert_cmpstr (g_ptr_array_index (steps, 1 + 3 * r), ==, "file name");
      g_assert_cmpstr (g_ptr_array_index (steps, 2 + 3 * r), ==, "reading samples");
      g_assert_cmpstr (g_ptr_array_index (steps, 3 + 3 * r), ==, "samples");
    }
  g_assert_cmpstr (cell (report, 0, "runs"), ==, "5");
  g_rmdir (work);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/lab/names", test_names);
  g_test_add_func ("/cw/lab/modes", test_modes);
  g_test_add_func ("/cw/lab/chunks", test_chunks);
  g_test_add_func ("/cw/lab/overhead", test_overhead);
  g_test_add_func ("/cw/lab/big-data", test_big_data);
  g_test_add_func ("/cw/lab/shared-work", test_shared_work);
  g_test_add_func ("/cw/lab/order", test_order);
  g_test_add_func ("/cw/lab/random-state", test_random_state);
  g_test_add_func ("/cw/lab/csv", test_csv);
  g_test_add_func ("/cw/lab/cli", test_cli);
  g_test_add_func ("/cw/lab/noise-rule", test_noise_rule);
  g_test_add_func ("/cw/lab/rounds", test_rounds);
  g_test_add_func ("/cw/lab/words/modes", test_words_modes);
  g_test_add_func ("/cw/lab/words/chunks", test_words_chunks);
  g_test_add_func ("/cw/lab/words/overhead", test_words_overhead);
  g_test_add_func ("/cw/lab/words/big-data", test_words_big_data);
  g_test_add_func ("/cw/lab/words/shared-work", test_words_shared_work);
  g_test_add_func ("/cw/lab/words/order", test_words_order);
  g_test_add_func ("/cw/lab/words/random-state", test_words_random_state);

  return g_test_run ();
}
