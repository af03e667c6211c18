/* cw-main.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "cw-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CwApplication) app = NULL;
  const char *localedir = g_getenv ("CW_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* CW_LOCALEDIR lets an uninstalled build find its catalogues: build/po */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL && *localedir != '\0' ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  app = cw_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
