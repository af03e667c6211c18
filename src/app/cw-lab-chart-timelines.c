/* cw-lab-chart-timelines.c: under a lab chart, each setting's median run
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A lane per worker and a bar per task, every setting stacked on one time
 * axis (chunk size 1 above 8 above auto, threads above processes), so the
 * settings compare at a glance: the worker idle behind a big last chunk,
 * the slow task holding one worker while the other takes the rest.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-lab-chart-private.h"

#include <math.h>

#include <glib/gi18n.h>

#define TL_SPACING      8   /* between two settings */
#define TL_LANES_MAX   96   /* px for a setting's lanes, at most */

static double
lane_height (guint n_lanes)
{
  if (n_lanes <= 8)
    return 10;
  return MAX (2.0, floor ((double) TL_LANES_MAX / n_lanes));
}

int
cw_lab_chart_timelines_height (Style             *st,
                               const CwLabReport *report,
                               double             width)
{
  int h, line_h = cw_lab_chart_line_height (st->small);

  if (report->timelines == NULL || report->timelines->len == 0)
    return 0;
  cw_lab_chart_set_text (st->normal,
                         _("Each setting’s median run on one time axis: a lane per worker, a bar per task"),
                         (int) width, 2, NULL, &h);
  h += LABEL_GAP;
  for (guint t = 0; t < report->timelines->len; t++)
    {
      const CwLabTimeline *tl = g_ptr_array_index (report->timelines, t);

      h += line_h + 2 + (int) (lane_height (tl->n_lanes) * MAX (tl->n_lanes, 1)) + TL_SPACING;
    }
  /* the axis: ticks and their labels, and its title */
  return h + 4 + 2 * line_h + 4;
}

static const GdkRGBA *
bar_color (const Style *st,
           guint8       status)
{
  static const GdkRGBA failed = { 0.88f, 0.11f, 0.14f, 1.0f };

  if (status == CW_STATUS_OK)
    return &st->palette[0];
  if (status == CW_STATUS_FAILED)
    return &failed;
  return &st->axis;
}

void
cw_lab_chart_draw_timelines (cairo_t           *cr,
                             Style             *st,
                             const CwLabReport *report,
                             Rect               area)
{
  int line_h = cw_lab_chart_line_height (st->small), heading_h;
  gint64 span = 1;
  double left = area.x, right = area.x + area.w, y, axis_y;
  CwLabChartAxis axis = { 0 };

  for (guint t = 0; t < report->timelines->len; t++)
    {
      const CwLabTimeline *tl = g_ptr_array_index (report->timelines, t);

      span = MAX (span, tl->wall_us);
      for (guint b = 0; b < tl->bars->len; b++)
        span = MAX (span, g_array_index (tl->bars, CwLabBar, b).end_us);
    }
  cw_lab_chart_set_text (st->normal,
                         _("Each setting’s median run on one time axis: a lane per worker, a bar per task"),
                         (int) area.w, 2, NULL, &heading_h);
  cw_lab_chart_show_layout (cr, st->normal, area.x, area.y, 0, 0, &st->fg);
  y = area.y + heading_h + LABEL_GAP;

  cw_lab_chart_axis_linear_from_zero (&axis, 0, span / 1e6, MAX (2, (int) (area.w / 90)));
  /* the axis ends at the longest run, not at the next round number */
  axis.hi = span / 1e6;
  axis_y = area.y + area.h - 2 * line_h - 8;

  for (guint t = 0; t < axis.ticks->len; t++)
    {
      double v = g_array_index (axis.ticks, double, t);
      double x = left + cw_lab_chart_axis_fraction (&axis, v) * (right - left);
      g_autofree char *text = NULL;

      if (v > axis.hi + 1e-12)
        continue;
      cw_lab_chart_vline (cr, x, y, axis_y + 3, &st->grid);
      text = cw_lab_chart_format_tick (&axis, v);
      cw_lab_chart_show_text (cr, st->small, text, CLAMP (x, left + cw_lab_chart_text_width (st->small, text) / 2.0,
                                             right - cw_lab_chart_text_width (st->small, text) / 2.0),
                              axis_y + 4, 0.5, 0, &st->dim);
    }
  cw_lab_chart_hline (cr, left, right, axis_y, &st->axis);
  cw_lab_chart_set_text (st->small, _("Seconds since the run started"), (int) area.w, 1, NULL, NULL);
  cw_lab_chart_show_layout (cr, st->small, (left + right) / 2, area.y + area.h, 0.5, 1, &st->dim);

  for (guint t = 0; t < report->timelines->len; t++)
    {
      const CwLabTimeline *tl = g_ptr_array_index (report->timelines, t);
      guint n_lanes = MAX (tl->n_lanes, 1);
      double lane_h = lane_height (n_lanes);
      /* three significant digits, and never fewer decimals than the tables' */
      int decimals = tl->wall_us > 0 ? CLAMP (2 - (int) floor (log10 (tl->wall_us / 1e6)), 3, 9) : 3;
      g_autofree char *wall = g_strdup_printf ("%.*f", decimals, tl->wall_us / 1e6);
      /* Translators: a setting of the experiment and how long its run took, e.g. "chunk size 8 · 0.192 s" */
      g_autofree char *title = g_strdup_printf (_("%s · %s s"), tl->setting, wall);

      cw_lab_chart_set_text (st->small, title, (int) area.w, 1, NULL, NULL);
      cw_lab_chart_show_layout (cr, st->small, left, y, 0, 0, &st->fg);
      y += line_h + 2;
      for (guint l = 0; l < n_lanes; l++)
        if (l % 2 == 0)
          {
            cw_lab_chart_set_color (cr, &st->lane);
            cairo_rectangle (cr, left, y + l * lane_h, right - left, lane_h);
            cairo_fill (cr);
          }
      for (guint b = 0; b < tl->bars->len; b++)
        {
          const CwLabBar *bar = &g_array_index (tl->bars, CwLabBar, b);
          double x0 = left + cw_lab_chart_axis_fraction (&axis, bar->start_us / 1e6) * (right - left);
          double x1 = left + cw_lab_chart_axis_fraction (&axis, bar->end_us / 1e6) * (right - left);
          double w = MAX (x1 - x0, 1);
          double h = lane_h >= 6 ? lane_h - 2 : lane_h;

          if (bar->lane >= n_lanes)
            continue;
          /* a gap between neighbours wide enough to show one */
          if (w >= 4)
            w -= 1;
          cw_lab_chart_set_color (cr, bar_color (st, bar->status));
          cairo_rectangle (cr, x0, y + bar->lane * lane_h + (lane_h - h) / 2, w, h);
          cairo_fill (cr);
        }
      y += lane_h * n_lanes + TL_SPACING;
    }
  cw_lab_chart_axis_clear (&axis);
}
