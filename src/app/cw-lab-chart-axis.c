/* cw-lab-chart-axis.c: the chart's numbers and axes
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Where the ticks go and how they read, which series share a y axis:
 * arithmetic on a report, nothing drawn.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-lab-chart-private.h"

#include <math.h>

/* ---------------------------------------------------------------------- */
/* numbers */

/* A value written beside a bar: a few significant digits, in the user's locale. */
char *
cw_lab_chart_format_value (double v)
{
  double a = fabs (v);

  if (a == 0)
    return g_strdup ("0");
  if (a < 1e15 && fabs (v - round (v)) < 1e-9)
    return g_strdup_printf ("%'.0f", v);
  if (a < 0.001)
    {
      /* 1.0×10⁻⁶ rather than 1e-06 */
      static const char * const superscript[] = { "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹" };
      int e = (int) floor (log10 (a));
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *digits = g_strdup_printf ("%d", -e);

      g_string_printf (text, "%.2g×10⁻", v / pow (10, e));
      for (const char *d = digits; *d; d++)
        g_string_append (text, superscript[*d - '0']);
      return g_string_free (g_steal_pointer (&text), FALSE);
    }
  if (a >= 10000)
    return g_strdup_printf ("%'.0f", v);
  if (a >= 100)
    return g_strdup_printf ("%.0f", v);
  if (a >= 10)
    return g_strdup_printf ("%.1f", v);
  if (a >= 1)
    return g_strdup_printf ("%.2f", v);
  return g_strdup_printf ("%.3g", v);
}

char *
cw_lab_chart_format_tick (const CwLabChartAxis *axis,
                          double                v)
{
  if (axis->log)
    {
      int e = (int) floor (log10 (v) + 1e-9);

      /* far from 1, a power of ten as one: 10⁻⁸ rather than 0.00000001 */
      if ((e < -3 || e > 6) && fabs (v - pow (10, e)) < 1e-9 * v)
        {
          static const char * const superscript[] = { "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹" };
          g_autofree char *digits = g_strdup_printf ("%d", ABS (e));
          GString *text = g_string_new (e < 0 ? "10⁻" : "10");

          for (const char *d = digits; *d; d++)
            g_string_append (text, superscript[*d - '0']);
          return g_string_free (text, FALSE);
        }
      /* 1, 2 or 5 times a power of ten */
      return g_strdup_printf ("%'.*f", MAX (0, -e), v);
    }
  if (fabs (v) < 1e-12)
    v = 0;
  return g_strdup_printf ("%'.*f", axis->decimals, v);
}

static double
nice_step (double range,
           int    max_ticks)
{
  double raw = range / MAX (max_ticks, 1);
  double mag = pow (10, floor (log10 (raw)));
  double f = raw / mag;

  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

void
cw_lab_chart_axis_clear (CwLabChartAxis *axis)
{
  g_clear_pointer (&axis->ticks, g_array_unref);
}

static void
add_tick (CwLabChartAxis *axis,
          double          v)
{
  g_array_append_val (axis->ticks, v);
}

/* A y axis from 0 (or below, for negatives) up to a round number past @max. */
void
cw_lab_chart_axis_linear_from_zero (CwLabChartAxis *axis,
                                    double          min,
                                    double          max,
                                    int             max_ticks)
{
  double lo = MIN (min, 0), hi = MAX (max, 0), step;

  if (hi - lo <= 0 || !isfinite (hi - lo))
    hi = lo + 1;
  step = nice_step (hi - lo, max_ticks);
  axis->log = FALSE;
  axis->lo = floor (lo / step + 1e-9) * step;
  axis->hi = ceil (hi / step - 1e-9) * step;
  axis->decimals = MAX (0, (int) -floor (log10 (step) + 1e-9));
  axis->ticks = g_array_new (FALSE, FALSE, sizeof (double));
  for (double t = axis->lo; t <= axis->hi + step / 2; t += step)
    add_tick (axis, t);
}

/* A log axis over whole decades around [@min, @max] (both > 0). */
void
cw_lab_chart_axis_log_decades (CwLabChartAxis *axis,
                               double          min,
                               double          max,
                               int             max_ticks)
{
  int lo = (int) floor (log10 (min) + 1e-9);
  int hi = (int) ceil (log10 (max) - 1e-9);
  int stride;

  if (hi <= lo)
    hi = lo + 1;
  stride = MAX (1, (hi - lo + max_ticks - 1) / MAX (max_ticks, 1));
  axis->log = TRUE;
  axis->lo = lo;
  axis->hi = hi;
  axis->ticks = g_array_new (FALSE, FALSE, sizeof (double));
  for (int e = lo; e <= hi; e += stride)
    add_tick (axis, pow (10, e));
}

/* Where @v falls on @axis, 0 at lo and 1 at hi. */
double
cw_lab_chart_axis_fraction (const CwLabChartAxis *axis,
                            double                v)
{
  double x = axis->log ? log10 (MAX (v, 1e-300)) : v;

  if (axis->hi <= axis->lo)
    return 0.5;
  return (x - axis->lo) / (axis->hi - axis->lo);
}

static gboolean
is_integer (double v)
{
  return fabs (v - round (v)) < 1e-9;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* The x axis of a line chart: the data's range; ticks at the measured
 * settings when there are a few whole ones (1, 2, 4, 8 workers or files
 * per trip), else round numbers. Dashed reference lines only stretch it. */
void
cw_lab_chart_axis_x (CwLabChartAxis    *axis,
                     const CwLabReport *report,
                     int                max_ticks)
{
  g_autoptr(GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));
  double min = G_MAXDOUBLE, max = -G_MAXDOUBLE;
  gboolean whole = TRUE;

  axis->log = report->log_x;
  for (guint s = 0; s < report->series->len; s++)
    {
      const CwLabSeries *series = g_ptr_array_index (report->series, s);

      for (guint i = 0; i < series->points->len; i++)
        {
          double x = g_array_index (series->points, CwLabPoint, i).x;

          if (axis->log && x <= 0)
            continue;
          min = MIN (min, x);
          max = MAX (max, x);
          if (series->dashed)
            continue;
          whole = whole && is_integer (x);
          g_array_append_val (xs, x);
        }
    }
  if (min > max)
    min = max = 1;
  if (max <= min)
    {
      min = axis->log ? min / 10 : min - 1;
      max = axis->log ? max * 10 : max + 1;
    }
  axis->lo = axis->log ? log10 (min) : min;
  axis->hi = axis->log ? log10 (max) : max;
  axis->ticks = g_array_new (FALSE, FALSE, sizeof (double));
  axis->decimals = 0;

  g_array_sort (xs, compare_doubles);
  for (guint i = 0; i < xs->len; i++)
    {
      double x = g_array_index (xs, double, i);

      if (axis->ticks->len == 0 || x > g_array_index (axis->ticks, double, axis->ticks->len - 1))
        add_tick (axis, x);
    }
  if (whole && axis->ticks->len > 0 && axis->ticks->len <= 12)
    return;

  g_array_set_size (axis->ticks, 0);
  if (axis->log)
    {
      int lo = (int) ceil (axis->lo - 1e-9), hi = (int) floor (axis->hi + 1e-9);

      for (int e = lo; e <= hi; e++)
        add_tick (axis, pow (10, e));
    }
  else
    {
      double step = nice_step (max - min, max_ticks);

      if (whole)
        step = MAX (step, 1);
      axis->decimals = MAX (0, (int) -floor (log10 (step) + 1e-9));
      for (double t = ceil (min / step - 1e-9) * step; t <= max + step * 1e-9; t += step)
        add_tick (axis, t);
    }
}

/* Splits the series over two y axes when one group is on another scale
 * (seconds beside MiB): @right[s] is TRUE for the group without series 0. */
gboolean
cw_lab_chart_split_axes (const CwLabReport *report,
                         gboolean          *right)
{
  g_autoptr(GArray) maxima = g_array_new (FALSE, FALSE, sizeof (double));
  double *m = g_new0 (double, report->series->len);
  double best = 1, threshold = 0;
  gboolean first_high;

  for (guint s = 0; s < report->series->len; s++)
    {
      const CwLabSeries *series = g_ptr_array_index (report->series, s);

      for (guint i = 0; i < series->points->len; i++)
        m[s] = MAX (m[s], fabs (g_array_index (series->points, CwLabPoint, i).y));
      if (m[s] > 0)
        g_array_append_val (maxima, m[s]);
    }
  g_array_sort (maxima, compare_doubles);
  for (guint i = 1; i < maxima->len; i++)
    {
      double a = g_array_index (maxima, double, i - 1), b = g_array_index (maxima, double, i);

      if (b / a > best)
        best = b / a, threshold = b;
    }
  if (best <= 4 || m[0] <= 0)
    {
      g_free (m);
      return FALSE;
    }
  first_high = m[0] >= threshold;
  for (guint s = 0; s < report->series->len; s++)
    right[s] = m[s] > 0 && (m[s] >= threshold) != first_high;
  g_free (m);
  return TRUE;
}

/* Every y of the chosen series, with its range (@side: 0 left, 1 right, -1 all). */
void
cw_lab_chart_y_range (const CwLabReport *report,
                      const gboolean    *right,
                      int                side,
                      double            *min,
                      double            *max)
{
  *min = G_MAXDOUBLE;
  *max = -G_MAXDOUBLE;
  for (guint s = 0; s < report->series->len; s++)
    {
      const CwLabSeries *series = g_ptr_array_index (report->series, s);

      if (side >= 0 && right[s] != (side == 1))
        continue;
      for (guint i = 0; i < series->points->len; i++)
        {
          const CwLabPoint *p = &g_array_index (series->points, CwLabPoint, i);

          /* the runs' range too: the whiskers stay on the chart */
          *min = MIN (*min, MIN (p->y, p->lo));
          *max = MAX (*max, MAX (p->y, p->hi));
        }
    }
  if (*min > *max)
    *min = *max = 0;
}
