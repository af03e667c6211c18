/* cw-cli.h
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

int cw_cli_run (int    argc,
                char **argv);
