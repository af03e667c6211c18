/* test-lab.c: each of the lab's experiments, run small, has the lesson's shape
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cw-lab.h"
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

static void
test_chunks (void)
{
  g_autoptr(CwLabReport) report = run_lab (CW_LAB_CHUNKS);
  guint auto_row = find_row (report, "auto", NULL, NULL);

  /* 8 files on 2 workers: K = 1, 2, 4, then auto */
  g_assert_cmpuint (report->rows->len, ==, 4);
  g_assert_cmpstr (cell (report, 0, "chunk_size"), ==, "1");
  g_assert_cmpstr (cell (report, 2, "chunk_size"), ==, "4");
  g_assert_true (report->log_x);
  for (guint r = 0; r < report->rows->len; r++)
    {
      g_assert_cmpfloat (cell_double (report, r, "wall_s"), >, 0);
      g_assert_cmpfloat (cell_double (report, r, "peak_worker_rss_mib"), >, 0);
    }
  g_assert_cmpfloat (cell_double (report, auto_row, "trips"), >=, 1);
  g_assert_nonnull (strstr (report->explanation, "Auto measured"));
  g_assert_nonnull (find_series (report, "Auto"));
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
  guint naive = find_row (report, "naive, each task on its own", NULL, NULL);
  guint memo = find_row (report, "memoised, one pass", NULL, NULL);

  g_assert_cmpfloat (cell_double (report, memo, "wall_s"), <, cell_double (report, naive, "wall_s"));
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

  /* the observer saw both batches, every task of each once (8 in quick) */
  g_assert_cmpuint (obs.descriptions->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (obs.descriptions, 0), ==, "as submitted");
  g_assert_cmpstr (g_ptr_array_index (obs.descriptions, 1), ==, "as completed");
  g_assert_cmpuint (count_rows (report, "order", "ordered"), ==, 8);
  g_assert_cmpuint (observed_results (&obs, 0), ==, count_rows (report, "order", "ordered"));
  g_assert_cmpuint (observed_results (&obs, 1), ==, count_rows (report, "order", "unordered"));
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
  g_assert_cmpstr (lines[0], ==, "method,workers,tasks,wall_s,cpu_s");
  /* header, one line per row, and the final newline's empty tail */
  g_assert_cmpuint (g_strv_length (lines), ==, report->rows->len + 2);
  /* a field with a comma is quoted */
  g_assert_true (g_str_has_prefix (lines[1], "\"naive, each task on its own\",2,"));
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
  g_assert_nonnull (strstr (out, "times faster"));
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, NULL));
  g_assert_true (g_str_has_prefix (csv, "method,workers,tasks,wall_s,cpu_s\n"));
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

  return g_test_run ();
}
