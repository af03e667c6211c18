/* cw-settings.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-settings.h"

#include <glib/gi18n.h>

#include "cw-cpus.h"
#include "cw-error.h"
#include "cw-spec.h"

struct _CwSettings
{
  GObject          parent_instance;
  GSettings       *settings;
  GSettingsSchema *schema;
};

G_DEFINE_FINAL_TYPE (CwSettings, cw_settings, G_TYPE_OBJECT)

/* One property per key, named as the key (cw-settings.h). */
enum {
  PROP_0,
  PROP_OUTPUT_DIR,
  PROP_WORKERS,
  PROP_CHUNK_SIZE,
  PROP_ORDER,
  PROP_MODE,
  PROP_FORMAT,
  PROP_BITS,
  PROP_QUALITY_ENABLED,
  PROP_QUALITY,
  PROP_KEEP_TAGS,
  PROP_EXISTING,
  PROP_SEED,
  PROP_MONO,
  PROP_GAIN_ENABLED,
  PROP_GAIN_DB,
  PROP_NORMALIZE_ENABLED,
  PROP_NORMALIZE_PEAK,
  PROP_RESAMPLE_ENABLED,
  PROP_RESAMPLE_RATE,
  PROP_LOUDNESS_ENABLED,
  PROP_LOUDNESS_LUFS,
  PROP_LOUDNESS_TP,
  PROP_NOISE_ENABLED,
  PROP_NOISE_SIGMA,
  PROP_FADE_ENABLED,
  PROP_FADE_IN_MS,
  PROP_FADE_OUT_MS,
  PROP_WINDOW_WIDTH,
  PROP_WINDOW_HEIGHT,
  PROP_WINDOW_MAXIMIZED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The window's stages in the order it runs them, and the keys that hold
 * them: the spec is built from this table and parsed back into it. */
static const struct
{
  CwStageKind  kind;
  const char  *name;
  const char  *enabled_key;
  const char  *params[2];  /* the spec's names; NULL when unused */
  const char  *keys[2];    /* the keys holding them */
} stages[] = {
  { CW_STAGE_MONO, "mono", CW_SETTINGS_KEY_MONO, { NULL }, { NULL } },
  { CW_STAGE_RESAMPLE, "resample", CW_SETTINGS_KEY_RESAMPLE_ENABLED,
    { "rate" }, { CW_SETTINGS_KEY_RESAMPLE_RATE } },
  { CW_STAGE_GAIN, "gain", CW_SETTINGS_KEY_GAIN_ENABLED, { "db" }, { CW_SETTINGS_KEY_GAIN_DB } },
  { CW_STAGE_NORMALIZE, "normalize", CW_SETTINGS_KEY_NORMALIZE_ENABLED,
    { "peak" }, { CW_SETTINGS_KEY_NORMALIZE_PEAK } },
  { CW_STAGE_LOUDNESS, "loudness", CW_SETTINGS_KEY_LOUDNESS_ENABLED,
    { "lufs", "tp" }, { CW_SETTINGS_KEY_LOUDNESS_LUFS, CW_SETTINGS_KEY_LOUDNESS_TP } },
  { CW_STAGE_NOISE, "noise", CW_SETTINGS_KEY_NOISE_ENABLED,
    { "sigma" }, { CW_SETTINGS_KEY_NOISE_SIGMA } },
  { CW_STAGE_FADE, "fade", CW_SETTINGS_KEY_FADE_ENABLED,
    { "in", "out" }, { CW_SETTINGS_KEY_FADE_IN_MS, CW_SETTINGS_KEY_FADE_OUT_MS } },
};

CwSettings *
cw_settings_new (void)
{
  return g_object_new (CW_TYPE_SETTINGS, NULL);
}

/* The one way anything is written: a value its key's range (or enum) does
 * not hold is refused (GSettings would warn and drop it), and an unchanged
 * value is not written again, so a property notifies only on a change. */
static gboolean
set_key (CwSettings *self,
         const char *key,
         GVariant   *value)
{
  g_autoptr(GVariant) owned = g_variant_ref_sink (value);
  g_autoptr(GSettingsSchemaKey) schema_key = g_settings_schema_get_key (self->schema, key);
  g_autoptr(GVariant) current = NULL;

  if (!g_settings_schema_key_range_check (schema_key, owned))
    return FALSE;
  current = g_settings_get_value (self->settings, key);
  if (!g_variant_equal (current, owned))
    g_settings_set_value (self->settings, key, owned);
  return TRUE;
}

static char *
format_number (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", v));
}

char *
cw_settings_build_spec (CwSettings *self)
{
  g_autoptr(GString) spec = g_string_new (NULL);

  g_return_val_if_fail (CW_IS_SETTINGS (self), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      if (!g_settings_get_boolean (self->settings, stages[i].enabled_key))
        continue;
      if (spec->len > 0)
        g_string_append_c (spec, ',');
      g_string_append (spec, stages[i].name);
      for (guint k = 0; k < G_N_ELEMENTS (stages[i].params) && stages[i].params[k] != NULL; k++)
        {
          double v = g_settings_get_double (self->settings, stages[i].keys[k]);
          g_autofree char *number = format_number (v);

          g_string_append_printf (spec, ":%s=%s", stages[i].params[k], number);
        }
    }
  if (spec->len == 0)
    g_string_append (spec, "copy");
  return g_string_free (g_steal_pointer (&spec), FALSE);
}

/* The keys' ranges are narrower than the spec's (cw-spec.c): a spec the
 * CLI takes may still not fit the window, and GSettings would only warn
 * and keep the old value. */
static gboolean
stage_fits (CwSettings     *self,
            guint           i,
            const CwStage  *stage,
            GError        **error)
{
  for (guint k = 0; k < G_N_ELEMENTS (stages[i].params) && stages[i].params[k] != NULL; k++)
    {
      const char *key = stages[i].keys[k];
      g_autoptr(GSettingsSchemaKey) schema_key = g_settings_schema_get_key (self->schema, key);
      double v = k == 0 ? stage->a : stage->b;
      g_autoptr(GVariant) value = g_variant_ref_sink (g_variant_new_double (v));
      g_autoptr(GVariant) range = NULL;
      g_autoptr(GVariant) limits = NULL;
      double min, max;

      if (g_settings_schema_key_range_check (schema_key, value))
        continue;
      /* ('range', <(min, max)>) */
      range = g_settings_schema_key_get_range (schema_key);
      g_variant_get (range, "(&sv)", NULL, &limits);
      g_variant_get (limits, "(dd)", &min, &max);
      g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                   /* Translators: a transform the window's settings cannot hold (the command
                    * line's limits are wider), e.g. "In the window, gain:db must be between -120
                    * and 60" */
                   _("In the window, %s:%s must be between %.10g and %.10g"),
                   stages[i].name, stages[i].params[k], min, max);
      return FALSE;
    }
  return TRUE;
}

gboolean
cw_settings_apply_spec (CwSettings  *self,
                        const char  *spec,
                        GError     **error)
{
  g_autoptr(CwChain) chain = NULL;
  const CwStage *found[G_N_ELEMENTS (stages)] = { NULL };

  g_return_val_if_fail (CW_IS_SETTINGS (self), FALSE);

  chain = cw_chain_parse (spec, error);
  if (chain == NULL)
    return FALSE;

  /* check everything before changing anything */
  for (guint n = 0; n < cw_chain_get_n_stages (chain); n++)
    {
      const CwStage *stage = cw_chain_get_stage (chain, n);

      for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
        {
          if (stages[i].kind != stage->kind)
            continue;
          if (found[i] != NULL)
            {
              g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                           _("The window runs each stage once; “%s” has one twice"), spec);
              return FALSE;
            }
          if (!stage_fits (self, i, stage, error))
            return FALSE;
          found[i] = stage;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (stages); i++)
    {
      set_key (self, stages[i].enabled_key, g_variant_new_boolean (found[i] != NULL));
      if (found[i] == NULL)
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (stages[i].params) && stages[i].params[k] != NULL; k++)
        {
          double v = k == 0 ? found[i]->a : found[i]->b;

          set_key (self, stages[i].keys[k], g_variant_new_double (v));
        }
    }
  return TRUE;
}

char *
cw_settings_dup_output_dir (CwSettings *self)
{
  g_autofree char *dir = NULL;
  const char *music;

  g_return_val_if_fail (CW_IS_SETTINGS (self), NULL);

  dir = g_settings_get_string (self->settings, CW_SETTINGS_KEY_OUTPUT_DIR);
  if (dir != NULL && dir[0] != '\0')
    return g_steal_pointer (&dir);
  music = g_get_user_special_dir (G_USER_DIRECTORY_MUSIC);
  if (music == NULL)
    return g_build_filename (g_get_home_dir (), "Music", "Corewave", NULL);
  return g_build_filename (music, "Corewave", NULL);
}

void
cw_settings_set_output_dir (CwSettings *self,
                            const char *dir)
{
  g_return_if_fail (CW_IS_SETTINGS (self));

  set_key (self, CW_SETTINGS_KEY_OUTPUT_DIR, g_variant_new_string (dir != NULL ? dir : ""));
}

guint
cw_settings_get_workers (CwSettings *self)
{
  int n;

  g_return_val_if_fail (CW_IS_SETTINGS (self), 1);

  n = g_settings_get_int (self->settings, CW_SETTINGS_KEY_WORKERS);
  return n > 0 ? (guint) n : cw_cpus_usable ();
}

gboolean
cw_settings_set_workers (CwSettings *self,
                         guint       n_workers)
{
  g_return_val_if_fail (CW_IS_SETTINGS (self), FALSE);

  return n_workers <= (guint) G_MAXINT
         && set_key (self, CW_SETTINGS_KEY_WORKERS, g_variant_new_int32 ((gint32) n_workers));
}

guint
cw_settings_get_chunk_size (CwSettings *self)
{
  g_return_val_if_fail (CW_IS_SETTINGS (self), 0);

  return (guint) MAX (0, g_settings_get_int (self->settings, CW_SETTINGS_KEY_CHUNK_SIZE));
}

gboolean
cw_settings_set_chunk_size (CwSettings *self,
                            guint       chunk_size)
{
  g_return_val_if_fail (CW_IS_SETTINGS (self), FALSE);

  return chunk_size <= (guint) G_MAXINT
         && set_key (self, CW_SETTINGS_KEY_CHUNK_SIZE, g_variant_new_int32 ((gint32) chunk_size));
}

CwOrder
cw_settings_get_order (CwSettings *self)
{
  CwOrder order = CW_ORDER_UNORDERED;
  g_autofree char *nick = NULL;

  g_return_val_if_fail (CW_IS_SETTINGS (self), order);

  nick = g_settings_get_string (self->settings, CW_SETTINGS_KEY_ORDER);
  cw_order_from_string (nick, &order);
  return order;
}

void
cw_settings_set_order (CwSettings *self,
                       CwOrder     order)
{
  g_return_if_fail (CW_IS_SETTINGS (self));

  /* the schema's nicks are the engine's names */
  g_return_if_fail (set_key (self, CW_SETTINGS_KEY_ORDER,
                             g_variant_new_string (cw_order_to_string (order))));
}

CwMode
cw_settings_get_mode (CwSettings *self)
{
  CwMode mode = CW_MODE_PROCESSES;
  g_autofree char *nick = NULL;

  g_return_val_if_fail (CW_IS_SETTINGS (self), mode);

  nick = g_settings_get_string (self->settings, CW_SETTINGS_KEY_MODE);
  cw_mode_from_string (nick, &mode);
  return mode;
}

void
cw_settings_set_mode (CwSettings *self,
                      CwMode      mode)
{
  g_return_if_fail (CW_IS_SETTINGS (self));

  g_return_if_fail (set_key (self, CW_SETTINGS_KEY_MODE,
                             g_variant_new_string (cw_mode_to_string (mode))));
}

CwFormat
cw_settings_get_format (CwSettings *self)
{
  CwFormat format = CW_FORMAT_SAME;
  g_autofree char *nick = NULL;

  g_return_val_if_fail (CW_IS_SETTINGS (self), format);

  nick = g_settings_get_string (self->settings, CW_SETTINGS_KEY_FORMAT);
  cw_format_from_string (nick, &format);
  return format;
}

void
cw_settings_set_format (CwSettings *self,
                        CwFormat    format)
{
  const char *nick = cw_format_to_string (format);

  g_return_if_fail (CW_IS_SETTINGS (self));
  g_return_if_fail (nick != NULL);

  g_return_if_fail (set_key (self, CW_SETTINGS_KEY_FORMAT, g_variant_new_string (nick)));
}

/* in the order of CwExistingChoice */
static const char * const existing_nicks[] = { "ask", "rename", "replace", "skip" };

CwExistingChoice
cw_settings_get_existing (CwSettings *self)
{
  g_autofree char *nick = NULL;

  g_return_val_if_fail (CW_IS_SETTINGS (self), CW_EXISTING_CHOICE_ASK);

  nick = g_settings_get_string (self->settings, CW_SETTINGS_KEY_EXISTING);
  for (guint i = 0; i < G_N_ELEMENTS (existing_nicks); i++)
    if (g_str_equal (nick, existing_nicks[i]))
      return (CwExistingChoice) i;
  return CW_EXISTING_CHOICE_ASK;
}

void
cw_settings_set_existing (CwSettings       *self,
                          CwExistingChoice  choice)
{
  g_return_if_fail (CW_IS_SETTINGS (self));
  g_return_if_fail ((guint) choice < G_N_ELEMENTS (existing_nicks));

  set_key (self, CW_SETTINGS_KEY_EXISTING, g_variant_new_string (existing_nicks[choice]));
}

guint64
cw_settings_get_seed (CwSettings *self)
{
  g_return_val_if_fail (CW_IS_SETTINGS (self), 0);

  return g_settings_get_uint64 (self->settings, CW_SETTINGS_KEY_SEED);
}

void
cw_settings_set_seed (CwSettings *self,
                      guint64     seed)
{
  g_return_if_fail (CW_IS_SETTINGS (self));

  set_key (self, CW_SETTINGS_KEY_SEED, g_variant_new_uint64 (seed));
}

void
cw_settings_get_encoding (CwSettings *self,
                          CwFormat    format,
                          CwBits     *bits,
                          gboolean   *has_quality,
                          double     *quality,
                          gboolean   *no_metadata)
{
  g_autofree char *nick = NULL;

  g_return_if_fail (CW_IS_SETTINGS (self));

  nick = g_settings_get_string (self->settings, CW_SETTINGS_KEY_BITS);
  *bits = CW_BITS_SAME;
  if (cw_format_has_bits (format))
    cw_bits_from_string (nick, bits);
  *has_quality = cw_format_has_quality (format) && g_settings_get_boolean (self->settings, CW_SETTINGS_KEY_QUALITY_ENABLED);
  *quality = *has_quality ? g_settings_get_double (self->settings, CW_SETTINGS_KEY_QUALITY) : 0.0;
  *no_metadata = !g_settings_get_boolean (self->settings, CW_SETTINGS_KEY_KEEP_TAGS);
}

void
cw_settings_keep_for_this_run (CwSettings *self)
{
  g_return_if_fail (CW_IS_SETTINGS (self));

  g_settings_delay (self->settings);
}

static void
cw_settings_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CwSettings *self = CW_SETTINGS (object);
  g_autoptr(GVariant) variant = NULL;

  if (prop_id == PROP_0 || prop_id >= N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  variant = g_settings_get_value (self->settings, g_param_spec_get_name (pspec));
  switch (G_PARAM_SPEC_VALUE_TYPE (pspec))
    {
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, g_variant_get_boolean (variant));
      break;
    case G_TYPE_INT:
      g_value_set_int (value, g_variant_get_int32 (variant));
      break;
    case G_TYPE_UINT64:
      g_value_set_uint64 (value, g_variant_get_uint64 (variant));
      break;
    case G_TYPE_DOUBLE:
      g_value_set_double (value, g_variant_get_double (variant));
      break;
    case G_TYPE_STRING:
      g_value_set_string (value, g_variant_get_string (variant, NULL));
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
cw_settings_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CwSettings *self = CW_SETTINGS (object);
  const char *key = g_param_spec_get_name (pspec);
  GVariant *variant;

  if (prop_id == PROP_0 || prop_id >= N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  switch (G_PARAM_SPEC_VALUE_TYPE (pspec))
    {
    case G_TYPE_BOOLEAN:
      variant = g_variant_new_boolean (g_value_get_boolean (value));
      break;
    case G_TYPE_INT:
      variant = g_variant_new_int32 (g_value_get_int (value));
      break;
    case G_TYPE_UINT64:
      variant = g_variant_new_uint64 (g_value_get_uint64 (value));
      break;
    case G_TYPE_DOUBLE:
      variant = g_variant_new_double (g_value_get_double (value));
      break;
    case G_TYPE_STRING:
      variant = g_variant_new_string (g_value_get_string (value) ? g_value_get_string (value) : "");
      break;
    default:
      g_assert_not_reached ();
    }
  if (!set_key (self, key, variant))
    g_warning ("A value out of the range of the key “%s” was refused", key);
}

static void
changed_cb (CwSettings *self,
            const char *key)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (self), key);

  if (pspec != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
cw_settings_finalize (GObject *object)
{
  CwSettings *self = CW_SETTINGS (object);

  g_clear_object (&self->settings);
  g_clear_pointer (&self->schema, g_settings_schema_unref);
  G_OBJECT_CLASS (cw_settings_parent_class)->finalize (object);
}

#define PARAM_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static GParamSpec *
boolean_key (const char *key)
{
  return g_param_spec_boolean (key, NULL, NULL, FALSE, PARAM_FLAGS);
}

static GParamSpec *
int_key (const char *key)
{
  return g_param_spec_int (key, NULL, NULL, G_MININT, G_MAXINT, 0, PARAM_FLAGS);
}

static GParamSpec *
double_key (const char *key)
{
  return g_param_spec_double (key, NULL, NULL, -G_MAXDOUBLE, G_MAXDOUBLE, 0, PARAM_FLAGS);
}

static GParamSpec *
string_key (const char *key)
{
  return g_param_spec_string (key, NULL, NULL, NULL, PARAM_FLAGS);
}

static void
cw_settings_class_init (CwSettingsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = cw_settings_get_property;
  object_class->set_property = cw_settings_set_property;
  object_class->finalize = cw_settings_finalize;

  /* The schema, not the param specs, holds the defaults and ranges: the
   * specs take any value of the type and the key refuses what it does not
   * hold, so the two can never disagree. */
  properties[PROP_OUTPUT_DIR] = string_key (CW_SETTINGS_KEY_OUTPUT_DIR);
  properties[PROP_WORKERS] = int_key (CW_SETTINGS_KEY_WORKERS);
  properties[PROP_CHUNK_SIZE] = int_key (CW_SETTINGS_KEY_CHUNK_SIZE);
  properties[PROP_ORDER] = string_key (CW_SETTINGS_KEY_ORDER);
  properties[PROP_MODE] = string_key (CW_SETTINGS_KEY_MODE);
  properties[PROP_FORMAT] = string_key (CW_SETTINGS_KEY_FORMAT);
  properties[PROP_BITS] = string_key (CW_SETTINGS_KEY_BITS);
  properties[PROP_QUALITY_ENABLED] = boolean_key (CW_SETTINGS_KEY_QUALITY_ENABLED);
  properties[PROP_QUALITY] = double_key (CW_SETTINGS_KEY_QUALITY);
  properties[PROP_KEEP_TAGS] = boolean_key (CW_SETTINGS_KEY_KEEP_TAGS);
  properties[PROP_EXISTING] = string_key (CW_SETTINGS_KEY_EXISTING);
  properties[PROP_SEED] =
    g_param_spec_uint64 (CW_SETTINGS_KEY_SEED, NULL, NULL, 0, G_MAXUINT64, 0, PARAM_FLAGS);
  properties[PROP_MONO] = boolean_key (CW_SETTINGS_KEY_MONO);
  properties[PROP_GAIN_ENABLED] = boolean_key (CW_SETTINGS_KEY_GAIN_ENABLED);
  properties[PROP_GAIN_DB] = double_key (CW_SETTINGS_KEY_GAIN_DB);
  properties[PROP_NORMALIZE_ENABLED] = boolean_key (CW_SETTINGS_KEY_NORMALIZE_ENABLED);
  properties[PROP_NORMALIZE_PEAK] = double_key (CW_SETTINGS_KEY_NORMALIZE_PEAK);
  properties[PROP_RESAMPLE_ENABLED] = boolean_key (CW_SETTINGS_KEY_RESAMPLE_ENABLED);
  properties[PROP_RESAMPLE_RATE] = double_key (CW_SETTINGS_KEY_RESAMPLE_RATE);
  properties[PROP_LOUDNESS_ENABLED] = boolean_key (CW_SETTINGS_KEY_LOUDNESS_ENABLED);
  properties[PROP_LOUDNESS_LUFS] = double_key (CW_SETTINGS_KEY_LOUDNESS_LUFS);
  properties[PROP_LOUDNESS_TP] = double_key (CW_SETTINGS_KEY_LOUDNESS_TP);
  properties[PROP_NOISE_ENABLED] = boolean_key (CW_SETTINGS_KEY_NOISE_ENABLED);
  properties[PROP_NOISE_SIGMA] = double_key (CW_SETTINGS_KEY_NOISE_SIGMA);
  properties[PROP_FADE_ENABLED] = boolean_key (CW_SETTINGS_KEY_FADE_ENABLED);
  properties[PROP_FADE_IN_MS] = double_key (CW_SETTINGS_KEY_FADE_IN_MS);
  properties[PROP_FADE_OUT_MS] = double_key (CW_SETTINGS_KEY_FADE_OUT_MS);
  properties[PROP_WINDOW_WIDTH] = int_key (CW_SETTINGS_KEY_WINDOW_WIDTH);
  properties[PROP_WINDOW_HEIGHT] = int_key (CW_SETTINGS_KEY_WINDOW_HEIGHT);
  properties[PROP_WINDOW_MAXIMIZED] = boolean_key (CW_SETTINGS_KEY_WINDOW_MAXIMIZED);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

/* The "overwrite" switch became "existing": a person who had turned it on
 * chose to replace. Left off (the old default, which silently numbered
 * names) becomes "ask", the new default. Done once: the old key is reset. */
static void
carry_over_overwrite (CwSettings *self)
{
  g_autoptr(GVariant) old = g_settings_get_user_value (self->settings, CW_SETTINGS_KEY_OLD_OVERWRITE);
  g_autoptr(GVariant) now = g_settings_get_user_value (self->settings, CW_SETTINGS_KEY_EXISTING);

  if (old == NULL)
    return;
  if (now == NULL && g_variant_get_boolean (old))
    cw_settings_set_existing (self, CW_EXISTING_CHOICE_REPLACE);
  g_settings_reset (self->settings, CW_SETTINGS_KEY_OLD_OVERWRITE);
}

static void
cw_settings_init (CwSettings *self)
{
  self->settings = g_settings_new (APP_ID);
  g_object_get (self->settings, "settings-schema", &self->schema, NULL);
  carry_over_overwrite (self);
  g_signal_connect_swapped (self->settings, "changed", G_CALLBACK (changed_cb), self);

  /* GSettings promises "changed" only for keys read since a handler was
   * connected; reading each once also checks every property is a key */
  for (guint i = PROP_0 + 1; i < N_PROPS; i++)
    {
      const char *key = g_param_spec_get_name (properties[i]);

      g_assert (g_settings_schema_has_key (self->schema, key));
      g_variant_unref (g_settings_get_value (self->settings, key));
    }
}
