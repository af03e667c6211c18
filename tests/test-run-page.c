/* test-run-page.c: the Run page as a class sees it, under Xvfb
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Issue 12's promises, end to end in a window on real workers: two busy
 * workers mark two cores and fill two lanes while they run, the marks go
 * at "Done", a replay at a quarter of the speed shows what was recorded,
 * and the summary's figures mean what they say. The machine's load moves
 * the timings, so nothing here asserts a duration from above; waits are
 * on the window's own state, under a watchdog.
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gtk/gtk.h>
#include <glib/gstdio.h>

#include "cw-cpus.h"
#include "cw-result-item.h"
#include "cw-settings.h"
#include "cw-test-gtk-util.h"
#include "cw-window.h"

/* No run comes near them; they only turn a hang into a failure. */
#define IDLE_TIMEOUT_S 60
#define WAIT_TIMEOUT_S 60

/* the spin tasks: two of them, this long each (CPU time) */
#define SPIN_MS 2000

typedef struct
{
  char       *dir;
  char       *out;
  CwSettings *settings;
  CwWindow   *window;
  CwRunPage  *page;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cw_test_make_tmp_dir ();
  f->out = g_build_filename (f->dir, "out", NULL);
  f->settings = cw_test_settings_new (f->out, 1);
  f->window = cw_window_new (NULL, f->settings);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1100, 760);
  gtk_window_present (GTK_WINDOW (f->window));
  f->page = cw_window_get_run_page (f->window);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_clear_object (&f->settings);
  cw_test_rm_rf (f->dir);
  g_free (f->dir);
  g_free (f->out);
}

static guint
n_cores_marked (const CwCpuSample *sample)
{
  guint n = 0;

  for (guint c = 0; c < sample->n_cpus; c++)
    if (sample->worker != NULL && sample->worker[c] != 0)
      n++;
  return n;
}

/* Runs two spin tasks of SPIN_MS on two workers; at one second into the
 * batch both lanes show a task. */
static void
run_two_spins (Fixture *f)
{
  CwTimeline *timeline = cw_run_page_get_timeline (f->page);
  gint64 at;

  cw_window_start_synthetic (f->window, CW_TASK_SPIN, 2, SPIN_MS);
  g_assert_true (cw_window_get_busy (f->window));
  /* planned (off the main thread), then started on two lanes */
  WAIT_UNTIL (cw_timeline_get_n_lanes (timeline) == 2 || !cw_window_get_busy (f->window));
  at = cw_timeline_get_start (timeline) + G_USEC_PER_SEC;
  /* samples come five times a second: the loop wakes */
  WAIT_UNTIL (g_get_monotonic_time () >= at || !cw_window_get_busy (f->window));
  g_assert_true (cw_window_get_busy (f->window));
  g_assert_cmpuint (cw_timeline_get_n_lanes (timeline), ==, 2);
  /* running, not finished: a task is drawn from its start */
  for (guint lane = 0; lane < 2; lane++)
    {
      g_assert_cmpuint (cw_timeline_get_n_bars (timeline, lane), ==, 0);
      g_assert_true (cw_timeline_get_lane_busy (timeline, lane, at));
    }
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
}

/* Two busy workers on (at least) two cores: while both run, both cores
 * are marked in at least 90 % of the samples, by the two workers. */
static void
test_two_workers_two_cores (Fixture       *f,
                            gconstpointer  data)
{
  CwReplay *replay = cw_run_page_get_replay (f->page);
  CwCpuMeter *meter = cw_run_page_get_meter (f->page);
  GListModel *results;
  gint64 both_from = G_MININT64, both_until = G_MAXINT64;
  guint n_samples = 0, n_both = 0, n_apart = 0, n_crowded = 0;
  guint count;

  if (g_get_num_processors () < 2)
    {
      g_test_skip ("needs two cores");
      return;
    }
  run_two_spins (f);

  /* when both tasks ran, from their results */
  results = cw_result_view_get_model (cw_window_get_result_view (f->window));
  g_assert_cmpuint (g_list_model_get_n_items (results), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(CwResultItem) item = g_list_model_get_item (results, i);
      gint64 start = cw_replay_get_start (replay) + (gint64) (cw_result_item_get_start_s (item) * 1e6);
      gint64 end = cw_replay_get_start (replay) + (gint64) (cw_result_item_get_end_s (item) * 1e6);

      g_assert_cmpint (cw_result_item_get_status (item), ==, CW_STATUS_OK);
      both_from = MAX (both_from, start);
      both_until = MIN (both_until, end);
    }
  g_assert_cmpint (both_until - both_from, >, G_USEC_PER_SEC);

  /* every sample recorded whose interval lies in that time */
  g_assert_true (cw_replay_get_available (replay));
  for (guint i = 0; i < cw_replay_get_n_samples (replay); i++)
    {
      const CwCpuSample *s = cw_replay_get_sample (replay, i);
      guint marked;

      double use = 0;

      if (s->interval_us <= 0 || s->time_us - s->interval_us < both_from || s->time_us > both_until)
        continue;
      /* this machine is shared: when something else holds a core, the
       * two workers (at nice 5) really do share the other one, and one
       * core marked is the truth. The promise is for workers that have
       * the cores: together at least 1.5 cores' time in the interval. */
      for (guint w = 0; w < s->n_procs; w++)
        use += s->procs[w].use;
      if (use < 1.5)
        {
          n_crowded++;
          continue;
        }
      n_samples++;
      marked = n_cores_marked (s);
      if (marked >= 2)
        n_both++;
      if (marked >= 2 && s->worker[0] != s->worker[1])
        n_apart++;
      if (marked < 2)
        {
          g_autoptr(GString) line = g_string_new (NULL);

          g_string_append_printf (line, "sample at %+.3f s (%.0f ms):", (s->time_us - both_from) / 1e6,
                                  s->interval_us / 1e3);
          for (guint c = 0; c < s->n_cpus; c++)
            g_string_append_printf (line, " core %u %.0f %% worker %u;", c, s->usage[c] * 100, s->worker[c]);
          for (guint w = 0; w < s->n_procs; w++)
            g_string_append_printf (line, " slot %u on %d %.2f", s->procs[w].slot, s->procs[w].core,
                                    s->procs[w].use);
          g_test_message ("%s", line->str);
        }
    }
  g_test_message ("%u samples while both ran on two cores: both cores marked in %u, by different "
                  "workers in %u; %u samples left out, the workers crowded by other load",
                  n_samples, n_both, n_apart, n_crowded);
  if (n_samples < 10)
    {
      g_test_skip ("the machine is too busy: the workers never had two cores for long");
      return;
    }
  g_assert_cmpuint (n_both * 10, >=, n_samples * 9);

  /* the marks go at "Done", and stay gone on the next live samples */
  g_assert_cmpuint (cw_cpu_meter_get_n_marked (meter), ==, 0);
  for (guint c = 0; c < cw_cpu_meter_get_n_cpus (meter); c++)
    g_assert_cmpuint (cw_cpu_meter_get_worker (meter, c), ==, 0);
  count = cw_cpu_meter_get_n_samples (meter);
  g_assert_cmpuint (count, <, 2000);
  WAIT_UNTIL (cw_cpu_meter_get_n_samples (meter) > count);
  g_assert_cmpuint (cw_cpu_meter_get_n_marked (meter), ==, 0);
  cw_test_assert_no_children ();
}

typedef struct
{
  GPtrArray *seen;   /* CwCpuSample*, copies */
  guint      rewinds;
} Played;

static void
replay_sample_cb (CwReplay          *replay,
                  const CwCpuSample *sample,
                  Played            *played)
{
  g_ptr_array_add (played->seen, cw_cpu_sample_copy (sample));
}

static void
replay_rewound_cb (CwReplay *replay,
                   Played   *played)
{
  played->rewinds++;
  g_ptr_array_set_size (played->seen, 0);
}

static void
assert_same_sample (const CwCpuSample *a,
                    const CwCpuSample *b)
{
  g_assert_cmpint (a->time_us, ==, b->time_us);
  g_assert_cmpuint (a->n_cpus, ==, b->n_cpus);
  for (guint c = 0; c < a->n_cpus; c++)
    {
      g_assert_cmpfloat (a->usage[c], ==, b->usage[c]);
      g_assert_cmpuint (a->worker != NULL ? a->worker[c] : 0, ==, b->worker != NULL ? b->worker[c] : 0);
    }
}

/* A replay at 1/4 speed plays every recorded sample, in order, and takes
 * (at least) four times the batch's length; the meter ends where the
 * batch did, marks and all. */
static void
test_replay_quarter (Fixture       *f,
                     gconstpointer  data)
{
  CwReplay *replay = cw_run_page_get_replay (f->page);
  CwCpuMeter *meter = cw_run_page_get_meter (f->page);
  GtkToggleButton *quarter = GTK_TOGGLE_BUTTON (gtk_widget_get_template_child (GTK_WIDGET (f->page),
                                                                               CW_TYPE_RUN_PAGE,
                                                                               "speed_quarter"));
  Played played = { g_ptr_array_new_with_free_func ((GDestroyNotify) cw_cpu_sample_free), 0 };
  const CwCpuSample *last;
  gint64 t0, elapsed, duration;
  guint n;

  /* a short batch: four 300-ms tasks */
  cw_window_start_synthetic (f->window, CW_TASK_SPIN, 4, 300);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  n = cw_replay_get_n_samples (replay);
  duration = cw_replay_get_duration (replay);
  g_assert_cmpuint (n, >=, 5);
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (quarter)));
  /* the bar is at the batch's end, and says how long it was */
  {
    GtkLabel *time = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->page), CW_TYPE_RUN_PAGE,
                                                               "replay_time"));
    g_autofree char *expected = g_strdup_printf ("%.2f / %.2f s", duration / 1e6, duration / 1e6);

    if (duration < 10 * G_USEC_PER_SEC)
      g_assert_cmpstr (gtk_label_get_label (time), ==, expected);
  }

  g_signal_connect (replay, "sample", G_CALLBACK (replay_sample_cb), &played);
  g_signal_connect (replay, "rewound", G_CALLBACK (replay_rewound_cb), &played);
  gtk_toggle_button_set_active (quarter, TRUE);
  g_assert_cmpfloat (cw_replay_get_speed (replay), ==, 0.25);
  t0 = g_get_monotonic_time ();
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "run.play", NULL));
  g_assert_true (cw_replay_get_playing (replay));
  g_assert_true (cw_replay_get_active (replay));
  /* the marks are the recorded ones while it plays */
  WAIT_UNTIL (!cw_replay_get_playing (replay));
  elapsed = g_get_monotonic_time () - t0;
  g_signal_handlers_disconnect_by_data (replay, &played);

  g_test_message ("batch %.2f s, %u samples; the replay took %.2f s and showed %u",
                  duration / 1e6, n, elapsed / 1e6, played.seen->len);
  g_assert_cmpint (elapsed, >=, duration * 4 * 9 / 10);
  g_assert_cmpuint (played.seen->len, ==, n);
  for (guint i = 0; i < n; i++)
    assert_same_sample (g_ptr_array_index (played.seen, i), cw_replay_get_sample (replay, i));

  /* the meter shows the batch's last moment, as recorded */
  last = cw_replay_get_sample (replay, n - 1);
  for (guint c = 0; c < cw_cpu_meter_get_n_cpus (meter); c++)
    g_assert_cmpuint (cw_cpu_meter_get_worker (meter, c), ==, last->worker != NULL ? last->worker[c] : 0);

  /* back to live: no marks */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->page), "run.live", NULL));
  g_assert_false (cw_replay_get_active (replay));
  g_assert_cmpuint (cw_cpu_meter_get_n_marked (meter), ==, 0);
  g_ptr_array_unref (played.seen);
}

/* Parses "… · 1.23 s · workers’ CPU 4.01 s · used 1.9 of 2 cores on
 * average (95 %)" (the window is in English here). */
static void
parse_summary (const char *summary,
               double     *wall,
               double     *cpu,
               double     *used,
               guint      *cores,
               double     *percent)
{
  const char *p = strstr (summary, " s · workers’ CPU ");
  const char *q;

  g_assert_nonnull (p);
  for (q = p; q > summary && q[-1] != ' '; q--)
    ;
  g_assert_cmpint (sscanf (q, "%lf", wall), ==, 1);
  g_assert_cmpint (sscanf (p + strlen (" s · workers’ CPU "), "%lf", cpu), ==, 1);
  p = strstr (summary, " · used ");
  g_assert_nonnull (p);
  g_assert_cmpint (sscanf (p, " · used %lf of %u", used, cores), ==, 2);
  p = strstr (p, "on average (");
  g_assert_nonnull (p);
  g_assert_cmpint (sscanf (p, "on average (%lf", percent), ==, 1);
}

/* A known batch: five files queued, one whose output is kept (skipped),
 * one not audio inside (failed), three done. The counts are out of the
 * five; "used" is the workers' CPU over the wall over the cores. */
static void
test_summary_counts (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *broken = NULL;
  g_autofree char *kept = NULL;
  const char *summary;
  double wall, cpu, used, percent;
  guint cores;

  for (guint i = 0; i < 5; i++)
    {
      char *name = g_strdup_printf ("%s/tone%u.wav", f->dir, i);

      cw_test_write_sine (name, 1.0, 300 + 20 * i, 1);
      g_ptr_array_add (paths, name);
    }
  g_ptr_array_add (paths, NULL);
  cw_test_drop_paths (f->window, (const char * const *) paths->pdata, IDLE_TIMEOUT_S);
  g_assert_cmpuint (g_list_model_get_n_items (cw_window_get_queue (f->window)), ==, 5);

  /* After queueing, one turns out not to be audio: it fails. Another has
   * its output in the output folder already, and the settings say to skip
   * such files: the batch leaves it out at its start (it goes to the
   * Skipped list), and it counts as skipped. */
  broken = g_strdup (g_ptr_array_index (paths, 4));
  kept = g_build_filename (f->out, "tone3.wav", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->out, 0755), ==, 0);
  g_assert_true (g_file_set_contents (kept, "an output of before", -1, NULL));
  g_assert_true (g_file_set_contents (broken, "RIFF, but not really a WAV file at all", -1, NULL));
  cw_settings_set_existing (f->settings, CW_EXISTING_CHOICE_SKIP);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f->window), "win.start", NULL));
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);

  summary = cw_window_get_summary (f->window);
  g_test_message ("summary: %s", summary);
  g_assert_true (g_str_has_prefix (summary, "3 of 5 files done · 1 failed · 1 skipped · "));
  g_assert_null (strstr (summary, "speed-up"));
  {
    g_autofree char *text = NULL;

    /* kept, as asked */
    g_assert_true (g_file_get_contents (kept, &text, NULL, NULL));
    g_assert_cmpstr (text, ==, "an output of before");
  }

  parse_summary (summary, &wall, &cpu, &used, &cores, &percent);
  g_assert_cmpuint (cores, ==, MAX (cw_cpus_usable (), 1));
  g_assert_cmpfloat (wall, >, 0);
  g_assert_cmpfloat (used, <=, cores);
  /* the figures follow from one another, to their rounding */
  g_assert_cmpfloat (fabs (used - MIN (cpu / wall, cores)), <=, 0.05 + 0.01 / wall);
  g_assert_cmpfloat (fabs (percent - used / cores * 100), <=, 5 + 1 / wall);
  cw_test_assert_no_children ();
}

/* The same on pure CPU work: two 2-s spins are 4 s of the workers' CPU
 * (spin burns CPU time, not wall time), and nothing of the window's. */
static void
test_summary_cores_used (Fixture       *f,
                         gconstpointer  data)
{
  double wall, cpu, used, percent;
  guint cores;

  if (g_get_num_processors () < 2)
    {
      g_test_skip ("needs two cores");
      return;
    }
  cw_window_start_synthetic (f->window, CW_TASK_SPIN, 2, SPIN_MS);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_test_message ("summary: %s", cw_window_get_summary (f->window));
  g_assert_true (g_str_has_prefix (cw_window_get_summary (f->window), "2 of 2 files done · "));
  parse_summary (cw_window_get_summary (f->window), &wall, &cpu, &used, &cores, &percent);
  g_assert_cmpfloat (cpu, >=, 2 * SPIN_MS / 1000.0 - 0.01);
  /* a spin's CPU time overshoots by a loop or two; the window's own CPU
   * over the batch (drawing, the sampler) would be tenths of a second */
  g_assert_cmpfloat (cpu, <, 2 * SPIN_MS / 1000.0 + 0.1);
  g_assert_cmpfloat (wall, >=, SPIN_MS / 1000.0);
  g_assert_cmpfloat (fabs (used - MIN (cpu / wall, cores)), <=, 0.06);
}

/* Presentation mode (F11): the Run page alone, without the header, the
 * page switcher or the Skipped button; Escape leaves it and does not
 * cancel the batch the class is watching. */
static void
test_presentation (Fixture       *f,
                   gconstpointer  data)
{
  GtkWidget *window = GTK_WIDGET (f->window);
  GtkWidget *header = GTK_WIDGET (gtk_widget_get_template_child (window, CW_TYPE_WINDOW, "header_bar"));
  GtkWidget *skipped = GTK_WIDGET (gtk_widget_get_template_child (window, CW_TYPE_WINDOW, "run_skipped_button"));
  AdwViewStack *stack = ADW_VIEW_STACK (gtk_widget_get_template_child (window, CW_TYPE_WINDOW, "view_stack"));
  g_autofree char *notes = g_build_filename (f->dir, "notes.txt", NULL);
  const char *paths[] = { notes, NULL };

  /* something skipped: the Run page has its button */
  g_assert_true (g_file_set_contents (notes, "not audio", -1, NULL));
  cw_test_drop_paths (f->window, paths, IDLE_TIMEOUT_S);
  g_assert_true (gtk_widget_get_visible (skipped));

  adw_view_stack_set_visible_child_name (stack, "settings");
  g_assert_true (gtk_widget_activate_action (window, "win.presentation", NULL));
  g_assert_true (cw_window_get_presentation (f->window));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "run");
  g_assert_false (gtk_widget_get_visible (header));
  g_assert_false (gtk_widget_get_visible (skipped));

  cw_window_start_synthetic (f->window, CW_TASK_SPIN, 2, 500);
  g_assert_true (cw_window_get_busy (f->window));
  g_assert_true (gtk_widget_activate_action (window, "win.cancel", NULL));
  g_assert_false (cw_window_get_presentation (f->window));
  g_assert_true (gtk_widget_get_visible (header));
  g_assert_true (gtk_widget_get_visible (skipped));
  g_assert_true (cw_window_get_busy (f->window));
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_true (g_str_has_prefix (cw_window_get_summary (f->window), "2 of 2 files done · "));
}

static void
count_frame_cb (GdkFrameClock *clock,
                guint         *n)
{
  (*n)++;
}

/* The page draws at its own pace, not the workers': a batch of short
 * tasks (a start and a result every few ms) gets a few frames a second.
 * A frame for each task's start, or the replay bar sliding away at Start,
 * made it 60 a second, and on a 2-core machine without a GPU those frames
 * took the CPU the workers needed. The replay bar stays where it is,
 * insensitive, so nothing on the page moves when a batch starts. */
static void
test_frames (Fixture       *f,
             gconstpointer  data)
{
  GtkWidget *revealer = (GtkWidget *) gtk_widget_get_template_child (GTK_WIDGET (f->page), CW_TYPE_RUN_PAGE,
                                                                     "replay_revealer");
  GtkLabel *time = GTK_LABEL (gtk_widget_get_template_child (GTK_WIDGET (f->page), CW_TYPE_RUN_PAGE,
                                                             "replay_time"));
  GdkFrameClock *clock;
  guint n_frames = 0, n_checked = 0, n_recording = 0;
  gint64 t0, elapsed;
  gulong id;

  /* a first batch, so there is one to replay */
  cw_window_start_synthetic (f->window, CW_TASK_SPIN, 2, 100);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
  g_assert_true (gtk_widget_is_sensitive (gtk_revealer_get_child (GTK_REVEALER (revealer))));

  clock = gtk_widget_get_frame_clock (GTK_WIDGET (f->window));
  g_assert_nonnull (clock);
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (count_frame_cb), &n_frames);
  /* 100 tasks of 15 ms on two workers: a task starts every ~8 ms */
  t0 = g_get_monotonic_time ();
  cw_window_start_synthetic (f->window, CW_TASK_SPIN, 100, 15);
  while (cw_window_get_busy (f->window))
    {
      g_main_context_iteration (NULL, TRUE);
      if (cw_window_get_busy (f->window))
        {
          g_assert_true (gtk_revealer_get_reveal_child (GTK_REVEALER (revealer)));
          g_assert_false (gtk_widget_is_sensitive (gtk_revealer_get_child (GTK_REVEALER (revealer))));
          /* recording: not the last batch's length, which would read as
           * this one's */
          if (cw_replay_get_recording (cw_run_page_get_replay (f->page)))
            {
              g_assert_cmpstr (gtk_label_get_label (time), ==, "");
              n_recording++;
            }
          n_checked++;
        }
    }
  elapsed = g_get_monotonic_time () - t0;
  g_signal_handler_disconnect (clock, id);
  g_test_message ("%u frames in %.2f s: %.1f a second", n_frames, elapsed / 1e6,
                  n_frames / (elapsed / 1e6));
  g_assert_cmpuint (n_checked, >, 0);
  g_assert_cmpuint (n_recording, >, 0);
  g_assert_cmpuint (n_frames, >=, 1);
  /* the page's own pace (about 28 a second here): samples and the
   * progress five times a second each, the result list ten (twice each
   * while its first rows catch up); 60 is a frame every vblank */
  g_assert_cmpfloat (n_frames / (elapsed / 1e6), <=, 40);
  cw_test_wait_idle (f->window, IDLE_TIMEOUT_S);
  g_assert_true (gtk_widget_is_sensitive (gtk_revealer_get_child (GTK_REVEALER (revealer))));
  g_assert_cmpstr (gtk_label_get_label (time), !=, "");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *state = g_dir_make_tmp ("cw-run-page-state-XXXXXX", NULL);
  int status;

  /* the windows record their batches here, not in the user's state folder */
  g_setenv ("XDG_STATE_HOME", state, TRUE);
  if (!cw_test_init_gtk (&argc, &argv))
    {
      cw_test_rm_rf (state);
      return 0;
    }

  g_test_add ("/cw/run-page/two-workers-two-cores", Fixture, NULL, fixture_setup,
              test_two_workers_two_cores, fixture_teardown);
  g_test_add ("/cw/run-page/replay-quarter", Fixture, NULL, fixture_setup,
              test_replay_quarter, fixture_teardown);
  g_test_add ("/cw/run-page/presentation", Fixture, NULL, fixture_setup,
              test_presentation, fixture_teardown);
  g_test_add ("/cw/run-page/frames", Fixture, NULL, fixture_setup,
              test_frames, fixture_teardown);
  g_test_add ("/cw/run-page/summary/counts", Fixture, NULL, fixture_setup,
              test_summary_counts, fixture_teardown);
  g_test_add ("/cw/run-page/summary/cores-used", Fixture, NULL, fixture_setup,
              test_summary_cores_used, fixture_teardown);

  status = g_test_run ();
  cw_test_rm_rf (state);
  return status;
}
