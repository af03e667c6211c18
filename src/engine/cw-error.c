/* cw-error.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "cw-error.h"

#include <gio/gio.h>

G_DEFINE_QUARK (cw-error-quark, cw_error)

gboolean
cw_set_error_from_errno (GError     **error,
                         int          saved_errno,
                         const char  *what,
                         const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               "%s “%s”: %s", what, display, g_strerror (saved_errno));
  return FALSE;
}
