/* cw-cpu-meter-draw.c: how the CPU meter lays itself out and draws
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cards: one per core, in the columns that make them closest to 3:1 in the
 * space given; a card's figures are sized from its height, so they grow
 * with the window (at 1920x1080 two cores get graphs a few hundred pixels
 * tall and percentages of 60 px and more). A history graph's area is
 * coloured by the worker that ran on that core at that time, in the
 * timeline's colours; grey where no worker was. Heat map: tiles in rows of
 * a power of two (core 37 is row 2, place 5 at 16 a row), coloured on the
 * viridis scale, shown with its legend, the figures on the tiles when they
 * fit, and a worker's number in its colour on its core.
 *
 * Text sizes are absolute pixels from the layout, on the widget's font
 * family; every text goes through one PangoLayout.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-cpu-meter-private.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cw-colors.h"

#define PAD              8.0
#define GAP              8.0
#define RADIUS           8.0
#define CARD_MIN_W     150.0
#define CARD_MIN_H      60.0
#define CARD_ASPECT      3.2     /* what the columns aim at */
#define TILE_MIN_W      22.0
#define TILE_MIN_H      14.0
#define TILE_ASPECT      2.0
#define TILE_MAX_H      90.0
#define LEGEND_W       180.0
#define TOTAL_BAR_H     10.0

typedef struct
{
  GdkRGBA  fg;
  GdkRGBA  dim;
  GdkRGBA  faint;
  GdkRGBA  card;
  GdkRGBA  grid;
  GdkRGBA  trough;
  GdkRGBA  bar;
  GdkRGBA  area;
  GdkRGBA  line;
  gboolean dark;
} Palette;

/* ---------------------------------------------------------------------- */
/* text */

void
_cw_cpu_meter_drop_layouts (CwCpuMeter *self)
{
  g_clear_object (&self->layout);
  g_clear_pointer (&self->font, pango_font_description_free);
}

/* The widget's font size in pixels. */
static double
base_px (CwCpuMeter *self)
{
  PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
  PangoFontDescription *font = pango_context_get_font_description (context);
  double size;

  if (font == NULL || pango_font_description_get_size (font) <= 0)
    return 14.0;
  size = pango_font_description_get_size (font) / (double) PANGO_SCALE;
  if (!pango_font_description_get_size_is_absolute (font))
    size = size * 96.0 / 72.0;
  return CLAMP (size, 8.0, 40.0);
}

static PangoLayout *
get_layout (CwCpuMeter *self,
            double      px,
            gboolean    bold)
{
  if (self->layout == NULL)
    {
      PangoContext *context = gtk_widget_get_pango_context (GTK_WIDGET (self));
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

      self->font = pango_font_description_copy (pango_context_get_font_description (context));
      self->layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
      pango_layout_set_attributes (self->layout, attrs);
    }
  pango_font_description_set_absolute_size (self->font, MAX (px, 6.0) * PANGO_SCALE);
  pango_font_description_set_weight (self->font, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (self->layout, self->font);
  return self->layout;
}

static void
text_size (CwCpuMeter *self,
           const char *text,
           double      px,
           gboolean    bold,
           int        *width,
           int        *height)
{
  PangoLayout *layout = get_layout (self, px, bold);

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, width, height);
}

/* Draws @text with its top left at (@x, @y); returns its width. */
static int
draw_text (CwCpuMeter    *self,
           GtkSnapshot   *snapshot,
           const char    *text,
           double         px,
           gboolean       bold,
           double         x,
           double         y,
           const GdkRGBA *color)
{
  PangoLayout *layout = get_layout (self, px, bold);
  int w, h;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x), round (y)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
  return w;
}

static void
format_total (char   *buf,
              gsize   size,
              double  total)
{
  /* Translators: the whole machine's CPU use, e.g. "Total 87 %" */
  g_snprintf (buf, size, _("Total %d %%"), (int) lround (CLAMP (total, 0, 1) * 100));
}

/* ---------------------------------------------------------------------- */
/* layout */

static double
title_px (CwCpuMeter *self,
          int         width,
          int         height)
{
  double px = CLAMP (MIN (height * 0.045, width * 0.025), base_px (self) * 1.15, 40.0);

  return self->large ? MIN (px * 1.3, 52.0) : px;
}

static gboolean
try_cards (guint          n,
           double         width,
           double         avail,
           CwMeterLayout *l)
{
  double best = G_MAXDOUBLE;

  for (guint cols = 1; cols <= n; cols++)
    {
      guint rows = (n + cols - 1) / cols;
      double cw = (width - (cols - 1) * GAP) / cols;
      double ch = (avail - (rows - 1) * GAP) / rows;
      double score;

      if (cw < CARD_MIN_W || ch < CARD_MIN_H)
        continue;
      /* no emptier last row than needed */
      if (cols > 1 && (n + cols - 2) / (cols - 1) == rows)
        continue;
      score = fabs (log (cw / ch / CARD_ASPECT));
      if (score < best)
        {
          best = score;
          l->cols = cols;
          l->rows = rows;
          l->cell_w = cw;
          l->cell_h = ch;
        }
    }
  return best < G_MAXDOUBLE;
}

static void
heat_layout (CwCpuMeter    *self,
             guint          n,
             double         width,
             double         avail,
             CwMeterLayout *l)
{
  char buf[16];
  int label_w, label_h;
  double best = G_MAXDOUBLE;

  l->label_px = MAX (base_px (self) * 0.85, 9.0);
  g_snprintf (buf, sizeof buf, "%u", n > 0 ? n - 1 : 0);
  text_size (self, buf, l->label_px, FALSE, &label_w, &label_h);
  l->grid_x = label_w + 6;
  l->gap = 2;
  width -= l->grid_x;

  /* Rows of a power of two, the tiles closest to 2:1 in the space given;
   * the narrowest rows that still fit when nothing does. */
  l->cols = 1;
  for (guint cols = 1; cols <= MAX (n, 1); cols *= 2)
    {
      guint rows = (n + cols - 1) / cols;
      double tw = (width - (cols - 1) * l->gap) / cols;
      double th = (avail - (rows - 1) * l->gap) / rows;
      double score;

      if (tw < TILE_MIN_W)
        break;
      if (th < TILE_MIN_H)
        {
          if (best == G_MAXDOUBLE)
            l->cols = cols;
          continue;
        }
      score = fabs (log (tw / MIN (th, TILE_MAX_H) / TILE_ASPECT));
      if (score < best)
        {
          best = score;
          l->cols = cols;
        }
    }
  l->cols = MIN ((guint) l->cols, MAX (n, 1));
  l->rows = (n + l->cols - 1) / l->cols;
  l->cell_w = (width - (l->cols - 1) * l->gap) / l->cols;
  l->cell_h = CLAMP ((avail - (l->rows - 1) * l->gap) / l->rows, TILE_MIN_H, MIN (TILE_MAX_H, l->cell_w));
  l->big_px = CLAMP (l->cell_h * 0.42, 8.0, 22.0);
}

void
_cw_cpu_meter_compute_layout (CwCpuMeter    *self,
                              int            width,
                              int            height,
                              CwMeterLayout *l)
{
  double avail;

  memset (l, 0, sizeof *l);
  l->n = _cw_cpu_meter_shown_cpus (self);
  width = MAX (width, 1);
  l->title_px = title_px (self, width, height);
  l->header_h = ceil (l->title_px * 1.45) + PAD;
  l->grid_y = l->header_h;
  l->gap = GAP;
  avail = MAX (height - l->grid_y, 0);

  if (l->n <= CW_METER_CARDS_MAX && try_cards (l->n, width, avail, l))
    l->mode = CW_METER_CARDS;
  else if (l->n <= 8)
    {
      /* too little room for cards: they keep their least size */
      l->mode = CW_METER_CARDS;
      l->cols = CLAMP ((int) ((width + GAP) / (CARD_MIN_W + GAP)), 1, (int) l->n);
      l->rows = (l->n + l->cols - 1) / l->cols;
      l->cell_w = (width - (l->cols - 1) * GAP) / l->cols;
      l->cell_h = CARD_MIN_H;
    }
  else
    {
      l->mode = CW_METER_HEAT;
      heat_layout (self, l->n, width, avail, l);
      return;
    }

  l->wide = l->cell_w >= 4.2 * l->cell_h && l->cell_w >= 480;
  if (l->wide)
    l->big_px = CLAMP (l->cell_h * 0.36, 14.0, 96.0);
  else
    l->big_px = CLAMP (MIN (l->cell_h * 0.24, l->cell_w * 0.16), 12.0, 64.0);
  l->label_px = CLAMP (l->big_px * (l->wide ? 0.36 : 0.45), base_px (self) * 0.85, 28.0);
  if (self->large)
    l->label_px = MIN (l->label_px * 1.2, 34.0);
}

int
_cw_cpu_meter_min_height (CwCpuMeter *self,
                          int         width)
{
  guint n = _cw_cpu_meter_shown_cpus (self);
  double header = ceil (title_px (self, width, 0) * 1.45) + PAD;

  if (n <= 8)
    {
      int cols = CLAMP ((int) ((width + GAP) / (CARD_MIN_W + GAP)), 1, (int) MAX (n, 1));
      int rows = (n + cols - 1) / cols;

      return header + rows * CARD_MIN_H + (rows - 1) * GAP;
    }
  else
    {
      CwMeterLayout l = { 0 };
      double rows;

      heat_layout (self, n, width, 0, &l);
      rows = (n + MAX (l.cols, 1) - 1) / MAX (l.cols, 1);
      return header + rows * TILE_MIN_H + (rows - 1) * 2;
    }
}

static void
cell_origin (const CwMeterLayout *l,
             guint                core,
             double              *x,
             double              *y)
{
  int cols = MAX (l->cols, 1);   /* (a layout never has none) */

  *x = l->grid_x + (core % cols) * (l->cell_w + l->gap);
  *y = l->grid_y + (core / cols) * (l->cell_h + l->gap);
}

int
_cw_cpu_meter_core_at (CwCpuMeter *self,
                       double      x,
                       double      y)
{
  CwMeterLayout l;
  int col, row;
  guint core;

  _cw_cpu_meter_compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                                gtk_widget_get_height (GTK_WIDGET (self)), &l);
  if (y < l.grid_y || x < l.grid_x)
    return -1;
  col = (x - l.grid_x) / (l.cell_w + l.gap);
  row = (y - l.grid_y) / (l.cell_h + l.gap);
  core = row * l.cols + col;
  if (col >= l.cols || core >= l.n)
    return -1;
  return core;
}

/* ---------------------------------------------------------------------- */
/* drawing */

static void
get_palette (CwCpuMeter *self,
             Palette    *p)
{
  cw_colors_get_foreground (GTK_WIDGET (self), &p->fg);
  p->dark = cw_colors_is_dark (&p->fg);
  p->dim = cw_colors_with_alpha (&p->fg, 0.7f);
  p->faint = cw_colors_with_alpha (&p->fg, 0.45f);
  p->card = cw_colors_with_alpha (&p->fg, p->dark ? 0.07f : 0.05f);
  p->grid = cw_colors_with_alpha (&p->fg, 0.1f);
  p->trough = cw_colors_with_alpha (&p->fg, 0.12f);
  p->bar = cw_colors_with_alpha (&p->fg, 0.65f);
  p->area = cw_colors_with_alpha (&p->fg, p->dark ? 0.3f : 0.22f);
  p->line = cw_colors_with_alpha (&p->fg, 0.8f);
}

static void
append_rounded (GtkSnapshot   *snapshot,
                double         x,
                double         y,
                double         w,
                double         h,
                double         radius,
                const GdkRGBA *color)
{
  GskRoundedRect rect;

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, w, h), radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, color, &rect.bounds);
  gtk_snapshot_pop (snapshot);
}

static void
append_outline (GtkSnapshot   *snapshot,
                double         x,
                double         y,
                double         w,
                double         h,
                double         radius,
                double         width,
                const GdkRGBA *color)
{
  GskRoundedRect rect;
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, w, h), radius);
  gtk_snapshot_append_border (snapshot, &rect, widths, colors);
}

static void
worker_color (const Palette *p,
              guint          owner,   /* slot + 1 */
              GdkRGBA       *color)
{
  cw_colors_get_worker (owner - 1, p->dark, color);
}

/* "worker 2", or "worker 2 + 3 more" on a shared core, into @buf. */
static void
format_workers (CwCpuMeter *self,
                guint       core,
                char       *buf,
                gsize       size)
{
  if (self->workers[core] > 1)
    /* Translators: a core that several workers shared, e.g. "worker 2 + 3 more" */
    g_snprintf (buf, size, g_dngettext (GETTEXT_PACKAGE, "worker %u + %u more", "worker %u + %u more",
                                        self->workers[core] - 1),
                self->worker[core], self->workers[core] - 1);
  else
    /* Translators: the worker on a core, with its timeline lane's number */
    g_snprintf (buf, size, _("worker %u"), self->worker[core]);
}

/* The width of the worker line of @core at @px, with its dot. */
static double
workers_width (CwCpuMeter *self,
               guint       core,
               double      px)
{
  char buf[64];
  int w, h;

  if (core >= self->n_cpus || self->worker[core] == 0)
    return 0;
  format_workers (self, core, buf, sizeof buf);
  text_size (self, buf, px, TRUE, &w, &h);
  return MAX (px * 0.7, 6) + 6 + w;
}

/* "● worker 2" in the worker's colour: who ran on @core; the number alone
 * when the words do not fit in @max_w. Returns the width drawn. */
static double
draw_workers (CwCpuMeter    *self,
              GtkSnapshot   *snapshot,
              const Palette *p,
              guint          core,
              double         px,
              double         x,
              double         y,
              double         max_w)
{
  char buf[64];
  int w, h;
  double dot = MAX (px * 0.7, 6);
  GdkRGBA color;

  if (core >= self->n_cpus || self->worker[core] == 0)
    return 0;
  worker_color (p, self->worker[core], &color);
  format_workers (self, core, buf, sizeof buf);
  text_size (self, buf, px, TRUE, &w, &h);
  if (dot + 6 + w > max_w)
    {
      g_snprintf (buf, sizeof buf, self->workers[core] > 1 ? "%u +%u" : "%u", self->worker[core],
                  self->workers[core] - 1);
      text_size (self, buf, px, TRUE, &w, &h);
    }
  append_rounded (snapshot, x, y + (h - dot) / 2, dot, dot, dot / 2, &color);
  draw_text (self, snapshot, buf, px, TRUE, x + dot + 6, y, p->dark ? &color : &p->fg);
  return dot + 6 + w;
}

/* The newest sample's index in the ring, counting back by @age. */
static guint
ring_slot (CwCpuMeter *self,
           guint       age)
{
  return (self->head + CW_METER_HISTORY - 1 - age) % CW_METER_HISTORY;
}

/* The history of @core over the last CW_METER_SPAN_US: its use as an area
 * chart in (x, y, w, h - strip), and under it a strip in the colour of the
 * worker that ran there at each moment (blank where none did). Workers
 * hop between cores, and the strip shows that as it happened. */
static void
draw_graph (CwCpuMeter    *self,
            cairo_t       *cr,
            const Palette *p,
            guint          core,
            double         x,
            double         y,
            double         w,
            double         h,
            double         strip)
{
  gint64 now;
  guint n = self->count;
  double ch = h - (strip > 0 ? strip + 3 : 0);
  double line_w = ch >= 80 ? 2.5 : 1.5;
  double last_x = -1, first_x = -1;
  gboolean started = FALSE;

  /* the 50 % line and the base */
  gdk_cairo_set_source_rgba (cr, &p->grid);
  cairo_rectangle (cr, x, round (y + ch / 2), w, 1);
  cairo_rectangle (cr, x, y + ch - 1, w, 1);
  cairo_fill (cr);
  if (n == 0 || core >= self->n_cpus)
    return;
  now = self->times[ring_slot (self, 0)];

  /* the area: one point a pixel column (its highest use), oldest first */
  for (guint age = n; age-- > 0;)
    {
      guint slot = ring_slot (self, age);
      gint64 t = self->times[slot];
      double v, px;

      if (now - t > CW_METER_SPAN_US)
        continue;
      v = MAX (_cw_cpu_meter_smoothed (self, core, age, CW_METER_SMOOTH_US / 2), 0);
      px = x + w - (double) (now - t) / CW_METER_SPAN_US * w;
      if (!started)
        {
          first_x = px;
          cairo_move_to (cr, px, y + ch - v * (ch - line_w));
          started = TRUE;
        }
      else if (floor (px) == floor (last_x) && age > 0)
        continue;
      cairo_line_to (cr, px, y + ch - v * (ch - line_w));
      last_x = px;
    }
  if (!started)
    return;
  if (last_x - first_x < 2)
    {
      /* a single sample: a short stretch, so it shows */
      cairo_rel_line_to (cr, 0, 0);
      first_x = last_x - 3;
    }
  gdk_cairo_set_source_rgba (cr, &p->line);
  cairo_set_line_width (cr, line_w);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke_preserve (cr);
  cairo_line_to (cr, last_x, y + ch);
  cairo_line_to (cr, first_x, y + ch);
  cairo_close_path (cr);
  gdk_cairo_set_source_rgba (cr, &p->area);
  cairo_fill (cr);

  if (strip <= 0)
    return;

  /* the workers' strip: a stretch per sample, in its worker's colour */
  {
    double sy = y + h - strip;
    double prev_x = -1;

    for (guint age = n; age-- > 0;)
      {
        guint slot = ring_slot (self, age);
        gint64 t = self->times[slot];
        guint16 owner = self->owner[(gsize) core * CW_METER_HISTORY + slot];
        gint64 t0 = t - (age + 1 < n ? t - self->times[ring_slot (self, age + 1)] : 0);
        double x1, x0;
        GdkRGBA color;

        if (now - t > CW_METER_SPAN_US)
          continue;
        x1 = x + w - (double) (now - t) / CW_METER_SPAN_US * w;
        x0 = MAX (x + w - (double) (now - t0) / CW_METER_SPAN_US * w, x);
        x0 = MAX (x0, prev_x);
        prev_x = x1;
        if (owner == 0 || x1 <= x0)
          continue;
        worker_color (p, owner, &color);
        gdk_cairo_set_source_rgba (cr, &color);
        cairo_rectangle (cr, x0, sy, MAX (x1 - x0, 1), strip);
        cairo_fill (cr);
      }
  }
}

static void
draw_card (CwCpuMeter          *self,
           GtkSnapshot         *snapshot,
           const CwMeterLayout *l,
           const Palette       *p,
           guint                core)
{
  double x, y, gx, gy, gw, gh;
  double now = _cw_cpu_meter_current (self, core);
  gboolean offline = now < 0;
  gboolean marked = self->marks_shown && core < self->n_cpus && self->worker[core] > 0;
  double pad = l->cell_h >= 120 ? 14 : PAD;
  char pct[32], name[32];
  int pw, ph, nw, nh;

  cell_origin (l, core, &x, &y);
  append_rounded (snapshot, x, y, l->cell_w, l->cell_h, RADIUS, &p->card);
  if (marked)
    {
      GdkRGBA color;
      GskRoundedRect rect;

      /* the worker's colour down the card's edge */
      worker_color (p, self->worker[core], &color);
      gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, l->cell_w, l->cell_h), RADIUS);
      gtk_snapshot_push_rounded_clip (snapshot, &rect);
      gtk_snapshot_append_color (snapshot, &color, &GRAPHENE_RECT_INIT (x, y, 5, l->cell_h));
      gtk_snapshot_pop (snapshot);
    }
  if (self->focus_core == (int) core && gtk_widget_has_visible_focus (GTK_WIDGET (self)))
    append_outline (snapshot, x, y, l->cell_w, l->cell_h, RADIUS, 2, &p->fg);

  if (offline)
    g_snprintf (pct, sizeof pct, "%s", C_("cpu core", "off"));
  else
    g_snprintf (pct, sizeof pct, "%d %%", (int) lround (now * 100));
  /* Translators: a core's name on its card, e.g. "Core 3" */
  g_snprintf (name, sizeof name, l->cell_w >= 200 ? _("Core %u") : "%u", core);
  text_size (self, pct, l->big_px, TRUE, &pw, &ph);
  text_size (self, name, l->label_px, FALSE, &nw, &nh);

  if (l->wide)
    {
      /* the figures in a column on the left, the graph beside them */
      double ww = marked ? workers_width (self, core, l->label_px) : 0;
      double tw = CLAMP (MAX (MAX (pw, nw), ww) + 2 * pad + 4, l->cell_w * 0.18, l->cell_w * 0.4);
      double ty = y + MAX ((l->cell_h - nh - ph - nh * 1.3) / 2, pad * 0.5);

      draw_text (self, snapshot, name, l->label_px, FALSE, x + pad + 4, ty, &p->dim);
      draw_text (self, snapshot, pct, l->big_px, TRUE, x + pad + 4, ty + nh, offline ? &p->dim : &p->fg);
      if (marked)
        draw_workers (self, snapshot, p, core, l->label_px, x + pad + 4, ty + nh + ph + nh * 0.3,
                      tw - pad - 4);
      gx = x + tw;
      gy = y + pad;
      gw = l->cell_w - tw - pad;
      gh = l->cell_h - 2 * pad;
    }
  else
    {
      /* the number and the worker above the graph, the figure on the right */
      double line_h = MAX (ph, nh);
      double tx = x + pad + (marked ? 4 : 0);

      draw_text (self, snapshot, name, l->label_px, FALSE, tx, y + pad * 0.6 + (line_h - nh) / 2, &p->dim);
      if (marked)
        draw_workers (self, snapshot, p, core, l->label_px, tx + nw + pad,
                      y + pad * 0.6 + (line_h - nh) / 2, l->cell_w - 3 * pad - nw - pw);
      draw_text (self, snapshot, pct, l->big_px, TRUE, x + l->cell_w - pad - pw, y + pad * 0.6,
                 offline ? &p->dim : &p->fg);
      gx = x + pad + (marked ? 4 : 0);
      gy = y + pad * 0.6 + line_h + 4;
      gw = l->cell_w - 2 * pad - (marked ? 4 : 0);
      gh = y + l->cell_h - pad * 0.7 - gy;
    }

  if (gw > 4 && gh > 4 && !offline)
    {
      cairo_t *cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (gx, gy, gw, gh));

      draw_graph (self, cr, p, core, gx, gy, gw, gh, gh >= 40 ? CLAMP (gh * 0.07, 5, 12) : 0);
      cairo_destroy (cr);
    }
}

static void
draw_tile (CwCpuMeter          *self,
           GtkSnapshot         *snapshot,
           const CwMeterLayout *l,
           const Palette       *p,
           guint                core)
{
  double x, y;
  double now = _cw_cpu_meter_current (self, core);
  double radius = MIN (l->cell_h, l->cell_w) >= 24 ? 4 : 2;
  gboolean marked = self->marks_shown && core < self->n_cpus && self->worker[core] > 0;
  GdkRGBA fill, ink;

  cell_origin (l, core, &x, &y);
  if (now < 0)
    {
      append_outline (snapshot, x + .5, y + .5, l->cell_w - 1, l->cell_h - 1, radius, 1, &p->trough);
      return;
    }
  cw_colors_get_heat (now, &fill);
  cw_colors_get_text_on (&fill, &ink);
  append_rounded (snapshot, x, y, l->cell_w, l->cell_h, radius, &fill);

  if (marked)
    {
      GdkRGBA color;
      double bw = l->cell_h >= 24 ? 3 : 2;

      worker_color (p, self->worker[core], &color);
      append_outline (snapshot, x, y, l->cell_w, l->cell_h, radius, bw, &color);
    }
  if ((self->focus_core == (int) core && gtk_widget_has_visible_focus (GTK_WIDGET (self)))
      || self->hover_core == (int) core)
    append_outline (snapshot, x - 1, y - 1, l->cell_w + 2, l->cell_h + 2, radius + 1, 2, &p->fg);

  /* the figure, and the worker's number at the left when there is room */
  if (l->cell_w >= 30 && l->cell_h >= 16)
    {
      char buf[16];
      int w, h;

      g_snprintf (buf, sizeof buf, l->cell_w >= 64 ? "%d %%" : "%d", (int) lround (now * 100));
      text_size (self, buf, l->big_px, TRUE, &w, &h);
      if (w + 4 <= l->cell_w)
        draw_text (self, snapshot, buf, l->big_px, TRUE, x + l->cell_w - w - MAX ((l->cell_w - w) / 6, 3),
                   y + (l->cell_h - h) / 2, &ink);
      if (marked && l->cell_w >= 64 + w / 2)
        {
          GdkRGBA color, on;
          double bh = h, bw;

          g_snprintf (buf, sizeof buf, "%u", self->worker[core]);
          text_size (self, buf, l->big_px * 0.8, TRUE, &w, &h);
          bw = MAX (w + 8, bh);
          worker_color (p, self->worker[core], &color);
          cw_colors_get_text_on (&color, &on);
          append_rounded (snapshot, x + 5, y + (l->cell_h - bh) / 2, bw, bh, bh / 2, &color);
          draw_text (self, snapshot, buf, l->big_px * 0.8, TRUE, x + 5 + (bw - w) / 2,
                     y + (l->cell_h - h) / 2, &on);
        }
    }
}

/* The heat map's colour scale: "0 %" ▮▮▮▮▮ "100 %"; returns its width. */
static double
draw_legend (CwCpuMeter    *self,
             GtkSnapshot   *snapshot,
             const Palette *p,
             double         right,
             double         y,
             double         h,
             double         px)
{
  const guint steps = 24;
  double bar_w = LEGEND_W * MAX (px / 14.0, 1.0) * 0.6;
  int w0, h0, w1, h1;
  double x;

  text_size (self, "0 %", px, FALSE, &w0, &h0);
  text_size (self, "100 %", px, FALSE, &w1, &h1);
  x = right - w1 - 6 - bar_w - 6 - w0;
  draw_text (self, snapshot, "0 %", px, FALSE, x, y + (h - h0) / 2, &p->dim);
  for (guint i = 0; i < steps; i++)
    {
      GdkRGBA c;

      cw_colors_get_heat ((i + 0.5) / steps, &c);
      gtk_snapshot_append_color (snapshot, &c,
                                 &GRAPHENE_RECT_INIT (x + w0 + 6 + i * bar_w / steps, y + (h - h0) / 2,
                                                      bar_w / steps + 0.5, h0));
    }
  draw_text (self, snapshot, "100 %", px, FALSE, x + w0 + 6 + bar_w + 6, y + (h - h1) / 2, &p->dim);
  return right - x;
}

static void
draw_header (CwCpuMeter          *self,
             GtkSnapshot         *snapshot,
             const CwMeterLayout *l,
             const Palette       *p,
             int                  width)
{
  double h = l->header_h - PAD;
  double px = MAX (l->title_px * 0.6, base_px (self) * 0.9);
  double right = width;
  char buf[128];
  int tw, th, w, hh;
  g_autofree char *cores = NULL;
  g_autofree char *info = NULL;
  double bar_x, bar_w;

  format_total (buf, sizeof buf, self->total);
  text_size (self, buf, l->title_px, TRUE, &tw, &th);
  draw_text (self, snapshot, buf, l->title_px, TRUE, 0, (h - th) / 2, &p->fg);

  /* on the right: the core count, the heat map's scale, who runs where */
  cores = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", l->n), l->n);
  text_size (self, cores, px, FALSE, &w, &hh);
  if (tw + 60 + w < width)
    {
      draw_text (self, snapshot, cores, px, FALSE, right - w, (h - hh) / 2, &p->dim);
      right -= w + 16;
    }
  if (l->mode == CW_METER_HEAT && right - tw - 60 > LEGEND_W + 80)
    right -= draw_legend (self, snapshot, p, right, 0, h, px) + 16;

  if (l->mode == CW_METER_HEAT && (self->focus_core >= 0 || self->hover_core >= 0))
    info = _cw_cpu_meter_describe_core (self, self->hover_core >= 0 ? self->hover_core : self->focus_core);
  else if (self->marks_shown && self->n_running > 0)
    {
      g_autofree char *workers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u worker", "%u workers",
                                                               self->n_running),
                                                  self->n_running);
      g_autofree char *on = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "on %u core", "on %u cores",
                                                          self->n_marked),
                                             self->n_marked);

      /* Translators: how many workers ran, and on how many cores, e.g. "8 workers" "on 2 cores" */
      info = g_strdup_printf (C_("workers on cores", "%s %s"), workers, on);
    }
  if (info != NULL)
    {
      text_size (self, info, px, TRUE, &w, &hh);
      if (right - w > tw + 60)
        {
          draw_text (self, snapshot, info, px, TRUE, right - w, (h - hh) / 2, &p->fg);
          right -= w + 16;
        }
    }

  /* the whole machine as a bar between */
  bar_x = tw + 16;
  bar_w = MIN (right - bar_x, width * 0.35);
  if (bar_w >= 40)
    {
      GskRoundedRect rect;
      double bh = MAX (TOTAL_BAR_H, h * 0.25);

      gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (bar_x, (h - bh) / 2, bar_w, bh), bh / 2);
      gtk_snapshot_push_rounded_clip (snapshot, &rect);
      gtk_snapshot_append_color (snapshot, &p->trough, &rect.bounds);
      gtk_snapshot_append_color (snapshot, &p->bar,
                                 &GRAPHENE_RECT_INIT (bar_x, (h - bh) / 2,
                                                      bar_w * CLAMP (self->total, 0, 1), bh));
      gtk_snapshot_pop (snapshot);
    }
}

void
_cw_cpu_meter_snapshot (CwCpuMeter  *self,
                        GtkSnapshot *snapshot)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  CwMeterLayout l;
  Palette p;

  if (width <= 0 || height <= 0)
    return;

  get_palette (self, &p);
  _cw_cpu_meter_compute_layout (self, width, height, &l);
  draw_header (self, snapshot, &l, &p, width);

  if (l.mode == CW_METER_HEAT)
    {
      for (int row = 0; row < l.rows; row++)
        {
          char buf[16];
          int w, h;

          g_snprintf (buf, sizeof buf, "%u", row * l.cols);
          text_size (self, buf, l.label_px, FALSE, &w, &h);
          if (l.cell_h >= h * 0.8 || row % 2 == 0)
            draw_text (self, snapshot, buf, l.label_px, FALSE, l.grid_x - 6 - w,
                       l.grid_y + row * (l.cell_h + l.gap) + (l.cell_h - h) / 2, &p.dim);
        }
      for (guint core = 0; core < l.n; core++)
        draw_tile (self, snapshot, &l, &p, core);
    }
  else
    {
      for (guint core = 0; core < l.n; core++)
        draw_card (self, snapshot, &l, &p, core);
    }
}
