/* cw-test-gtk-util.c: what the GTK tests share: a display, drops and waits
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cw-test-gtk-util.h"

#include <adwaita.h>

/* Once per program, before the tests are added: g_test_init (), then GTK
 * (on X11: under Xvfb) and libadwaita, with settings in memory and no
 * accessibility bus, as meson runs them. FALSE, once it has printed the
 * TAP line that skips the whole program, when there is no display. */
gboolean
cw_test_init_gtk (int    *argc,
                  char ***argv)
{
  g_setenv ("GTK_A11Y", "none", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_unsetenv ("WAYLAND_DISPLAY");
  gtk_disable_setlocale ();
  g_test_init (argc, argv, NULL);
  if (!gtk_init_check ())
    {
      g_print ("1..0 # SKIP no display\n");
      return FALSE;
    }
  adw_init ();
  return TRUE;
}

static gboolean
watchdog_cb (gpointer user_data)
{
  g_error ("the window did not become idle within %u s", GPOINTER_TO_UINT (user_data));
  return G_SOURCE_REMOVE;
}

/* Lets queued drops and starts begin, then waits for them to end; fails
 * after @seconds. */
void
cw_test_wait_idle (CwWindow *window,
                   guint     seconds)
{
  guint watchdog = g_timeout_add_seconds (seconds, watchdog_cb, GUINT_TO_POINTER (seconds));

  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  while (cw_window_get_busy (window))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (watchdog);
}

/* Drops @paths on @window through its own GtkDropTarget, then waits (up to
 * @seconds) until it has taken them in. */
void
cw_test_drop_paths (CwWindow           *window,
                    const char * const *paths,
                    guint               seconds)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  GtkDropTarget *target = NULL;
  GSList *list = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean handled = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);

  for (guint i = 0; paths[i] != NULL; i++)
    list = g_slist_append (list, g_file_new_for_path (paths[i]));
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (list));
  g_slist_free_full (list, g_object_unref);

  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &handled);
  g_assert_true (handled);
  cw_test_wait_idle (window, seconds);
}

/* The first widget under @root (or @root) that @match accepts, or NULL. */
GtkWidget *
cw_test_find_widget (GtkWidget          *root,
                     CwTestWidgetMatch   match,
                     gconstpointer       data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = cw_test_find_widget (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

gboolean
cw_test_widget_is_a (GtkWidget     *widget,
                     gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

gboolean
cw_test_widget_activates (GtkWidget     *widget,
                          gconstpointer  action_name)
{
  return GTK_IS_BUTTON (widget)
         && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0;
}

gpointer
cw_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;  /* (GTK keeps it) */
    }
  return NULL;
}

gboolean
cw_test_widget_shows (GtkWidget     *widget,
                      gconstpointer  text)
{
  const char *shown = NULL;

  if (GTK_IS_INSCRIPTION (widget))
    shown = gtk_inscription_get_text (GTK_INSCRIPTION (widget));
  else if (GTK_IS_LABEL (widget))
    shown = gtk_label_get_text (GTK_LABEL (widget));
  return shown != NULL && gtk_widget_get_mapped (widget) && g_str_equal (shown, text);
}
