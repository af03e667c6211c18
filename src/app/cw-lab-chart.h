/* cw-lab-chart.h: a lab report's series as a chart, on screen and as PNG
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cw-lab.h"

G_BEGIN_DECLS

#define CW_TYPE_LAB_CHART (cw_lab_chart_get_type ())
G_DECLARE_FINAL_TYPE (CwLabChart, cw_lab_chart, CW, LAB_CHART, GtkWidget)

GtkWidget         *cw_lab_chart_new              (void);
/* The chart owns @report from now on (NULL: an empty chart). */
void               cw_lab_chart_take_report      (CwLabChart         *self,
                                                  CwLabReport        *report);
const CwLabReport *cw_lab_chart_get_report       (CwLabChart         *self);

typedef enum
{
  CW_LAB_CHART_PNG,
  CW_LAB_CHART_SVG,
} CwLabChartFormat;

/* The height of an exported picture @width wide: the chart and, under it,
 * the report's timelines. */
int                cw_lab_chart_get_export_height (const CwLabReport *report,
                                                   int                width);
/* The same picture as the widget, chart and timelines, with the report's
 * title, dark on white (a file is read anywhere, whatever the app's colour
 * scheme). Cairo only: works without a display. */
GBytes            *cw_lab_chart_render_bytes     (const CwLabReport  *report,
                                                  CwLabChartFormat    format,
                                                  int                 width,
                                                  int                 height,
                                                  GError            **error);
/* The PNG of cw_lab_chart_render_bytes (). */
GBytes            *cw_lab_chart_render_png_bytes (const CwLabReport  *report,
                                                  int                 width,
                                                  int                 height,
                                                  GError            **error);
/* Writes the PNG to @path. Blocking file I/O: for tests and tools, not
 * for the main loop (the Lab page writes the bytes asynchronously). */
gboolean           cw_lab_chart_render_png       (const CwLabReport  *report,
                                                  int                 width,
                                                  int                 height,
                                                  const char         *path,
                                                  GError            **error);

G_END_DECLS
