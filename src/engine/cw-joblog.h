/* cw-joblog.h: sharding a batch over machines, and the log that lets it resume
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* ---- shards ---------------------------------------------------------- */

/* "I/N" with 0 <= I < N <= CW_SHARD_MAX. */
#define CW_SHARD_MAX 1000000

gboolean  cw_shard_parse            (const char  *text,
                                     guint       *index,
                                     guint       *count,
                                     GError     **error);

/* Sorts input paths the way a recursive walk in name order lists them:
 * bytewise, component by component ("a/x.wav" before "a-1/x.wav" before
 * "a.wav"), so the order does not depend on the arguments' order, the
 * locale or the machine, and one folder's walk is already sorted. */
void      cw_shard_sort_inputs      (GPtrArray   *paths);

/* Keeps the elements k with k mod @count == @index (round robin), in
 * order; passes the others to @free_func. */
void      cw_shard_select           (GPtrArray      *items,
                                     guint           index,
                                     guint           count,
                                     GDestroyNotify  free_func);

/* ---- checksums ------------------------------------------------------- */

/* XXH64 (seed 0) of a whole file as "xxh64:<16 hex digits>". */
char     *cw_checksum_file          (const char  *path,
                                     GError     **error);
/* XXH64 of a buffer, for the tests' known vectors. */
guint64   cw_xxh64                  (const void  *data,
                                     gsize        len,
                                     guint64      seed);

/* ---- the job log ----------------------------------------------------- */

/* One line per finished file, tab separated:
 *   input  output  status  seconds  checksum  error
 * Fields are percent-encoded (%, control bytes, bytes that are not UTF-8,
 * so tabs and newlines in names never break a line); "-" is an empty field.
 * Lines starting with '#' are comments (the header). */
typedef struct _CwJoblog CwJoblog;

typedef struct
{
  char *input;      /* decoded: the bytes of the path as given */
  char *output;
  char *checksum;
} CwJoblogEntry;

CwJoblog *cw_joblog_open            (const char  *path,
                                     GError     **error);
/* Appends one line with a single write() on an O_APPEND descriptor,
 * holding an fcntl() lock on the file (so concurrent runs, on this machine
 * or on NFS, never interleave or lose lines). No fsync: a lost line only
 * means the file is redone, and a resume checks outputs by checksum. */
gboolean  cw_joblog_append          (CwJoblog    *log,
                                     const char  *input,
                                     const char  *output,
                                     const char  *status,
                                     double       seconds,
                                     const char  *checksum,
                                     const char  *error_message,
                                     GError     **error);
void      cw_joblog_close           (CwJoblog    *log);

/* Reads a log: output basename -> CwJoblogEntry of the last "ok" line for
 * it. A missing file is an empty log. Malformed lines are ignored. */
GHashTable *cw_joblog_load_done     (const char  *path,
                                     GError     **error);

/* TRUE when @output exists and @done (from cw_joblog_load_done ()) has an
 * "ok" line for it from @input whose checksum matches the file now. */
gboolean  cw_joblog_is_done         (GHashTable  *done,
                                     const char  *input,
                                     const char  *output);

char     *cw_joblog_escape          (const char  *field);
char     *cw_joblog_unescape        (const char  *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwJoblog, cw_joblog_close)

G_END_DECLS
