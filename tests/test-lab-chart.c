/* test-lab-chart.c: the lab's chart: log and linear axes, bars, PNG, dark mode
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reports are built here by hand, in the shapes the engine makes (a log-x
 * chart with two units, a log-y one with a dashed reference, categories),
 * plus the odd ones (one point, an empty series). Each is drawn by the
 * widget at a wide and a phone's width, rendered to pixels, and written as
 * a PNG that is read back.
 */

#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "cw-lab-chart.h"
#include "cw-test-util.h"

#define WAIT_TIMEOUT_S 30


/* ---------------------------------------------------------------------- */
/* reports, as the engine lays them out */

/* The engine's own builders; the numbers are made up, the shapes are the
 * experiments'. */
static CwLabReport *
made_report (CwLabExperiment  experiment,
             const char      *x_label,
             const char      *y_label,
             gboolean         log_x)
{
  CwLabReport *report = cw_lab_report_new (experiment, x_label, y_label, "a", "b", NULL);

  report->log_x = log_x;
  report->explanation = g_strdup ("Made up for the test.");
  return report;
}

/* like "chunks": log x, seconds beside MiB, an "auto" point apart */
static CwLabReport *
make_log_x_report (void)
{
  CwLabReport *report = made_report (CW_LAB_CHUNKS, "Chunk size (files per trip)", "Seconds / MiB", TRUE);
  CwLabSeries *wall = cw_lab_report_add_series (report, "Wall time (s)", FALSE);
  CwLabSeries *mem = cw_lab_report_add_series (report, "Peak worker memory (MiB)", FALSE);
  CwLabSeries *autos = cw_lab_report_add_series (report, "Auto", FALSE);
  static const guint sizes[] = { 1, 2, 4, 8, 16 };

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autofree char *k = g_strdup_printf ("%u", sizes[i]);

      cw_lab_series_add_point (wall, k, sizes[i], 0.7 + 0.01 * i);
      cw_lab_series_add_point (mem, k, sizes[i], 5.4 + 0.02 * i);
    }
  cw_lab_series_add_point (autos, "auto", 3, 0.72);
  return report;
}

/* like "overhead": µs per task over three decades, a dashed baseline */
static CwLabReport *
make_log_y_report (void)
{
  CwLabReport *report = made_report (CW_LAB_OVERHEAD, "Chunk size (tasks per trip)", "µs per task", TRUE);
  CwLabSeries *pool = cw_lab_report_add_series (report, "Pool (processes)", FALSE);
  CwLabSeries *seq = cw_lab_report_add_series (report, "Sequential", TRUE);

  cw_lab_series_add_point (pool, "1", 1, 10.6);
  cw_lab_series_add_point (pool, "10", 10, 1.12);
  cw_lab_series_add_point (pool, "100", 100, 0.31);
  cw_lab_series_add_point (pool, "1000", 1000, 0.22);
  cw_lab_series_add_point (pool, "auto", 800, 0.30);
  cw_lab_series_add_point (seq, NULL, 1, 0.016);
  cw_lab_series_add_point (seq, NULL, 10000, 0.016);
  return report;
}

/* like "big-data": named points, two units, a 64,000× difference */
static CwLabReport *
make_category_report (void)
{
  CwLabReport *report = made_report (CW_LAB_BIG_DATA, NULL, "Seconds / MiB through pipes", FALSE);
  CwLabSeries *wall = cw_lab_report_add_series (report, "Wall time (s)", FALSE);
  CwLabSeries *bytes = cw_lab_report_add_series (report, "MiB through pipes", FALSE);

  cw_lab_series_add_point (wall, "file name", 0, 1.44);
  cw_lab_series_add_point (wall, "samples", 1, 2.78);
  cw_lab_series_add_point (bytes, "file name", 0, 0.0075);
  cw_lab_series_add_point (bytes, "samples", 1, 484.5);
  return report;
}

/* like "modes": linear, small whole x, one single-point series and an
 * empty one (a report the engine might make on a one-core machine) */
static CwLabReport *
make_linear_report (void)
{
  CwLabReport *report = made_report (CW_LAB_MODES, "Workers", "Speed-up over sequential", FALSE);
  CwLabSeries *seq = cw_lab_report_add_series (report, "Sequential", FALSE);
  CwLabSeries *thr = cw_lab_report_add_series (report, "Threads", FALSE);
  CwLabSeries *ideal = cw_lab_report_add_series (report, "Ideal", TRUE);

  cw_lab_report_add_series (report, "Nothing", FALSE);
  cw_lab_series_add_point (seq, "sequential", 1, 1);
  for (guint w = 1; w <= 4; w++)
    {
      g_autofree char *d = g_strdup_printf ("threads, %u", w);

      cw_lab_series_add_point (thr, d, w, 0.9 * w);
      cw_lab_series_add_point (ideal, NULL, w, w);
    }
  return report;
}

typedef CwLabReport *(*MakeReport) (void);

static const MakeReport makers[] = {
  make_log_x_report, make_log_y_report, make_category_report, make_linear_report,
};

/* ---------------------------------------------------------------------- */
/* pixels */

static gboolean
near_color (guint8      r,
            guint8      g,
            guint8      b,
            const char *spec)
{
  GdkRGBA c;

  g_assert_true (gdk_rgba_parse (&c, spec));
  return abs (r - (int) round (c.red * 255)) <= 6 && abs (g - (int) round (c.green * 255)) <= 6
         && abs (b - (int) round (c.blue * 255)) <= 6;
}

/* Pixels of @spec in a cairo ARGB32 surface (opaque ones only). */
static guint
count_color_surface (cairo_surface_t *surface,
                     const char      *spec)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint n = 0;

  cairo_surface_flush (surface);
  for (int y = 0; y < cairo_image_surface_get_height (surface); y++)
    for (int x = 0; x < cairo_image_surface_get_width (surface); x++)
      {
        guint32 px = *(const guint32 *) (data + y * stride + 4 * x);

        if ((px >> 24) == 0xff && near_color ((px >> 16) & 0xff, (px >> 8) & 0xff, px & 0xff, spec))
          n++;
      }
  return n;
}

/* The widget drawn on @background, as a texture's pixels: how many are
 * @spec, and how many are not the background. */
static void
render_widget (GtkWidget  *window,
               GtkWidget  *chart,
               const char *background,
               const char *spec,
               guint      *n_color,
               guint      *n_drawn)
{
  int w = gtk_widget_get_width (chart), h = gtk_widget_get_height (chart);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree guint8 *pixels = NULL;
  GdkRGBA bg;

  g_assert_cmpint (w, >, 0);
  g_assert_cmpint (h, >, 0);
  gdk_rgba_parse (&bg, background);
  gtk_snapshot_append_color (snapshot, &bg, &GRAPHENE_RECT_INIT (0, 0, w, h));
  GTK_WIDGET_GET_CLASS (chart)->snapshot (chart, snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (window)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_nonnull (texture);
  w = gdk_texture_get_width (texture);
  h = gdk_texture_get_height (texture);
  pixels = g_malloc ((gsize) w * h * 4);
  gdk_texture_download (texture, pixels, w * 4);
  *n_color = *n_drawn = 0;
  for (int i = 0; i < w * h; i++)
    {
      guint32 px = ((guint32 *) pixels)[i];
      guint8 r = (px >> 16) & 0xff, g = (px >> 8) & 0xff, b = px & 0xff;

      if (near_color (r, g, b, spec))
        (*n_color)++;
      if (!near_color (r, g, b, background))
        (*n_drawn)++;
    }
}

static GtkWidget *
window_with (GtkWidget *chart,
             int        width)
{
  GtkWidget *window = gtk_window_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), chart);
  gtk_window_set_default_size (GTK_WINDOW (window), width, 700);
  gtk_window_set_child (GTK_WINDOW (window), scrolled);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_UNTIL (gtk_widget_get_width (chart) > 0 && gtk_widget_get_width (chart) <= width);
  return window;
}

/* ---------------------------------------------------------------------- */

/* Every shape, at a wide and a narrow width: drawn, with its colours. */
static void
test_widget (void)
{
  static const int widths[] = { 900, 300 };

  for (guint m = 0; m < G_N_ELEMENTS (makers); m++)
    for (guint i = 0; i < G_N_ELEMENTS (widths); i++)
      {
        GtkWidget *chart = cw_lab_chart_new ();
        GtkWidget *window = window_with (chart, widths[i]);
        CwLabReport *report = makers[m] ();
        char *title = report->title;
        guint n_color, n_drawn;

        g_test_message ("%s at %d px", title, widths[i]);
        cw_lab_chart_take_report (CW_LAB_CHART (chart), report);
        g_assert_true (cw_lab_chart_get_report (CW_LAB_CHART (chart)) == report);
        WAIT_UNTIL (gtk_widget_get_height (chart) >= 200);
        /* nothing forces a phone's window wider */
        g_assert_cmpint (gtk_widget_get_width (chart), <=, widths[i]);

        render_widget (window, chart, "#fafafa", "#1c71d8", &n_color, &n_drawn);
        g_assert_cmpuint (n_drawn, >, 1000);
        g_assert_cmpuint (n_color, >, 20);     /* the first series, in the light palette's blue */
        gtk_window_destroy (GTK_WINDOW (window));
      }
}

/* Two panels for two series; stacked (taller) when the width has room for one. */
static void
test_category_layout (void)
{
  GtkWidget *chart = cw_lab_chart_new ();
  int min, nat, min_narrow, nat_narrow;

  cw_lab_chart_take_report (CW_LAB_CHART (chart), make_category_report ());
  g_object_ref_sink (chart);
  gtk_widget_measure (chart, GTK_ORIENTATION_VERTICAL, 900, &min, &nat, NULL, NULL);
  gtk_widget_measure (chart, GTK_ORIENTATION_VERTICAL, 300, &min_narrow, &nat_narrow, NULL, NULL);
  g_assert_cmpint (nat_narrow, >, nat);
  gtk_widget_measure (chart, GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  g_assert_cmpint (min, <=, 336);   /* 360 px less the page's margins */
  cw_lab_chart_take_report (CW_LAB_CHART (chart), NULL);
  g_assert_null (cw_lab_chart_get_report (CW_LAB_CHART (chart)));
  g_object_unref (chart);
}

/* Dark text means a light background, and the other way round: the dark
 * palette's lighter blue is used there. */
static void
test_dark (void)
{
  AdwStyleManager *manager = adw_style_manager_get_default ();
  GtkWidget *chart = cw_lab_chart_new ();
  GtkWidget *window = window_with (chart, 700);
  guint n_color, n_drawn;

  cw_lab_chart_take_report (CW_LAB_CHART (chart), make_log_x_report ());
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_FORCE_DARK);
  WAIT_UNTIL (adw_style_manager_get_dark (manager));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  render_widget (window, chart, "#242424", "#62a0ea", &n_color, &n_drawn);
  g_assert_cmpuint (n_color, >, 20);
  render_widget (window, chart, "#242424", "#1c71d8", &n_color, &n_drawn);
  g_assert_cmpuint (n_color, ==, 0);
  adw_style_manager_set_color_scheme (manager, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* A PNG of every shape: the signature, the size, the series' colour on white. */
static void
test_png (void)
{
  g_autofree char *dir = g_dir_make_tmp ("cw-lab-chart-XXXXXX", NULL);

  for (guint m = 0; m < G_N_ELEMENTS (makers); m++)
    {
      g_autoptr(CwLabReport) report = makers[m] ();
      g_autofree char *path = g_strdup_printf ("%s/chart-%u.png", dir, m);
      g_autoptr(GError) error = NULL;
      g_autofree char *data = NULL;
      gsize length;
      cairo_surface_t *surface;

      g_assert_true (cw_lab_chart_render_png (report, 800, 480, path, &error));
      g_assert_no_error (error);
      g_assert_true (g_file_get_contents (path, &data, &length, NULL));
      g_assert_cmpuint (length, >, 1000);
      g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);

      surface = cairo_image_surface_create_from_png (path);
      g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
      g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 800);
      g_assert_cmpint (cairo_image_surface_get_height (surface), ==, 480);
      g_assert_cmpuint (count_color_surface (surface, "#ffffff"), >, 800 * 480 / 2);
      g_assert_cmpuint (count_color_surface (surface, "#1c71d8"), >, 20);
      cairo_surface_destroy (surface);
      g_assert_cmpint (g_remove (path), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A folder that is not there: an error, not a crash. */
static void
test_png_error (void)
{
  g_autoptr(CwLabReport) report = make_log_x_report ();
  g_autoptr(GError) error = NULL;

  g_assert_false (cw_lab_chart_render_png (report, 400, 300, "/nonexistent/folder/chart.png", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

/* Blue pixels of @surface right of @x0. */
static guint
count_color_from (cairo_surface_t *surface,
                  const char      *spec,
                  int              x0)
{
  cairo_surface_t *part = cairo_surface_create_for_rectangle (surface, x0, 0,
                                                              cairo_image_surface_get_width (surface) - x0,
                                                              cairo_image_surface_get_height (surface));
  cairo_surface_t *copy = cairo_image_surface_create (CAIRO_FORMAT_ARGB32,
                                                      cairo_image_surface_get_width (surface) - x0,
                                                      cairo_image_surface_get_height (surface));
  cairo_t *cr = cairo_create (copy);
  guint n;

  cairo_set_source_surface (cr, part, 0, 0);
  cairo_paint (cr);
  cairo_destroy (cr);
  n = count_color_surface (copy, spec);
  cairo_surface_destroy (copy);
  cairo_surface_destroy (part);
  return n;
}

typedef struct
{
  GBytes *bytes;
  gsize   offset;
} PngReader;

static cairo_status_t
read_png_cb (void          *closure,
             unsigned char *data,
             unsigned int   length)
{
  PngReader *reader = closure;
  gsize size;
  const guint8 *bytes = g_bytes_get_data (reader->bytes, &size);

  if (reader->offset + length > size)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, bytes + reader->offset, length);
  reader->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *
render_surface (const CwLabReport *report,
                int                width,
                int                height)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = cw_lab_chart_render_png_bytes (report, width, height, &error);
  PngReader reader = { png, 0 };
  cairo_surface_t *surface;

  g_assert_no_error (error);
  surface = cairo_image_surface_create_from_png_stream (read_png_cb, &reader);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  return surface;
}

/* like "shared-work": 0.5 s, 0.26 s and 45 ns: every bar shows */
static CwLabReport *
make_span_report (double last)
{
  CwLabReport *report = made_report (CW_LAB_SHARED_WORK, NULL, "Seconds", FALSE);
  CwLabSeries *wall = cw_lab_report_add_series (report, "Wall time (s)", FALSE);

  cw_lab_series_add_point (wall, "naive, one process", 0, 0.5);
  cw_lab_series_add_point (wall, "naive, 2 processes", 1, 0.26);
  cw_lab_series_add_point (wall, "memoised, one pass", 2, last);
  return report;
}

/* A 45 ns bar beside 0.5 s ones is drawn on a log axis: a bar, not a
 * hairline. */
static void
test_log_bars (void)
{
  g_autoptr(CwLabReport) tiny = make_span_report (4.5e-8);
  cairo_surface_t *surface = render_surface (tiny, 900, 400);

  /* the last third of the panel holds the 45 ns bar */
  g_assert_cmpuint (count_color_from (surface, "#1c71d8", 2 * 900 / 3), >, 300);
  cairo_surface_destroy (surface);
}

static CwLabTimeline *
made_timeline (const char *setting,
               guint       n_lanes,
               double      wall)
{
  CwLabTimeline *tl = g_new0 (CwLabTimeline, 1);

  tl->setting = g_strdup (setting);
  tl->n_lanes = n_lanes;
  tl->wall_us = (gint64) (wall * 1e6);
  tl->bars = g_array_new (FALSE, FALSE, sizeof (CwLabBar));
  for (guint l = 0; l < n_lanes; l++)
    {
      CwLabBar bar = { l, 1, 0, (gint64) (wall * 1e6 / (l + 1)), CW_STATUS_OK };

      g_array_append_val (tl->bars, bar);
    }
  return tl;
}

/* Each setting's timeline under the chart: the picture and the widget
 * grow by their height, and their bars are drawn; SVG as well as PNG. */
static void
test_timelines (void)
{
  g_autoptr(CwLabReport) bare = make_span_report (0.01);
  g_autoptr(CwLabReport) report = make_span_report (0.01);
  g_autoptr(GBytes) svg = NULL;
  g_autoptr(GError) error = NULL;
  int bare_h, h, bare_nat, nat;
  cairo_surface_t *surface;
  guint bare_blue, blue;
  GtkWidget *chart = cw_lab_chart_new ();
  const char *text;

  g_ptr_array_add (report->timelines, made_timeline ("chunk size 1", 2, 0.5));
  g_ptr_array_add (report->timelines, made_timeline ("chunk size 8", 2, 0.75));
  bare_h = cw_lab_chart_get_export_height (bare, 1000);
  h = cw_lab_chart_get_export_height (report, 1000);
  g_assert_cmpint (h, >, bare_h + 2 * 2 * 8);

  surface = render_surface (bare, 1000, bare_h);
  bare_blue = count_color_surface (surface, "#1c71d8");
  cairo_surface_destroy (surface);
  surface = render_surface (report, 1000, h);
  blue = count_color_surface (surface, "#1c71d8");
  cairo_surface_destroy (surface);
  /* four lanes' bars, hundreds of px long */
  g_assert_cmpuint (blue, >, bare_blue + 4 * 200 * 6);

  svg = cw_lab_chart_render_bytes (report, CW_LAB_CHART_SVG, 1000, h, &error);
  g_assert_no_error (error);
  text = g_bytes_get_data (svg, NULL);
  g_assert_true (g_str_has_prefix (text, "<?xml"));
  g_assert_nonnull (g_strstr_len (text, g_bytes_get_size (svg), "<svg"));

  g_object_ref_sink (chart);
  cw_lab_chart_take_report (CW_LAB_CHART (chart), g_steal_pointer (&bare));
  gtk_widget_measure (chart, GTK_ORIENTATION_VERTICAL, 800, NULL, &bare_nat, NULL, NULL);
  cw_lab_chart_take_report (CW_LAB_CHART (chart), g_steal_pointer (&report));
  gtk_widget_measure (chart, GTK_ORIENTATION_VERTICAL, 800, NULL, &nat, NULL, NULL);
  g_assert_cmpint (nat, >, bare_nat + 2 * 2 * 8);
  g_assert_finalize_object (chart);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_unsetenv ("WAYLAND_DISPLAY");
  gtk_disable_setlocale ();

  if (!gtk_init_check ())
    {
      printf ("1..0 # SKIP no display\n");
      return EXIT_SUCCESS;
    }
  adw_init ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/lab-chart/widget", test_widget);
  g_test_add_func ("/cw/lab-chart/category-layout", test_category_layout);
  g_test_add_func ("/cw/lab-chart/dark", test_dark);
  g_test_add_func ("/cw/lab-chart/png", test_png);
  g_test_add_func ("/cw/lab-chart/png-error", test_png_error);
  g_test_add_func ("/cw/lab-chart/log-bars", test_log_bars);
  g_test_add_func ("/cw/lab-chart/timelines", test_timelines);

  return g_test_run ();
}
