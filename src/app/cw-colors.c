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
