/* cw-skipped-dialog.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A folder of 20,000 text files skips 20,000 entries: the list is a
 * GtkColumnView over the window's model, so only the rows on screen exist.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-skipped-dialog.h"

#include <glib/gi18n.h>

#include "cw-skipped-item.h"

struct _CwSkippedDialog
{
  AdwWindow       parent_instance;

  /* template */
  GtkStack       *stack;
  GtkColumnView  *column_view;
  GtkLabel       *count_label;

  GListModel     *model;
};

G_DEFINE_FINAL_TYPE (CwSkippedDialog, cw_skipped_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---------------------------------------------------------------------- */
/* cells: inscriptions, sized by characters (never by their text), with
 * the whole text in a tooltip */

enum { COLUMN_FILE, COLUMN_REASON, COLUMN_FOLDER };

static void
setup_cell (GtkListItem *list_item,
            guint        min_chars,
            guint        nat_chars,
            GtkInscriptionOverflow overflow)
{
  GtkWidget *inscription = g_object_new (GTK_TYPE_INSCRIPTION,
                                         "min-chars", min_chars,
                                         "nat-chars", nat_chars,
                                         "text-overflow", overflow,
                                         "xalign", 0.0f,
                                         NULL);

  gtk_list_item_set_child (list_item, inscription);
}

static void
setup_file_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  setup_cell (list_item, 6, 24, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE);
}

static void
setup_reason_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  setup_cell (list_item, 8, 40, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
}

static void
setup_folder_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  /* the end of a folder's path tells folders apart */
  setup_cell (list_item, 4, 24, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_START);
}

static void
bind_cell (GtkListItem *list_item,
           guint        column)
{
  CwSkippedItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *cell = gtk_list_item_get_child (list_item);
  g_autofree char *text = NULL;

  switch (column)
    {
    case COLUMN_FILE:
      text = cw_skipped_item_dup_display_name (item);
      {
        g_autofree char *full = g_filename_display_name (cw_skipped_item_get_path (item));

        gtk_widget_set_tooltip_text (cell, full);
      }
      break;
    case COLUMN_REASON:
      text = g_strdup (cw_skipped_item_get_reason (item));
      gtk_widget_set_tooltip_text (cell, text);
      break;
    case COLUMN_FOLDER:
    default:
      text = cw_skipped_item_dup_folder (item);
      gtk_widget_set_tooltip_text (cell, text);
      break;
    }
  gtk_inscription_set_text (GTK_INSCRIPTION (cell), text);
}

static void
bind_file_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  bind_cell (list_item, COLUMN_FILE);
}

static void
bind_reason_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  bind_cell (list_item, COLUMN_REASON);
}

static void
bind_folder_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  bind_cell (list_item, COLUMN_FOLDER);
}

/* ---------------------------------------------------------------------- */

static void
items_changed_cb (CwSkippedDialog *self)
{
  guint n = self->model != NULL ? g_list_model_get_n_items (self->model) : 0;
  g_autofree char *text = NULL;

  /* Translators: above the Skipped list, e.g. "3 files were left out" */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%'u file was left out",
                                       "%'u files were left out", n), n);
  gtk_label_set_label (self->count_label, text);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

static void
set_model (CwSkippedDialog *self,
           GListModel      *model)
{
  g_autoptr(GtkNoSelection) selection = NULL;

  if (self->model == model)
    return;
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_set_object (&self->model, model);
  if (model != NULL)
    {
      selection = gtk_no_selection_new (g_object_ref (model));
      g_signal_connect_object (model, "items-changed", G_CALLBACK (items_changed_cb), self,
                               G_CONNECT_SWAPPED);
    }
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
  items_changed_cb (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODEL]);
}

GtkWidget *
cw_skipped_dialog_new (GtkWindow  *parent,
                       GListModel *model)
{
  return g_object_new (CW_TYPE_SKIPPED_DIALOG,
                       "transient-for", parent,
                       "model", model,
                       NULL);
}

GListModel *
cw_skipped_dialog_get_model (CwSkippedDialog *self)
{
  g_return_val_if_fail (CW_IS_SKIPPED_DIALOG (self), NULL);
  return self->model;
}

static void
cw_skipped_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  CwSkippedDialog *self = CW_SKIPPED_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_skipped_dialog_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  CwSkippedDialog *self = CW_SKIPPED_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      set_model (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_skipped_dialog_dispose (GObject *object)
{
  CwSkippedDialog *self = CW_SKIPPED_DIALOG (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_SKIPPED_DIALOG);
  G_OBJECT_CLASS (cw_skipped_dialog_parent_class)->dispose (object);
}

static void
cw_skipped_dialog_class_init (CwSkippedDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cw_skipped_dialog_get_property;
  object_class->set_property = cw_skipped_dialog_set_property;
  object_class->dispose = cw_skipped_dialog_dispose;

  /**
   * CwSkippedDialog:model:
   *
   * The skipped files (CwSkippedItem), shown as the model changes.
   */
  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/corewave/Corewave/cw-skipped-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CwSkippedDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, CwSkippedDialog, column_view);
  gtk_widget_class_bind_template_child (widget_class, CwSkippedDialog, count_label);
  gtk_widget_class_bind_template_callback (widget_class, setup_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_reason_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_reason_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_folder_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_folder_cb);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
cw_skipped_dialog_init (CwSkippedDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
