/* cw-colors.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-colors.h"

/* the light one on white; the dark one's lighter tones on Adwaita's dark grey */
static const char * const light_series[CW_COLORS_N_SERIES] = {
  "#1c71d8", "#e66100", "#26a269", "#9141ac", "#c01c28", "#865e3c",
};
static const char * const dark_series[CW_COLORS_N_SERIES] = {
  "#62a0ea", "#ffa348", "#57e389", "#dc8add", "#f66151", "#cdab8f",
};

/* GNOME's palette: blue, orange, green, purple, yellow, brown, teal, pink */
static const char * const light_workers[CW_COLORS_N_WORKERS] = {
  "#1c71d8", "#e66100", "#26a269", "#9141ac", "#c88800", "#865e3c", "#0e8a9a", "#c061cb",
};
static const char * const dark_workers[CW_COLORS_N_WORKERS] = {
  "#62a0ea", "#ffa348", "#57e389", "#dc8add", "#f8e45c", "#cdab8f", "#5bc8d6", "#f0a0f5",
};

/* viridis at 0, 1/8, … 1 */
static const guint32 heat_stops[] = {
  0x440154, 0x46327e, 0x365c8d, 0x277f8e, 0x1fa187, 0x4ac16d, 0xa0da39, 0xd4e236, 0xfde725,
};

/* GtkStyleContext is deprecated from GTK 4.10 on, but 4.8 has nothing
 * else for a widget's colours: its use stays in this file. */

void
cw_colors_get_foreground (GtkWidget *widget,
                          GdkRGBA   *color)
{
G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
G_GNUC_END_IGNORE_DEPRECATIONS
}

gboolean
cw_colors_lookup (GtkWidget  *widget,
                  const char *name,
                  const char *fallback,
                  GdkRGBA    *color)
{
  gboolean found;

G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  found = gtk_style_context_lookup_color (gtk_widget_get_style_context (widget), name, color);
G_GNUC_END_IGNORE_DEPRECATIONS
  if (!found)
    gdk_rgba_parse (color, fallback);
  return found;
}

gboolean
cw_colors_is_dark (const GdkRGBA *foreground)
{
  return 0.299 * foreground->red + 0.587 * foreground->green + 0.114 * foreground->blue > 0.5;
}

GdkRGBA
cw_colors_with_alpha (const GdkRGBA *color,
                      float          alpha)
{
  GdkRGBA c = *color;

  c.alpha *= alpha;
  return c;
}

void
cw_colors_get_series (guint     index,
                      gboolean  dark,
                      GdkRGBA  *color)
{
  index %= CW_COLORS_N_SERIES;
  gdk_rgba_parse (color, dark ? dark_series[index] : light_series[index]);
}

void
cw_colors_get_worker (guint     slot,
                      gboolean  dark,
                      GdkRGBA  *color)
{
  slot %= CW_COLORS_N_WORKERS;
  gdk_rgba_parse (color, dark ? dark_workers[slot] : light_workers[slot]);
}

void
cw_colors_get_heat (double   value,
                    GdkRGBA *color)
{
  const guint n = G_N_ELEMENTS (heat_stops) - 1;
  double at = CLAMP (value, 0.0, 1.0) * n;
  guint i = MIN ((guint) at, n - 1);
  double f = at - i;
  guint32 a = heat_stops[i], b = heat_stops[i + 1];

  color->red = (((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f) / 255.0;
  color->green = (((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f) / 255.0;
  color->blue = ((a & 0xff) * (1 - f) + (b & 0xff) * f) / 255.0;
  color->alpha = 1.0;
}

void
cw_colors_get_text_on (const GdkRGBA *background,
                       GdkRGBA       *color)
{
  double luma = 0.299 * background->red + 0.587 * background->green + 0.114 * background->blue;

  gdk_rgba_parse (color, luma > 0.55 ? "#000000" : "#ffffff");
}
