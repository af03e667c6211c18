/* cw-application.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-application.h"

#include <glib/gi18n.h>

#include "cw-options.h"
#include "cw-settings.h"
#include "cw-window.h"

struct _CwApplication
{
  AdwApplication  parent_instance;
  CwSettings     *settings;
};

G_DEFINE_FINAL_TYPE (CwApplication, cw_application, ADW_TYPE_APPLICATION)

static const GOptionEntry options[] = {
  { "output-dir", 'o', 0, G_OPTION_ARG_FILENAME, NULL, N_("Write the results into DIR"), N_("DIR") },
  { "workers", 'j', 0, G_OPTION_ARG_INT, NULL, N_("Worker count, 1–256"), N_("N") },
  { "chunk-size", 'c', 0, G_OPTION_ARG_STRING, NULL, N_("Tasks per trip to a worker, or auto"), N_("N|auto") },
  { "order", 0, 0, G_OPTION_ARG_STRING, NULL, N_("ordered, unordered or all"), N_("ORDER") },
  { "transform", 't', 0, G_OPTION_ARG_STRING, NULL, N_("Transform chain, e.g. gain:db=-3,noise:sigma=0.05"), N_("SPEC") },
  { "start", 0, 0, G_OPTION_ARG_NONE, NULL, N_("Start at once"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL, NULL, N_("[FILE…]") },
  { NULL }
};

static CwWindow *
get_window (CwApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (window == NULL)
    window = GTK_WINDOW (cw_window_new (GTK_APPLICATION (self), self->settings));
  return CW_WINDOW (window);
}

static void
cw_application_activate (GApplication *app)
{
  gtk_window_present (GTK_WINDOW (get_window (CW_APPLICATION (app))));
}

static void
cw_application_open (GApplication  *app,
                     GFile        **files,
                     int            n_files,
                     const char    *hint)
{
  CwWindow *window = get_window (CW_APPLICATION (app));

  cw_window_add_files (window, files, n_files);
  gtk_window_present (GTK_WINDOW (window));
}

/* Applies the options for this run; nothing is saved from here on. */
static gboolean
apply_options (CwApplication *self,
               GVariantDict  *dict,
               GError       **error)
{
  const char *output_dir = NULL, *chunk = NULL, *order_name = NULL, *spec = NULL;
  int workers = -1;
  guint n_workers = 0, chunk_size = 0;
  CwOrder order = CW_ORDER_UNORDERED;
  gboolean any;

  g_variant_dict_lookup (dict, "output-dir", "^&ay", &output_dir);
  g_variant_dict_lookup (dict, "chunk-size", "&s", &chunk);
  g_variant_dict_lookup (dict, "order", "&s", &order_name);
  g_variant_dict_lookup (dict, "transform", "&s", &spec);
  g_variant_dict_lookup (dict, "workers", "i", &workers);
  any = output_dir || chunk || order_name || spec || workers != -1;

  /* check everything before changing anything: the same checks and
   * messages as corewave-cli's */
  if (workers != -1 && !cw_options_parse_workers (workers, &n_workers, error))
    return FALSE;
  if (chunk != NULL && !cw_options_parse_chunk_size (chunk, &chunk_size, error))
    return FALSE;
  if (order_name != NULL && !cw_options_parse_order (order_name, &order, error))
    return FALSE;
  if (!any)
    return TRUE;

  cw_settings_keep_for_this_run (self->settings);
  if (spec != NULL && !cw_settings_apply_spec (self->settings, spec, error))
    return FALSE;
  if (output_dir != NULL)
    {
      g_autofree char *absolute = g_canonicalize_filename (output_dir, NULL);

      cw_settings_set_output_dir (self->settings, absolute);
    }
  /* (the option checks are the keys' ranges) */
  if (workers != -1)
    cw_settings_set_workers (self->settings, n_workers);
  if (chunk != NULL)
    cw_settings_set_chunk_size (self->settings, chunk_size);
  if (order_name != NULL)
    cw_settings_set_order (self->settings, order);
  return TRUE;
}

static int
cw_application_command_line (GApplication            *app,
                             GApplicationCommandLine *command_line)
{
  CwApplication *self = CW_APPLICATION (app);
  GVariantDict *dict = g_application_command_line_get_options_dict (command_line);
  g_autoptr(GError) error = NULL;
  g_autofree const char **names = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean start = FALSE;
  CwWindow *window;

  if (!apply_options (self, dict, &error))
    {
      g_application_command_line_printerr (command_line, "corewave: %s\n", error->message);
      return 2;
    }
  g_variant_dict_lookup (dict, "start", "b", &start);
  if (g_variant_dict_lookup (dict, G_OPTION_REMAINING, "^a&ay", &names))
    for (guint i = 0; names[i] != NULL; i++)
      g_ptr_array_add (files, g_application_command_line_create_file_for_arg (command_line, names[i]));

  window = get_window (self);
  if (files->len > 0)
    cw_window_add_files (window, (GFile **) files->pdata, files->len);
  if (start)
    cw_window_start_when_ready (window);
  gtk_window_present (GTK_WINDOW (window));
  return 0;
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  const char *developers[] = { "The Corewave Authors", NULL };
  AdwAboutWindow *about;

  about = ADW_ABOUT_WINDOW (adw_about_window_new ());
  gtk_window_set_transient_for (GTK_WINDOW (about), gtk_application_get_active_window (app));
  adw_about_window_set_application_name (about, _("Corewave"));
  adw_about_window_set_application_icon (about, APP_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_developer_name (about, _("The Corewave Authors"));
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_comments (about, _("Transform batches of audio files on every CPU core, and watch the cores fill."));
  adw_about_window_set_website (about, "https://github.com/corewave/corewave");
  adw_about_window_set_issue_url (about, "https://github.com/corewave/corewave/issues");
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  adw_about_window_set_copyright (about, "© 2026 The Corewave Authors");
  /* Translators: your names, one a line */
  adw_about_window_set_translator_credits (about, _("translator-credits"));
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  /* closing each window lets a running batch end its workers first */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  g_list_free (windows);
}

static const GActionEntry app_actions[] = {
  { "about", about_action },
  { "quit", quit_action },
};

static void
cw_application_startup (GApplication *app)
{
  const char *quit_accels[] = { "<Control>q", NULL };

  G_APPLICATION_CLASS (cw_application_parent_class)->startup (app);
  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);
}

static void
cw_application_finalize (GObject *object)
{
  CwApplication *self = CW_APPLICATION (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (cw_application_parent_class)->finalize (object);
}

static void
cw_application_class_init (CwApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = cw_application_finalize;
  app_class->activate = cw_application_activate;
  app_class->open = cw_application_open;
  app_class->command_line = cw_application_command_line;
  app_class->startup = cw_application_startup;
}

static void
cw_application_init (CwApplication *self)
{
  self->settings = cw_settings_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Transform audio files on every CPU core. Options apply to this run only."));
}

CwApplication *
cw_application_new (void)
{
  return g_object_new (CW_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", "/io/github/corewave/Corewave",
                       NULL);
}
