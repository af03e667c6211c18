/* cw-settings-page.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-settings-page.h"

#include <glib/gi18n.h>
#include <math.h>

#include "cw-cpus.h"

struct _CwSettingsPage
{
  AdwPreferencesPage  parent_instance;

  /* template */
  GtkSwitch          *mono_switch;
  AdwExpanderRow     *gain_row;
  GtkSpinButton      *gain_spin;
  AdwExpanderRow     *resample_row;
  GtkSpinButton      *resample_spin;
  AdwExpanderRow     *loudness_row;
  GtkSpinButton      *loudness_spin;
  GtkSpinButton      *loudness_tp_spin;
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
  AdwComboRow        *bits_row;
  AdwExpanderRow     *quality_row;
  GtkSpinButton      *quality_spin;
  AdwActionRow       *tags_row;
  GtkSwitch          *tags_switch;
  AdwComboRow        *existing_row;
  AdwActionRow       *workers_row;
  GtkSpinButton      *workers_spin;
  GtkSwitch          *chunk_auto_switch;
  AdwActionRow       *chunk_row;
  GtkSpinButton      *chunk_spin;
  AdwComboRow        *order_row;
  AdwComboRow        *mode_row;

  CwSettings         *settings;
  GPtrArray          *bindings;   /* GBinding*: settings to rows */
};

G_DEFINE_FINAL_TYPE (CwSettingsPage, cw_settings_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* the rows whose subtitles say what the settings mean */
static void
settings_notify_cb (CwSettingsPage *self)
{
  g_autofree char *spec = cw_settings_build_spec (self->settings);
  g_autofree char *dir = cw_settings_dup_output_dir (self->settings);
  g_autofree char *display = g_filename_display_name (dir);
  CwFormat format;
  g_autofree char *workers = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "Tasks at once; this computer has %'u core",
                                                           "Tasks at once; this computer has %'u cores",
                                                           cw_cpus_usable ()),
                                              cw_cpus_usable ());

  /* only the rows the output format has: bits for PCM, quality for lossy
   * ("same as input" may be either) */
  format = cw_settings_get_format (self->settings);
  gtk_widget_set_visible (GTK_WIDGET (self->bits_row), cw_format_has_bits (format));
  gtk_widget_set_visible (GTK_WIDGET (self->quality_row), cw_format_has_quality (format));
  adw_action_row_set_subtitle (self->chain_row, spec);
  adw_action_row_set_subtitle (self->output_row, display);
  adw_action_row_set_subtitle (self->workers_row, workers);
}

/* A combo row's position and a key's nick; user_data is the nicks in the
 * order of the row's model. */
static gboolean
nick_to_index (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  const char * const *nicks = user_data;
  const char *nick = g_value_get_string (from);

  for (guint i = 0; nicks[i] != NULL; i++)
    if (g_strcmp0 (nicks[i], nick) == 0)
      {
        g_value_set_uint (to, i);
        return TRUE;
      }
  return FALSE;
}

static gboolean
index_to_nick (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  const char * const *nicks = user_data;
  guint i = g_value_get_uint (from);

  if (i >= g_strv_length ((char **) nicks))
    return FALSE;
  g_value_set_string (to, nicks[i]);
  return TRUE;
}

/* 0 workers in the key means "one per core": the spin shows that number */
static gboolean
workers_to_spin (GBinding     *binding,
                 const GValue *from,
                 GValue       *to,
                 gpointer      user_data)
{
  int n = g_value_get_int (from);

  g_value_set_double (to, n > 0 ? (double) n : (double) cw_cpus_usable ());
  return TRUE;
}

static gboolean
spin_to_workers (GBinding     *binding,
                 const GValue *from,
                 GValue       *to,
                 gpointer      user_data)
{
  CwSettingsPage *self = user_data;
  int n = (int) round (g_value_get_double (from));
  int stored;

  /* keep "one per core" while the number shown is the core count */
  g_object_get (self->settings, CW_SETTINGS_KEY_WORKERS, &stored, NULL);
  if (stored == 0 && (guint) n == cw_cpus_usable ())
    return FALSE;
  g_value_set_int (to, n);
  return TRUE;
}

/* 0 in the key is the automatic chunk size: the switch on, and the spin
 * keeps the last number it showed */
static gboolean
chunk_to_auto (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  g_value_set_boolean (to, g_value_get_int (from) == 0);
  return TRUE;
}

static gboolean
auto_to_chunk (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  CwSettingsPage *self = user_data;

  if (g_value_get_boolean (from))
    g_value_set_int (to, 0);
  else
    g_value_set_int (to, gtk_spin_button_get_value_as_int (self->chunk_spin));
  return TRUE;
}

static gboolean
chunk_to_spin (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  CwSettingsPage *self = user_data;
  int n = g_value_get_int (from);

  g_value_set_double (to, n > 0 ? n : MAX (1, gtk_spin_button_get_value (self->chunk_spin)));
  return TRUE;
}

static gboolean
spin_to_chunk (GBinding     *binding,
               const GValue *from,
               GValue       *to,
               gpointer      user_data)
{
  CwSettingsPage *self = user_data;

  if (gtk_switch_get_active (self->chunk_auto_switch))
    return FALSE;
  g_value_set_int (to, (int) round (g_value_get_double (from)));
  return TRUE;
}

static const char * const order_nicks[] = { "unordered", "ordered", "all", NULL };
static const char * const mode_nicks[] = { "processes", "threads", "sequential", NULL };
static const char * const format_nicks[] = { "same", "wav", "flac", "ogg", "opus", "mp3", NULL };
static const char * const bits_nicks[] = { "same", "16", "24", "32f", NULL };
static const char * const existing_nicks[] = { "ask", "rename", "replace", "skip", NULL };

static void
bind (CwSettingsPage        *self,
      const char            *key,
      gpointer               target,
      const char            *property,
      GBindingTransformFunc  to_target,
      GBindingTransformFunc  to_settings,
      gconstpointer          user_data)
{
  GBinding *binding;

  binding = g_object_bind_property_full (self->settings, key, target, property,
                                         G_BINDING_BIDIRECTIONAL | G_BINDING_SYNC_CREATE,
                                         to_target, to_settings, (gpointer) user_data, NULL);

  g_ptr_array_add (self->bindings, g_object_ref (binding));
}

static void
bind_plain (CwSettingsPage *self,
            const char     *key,
            gpointer        target,
            const char     *property)
{
  bind (self, key, target, property, NULL, NULL, NULL);
}

static void
bind_settings (CwSettingsPage *self)
{
  bind_plain (self, CW_SETTINGS_KEY_MONO, self->mono_switch, "active");
  bind_plain (self, CW_SETTINGS_KEY_GAIN_ENABLED, self->gain_row, "enable-expansion");
  bind_plain (self, CW_SETTINGS_KEY_GAIN_DB, self->gain_spin, "value");
  bind_plain (self, CW_SETTINGS_KEY_RESAMPLE_ENABLED, self->resample_row, "enable-expansion");
  bind_plain (self, CW_SETTINGS_KEY_RESAMPLE_RATE, self->resample_spin, "value");
  bind_plain (self, CW_SETTINGS_KEY_LOUDNESS_ENABLED, self->loudness_row, "enable-expansion");
  bind_plain (self, CW_SETTINGS_KEY_LOUDNESS_LUFS, self->loudness_spin, "value");
  bind_plain (self, CW_SETTINGS_KEY_LOUDNESS_TP, self->loudness_tp_spin, "value");
  bind_plain (self, CW_SETTINGS_KEY_NORMALIZE_ENABLED, self->normalize_row, "enable-expansion");
  bind_plain (self, CW_SETTINGS_KEY_NORMALIZE_PEAK, self->normalize_spin, "value");
  bind_plain (self, CW_SETTINGS_KEY_NOISE_ENABLED, self->noise_row, "enable-expansion");
  bind_plain (self, CW_SETTINGS_KEY_NOISE_SIGMA, self->noise_spin, "value");
  bind_plain (self, CW_SETTINGS_KEY_FADE_ENABLED, self->fade_row, "enable-expansion");
  bind_plain (self, CW_SETTINGS_KEY_FADE_IN_MS, self->fade_in_spin, "value");
  bind_plain (self, CW_SETTINGS_KEY_FADE_OUT_MS, self->fade_out_spin, "value");

  bind (self, CW_SETTINGS_KEY_FORMAT, self->format_row, "selected",
        nick_to_index, index_to_nick, format_nicks);
  bind (self, CW_SETTINGS_KEY_BITS, self->bits_row, "selected",
        nick_to_index, index_to_nick, bits_nicks);
  bind_plain (self, CW_SETTINGS_KEY_QUALITY_ENABLED, self->quality_row, "enable-expansion");
  bind_plain (self, CW_SETTINGS_KEY_QUALITY, self->quality_spin, "value");
  bind_plain (self, CW_SETTINGS_KEY_KEEP_TAGS, self->tags_switch, "active");
  bind (self, CW_SETTINGS_KEY_EXISTING, self->existing_row, "selected",
        nick_to_index, index_to_nick, existing_nicks);
  bind (self, CW_SETTINGS_KEY_ORDER, self->order_row, "selected",
        nick_to_index, index_to_nick, order_nicks);
  bind (self, CW_SETTINGS_KEY_MODE, self->mode_row, "selected",
        nick_to_index, index_to_nick, mode_nicks);
  bind (self, CW_SETTINGS_KEY_WORKERS, self->workers_spin, "value",
        workers_to_spin, spin_to_workers, self);
  bind (self, CW_SETTINGS_KEY_CHUNK_SIZE, self->chunk_auto_switch, "active",
        chunk_to_auto, auto_to_chunk, self);
  bind (self, CW_SETTINGS_KEY_CHUNK_SIZE, self->chunk_spin, "value",
        chunk_to_spin, spin_to_chunk, self);

  g_signal_connect_object (self->settings, "notify",
                           G_CALLBACK (settings_notify_cb), self, G_CONNECT_SWAPPED);
  settings_notify_cb (self);
}

static void
unbind_settings (CwSettingsPage *self)
{
  if (self->settings == NULL)
    return;
  for (guint i = 0; i < self->bindings->len; i++)
    g_binding_unbind (g_ptr_array_index (self->bindings, i));
  g_ptr_array_set_size (self->bindings, 0);
  g_signal_handlers_disconnect_by_data (self->settings, self);
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
        cw_settings_set_output_dir (self->settings, path);
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
  g_return_if_fail (settings == NULL || CW_IS_SETTINGS (settings));

  if (self->settings == settings)
    return;
  unbind_settings (self);
  g_set_object (&self->settings, settings);
  if (settings != NULL)
    bind_settings (self);
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
      cw_settings_page_set_settings (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_settings_page_dispose (GObject *object)
{
  CwSettingsPage *self = CW_SETTINGS_PAGE (object);

  unbind_settings (self);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (object), CW_TYPE_SETTINGS_PAGE);
  G_OBJECT_CLASS (cw_settings_page_parent_class)->dispose (object);
}

static void
cw_settings_page_finalize (GObject *object)
{
  CwSettingsPage *self = CW_SETTINGS_PAGE (object);

  g_ptr_array_unref (self->bindings);
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
   * What the rows show and change; NULL unbinds them.
   */
  properties[PROP_SETTINGS] =
    g_param_spec_object ("settings", NULL, NULL, CW_TYPE_SETTINGS,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/corewave/Corewave/cw-settings-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, mono_switch);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, gain_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, gain_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, resample_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, resample_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, loudness_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, loudness_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, loudness_tp_spin);
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
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, bits_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, quality_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, quality_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, tags_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, tags_switch);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, existing_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, workers_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, workers_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, chunk_auto_switch);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, chunk_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, chunk_spin);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, order_row);
  gtk_widget_class_bind_template_child (widget_class, CwSettingsPage, mode_row);

  gtk_widget_class_install_action (widget_class, "settings.choose-output", NULL,
                                   choose_output_action);
}

static void
cw_settings_page_init (CwSettingsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->bindings = g_ptr_array_new_with_free_func (g_object_unref);
  g_object_bind_property (self->chunk_auto_switch, "active", self->chunk_row, "sensitive",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
}
