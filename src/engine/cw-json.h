/* cw-json.h: JSON values written by hand, appended to a GString
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CLI and the lab print a handful of flat objects: a library would be
 * more than they need, but every writer must agree on what a string and a
 * number look like, so they all come here.
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @value as a JSON string. JSON is UTF-8: bytes that are not (a file name
 * in another encoding) become U+FFFD. Quotes and backslashes are escaped,
 * and so are control characters ("\n", "\t", "\r", else "\u001b"). NULL
 * writes null. */
void cw_json_append_string (GString    *out,
                            const char *value);

/* @value with @decimals digits after the point (0 to 20, as "%.*f"), or,
 * with @decimals < 0, with as many as it takes to read back the same
 * double. A point, never a comma, whatever the locale. JSON has no NaN or
 * infinity: those write null. */
void cw_json_append_double (GString    *out,
                            double      value,
                            int         decimals);

void cw_json_append_int64  (GString    *out,
                            gint64      value);
void cw_json_append_uint64 (GString    *out,
                            guint64     value);

G_END_DECLS
