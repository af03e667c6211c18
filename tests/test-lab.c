/* test-lab.c: each of the lab's experiments, run small, has the lesson's
 * shape (test-lab-words.c: given fixed measurements, its words follow its
 * table)
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
      guint seq = cw_test_row (report, "sequential", NULL, NULL);
      guint proc = cw_test_row (report, "processes", "workers", "2");
      const CwLabSeries *ideal = cw_test_series (report, "Ideal");
      double speedup = cw_test_cell_double (report, proc, "speedup");

      g_assert_nonnull (ideal);
      g_assert_true (ideal->dashed);
      g_assert_cmpuint (ideal->points->len, ==, 2);
      g_assert_cmpfloat (g_array_index (ideal->points, CwLabPoint, 1).y, ==, 2.0);
      g_assert_nonnull (cw_test_series (report, "Threads"));
      g_assert_nonnull (cw_test_series (report, "Processes"));
      g_assert_cmpfloat (cw_test_cell_double (report, seq, "speedup"), ==, 1.0);
      if (speedup > 1.3)
        {
          g_assert_cmpfloat (cw_test_cell_double (report, proc, "wall_s"), <,
                             cw_test_cell_double (report, seq, "wall_s"));
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
  guint auto_row = cw_test_row (report, "auto", NULL, NULL);
  guint k8 = cw_test_row (report, "8", NULL, NULL);

  /* 24 tasks on 2 workers: K = 1, 2, 4, 8 (2 × 8 < 24), then auto */
  g_assert_cmpuint (report->rows->len, ==, 5);
  g_assert_cmpstr (cw_test_cell (report, 0, "chunk_size"), ==, "1");
  g_assert_cmpstr (cw_test_cell (report, 3, "chunk_size"), ==, "8");
  g_assert_true (report->log_x);
  for (guint r = 0; r < report->rows->len; r++)
    {
      g_assert_cmpfloat (cw_test_cell_double (report, r, "wall_s"), >, 0);
      g_assert_cmpstr (cw_test_cell (report, r, "runs"), ==, "5");
      g_assert_cmpfloat (cw_test_cell_double (report, r, "workers_peak_mib"), >, 0);
      g_assert_cmpfloat (cw_test_cell_double (report, r, "workers_peak_mib"), <, 48);
    }
  /* three chunks of 8 for two workers: one sat idle behind the last */
  g_assert_cmpstr (cw_test_cell (report, k8, "trips"), ==, "3");
  g_assert_cmpfloat (cw_test_cell_double (report, k8, "idle_at_end_s"), >, 0);
  g_assert_cmpfloat (cw_test_cell_double (report, auto_row, "trips"), >=, 1);
  g_assert_nonnull (strstr (report->explanation, "Auto measured"));
  g_assert_nonnull (cw_test_series (report, "Auto"));
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
  guint seq = cw_test_row (report, "sequential", NULL, NULL);
  guint k1 = cw_test_row (report, "pool, chunk size 1", NULL, NULL);

  for (guint r = 0; r < report->rows->len; r++)
    g_assert_cmpfloat (cw_test_cell_double (report, r, "us_per_task"), >, 0);
  /* one trip per task costs far more than the task */
  g_assert_cmpfloat (cw_test_cell_double (report, k1, "us_per_task"), >,
                     cw_test_cell_double (report, seq, "us_per_task"));
  g_assert_cmpfloat (cw_test_cell_double (report, k1, "us_per_task"), >,
                     cw_test_cell_double (report, cw_test_row (report, "pool, chunk size 100", NULL, NULL),
                                          "us_per_task"));
}

static void
test_big_data (void)
{
  g_autoptr(CwLabReport) report = run_lab (CW_LAB_BIG_DATA);
  guint names = cw_test_row (report, "file name", NULL, NULL);
  guint samples = cw_test_row (report, "samples", NULL, NULL);
  double b_names = cw_test_cell_double (report, names, "bytes_to_workers")
                   + cw_test_cell_double (report, names, "bytes_from_workers");
  double b_samples = cw_test_cell_double (report, samples, "bytes_to_workers")
                     + cw_test_cell_double (report, samples, "bytes_from_workers");

  g_assert_cmpfloat (b_names, >, 0);
  g_assert_cmpfloat (b_samples, >, 100 * b_names);
}

static void
test_shared_work (void)
{
  g_autoptr(CwLabReport) report = run_lab (CW_LAB_SHARED_WORK);
  guint single = cw_test_row (report, "naive, one process", NULL, NULL);
  guint parallel = cw_test_row (report, "naive, 2 processes", NULL, NULL);
  guint memo = cw_test_row (report, "memoised, one pass", NULL, NULL);
  const CwLabSeries *wall = cw_test_series (report, "Wall time (s)");

  g_assert_cmpfloat (cw_test_cell_double (report, memo, "wall_s"), <, cw_test_cell_double (report, single, "wall_s"));
  g_assert_cmpfloat (cw_test_cell_double (report, memo, "wall_s"), <, cw_test_cell_double (report, parallel, "wall_s"));
  /* nanoseconds, yet a figure: three significant digits */
  g_assert_cmpfloat (cw_test_cell_double (report, memo, "wall_s"), >, 0);
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
    if (g_strcmp0 (cw_test_cell (report, r, name), value) == 0)
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
  slow_ordered = cw_test_cell_double (report, cw_test_row (report, "ordered", "task", "0"), "visible_s");
  slow_unordered = cw_test_cell_double (report, cw_test_row (report, "unordered", "task", "0"), "visible_s");

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
      if (g_strcmp0 (cw_test_cell (report, r, "slow"), "yes") == 0)
        continue;
      if (g_strcmp0 (cw_test_cell (report, r, "order"), "ordered") == 0)
        g_assert_cmpfloat (cw_test_cell_double (report, r, "visible_s"), >=, slow_ordered);
      else if (cw_test_cell_double (report, r, "visible_s") < slow_unordered)
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
  naive = cw_test_row (report, "seed once in the parent", NULL, NULL);
  per_file = cw_test_row (report, "per-file seeds", NULL, NULL);
  /* each batch's files, not the warm-up's spin tasks before them */
  g_assert_cmpuint (obs.descriptions->len, ==, 2);
  g_assert_cmpuint (observed_results (&obs, 0), ==, (guint) cw_test_cell_double (report, naive, "files"));
  g_assert_cmpuint (observed_results (&obs, 1), ==, (guint) cw_test_cell_double (report, per_file, "files"));
  observed_clear (&obs);

  g_assert_cmpfloat (cw_test_cell_double (report, naive, "duplicate_groups"), >=, 1);
  g_assert_nonnull (strstr (cw_test_cell (report, naive, "groups"), " = "));
  g_assert_cmpstr (cw_test_cell (report, per_file, "duplicate_groups"), ==, "0");
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
  g_assert_cmpstr (cw_test_cell (report, 0, "runs"), ==, "5");
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

  return g_test_run ();
}
