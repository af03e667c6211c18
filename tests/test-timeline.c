/* test-timeline.c: the worker timeline: lanes, bars, tooltips, 10,000 tasks
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gtk/gtk.h>

#include "cw-test-gtk-util.h"
#include "cw-timeline.h"

#define WAIT_TIMEOUT_S 30
#define START_US       1000000000

/* Task @index ran on @worker from @start_ms to @end_ms after the start. */
static void
add_task (CwTimeline *timeline,
          guint64     index,
          guint       worker,
          gint64      start_ms,
          gint64      end_ms,
          CwStatus    status)
{
  CwResult result = { 0 };

  result.index = index;
  result.status = status;
  result.attempts = 1;
  result.worker = worker;
  result.start_us = START_US + start_ms * 1000;
  result.end_us = START_US + end_ms * 1000;
  result.input_path = g_strdup_printf ("/tmp/in/track-%05" G_GUINT64_FORMAT ".wav", index);
  cw_timeline_add (timeline, &result);
  cw_result_clear (&result);
}

static GtkWidget *
window_with (CwTimeline *timeline,
             int         width)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_default_size (GTK_WINDOW (window), width, 200);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (timeline));
  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (gtk_widget_get_width (GTK_WIDGET (timeline)) > 0);
  return window;
}

static guint
count_nodes (GskRenderNode *node)
{
  guint n = 1;

  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        n += count_nodes (gsk_container_node_get_child (node, i));
      break;
    case GSK_CLIP_NODE:
      n += count_nodes (gsk_clip_node_get_child (node));
      break;
    case GSK_TRANSFORM_NODE:
      n += count_nodes (gsk_transform_node_get_child (node));
      break;
    default:
      break;
    }
  return n;
}

/* ---------------------------------------------------------------------- */

static void
test_lanes (void)
{
  CwTimeline *timeline = CW_TIMELINE (cw_timeline_new ());
  GtkWidget *window = window_with (timeline, 600);

  cw_timeline_clear (timeline, START_US, 3);
  g_assert_cmpuint (cw_timeline_get_n_lanes (timeline), ==, 3);

  add_task (timeline, 0, 0, 0, 100, CW_STATUS_OK);
  add_task (timeline, 1, 1, 0, 150, CW_STATUS_OK);
  add_task (timeline, 2, 0, 100, 200, CW_STATUS_FAILED);
  add_task (timeline, 3, 2, 10, 300, CW_STATUS_CANCELLED);
  /* out of start order within a lane (a retry) */
  add_task (timeline, 4, 1, 50, 60, CW_STATUS_OK);
  g_assert_cmpuint (cw_timeline_get_n_bars (timeline, 0), ==, 2);
  g_assert_cmpuint (cw_timeline_get_n_bars (timeline, 1), ==, 2);
  g_assert_cmpuint (cw_timeline_get_n_bars (timeline, 2), ==, 1);

  /* a slot beyond the count given grows a lane */
  add_task (timeline, 5, 4, 0, 10, CW_STATUS_OK);
  g_assert_cmpuint (cw_timeline_get_n_lanes (timeline), ==, 5);
  g_assert_cmpuint (cw_timeline_get_n_bars (timeline, 3), ==, 0);
  g_assert_cmpuint (cw_timeline_get_n_bars (timeline, 4), ==, 1);

  cw_timeline_set_running (timeline, FALSE);
  cw_timeline_clear (timeline, START_US, 2);
  g_assert_cmpuint (cw_timeline_get_n_lanes (timeline), ==, 2);
  g_assert_cmpuint (cw_timeline_get_n_bars (timeline, 0), ==, 0);
  cw_timeline_set_running (timeline, FALSE);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_tooltip (void)
{
  CwTimeline *timeline = CW_TIMELINE (cw_timeline_new ());
  GtkWidget *window = window_with (timeline, 600);
  graphene_rect_t area, other;
  g_autofree char *text = NULL;
  g_autofree char *other_text = NULL;
  g_autofree char *nothing = NULL;

  cw_timeline_clear (timeline, START_US, 2);
  add_task (timeline, 0, 0, 0, 400, CW_STATUS_OK);
  add_task (timeline, 7, 1, 500, 1000, CW_STATUS_FAILED);
  cw_timeline_set_running (timeline, FALSE);

  g_assert_true (cw_timeline_get_bar_area (timeline, 7, &area));
  g_assert_true (cw_timeline_get_bar_area (timeline, 0, &other));
  /* lanes in slot order, the axis in time */
  g_assert_cmpfloat (area.origin.y, >, other.origin.y);
  g_assert_cmpfloat (area.origin.x, >, other.origin.x + other.size.width);
  g_assert_false (cw_timeline_get_bar_area (timeline, 99, &area));

  text = cw_timeline_describe_at (timeline, area.origin.x + area.size.width / 2,
                                  area.origin.y + area.size.height / 2);
  g_assert_nonnull (text);
  g_test_message ("tooltip: %s", text);
  g_assert_nonnull (strstr (text, "track-00007.wav"));
  g_assert_nonnull (strstr (text, "#7"));
  g_assert_nonnull (strstr (text, "worker 2"));
  g_assert_nonnull (strstr (text, "failed"));

  other_text = cw_timeline_describe_at (timeline, other.origin.x + other.size.width / 2,
                                        other.origin.y + other.size.height / 2);
  g_assert_nonnull (strstr (other_text, "track-00000.wav"));

  /* lane 0 is empty after its task */
  nothing = cw_timeline_describe_at (timeline, area.origin.x + area.size.width / 2,
                                     other.origin.y + other.size.height / 2);
  g_assert_null (nothing);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_cpu_strip (void)
{
  CwTimeline *timeline = CW_TIMELINE (cw_timeline_new ());
  GtkWidget *window = window_with (timeline, 600);
  double usage[4] = { 0.1, 0.9, -1, 0.5 };
  guint workers[4] = { 0 };
  CwCpuSample sample = { .n_cpus = 4, .total = 0.5, .usage = usage, .workers = workers };
  g_autofree char *text = NULL;
  graphene_rect_t area;

  cw_timeline_clear (timeline, START_US, 1);
  /* before the batch: ignored */
  sample.time_us = START_US - 1000;
  cw_timeline_push_cpu (timeline, &sample);
  for (guint i = 1; i <= 4; i++)
    {
      sample.time_us = START_US + i * 250000;
      cw_timeline_push_cpu (timeline, &sample);
    }
  add_task (timeline, 0, 0, 0, 1000, CW_STATUS_OK);
  cw_timeline_set_running (timeline, FALSE);

  /* the strip sits above the lanes: the top row is core 0 */
  g_assert_true (cw_timeline_get_bar_area (timeline, 0, &area));
  g_assert_cmpfloat (area.origin.y, >, 8);
  text = cw_timeline_describe_at (timeline, area.origin.x + area.size.width / 2, 1);
  g_assert_nonnull (text);
  g_assert_nonnull (strstr (text, "Core 0"));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* mul10 results carry their chunk's one time stamp: a run of them on a
 * worker is one bar, every task still counted and found. */
static void
test_stamped_runs (void)
{
  CwTimeline *timeline = CW_TIMELINE (cw_timeline_new ());
  GtkWidget *window = window_with (timeline, 600);
  g_autofree char *text = NULL;
  graphene_rect_t area, first, other;

  cw_timeline_clear (timeline, START_US, 2);
  for (guint64 i = 0; i < 300; i++)
    {
      CwResult result = { 0 };

      /* chunks of 100: 0-99 and 200-299 on worker 0, 100-199 on worker 1 */
      result.index = i;
      result.status = CW_STATUS_OK;
      result.attempts = 1;
      result.worker = (i / 100) % 2;
      result.start_us = result.end_us = START_US + (i / 100 + 1) * 100000;
      cw_timeline_add (timeline, &result);
    }
  cw_timeline_set_running (timeline, FALSE);
  g_assert_cmpuint (cw_timeline_get_n_bars (timeline, 0), ==, 200);
  g_assert_cmpuint (cw_timeline_get_n_bars (timeline, 1), ==, 100);

  /* one bar per chunk: every task of a chunk is in the same place */
  g_assert_true (cw_timeline_get_bar_area (timeline, 0, &first));
  g_assert_true (cw_timeline_get_bar_area (timeline, 99, &area));
  g_assert_true (graphene_rect_equal (&first, &area));
  g_assert_true (cw_timeline_get_bar_area (timeline, 200, &other));
  g_assert_cmpfloat (other.origin.x, >, first.origin.x);
  g_assert_false (cw_timeline_get_bar_area (timeline, 300, &area));

  text = cw_timeline_describe_at (timeline, other.origin.x, other.origin.y + other.size.height / 2);
  g_assert_nonnull (text);
  g_test_message ("tooltip: %s", text);
  g_assert_nonnull (strstr (text, "Tasks #200"));
  g_assert_nonnull (strstr (text, "#299"));
  g_assert_nonnull (strstr (text, "worker 1"));

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_many (void)
{
  CwTimeline *timeline = CW_TIMELINE (cw_timeline_new ());
  GtkWidget *window = window_with (timeline, 800);
  const guint n_workers = 8;
  const guint n_tasks = 10000;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GskRenderer *renderer;
  gint64 t0, t1, t2;
  guint64 n_bars = 0;
  guint n_nodes;
  int width, height;

  cw_timeline_clear (timeline, START_US, n_workers);
  for (guint i = 0; i < n_tasks; i++)
    {
      guint worker = i % n_workers;
      gint64 start = (i / n_workers) * 3;

      add_task (timeline, i, worker, start, start + 2 + (i % 3 == 0),
                i % 97 == 0 ? CW_STATUS_FAILED : CW_STATUS_OK);
    }
  cw_timeline_set_running (timeline, FALSE);
  for (guint l = 0; l < n_workers; l++)
    n_bars += cw_timeline_get_n_bars (timeline, l);
  g_assert_cmpuint (n_bars, ==, n_tasks);

  width = gtk_widget_get_width (GTK_WIDGET (timeline));
  height = gtk_widget_get_height (GTK_WIDGET (timeline));
  t0 = g_get_monotonic_time ();
  snapshot = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (timeline)->snapshot (GTK_WIDGET (timeline), snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  t1 = g_get_monotonic_time ();
  g_assert_nonnull (node);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  t2 = g_get_monotonic_time ();
  g_assert_nonnull (texture);

  /* bars narrower than a pixel are merged: the nodes are bounded by the
   * pixels across, not by the tasks */
  n_nodes = count_nodes (node);
  g_test_message ("%u tasks, %u px wide: %u render nodes, snapshot %.1f ms, render %.1f ms",
                  n_tasks, width, n_nodes, (t1 - t0) / 1e3, (t2 - t1) / 1e3);
  g_assert_cmpuint (n_nodes, <, (guint) width * n_workers);
  g_assert_cmpuint (n_nodes, <, n_tasks);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A task is drawn from the moment its worker starts it, and grows until
 * its result arrives. */
static void
test_running (void)
{
  CwTimeline *timeline = CW_TIMELINE (cw_timeline_new ());
  GtkWidget *window = window_with (timeline, 600);
  gint64 start = g_get_monotonic_time () - G_USEC_PER_SEC;

  cw_timeline_clear (timeline, start, 2);
  g_assert_false (cw_timeline_get_lane_busy (timeline, 0, start + 500000));

  /* worker 1 started task 0 at the start; worker 2 nothing yet */
  cw_timeline_task_started (timeline, 0, 0, start);
  g_assert_true (cw_timeline_get_lane_busy (timeline, 0, start + 500000));
  g_assert_true (cw_timeline_get_lane_busy (timeline, 0, g_get_monotonic_time ()));
  g_assert_false (cw_timeline_get_lane_busy (timeline, 1, start + 500000));
  /* not in the future */
  g_assert_false (cw_timeline_get_lane_busy (timeline, 0, g_get_monotonic_time () + 10 * G_USEC_PER_SEC));

  /* its result: a done bar in its place; the next task's start stays */
  cw_timeline_task_started (timeline, 1, 1, start + 200000);
  {
    CwResult result = { .index = 0, .status = CW_STATUS_OK, .attempts = 1, .worker = 0,
                        .start_us = start, .end_us = start + 300000 };

    cw_timeline_add (timeline, &result);
  }
  g_assert_true (cw_timeline_get_lane_busy (timeline, 0, start + 100000));
  g_assert_false (cw_timeline_get_lane_busy (timeline, 0, start + 500000));
  g_assert_cmpuint (cw_timeline_get_n_bars (timeline, 0), ==, 1);
  g_assert_true (cw_timeline_get_lane_busy (timeline, 1, start + 500000));

  /* the batch ends: nothing runs any more */
  cw_timeline_set_running (timeline, FALSE);
  g_assert_false (cw_timeline_get_lane_busy (timeline, 1, start + 500000));
  /* and a start after the end is not drawn */
  cw_timeline_task_started (timeline, 1, 2, start + 600000);
  g_assert_false (cw_timeline_get_lane_busy (timeline, 1, start + 700000));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* A replay's cursor: the batch as it was at that moment. */
static void
test_cursor (void)
{
  CwTimeline *timeline = CW_TIMELINE (cw_timeline_new ());
  GtkWidget *window = window_with (timeline, 600);

  cw_timeline_clear (timeline, START_US, 2);
  add_task (timeline, 0, 0, 0, 1000, CW_STATUS_OK);
  add_task (timeline, 1, 1, 500, 1500, CW_STATUS_FAILED);
  cw_timeline_set_running (timeline, FALSE);
  g_assert_cmpint (cw_timeline_get_start (timeline), ==, START_US);

  cw_timeline_set_cursor (timeline, 700000);
  g_assert_true (cw_timeline_get_lane_busy (timeline, 1, START_US + 600000));
  g_assert_false (cw_timeline_get_lane_busy (timeline, 1, START_US + 1200000));
  g_assert_true (cw_timeline_get_lane_busy (timeline, 0, START_US + 650000));
  /* drawn as it was: it takes no more nodes than all of it */
  WAIT_UNTIL (gtk_widget_get_mapped (GTK_WIDGET (timeline)));

  cw_timeline_set_cursor (timeline, -1);
  g_assert_true (cw_timeline_get_lane_busy (timeline, 1, START_US + 1200000));

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  if (!cw_test_init_gtk (&argc, &argv))
    return EXIT_SUCCESS;

  g_test_add_func ("/cw/timeline/lanes", test_lanes);
  g_test_add_func ("/cw/timeline/tooltip", test_tooltip);
  g_test_add_func ("/cw/timeline/cpu-strip", test_cpu_strip);
  g_test_add_func ("/cw/timeline/stamped-runs", test_stamped_runs);
  g_test_add_func ("/cw/timeline/many", test_many);
  g_test_add_func ("/cw/timeline/running", test_running);
  g_test_add_func ("/cw/timeline/cursor", test_cursor);

  return g_test_run ();
}
