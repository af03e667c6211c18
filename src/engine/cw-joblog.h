/* cw-joblog.h: sharding a batch over machines, and the log that lets it resume
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-checksum.h"
#include "cw-inputs.h"
#include "cw-task.h"

G_BEGIN_DECLS

/* ---- shards ---------------------------------------------------------- */

/* "I/N" with 0 <= I < N <= CW_SHARD_MAX; "slurm": from a Slurm job
 * array's SLURM_ARRAY_TASK_ID, _MIN, _STEP and _COUNT (an error outside
 * an array); "auto": Slurm's, else "auto/N" under GNU parallel: job
 * PARALLEL_SEQ (from 1) of N. */
#define CW_SHARD_MAX 1000000

gboolean  cw_shard_parse            (const char  *text,
                                     guint       *index,
                                     guint       *count,
                                     GError     **error);

/* Sorts inputs (CwInputFile*) by path the way a recursive walk in name
 * order lists them:
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

/* ---- the job log ----------------------------------------------------- */

/* One line per finished file, tab separated:
 *   input  output  status  seconds  checksum  error  version  format  seed  transform
 * (the settings the output was made with, and the program's version:
 * outputs are byte-identical only for the same four). Fields are
 * percent-encoded (%, control bytes, bytes that are not UTF-8, so tabs and
 * newlines in names never break a line); "-" is an empty field. Lines
 * starting with '#' are comments (the header). Logs of version 1 (six
 * fields) still read; their settings are unknown. */
typedef struct _CwJoblog CwJoblog;

typedef struct
{
  char *input;      /* decoded: the bytes of the path as given */
  char *output;
  char *checksum;
  char *version;    /* NULL when the line does not say (version 1 logs) */
  char *format;
  char *seed;
  char *spec;
} CwJoblogEntry;

/* The file a run appends to: @joblog itself, or in a folder of logs
 * ("DIR/" or an existing folder) one per shard, DIR/shard-I.log (all.log
 * without shards), so runs on hosts that share no working lock never
 * write one file. */
char     *cw_joblog_file_for        (const char  *joblog,
                                     guint        shard_index,
                                     guint        shard_count);

CwJoblog *cw_joblog_open            (const char  *path,
                                     GError     **error);
/* Appends one line with a single write() on an O_APPEND descriptor,
 * holding an fcntl() lock on the file (so concurrent runs, on this machine
 * or on NFS, never interleave or lose lines). No fsync: a lost line only
 * means the file is redone, and a resume checks outputs by checksum.
 * @settings: what the output was made with (NULL: not said). */
gboolean  cw_joblog_append          (CwJoblog            *log,
                                     const char          *input,
                                     const char          *output,
                                     const char          *status,
                                     double               seconds,
                                     const char          *checksum,
                                     const char          *error_message,
                                     const CwJobSettings *settings,
                                     GError             **error);
void      cw_joblog_close           (CwJoblog    *log);

/* Reads a log's "ok" lines, for cw_joblog_lookup (). A missing file is an
 * empty log. Malformed lines are ignored. @path may be a folder of logs
 * (a name ending in "/", or an existing folder): its *.log files are read
 * in name order. */
GHashTable *cw_joblog_load_done     (const char  *path,
                                     GError     **error);

/* The last "ok" line for @file's output: its path as planned, or a path
 * ending in the same name below the output folder (its seed key: a run
 * with -o spelt another way, or a shard on another host's mount). */
const CwJoblogEntry *cw_joblog_lookup (GHashTable          *done,
                                       const CwPlannedFile *file);

/* TRUE when @file's output exists and @done (from cw_joblog_load_done ())
 * has an "ok" line for it from its input, made with @settings by this
 * version, whose checksum matches the file now. */
gboolean  cw_joblog_is_done         (GHashTable          *done,
                                     const CwPlannedFile *file,
                                     const CwJobSettings *settings);

/* Why @file is not done as cw_joblog_is_done () means it ("no output",
 * "not in the job log", "changed since it was logged", "made with other
 * settings", …), or NULL when it is (`--check`). */
const char *cw_joblog_why_not_done  (GHashTable          *done,
                                     const CwPlannedFile *file,
                                     const CwJobSettings *settings);

/* Resumes @plan (CwPlannedFile*) against @done, reading the outputs (not on
 * a main loop): drops the files cw_joblog_is_done () confirms, and sets
 * what the others may replace. An output the log records as this batch's
 * own for that input (an "ok" line, the checksum still matching) may be
 * replaced: it was made with other settings or another version, so it is
 * redone. Any other file at an output's name is the user's: it is replaced
 * only if the plan says so (overwrite), else kept, and the file fails with
 * "output exists" unless it holds exactly what would be written. Removes
 * the temporaries killed runs left for the planned outputs. Returns how
 * many files were dropped; @n_redone (may be NULL): how many outputs are
 * redone because their settings changed. */
guint     cw_joblog_resume          (GHashTable          *done,
                                     GPtrArray           *plan,
                                     const CwJobSettings *settings,
                                     guint               *n_redone);

char     *cw_joblog_escape          (const char  *field);
char     *cw_joblog_unescape        (const char  *field);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwJoblog, cw_joblog_close)

G_END_DECLS
