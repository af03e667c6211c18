/* test-cpu-meter.c: the per-core CPU meter's size and what it draws
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * With CW_SCREENSHOT_DIR set, /cw/cpu-meter/screenshots also saves the
 * meter at 2, 16 and 256 cores, 360 and 1200 px wide, light and dark, as
 * PNGs in that folder, for a person to look at.
 */

#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <adwaita.h>
#include <gtk/gtk.h>

#include "cw-colors.h"
#include "cw-cpu-meter-private.h"
#include "cw-test-gtk-util.h"

#define WAIT_TIMEOUT_S 20

/* ---------------------------------------------------------------------- */
/* fake samples */

typedef struct
{
  CwCpuSample sample;
  double      usage[256];
  guint       workers[256];
  guint       worker[256];
} FakeSample;

/* A wave per core, so histories differ; @marked lists the worker cores. */
static void
fake_sample (FakeSample   *fake,
             guint         n_cpus,
             guint         t,
             const guint  *marked,
             guint         n_marked)
{
  double sum = 0;

  g_assert_cmpuint (n_cpus, <=, G_N_ELEMENTS (fake->usage));

  memset (&fake->sample, 0, sizeof fake->sample);
  fake->sample.time_us = 1000000 + t * 250000;
  fake->sample.interval_us = 250000;
  fake->sample.n_cpus = n_cpus;
  fake->sample.usage = fake->usage;
  fake->sample.workers = fake->workers;
  fake->sample.worker = fake->worker;
  for (guint i = 0; i < n_cpus; i++)
    {
      fake->usage[i] = 0.35 + 0.3 * sin (t * 0.35 + i * 0.9) + 0.15 * sin (t * 1.3 + i * 2.1);
      fake->workers[i] = 0;
      fake->worker[i] = 0;
    }
  for (guint i = 0; i < n_marked; i++)
    {
      fake->usage[marked[i]] = MIN (0.8 + 0.15 * sin (t * 0.5 + i), 1.0);
      fake->workers[marked[i]] = 1;
      fake->worker[marked[i]] = i + 1;
    }
  for (guint i = 0; i < n_cpus; i++)
    sum += fake->usage[i];
  fake->sample.total = n_cpus > 0 ? sum / n_cpus : 0;
}

static void
push_history (CwCpuMeter  *meter,
              guint        n_cpus,
              const guint *marked,
              guint        n_marked)
{
  FakeSample fake;

  for (guint t = 0; t < 40; t++)
    {
      fake_sample (&fake, n_cpus, t, marked, n_marked);
      cw_cpu_meter_push_sample (meter, &fake.sample);
    }
}

/* ---------------------------------------------------------------------- */
/* size */

static void
test_measure (void)
{
  const guint cores[] = { 1, 2, 8, 64, 256 };
  const int widths[] = { 300, 360, 1200 };

  for (guint c = 0; c < G_N_ELEMENTS (cores); c++)
    {
      GtkWidget *meter = g_object_ref_sink (cw_cpu_meter_new ());
      FakeSample fake;
      int min_w, nat_w, first_h = 0;

      fake_sample (&fake, cores[c], 0, NULL, 0);
      cw_cpu_meter_push_sample (CW_CPU_METER (meter), &fake.sample);

      g_assert_cmpint (gtk_widget_get_request_mode (meter), ==, GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH);
      gtk_widget_measure (meter, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, &nat_w, NULL, NULL);
      g_test_message ("%u cores: width min %d nat %d", cores[c], min_w, nat_w);
      g_assert_cmpint (min_w, >, 0);
      g_assert_cmpint (min_w, <=, 300);
      g_assert_cmpint (nat_w, >=, min_w);
      g_assert_cmpint (nat_w, <=, 800);

      for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
        {
          int min_h, nat_h;

          gtk_widget_measure (meter, GTK_ORIENTATION_VERTICAL, widths[w], &min_h, &nat_h, NULL, NULL);
          g_test_message ("%u cores at %d px: height %d", cores[c], widths[w], min_h);
          g_assert_cmpint (min_h, >, 0);
          /* it asks for more than the least, and takes what it gets */
          g_assert_cmpint (nat_h, >=, min_h);
          g_assert_cmpint (min_h, <, 700);
          /* a wide window is never asked to be taller than a narrow one */
          if (w == 0)
            first_h = min_h;
          else if (w == G_N_ELEMENTS (widths) - 1)
            g_assert_cmpint (min_h, <=, first_h);
        }

      g_assert_finalize_object (meter);
    }
}

static void
test_measure_before_samples (void)
{
  GtkWidget *meter = g_object_ref_sink (cw_cpu_meter_new ());
  int min_w, nat_w, min_h, nat_h;

  gtk_widget_measure (meter, GTK_ORIENTATION_HORIZONTAL, -1, &min_w, &nat_w, NULL, NULL);
  gtk_widget_measure (meter, GTK_ORIENTATION_VERTICAL, min_w, &min_h, &nat_h, NULL, NULL);
  g_assert_cmpint (min_w, <=, 300);
  g_assert_cmpint (min_h, >, 0);
  g_assert_cmpint (min_h, <, 2000);

  cw_cpu_meter_reset (CW_CPU_METER (meter));
  g_assert_finalize_object (meter);
}

/* ---------------------------------------------------------------------- */
/* pixels */

typedef struct
{
  GtkWidget *window;
  GtkWidget *meter;
} Fixture;

static void
fixture_open (Fixture *f,
              int      width)
{
  f->window = gtk_window_new ();
  f->meter = cw_cpu_meter_new ();
  gtk_window_set_child (GTK_WINDOW (f->window), f->meter);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, -1);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_UNTIL (gtk_widget_get_mapped (f->meter) && gtk_widget_get_width (f->meter) > 0);
}

static void
fixture_close (Fixture *f)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
count_tick_cb (GtkWidget     *widget,
               GdkFrameClock *clock,
               gpointer       user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* Lets the samples' resize and redraw go through a frame or two. */
static void
settle (Fixture *f)
{
  guint ticks = 0;
  guint id;

  id = gtk_widget_add_tick_callback (f->meter, count_tick_cb, &ticks, NULL);
  WAIT_UNTIL (ticks >= 3);
  gtk_widget_remove_tick_callback (f->meter, id);
}

/* The meter alone, on the window's background with a margin when @margin. */
static GdkTexture *
render (Fixture *f,
        int      margin)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (f->meter);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer;
  int w = gtk_widget_get_width (f->meter);
  int h = gtk_widget_get_height (f->meter);

  if (margin > 0)
    {
      GdkRGBA bg;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (f->window),
                                           "window_bg_color", &bg))
        gdk_rgba_parse (&bg, "white");
G_GNUC_END_IGNORE_DEPRECATIONS
      gtk_snapshot_append_color (snapshot, &bg,
                                 &GRAPHENE_RECT_INIT (0, 0, w + 2 * margin, h + 2 * margin));
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (margin, margin));
    }
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (f->window));
  return gsk_renderer_render_texture (renderer, node,
                                      &GRAPHENE_RECT_INIT (0, 0, w + 2 * margin, h + 2 * margin));
}

typedef struct
{
  int     width;
  int     height;
  gsize   stride;
  guchar *data;   /* B G R A, premultiplied */
} Pixels;

static void
pixels_from_texture (GdkTexture *texture,
                     Pixels     *px)
{
  px->width = gdk_texture_get_width (texture);
  px->height = gdk_texture_get_height (texture);
  px->stride = (gsize) px->width * 4;
  px->data = g_malloc (px->stride * px->height);
  gdk_texture_download (texture, px->data, px->stride);
}

/* Pixels within a small distance of @color (B G R order in the data). */
static guint
count_color (const Pixels  *px,
             const GdkRGBA *color,
             int            x0,
             int            y0,
             int            x1,
             int            y1)
{
  int r = color->red * 255, g = color->green * 255, b = color->blue * 255;
  guint n = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, px->height); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, px->width); x++)
      {
        const guchar *p = px->data + y * px->stride + x * 4;

        if (p[3] > 200 && abs (p[2] - r) < 24 && abs (p[1] - g) < 24 && abs (p[0] - b) < 24)
          n++;
      }
  return n;
}

static guint64
sum_region (const Pixels *px,
            int           x0,
            int           y0,
            int           x1,
            int           y1)
{
  guint64 sum = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, px->height); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, px->width); x++)
      for (int c = 0; c < 4; c++)
        sum += px->data[y * px->stride + x * 4 + c];

  return sum;
}

static guint
count_worker_pixels (Fixture *f,
                     guint    slot)
{
  g_autoptr(GdkTexture) texture = render (f, 0);
  GdkRGBA color;
  Pixels px;
  guint n;

  cw_colors_get_worker (slot, FALSE, &color);
  pixels_from_texture (texture, &px);
  n = count_color (&px, &color, 0, 0, px.width, px.height);
  g_free (px.data);
  return n;
}

/* Worker 1 on core 0: its colour is on the meter, and none once the marks
 * go (the batch is over); worker 2's colour never is. */
static void
test_render_marked (void)
{
  Fixture f;
  FakeSample fake;
  guint before, after;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  fixture_open (&f, 720);
  gtk_widget_set_size_request (f.meter, -1, 400);
  for (guint t = 0; t < 10; t++)
    {
      const guint marked[] = { 0 };

      fake_sample (&fake, 2, t, marked, 1);
      fake.usage[1] = 0.1;
      cw_cpu_meter_push_sample (CW_CPU_METER (f.meter), &fake.sample);
    }
  settle (&f);
  g_assert_cmpuint (cw_cpu_meter_get_n_marked (CW_CPU_METER (f.meter)), ==, 1);
  g_assert_cmpuint (cw_cpu_meter_get_worker (CW_CPU_METER (f.meter), 0), ==, 1);
  g_assert_cmpuint (cw_cpu_meter_get_worker (CW_CPU_METER (f.meter), 1), ==, 0);
  g_assert_cmpstr (cw_cpu_meter_get_mode_name (CW_CPU_METER (f.meter)), ==, "graphs");

  before = count_worker_pixels (&f, 0);
  g_test_message ("worker 1's pixels: %u; worker 2's: %u", before, count_worker_pixels (&f, 1));
  g_assert_cmpuint (before, >, 200);
  g_assert_cmpuint (count_worker_pixels (&f, 1), <, 10);

  /* the batch ends: every mark goes at once, and later samples add none */
  cw_cpu_meter_set_marks_shown (CW_CPU_METER (f.meter), FALSE);
  g_assert_cmpuint (cw_cpu_meter_get_n_marked (CW_CPU_METER (f.meter)), ==, 0);
  g_assert_cmpuint (cw_cpu_meter_get_worker (CW_CPU_METER (f.meter), 0), ==, 0);
  {
    const guint marked[] = { 0 };

    fake_sample (&fake, 2, 11, marked, 1);
    cw_cpu_meter_push_sample (CW_CPU_METER (f.meter), &fake.sample);
  }
  g_assert_cmpuint (cw_cpu_meter_get_n_marked (CW_CPU_METER (f.meter)), ==, 0);
  settle (&f);
  after = count_worker_pixels (&f, 0);
  g_test_message ("after the batch: %u (the history's strip keeps who ran where)", after);
  g_assert_cmpuint (after, <, before);

  fixture_close (&f);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

/* A class reads it from the back of the room: at 1920 px wide and the
 * height the Run page gives it, up to 8 cores get graphs of 120 px and
 * more and figures of 18 px and more; 16 and 64 still get graphs, 256 a
 * heat map. */
static void
test_layout_sizes (void)
{
  const guint cores[] = { 1, 2, 4, 8, 16, 64, 256 };

  for (guint c = 0; c < G_N_ELEMENTS (cores); c++)
    {
      GtkWidget *meter = g_object_ref_sink (cw_cpu_meter_new ());
      FakeSample fake;
      CwMeterLayout l;

      fake_sample (&fake, cores[c], 0, NULL, 0);
      cw_cpu_meter_push_sample (CW_CPU_METER (meter), &fake.sample);
      _cw_cpu_meter_compute_layout (CW_CPU_METER (meter), 1896, 640, &l);
      g_test_message ("%u cores at 1896x640: %s, %dx%d cells of %.0fx%.0f, figures %.0f px",
                      cores[c], l.mode == CW_METER_HEAT ? "heat map" : "graphs", l.cols, l.rows,
                      l.cell_w, l.cell_h, l.big_px);
      if (cores[c] <= 8)
        {
          g_assert_cmpint (l.mode, ==, CW_METER_CARDS);
          g_assert_cmpfloat (l.big_px, >=, 18);
          /* the graph is the card less its line of text (or all of it, wide) */
          g_assert_cmpfloat (l.wide ? l.cell_h : l.cell_h - l.big_px * 1.4, >=, 120);
        }
      else if (cores[c] <= 64)
        g_assert_cmpint (l.mode, ==, CW_METER_CARDS);
      else
        {
          g_assert_cmpint (l.mode, ==, CW_METER_HEAT);
          /* the figures fit on the tiles */
          g_assert_cmpfloat (l.cell_w, >=, 64);
          g_assert_cmpfloat (l.cell_h, >=, 18);
        }
      /* at 1100x760 the Run page gives it about 380 px */
      _cw_cpu_meter_compute_layout (CW_CPU_METER (meter), 1076, 380, &l);
      g_assert_cmpint (l.rows * l.cell_h + (l.rows - 1) * l.gap, <=, 380 - l.grid_y + 1);
      g_assert_finalize_object (meter);
    }
}

static void
test_render_many_cores (void)
{
  const guint marked[] = { 0 };
  Fixture f;
  g_autoptr(GdkTexture) texture = NULL;
  Pixels px;
  GdkRGBA color;
  int min_h;
  guint n;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_LIGHT);
  fixture_open (&f, 360);
  push_history (CW_CPU_METER (f.meter), 256, marked, G_N_ELEMENTS (marked));
  settle (&f);
  g_assert_cmpstr (cw_cpu_meter_get_mode_name (CW_CPU_METER (f.meter)), ==, "heat map");

  gtk_widget_measure (f.meter, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (f.meter),
                      &min_h, NULL, NULL, NULL);
  g_assert_cmpint (gtk_widget_get_height (f.meter), >=, min_h);

  texture = render (&f, 0);
  pixels_from_texture (texture, &px);

  /* Only core 0, the top left tile, runs worker 1: its colour is there
   * and nowhere else. */
  cw_colors_get_worker (0, FALSE, &color);
  n = count_color (&px, &color, 0, 0, px.width, px.height);
  g_test_message ("worker 1's pixels: %u, in the first 100x80: %u", n,
                  count_color (&px, &color, 0, 0, 100, 80));
  g_assert_cmpuint (n, >, 20);
  g_assert_cmpuint (count_color (&px, &color, 0, 0, 100, 80), ==, n);

  /* the tiles take the colour scale: busy and idle tiles differ */
  g_assert_cmpuint (sum_region (&px, 0, px.height / 2, px.width, px.height), >, 0);

  g_free (px.data);
  fixture_close (&f);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
}

static void
save_shot (const char *dir,
           guint       n_cpus,
           int         width,
           gboolean    dark)
{
  const guint marked[] = { 1, 3, 11, 17, 40, 100, 101, 200 };
  guint n_marked = 0;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  Fixture f;

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      dark ? ADW_COLOR_SCHEME_FORCE_DARK
                                           : ADW_COLOR_SCHEME_FORCE_LIGHT);

  while (n_marked < G_N_ELEMENTS (marked) && marked[n_marked] < n_cpus)
    n_marked++;
  if (n_cpus == 2)
    n_marked = 1;

  fixture_open (&f, width);
  push_history (CW_CPU_METER (f.meter), n_cpus, marked, n_marked);
  settle (&f);

  texture = render (&f, 12);
  name = g_strdup_printf ("cpu-meter-%u-%d-%s.png", n_cpus, width, dark ? "dark" : "light");
  path = g_build_filename (dir, name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("saved %s", path);

  fixture_close (&f);
}

static void
test_screenshots (void)
{
  const char *dir = g_getenv ("CW_SCREENSHOT_DIR");
  const guint cores[] = { 2, 16, 256 };
  const int widths[] = { 360, 1200 };

  if (dir == NULL)
    {
      g_test_skip ("CW_SCREENSHOT_DIR is not set");
      return;
    }

  for (guint dark = 0; dark < 2; dark++)
    for (guint c = 0; c < G_N_ELEMENTS (cores); c++)
      for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
        save_shot (dir, cores[c], widths[w], dark);

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (),
                                      ADW_COLOR_SCHEME_DEFAULT);
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  if (!cw_test_init_gtk (&argc, &argv))
    return 0;

  g_test_add_func ("/cw/cpu-meter/measure", test_measure);
  g_test_add_func ("/cw/cpu-meter/measure-before-samples", test_measure_before_samples);
  g_test_add_func ("/cw/cpu-meter/layout-sizes", test_layout_sizes);
  g_test_add_func ("/cw/cpu-meter/render/marked", test_render_marked);
  g_test_add_func ("/cw/cpu-meter/render/many-cores", test_render_many_cores);
  g_test_add_func ("/cw/cpu-meter/screenshots", test_screenshots);

  return g_test_run ();
}
