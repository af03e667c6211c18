/* cw-lab.h: the lesson's experiments, measured on this machine
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each experiment runs real batches through CwPool on the caller's main
 * context, every setting at least three times, in rounds (so a busy
 * moment or a cold cache does not favour one setting), and returns a
 * report: series to chart, a table (medians and spreads) to export, the
 * timeline of each setting's median run, what the lesson claims, and one
 * paragraph built from the table's own figures that says whether this
 * machine agreed, or that the difference was within noise. The window's
 * Lab page and "corewave-cli lab NAME" both use it.
 */

#pragma once

#include <gio/gio.h>

#include "cw-pool.h"

G_BEGIN_DECLS

typedef enum
{
  CW_LAB_MODES,         /* sequential vs threads vs processes, 1..N workers: wall, speed-up, ideal */
  CW_LAB_CHUNKS,        /* chunk size 1, 2, 4, ... and auto: wall and peak memory; where auto landed */
  CW_LAB_OVERHEAD,      /* mul10: sequential vs pool at several chunk sizes: µs per task */
  CW_LAB_BIG_DATA,      /* send the file name vs the samples through the pipe: time and bytes */
  CW_LAB_SHARED_WORK,   /* naive fib per task on N workers vs one memoised pass */
  CW_LAB_ORDER,         /* one slow file: when each result became visible, ordered vs unordered */
  CW_LAB_RANDOM_STATE,  /* "seed once in the parent" vs per-file seeds: duplicated noise found */
  CW_LAB_N_EXPERIMENTS,
} CwLabExperiment;

const char *cw_lab_experiment_to_string   (CwLabExperiment  experiment);   /* "modes", "chunks", ... */
gboolean    cw_lab_experiment_from_string (const char      *name,
                                           CwLabExperiment *experiment);
const char *cw_lab_experiment_title       (CwLabExperiment  experiment);   /* translatable title */

/* What the lesson claims, set against what this machine measured. A
 * difference counts only when it is larger than the run-to-run spread:
 * every run of one setting beat every run of the other
 * (cw_lab_stat_differs ()); otherwise the report says it was within noise. */
typedef enum
{
  CW_LAB_VERDICT_AGREED,        /* the measurements showed what the lesson claims */
  CW_LAB_VERDICT_DISAGREED,     /* they showed the opposite, beyond noise */
  CW_LAB_VERDICT_WITHIN_NOISE,  /* the difference was within the run-to-run spread */
  CW_LAB_VERDICT_UNTESTED,      /* this machine cannot show it (one CPU, say) */
} CwLabVerdict;

const char *cw_lab_verdict_to_string      (CwLabVerdict     verdict);      /* "agreed", "within-noise", ... */
/* What the lesson claims, in a sentence (translatable). */
const char *cw_lab_experiment_claim       (CwLabExperiment  experiment);

/* A measured value over several runs: the median, and the fastest and
 * slowest run around it (lo = hi = median for one run). */
typedef struct
{
  double median;
  double lo;
  double hi;
  guint  n;
} CwLabStat;

/* @values (any order) summed up; n = 0 gives zeros. */
void        cw_lab_stat_init              (CwLabStat       *stat,
                                           const double    *values,
                                           guint            n);
/* hi - lo: how far runs of one setting landed apart. */
double      cw_lab_stat_spread            (const CwLabStat *stat);
/* TRUE when the ranges do not overlap (every run of one beat every run of
 * the other): the only differences the lab draws a conclusion from. */
gboolean    cw_lab_stat_differs           (const CwLabStat *a,
                                           const CwLabStat *b);

typedef struct
{
  char   *label;      /* a category (e.g. "processes, 2") or NULL for numeric x */
  double  x;
  double  y;          /* the median */
  double  lo;         /* the run-to-run range around y (lo = hi = y: none) */
  double  hi;
} CwLabPoint;

typedef struct
{
  char   *name;       /* legend */
  GArray *points;     /* CwLabPoint */
  gboolean dashed;    /* e.g. the ideal line */
} CwLabSeries;

/* One run of a setting, task by task: a lane per worker, a bar per task
 * (tasks too short to time, stamped together, share one bar), times from
 * the batch's start. */
typedef struct
{
  guint32 lane;
  guint32 n_tasks;
  gint64  start_us;
  gint64  end_us;
  guint8  status;     /* CwStatus */
} CwLabBar;

typedef struct
{
  char   *setting;    /* the step, e.g. "chunk size 8" */
  guint   n_lanes;
  gint64  wall_us;    /* this run's wall time */
  GArray *bars;       /* CwLabBar, by lane, then start */
} CwLabTimeline;

typedef struct
{
  CwLabExperiment  experiment;
  char            *title;
  char            *x_label;
  char            *y_label;
  gboolean         log_x;         /* chunk sizes */
  GPtrArray       *series;        /* CwLabSeries* */
  char           **columns;       /* CSV header */
  char           **headings;      /* a heading per column for people (translated) */
  GPtrArray       *rows;          /* char** per row, same length as columns */
  char            *claim;         /* what the lesson claims */
  CwLabVerdict     verdict;       /* whether this machine agreed */
  char            *explanation;   /* what was measured here, every figure from the rows */
  GPtrArray       *timelines;     /* CwLabTimeline*: the median run of settings, in the plan's order */
  gboolean         quick;
} CwLabReport;

void         cw_lab_report_free   (CwLabReport *report);
char        *cw_lab_report_to_csv (const CwLabReport *report);

/* Building a report (the experiments do; tests and other charts may): a
 * report titled after @experiment with the CSV columns given, NULL-ended;
 * series and points are appended in drawing order. */
CwLabReport *cw_lab_report_new        (CwLabExperiment  experiment,
                                       const char      *x_label,
                                       const char      *y_label,
                                       const char      *first_column,
                                       ...) G_GNUC_NULL_TERMINATED;
/* People's headings for the columns, as many as there are, in order. */
void         cw_lab_report_set_headings (CwLabReport   *report,
                                         const char    *first_heading,
                                         ...) G_GNUC_NULL_TERMINATED;
CwLabSeries *cw_lab_report_add_series (CwLabReport     *report,
                                       const char      *name,
                                       gboolean         dashed);
void         cw_lab_series_add_point  (CwLabSeries     *series,
                                       const char      *label,
                                       double           x,
                                       double           y);
/* A point at @stat's median with its range. */
void         cw_lab_series_add_stat   (CwLabSeries     *series,
                                       const char      *label,
                                       double           x,
                                       const CwLabStat *stat);
void         cw_lab_timeline_free     (CwLabTimeline   *timeline);
/* The time the first lane to finish sat idle until the last one did. */
gint64       cw_lab_timeline_idle_at_end (const CwLabTimeline *timeline);

typedef struct
{
  char   **inputs;      /* audio files to use; NULL: the demo set (written to a cache folder) */
  char    *work_dir;    /* outputs and scratch; removed afterwards */
  guint    max_workers; /* 0: the usable CPUs (cw_cpus_usable ()) */
  gboolean quick;       /* small sizes, for tests and a first look */
} CwLabOptions;

/* Called on the main context when a batch of the experiment starts: the
 * window attaches its timeline and CPU meter to @pool. */
typedef void (*CwLabBatchFunc) (CwPool     *pool,
                                const char *description,
                                gpointer    user_data);

/* Optional, for a view of each batch task by task (the Lab page's
 * timeline). Only the batches that count are reported: not the warm-up
 * some experiments run first. Either member may be NULL; both are called
 * on the main context, @batch_started after on_batch, just before the
 * first task is handed out (@start_us: monotonic time, the batch's zero),
 * @result for every result of that batch as the pool delivers it (mul10
 * results carry their chunk's time stamp), @batch_finished once it ended
 * without an error. A run that fails or is cancelled ends without it. */
typedef struct
{
  void (*batch_started)  (CwPool         *pool,
                          const char     *description,
                          guint           n_workers,
                          gint64          start_us,
                          gpointer        user_data);
  void (*result)         (const CwResult *result,
                          gpointer        user_data);
  void (*batch_finished) (const char     *description,
                          gint64          wall_us,
                          gpointer        user_data);
  /* Before each step of the run (@index of @n_steps), batches and work in
   * this process, counted or not: for a progress bar. */
  void (*step_started)   (guint           index,
                          guint           n_steps,
                          const char     *description,
                          gpointer        user_data);
} CwLabObserver;

void         cw_lab_run_async     (CwLabExperiment      experiment,
                                   const CwLabOptions  *options,
                                   CwLabBatchFunc       on_batch,
                                   gpointer             batch_data,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
/* The same with an observer (NULL: none; the struct is copied). */
void         cw_lab_run_full_async (CwLabExperiment      experiment,
                                    const CwLabOptions  *options,
                                    CwLabBatchFunc       on_batch,
                                    gpointer             batch_data,
                                    const CwLabObserver *observer,
                                    gpointer             observer_data,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data);
CwLabReport *cw_lab_run_finish    (GAsyncResult        *result,
                                   GError             **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwLabReport, cw_lab_report_free)

G_END_DECLS
