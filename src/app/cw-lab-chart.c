/* cw-lab-chart.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The widget and the PNG and SVG exports. All draw with one cairo routine
 * (cw-lab-chart-draw.c): the widget through gtk_snapshot_append_cairo (),
 * the exports on an image or SVG surface, so the exported file is the
 * picture on screen (chart and timelines) and needs no display.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-lab-chart.h"

#include <cairo-svg.h>

#include "cw-colors.h"
#include "cw-lab-chart-private.h"

#define PNG_MARGIN 16

struct _CwLabChart
{
  GtkWidget    parent_instance;

  CwLabReport *report;
};

G_DEFINE_FINAL_TYPE (CwLabChart, cw_lab_chart, GTK_TYPE_WIDGET)

static void
cw_lab_chart_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  CwLabChart *self = CW_LAB_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  GdkRGBA fg;
  cairo_t *cr;

  if (self->report == NULL || width <= 0 || height <= 0)
    return;

  cw_colors_get_foreground (widget, &fg);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  cw_lab_chart_draw (cr, self->report, &fg,
                     pango_context_get_font_description (gtk_widget_get_pango_context (widget)),
                     FALSE, width, height);
  cairo_destroy (cr);
}

static GtkSizeRequestMode
cw_lab_chart_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cw_lab_chart_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  CwLabChart *self = CW_LAB_CHART (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 240;
      *natural = 560;
      return;
    }
  cw_lab_chart_measure_height (self->report,
                               pango_context_get_font_description (gtk_widget_get_pango_context (widget)),
                               for_size, minimum, natural);
}

static void
cw_lab_chart_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (cw_lab_chart_parent_class)->css_changed (widget, change);
  /* colours and fonts come from the style: dark mode redraws */
  gtk_widget_queue_draw (widget);
}

static void
cw_lab_chart_finalize (GObject *object)
{
  CwLabChart *self = CW_LAB_CHART (object);

  g_clear_pointer (&self->report, cw_lab_report_free);
  G_OBJECT_CLASS (cw_lab_chart_parent_class)->finalize (object);
}

static void
cw_lab_chart_class_init (CwLabChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cw_lab_chart_finalize;
  widget_class->snapshot = cw_lab_chart_snapshot;
  widget_class->measure = cw_lab_chart_measure;
  widget_class->get_request_mode = cw_lab_chart_get_request_mode;
  widget_class->css_changed = cw_lab_chart_css_changed;

  gtk_widget_class_set_css_name (widget_class, "cw-lab-chart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cw_lab_chart_init (CwLabChart *self)
{
}

GtkWidget *
cw_lab_chart_new (void)
{
  return g_object_new (CW_TYPE_LAB_CHART, NULL);
}

void
cw_lab_chart_take_report (CwLabChart  *self,
                          CwLabReport *report)
{
  g_return_if_fail (CW_IS_LAB_CHART (self));

  if (self->report == report)
    return;
  g_clear_pointer (&self->report, cw_lab_report_free);
  self->report = report;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  report && report->title ? report->title : "", -1);
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

const CwLabReport *
cw_lab_chart_get_report (CwLabChart *self)
{
  g_return_val_if_fail (CW_IS_LAB_CHART (self), NULL);
  return self->report;
}

/* ---------------------------------------------------------------------- */
/* PNG and SVG */

static PangoFontDescription *
export_font (void)
{
  return pango_font_description_from_string ("Sans 10");
}

int
cw_lab_chart_get_export_height (const CwLabReport *report,
                                int                width)
{
  PangoFontDescription *font = export_font ();
  int title_h = 40;   /* the report's title, above the chart */
  int h;

  g_return_val_if_fail (report != NULL, 0);
  h = cw_lab_chart_export_height (report, font, width - 2 * PNG_MARGIN) + title_h + 2 * PNG_MARGIN;
  pango_font_description_free (font);
  return h;
}

static cairo_status_t
append_bytes_cb (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static void
draw_export (cairo_t           *cr,
             const CwLabReport *report,
             int                width,
             int                height)
{
  PangoFontDescription *font = export_font ();
  GdkRGBA fg = { 0.12f, 0.12f, 0.12f, 1.0f };

  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_translate (cr, PNG_MARGIN, PNG_MARGIN);
  cw_lab_chart_draw (cr, report, &fg, font, TRUE, width - 2 * PNG_MARGIN, height - 2 * PNG_MARGIN);
  pango_font_description_free (font);
}

GBytes *
cw_lab_chart_render_bytes (const CwLabReport  *report,
                           CwLabChartFormat    format,
                           int                 width,
                           int                 height,
                           GError            **error)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  cairo_status_t status;
  g_autoptr(GByteArray) bytes = g_byte_array_new ();

  g_return_val_if_fail (report != NULL, NULL);
  g_return_val_if_fail (width > 2 * PNG_MARGIN && height > 2 * PNG_MARGIN, NULL);

  if (format == CW_LAB_CHART_SVG)
    surface = cairo_svg_surface_create_for_stream (append_bytes_cb, bytes, width, height);
  else
    surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  status = cairo_status (cr);
  if (status == CAIRO_STATUS_SUCCESS)
    {
      draw_export (cr, report, width, height);
      status = cairo_status (cr);
    }
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && format == CW_LAB_CHART_PNG)
    status = cairo_surface_write_to_png_stream (surface, append_bytes_cb, bytes);
  /* an SVG is written out as the surface finishes */
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot draw the chart: %s",
                   cairo_status_to_string (status));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&bytes));
}

GBytes *
cw_lab_chart_render_png_bytes (const CwLabReport  *report,
                               int                 width,
                               int                 height,
                               GError            **error)
{
  return cw_lab_chart_render_bytes (report, CW_LAB_CHART_PNG, width, height, error);
}

gboolean
cw_lab_chart_render_png (const CwLabReport  *report,
                         int                 width,
                         int                 height,
                         const char         *path,
                         GError            **error)
{
  g_autoptr(GBytes) png = cw_lab_chart_render_png_bytes (report, width, height, error);

  if (png == NULL)
    return FALSE;
  return g_file_set_contents (path, g_bytes_get_data (png, NULL), g_bytes_get_size (png), error);
}
