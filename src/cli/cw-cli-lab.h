/* cw-cli-lab.h: "corewave-cli lab NAME", the lab's experiments without a window
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

/* @argv[0] is "lab". Exit status as the CLI's: 0 ok, 1 failed, 2 usage. */
int cw_cli_lab_run (int    argc,
                    char **argv);
