/* cw-lab-report.c: a lab report: series to chart, a table, its CSV
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <string.h>

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
  g_clear_pointer (&report->rows, g_ptr_array_unref);
  g_free (report->explanation);
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
  va_start (ap, first_column);
  for (const char *c = first_column; c != NULL; c = va_arg (ap, const char *))
    g_strv_builder_add (columns, c);
  va_end (ap);
  report->columns = g_strv_builder_end (columns);
  return report;
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
  CwLabPoint point = { g_strdup (label), x, y };

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
