/* cw-lab-page-export.c: the Lab page's Export: the table as CSV, the chart
 * with its timelines as PNG or SVG
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The picture is drawn on the main loop (some milliseconds); the file is
 * written with GIO's async calls, off it.
 */

#include "config.h"

#include "cw-lab-page-private.h"

#include <glib/gi18n.h>
#include <string.h>

static void
replace_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_file_replace_contents_finish (G_FILE (source), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
cw_lab_page_export_async (CwLabPage           *self,
                          CwLabExperiment      experiment,
                          CwLabExportFormat    format,
                          GFile               *file,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const CwLabReport *report;
  GError *error = NULL;

  g_return_if_fail (CW_IS_LAB_PAGE (self));
  g_return_if_fail (experiment < CW_LAB_N_EXPERIMENTS);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_lab_page_export_async);
  report = self->charts[experiment] ? cw_lab_chart_get_report (self->charts[experiment]) : NULL;
  if (report == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("Nothing to export: run the experiment first"));
      return;
    }
  if (format == CW_LAB_EXPORT_CSV)
    {
      char *csv = cw_lab_report_to_csv (report);

      bytes = g_bytes_new_take (csv, strlen (csv));
    }
  else
    {
      /* drawn here (some milliseconds); the file is written off the main loop */
      bytes = cw_lab_chart_render_bytes (report, format == CW_LAB_EXPORT_SVG ? CW_LAB_CHART_SVG : CW_LAB_CHART_PNG,
                                         CW_LAB_PAGE_PNG_WIDTH,
                                         cw_lab_chart_get_export_height (report, CW_LAB_PAGE_PNG_WIDTH), &error);
      if (bytes == NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, replace_done_cb, g_steal_pointer (&task));
}

gboolean
cw_lab_page_export_finish (CwLabPage     *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == cw_lab_page_export_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
export_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  CwLabPage *self = CW_LAB_PAGE (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *text = NULL;

  name = g_file_get_parse_name (file);
  if (!cw_lab_page_export_finish (self, result, &error))
    /* Translators: a file's name and what went wrong */
    text = g_strdup_printf (_("Could not save %s: %s"), name, error->message);
  else
    text = g_strdup_printf (_("Saved %s"), name);
  if (!self->disposed)
    cw_lab_page_toast (self, text);
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  CwLabPage *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT && !self->disposed)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      CwLabExperiment e = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "experiment"));
      CwLabExportFormat format = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dialog), "format"));

      if (file != NULL)
        cw_lab_page_export_async (self, e, format, file, NULL, export_done_cb, g_object_ref (file));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

void
cw_lab_page_export_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *parameter)
{
  CwLabPage *self = CW_LAB_PAGE (widget);
  CwLabExportFormat format = g_str_equal (action_name, "lab.export-png") ? CW_LAB_EXPORT_PNG
                             : g_str_equal (action_name, "lab.export-svg") ? CW_LAB_EXPORT_SVG : CW_LAB_EXPORT_CSV;
  static const char * const extensions[] = { "csv", "png", "svg" };
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  g_autofree char *name = NULL;

  if (!cw_lab_page_has_report (self, self->selected))
    return;
  dialog = gtk_file_chooser_native_new (format == CW_LAB_EXPORT_CSV ? _("Export the Table") : _("Export the Chart"),
                                        GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  name = g_strdup_printf ("corewave-lab-%s.%s", cw_lab_experiment_to_string (self->selected), extensions[format]);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  if (format == CW_LAB_EXPORT_PNG)
    {
      gtk_file_filter_set_name (filter, _("PNG images"));
      gtk_file_filter_add_mime_type (filter, "image/png");
    }
  else if (format == CW_LAB_EXPORT_SVG)
    {
      gtk_file_filter_set_name (filter, _("SVG images"));
      gtk_file_filter_add_mime_type (filter, "image/svg+xml");
    }
  else
    {
      gtk_file_filter_set_name (filter, _("CSV tables"));
      gtk_file_filter_add_mime_type (filter, "text/csv");
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_set_data (G_OBJECT (dialog), "experiment", GUINT_TO_POINTER (self->selected));
  g_object_set_data (G_OBJECT (dialog), "format", GUINT_TO_POINTER (format));
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
