/* cw-cli-main.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave-cli"

#include "config.h"

#include <locale.h>
#include <string.h>

#include "cw-cli.h"
#include "cw-cli-lab.h"

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  if (argc > 1 && strcmp (argv[1], "lab") == 0)
    return cw_cli_lab_run (argc - 1, argv + 1);
  return cw_cli_run (argc, argv);
}
