/* dnd-source.c: a drag source for the drag-and-drop test, like a file manager
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows a window titled "dnd-source" whose label, when dragged, offers the
 * files named on the command line as text/uri-list. Prints DRAG-END with the
 * action the target chose, then quits. xdotool drives the mouse.
 */

#include <gtk/gtk.h>

static GBytes *uri_list;

static GdkContentProvider *
prepare_cb (GtkDragSource *source,
            double         x,
            double         y,
            gpointer       user_data)
{
  return gdk_content_provider_new_for_bytes ("text/uri-list", uri_list);
}

static void
drag_end_cb (GtkDragSource *source,
             GdkDrag       *drag,
             gboolean       delete_data,
             gpointer       user_data)
{
  g_print ("DRAG-END action=%d\n", gdk_drag_get_selected_action (drag));
  g_application_quit (G_APPLICATION (user_data));
}

static gboolean
drag_cancel_cb (GtkDragSource       *source,
                GdkDrag             *drag,
                GdkDragCancelReason  reason,
                gpointer             user_data)
{
  g_print ("DRAG-CANCEL reason=%d\n", reason);
  return FALSE;
}

static void
activate_cb (GtkApplication *app,
             gpointer        user_data)
{
  GtkWidget *window = gtk_application_window_new (app);
  GtkWidget *label = gtk_label_new ("Drag me");
  GtkDragSource *source = gtk_drag_source_new ();

  gtk_window_set_title (GTK_WINDOW (window), "dnd-source");
  gtk_window_set_default_size (GTK_WINDOW (window), 200, 150);
  gtk_window_set_child (GTK_WINDOW (window), label);
  gtk_drag_source_set_actions (source, GDK_ACTION_COPY);
  g_signal_connect (source, "prepare", G_CALLBACK (prepare_cb), NULL);
  g_signal_connect (source, "drag-end", G_CALLBACK (drag_end_cb), app);
  g_signal_connect (source, "drag-cancel", G_CALLBACK (drag_cancel_cb), NULL);
  gtk_widget_add_controller (label, GTK_EVENT_CONTROLLER (source));
  gtk_window_present (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = NULL;
  GString *uris = g_string_new (NULL);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (argv[i]);
      g_autofree char *uri = g_file_get_uri (file);

      g_string_append_printf (uris, "%s\r\n", uri);
    }
  uri_list = g_string_free_to_bytes (uris);
  setvbuf (stdout, NULL, _IOLBF, 0);

  app = gtk_application_new ("io.github.corewave.DndSource", G_APPLICATION_NON_UNIQUE);
  g_signal_connect (app, "activate", G_CALLBACK (activate_cb), NULL);
  return g_application_run (G_APPLICATION (app), 1, argv);
}
