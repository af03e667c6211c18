/* cw-options.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-options.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "cw-error.h"
#include "cw-spec.h"

#define MAX_TASK_TIMEOUT_S (7 * 24 * 3600.0)

gboolean
cw_options_parse_workers (gint64   value,
                          guint   *n_workers,
                          GError **error)
{
  if (value < 1 || value > CW_POOL_MAX_WORKERS)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   _("--workers must be between 1 and %d"), CW_POOL_MAX_WORKERS);
      return FALSE;
    }
  *n_workers = (guint) value;
  return TRUE;
}

gboolean
cw_options_parse_chunk_size (const char  *text,
                             guint       *chunk_size,
                             GError     **error)
{
  guint64 k;

  if (g_strcmp0 (text, "auto") == 0)
    {
      *chunk_size = 0;
      return TRUE;
    }
  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 1, CW_POOL_MAX_CHUNK_SIZE, &k, NULL))
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   _("--chunk-size must be auto or a number from 1 to %d"), CW_POOL_MAX_CHUNK_SIZE);
      return FALSE;
    }
  *chunk_size = (guint) k;
  return TRUE;
}

gboolean
cw_options_parse_order (const char  *text,
                        CwOrder     *order,
                        GError     **error)
{
  if (text != NULL && cw_order_from_string (text, order))
    return TRUE;
  g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
               _("--order must be ordered, unordered or all, not “%s”"), text ? text : "");
  return FALSE;
}

gboolean
cw_options_parse_mode (const char  *text,
                       CwMode      *mode,
                       GError     **error)
{
  if (text != NULL && cw_mode_from_string (text, mode))
    return TRUE;
  g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
               _("--mode must be processes, threads or sequential, not “%s”"), text ? text : "");
  return FALSE;
}

gboolean
cw_options_parse_format (const char  *text,
                         CwFormat    *format,
                         GError     **error)
{
  if (text != NULL && cw_format_from_string (text, format))
    return TRUE;
  g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
               _("--format must be same, wav, flac, ogg, opus or mp3, not “%s”"), text ? text : "");
  return FALSE;
}

gboolean
cw_options_parse_bits (const char  *text,
                       CwBits      *bits,
                       GError     **error)
{
  if (text != NULL && cw_bits_from_string (text, bits))
    return TRUE;
  g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
               _("--bits must be 16, 24 or 32f (32-bit float), not “%s”"), text ? text : "");
  return FALSE;
}

gboolean
cw_options_parse_quality (const char  *text,
                          double      *quality,
                          GError     **error)
{
  g_autofree char *dotted = g_strdup (text != NULL ? text : "");
  char *end = NULL;
  double q;

  g_strdelimit (dotted, ",", '.');
  q = g_ascii_strtod (dotted, &end);
  if (dotted[0] != '\0' && end != NULL && *end == '\0' && q >= 0.0 && q <= 1.0)
    {
      *quality = q;
      return TRUE;
    }
  g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
               _("--quality must be a number from 0 (smallest file) to 1 (best sound), such as 0.7, not “%s”"),
               text ? text : "");
  return FALSE;
}

gboolean
cw_options_check_encoding (CwFormat   format,
                           CwBits     bits,
                           gboolean   has_quality,
                           GError   **error)
{
  gboolean lossy = format == CW_FORMAT_OGG || format == CW_FORMAT_OPUS || format == CW_FORMAT_MP3;

  if (bits != CW_BITS_SAME && lossy)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   _("--bits sets the sample format of WAV and FLAC outputs; %s has none (use --quality)"),
                   cw_format_to_string (format));
      return FALSE;
    }
  if (bits == CW_BITS_32F && format == CW_FORMAT_FLAC)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                           _("FLAC holds 16 or 24 bits, not 32-bit float: use --bits 16 or 24, or --format wav"));
      return FALSE;
    }
  if (has_quality && (format == CW_FORMAT_WAV || format == CW_FORMAT_FLAC))
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   _("--quality sets the size of Ogg Vorbis, Opus and MP3 outputs; %s is lossless (use --bits)"),
                   cw_format_to_string (format));
      return FALSE;
    }
  return TRUE;
}

gboolean
cw_options_parse_seed (const char  *text,
                       guint64     *seed,
                       GError     **error)
{
  if (text != NULL && g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, seed, NULL))
    return TRUE;
  g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
               _("--seed must be a whole number, not “%s”"), text ? text : "");
  return FALSE;
}

char *
cw_options_parse_transform (const char  *text,
                            GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(CwChain) chain = cw_chain_parse (text != NULL ? text : "", &local_error);

  if (chain == NULL)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "--transform: %s", local_error->message);
      return NULL;
    }
  return cw_chain_to_string (chain);
}

gboolean
cw_options_parse_task_timeout (double    seconds,
                               guint    *ms,
                               GError  **error)
{
  if (seconds == 0.0)
    {
      *ms = 0;
      return TRUE;
    }
  if (!(seconds >= 0.001 && seconds <= MAX_TASK_TIMEOUT_S))
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   _("--task-timeout must be 0 (off) or from 0.001 to %.0f seconds"), MAX_TASK_TIMEOUT_S);
      return FALSE;
    }
  *ms = (guint) rint (seconds * 1000.0);
  return TRUE;
}
