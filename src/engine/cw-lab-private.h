/* cw-lab-private.h: what the lab's files share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment (cw-lab-<name>.c) plans a run as a list of steps and,
 * once the runner (cw-lab-runner.c) has run them all, builds its report
 * (cw-lab-report.c) from what they measured. cw-lab.c names the seven.
 */

#pragma once

#include "cw-lab.h"
#include "cw-pool.h"

G_BEGIN_DECLS

typedef struct _CwLabRun CwLabRun;

typedef enum
{
  CW_LAB_STEP_BATCH,   /* a batch through a fresh pool */
  CW_LAB_STEP_LOCAL,   /* local_func on a GTask thread */
} CwLabStepKind;

/* Work on a thread: a step's local_func, or its after. */
typedef void (*CwLabStepFunc) (CwLabRun *run,
                               guint     step_index);

typedef struct
{
  CwLabRun      *run;
  CwLabStepKind  kind;
  char          *description;
  /* batch */
  CwMode         mode;
  guint          n_workers;
  guint          chunk_size;
  CwOrder        order;
  CwTaskKind     task_kind;
  guint          n_tasks;
  gint64         arg;          /* synthetic tasks' argument */
  gint64         slow_arg;     /* order: task 0's argument */
  gboolean       fib_series;   /* shared work: task i is fib (i) */
  gboolean       naive_seed;
  gboolean       warm_up;      /* start every worker before the batch that counts */
  gboolean       warming;
  guint          repeats;      /* run this many times, keep the fastest (a busy machine) */
  guint          runs_done;
  char          *out_dir;
  CwLabStepFunc  after;        /* run on a thread after the batch (the duplicate check) */
  /* local */
  CwLabStepFunc  local_func;

  /* measured */
  gint64         start_us;
  gint64         wall_us;
  CwBatchStats   stats;
  guint          next_task;
  GArray        *visible_us;   /* per task index: delivered, from start_us */
  GArray        *finished_us;  /* per task index: the task's end, from start_us */
  GPtrArray     *outputs;      /* output paths */
  GPtrArray     *output_inputs;/* their inputs */
  guint          n_failed;
  char          *first_error;
  /* the duplicate check */
  guint          dup_groups;
  guint          dup_files;
  char          *dup_text;
} CwLabStep;

struct _CwLabRun
{
  CwLabExperiment  experiment;
  gboolean         quick;
  guint            max_workers;
  char            *scratch;       /* removed at the end */
  char           **user_inputs;
  GPtrArray       *inputs;        /* char*: the files used */
  GPtrArray       *samples;       /* GBytes* per input: big data */
  GArray          *sample_args;   /* gint64 per input: rate | channels << 32 */
  gint64           read_us;       /* big data: the parent's reading */
  guint            demo_count;
  double           demo_seconds;
  gboolean         use_audio;     /* the steps' tasks read the input files */
  GPtrArray       *steps;         /* CwLabStep* */
  guint            current;
  CwLabBatchFunc   on_batch;
  gpointer         batch_data;
  CwLabObserver    observer;      /* all NULL without one */
  gpointer         observer_data;
  GCancellable    *cancellable;
  CwPool          *pool;
};

/* ---- cw-lab-runner.c: the steps ---- */

void         cw_lab_step_free             (CwLabStep        *step);
CwLabStep   *cw_lab_run_add_step          (CwLabRun         *run,
                                           CwLabStepKind     kind,
                                           const char       *description);
CwLabStep   *cw_lab_run_add_batch         (CwLabRun         *run,
                                           const char       *description,
                                           CwMode            mode,
                                           guint             n_workers,
                                           CwTaskKind        task_kind,
                                           guint             n_tasks,
                                           gint64            arg);
/* The step planned as @description (it must be there). */
CwLabStep   *cw_lab_run_find_step         (CwLabRun         *run,
                                           const char       *description);

/* ---- cw-lab.c: each experiment's part ---- */

/* Adds the experiment's steps (run->inputs holds as many empty entries
 * as there will be files) and sets run->use_audio. */
void         cw_lab_run_plan              (CwLabRun         *run);
/* On the preparing thread, once the input files are there. */
gboolean     cw_lab_run_prepare_experiment (CwLabRun        *run,
                                            GError         **error);
CwLabReport *cw_lab_run_build_report      (CwLabRun         *run);

/* ---- cw-lab-report.c: rows ---- */

/* Adds a row of fields, as many as the report's columns. */
void         cw_lab_report_add_row        (CwLabReport      *report,
                                           ...);
/* A number for a row: the same in every locale, so a CSV reads the same
 * everywhere. */
char        *cw_lab_format_double         (double            value,
                                           int               decimals);

static inline double
cw_lab_seconds (gint64 us)
{
  return us / 1e6;
}

/* ---- the experiments, cw-lab-<name>.c ---- */

void         cw_lab_modes_plan                (CwLabRun  *run);
CwLabReport *cw_lab_modes_build_report        (CwLabRun  *run);
void         cw_lab_chunks_plan               (CwLabRun  *run);
CwLabReport *cw_lab_chunks_build_report       (CwLabRun  *run);
void         cw_lab_overhead_plan             (CwLabRun  *run);
CwLabReport *cw_lab_overhead_build_report     (CwLabRun  *run);
void         cw_lab_big_data_plan             (CwLabRun  *run);
gboolean     cw_lab_big_data_read_samples     (CwLabRun  *run,
                                               GError   **error);
CwLabReport *cw_lab_big_data_build_report     (CwLabRun  *run);
void         cw_lab_shared_work_plan          (CwLabRun  *run);
CwLabReport *cw_lab_shared_work_build_report  (CwLabRun  *run);
void         cw_lab_order_plan                (CwLabRun  *run);
CwLabReport *cw_lab_order_build_report        (CwLabRun  *run);
void         cw_lab_random_state_plan         (CwLabRun  *run);
CwLabReport *cw_lab_random_state_build_report (CwLabRun  *run);

G_END_DECLS
