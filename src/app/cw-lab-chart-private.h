/* cw-lab-chart-private.h: what the chart's files share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * cw-lab-chart.c is the widget and the PNG export, cw-lab-chart-draw.c
 * draws a report with cairo for both (cw-lab-chart-timelines.c the
 * settings' timelines under it), cw-lab-chart-axis.c works out its axes
 * and numbers.
 */

#pragma once

#include <gtk/gtk.h>
#include <pango/pangocairo.h>

#include "cw-colors.h"
#include "cw-lab.h"

G_BEGIN_DECLS

/* ---- what cw-lab-chart-draw.c draws with, cw-lab-chart-timelines.c too ---- */

#define LABEL_GAP       6   /* between a text and what it names */

typedef struct
{
  GdkRGBA      fg;
  GdkRGBA      dim;       /* tick labels */
  GdkRGBA      grid;
  GdkRGBA      axis;
  GdkRGBA      reference; /* dashed series */
  GdkRGBA      lane;      /* every other lane of a timeline */
  GdkRGBA      palette[CW_COLORS_N_SERIES];
  gboolean     show_title;
  PangoLayout *normal;
  PangoLayout *small;
  PangoLayout *bold;
} Style;

typedef struct
{
  double x, y, w, h;
} Rect;

/* Sets @text on @layout, wrapped at @wrap px (0: one line, -1 also) and
 * cut at @max_lines, and gives its size. */
void    cw_lab_chart_set_text               (PangoLayout                *layout,
                                             const char                 *text,
                                             int                         wrap,
                                             int                         max_lines,
                                             int                        *width,
                                             int                        *height);
int     cw_lab_chart_text_width             (PangoLayout                *layout,
                                             const char                 *text);
int     cw_lab_chart_line_height            (PangoLayout                *layout);
/* Draws the text already set on @layout with its box's (@xalign, @yalign)
 * point at (@x, @y). */
void    cw_lab_chart_show_layout            (cairo_t                    *cr,
                                             PangoLayout                *layout,
                                             double                      x,
                                             double                      y,
                                             double                      xalign,
                                             double                      yalign,
                                             const GdkRGBA              *color);
void    cw_lab_chart_show_text              (cairo_t                    *cr,
                                             PangoLayout                *layout,
                                             const char                 *text,
                                             double                      x,
                                             double                      y,
                                             double                      xalign,
                                             double                      yalign,
                                             const GdkRGBA              *color);
void    cw_lab_chart_set_color              (cairo_t                    *cr,
                                             const GdkRGBA              *color);
void    cw_lab_chart_hline                  (cairo_t                    *cr,
                                             double                      x0,
                                             double                      x1,
                                             double                      y,
                                             const GdkRGBA              *color);
void    cw_lab_chart_vline                  (cairo_t                    *cr,
                                             double                      x,
                                             double                      y0,
                                             double                      y1,
                                             const GdkRGBA              *color);

/* ---- cw-lab-chart-timelines.c ---- */

/* The timelines' height at @width (0: none to draw). */
int     cw_lab_chart_timelines_height       (Style                      *st,
                                             const CwLabReport          *report,
                                             double                      width);
void    cw_lab_chart_draw_timelines         (cairo_t                    *cr,
                                             Style                      *st,
                                             const CwLabReport          *report,
                                             Rect                        area);

/* ---- cw-lab-chart-draw.c ---- */

/* @report on @cr from (0, 0) to (@width, @height): text in @foreground
 * (the series' palette follows its lightness) and @font, the report's
 * title above the chart with @show_title. */
void    cw_lab_chart_draw                   (cairo_t                    *cr,
                                             const CwLabReport          *report,
                                             const GdkRGBA              *foreground,
                                             const PangoFontDescription *font,
                                             gboolean                    show_title,
                                             double                      width,
                                             double                      height);
/* The height @report wants at @for_width (-1: unknown), timelines
 * included, their text in @font. */
void    cw_lab_chart_measure_height         (const CwLabReport          *report,
                                             const PangoFontDescription *font,
                                             int                         for_width,
                                             int                        *minimum,
                                             int                        *natural);
/* An exported picture's content height at @width (its margins aside). */
int     cw_lab_chart_export_height          (const CwLabReport          *report,
                                             const PangoFontDescription *font,
                                             int                         width);

/* ---- cw-lab-chart-axis.c (each function says what it does there) ---- */

typedef struct
{
  gboolean  log;
  double    lo, hi;      /* in axis units: log10 of the values on a log axis */
  GArray   *ticks;       /* double, in data units */
  int       decimals;    /* linear ticks' decimals */
} CwLabChartAxis;

char   *cw_lab_chart_format_value           (double                      v);
char   *cw_lab_chart_format_tick            (const CwLabChartAxis       *axis,
                                             double                      v);
void    cw_lab_chart_axis_clear             (CwLabChartAxis             *axis);
void    cw_lab_chart_axis_linear_from_zero  (CwLabChartAxis             *axis,
                                             double                      min,
                                             double                      max,
                                             int                         max_ticks);
void    cw_lab_chart_axis_log_decades       (CwLabChartAxis             *axis,
                                             double                      min,
                                             double                      max,
                                             int                         max_ticks);
double  cw_lab_chart_axis_fraction          (const CwLabChartAxis       *axis,
                                             double                      v);
void    cw_lab_chart_axis_x                 (CwLabChartAxis             *axis,
                                             const CwLabReport          *report,
                                             int                         max_ticks);
gboolean cw_lab_chart_split_axes            (const CwLabReport          *report,
                                             gboolean                   *right);
void    cw_lab_chart_y_range                (const CwLabReport          *report,
                                             const gboolean             *right,
                                             int                         side,
                                             double                     *min,
                                             double                     *max);

G_END_DECLS
