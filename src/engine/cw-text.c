/* cw-text.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "cw-text.h"

#include <string.h>
#include <sys/stat.h>

char *
cw_text_for_terminal (const char *text)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (text == NULL)
    return g_strdup ("(null)");
  valid = g_utf8_make_valid (text, -1);
  out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else if (c >= 0x80 && c < 0xa0)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

const char *
cw_text_file_kind (unsigned int st_mode)
{
  if (S_ISFIFO (st_mode))
    return "a named pipe, FIFO";
  if (S_ISCHR (st_mode))
    return "a character device";
  if (S_ISBLK (st_mode))
    return "a block device";
  if (S_ISSOCK (st_mode))
    return "a socket";
  if (S_ISDIR (st_mode))
    return "a folder";
  return "not a file";
}

char *
cw_text_duration (double seconds)
{
  gint64 s = (gint64) (MAX (seconds, 0.0) + 0.5);

  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600, (int) (s / 60 % 60), (int) (s % 60));
  return g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));
}

char *
cw_text_display_folder (const char *dir)
{
  g_autofree char *display = g_filename_display_name (dir);
  g_autofree char *home = g_filename_display_name (g_get_home_dir ());
  gsize n = strlen (home);

  if (n > 1 && strncmp (display, home, n) == 0 && (display[n] == '/' || display[n] == '\0'))
    return g_strconcat ("~", display + n, NULL);
  return g_steal_pointer (&display);
}
