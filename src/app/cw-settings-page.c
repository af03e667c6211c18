/* cw-settings-page.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-settings-page.h"

#include <glib/gi18n.h>

struct _CwSettingsPage
{
  AdwPreferencesPage  parent_instance;

  /* template */
  GtkSwitch          *mono_switch;
  AdwExpanderRow     *gain_row;
  GtkSpinButton      *gain_spin;
  AdwExpanderRow     *normalize_row;
  GtkSpinButton      *normalize_spin;
  AdwExpanderRow     *noise_row;
  GtkSpinButton      *noise_spin;
  AdwExpanderRow     *fade_row;
  GtkSpinButton      *fade_in_spin;
  GtkSpinButton      *fade_out_spin;
  AdwActionRow       *chain_row;
  AdwActionRow       *output_row;
  AdwComboRow        *format_row;
  GtkSwitch          *overwrite_switch;
  AdwActionRow       *workers_row;
  GtkSpinButton      *workers_spin;
  GtkSwitch          *chunk_auto_switch;
  AdwActionRow       *chunk_row;
  GtkSpinButton      *chunk_spin;
  AdwComboRow        *order_row;
  AdwComboRow        *mode_row;

  CwSettings         *settings;
};

G_DEFINE_FINAL_TYPE (CwSettingsPage, cw_settings_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
chain_changed_cb (GSettings  *settings,
                  const char *key,
                  gpointer    user_data)
{
  CwSettingsPage *self = user_data;
  g_autofree char *spec = cw_settings_build_spec (self->settings);
  g_autofree char *dir = cw_settings_dup_output_dir (self->settings);
  g_autofree char *display = g_filename_display_name (dir);
  g_autofree char *workers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "Tasks at once; this computer has %'u core",
                                                           "Tasks at once; this computer has %'u cores",
                                                           cw_online_cpus ()),
                                              cw_online_cpus ());

  adw_action_row_set_subtitle (self->chain_row, spec);
  adw_action_row_set_subtitle (self->output_row, display);
  adw_action_row_set_subtitle (self->workers_row, workers);
}

static gboolean
get_enum_index (GValue   *value,
                GVariant *variant,
                gpointer  user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_variant_get_string (variant, NULL);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_str_equal (nicks[i], nick))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
set_enum_index (const GValue       *value,
                const GVariantType *expected_type,
                gpointer            user_data)
{
  const char * const *nicks = user_data;
  guint i = g_value_get_uint (value);

  if (i >= g_strv_length ((char **) nicks))
    return NULL;
  return g_variant_new_string (nicks[i]);
}

static gboolean
get_workers (GValue   *value,
             GVariant *variant,
             gpointer  user_data)
{
  int n = g_variant_get_int32 (variant);

  g_value_set_double (value, n > 0 ? (double) n : (double) cw_online_cpus ());
  return TRUE;
}

static gboolean
get_chunk_auto (GValue   *value,
                GVariant *variant,
                gpointer  user_data)
{
  g_value_set_boolean (value, g_variant_get_int32 (variant) == 0);
  return TRUE;
}

static GVariant *
set_chunk_auto (const GValue       *value,
                const GVariantType *expected_type,
                gpointer            user_data)
{
  CwSettingsPage *self = user_data;

  return g_variant_new_int32 (g_value_get_boolean (value) ? 0 : gtk_spin_button_get_value_as_int (self->chunk_spin));
}

static gboolean
get_chunk_value (GValue   *value,
                 GVariant *variant,
                 gpointer  user_data)
{
  CwSettingsPage *self = user_data;
  int n = g_variant_get_int32 (variant);

  /* auto: keep the last number shown */
  g_value_set_double (value, n > 0 ? n : MAX (1, gtk_spin_button_get_value (self->chunk_spin)));
  return TRUE;
}

static const char * const order_nicks[] = { "unordered", "ordered", "all", NULL };
static const char * const mode_nicks[] = { "processes", "threads", "sequential", NULL };
static const char * const format_nicks[] = { "same", "wav", "flac", "ogg", "opus", "mp3", NULL };

static void
bind_settings (CwSettingsPage *self)
{
  GSettings *s = cw_settings_get_gsettings (self->settings);

  g_settings_bind (s, "mono", self->mono_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "gain-enabled", self->gain_row, "enable-expansion", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "gain-db", self->gain_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "normalize-enabled", self->normalize_row, "enable-expansion", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "normalize-peak", self->normalize_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "noise-enabled", self->noise_row, "enable-expansion", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "noise-sigma", self->noise_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "fade-enabled", self->fade_row, "enable-expansion", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "fade-in-ms", self->fade_in_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "fade-out-ms", self->fade_out_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (s, "overwrite", self->overwrite_switch, "active", G_SETTINGS_BIND_DEFAULT);

  g_settings_bind_with_mapping (s, "format", self->format_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                get_enum_index, set_enum_index, (gpointer) format_nicks, NULL);
  g_settings_bind_with_mapping (s, "order", self->order_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                get_enum_index, set_enum_index, (gpointer) order_nicks, NULL);
  g_settings_bind_with_mapping (s, "mode", self->mode_row, "selected", G_SETTINGS_BIND_DEFAULT,
                                get_enum_index, set_enum_index, (gpointer) mode_nicks, NULL);
  /* 0 workers in the key means "one per core": the spin shows that number */
  g_settings_bind_with_mapping (s, "workers", self->workers_spin, "value", G_SETTINGS_BIND_DEFAULT,
                                get_workers, NULL, NULL, NULL);
  g_settings_bind_with_mapping (s, "chunk-size", self->chunk_auto_switch, "active", G_SETTINGS_BIND_DEFAULT,
                                get_chunk_auto, set_chunk_auto, self, NULL);
  g_settings_bind_with_mapping (s, "chunk-size", self->chunk_spin, "value", G_SETTINGS_BIND_DEFAULT,
                                get_chunk_value, NULL, self, NULL);
  g_object_bind_property (self->chunk_auto_switch, "active", self->chunk_row, "sensitive",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);

  g_signal_connect_object (s, "changed", G_CALLBACK (chain_changed_cb), self, 0);
  chain_changed_cb (s, NULL, self);
}

/* Mapping functions with NULL setters make those bindings read-only;
 * write the spins' numbers ourselves. */
static void
workers_value_changed_cb (GtkSpinButton *spin,
                          gpointer       user_data)
{
  CwSettingsPage *self = user_data;
  GSettings *s = cw_settings_get_gsettings (self->settings);
  int n = gtk_spin_button_get_value_as_int (spin);
  int stored = g_settings_get_int (s, "workers");

  /* keep "one per core" while the number shown is the core count */
  if (!(stored == 0 && (guint) n == cw_online_cpus ()) && stored != n)
    g_settings_set_int (s, "workers", n);
}

static void
chunk_value_changed_cb (GtkSpinButton *spin,
                        gpointer       user_data)
{
  CwSettingsPage *self = user_data;
  GSettings *s = cw_settings_get_gsettings (self->settings);
  int n = gtk_spin_button_get_value_as_int (spin);

  if (!gtk_switch_get_active (self->chunk_auto_switch) && g_settings_get_int (s, "chunk-size") != n)
    g_settings_set_int (s, "chunk-size", n);
}

static void
choose_output_response_cb (GtkNativeDialog *dialog,
                           int              response,
                           gpointer         user_data)
{
  CwSettingsPage *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = folder ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        g_settings_set_string (cw_settings_get_gsettings (self->settings), "output-dir", path);
    }
  g_object_unref (dialog);
}

static void
choose_output_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  CwSettingsPage *self = CW_SETTINGS_PAGE (widget);
  GtkFileChooserNative *dialog = gtk_file_chooser_native_new (_("Output Folder"),
                                                              GTK_WINDOW (gtk_widget_get_root (widget)),
                                                              GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                                              _("_Select"), _("_Cancel"));
  g_autofree char *current = cw_settings_dup_output_dir (self->settings);
  g_autoptr(GFile) file = g_file_new_for_path (current);

  /* a folder that does not exist yet is not an error: it is made at Start */
  gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), file, NULL);
  g_signal_connect (dialog, "response", G_CALLBACK (choose_output_response_cb), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

GtkWidget *
cw_settings_page_new (CwSettings *settings)
{
  return g_object_new (CW_TYPE_SETTINGS_PAGE, "settings", settings, NULL);
}

CwSettings *
cw_settings_page_get_settings (CwSettingsPage *self)
{
  g_return_val_if_fail (CW_IS_SETTINGS_PAGE (self), NULL);
  return self->settings;
}

void
cw_settings_page_set_settings (CwSettingsPage *self,
                               CwSettings     *settings)
{
  g_return_if_fail (CW_IS_SETTINGS_PAGE (self));
  g_return_if_fail (CW_IS_SETTINGS (settings));
  g_return_if_fail (self->settings == NULL);

  self->settings = g_object_ref (settings);
  bind_settings (self);
  g_signal_connect (self->workers_spin, "value-changed", G_CALLBACK (workers_value_changed_cb), self);
  g_signal_connect (self->chunk_spin, "value-changed", G_CALLBACK (chunk_value_changed_cb), self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SETTINGS]);
}

static void
cw_settings_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  CwSettingsPage *self = CW_SETTINGS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      g_value_set_object (value, self->settings);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_settings_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  CwSettingsPage *self = CW_SETTINGS_PAGE (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      if (g_value_get_object (value) != NULL)
        cw_settings_page_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_settings_page_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), CW_TYPE_SETTINGS_PAGE);
  G_OBJECT_CLASS (cw_settings_page_parent_class)->dispose (object);
}

static void
cw_settings_page_finalize (GObject *object)
{
  CwSettingsPage *self = CW_SETTINGS_PAGE (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (cw_settings_page_parent_class)->finalize (object);
}

static void
cw_settings_page_class_init (CwSettingsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cw_settings_page_get_property;
  object_class->set_property = cw_settings_page_set_property;
  object_class->dispose = cw_settings_page_dispose;
  object_class->finalize = cw_settings_page_finalize;

  /**
   * CwSettingsPage:settings:
   *
   * What the rows show and change.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, CW_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/corewave/Corewave/cw-settings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, mono_switch);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, gain_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, gain_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, normalize_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, normalize_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, noise_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, noise_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, fade_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, fade_in_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, fade_out_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, chain_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, output_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, format_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, overwrite_switch);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, workers_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, chunk_auto_switch);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, chunk_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, chunk_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, order_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, mode_row);

  gtk_widget_class_install_action (widget_class, "settings.choose-output", NULL, choose_output_action);
}

static void
cw_settings_page_init (CwSettingsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
