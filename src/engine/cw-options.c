/* cw-options.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-options.h"

#include <math.h>
#include <string.h>

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
  if (bits != CW_BITS_SAME && !cw_format_has_bits (format))
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
  if (has_quality && !cw_format_has_quality (format))
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

/* One line of a GNU parallel --sshloginfile, N commands. */
static gboolean
add_sshlogin (GPtrArray   *out,
              const char  *line,
              const char  *worker_path,
              guint        line_number,
              const char  *file,
              GError     **error)
{
  g_autofree char *command = NULL;
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) local = NULL;
  const char *login = line;
  guint64 n = 1;

  if (g_ascii_isdigit (*line))
    {
      const char *slash = strchr (line, '/');
      g_autofree char *count = slash != NULL ? g_strndup (line, slash - line) : NULL;

      if (count != NULL && g_ascii_string_to_unsigned (count, 10, 1, CW_POOL_MAX_WORKERS, &n, NULL))
        login = slash + 1;
      else if (count != NULL && strspn (count, "0123456789") == strlen (count))
        {
          g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                       _("%s:%u: a host runs 1 to %d workers, not %s"), file, line_number,
                       CW_POOL_MAX_WORKERS, count);
          return FALSE;
        }
    }
  login += strspn (login, " \t");
  if (*login == '\0')
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE, _("%s:%u: no host after “%s”"),
                   file, line_number, line);
      return FALSE;
    }
  /* the line as written must be shell words of its own */
  if (!g_shell_parse_argv (login, NULL, &argv, &local))
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE, _("%s:%u: %s"), file, line_number, local->message);
      return FALSE;
    }
  if (strcmp (login, ":") == 0)
    command = g_shell_quote (worker_path);   /* this machine, as GNU parallel's ":" */
  else
    {
      /* the remote shell reads the command again: quoted twice */
      g_autofree char *once = g_shell_quote (worker_path);
      g_autofree char *twice = g_shell_quote (once);

      if (strpbrk (login, " \t") != NULL)
        command = g_strdup_printf ("%s %s", login, twice);   /* "ssh -p 2222 host" */
      else
        {
          g_autofree char *host = g_shell_quote (login);

          command = g_strdup_printf ("ssh -T -o BatchMode=yes %s %s", host, twice);
        }
    }
  for (guint64 i = 0; i < n; i++)
    g_ptr_array_add (out, g_strdup (command));
  return TRUE;
}

char **
cw_options_worker_commands (const char * const *commands,
                            const char         *sshloginfile,
                            const char         *worker_path,
                            GError            **error)
{
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; commands != NULL && commands[i] != NULL; i++)
    {
      g_auto(GStrv) argv = NULL;
      g_autoptr(GError) local = NULL;

      if (!g_shell_parse_argv (commands[i], NULL, &argv, &local))
        {
          g_set_error (error, CW_ERROR, CW_ERROR_USAGE, _("--worker-command “%s”: %s"),
                       commands[i], local->message);
          return NULL;
        }
      g_ptr_array_add (out, g_strdup (commands[i]));
    }
  if (sshloginfile != NULL)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;
      g_autoptr(GError) local = NULL;
      guint before = out->len;

      if (!g_file_get_contents (sshloginfile, &contents, NULL, &local))
        {
          g_set_error (error, CW_ERROR, CW_ERROR_USAGE, _("--sshloginfile: %s"), local->message);
          return NULL;
        }
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          char *line = g_strstrip (lines[i]);

          if (*line == '\0' || *line == '#')
            continue;
          if (!add_sshlogin (out, line, worker_path, i + 1, sshloginfile, error))
            return NULL;
        }
      if (out->len == before)
        {
          g_set_error (error, CW_ERROR, CW_ERROR_USAGE, _("%s names no host"), sshloginfile);
          return NULL;
        }
    }
  if (out->len == 0)
    return NULL;
  if (out->len > CW_POOL_MAX_WORKERS)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   _("%u worker commands: at most %d workers run at once"), out->len, CW_POOL_MAX_WORKERS);
      return NULL;
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
