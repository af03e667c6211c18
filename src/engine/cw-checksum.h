/* cw-checksum.h: what the job log says an output was
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* An output's checksum in the job log: "xxh64t:" and 16 hex digits, the
 * XXH64 (seed 0) of the XXH64 (seed 0) of each 64 KiB block of the file
 * (the last may be shorter; an empty file has none), each as 8
 * little-endian bytes, followed by the file's length as 8 little-endian
 * bytes. Older logs have "xxh64:", the XXH64 of the whole file;
 * cw_checksum_file_matches () still reads those. */
#define CW_CHECKSUM_PREFIX "xxh64t:"

char     *cw_checksum_file          (const char  *path,
                                     GError     **error);
char     *cw_checksum_format        (guint64      sum);
/* TRUE when @path's bytes have @checksum (either form) */
gboolean  cw_checksum_file_matches  (const char  *path,
                                     const char  *checksum);
/* TRUE for a checksum of either form */
gboolean  cw_checksum_is_known      (const char  *checksum);

/* XXH64 of a buffer, for the tests' known vectors. */
guint64   cw_xxh64                  (const void  *data,
                                     gsize        len,
                                     guint64      seed);

/* The tree, summed as a file is written (cw-output-file.c): writes in any
 * order, at any offset; a block written once from its start to its end
 * is summed from the bytes given, any other is read back from @fd by
 * cw_sum_finish () (with @fd -1 nothing can be read back, and *ok is
 * FALSE if something had to be). @length is the file's length. */
typedef struct _CwSum CwSum;

CwSum    *cw_sum_new                (void);
void      cw_sum_update             (CwSum       *self,
                                     guint64      offset,
                                     const void  *data,
                                     gsize        len);
guint64   cw_sum_finish             (CwSum       *self,
                                     int          fd,
                                     guint64      length,
                                     gboolean    *ok);
void      cw_sum_free               (CwSum       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwSum, cw_sum_free)

G_END_DECLS
