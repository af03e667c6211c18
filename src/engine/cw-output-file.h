/* cw-output-file.h: an output written to a private temporary, verified,
 * then published under its name without replacing what was not planned
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <sndfile.h>

G_BEGIN_DECLS

/* What publishing may do to a file already at the output's name. */
typedef enum
{
  CW_REPLACE_NEVER,    /* fail with "output exists" */
  CW_REPLACE_IF_SAME,  /* succeed without touching it when it holds exactly
                        * these bytes (a retry, a resume), else fail */
  CW_REPLACE_ALWAYS,   /* replace it (the user asked; never an input) */
} CwReplace;

typedef struct _CwOutputFile CwOutputFile;

/* A temporary in @output_path's folder that nobody else can have opened:
 * an unnamed O_TMPFILE inode where the file system has them (nothing is
 * left behind even after SIGKILL), else ".NAME.PID.part" created with
 * O_CREAT | O_EXCL | O_NOFOLLOW (another name when that one is taken).
 * A link planted in the folder is never followed. */
CwOutputFile *cw_output_file_create        (const char     *output_path,
                                            GError        **error);
int           cw_output_file_get_fd        (CwOutputFile   *self);

/* Writes all of @data at the current position; FALSE with the reason. */
gboolean      cw_output_file_write         (CwOutputFile   *self,
                                            const void     *data,
                                            gsize           len,
                                            GError        **error);

/* libsndfile's view of the temporary (sf_open_virtual (io, mode, info,
 * self)): every write goes through it, so a write error the encoder does
 * not report (MP3 on a full disk) is still seen by
 * cw_output_file_check_written (). */
SF_VIRTUAL_IO *cw_output_file_sf_io        (void);

/* Sums what is written from now on (before the first write), for
 * cw_output_file_get_sum (). */
void          cw_output_file_start_sum     (CwOutputFile   *self);
/* After the last write (cw_output_file_check_written ()): the file's
 * checksum (cw-checksum.h), from the bytes written and a read back of
 * any block written twice (a header rewritten at the end); FALSE when
 * not summed or not readable. */
gboolean      cw_output_file_get_sum       (CwOutputFile   *self,
                                            guint64        *sum);

/* After the last write: FALSE with the first write error, or when the
 * file is shorter than what was written. */
gboolean      cw_output_file_check_written (CwOutputFile   *self,
                                            GError        **error);

/* Gives the temporary its name, as @replace allows. @input_path, when
 * given, is never replaced (compared by device and inode). */
gboolean      cw_output_file_publish       (CwOutputFile   *self,
                                            CwReplace       replace,
                                            const char     *input_path,
                                            GError        **error);

/* Closes it; an unpublished temporary is removed. */
void          cw_output_file_free          (CwOutputFile   *self);

/* The first name a named temporary of process @pid takes for
 * @output_path: what the pool removes after that worker died. */
char         *cw_output_part_path          (const char     *output_path,
                                            GPid            pid);

/* Removes what killed runs left for these outputs: the named temporaries
 * (".NAME.PID.part", ".NAME.PID-XXXXXXXX.part") of exactly these names,
 * reading each folder once. Returns how many were removed. */
guint         cw_output_remove_stale_parts (const char * const *output_paths,
                                            gsize               n_paths);

/* Makes the folders of @relative_dir ("Album A/CD 1") below @root, one
 * component at a time, never following a link: a link or a file in the
 * way fails, so outputs cannot be led out of the output folder. */
gboolean      cw_output_make_folders       (const char         *root,
                                            const char         *relative_dir,
                                            GError            **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwOutputFile, cw_output_file_free)

G_END_DECLS
