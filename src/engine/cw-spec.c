/* cw-spec.c: parse and print transform chains
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave-audio"

#include <math.h>
#include <string.h>

#include "cw-error.h"
#include "cw-spec.h"

struct _CwChain
{
  GArray *stages;  /* of CwStage */
};

typedef struct
{
  const char *name;
  double      def;
  double      min;
  double      max;
} KeyInfo;

typedef struct
{
  CwStageKind kind;
  const char *name;
  KeyInfo     keys[2];  /* a, b; name NULL when unused */
} StageInfo;

/* Limits keep arithmetic sane: 10 is far beyond audible full-scale noise,
 * ±1000 dB is zero or infinite for every format, a fade of a day is enough. */
static const StageInfo stage_infos[] = {
  { CW_STAGE_NOISE, "noise", { { "sigma", 0.1, 0.0, 10.0 }, { NULL } } },
  { CW_STAGE_GAIN, "gain", { { "db", 0.0, -1000.0, 1000.0 }, { NULL } } },
  { CW_STAGE_NORMALIZE, "normalize", { { "peak", -1.0, -1000.0, 0.0 }, { NULL } } },
  { CW_STAGE_FADE, "fade", { { "in", 0.0, 0.0, 86400000.0 }, { "out", 0.0, 0.0, 86400000.0 } } },
  { CW_STAGE_MONO, "mono", { { NULL }, { NULL } } },
  { CW_STAGE_RESAMPLE, "resample", { { "rate", 48000.0, 1000.0, 768000.0 }, { NULL } } },
  /* EBU R128: -70 LUFS is the measure's floor; a true-peak ceiling above 0
   * dBTP would let the gain clip */
  { CW_STAGE_LOUDNESS, "loudness", { { "lufs", -23.0, -70.0, 0.0 }, { "tp", -1.0, -30.0, 0.0 } } },
  { CW_STAGE_COPY, "copy", { { NULL }, { NULL } } },
};

static const StageInfo *
stage_info_for_kind (CwStageKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (stage_infos); i++)
    if (stage_infos[i].kind == kind)
      return &stage_infos[i];
  g_return_val_if_reached (NULL);
}

static char *
list_stage_names (void)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (stage_infos); i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", stage_infos[i].name);
  return g_string_free (s, FALSE);
}

static char *
list_key_names (const StageInfo *info)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (info->keys) && info->keys[i].name; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", info->keys[i].name);
  if (s->len == 0)
    g_string_append (s, "none");
  return g_string_free (s, FALSE);
}

static gboolean
parse_stage (const char  *text,
             CwStage     *stage,
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", -1);
  const StageInfo *info = NULL;
  gboolean seen[2] = { FALSE, FALSE };
  double values[2];

  for (guint i = 0; i < G_N_ELEMENTS (stage_infos); i++)
    if (g_str_equal (parts[0], stage_infos[i].name))
      info = &stage_infos[i];

  if (info == NULL)
    {
      g_autofree char *names = list_stage_names ();

      g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                   "unknown stage “%s” (stages are: %s)", parts[0], names);
      return FALSE;
    }

  for (guint k = 0; k < 2; k++)
    values[k] = info->keys[k].name ? info->keys[k].def : 0.0;

  for (guint p = 1; parts[p] != NULL; p++)
    {
      const char *eq = strchr (parts[p], '=');
      g_autofree char *key = eq ? g_strndup (parts[p], eq - parts[p]) : g_strdup (parts[p]);
      const char *value = eq ? eq + 1 : NULL;
      int k = -1;
      char *end = NULL;
      double v;

      for (guint i = 0; i < 2; i++)
        if (info->keys[i].name && g_str_equal (key, info->keys[i].name))
          k = i;

      if (k < 0)
        {
          g_autofree char *keys = list_key_names (info);

          g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                       "unknown key “%s” in stage “%s” (keys: %s)", key, info->name, keys);
          return FALSE;
        }
      if (seen[k])
        {
          g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                       "key “%s” given twice in stage “%s”", key, info->name);
          return FALSE;
        }
      seen[k] = TRUE;

      if (value == NULL || *value == '\0')
        {
          g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                       "missing value in “%s” (write %s=NUMBER)", parts[p], key);
          return FALSE;
        }

      v = g_ascii_strtod (value, &end);
      if (end == value || *end != '\0' || g_ascii_isspace (*value))
        {
          g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                       "bad number in “%s”", parts[p]);
          return FALSE;
        }
      if (!isfinite (v) || v < info->keys[k].min || v > info->keys[k].max)
        {
          g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                       "“%s” is out of range: %s must be between %g and %g",
                       parts[p], key, info->keys[k].min, info->keys[k].max);
          return FALSE;
        }
      values[k] = v;
    }

  if (info->kind == CW_STAGE_RESAMPLE && values[0] != floor (values[0]))
    {
      g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                   "“%s”: a sample rate is a whole number of hertz", text);
      return FALSE;
    }
  stage->kind = info->kind;
  stage->a = values[0];
  stage->b = values[1];
  return TRUE;
}

/* The shortest "%.Ng" text that reads back as the same double. */
static void
append_number (GString *s,
               double   v)
{
  static const char *formats[] = { "%.6g", "%.15g", "%.16g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  g_string_append (s, buf);
}

CwChain *
cw_chain_parse (const char  *spec,
                GError     **error)
{
  g_autoptr(CwChain) chain = g_new0 (CwChain, 1);
  g_auto(GStrv) items = NULL;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  chain->stages = g_array_new (FALSE, FALSE, sizeof (CwStage));

  if (*spec == '\0')
    return g_steal_pointer (&chain);

  items = g_strsplit (spec, ",", -1);
  for (guint i = 0; items[i] != NULL; i++)
    {
      CwStage stage;
      char *item = g_strstrip (items[i]);

      if (*item == '\0')
        {
          g_set_error (error, CW_ERROR, CW_ERROR_SPEC,
                       "empty stage at position %u in “%s”", i + 1, spec);
          return NULL;
        }
      if (!parse_stage (item, &stage, error))
        return NULL;
      g_array_append_val (chain->stages, stage);
    }

  return g_steal_pointer (&chain);
}

CwChain *
cw_chain_copy (const CwChain *chain)
{
  CwChain *copy;

  g_return_val_if_fail (chain != NULL, NULL);

  copy = g_new0 (CwChain, 1);
  copy->stages = g_array_copy (chain->stages);
  return copy;
}

void
cw_chain_free (CwChain *chain)
{
  if (chain == NULL)
    return;
  g_clear_pointer (&chain->stages, g_array_unref);
  g_free (chain);
}

char *
cw_chain_to_string (const CwChain *chain)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (chain != NULL, NULL);

  for (guint i = 0; i < chain->stages->len; i++)
    {
      const CwStage *stage = &g_array_index (chain->stages, CwStage, i);
      const StageInfo *info = stage_info_for_kind (stage->kind);
      const double values[2] = { stage->a, stage->b };

      if (i > 0)
        g_string_append_c (s, ',');
      g_string_append (s, info->name);
      for (guint k = 0; k < 2 && info->keys[k].name; k++)
        {
          g_string_append_printf (s, ":%s=", info->keys[k].name);
          append_number (s, values[k]);
        }
    }
  return g_string_free (s, FALSE);
}

guint
cw_chain_get_n_stages (const CwChain *chain)
{
  g_return_val_if_fail (chain != NULL, 0);

  return chain->stages->len;
}

const CwStage *
cw_chain_get_stage (const CwChain *chain,
                    guint          i)
{
  g_return_val_if_fail (chain != NULL, NULL);
  g_return_val_if_fail (i < chain->stages->len, NULL);

  return &g_array_index (chain->stages, CwStage, i);
}

gboolean
cw_chain_is_identity (const CwChain *chain)
{
  g_return_val_if_fail (chain != NULL, FALSE);

  for (guint i = 0; i < chain->stages->len; i++)
    if (g_array_index (chain->stages, CwStage, i).kind != CW_STAGE_COPY)
      return FALSE;
  return TRUE;
}
