/* cw-lab-report.c: a lab report: series to chart, a table, its CSV, the
 * settings' timelines, and the arithmetic of medians and spreads
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "cw-json.h"

static void
series_free (CwLabSeries *series)
{
  for (guint i = 0; i < series->points->len; i++)
    g_free (g_array_index (series->points, CwLabPoint, i).label);
  g_array_unref (series->points);
  g_free (series->name);
  g_free (series);
}

void
cw_lab_report_free (CwLabReport *report)
{
  if (report == NULL)
    return;
  g_free (report->title);
  g_free (report->x_label);
  g_free (report->y_label);
  g_clear_pointer (&report->series, g_ptr_array_unref);
  g_strfreev (report->columns);
  g_strfreev (report->headings);
  g_clear_pointer (&report->rows, g_ptr_array_unref);
  g_free (report->claim);
  g_free (report->explanation);
  g_clear_pointer (&report->timelines, g_ptr_array_unref);
  g_free (report);
}

static void
csv_field (GString    *out,
           const char *field)
{
  if (field == NULL)
    field = "";
  if (strpbrk (field, ",\"\n\r") == NULL)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = field; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
csv_line (GString     *out,
          char *const *fields)
{
  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      csv_field (out, fields[i]);
    }
  g_string_append_c (out, '\n');
}

char *
cw_lab_report_to_csv (const CwLabReport *report)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (report != NULL, NULL);

  csv_line (out, report->columns);
  for (guint i = 0; i < report->rows->len; i++)
    csv_line (out, g_ptr_array_index (report->rows, i));
  return g_string_free (out, FALSE);
}

CwLabReport *
cw_lab_report_new (CwLabExperiment  experiment,
                   const char      *x_label,
                   const char      *y_label,
                   const char      *first_column,
                   ...)
{
  CwLabReport *report = g_new0 (CwLabReport, 1);
  g_autoptr(GStrvBuilder) columns = g_strv_builder_new ();
  va_list ap;

  report->experiment = experiment;
  report->title = g_strdup (cw_lab_experiment_title (experiment));
  report->x_label = g_strdup (x_label);
  report->y_label = g_strdup (y_label);
  report->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);
  report->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  report->timelines = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_lab_timeline_free);
  report->verdict = CW_LAB_VERDICT_UNTESTED;
  va_start (ap, first_column);
  for (const char *c = first_column; c != NULL; c = va_arg (ap, const char *))
    g_strv_builder_add (columns, c);
  va_end (ap);
  report->columns = g_strv_builder_end (columns);
  /* until the experiment names them for people */
  report->headings = g_strdupv (report->columns);
  return report;
}

void
cw_lab_report_set_headings (CwLabReport *report,
                            const char  *first_heading,
                            ...)
{
  g_autoptr(GStrvBuilder) headings = g_strv_builder_new ();
  va_list ap;

  va_start (ap, first_heading);
  for (const char *h = first_heading; h != NULL; h = va_arg (ap, const char *))
    g_strv_builder_add (headings, h);
  va_end (ap);
  g_strfreev (report->headings);
  report->headings = g_strv_builder_end (headings);
  g_assert (g_strv_length (report->headings) == g_strv_length (report->columns));
}

CwLabSeries *
cw_lab_report_add_series (CwLabReport *report,
                          const char  *name,
                          gboolean     dashed)
{
  CwLabSeries *series = g_new0 (CwLabSeries, 1);

  series->name = g_strdup (name);
  series->dashed = dashed;
  series->points = g_array_new (FALSE, TRUE, sizeof (CwLabPoint));
  g_ptr_array_add (report->series, series);
  return series;
}

void
cw_lab_series_add_point (CwLabSeries *series,
                         const char  *label,
                         double       x,
                         double       y)
{
  CwLabPoint point = { g_strdup (label), x, y, y, y };

  g_array_append_val (series->points, point);
}

void
cw_lab_series_add_stat (CwLabSeries     *series,
                        const char      *label,
                        double           x,
                        const CwLabStat *stat)
{
  CwLabPoint point = { g_strdup (label), x, stat->median, stat->lo, stat->hi };

  g_array_append_val (series->points, point);
}

void
cw_lab_report_add_row (CwLabReport *report,
                       ...)
{
  guint n = g_strv_length (report->columns);
  char **row = g_new0 (char *, n + 1);
  va_list ap;

  va_start (ap, report);
  for (guint i = 0; i < n; i++)
    row[i] = g_strdup (va_arg (ap, const char *));
  va_end (ap);
  g_ptr_array_add (report->rows, row);
}

/* JSON's form of a number is the one a CSV wants too: a point, never a
 * comma, whatever the locale. */
char *
cw_lab_format_double (double value,
                      int    decimals)
{
  GString *out = g_string_new (NULL);

  cw_json_append_double (out, value, decimals);
  return g_string_free (out, FALSE);
}

char *
cw_lab_text_double (double value,
                    int    decimals)
{
  return g_strdup_printf ("%.*f", CLAMP (decimals, 0, 20), value);
}

const char *
cw_lab_noise_advice (const CwLabRun *run)
{
  if (run->quick)
    return _("Turn Quick off to measure at the lesson’s full size, where the difference has room to show.");
  return _("Run it again when this machine is quieter: other programs’ work lands on some runs and not others.");
}

int
cw_lab_decimals_for (double value,
                     int    significant)
{
  double a = fabs (value);

  if (a <= 0 || !isfinite (a))
    return 0;
  return CLAMP (significant - 1 - (int) floor (log10 (a)), 0, 9);
}

/* ---- medians and spreads ------------------------------------------------ */

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

void
cw_lab_stat_init (CwLabStat    *stat,
                  const double *values,
                  guint         n)
{
  g_autofree double *sorted = NULL;

  memset (stat, 0, sizeof *stat);
  if (n == 0)
    return;
  sorted = g_memdup2 (values, n * sizeof (double));
  qsort (sorted, n, sizeof (double), compare_doubles);
  stat->n = n;
  stat->lo = sorted[0];
  stat->hi = sorted[n - 1];
  stat->median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

double
cw_lab_stat_spread (const CwLabStat *stat)
{
  return stat->hi - stat->lo;
}

/* Every run of one setting beat every run of the other: their ranges do
 * not touch. With five runs each, two settings that are really the same
 * land so only once in 126 tries; a wide spread (a busy moment in one run)
 * then widens the range that has to be cleared. */
gboolean
cw_lab_stat_differs (const CwLabStat *a,
                     const CwLabStat *b)
{
  if (a->n == 0 || b->n == 0)
    return FALSE;
  return a->hi < b->lo || b->hi < a->lo;
}

/* ---- timelines ---------------------------------------------------------- */

void
cw_lab_timeline_free (CwLabTimeline *timeline)
{
  if (timeline == NULL)
    return;
  g_free (timeline->setting);
  g_clear_pointer (&timeline->bars, g_array_unref);
  g_free (timeline);
}

CwLabTimeline *
cw_lab_timeline_copy (const CwLabTimeline *timeline)
{
  CwLabTimeline *copy = g_new0 (CwLabTimeline, 1);

  copy->setting = g_strdup (timeline->setting);
  copy->n_lanes = timeline->n_lanes;
  copy->wall_us = timeline->wall_us;
  copy->bars = g_array_copy (timeline->bars);
  return copy;
}

void
cw_lab_timeline_add_result (CwLabTimeline  *timeline,
                            GArray         *lane_last,
                            gint64          start_us,
                            const CwResult *result)
{
  CwLabBar bar = { 0 };
  guint none = G_MAXUINT;

  /* cancelled before it started: nothing ran */
  if (result->start_us <= 0 || result->end_us < result->start_us)
    return;
  bar.lane = result->worker;
  bar.n_tasks = 1;
  bar.start_us = MAX (result->start_us - start_us, 0);
  bar.end_us = MAX (result->end_us - start_us, bar.start_us);
  bar.status = result->status;
  while (lane_last->len <= bar.lane)
    g_array_append_val (lane_last, none);
  /* mul10 results carry their chunk's one time stamp: one bar */
  if (g_array_index (lane_last, guint, bar.lane) != G_MAXUINT)
    {
      CwLabBar *last = &g_array_index (timeline->bars, CwLabBar, g_array_index (lane_last, guint, bar.lane));

      if (last->start_us == bar.start_us && last->end_us == bar.end_us && last->status == bar.status
          && last->n_tasks < G_MAXUINT32)
        {
          last->n_tasks++;
          return;
        }
    }
  g_array_index (lane_last, guint, bar.lane) = timeline->bars->len;
  g_array_append_val (timeline->bars, bar);
  timeline->n_lanes = MAX (timeline->n_lanes, bar.lane + 1);
}

static int
compare_bars (gconstpointer a,
              gconstpointer b)
{
  const CwLabBar *p = a, *q = b;

  if (p->lane != q->lane)
    return p->lane < q->lane ? -1 : 1;
  return (p->start_us > q->start_us) - (p->start_us < q->start_us);
}

void
cw_lab_timeline_finish (CwLabTimeline *timeline)
{
  gint64 resolution = MAX (timeline->wall_us / 4000, 1);
  guint out = 0;

  g_array_sort (timeline->bars, compare_bars);
  for (guint i = 0; i < timeline->bars->len; i++)
    {
      CwLabBar *bar = &g_array_index (timeline->bars, CwLabBar, i);
      CwLabBar *last = out > 0 ? &g_array_index (timeline->bars, CwLabBar, out - 1) : NULL;

      /* too short to tell apart on any screen: one bar with its neighbour */
      if (last != NULL && last->lane == bar->lane && last->status == bar->status
          && bar->start_us - last->end_us < resolution
          && (bar->end_us - bar->start_us < resolution || last->end_us - last->start_us < resolution)
          && (guint64) last->n_tasks + bar->n_tasks <= G_MAXUINT32)
        {
          last->end_us = MAX (last->end_us, bar->end_us);
          last->n_tasks += bar->n_tasks;
          continue;
        }
      g_array_index (timeline->bars, CwLabBar, out++) = *bar;
    }
  g_array_set_size (timeline->bars, out);
}

gint64
cw_lab_timeline_idle_at_end (const CwLabTimeline *timeline)
{
  gint64 first_done = G_MAXINT64, last_done = 0;
  g_autofree gint64 *lane_end = g_new0 (gint64, MAX (timeline->n_lanes, 1));

  if (timeline->n_lanes < 2)
    return 0;
  for (guint i = 0; i < timeline->bars->len; i++)
    {
      const CwLabBar *bar = &g_array_index (timeline->bars, CwLabBar, i);

      if (bar->lane < timeline->n_lanes)
        lane_end[bar->lane] = MAX (lane_end[bar->lane], bar->end_us);
    }
  for (guint l = 0; l < timeline->n_lanes; l++)
    {
      first_done = MIN (first_done, lane_end[l]);
      last_done = MAX (last_done, lane_end[l]);
    }
  return last_done - first_done;
}
