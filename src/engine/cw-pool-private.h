/* cw-pool-private.h: what the pool's files share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cw-pool.h"
#include "cw-reorder.h"
#include "cw-spec.h"
#include "cw-supervisor.h"

G_BEGIN_DECLS

/* a cancelled worker that has not stopped after this long is killed */
#define CW_POOL_CANCEL_GRACE_S 3
/* a worker that dies this many times in a row before saying hello is broken */
#define CW_POOL_MAX_STARTUP_FAILURES 3
/* task arrays of finished chunks kept for the next ones, and the smallest
 * worth keeping (64 KiB: smaller ones malloc serves from its heap) */
#define CW_POOL_SPARE_ARRAYS 8
#define CW_POOL_SPARE_MIN    1024

typedef struct _CwJob      CwJob;
typedef struct _CwSlot     CwSlot;
typedef struct _CwChunk    CwChunk;
typedef struct _CwHandback CwHandback;

/* Tasks of one job sent together to one slot. */
struct _CwChunk
{
  guint64    id;
  CwJob     *job;
  CwSlot    *slot;
  CwTask    *tasks;      /* their indices are first_index, first_index + 1, ... */
  guint      n_tasks;
  guint      tasks_cap;  /* the array's room, for the pool's spare arrays */
  guint64    first_index;
  gboolean   owns_fields; /* some task has strings or data: the results take
                           * their input paths from the tasks, and freeing
                           * the chunk frees them */
  guint      attempt;    /* 0, or 1 for a retry */
  guint      n_done;     /* results received so far: tasks[0 .. n_done) */
  gint64     sent_us;
};

/* A place for work: a worker process (cw-pool-processes.c) or a thread
 * (cw-pool-threads.c). */
struct _CwSlot
{
  CwPool       *pool;
  guint         id;
  GQueue        chunks;      /* CwChunk*, in the order sent */

  /* processes mode */
  CwSupervisor *worker;
  gboolean      left_out;    /* its spawn failed (fd or process limits): out until
                              * its back-off ends; the batch runs on the others */
  GSource      *task_timer;  /* the per-task timeout, restarted on every answer */
  gboolean      timed_out;   /* the head chunk's next task hung: fail it alone */

  /* thread modes: the thread and what it shares with the main context */
  GThread      *thread;
  GMutex        lock;
  GCond         wake;
  GQueue        to_run;         /* CwChunk*: sent, not started yet (lock) */
  GQueue        handed_back;    /* CwHandback*: for the main context (lock) */
  GQueue        spare;          /* CwHandback*: delivered, to use again (lock) */
  GSource      *deliver_source; /* attached while handed_back waits (lock) */
  gint          stopping;       /* the pool goes away (lock, or atomic) */
};

/* A batch (cw_pool_map_async) or a single task (cw_pool_apply_async). */
struct _CwJob
{
  CwPool          *pool;
  GTask           *task;
  CwJobSettings    settings;
  CwChain         *chain;          /* NULL if settings.spec does not parse */
  char            *chain_error;
  CwTaskSourceFunc source;
  gpointer         source_data;
  GDestroyNotify   source_destroy;
  gboolean         source_done;
  guint64          n_hint;
  guint64          n_submitted;
  CwOrder          order;
  CwResultFunc     on_result;
  gpointer         result_data;
  GCancellable    *cancellable;
  GSource         *cancel_source;
  gboolean         cancelled;
  GQueue           retry;          /* CwTask*, to run again one by one */
  guint            in_flight;      /* chunks out */
  CwReorder        reorder;
  double           est_task_us;    /* < 0 until measured */
  gint64           start_us;
  gint64           start_cpu_us;
  gint64           task_cpu_us;
  CwBatchStats     stats;
  GError          *fatal;
  gboolean         finished;
};

struct _CwPool
{
  GObject       parent_instance;

  CwMode        mode;
  guint         n_workers;
  guint         chunk_size;
  char         *worker_path;
  GPtrArray    *worker_commands; /* GStrv each (argv), or NULL: worker_path */
  int           worker_nice;
  guint         task_timeout_ms; /* 0: off */
  GMainContext *context;

  GPtrArray    *slots;           /* CwSlot*, n_workers of them */
  GQueue        jobs;            /* CwJob*, oldest first */
  guint64       next_chunk_id;
  guint         startup_failures;
  guint         n_unstartable;   /* slots left out: their worker could not be spawned */
  GPtrArray    *close_tasks;     /* GTask*, waiting for close to complete */
  gboolean      closing;
  guint64       pipe_bytes_to;   /* frames written to workers, all batches */
  guint64       pipe_bytes_from; /* frames read from workers */

  /* A chunk of 16,384 tasks is a 1 MiB array: fresh from malloc each
   * time, its pages fault in as the tasks are pulled. Finished chunks'
   * big arrays are kept here for the next ones. */
  CwTask       *spare_tasks[CW_POOL_SPARE_ARRAYS];
  guint         spare_caps[CW_POOL_SPARE_ARRAYS];
  guint         n_spare;
};

/* cw-pool.c */
void     cw_pool_dispatch            (CwPool     *self);
void     cw_pool_maybe_shutdown      (CwPool     *self);
void     cw_pool_emit_worker_started (CwPool     *self,
                                      guint       slot,
                                      gint32      pid);
void     cw_pool_emit_worker_exited  (CwPool     *self,
                                      guint       slot,
                                      gint32      pid,
                                      const char *reason);
void     cw_job_report               (CwJob      *job,
                                      CwTask     *task,
                                      CwStatus    status,
                                      const char *reason,
                                      guint       attempts,
                                      guint       worker);
void     cw_job_take_result          (CwJob      *job,
                                      CwChunk    *chunk,
                                      CwResult   *result);
gboolean cw_job_chunk_answered       (CwJob      *job,
                                      CwChunk    *chunk,
                                      guint       n_results,
                                      gint64      busy_us,
                                      gint64      last_end_us);
gboolean cw_job_chunk_done           (CwJob      *job,
                                      CwChunk    *chunk,
                                      CwResult   *results,
                                      guint       n_results);
void     cw_job_maybe_finish         (CwJob      *job);
void     cw_chunk_free               (CwChunk    *chunk);

/* cw-pool-processes.c: a slot's worker process */
void     cw_process_slot_init        (CwSlot     *slot);
/* Spawns the slot's worker unless it is backing off or left out; @error
 * is set only when a spawn was tried and failed (the slot is left out). */
gboolean cw_process_slot_start       (CwSlot     *slot,
                                      GError    **error);
void     cw_process_slot_send        (CwSlot     *slot,
                                      CwChunk    *chunk);
/* Writes what the dispatch put in the workers' outboxes. */
void     cw_process_slots_flush      (CwPool     *self);
void     cw_process_slots_stop_job   (CwPool     *self,
                                      CwJob      *job);
/* Ends the slot's worker and removes its chunks' part files (dispose). */
void     cw_process_slot_dispose     (CwSlot     *slot);

/* cw-pool-threads.c: thread slots (threads and sequential modes) */
void     cw_thread_slot_init         (CwSlot     *slot);
void     cw_thread_slot_clear        (CwSlot     *slot);
void     cw_thread_slots_stop        (CwPool     *self);
void     cw_thread_slot_send         (CwSlot     *slot,
                                      CwChunk    *chunk);

/* The worker path, or slot @slot's worker command as one line, for an
 * error message. */
char *cw_pool_describe_worker (CwPool *self,
                               guint   slot);

G_END_DECLS
