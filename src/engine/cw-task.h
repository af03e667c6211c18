/* cw-task.h: what a worker runs, and what it answers
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-audio.h"

G_BEGIN_DECLS

typedef enum
{
  CW_TASK_AUDIO = 1,  /* input_path -> output_path through the job's transform chain */
  CW_TASK_MUL10,      /* value = arg * 10: the lesson's trivial task */
  CW_TASK_SPIN,       /* burn arg ms of CPU time */
  CW_TASK_FIB,        /* value = fib (arg), computed naively */
  CW_TASK_AUDIO_INLINE, /* the big-data pitfall: data holds the input's int16 samples
                         * (arg: rate | channels << 32); the worker adds the noise and
                         * writes output_path */
  CW_TASK_N_KINDS,
} CwTaskKind;

typedef struct
{
  guint64     index;        /* submission number, from 0 */
  CwTaskKind  kind;
  gint64      arg;
  char       *input_path;   /* audio tasks: owned strings; NULL otherwise */
  char       *output_path;
  char       *seed_key;
  CwReplace   replace;      /* audio tasks: what may happen to a file already at output_path */
  GBytes     *data;         /* optional payload sent through the pipe (CW_TASK_AUDIO_INLINE) */
} CwTask;

typedef enum
{
  CW_STATUS_OK,
  CW_STATUS_FAILED,
  CW_STATUS_CANCELLED,
} CwStatus;

typedef struct
{
  guint64   index;
  CwStatus  status;
  guint32   attempts;      /* 1, or 2 when the task was retried after its worker died */
  gint32    pid;           /* the process that ran it */
  guint32   worker;        /* the pool slot (process or thread) that ran it */
  gint64    value;         /* synthetic tasks' answer */
  gint64    frames;        /* audio frames written */
  gint64    start_us;      /* CLOCK_MONOTONIC, comparable across processes */
  gint64    end_us;
  gint64    cpu_us;        /* CPU time of the thread that ran it */
  char     *error;         /* owned; NULL when ok */
  char     *output_path;   /* owned; NULL when none was written */
  char     *input_path;    /* owned; filled in by the pool from its own copy of the task */
  gint64    peak_rss_kb;   /* the worker's peak resident memory so far (0: not reported) */
  gboolean  has_checksum;  /* the output's checksum, summed as it was written (cw-checksum.h) */
  guint64   checksum;
} CwResult;

/* Settings shared by every task of one batch, sent once per chunk. */
typedef struct
{
  char     *spec;          /* transform chain, see cw-spec.h */
  CwFormat  format;
  guint64   seed;
  /* The lesson's shared-random-state pitfall: each worker (process or
   * thread) seeds one generator from @seed once and draws from it file
   * after file, as forked copies of a global generator do. Off by default. */
  gboolean  naive_seed;
  /* How the output is encoded (cw-audio.h, CwAudioJob) */
  CwBits    bits;
  gboolean  has_quality;
  double    quality;
  gboolean  no_metadata;
  /* Sum each output as it is written (the batch keeps a log): the result
   * carries the checksum, so the log never reads an output back. */
  gboolean  checksum;
} CwJobSettings;

const char *cw_task_kind_to_string   (CwTaskKind           kind);
gboolean    cw_task_kind_from_string (const char          *name,
                                      CwTaskKind          *kind);
const char *cw_status_to_string      (CwStatus             status);

void        cw_task_free_fields      (CwTask              *task);
void        cw_result_free_fields    (CwResult            *result);

/* Inline: a million trivial tasks have no strings, and a million calls
 * to find that out show in the overhead benchmark. */
static inline void
cw_task_clear (CwTask *task)
{
  if (task->input_path != NULL || task->output_path != NULL || task->seed_key != NULL
      || task->data != NULL)
    cw_task_free_fields (task);
}

static inline void
cw_result_clear (CwResult *result)
{
  if (result->error != NULL || result->output_path != NULL || result->input_path != NULL)
    cw_result_free_fields (result);
}

void        cw_task_copy_into        (const CwTask        *src,
                                      CwTask              *dest);
CwResult   *cw_result_copy           (const CwResult      *result);
void        cw_result_free           (CwResult            *result);
void        cw_job_settings_clear    (CwJobSettings       *settings);
void        cw_job_settings_copy_into(const CwJobSettings *src,
                                      CwJobSettings       *dest);
/* The output's encoding in one word for job logs and summaries: the format
 * ("flac", "same"), then what differs from the defaults, e.g.
 * "flac;bits=24" or "mp3;quality=0.70;no-metadata". */
char       *cw_job_settings_describe_output (const CwJobSettings *settings);

/* Runs one task in this thread and fills @result (index, status, times,
 * cpu, pid, value/frames, error). @chain is the parsed settings->spec
 * (audio tasks only; may be NULL for synthetic ones). */
void        cw_task_run              (const CwJobSettings *settings,
                                      const CwChain       *chain,
                                      const CwTask        *task,
                                      CwResult            *result,
                                      GCancellable        *cancellable);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwResult, cw_result_free)

G_END_DECLS
