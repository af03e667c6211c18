/* cw-inputs.h: from the files and folders a person gives to a list of tasks
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-audio.h"

G_BEGIN_DECLS

/* A file to work on, and where it was found. */
typedef struct
{
  char *path;
  char *relative;     /* its path below the folder it was found in
                       * ("Album A/01.flac"), or NULL when given by itself */
} CwInputFile;

CwInputFile *cw_input_file_new  (const char  *path,
                                 const char  *relative);
void         cw_input_file_free (CwInputFile *file);

typedef struct
{
  char *input_path;
  char *output_path;  /* in the output folder, free on disk when planned */
  char *seed_key;     /* the output's batch-unique name below the output
                       * folder ("a.wav", "Album A/01 (1).flac"): picks the
                       * file's noise */
  CwReplace replace;  /* what the worker may do to a file found at output_path */
} CwPlannedFile;

/* What becomes of a file already at an output's name. */
typedef enum
{
  CW_EXISTING_DEFAULT,  /* RENAME, or FAIL when outputs are named by key */
  CW_EXISTING_RENAME,   /* keep both: the new output moves on to "name (N).ext" */
  CW_EXISTING_REPLACE,  /* replace it, unless it is an input of the batch or a folder:
                         * then RENAME (FAIL when named by key) */
  CW_EXISTING_SKIP,     /* keep it, and leave that input out (a note says so) */
  CW_EXISTING_FAIL,     /* keep it, and that input fails with "output exists" */
} CwExisting;

gboolean   cw_existing_from_string    (const char         *name,
                                       CwExisting         *existing);

typedef enum
{
  CW_LAYOUT_TREE,     /* a file found in a folder keeps its subfolders below the
                       * output folder; a file given by itself goes to its top */
  CW_LAYOUT_FLAT,     /* every output at the top of the output folder */
} CwLayout;

gboolean   cw_layout_from_string      (const char         *name,
                                       CwLayout           *layout);

/* Expands @paths (CwInputFile*, cw_input_file_free) in order: a file stays as given (even if it is missing or
 * not audio: it will fail with its reason); a folder is walked recursively,
 * entries sorted by name, keeping files whose extension libsndfile knows.
 * Other files found in folders go to @skipped as "path: reason" notes.
 * So do FIFOs, devices and sockets ("not a regular file"), unreadable
 * entries and paths too long to open. The same file given twice (same
 * device and inode) is kept once; a folder is walked once however many
 * links lead to it, so link loops end. Entries inside @exclude_dir (the
 * output folder) are never collected. Hidden entries (our own temporaries
 * among them) are skipped silently. No file system I/O but reading: call
 * it off the main loop. */
GPtrArray *cw_inputs_collect          (const char * const *paths,
                                       const char         *exclude_dir,
                                       GPtrArray          *skipped);

gboolean   cw_inputs_has_audio_suffix (const char         *name);
/* The suffixes a folder walk keeps (lower case, sorted, without the dot):
 * what libsndfile reports for its formats and their usual aliases. The
 * Open dialog's filter uses them too. */
GStrv      cw_inputs_dup_audio_suffixes (void);

typedef struct
{
  const char *output_dir;
  CwFormat    format;
  CwLayout    layout;
  CwExisting  existing;
  gboolean    by_key;       /* every output named by its key, never numbered past a file
                             * on disk, so shards and reruns find each other's outputs */
  GPtrArray  *skipped;      /* may be NULL: "path: reason" for inputs left out (SKIP) */
  guint       n_existing;   /* out: inputs whose key's name was taken on disk */
} CwPlanOptions;

/* Gives every input (CwInputFile*) an output path below output_dir, a
 * seed key and what may be replaced. The seed key is the output's name
 * below output_dir made unique within the batch ("a.wav", then "a (1).wav"
 * for a second "a.wav"; "Album A/01.flac" with the tree layout), so it
 * depends only on the inputs' names and order. No output is ever an input
 * of the batch (compared by device and inode), and a dangling link at a
 * name counts as taken. Linear in the number of inputs. Subfolders are not
 * made: see cw_output_make_folders (). */
GPtrArray *cw_inputs_plan             (GPtrArray          *inputs,
                                       CwPlanOptions      *options);

CwPlannedFile *cw_planned_file_copy   (const CwPlannedFile *file);
void       cw_planned_file_free       (CwPlannedFile      *file);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwPlannedFile, cw_planned_file_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwInputFile, cw_input_file_free)

G_END_DECLS
