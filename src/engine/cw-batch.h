/* cw-batch.h: one batch, from the files a person gives to the results:
 * what the window and corewave-cli both drive
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-inputs.h"
#include "cw-pool.h"

G_BEGIN_DECLS

/* What to do and how. Strings and arrays are copied by cw_batch_new (),
 * but for input_files. */
typedef struct
{
  /* a batch of files ... */
  char       **inputs;          /* files and folders (walked); or NULL with @input_files or @plan */
  GPtrArray   *input_files;     /* CwInputFile*: files already walked, each with the path the
                                 * tree layout keeps (the window's queue); not walked again;
                                 * held (not copied, so not to be changed) until planned */
  GPtrArray   *plan;            /* CwPlannedFile*: a plan made earlier (a recorded batch) */
  char        *output_dir;
  char        *spec;            /* canonical transform chain */
  CwFormat     format;
  CwBits       bits;            /* a PCM output's depth; CW_BITS_SAME keeps the input's */
  gboolean     has_quality;     /* FALSE: the lossy encoders' default quality */
  double       quality;         /* 0 smallest … 1 best (Vorbis, Opus, MP3) */
  gboolean     no_metadata;     /* do not copy tags */
  guint64      seed;
  CwExisting   existing;        /* a file at an output's name: rename (the default),
                                 * replace, skip, or fail (the default by key) */
  CwLayout     layout;          /* tree (the default): subfolders kept; or flat */
  guint        shard_index;
  guint        shard_count;     /* 0: the whole list */
  char        *joblog_path;     /* NULL: no job log */
  gboolean     resume;          /* skip what the job log says is done (needs joblog_path) */
  char        *record_dir;      /* the window's: the plan and the job log kept there until
                                 * the batch has run to its end, so it can be resumed */

  /* ... or synthetic tasks (kind 0: files) */
  CwTaskKind   synthetic_kind;
  guint64      synthetic_count;
  gint64       synthetic_arg;   /* spin: ms; fib: n; mul10 multiplies each task's index */

  /* how */
  CwMode       mode;
  guint        n_workers;       /* 0: the usable CPUs */
  guint        chunk_size;      /* 0: auto */
  CwOrder      order;
  guint        task_timeout_ms; /* 0: off */
  int          worker_nice;
  char       **worker_commands; /* NULL: workers here; else command lines
                                 * (cw_pool_set_worker_commands ()) */
} CwBatchOptions;

void                 cw_batch_options_clear (CwBatchOptions       *options);

#define CW_TYPE_BATCH (cw_batch_get_type ())
G_DECLARE_FINAL_TYPE (CwBatch, cw_batch, CW, BATCH, GObject)

CwBatch             *cw_batch_new           (const CwBatchOptions *options);
const CwBatchOptions *cw_batch_get_options  (CwBatch              *self);
/* What the workers get: spec, format, seed. */
const CwJobSettings *cw_batch_get_settings  (CwBatch              *self);
/* Made with the batch, so its signals can be connected before it runs. */
CwPool              *cw_batch_get_pool      (CwBatch              *self);

/* Planning: makes the output folder, walks the inputs (what cannot be
 * used goes to the skipped notes; input_files are taken as they are),
 * names the outputs, keeps this shard's
 * files and, when resuming, drops what the job log says is done. Fails
 * with CW_ERROR_NO_INPUT when no audio file was found, CW_ERROR_USAGE on
 * bad options. The _async form runs in a thread. */
gboolean             cw_batch_plan          (CwBatch              *self,
                                             GCancellable         *cancellable,
                                             GError              **error);
void                 cw_batch_plan_async    (CwBatch              *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean             cw_batch_plan_finish   (CwBatch              *self,
                                             GAsyncResult         *result,
                                             GError              **error);
/* After planning: "path: reason" notes, and the files that will run. */
GPtrArray           *cw_batch_get_skipped   (CwBatch              *self);
GPtrArray           *cw_batch_get_plan      (CwBatch              *self);
/* What the output format will make of a planned file, found when planning
 * (before any work) by opening each input: a change it needs ("resampled
 * from 44100 to 48000 Hz: Opus holds no other rate near it") or a refusal
 * ("MP3 holds at most 2 channels, …"). Only when the output's format or
 * depth differs from the input's. A refused file stays in the plan (and
 * fails with that reason) unless cw_batch_drop_refused () drops it. */
typedef struct
{
  char     *input_path;
  char     *text;
  gboolean  refused;
} CwBatchNote;

GPtrArray           *cw_batch_get_notes     (CwBatch              *self);
guint                cw_batch_get_n_refused (CwBatch              *self);
/* Leaves the refused files out of the plan (they go to the skipped notes);
 * returns how many. */
guint                cw_batch_drop_refused  (CwBatch              *self);
/* The notes as lines for people: one per distinct text, with how many
 * files and the first @max_names of their names
 * ("24 files (a.wav, b.wav, …): resampled from 44100 to 48000 Hz …"). */
char               **cw_batch_note_lines    (GPtrArray            *notes,
                                             gboolean              refused,
                                             guint                 max_names);

/* Inputs whose output's name was taken on disk when planned (renamed,
 * replaced, skipped or to fail, as CwBatchOptions.existing says): what the
 * window asks about before it runs. */
guint                cw_batch_get_n_existing (CwBatch             *self);
/* Resuming: files skipped as done, and outputs of the batch's own made
 * again because they were made with other settings. */
guint                cw_batch_get_n_resumed (CwBatch              *self);
guint                cw_batch_get_n_redone  (CwBatch              *self);
/* The tasks the run will have (planned files, or synthetic tasks). */
guint64              cw_batch_get_n_tasks   (CwBatch              *self);

/* Runs what was planned on the pool, calling @on_result (may be NULL) for
 * every result in the batch's order, logs each finished file, and
 * completes once every worker is reaped and every line is written (off
 * the main loop). Fails with G_IO_ERROR_CANCELLED when cancelled, or with
 * the error that stopped the batch; the stats are filled either way. A
 * batch with a record that ran to its end removes the record. */
void                 cw_batch_run_async     (CwBatch              *self,
                                             CwResultFunc          on_result,
                                             gpointer              result_data,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean             cw_batch_run_finish    (CwBatch              *self,
                                             GAsyncResult         *result,
                                             GError              **error);
const CwBatchStats  *cw_batch_get_stats     (CwBatch              *self);
/* The first job log error, or NULL: a resume may then redo files. */
const char          *cw_batch_get_log_error (CwBatch              *self);

/* ---- a batch's record (the window's Resume) ---------------------------- */

typedef struct
{
  GPtrArray     *plan;        /* CwPlannedFile*: the whole batch */
  char          *output_dir;
  CwJobSettings  settings;    /* spec, format, encoding, seed */
  guint          n_done;      /* files the job log confirms */
} CwBatchRecord;

void                 cw_batch_record_free   (CwBatchRecord        *record);
/* $XDG_STATE_HOME/corewave */
char                *cw_batch_record_default_dir (void);
/* The batch recorded in @dir that did not run to its end, with what its
 * log confirms (it reads the outputs: a thread), or NULL when there is
 * none. */
void                 cw_batch_record_find_async  (const char           *dir,
                                                  GCancellable         *cancellable,
                                                  GAsyncReadyCallback   callback,
                                                  gpointer              user_data);
CwBatchRecord       *cw_batch_record_find_finish (GAsyncResult         *result,
                                                  GError              **error);
/* Forgets it (a thread removes the files). */
void                 cw_batch_record_discard     (const char           *dir);
/* Options that resume @record from @dir: its plan and settings, its log. */
void                 cw_batch_record_to_options  (CwBatchRecord        *record,
                                                  const char           *dir,
                                                  CwBatchOptions       *options);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwBatchRecord, cw_batch_record_free)

G_END_DECLS
