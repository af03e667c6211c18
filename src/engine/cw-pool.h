/* cw-pool.h: a pool of worker processes (or threads) driven from the GLib main loop
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-task.h"

G_BEGIN_DECLS

typedef enum
{
  CW_MODE_PROCESSES,   /* corewave-worker child processes (the default) */
  CW_MODE_THREADS,     /* a GThreadPool in this process */
  CW_MODE_SEQUENTIAL,  /* one task after another on one background thread */
} CwMode;

typedef enum
{
  CW_ORDER_ORDERED,    /* like Pool.imap: streamed in submission order */
  CW_ORDER_UNORDERED,  /* like Pool.imap_unordered: streamed as they complete */
  CW_ORDER_ALL,        /* like Pool.map: all delivered at the end, in order */
} CwOrder;

#define CW_POOL_MAX_WORKERS    256
#define CW_POOL_MAX_CHUNK_SIZE 16384

const char *cw_mode_to_string    (CwMode      mode);
gboolean    cw_mode_from_string  (const char *name,
                                  CwMode     *mode);
const char *cw_order_to_string   (CwOrder     order);
gboolean    cw_order_from_string (const char *name,
                                  CwOrder    *order);

typedef struct
{
  guint64 n_tasks;        /* results delivered */
  guint64 n_ok;
  guint64 n_failed;
  guint64 n_cancelled;
  gint64  wall_us;        /* from the call to the last result */
  gint64  cpu_us;         /* this process's CPU plus the workers' task CPU */
  gint64  workers_cpu_us; /* the CPU the tasks took in the workers alone (their
                           * processes or threads), not the caller's */
  guint   n_workers;
  guint   n_workers_unstarted; /* workers that could not be spawned (fd or process
                                * limits): the batch ran on the others */
  guint   chunk_size;     /* the fixed size, or 0 for auto */
  guint   max_chunk_size; /* the largest chunk actually sent */
  guint64 n_trips;        /* chunks sent to workers (retries included) */
  guint   n_retried;      /* tasks re-run after their worker died */
  guint   n_worker_deaths;
  double  auto_task_us;   /* auto: the measured time of one task */
  CwMode  mode;
  CwOrder order;
  /* processes mode: bytes of frames written to and read from the workers'
   * pipes for this batch (the lesson's big-data pitfall) */
  guint64 bytes_to_workers;
  guint64 bytes_from_workers;
  double  auto_target_trip_us;  /* auto: the trip duration it sizes chunks for; 0 otherwise */
  gint64  worker_peak_rss_kb;   /* processes mode: the largest peak RSS a worker reported */
} CwBatchStats;

/* Fills @task (kind, arg and, for audio, owned paths and seed key; the pool
 * sets the index) and returns TRUE, or returns FALSE when there is no more. */
typedef gboolean (*CwTaskSourceFunc) (gpointer  user_data,
                                      CwTask   *task);
/* Called on the pool's main context for every result, in the batch's order.
 * @result is only valid during the call (cw_result_copy () to keep it). */
typedef void     (*CwResultFunc)     (const CwResult *result,
                                      gpointer        user_data);

#define CW_TYPE_POOL (cw_pool_get_type ())
G_DECLARE_FINAL_TYPE (CwPool, cw_pool, CW, POOL, GObject)

/* @n_workers 0 means one per CPU this process may use (cw_cpus_usable ():
 * its affinity and cgroup quota). */
CwPool   *cw_pool_new               (CwMode               mode,
                                     guint                n_workers);
CwMode    cw_pool_get_mode          (CwPool              *self);
guint     cw_pool_get_n_workers     (CwPool              *self);
/* 0 means auto: chunks sized from measured task times. */
void      cw_pool_set_chunk_size    (CwPool              *self,
                                     guint                chunk_size);
guint     cw_pool_get_chunk_size    (CwPool              *self);
/* Worker processes start this much nicer (0-19; default 0): the window uses
 * it so the desktop stays responsive with every core busy. */
void      cw_pool_set_worker_nice   (CwPool              *self,
                                     int                  increment);
/* A task running longer than @ms (0: off, the default) ends its worker and
 * is reported failed, "timed out after N s", without a retry (a hang would
 * only hang again); the other tasks of its chunk go back to the queue.
 * Processes mode only. Takes effect for workers started afterwards (they
 * answer every task as it ends): set it before the first batch. */
void      cw_pool_set_task_timeout  (CwPool              *self,
                                     guint                ms);
guint     cw_pool_get_task_timeout  (CwPool              *self);
/* Defaults to cw_pool_find_worker (). */
void      cw_pool_set_worker_path   (CwPool              *self,
                                     const char          *path);
/* Workers started by commands instead (`ssh -T node1
 * /usr/libexec/corewave-worker`, a wrapper): each command line in shell
 * syntax, slot i running command i modulo their count. NULL or empty:
 * the worker path, here. Processes mode; set before the first batch.
 * Fails, changing nothing, when a line does not parse. */
gboolean  cw_pool_set_worker_commands (CwPool              *self,
                                       const char * const  *command_lines,
                                       GError             **error);
/* $CW_WORKER_PATH, else next to this executable (the build tree), else libexecdir. */
char     *cw_pool_find_worker       (void);
/* Bytes through the workers' pipes since the pool was made, both ways (a
 * live counter for the lab; 0 in thread modes). Either pointer may be NULL. */
void      cw_pool_get_pipe_bytes    (CwPool              *self,
                                     guint64             *to_workers,
                                     guint64             *from_workers);
/* The pids of the live worker processes (empty in thread modes). */
GArray   *cw_pool_get_worker_pids   (CwPool              *self);

/* Runs every task the source gives; like Pool.imap / imap_unordered / map
 * depending on @order. Tasks are pulled from the source as workers need
 * them, so a batch of a million never sits in memory at once (except the
 * results of CW_ORDER_ALL, which map's contract keeps until the end).
 * Cancelling stops dispatch, ends the workers busy with the batch, removes
 * their partial outputs and reports their tasks as cancelled; results
 * already delivered stand. The finish function fails with
 * G_IO_ERROR_CANCELLED then, and fills @stats either way. */
void      cw_pool_map_async         (CwPool              *self,
                                     const CwJobSettings *settings,
                                     CwTaskSourceFunc     source,
                                     gpointer             source_data,
                                     GDestroyNotify       source_destroy,
                                     guint64              n_tasks_hint,
                                     CwOrder              order,
                                     CwResultFunc         on_result,
                                     gpointer             result_data,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean  cw_pool_map_finish        (CwPool              *self,
                                     GAsyncResult        *result,
                                     CwBatchStats        *stats,
                                     GError             **error);

/* Like Pool.apply_async: one task; @callback is its completion callback.
 * @task is copied. */
void      cw_pool_apply_async       (CwPool              *self,
                                     const CwJobSettings *settings,
                                     const CwTask        *task,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
CwResult *cw_pool_apply_finish      (CwPool              *self,
                                     GAsyncResult        *result,
                                     GError             **error);

/* Like Pool.close + join: lets running batches finish, then ends the
 * workers and completes once every one has been reaped. */
void      cw_pool_close_async       (CwPool              *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data);
gboolean  cw_pool_close_finish      (CwPool              *self,
                                     GAsyncResult        *result,
                                     GError             **error);

G_END_DECLS
