/* cw-lab-private.h: what the lab's files share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment (cw-lab-<name>.c) plans a run as a list of steps, one per
 * setting; the runner (cw-lab-runner.c) runs them in rounds, every step
 * once a round, after one warm-up batch that is not counted, and records
 * each counted run (a CwLabMeasure). Once the last round is done the
 * experiment builds its report (cw-lab-report.c) from the medians and
 * spreads of what the steps measured. cw-lab.c names the seven.
 *
 * The tests include this header: they plan a run without running it, give
 * its steps fixed measurements and check the words of the report.
 */

#pragma once

#include "cw-lab.h"
#include "cw-pool.h"

G_BEGIN_DECLS

typedef struct _CwLabRun CwLabRun;

typedef enum
{
  CW_LAB_STEP_BATCH,   /* a batch through a fresh pool */
  CW_LAB_STEP_LOCAL,   /* local_func on a GTask thread, in this process */
} CwLabStepKind;

/* Work on a thread: a step's local_func (it fills @measure), or its after. */
typedef struct _CwLabMeasure CwLabMeasure;
typedef void (*CwLabStepFunc) (CwLabRun     *run,
                               guint         step_index,
                               CwLabMeasure *measure);

/* One counted run of a step. */
struct _CwLabMeasure
{
  gint64          wall_us;
  guint64         passes;           /* in-place work too short for a µs clock: wall_us
                                     * covers this many passes (0 or 1: one) */
  CwBatchStats    stats;
  gint64          workers_peak_kb;  /* processes: the largest VmHWM of the workers, read
                                     * before they exit (their own, not inherited) */
  GArray         *visible_us;       /* gint64 per task index: delivered, from the start */
  GArray         *finished_us;      /* gint64 per task index: the task's end */
  CwLabTimeline  *timeline;         /* NULL: none recorded */
};

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
  const gint64  *spin_ms;      /* chunks: task i spins spin_ms[i % n_spin_ms] ms */
  guint          n_spin_ms;
  gboolean       naive_seed;
  gboolean       spawn_first;  /* start every worker before the batch that counts */
  gint64         spawn_ms;     /* the spin of each of the 2 × n_workers tasks that start them */
  gboolean       spawning;
  gboolean       show_timeline;/* the report keeps its median run's timeline */
  guint          repeats;      /* counted runs: 5 where times are compared */
  char          *out_dir;
  CwLabStepFunc  after;        /* on a thread after each counted batch (the duplicate check) */
  /* local */
  CwLabStepFunc  local_func;

  /* measured */
  GPtrArray     *measures;     /* CwLabMeasure*, one per counted run */
  /* the run in progress */
  CwLabMeasure  *current;      /* NULL while not counted (the warm-up) */
  gint64         start_us;
  guint          next_task;
  GArray        *lane_last;    /* guint per lane: its last bar in current->timeline */
  GPtrArray     *outputs;      /* output paths of the latest run */
  GPtrArray     *output_inputs;/* their inputs */
  guint          n_failed;
  char          *first_error;
  /* the duplicate check (random state) */
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
  guint            demo_count;
  double           demo_seconds;
  gboolean         use_audio;     /* the steps' tasks read the input files */
  GPtrArray       *steps;         /* CwLabStep* */
  guint            warm_up_step;  /* the step run once, not counted, first; G_MAXUINT: none */
  GArray          *schedule;      /* CwLabScheduled, in running order */
  guint            current;       /* in schedule */
  CwLabBatchFunc   on_batch;
  gpointer         batch_data;
  CwLabObserver    observer;      /* all NULL without one */
  gpointer         observer_data;
  GCancellable    *cancellable;
  CwPool          *pool;
};

typedef struct
{
  guint    step;
  guint    round;
  gboolean counted;
} CwLabScheduled;

/* ---- cw-lab-runner.c: the run and its steps ---- */

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
CwLabStep   *cw_lab_run_get_step          (CwLabRun         *run,
                                           guint             index);

/* A run planned as cw_lab_run_async () would plan it, with @n_files input
 * files (0: the demo set's count), that never runs: the tests give its
 * steps measurements (cw_lab_step_add_measure ()) and build its report. */
CwLabRun     *cw_lab_run_new_planned      (CwLabExperiment   experiment,
                                           guint             max_workers,
                                           gboolean          quick,
                                           guint             n_files);
void          cw_lab_run_free             (CwLabRun         *run);
/* A new counted run of @step that took @wall_us (the rest zero). */
CwLabMeasure *cw_lab_step_add_measure     (CwLabStep        *step,
                                           gint64            wall_us);

/* A run's wall time in seconds (a pass's, for work timed over many). */
double       cw_lab_measure_seconds       (const CwLabMeasure *measure);
/* Over the step's counted runs: the wall time in seconds, or any figure. */
CwLabStat    cw_lab_step_wall             (const CwLabStep  *step);
CwLabStat    cw_lab_step_stat             (const CwLabStep  *step,
                                           double          (*get) (const CwLabMeasure *measure));
/* The run whose wall time is the median (the lower one of two middles). */
const CwLabMeasure *cw_lab_step_median_measure (const CwLabStep *step);

/* ---- cw-lab.c: each experiment's part ---- */

/* Adds the experiment's steps (run->inputs holds as many empty entries
 * as there will be files) and sets run->use_audio. */
void         cw_lab_run_plan              (CwLabRun         *run);
CwLabReport *cw_lab_run_build_report      (CwLabRun         *run);

/* ---- cw-lab-report.c: rows, numbers, timelines ---- */

/* Adds a row of fields, as many as the report's columns. */
void         cw_lab_report_add_row        (CwLabReport      *report,
                                           ...);
/* A number for a row: the same in every locale, so a CSV reads the same
 * everywhere. */
char        *cw_lab_format_double         (double            value,
                                           int               decimals);
/* The same number for a sentence, in the reader's locale: the table's
 * figure, to the same decimals. */
char        *cw_lab_text_double           (double            value,
                                           int               decimals);
/* What to do when a difference was within noise: the full size, or a
 * quieter machine (a sentence, translated). */
const char  *cw_lab_noise_advice          (const CwLabRun   *run);
/* Decimals that keep @significant digits of @value (at least 0, at most 9). */
int          cw_lab_decimals_for          (double            value,
                                           int               significant);
/* The timeline being recorded: @result's bar (runs of one time stamp on
 * a lane become one bar). */
void         cw_lab_timeline_add_result   (CwLabTimeline    *timeline,
                                           GArray           *lane_last,
                                           gint64            start_us,
                                           const CwResult   *result);
/* Sorted by lane and start, and bars shorter than wall / 4000 merged into
 * their neighbours: a picture's worth, whatever the number of tasks. */
void         cw_lab_timeline_finish       (CwLabTimeline    *timeline);
CwLabTimeline *cw_lab_timeline_copy       (const CwLabTimeline *timeline);

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
CwLabReport *cw_lab_big_data_build_report     (CwLabRun  *run);
void         cw_lab_shared_work_plan          (CwLabRun  *run);
CwLabReport *cw_lab_shared_work_build_report  (CwLabRun  *run);
void         cw_lab_order_plan                (CwLabRun  *run);
CwLabReport *cw_lab_order_build_report        (CwLabRun  *run);
void         cw_lab_random_state_plan         (CwLabRun  *run);
CwLabReport *cw_lab_random_state_build_report (CwLabRun  *run);

G_END_DECLS
