/* cw-colors.h: the colours of the drawn widgets
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CPU meter, the timeline and the lab's chart draw themselves; their
 * colours come from the theme (so dark mode and the accent follow the
 * system) through these few helpers.
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The series palette's length: the chart's lines and bars take its
 * colours in turn. */
#define CW_COLORS_N_SERIES 6

/* @widget's text colour (GTK 4.8 has no gtk_widget_get_color ()). */
void     cw_colors_get_foreground (GtkWidget     *widget,
                                   GdkRGBA       *color);
/* The theme's named colour @name ("accent_bg_color"), else @fallback (a
 * colour gdk_rgba_parse () reads); FALSE when the theme has none. */
gboolean cw_colors_lookup         (GtkWidget     *widget,
                                   const char    *name,
                                   const char    *fallback,
                                   GdkRGBA       *color);
/* Light text means a dark background. */
gboolean cw_colors_is_dark        (const GdkRGBA *foreground);
/* @color, its alpha multiplied by @alpha. */
GdkRGBA  cw_colors_with_alpha     (const GdkRGBA *color,
                                   float          alpha);
/* Colour @index (modulo CW_COLORS_N_SERIES) of the series palette, in
 * its tones for a light background or a @dark one. */
void     cw_colors_get_series     (guint          index,
                                   gboolean       dark,
                                   GdkRGBA       *color);

/* The worker palette's length: worker slots take its colours in turn. */
#define CW_COLORS_N_WORKERS 8

/* Worker @slot's colour (slot 0 is worker 1): the same in the meter, the
 * timeline and the result list, so colour names a worker. Red is left
 * out: it means failed. */
void     cw_colors_get_worker     (guint          slot,
                                   gboolean       dark,
                                   GdkRGBA       *color);
/* The heat map's colour for a use of @value (0..1): viridis, from dark
 * violet (idle) through teal to yellow (busy), even in lightness so it
 * reads on a projector and for colour-blind eyes. */
void     cw_colors_get_heat       (double         value,
                                   GdkRGBA       *color);
/* Black or white, whichever reads better on @background. */
void     cw_colors_get_text_on    (const GdkRGBA *background,
                                   GdkRGBA       *color);

G_END_DECLS
