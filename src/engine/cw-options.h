/* cw-options.h: checking what a person asked for, one set of messages
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CLI's options, the app's command line and its settings all go
 * through these, so a bad value is refused the same way everywhere.
 * Errors are CW_ERROR_USAGE, translated, naming the option as both
 * command lines spell it ("--workers must be between 1 and 256").
 */

#pragma once

#include <glib.h>

#include "cw-audio.h"
#include "cw-pool.h"

G_BEGIN_DECLS

gboolean cw_options_parse_workers      (gint64       value,
                                        guint       *n_workers,
                                        GError     **error);
/* "auto" (0) or 1..CW_POOL_MAX_CHUNK_SIZE */
gboolean cw_options_parse_chunk_size   (const char  *text,
                                        guint       *chunk_size,
                                        GError     **error);
gboolean cw_options_parse_order        (const char  *text,
                                        CwOrder     *order,
                                        GError     **error);
gboolean cw_options_parse_mode         (const char  *text,
                                        CwMode      *mode,
                                        GError     **error);
gboolean cw_options_parse_format       (const char  *text,
                                        CwFormat    *format,
                                        GError     **error);
gboolean cw_options_parse_bits         (const char  *text,
                                        CwBits      *bits,
                                        GError     **error);
/* 0 (smallest) to 1 (best); "0,7" is read as 0.7 */
gboolean cw_options_parse_quality      (const char  *text,
                                        double      *quality,
                                        GError     **error);
/* --bits and --quality only where the format has them: no bits for Vorbis,
 * Opus or MP3, no float in FLAC, no quality for WAV or FLAC. "same" (the
 * input's format) takes both: each applies where it can. */
gboolean cw_options_check_encoding     (CwFormat     format,
                                        CwBits       bits,
                                        gboolean     has_quality,
                                        GError     **error);
gboolean cw_options_parse_seed         (const char  *text,
                                        guint64     *seed,
                                        GError     **error);
/* The canonical form of a transform chain, or NULL with the reason. */
char    *cw_options_parse_transform    (const char  *text,
                                        GError     **error);
/* 0 is "off"; else 0.001 s to a week, to whole milliseconds. */
gboolean cw_options_parse_task_timeout (double       seconds,
                                        guint       *ms,
                                        GError     **error);
/* The worker commands of a batch spread over hosts: each --worker-command
 * as given (checked: shell syntax), then each line of a GNU parallel
 * --sshloginfile ("[N/]login", "[N/]sshcommand … login" or ":" for this
 * machine; # comments) as N commands running @worker_path there:
 * `ssh -T -o BatchMode=yes login WORKER` (never a password prompt). The result is one command per worker slot, in
 * the order the slots take them; NULL with neither. */
char   **cw_options_worker_commands    (const char * const *commands,
                                        const char  *sshloginfile,
                                        const char  *worker_path,
                                        GError     **error);

G_END_DECLS
