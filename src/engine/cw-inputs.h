/* cw-inputs.h: from the files and folders a person gives to a list of tasks
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-audio.h"

G_BEGIN_DECLS

typedef struct
{
  char *input_path;
  char *output_path;  /* in the output folder, free on disk when planned */
  char *seed_key;     /* batch-unique name: picks the file's noise */
} CwPlannedFile;

/* Expands @paths in order: a file stays as given (even if it is missing or
 * not audio: it will fail with its reason); a folder is walked recursively,
 * entries sorted by name, keeping files whose extension libsndfile knows.
 * Other files found in folders go to @skipped as "path: reason" notes.
 * The same file given twice (same device and inode) is kept once. Entries
 * inside @exclude_dir (the output folder) are never collected. Hidden
 * entries and our own ".part" files are skipped silently. */
GPtrArray *cw_inputs_collect          (const char * const *paths,
                                       const char         *exclude_dir,
                                       GPtrArray          *skipped);

gboolean   cw_inputs_has_audio_suffix (const char         *name);

/* Gives every input an output path in @output_dir and a seed key. The seed
 * key is the output name made unique within the batch ("a.wav", then
 * "a (1).wav" for a second "a.wav"), so it depends only on the inputs'
 * names and order. Without @overwrite, a name already taken on disk moves
 * on to the next free "name (N).ext". */
GPtrArray *cw_inputs_plan             (GPtrArray          *inputs,
                                       const char         *output_dir,
                                       CwFormat            format,
                                       gboolean            overwrite);

void       cw_planned_file_free       (CwPlannedFile      *file);

G_END_DECLS
