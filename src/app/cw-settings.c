/* cw-settings.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cw-settings.h"

#include <glib/gi18n.h>

#include "cw-cpus.h"
#include "cw-error.h"
#include "cw-spec.h"

struct _CwSettings
{
  GObject    parent_instance;
  GSettings *settings;
};

G_DEFINE_FINAL_TYPE (CwSettings, cw_settings, G_TYPE_OBJECT)

guint
cw_online_cpus (void)
{
  return cw_cpus_usable ();
}

CwSettings *
cw_settings_new (void)
{
  return g_object_new (CW_TYPE_SETTINGS, NULL);
}

GSettings *
cw_settings_get_gsettings (CwSettings *self)
{
  g_return_val_if_fail (CW_IS_SETTINGS (self), NULL);
  return self->settings;
}

static void
append_stage (GString    *spec,
              const char *stage)
{
  if (spec->len > 0)
    g_string_append_c (spec, ',');
  g_string_append (spec, stage);
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
  GSettings *s = self->settings;
  g_autoptr(GString) spec = g_string_new (NULL);

  if (g_settings_get_boolean (s, "mono"))
    append_stage (spec, "mono");
  if (g_settings_get_boolean (s, "gain-enabled"))
    {
      g_autofree char *db = format_number (g_settings_get_double (s, "gain-db"));
      g_autofree char *stage = g_strdup_printf ("gain:db=%s", db);

      append_stage (spec, stage);
    }
  if (g_settings_get_boolean (s, "normalize-enabled"))
    {
      g_autofree char *peak = format_number (g_settings_get_double (s, "normalize-peak"));
      g_autofree char *stage = g_strdup_printf ("normalize:peak=%s", peak);

      append_stage (spec, stage);
    }
  if (g_settings_get_boolean (s, "noise-enabled"))
    {
      g_autofree char *sigma = format_number (g_settings_get_double (s, "noise-sigma"));
      g_autofree char *stage = g_strdup_printf ("noise:sigma=%s", sigma);

      append_stage (spec, stage);
    }
  if (g_settings_get_boolean (s, "fade-enabled"))
    {
      g_autofree char *in = format_number (g_settings_get_double (s, "fade-in-ms"));
      g_autofree char *out = format_number (g_settings_get_double (s, "fade-out-ms"));
      g_autofree char *stage = g_strdup_printf ("fade:in=%s:out=%s", in, out);

      append_stage (spec, stage);
    }
  if (spec->len == 0)
    g_string_append (spec, "copy");
  return g_string_free (g_steal_pointer (&spec), FALSE);
}

gboolean
cw_settings_apply_spec (CwSettings  *self,
                        const char  *spec,
                        GError     **error)
{
  GSettings *s = self->settings;
  g_autoptr(CwChain) chain = cw_chain_parse (spec, error);
  gboolean seen[CW_STAGE_MONO + 1] = { FALSE };

  if (chain == NULL)
    return FALSE;

  for (guint i = 0; i < cw_chain_get_n_stages (chain); i++)
    {
      const CwStage *stage = cw_chain_get_stage (chain, i);

      if (stage->kind != CW_STAGE_COPY && seen[stage->kind])
        {
          g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                       _("The window runs each stage once; “%s” has one twice"), spec);
          return FALSE;
        }
      seen[stage->kind] = TRUE;
    }

  g_settings_set_boolean (s, "mono", seen[CW_STAGE_MONO]);
  g_settings_set_boolean (s, "gain-enabled", seen[CW_STAGE_GAIN]);
  g_settings_set_boolean (s, "normalize-enabled", seen[CW_STAGE_NORMALIZE]);
  g_settings_set_boolean (s, "noise-enabled", seen[CW_STAGE_NOISE]);
  g_settings_set_boolean (s, "fade-enabled", seen[CW_STAGE_FADE]);
  for (guint i = 0; i < cw_chain_get_n_stages (chain); i++)
    {
      const CwStage *stage = cw_chain_get_stage (chain, i);

      switch (stage->kind)
        {
        case CW_STAGE_GAIN:
          g_settings_set_double (s, "gain-db", stage->a);
          break;
        case CW_STAGE_NORMALIZE:
          g_settings_set_double (s, "normalize-peak", stage->a);
          break;
        case CW_STAGE_NOISE:
          g_settings_set_double (s, "noise-sigma", stage->a);
          break;
        case CW_STAGE_FADE:
          g_settings_set_double (s, "fade-in-ms", stage->a);
          g_settings_set_double (s, "fade-out-ms", stage->b);
          break;
        case CW_STAGE_COPY:
        case CW_STAGE_MONO:
        default:
          break;
        }
    }
  return TRUE;
}

char *
cw_settings_dup_output_dir (CwSettings *self)
{
  g_autofree char *dir = g_settings_get_string (self->settings, "output-dir");
  const char *music;

  if (dir != NULL && dir[0] != '\0')
    return g_steal_pointer (&dir);
  music = g_get_user_special_dir (G_USER_DIRECTORY_MUSIC);
  if (music == NULL)
    return g_build_filename (g_get_home_dir (), "Music", "Corewave", NULL);
  return g_build_filename (music, "Corewave", NULL);
}

guint
cw_settings_get_workers (CwSettings *self)
{
  int n = g_settings_get_int (self->settings, "workers");

  return n > 0 ? (guint) n : cw_online_cpus ();
}

guint
cw_settings_get_chunk_size (CwSettings *self)
{
  return (guint) MAX (0, g_settings_get_int (self->settings, "chunk-size"));
}

CwOrder
cw_settings_get_order (CwSettings *self)
{
  CwOrder order = CW_ORDER_UNORDERED;
  g_autofree char *nick = g_settings_get_string (self->settings, "order");

  cw_order_from_string (nick, &order);
  return order;
}

CwMode
cw_settings_get_mode (CwSettings *self)
{
  CwMode mode = CW_MODE_PROCESSES;
  g_autofree char *nick = g_settings_get_string (self->settings, "mode");

  cw_mode_from_string (nick, &mode);
  return mode;
}

CwFormat
cw_settings_get_format (CwSettings *self)
{
  CwFormat format = CW_FORMAT_SAME;
  g_autofree char *nick = g_settings_get_string (self->settings, "format");

  cw_format_from_string (nick, &format);
  return format;
}

gboolean
cw_settings_get_overwrite (CwSettings *self)
{
  return g_settings_get_boolean (self->settings, "overwrite");
}

guint64
cw_settings_get_seed (CwSettings *self)
{
  return g_settings_get_uint64 (self->settings, "seed");
}

void
cw_settings_keep_for_this_run (CwSettings *self)
{
  g_settings_delay (self->settings);
}

static void
cw_settings_finalize (GObject *object)
{
  CwSettings *self = CW_SETTINGS (object);

  g_clear_object (&self->settings);
  G_OBJECT_CLASS (cw_settings_parent_class)->finalize (object);
}

static void
cw_settings_class_init (CwSettingsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = cw_settings_finalize;
}

static void
cw_settings_init (CwSettings *self)
{
  self->settings = g_settings_new (APP_ID);
}
