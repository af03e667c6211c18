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

#include <adwaita.h>
#include <gtk/gtk.h>

#include "cw-cpu-meter.h"
#include "cw-test-gtk-util.h"

#define WAIT_TIMEOUT_S 20

/* ---------------------------------------------------------------------- */
/* fake samples */

typedef struct
{
  CwCpuSample sample;
  double      usage[256];
  guint       workers[256];
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

  fake->sample.time_us = g_get_monotonic_time ();
  fake->sample.n_cpus = n_cpus;
  fake->sample.usage = fake->usage;
  fake->sample.workers = fake->workers;
  for (guint i = 0; i < n_cpus; i++)
    {
      fake->usage[i] = 0.35 + 0.3 * sin (t * 0.35 + i * 0.9) + 0.15 * sin (t * 1.3 + i * 2.1);
      fake->workers[i] = 0;
    }
  for (guint i = 0; i < n_marked; i++)
    {
      fake->usage[marked[i]] = MIN (0.8 + 0.15 * sin (t * 0.5 + i), 1.0);
      fake->workers[marked[i]] = 1;
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
      g_assert_cmpint (nat_w, <=, 720);

      for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
        {
          int min_h, nat_h;

          gtk_widget_measure (meter, GTK_ORIENTATION_VERTICAL, widths[w], &min_h, &nat_h, NULL, NULL);
          g_test_message ("%u cores at %d px: height %d", cores[c], widths[w], min_h);
          g_assert_cmpint (min_h, >, 0);
          g_assert_cmpint (min_h, ==, nat_h);
          g_assert_cmpint (min_h, <, 2000);
          /* Squares grow a little with the width, but a full screen
           * is never taller than the narrowest window. */
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

/* The accent is blue in every Adwaita accent we ship; grey has none. */
static guint
count_accent (const Pixels *px,
              int           x0,
              int           y0,
              int           x1,
              int           y1)
{
  guint n = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, px->height); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, px->width); x++)
      {
        const guchar *p = px->data + y * px->stride + x * 4;

        if (p[3] > 40 && p[0] > p[2] + 50 && p[0] > p[1] + 15)
          n++;
      }

  return n;
}

/* The box around the accent pixels below @y0. */
static guint
accent_box (const Pixels          *px,
            int                    y0,
            cairo_rectangle_int_t *box)
{
  int x0 = G_MAXINT, x1 = -1, y_min = G_MAXINT, y1 = -1;
  guint n = 0;

  for (int y = y0; y < px->height; y++)
    for (int x = 0; x < px->width; x++)
      if (count_accent (px, x, y, x + 1, y + 1) > 0)
        {
          x0 = MIN (x0, x);
          x1 = MAX (x1, x);
          y_min = MIN (y_min, y);
          y1 = MAX (y1, y);
          n++;
        }

  *box = (cairo_rectangle_int_t) { x0, y_min, x1 - x0 + 1, y1 - y_min + 1 };
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

static void
test_render_marked (void)
{
  Fixture f;
  FakeSample fake;
  g_autoptr(GdkTexture) texture = NULL;
  Pixels px;
  guint left, right;
  int half;

  fixture_open (&f, 360);

  /* Core 0 runs a worker at 80 %; core 1 is idle and runs none. */
  for (guint t = 0; t < 10; t++)
    {
      fake.sample = (CwCpuSample) { .n_cpus = 2, .usage = fake.usage, .workers = fake.workers,
                                    .total = 0.4 };
      fake.usage[0] = 0.8;
      fake.usage[1] = 0.0;
      fake.workers[0] = 1;
      fake.workers[1] = 0;
      cw_cpu_meter_push_sample (CW_CPU_METER (f.meter), &fake.sample);
    }
  settle (&f);

  texture = render (&f, 0);
  pixels_from_texture (texture, &px);
  g_assert_cmpint (px.width, >=, 300);

  /* Two cores side by side at 360 px: the left half is core 0, the right
   * half core 1. Skip the header's rows. */
  half = px.width / 2;
  left = count_accent (&px, 0, px.height / 2, half - 4, px.height);
  right = count_accent (&px, half + 4, px.height / 2, px.width, px.height);
  g_test_message ("accent pixels: marked %u, idle %u", left, right);
  g_assert_cmpuint (left, >, 200);
  g_assert_cmpuint (right, ==, 0);
  g_assert_cmpuint (sum_region (&px, 0, px.height / 2, half - 4, px.height), !=,
                    sum_region (&px, half + 4, px.height / 2, px.width - 8, px.height));

  g_free (px.data);
  fixture_close (&f);
}

static void
test_render_many_cores (void)
{
  const guint marked[] = { 0 };
  Fixture f;
  g_autoptr(GdkTexture) texture = NULL;
  Pixels px;
  cairo_rectangle_int_t box;
  guint n;
  int min_h;

  fixture_open (&f, 360);
  push_history (CW_CPU_METER (f.meter), 256, marked, G_N_ELEMENTS (marked));
  settle (&f);

  gtk_widget_measure (f.meter, GTK_ORIENTATION_VERTICAL, gtk_widget_get_width (f.meter),
                      &min_h, NULL, NULL, NULL);
  g_assert_cmpint (gtk_widget_get_height (f.meter), >=, min_h);

  texture = render (&f, 0);
  pixels_from_texture (texture, &px);

  /* Only core 0, the top left square of the grid, is marked: the accent
   * below the header (its legend has an accent dot) is one small square at
   * the start of the first row. */
  n = accent_box (&px, 32, &box);
  g_test_message ("accent pixels: %u in %dx%d at %d,%d", n, box.width, box.height, box.x, box.y);
  g_assert_cmpuint (n, >, 50);
  g_assert_cmpint (box.width, <=, 30);
  g_assert_cmpint (box.height, <=, 30);
  g_assert_cmpint (box.x, <, 60);
  g_assert_cmpint (box.y, <, 60);

  /* The last row ends at the measured height: inside the allocation, and
   * nothing drawn below it. */
  g_assert_cmpuint (sum_region (&px, 0, min_h - 6, px.width, min_h), >, 0);
  g_assert_cmpuint (sum_region (&px, 0, min_h, px.width, px.height), ==, 0);

  g_free (px.data);
  fixture_close (&f);
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
  g_test_add_func ("/cw/cpu-meter/render/marked", test_render_marked);
  g_test_add_func ("/cw/cpu-meter/render/many-cores", test_render_many_cores);
  g_test_add_func ("/cw/cpu-meter/screenshots", test_screenshots);

  return g_test_run ();
}
