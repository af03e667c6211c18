/* cw-error.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cw-error.h"

G_DEFINE_QUARK (cw-error-quark, cw_error)
