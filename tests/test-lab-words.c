/* test-lab-words.c: every sentence of a lab report follows its table:
 * fixed measurements go into each experiment's report builder, for a
 * difference beyond noise and for one within it, and the words are checked
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "cw-lab-private.h"
#include "cw-test-util.h"

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
  g_assert_cmpstr (cw_test_cell (agreed, cw_test_row (agreed, "processes", "workers", "2"), "speedup"), ==, "1.96");
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
  g_assert_cmpstr (cw_test_cell (agreed, cw_test_row (agreed, "8", NULL, NULL), "idle_at_end_s"), ==, "0.050");
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
  g_assert_cmpstr (cw_test_cell (agreed, cw_test_row (agreed, "samples", NULL, NULL), "total_s"), ==, "0.140");
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
  g_assert_cmpstr (cw_test_cell (agreed, 2, "speedup"), ==, "10000000");
  /* the memoised pass: a bar on the chart, nanoseconds in the table */
  g_assert_cmpuint (((CwLabSeries *) g_ptr_array_index (agreed->series, 0))->points->len, ==, 3);
  g_assert_cmpfloat (cw_test_cell_double (agreed, cw_test_row (agreed, "memoised, one pass", NULL, NULL), "wall_s"),
                     >, 0);
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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/lab/words/modes", test_words_modes);
  g_test_add_func ("/cw/lab/words/chunks", test_words_chunks);
  g_test_add_func ("/cw/lab/words/overhead", test_words_overhead);
  g_test_add_func ("/cw/lab/words/big-data", test_words_big_data);
  g_test_add_func ("/cw/lab/words/shared-work", test_words_shared_work);
  g_test_add_func ("/cw/lab/words/order", test_words_order);
  g_test_add_func ("/cw/lab/words/random-state", test_words_random_state);

  return g_test_run ();
}
