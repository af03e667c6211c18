/* cw-json.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-json.h"

#include <math.h>

/* "%.20f" of the largest double: 309 digits, the point and 20 more */
#define MAX_FIXED_LENGTH 400

void
cw_json_append_string (GString    *out,
                       const char *value)
{
  g_autofree char *valid = NULL;
  const char *run;

  if (value == NULL)
    {
      g_string_append (out, "null");
      return;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      valid = g_utf8_make_valid (value, -1);
      value = valid;
    }

  g_string_append_c (out, '"');
  /* bytes that need no escape go in as one run: a million result lines
   * are mostly plain file names */
  run = value;
  for (const char *p = value; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, p - run);
      run = p + 1;
      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, (char) c);
        }
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else
        g_string_append_printf (out, "\\u%04x", c);
    }
  g_string_append (out, run);
  g_string_append_c (out, '"');
}

void
cw_json_append_double (GString *out,
                       double   value,
                       int      decimals)
{
  char buf[MAX_FIXED_LENGTH];
  char format[8];

  if (!isfinite (value))
    {
      g_string_append (out, "null");
      return;
    }
  if (decimals < 0)
    {
      g_string_append (out, g_ascii_dtostr (buf, sizeof buf, value));
      return;
    }
  g_snprintf (format, sizeof format, "%%.%df", MIN (decimals, 20));
  g_string_append (out, g_ascii_formatd (buf, sizeof buf, format, value));
}

void
cw_json_append_int64 (GString *out,
                      gint64   value)
{
  g_string_append_printf (out, "%" G_GINT64_FORMAT, value);
}

void
cw_json_append_uint64 (GString *out,
                       guint64  value)
{
  g_string_append_printf (out, "%" G_GUINT64_FORMAT, value);
}
