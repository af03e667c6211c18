/* cw-window.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The window never does file I/O on the main loop: folders are walked and
 * files probed in GTask threads, the batch's output names are planned in a
 * thread, the CPU sampler reads /proc on its own thread, and the work itself
 * runs in the pool's workers. How the window is split over its files:
 * cw-window-private.h.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-window-private.h"

#include <glib/gi18n.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

G_DEFINE_FINAL_TYPE (CwWindow, cw_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_PRESENTATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* shared with the window's other files */

void
_cw_window_toast (CwWindow   *self,
                  const char *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

/* (the page is gone once the window is disposed) */
gboolean
_cw_window_lab_running (CwWindow *self)
{
  return self->lab_page != NULL && cw_lab_page_get_running (self->lab_page);
}

gboolean
_cw_window_is_busy (CwWindow *self)
{
  return self->running || self->n_adding > 0
         || (self->queue_pending != NULL && self->queue_pending->len > 0);
}

void
_cw_window_update_actions (CwWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->queue));

  /* the lab and a batch would measure each other: one at a time */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.start",
                                 !_cw_window_is_busy (self) && n > 0
                                 && !_cw_window_lab_running (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel", self->running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.clear-queue",
                                 !self->running && (n > 0 || g_list_model_get_n_items (G_LIST_MODEL (self->skipped_added)) > 0));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.remove-files",
                                 !self->running && _cw_window_has_selection (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.queue-menu", _cw_window_has_selection (self));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo-remove", !self->running && self->undo_items != NULL);
  gtk_stack_set_visible_child_name (self->run_button_stack, self->running ? "cancel" : "start");
}

void
_cw_window_update_busy (CwWindow *self,
                        gboolean  was_busy)
{
  _cw_window_update_actions (self);
  if (was_busy != _cw_window_is_busy (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

#ifdef __GLIBC__
static void
trim_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  malloc_trim (0);
  g_task_return_boolean (task, TRUE);
}
#endif

static gboolean
trim_cb (gpointer user_data)
{
  CwWindow *self = user_data;
#ifdef __GLIBC__
  g_autoptr(GTask) task = g_task_new (NULL, NULL, NULL, NULL);

  g_task_set_source_tag (task, trim_cb);
  g_task_run_in_thread (task, trim_thread);
#endif
  self->trim_id = 0;
  return G_SOURCE_REMOVE;
}

/* After a walk of 20,000 files or a batch of them, the threads' and the
 * plan's freed memory is still resident (glibc keeps it in its arenas):
 * give it back, off the main loop, once what held it has let go (a
 * batch goes when its last callback has returned). */
void
_cw_window_trim_memory (CwWindow *self)
{
  if (self->trim_id == 0)
    self->trim_id = g_timeout_add (250, trim_cb, self);
}

/* The window was closed mid-batch: go now that nothing runs. */
void
_cw_window_close_if_asked (CwWindow *self)
{
  GtkApplication *app;

  if (!self->close_when_done || self->running || _cw_window_lab_running (self))
    return;
  self->close_when_done = FALSE;
  app = g_steal_pointer (&self->held_app);
  gtk_window_destroy (GTK_WINDOW (self));
  if (app != NULL)
    {
      g_application_release (G_APPLICATION (app));
      g_object_unref (app);
    }
}

/* ---------------------------------------------------------------------- */
/* actions */

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  _cw_window_start (CW_WINDOW (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);

  /* Escape in presentation mode leaves it: a teacher expects that of a
   * full screen, and must not stop the batch the class is watching */
  if (self->presentation)
    {
      cw_window_set_presentation (self, FALSE);
      return;
    }
  /* closing the question answers it with its close response, Cancel */
  if (self->existing_dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->existing_dialog));
  if (self->batch_cancellable != NULL)
    g_cancellable_cancel (self->batch_cancellable);
}

static void
clear_queue_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  _cw_window_clear_queue (CW_WINDOW (widget));
}

static void
remove_files_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  _cw_window_remove_selected (CW_WINDOW (widget));
}

static void
undo_remove_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  _cw_window_undo_remove (CW_WINDOW (widget));
}

static void
queue_menu_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  _cw_window_show_queue_menu (CW_WINDOW (widget));
}

static void
show_skipped_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  _cw_window_show_skipped (CW_WINDOW (widget));
}

static void
open_files_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  _cw_window_open_files (CW_WINDOW (widget));
}

static void
open_folder_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  _cw_window_open_folders (CW_WINDOW (widget));
}

static void
demo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);

  if (!self->running)
    self->demo_heavy = FALSE;
  _cw_window_add_demo_set (self);
}

static void
demo_heavy_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  _cw_window_add_heavy_demo (CW_WINDOW (widget));
}

static void
replay_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);

  adw_view_stack_set_visible_child_name (self->view_stack, "run");
  gtk_widget_activate_action (GTK_WIDGET (self->run_page), "run.play", NULL);
}

static void
resume_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  _cw_window_resume_interrupted (CW_WINDOW (widget));
}

static void
discard_batch_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  _cw_window_discard_interrupted (CW_WINDOW (widget));
}

static void
page_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CwWindow *self = CW_WINDOW (widget);
  const char *name = g_variant_get_string (parameter, NULL);

  adw_view_stack_set_visible_child_name (self->view_stack, name);
  /* into the experiment list: arrows pick one, Ctrl+Enter runs it */
  if (g_str_equal (name, "lab"))
    gtk_widget_grab_focus (GTK_WIDGET (self->lab_page));
}

/* ---------------------------------------------------------------------- */
/* settings */

static void
bind_settings (CwWindow *self)
{
  cw_settings_page_set_settings (self->settings_page, self->settings);

  /* the lab uses as many workers as a batch would */
  g_object_bind_property (self->settings, CW_SETTINGS_KEY_WORKERS, self->lab_page, "max-workers",
                          G_BINDING_SYNC_CREATE);

  g_object_bind_property (self->settings, CW_SETTINGS_KEY_WINDOW_WIDTH, self, "default-width",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, CW_SETTINGS_KEY_WINDOW_HEIGHT, self, "default-height",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
  g_object_bind_property (self->settings, CW_SETTINGS_KEY_WINDOW_MAXIMIZED, self, "maximized",
                          G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE);
}

/* ---------------------------------------------------------------------- */
/* the window */

static void
lab_running_cb (CwWindow *self)
{
  _cw_window_update_sampler (self);
  _cw_window_update_actions (self);
  _cw_window_close_if_asked (self);
}

static gboolean
cw_window_close_request (GtkWindow *window)
{
  CwWindow *self = CW_WINDOW (window);

  g_cancellable_cancel (self->cancellable);
  if (!self->running && !_cw_window_lab_running (self))
    return GTK_WINDOW_CLASS (cw_window_parent_class)->close_request (window);

  /* Mid-batch or mid-experiment: end the workers and remove partial files
   * before going. The window hides now and is destroyed when the pools
   * have reaped them. */
  self->close_when_done = TRUE;
  if (self->existing_dialog != NULL)
    gtk_window_close (GTK_WINDOW (self->existing_dialog));
  if (self->batch_cancellable != NULL)
    g_cancellable_cancel (self->batch_cancellable);
  if (_cw_window_lab_running (self))
    gtk_widget_activate_action (GTK_WIDGET (self->lab_page), "lab.cancel", NULL);
  /* the app must not quit before the window is really gone */
  self->held_app = gtk_window_get_application (window);
  if (self->held_app != NULL)
    g_application_hold (G_APPLICATION (g_object_ref (self->held_app)));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
  return TRUE;
}

GListModel *
cw_window_get_queue (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->queue);
}

GListModel *
cw_window_get_skipped (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return self->skipped;
}

CwResultView *
cw_window_get_result_view (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return cw_run_page_get_result_view (self->run_page);
}

CwRunPage *
cw_window_get_run_page (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return self->run_page;
}

/* ---------------------------------------------------------------------- */
/* presentation mode: the Run page's meter and timeline, full screen */

gboolean
cw_window_get_presentation (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), FALSE);
  return self->presentation;
}

void
cw_window_set_presentation (CwWindow *self,
                            gboolean  presentation)
{
  g_return_if_fail (CW_IS_WINDOW (self));

  presentation = !!presentation;
  if (self->presentation == presentation)
    return;
  self->presentation = presentation;

  gtk_widget_set_visible (self->header_bar, !presentation);
  gtk_widget_set_visible (self->switcher_bar, !presentation);
  cw_run_page_set_presentation (self->run_page, presentation);
  _cw_window_update_queue_summary (self);  /* (the Run page's Skipped button) */
  if (presentation)
    {
      adw_view_stack_set_visible_child_name (self->view_stack, "run");
      gtk_window_fullscreen (GTK_WINDOW (self));
      _cw_window_toast (self, _("Presentation mode: F11 or Escape to leave"));
    }
  else
    gtk_window_unfullscreen (GTK_WINDOW (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PRESENTATION]);
}

/* Left full screen some other way (the window manager): leave it all. */
static void
fullscreened_cb (CwWindow *self)
{
  if (self->presentation && !gtk_window_is_fullscreen (GTK_WINDOW (self)))
    {
      /* (unless it has not got there yet: a window manager may take a while) */
      if (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->presentation_seen_fullscreen)
        cw_window_set_presentation (self, FALSE);
    }
  else if (self->presentation)
    self->presentation_seen_fullscreen = TRUE;
  if (!self->presentation)
    self->presentation_seen_fullscreen = FALSE;
}

gboolean
cw_window_get_busy (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), FALSE);
  return _cw_window_is_busy (self);
}

const char *
cw_window_get_summary (CwWindow *self)
{
  g_return_val_if_fail (CW_IS_WINDOW (self), NULL);
  return self->summary ? self->summary : "";
}

CwWindow *
cw_window_new (GtkApplication *application,
               CwSettings     *settings)
{
  CwWindow *self = g_object_new (CW_TYPE_WINDOW, "application", application, NULL);

  self->settings = g_object_ref (settings);
  bind_settings (self);
  return self;
}

static void
cw_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CwWindow *self = CW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, _cw_window_is_busy (self));
      break;
    case PROP_PRESENTATION:
      g_value_set_boolean (value, self->presentation);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_window_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CwWindow *self = CW_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PRESENTATION:
      cw_window_set_presentation (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_window_dispose (GObject *object)
{
  CwWindow *self = CW_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->batch_cancellable != NULL)
    g_cancellable_cancel (self->batch_cancellable);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  g_clear_handle_id (&self->trim_id, g_source_remove);
  if (self->sampler != NULL)
    cw_cpu_sampler_stop (self->sampler);
  g_clear_object (&self->sampler);
  /* A batch still here has its pool killed and reaped, and what is queued
   * for its log written, by its own dispose. */
  if (self->batch != NULL)
    g_signal_handlers_disconnect_by_data (cw_batch_get_pool (self->batch), self);
  g_clear_object (&self->batch);
  g_clear_pointer (&self->interrupted, cw_batch_record_free);
  g_clear_pointer (&self->resume, cw_batch_record_free);
  if (self->existing_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->existing_dialog));
  _cw_window_queue_dispose (self);

  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_WINDOW);
  G_OBJECT_CLASS (cw_window_parent_class)->dispose (object);
}

static void
cw_window_finalize (GObject *object)
{
  CwWindow *self = CW_WINDOW (object);

  g_clear_object (&self->settings);
  _cw_window_queue_finalize (self);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->batch_cancellable);
  g_free (self->summary);
  g_free (self->record_dir);
  g_clear_pointer (&self->workers, g_array_unref);
  G_OBJECT_CLASS (cw_window_parent_class)->finalize (object);
}

static void
cw_window_class_init (CwWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = cw_window_get_property;
  object_class->set_property = cw_window_set_property;
  object_class->dispose = cw_window_dispose;
  object_class->finalize = cw_window_finalize;
  window_class->close_request = cw_window_close_request;

  /**
   * CwWindow:busy:
   *
   * Files are being added, or a batch runs (until its workers are reaped).
   */
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * CwWindow:presentation:
   *
   * Presentation mode: full screen, the Run page's meter and timeline only,
   * in large type.
   */
  properties[PROP_PRESENTATION] =
    g_param_spec_boolean ("presentation", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CW_TYPE_RUN_PAGE);
  g_type_ensure (CW_TYPE_LAB_PAGE);
  g_type_ensure (CW_TYPE_SETTINGS_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/corewave/Corewave/cw-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CwWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, run_button_stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, queue_stack);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, queue_view);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, queue_menu_model);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, queue_summary);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, skipped_button);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, skipped_button_content);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, skipped_button_narrow);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, skipped_button_narrow_content);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, run_skipped_button);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, run_skipped_button_content);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, settings_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, run_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, lab_page);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, header_bar);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, resume_revealer);
  gtk_widget_class_bind_template_child (widget_class, CwWindow, resume_label);

  gtk_widget_class_install_action (widget_class, "win.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "win.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "win.clear-queue", NULL, clear_queue_action);
  gtk_widget_class_install_action (widget_class, "win.remove-files", NULL, remove_files_action);
  gtk_widget_class_install_action (widget_class, "win.undo-remove", NULL, undo_remove_action);
  gtk_widget_class_install_action (widget_class, "win.queue-menu", NULL, queue_menu_action);
  gtk_widget_class_install_action (widget_class, "win.show-skipped", NULL, show_skipped_action);
  gtk_widget_class_install_action (widget_class, "win.open-files", NULL, open_files_action);
  gtk_widget_class_install_action (widget_class, "win.open-folder", NULL, open_folder_action);
  gtk_widget_class_install_action (widget_class, "win.demo", NULL, demo_action);
  gtk_widget_class_install_action (widget_class, "win.demo-heavy", NULL, demo_heavy_action);
  gtk_widget_class_install_action (widget_class, "win.replay", NULL, replay_action);
  gtk_widget_class_install_property_action (widget_class, "win.presentation", "presentation");
  gtk_widget_class_install_action (widget_class, "win.page", "s", page_action);
  gtk_widget_class_install_action (widget_class, "win.resume", NULL, resume_action);
  gtk_widget_class_install_action (widget_class, "win.discard-batch", NULL, discard_batch_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "win.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "win.start", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "win.cancel", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK, "win.open-files", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_o, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.open-folder", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "win.clear-queue", NULL);
  /* (Delete itself removes the selected files where the list has the focus) */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo-remove", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.page", "s", "queue");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.page", "s", "settings");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_comma, GDK_CONTROL_MASK, "win.page", "s", "settings");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_3, GDK_ALT_MASK, "win.page", "s", "run");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_4, GDK_ALT_MASK, "win.page", "s", "lab");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F11, 0, "win.presentation", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.replay", NULL);
}

static void
cw_window_init (CwWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  _cw_window_queue_init (self);
  cw_lab_page_set_queue (self->lab_page, G_LIST_MODEL (self->queue));
  /* a batch and an experiment never share the cores */
  g_object_bind_property (self, "busy", self->lab_page, "blocked", G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->lab_page, "notify::running", G_CALLBACK (lab_running_cb), self, G_CONNECT_SWAPPED);
  _cw_window_batch_init (self);
  g_signal_connect (self, "notify::fullscreened", G_CALLBACK (fullscreened_cb), NULL);

  _cw_window_update_queue_summary (self);
}
