/* cw-test-gtk-util.h: what the GTK tests share: a display, drops and waits
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cw-test-util.h"
#include "cw-window.h"

G_BEGIN_DECLS

gboolean cw_test_init_gtk   (int                 *argc,
                             char              ***argv);
void     cw_test_wait_idle  (CwWindow            *window,
                             guint                seconds);
void     cw_test_drop_paths (CwWindow            *window,
                             const char * const  *paths,
                             guint                seconds);

/* Finding a widget: @match says whether @widget is the one. */
typedef gboolean (*CwTestWidgetMatch) (GtkWidget     *widget,
                                       gconstpointer  data);
GtkWidget *cw_test_find_widget     (GtkWidget           *root,
                                    CwTestWidgetMatch    match,
                                    gconstpointer        data);
/* @type: a GType, GSIZE_TO_POINTER () */
gboolean  cw_test_widget_is_a      (GtkWidget           *widget,
                                    gconstpointer        type);
/* @action_name: a button whose action it is */
gboolean  cw_test_widget_activates (GtkWidget           *widget,
                                    gconstpointer        action_name);
/* The first visible toplevel window of @type, or NULL. */
gpointer  cw_test_find_toplevel    (GType                type);
/* @text: a mapped label or inscription that shows exactly this */
gboolean  cw_test_widget_shows     (GtkWidget           *widget,
                                    gconstpointer        text);

G_END_DECLS
