/* cw-lab-chart-draw.c: a lab report drawn with cairo
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One drawing routine, in cairo, serves the widget (through
 * gtk_snapshot_append_cairo ()) and the PNG export (an image surface), so
 * the exported file is the picture on screen and needs no display.
 *
 * What a report becomes:
 *  * numeric x (the report has an x label): one line with markers per
 *    series, dashed series as grey reference lines without markers; a log
 *    x axis when the report says so; a second y axis on the right when
 *    the y label names two units ("Seconds / MiB") and one group of series
 *    is on another scale; else a log y axis when the values span more than
 *    two decades (µs per task from 0.02 to 10); ticks at the measured
 *    settings when there are few.
 *  * categories (no x label, every point named): one small bar chart per
 *    series, side by side or stacked as the width allows, each bar with its
 *    value written above it; on a log axis when the values span more than
 *    two decades (0.26 s beside 45 ns), so every bar shows.
 *  * a point's runs (lo..hi around the median) as a whisker.
 *  * under the chart, the report's timelines: each setting's median run, a
 *    lane per worker and a bar per task, stacked on one time axis so the
 *    settings compare at a glance (the idle worker behind a big last chunk).
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-lab-chart-private.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "cw-colors.h"

#define PANEL_MIN_W   200   /* a bar panel, the chart's columns */
#define PANEL_GAP_X    24
#define PANEL_GAP_Y    16
#define MARKER_R      3.5
#define LINE_W        2.0
#define X_PAD          12   /* between the y axis and the first point */
#define TICK_SPACING   36   /* px per y tick, at most */
#define CHART_MIN_H   260   /* the chart above the timelines */
#define CHART_NAT_H   340
#define EXPORT_CHART_H 560  /* an exported picture's chart, above its timelines */
#define TL_GAP         16   /* between the chart and the timelines */

/* ---------------------------------------------------------------------- */
/* text */

static PangoLayout *
new_layout (cairo_t                    *cr,
            const PangoFontDescription *base,
            double                      scale,
            gboolean                    bold)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font = pango_font_description_copy (base);
  g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();
  int size = pango_font_description_get_size (font);

  if (size <= 0)
    size = 10 * PANGO_SCALE;
  if (pango_font_description_get_size_is_absolute (font))
    pango_font_description_set_absolute_size (font, size * scale);
  else
    pango_font_description_set_size (font, (int) (size * scale));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  /* tabular figures: tick labels line up */
  pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
  pango_layout_set_attributes (layout, attrs);
  pango_font_description_free (font);
  return layout;
}

static void
style_init_layouts (Style                      *st,
                    cairo_t                    *cr,
                    const PangoFontDescription *font)
{
  st->normal = new_layout (cr, font, 1.0, FALSE);
  st->small = new_layout (cr, font, PANGO_SCALE_SMALL, FALSE);
  st->bold = new_layout (cr, font, 1.15, TRUE);
}

static void
style_clear (Style *st)
{
  g_clear_object (&st->normal);
  g_clear_object (&st->small);
  g_clear_object (&st->bold);
}

static void
style_set_colors (Style         *st,
                  const GdkRGBA *fg)
{
  gboolean dark = cw_colors_is_dark (fg);

  st->fg = *fg;
  st->dim = cw_colors_with_alpha (fg, 0.75f);
  st->grid = cw_colors_with_alpha (fg, 0.12f);
  st->axis = cw_colors_with_alpha (fg, 0.5f);
  st->reference = cw_colors_with_alpha (fg, 0.55f);
  st->lane = cw_colors_with_alpha (fg, 0.05f);
  for (guint i = 0; i < CW_COLORS_N_SERIES; i++)
    cw_colors_get_series (i, dark, &st->palette[i]);
}

/* Sets @text on @layout, wrapped at @wrap px (0: one line, -1 also) and
 * cut at @max_lines, and gives its size. */
void
cw_lab_chart_set_text (PangoLayout *layout,
                       const char  *text,
                       int          wrap,
                       int          max_lines,
                       int         *width,
                       int         *height)
{
  int w, h;

  pango_layout_set_width (layout, wrap > 0 ? wrap * PANGO_SCALE : -1);
  pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_height (layout, max_lines > 0 ? -max_lines : -1);
  pango_layout_set_ellipsize (layout, wrap > 0 && max_lines > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
  pango_layout_set_alignment (layout, PANGO_ALIGN_LEFT);
  pango_layout_set_text (layout, text ? text : "", -1);
  pango_layout_get_pixel_size (layout, &w, &h);
  if (width)
    *width = w;
  if (height)
    *height = h;
}

int
cw_lab_chart_text_width (PangoLayout *layout,
                         const char  *text)
{
  int w;

  cw_lab_chart_set_text (layout, text, 0, 0, &w, NULL);
  return w;
}

int
cw_lab_chart_line_height (PangoLayout *layout)
{
  int h;

  cw_lab_chart_set_text (layout, "0", 0, 0, NULL, &h);
  return h;
}

/* Draws the text already set on @layout with its box's (@xalign, @yalign)
 * point at (@x, @y). */
void
cw_lab_chart_show_layout (cairo_t       *cr,
                          PangoLayout   *layout,
                          double         x,
                          double         y,
                          double         xalign,
                          double         yalign,
                          const GdkRGBA *color)
{
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  cairo_save (cr);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_move_to (cr, round (x - xalign * w), round (y - yalign * h));
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
}

void
cw_lab_chart_show_text (cairo_t       *cr,
                        PangoLayout   *layout,
                        const char    *text,
                        double         x,
                        double         y,
                        double         xalign,
                        double         yalign,
                        const GdkRGBA *color)
{
  cw_lab_chart_set_text (layout, text, 0, 0, NULL, NULL);
  cw_lab_chart_show_layout (cr, layout, x, y, xalign, yalign, color);
}

/* Text turned a quarter left, centred on (@x, @y): a y axis's label. */
static void
show_text_vertical (cairo_t       *cr,
                    PangoLayout   *layout,
                    const char    *text,
                    int            max_length,
                    double         x,
                    double         y,
                    const GdkRGBA *color)
{
  int w, h;

  cw_lab_chart_set_text (layout, text, MAX (max_length, 1), 1, &w, &h);
  cairo_save (cr);
  cairo_translate (cr, round (x), round (y));
  cairo_rotate (cr, -G_PI / 2);
  pango_cairo_update_layout (cr, layout);
  gdk_cairo_set_source_rgba (cr, color);
  cairo_move_to (cr, -w / 2.0, -h / 2.0);
  pango_cairo_show_layout (cr, layout);
  cairo_restore (cr);
  pango_cairo_update_layout (cr, layout);
}

/* ---------------------------------------------------------------------- */
/* shapes */

void
cw_lab_chart_set_color (cairo_t       *cr,
                        const GdkRGBA *color)
{
  gdk_cairo_set_source_rgba (cr, color);
}

void
cw_lab_chart_hline (cairo_t       *cr,
                    double         x0,
                    double         x1,
                    double         y,
                    const GdkRGBA *color)
{
  cw_lab_chart_set_color (cr, color);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, x0, floor (y) + 0.5);
  cairo_line_to (cr, x1, floor (y) + 0.5);
  cairo_stroke (cr);
}

void
cw_lab_chart_vline (cairo_t       *cr,
                    double         x,
                    double         y0,
                    double         y1,
                    const GdkRGBA *color)
{
  cw_lab_chart_set_color (cr, color);
  cairo_set_line_width (cr, 1);
  cairo_move_to (cr, floor (x) + 0.5, y0);
  cairo_line_to (cr, floor (x) + 0.5, y1);
  cairo_stroke (cr);
}

static void
marker (cairo_t       *cr,
        double         x,
        double         y,
        gboolean       diamond,
        const GdkRGBA *color)
{
  cw_lab_chart_set_color (cr, color);
  if (diamond)
    {
      double r = MARKER_R * 1.5;

      cairo_move_to (cr, x, y - r);
      cairo_line_to (cr, x + r, y);
      cairo_line_to (cr, x, y + r);
      cairo_line_to (cr, x - r, y);
      cairo_close_path (cr);
    }
  else
    cairo_arc (cr, x, y, MARKER_R, 0, 2 * G_PI);
  cairo_fill (cr);
}

/* The runs' range around a median: a thin line with caps (nothing when
 * the runs agree to a pixel). */
static void
whisker (cairo_t       *cr,
         double         x,
         double         y_lo,
         double         y_hi,
         const GdkRGBA *color)
{
  if (fabs (y_lo - y_hi) < 2)
    return;
  cw_lab_chart_set_color (cr, color);
  cairo_set_line_width (cr, 1.5);
  cairo_move_to (cr, x, y_lo);
  cairo_line_to (cr, x, y_hi);
  cairo_move_to (cr, x - 4, y_lo);
  cairo_line_to (cr, x + 4, y_lo);
  cairo_move_to (cr, x - 4, y_hi);
  cairo_line_to (cr, x + 4, y_hi);
  cairo_stroke (cr);
}

/* The legend's sample of a series: a short line (dashed for a reference)
 * with a marker, or a square for bars. */
static void
swatch (cairo_t       *cr,
        double         x,
        double         y,
        double         w,
        gboolean       dashed,
        gboolean       square,
        const GdkRGBA *color)
{
  if (square)
    {
      cw_lab_chart_set_color (cr, color);
      cairo_rectangle (cr, x, y - 5, 10, 10);
      cairo_fill (cr);
      return;
    }
  cw_lab_chart_set_color (cr, color);
  cairo_set_line_width (cr, LINE_W);
  if (dashed)
    cairo_set_dash (cr, (double[]) { 4, 3 }, 2, 0);
  cairo_move_to (cr, x, y);
  cairo_line_to (cr, x + w, y);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  if (!dashed)
    marker (cr, x + w / 2, y, FALSE, color);
}

/* ---------------------------------------------------------------------- */
/* the report's shape */

static gboolean
series_is_empty (const CwLabSeries *series)
{
  return series->points == NULL || series->points->len == 0;
}

static guint
count_nonempty (const CwLabReport *report)
{
  guint n = 0;

  for (guint s = 0; s < report->series->len; s++)
    n += !series_is_empty (g_ptr_array_index (report->series, s));
  return n;
}

/* Named points and no x axis label: a bar per point, in panels. */
static gboolean
is_categorical (const CwLabReport *report)
{
  if (report->x_label != NULL && report->x_label[0] != '\0')
    return FALSE;
  for (guint s = 0; s < report->series->len; s++)
    {
      const CwLabSeries *series = g_ptr_array_index (report->series, s);

      for (guint i = 0; i < series->points->len; i++)
        if (g_array_index (series->points, CwLabPoint, i).label == NULL)
          return FALSE;
    }
  return count_nonempty (report) > 0;
}

/* A series' colour: dashed ones are grey references; the others take the
 * palette in turn. */
static const GdkRGBA *
series_color (const Style       *st,
              const CwLabReport *report,
              guint              index)
{
  guint n = 0;

  if (((CwLabSeries *) g_ptr_array_index (report->series, index))->dashed)
    return &st->reference;
  for (guint s = 0; s < index; s++)
    n += !((CwLabSeries *) g_ptr_array_index (report->series, s))->dashed;
  return &st->palette[n % CW_COLORS_N_SERIES];
}

/* "auto" is a different setting, not a point on the fixed chunk sizes'
 * curve: the engine names it so, and the chart draws it apart. */
static gboolean
is_apart (const CwLabPoint *point)
{
  return point->label != NULL && g_str_equal (point->label, "auto");
}

static guint
categorical_columns (guint  n_panels,
                     double width)
{
  return CLAMP ((guint) ((width + PANEL_GAP_X) / (PANEL_MIN_W + PANEL_GAP_X)), 1, MAX (n_panels, 1));
}

/* ---------------------------------------------------------------------- */
/* bars: one panel per series */

static void
draw_bar_panel (cairo_t           *cr,
                Style             *st,
                const CwLabReport *report,
                guint              index,
                const char        *y_label,
                Rect               area)
{
  const CwLabSeries *series = g_ptr_array_index (report->series, index);
  const GdkRGBA *color = series_color (st, report, index);
  guint n = series->points->len;
  int title_h, tick_h, label_h = 0, tick_w = 0, y_label_w = 0;
  double min = 0, max = 0, pos_min = G_MAXDOUBLE, plot_top, plot_bottom, left, slot;
  gboolean log_y;
  CwLabChartAxis axis = { 0 };

  /* the title: the series' name beside its colour */
  cw_lab_chart_set_text (st->normal, series->name, (int) area.w - 16, 2, NULL, &title_h);
  cw_lab_chart_show_layout (cr, st->normal, area.x + 16, area.y, 0, 0, &st->fg);
  swatch (cr, area.x, area.y + cw_lab_chart_line_height (st->normal) / 2.0, 10, FALSE, TRUE, color);

  tick_h = cw_lab_chart_line_height (st->small);
  if (y_label != NULL)
    y_label_w = cw_lab_chart_line_height (st->small) + LABEL_GAP;

  for (guint i = 0; i < n; i++)
    {
      const CwLabPoint *p = &g_array_index (series->points, CwLabPoint, i);

      min = MIN (min, MIN (p->y, p->lo));
      max = MAX (max, MAX (p->y, p->hi));
      if (p->y > 0)
        pos_min = MIN (pos_min, MIN (p->y, p->lo > 0 ? p->lo : p->y));
    }
  /* 0.26 s beside 45 ns: on a linear axis the small bar is not there at
   * all; on a log axis every bar shows, and its value is written above */
  log_y = min >= 0 && pos_min < G_MAXDOUBLE && max / pos_min > 100;

  /* the names under the bars, up to three lines each; the slot width is
   * guessed from a typical tick label's width, then drawn at the real one */
  slot = (area.w - y_label_w - 48) / MAX (n, 1);
  for (guint i = 0; i < n; i++)
    {
      int h;

      cw_lab_chart_set_text (st->small, g_array_index (series->points, CwLabPoint, i).label, (int) slot - 4, 3,
                             NULL, &h);
      label_h = MAX (label_h, h);
    }

  plot_top = area.y + title_h + LABEL_GAP + tick_h + 2;   /* room for a value over the top bar */
  plot_bottom = area.y + area.h - label_h - LABEL_GAP;
  if (plot_bottom - plot_top < 24)
    return;
  if (log_y)
    cw_lab_chart_axis_log_decades (&axis, pos_min, max, MAX (2, (int) ((plot_bottom - plot_top) / TICK_SPACING)));
  else
    cw_lab_chart_axis_linear_from_zero (&axis, min, max, MAX (2, (int) ((plot_bottom - plot_top) / TICK_SPACING)));
  for (guint t = 0; t < axis.ticks->len; t++)
    {
      g_autofree char *text = cw_lab_chart_format_tick (&axis, g_array_index (axis.ticks, double, t));

      tick_w = MAX (tick_w, cw_lab_chart_text_width (st->small, text));
    }
  left = area.x + y_label_w + tick_w + LABEL_GAP;
  slot = (area.x + area.w - left) / MAX (n, 1);

  if (y_label != NULL)
    show_text_vertical (cr, st->small, y_label, (int) (plot_bottom - plot_top),
                        area.x + y_label_w / 2.0, (plot_top + plot_bottom) / 2, &st->dim);

  for (guint t = 0; t < axis.ticks->len; t++)
    {
      double v = g_array_index (axis.ticks, double, t);
      double y = plot_bottom - cw_lab_chart_axis_fraction (&axis, v) * (plot_bottom - plot_top);
      g_autofree char *text = cw_lab_chart_format_tick (&axis, v);

      cw_lab_chart_hline (cr, left, area.x + area.w, y, &st->grid);
      cw_lab_chart_show_text (cr, st->small, text, left - LABEL_GAP, y, 1, 0.5, &st->dim);
    }
  cw_lab_chart_vline (cr, left, plot_top, plot_bottom, &st->axis);

  for (guint i = 0; i < n; i++)
    {
      const CwLabPoint *p = &g_array_index (series->points, CwLabPoint, i);
      double cx = left + slot * (i + 0.5);
      double bar_w = MIN (slot * 0.55, 72);
      double y0 = log_y ? plot_bottom : plot_bottom - cw_lab_chart_axis_fraction (&axis, 0) * (plot_bottom - plot_top);
      double y1 = plot_bottom - cw_lab_chart_axis_fraction (&axis, p->y) * (plot_bottom - plot_top);
      g_autofree char *value = cw_lab_chart_format_value (p->y);

      /* a value above zero stays visible as a hairline */
      if (p->y != 0 && fabs (y0 - y1) < 1)
        y1 = y0 - (p->y > 0 ? 1 : -1);
      if (log_y && p->y <= 0)
        y1 = y0;
      cw_lab_chart_set_color (cr, color);
      cairo_rectangle (cr, round (cx - bar_w / 2), MIN (y0, y1), round (bar_w), fabs (y0 - y1));
      cairo_fill (cr);
      if (p->hi > p->lo && (!log_y || p->lo > 0))
        {
          double w_lo = plot_bottom - cw_lab_chart_axis_fraction (&axis, p->lo) * (plot_bottom - plot_top);
          double w_hi = plot_bottom - cw_lab_chart_axis_fraction (&axis, p->hi) * (plot_bottom - plot_top);

          whisker (cr, cx, w_lo, w_hi, &st->fg);
          y1 = MIN (y1, w_hi);
        }
      cw_lab_chart_show_text (cr, st->small, value, cx, MIN (y0, y1) - 2, 0.5, 1, &st->fg);

      cw_lab_chart_set_text (st->small, p->label, (int) slot - 4, 3, NULL, NULL);
      pango_layout_set_alignment (st->small, PANGO_ALIGN_CENTER);
      cairo_save (cr);
      cw_lab_chart_set_color (cr, &st->fg);
      cairo_move_to (cr, round (cx - (slot - 4) / 2), plot_bottom + LABEL_GAP / 2.0);
      pango_cairo_show_layout (cr, st->small);
      cairo_restore (cr);
    }
  cw_lab_chart_hline (cr, left, area.x + area.w, plot_bottom, &st->axis);
  cw_lab_chart_axis_clear (&axis);
}

static void
draw_bars (cairo_t           *cr,
           Style             *st,
           const CwLabReport *report,
           Rect               area)
{
  guint n = count_nonempty (report);
  guint cols = categorical_columns (n, area.w);
  guint rows = (n + cols - 1) / cols;
  double w = (area.w - (cols - 1) * PANEL_GAP_X) / cols;
  double h = (area.h - (rows - 1) * PANEL_GAP_Y) / rows;
  guint k = 0;

  for (guint s = 0; s < report->series->len; s++)
    {
      Rect panel;

      if (series_is_empty (g_ptr_array_index (report->series, s)))
        continue;
      panel.x = area.x + (k % cols) * (w + PANEL_GAP_X);
      panel.y = area.y + (k / cols) * (h + PANEL_GAP_Y);
      panel.w = w;
      panel.h = h;
      /* one panel: the report's y label says what the bars measure; with
       * several, each panel's title does */
      draw_bar_panel (cr, st, report, s, n == 1 ? report->y_label : NULL, panel);
      k++;
    }
}

/* ---------------------------------------------------------------------- */
/* lines */

/* Flows the legend's entries into rows across @width; returns its height. */
static int
draw_legend (cairo_t           *cr,
             Style             *st,
             const CwLabReport *report,
             Rect               area)
{
  int line_h = cw_lab_chart_line_height (st->normal);
  double x = 0, y = 0;

  for (guint s = 0; s < report->series->len; s++)
    {
      const CwLabSeries *series = g_ptr_array_index (report->series, s);
      int w;

      if (series_is_empty (series))
        continue;
      cw_lab_chart_set_text (st->normal, series->name, (int) area.w - 28, 1, &w, NULL);
      if (x > 0 && x + 28 + w > area.w)
        {
          x = 0;
          y += line_h + 4;
        }
      swatch (cr, area.x + x, area.y + y + line_h / 2.0, 20, series->dashed, FALSE,
              series_color (st, report, s));
      cw_lab_chart_show_layout (cr, st->normal, area.x + x + 26, area.y + y, 0, 0, &st->fg);
      x += 26 + w + 18;
    }
  return (int) y + line_h;
}

/* The label of one side of a two-axis chart: "Seconds / MiB" splits in
 * two; otherwise the side's series say what it measures. */
static char *
side_label (const CwLabReport *report,
            const gboolean    *right,
            gboolean           split,
            int                side)
{
  g_autoptr(GString) names = NULL;
  const char *slash;

  if (!split)
    return g_strdup (report->y_label);
  slash = report->y_label ? strstr (report->y_label, " / ") : NULL;
  if (slash != NULL)
    return side == 0 ? g_strndup (report->y_label, slash - report->y_label) : g_strdup (slash + 3);
  names = g_string_new (NULL);
  for (guint s = 0; s < report->series->len; s++)
    {
      const CwLabSeries *series = g_ptr_array_index (report->series, s);

      if (right[s] != (side == 1) || series_is_empty (series))
        continue;
      if (names->len > 0)
        g_string_append (names, ", ");
      g_string_append (names, series->name);
    }
  return g_string_free (g_steal_pointer (&names), FALSE);
}

/* The colour of one side's axis: its series' when it has only one. */
static const GdkRGBA *
side_color (const Style       *st,
            const CwLabReport *report,
            const gboolean    *right,
            gboolean           split,
            int                side)
{
  const GdkRGBA *color = NULL;
  guint n = 0;

  if (!split)
    return &st->dim;
  for (guint s = 0; s < report->series->len; s++)
    {
      const CwLabSeries *series = g_ptr_array_index (report->series, s);

      if (right[s] != (side == 1) || series_is_empty (series))
        continue;
      n++;
      color = series_color (st, report, s);
    }
  return n == 1 ? color : &st->dim;
}

static int
widest_tick (const Style          *st,
             const CwLabChartAxis *axis)
{
  int w = 0;

  for (guint t = 0; t < axis->ticks->len; t++)
    {
      g_autofree char *text = cw_lab_chart_format_tick (axis, g_array_index (axis->ticks, double, t));

      w = MAX (w, cw_lab_chart_text_width (st->small, text));
    }
  return w;
}

static int
compare_points_x (gconstpointer a,
                  gconstpointer b)
{
  const CwLabPoint *p = *(const CwLabPoint * const *) a, *q = *(const CwLabPoint * const *) b;

  return (p->x > q->x) - (p->x < q->x);
}

static void
draw_lines (cairo_t           *cr,
            Style             *st,
            const CwLabReport *report,
            Rect               area)
{
  guint n_series = report->series->len;
  g_autofree gboolean *right = g_new0 (gboolean, MAX (n_series, 1));
  g_autofree char *left_label = NULL, *right_label = NULL;
  int legend_h, tick_h, label_h, max_ticks, left_tick_w, right_tick_w = 0;
  double plot_top, plot_bottom, plot_left, plot_right, min, max, all_min, all_max, last_label_end;
  gboolean log_y, split = FALSE;
  CwLabChartAxis ly = { 0 }, ry = { 0 }, ax = { 0 };

  legend_h = draw_legend (cr, st, report, area);
  tick_h = cw_lab_chart_line_height (st->small);
  label_h = cw_lab_chart_line_height (st->small);

  plot_top = area.y + legend_h + 12 + tick_h / 2.0;
  plot_bottom = area.y + area.h - tick_h - 4;
  if (report->x_label != NULL && report->x_label[0] != '\0')
    plot_bottom -= label_h + 4;
  if (plot_bottom - plot_top < 30)
    return;
  max_ticks = MAX (2, (int) ((plot_bottom - plot_top) / TICK_SPACING));

  /* two units in the y label ("Seconds / MiB"): a scale for each, when
   * they differ; one unit over more than two decades (µs per task from
   * 0.02 to 10): only a log axis shows both ends */
  if (report->y_label != NULL && strstr (report->y_label, " / ") != NULL)
    split = cw_lab_chart_split_axes (report, right);
  cw_lab_chart_y_range (report, right, -1, &all_min, &all_max);
  log_y = !split && all_min > 0 && all_max / all_min > 100;

  cw_lab_chart_y_range (report, right, 0, &min, &max);
  if (log_y)
    cw_lab_chart_axis_log_decades (&ly, min, max, max_ticks);
  else
    cw_lab_chart_axis_linear_from_zero (&ly, min, max, max_ticks);
  if (split)
    {
      cw_lab_chart_y_range (report, right, 1, &min, &max);
      cw_lab_chart_axis_linear_from_zero (&ry, min, max, max_ticks);
      right_tick_w = widest_tick (st, &ry);
    }
  left_tick_w = widest_tick (st, &ly);
  left_label = side_label (report, right, split, 0);
  right_label = split ? side_label (report, right, split, 1) : NULL;

  plot_left = area.x + (left_label ? label_h + LABEL_GAP : 0) + left_tick_w + LABEL_GAP;
  plot_right = area.x + area.w - (split ? right_tick_w + LABEL_GAP + (right_label ? label_h + LABEL_GAP : 0) : 0);

  cw_lab_chart_axis_x (&ax, report, MAX (2, (int) ((plot_right - plot_left) / 80)));
  if (!split && ax.ticks->len > 0)
    {
      /* the last tick's label may hang past the plot's end */
      g_autofree char *text = cw_lab_chart_format_tick (&ax, g_array_index (ax.ticks, double, ax.ticks->len - 1));
      double hang = cw_lab_chart_text_width (st->small, text) / 2.0 - X_PAD;

      if (hang > 0)
        plot_right -= hang;
    }
  if (plot_right - plot_left < 2 * X_PAD + 10)
    goto out;

#define X_AT(v) (plot_left + X_PAD + cw_lab_chart_axis_fraction (&ax, (v)) * (plot_right - plot_left - 2 * X_PAD))
#define Y_AT(axis, v) (plot_bottom - cw_lab_chart_axis_fraction ((axis), (v)) * (plot_bottom - plot_top))

  /* grid and the left axis */
  for (guint t = 0; t < ly.ticks->len; t++)
    {
      double v = g_array_index (ly.ticks, double, t);
      g_autofree char *text = cw_lab_chart_format_tick (&ly, v);

      cw_lab_chart_hline (cr, plot_left, plot_right, Y_AT (&ly, v), &st->grid);
      cw_lab_chart_show_text (cr, st->small, text, plot_left - LABEL_GAP, Y_AT (&ly, v), 1, 0.5,
                              side_color (st, report, right, split, 0));
    }
  if (left_label != NULL)
    show_text_vertical (cr, st->small, left_label, (int) (plot_bottom - plot_top),
                        area.x + label_h / 2.0, (plot_top + plot_bottom) / 2,
                        side_color (st, report, right, split, 0));
  cw_lab_chart_vline (cr, plot_left, plot_top, plot_bottom, &st->axis);
  if (split)
    {
      for (guint t = 0; t < ry.ticks->len; t++)
        {
          double v = g_array_index (ry.ticks, double, t);
          g_autofree char *text = cw_lab_chart_format_tick (&ry, v);

          cw_lab_chart_show_text (cr, st->small, text, plot_right + LABEL_GAP, Y_AT (&ry, v), 0, 0.5,
                                  side_color (st, report, right, split, 1));
        }
      if (right_label != NULL)
        show_text_vertical (cr, st->small, right_label, (int) (plot_bottom - plot_top),
                            area.x + area.w - label_h / 2.0, (plot_top + plot_bottom) / 2,
                            side_color (st, report, right, split, 1));
      cw_lab_chart_vline (cr, plot_right, plot_top, plot_bottom, &st->axis);
    }
  cw_lab_chart_hline (cr, plot_left, plot_right, plot_bottom, &st->axis);

  /* x ticks, every k-th one when their labels would touch */
  {
    guint stride = 1;

    for (; stride < MAX (ax.ticks->len, 1); stride++)
      {
        gboolean fits = TRUE;

        last_label_end = -G_MAXDOUBLE;
        for (guint t = 0; t < ax.ticks->len && fits; t += stride)
          {
            double v = g_array_index (ax.ticks, double, t);
            g_autofree char *text = cw_lab_chart_format_tick (&ax, v);
            double w = cw_lab_chart_text_width (st->small, text);

            fits = X_AT (v) - w / 2 >= last_label_end + 8;
            last_label_end = X_AT (v) + w / 2;
          }
        if (fits)
          break;
      }
    for (guint t = 0; t < ax.ticks->len; t += stride)
      {
        double v = g_array_index (ax.ticks, double, t);
        g_autofree char *text = cw_lab_chart_format_tick (&ax, v);

        cw_lab_chart_vline (cr, X_AT (v), plot_bottom, plot_bottom + 3, &st->axis);
        cw_lab_chart_show_text (cr, st->small, text, X_AT (v), plot_bottom + 4, 0.5, 0, &st->dim);
      }
  }
  if (report->x_label != NULL && report->x_label[0] != '\0')
    {
      cw_lab_chart_set_text (st->small, report->x_label, (int) (plot_right - plot_left), 1, NULL, NULL);
      cw_lab_chart_show_layout (cr, st->small, (plot_left + plot_right) / 2, area.y + area.h, 0.5, 1, &st->dim);
    }

  /* the series; markers may stick out of the plot a little, never far */
  cairo_save (cr);
  cairo_rectangle (cr, plot_left, plot_top - MARKER_R * 2, plot_right - plot_left, plot_bottom - plot_top + MARKER_R * 4);
  cairo_clip (cr);
  for (guint s = 0; s < n_series; s++)
    {
      const CwLabSeries *series = g_ptr_array_index (report->series, s);
      const GdkRGBA *color = series_color (st, report, s);
      const CwLabChartAxis *y_axis = right[s] ? &ry : &ly;
      g_autoptr(GPtrArray) line = g_ptr_array_new ();

      for (guint i = 0; i < series->points->len; i++)
        {
          CwLabPoint *p = &g_array_index (series->points, CwLabPoint, i);

          if ((ax.log && p->x <= 0) || (log_y && p->y <= 0))
            continue;
          if (!is_apart (p))
            g_ptr_array_add (line, p);
        }
      g_ptr_array_sort (line, compare_points_x);

      cw_lab_chart_set_color (cr, color);
      cairo_set_line_width (cr, LINE_W);
      cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
      if (series->dashed)
        cairo_set_dash (cr, (double[]) { 6, 4 }, 2, 0);
      for (guint i = 0; i < line->len; i++)
        {
          const CwLabPoint *p = g_ptr_array_index (line, i);

          if (i == 0)
            cairo_move_to (cr, X_AT (p->x), Y_AT (y_axis, p->y));
          else
            cairo_line_to (cr, X_AT (p->x), Y_AT (y_axis, p->y));
        }
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
      if (series->dashed)
        continue;
      for (guint i = 0; i < line->len; i++)
        {
          const CwLabPoint *p = g_ptr_array_index (line, i);

          marker (cr, X_AT (p->x), Y_AT (y_axis, p->y), FALSE, color);
          if (p->hi > p->lo && (!log_y || p->lo > 0))
            whisker (cr, X_AT (p->x), Y_AT (y_axis, p->lo), Y_AT (y_axis, p->hi), color);
        }
      for (guint i = 0; i < series->points->len; i++)
        {
          const CwLabPoint *p = &g_array_index (series->points, CwLabPoint, i);
          double x, y;

          if (!is_apart (p) || (ax.log && p->x <= 0) || (log_y && p->y <= 0))
            continue;
          x = X_AT (p->x);
          y = Y_AT (y_axis, p->y);
          marker (cr, x, y, TRUE, color);
          if (p->hi > p->lo && (!log_y || p->lo > 0))
            whisker (cr, x, Y_AT (y_axis, p->lo), Y_AT (y_axis, p->hi), color);
          cw_lab_chart_show_text (cr, st->small, p->label, x + (x > (plot_left + plot_right) / 2 ? -8 : 8), y - 4,
                                  x > (plot_left + plot_right) / 2 ? 1 : 0, 1, color);
        }
    }
  cairo_restore (cr);

#undef X_AT
#undef Y_AT

out:
  cw_lab_chart_axis_clear (&ly);
  cw_lab_chart_axis_clear (&ry);
  cw_lab_chart_axis_clear (&ax);
}

/* ---------------------------------------------------------------------- */

static void
draw_report (cairo_t           *cr,
             Style             *st,
             const CwLabReport *report,
             double             width,
             double             height)
{
  Rect area = { 0, 0, width, height };

  int tl_h;

  if (report == NULL || report->series == NULL || count_nonempty (report) == 0)
    return;
  if (st->show_title && report->title != NULL)
    {
      int h;

      cw_lab_chart_set_text (st->bold, report->title, (int) width, 2, NULL, &h);
      cw_lab_chart_show_layout (cr, st->bold, 0, 0, 0, 0, &st->fg);
      area.y += h + 12;
      area.h -= h + 12;
    }
  tl_h = cw_lab_chart_timelines_height (st, report, width);
  if (tl_h > 0)
    area.h -= tl_h + TL_GAP;
  if (is_categorical (report))
    draw_bars (cr, st, report, area);
  else
    draw_lines (cr, st, report, area);
  if (tl_h > 0)
    cw_lab_chart_draw_timelines (cr, st, report, (Rect) { 0, area.y + area.h + TL_GAP, width, tl_h });
}

/* ---------------------------------------------------------------------- */
/* for the widget and the PNG */

void
cw_lab_chart_draw (cairo_t                    *cr,
                   const CwLabReport          *report,
                   const GdkRGBA              *foreground,
                   const PangoFontDescription *font,
                   gboolean                    show_title,
                   double                      width,
                   double                      height)
{
  Style st = { 0 };

  style_set_colors (&st, foreground);
  st.show_title = show_title;
  style_init_layouts (&st, cr, font);
  draw_report (cr, &st, report, width, height);
  style_clear (&st);
}

/* The timelines' height at @width: measured with a scratch cairo
 * context, so the widget and the export agree to the pixel. */
static int
measure_timelines (const CwLabReport          *report,
                   const PangoFontDescription *font,
                   int                         width)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  Style st = { 0 };
  int h;

  if (report == NULL || report->timelines == NULL || report->timelines->len == 0)
    return 0;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1, 1);
  cr = cairo_create (surface);
  style_init_layouts (&st, cr, font);
  h = cw_lab_chart_timelines_height (&st, report, width > 0 ? width : 560);
  style_clear (&st);
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return h + TL_GAP;
}

void
cw_lab_chart_measure_height (const CwLabReport          *report,
                             const PangoFontDescription *font,
                             int                         for_width,
                             int                        *minimum,
                             int                        *natural)
{
  int tl = measure_timelines (report, font, for_width);

  if (report != NULL && is_categorical (report))
    {
      /* bar panels stack when the width has room for fewer columns */
      guint n = count_nonempty (report);
      guint cols = for_width > 0 ? categorical_columns (n, for_width) : MAX (n, 1);
      guint rows = (n + cols - 1) / cols;

      *minimum = 200 * rows + PANEL_GAP_Y * (rows - 1) + tl;
      *natural = 280 * rows + PANEL_GAP_Y * (rows - 1) + tl;
      return;
    }
  *minimum = CHART_MIN_H + tl;
  *natural = CHART_NAT_H + tl;
}

int
cw_lab_chart_export_height (const CwLabReport          *report,
                            const PangoFontDescription *font,
                            int                         width)
{
  return EXPORT_CHART_H + measure_timelines (report, font, width);
}
