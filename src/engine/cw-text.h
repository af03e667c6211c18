/* cw-text.h: file names and messages made safe to show
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @text (a path, or a message with paths in it, in any encoding) as valid
 * UTF-8 for a terminal or a log line: bytes that are not UTF-8 become
 * U+FFFD, and control characters (C0, DEL, C1) are written as escapes
 * ("\n", "\t", "\r", "\x1b", "\u009b"), so a file name can neither break
 * a line nor send the terminal a command. */
char       *cw_text_for_terminal (const char *text);

/* What a file that is not a regular one is, for "not a regular file (…)":
 * "a named pipe, FIFO", "a character device", … */
const char *cw_text_file_kind    (unsigned int st_mode);

/* A length of time as a clock shows it: "5:03", "2:05:03". */
char       *cw_text_duration     (double      seconds);

/* A folder (a file name in any encoding) as a person reads it: valid
 * UTF-8, the home folder written "~" ("~/Music/Album A"). */
char       *cw_text_display_folder (const char *dir);

G_END_DECLS
