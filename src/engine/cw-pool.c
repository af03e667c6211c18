/* cw-pool.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pool runs on one GLib main context. Every worker slot is either a
 * corewave-worker child (cw-pool-processes.c, its process looked after by a
 * CwSupervisor) or a thread of its own (cw-pool-threads.c). A batch
 * ("job") pulls tasks from its source only when a slot needs a chunk, so
 * memory and pipes hold at most a few chunks per worker; its results go out
 * through a CwReorder in the batch's order. When a worker dies, its chunks'
 * tasks are queued again once, one task per chunk, and fail with the reason
 * the second time.
 *
 * Longer than 1,000 lines because dispatch, chunk sizing and the job's
 * life are one state machine read on every task; the parts that stand
 * alone are their own files (slots, supervisor, reorder ring).
 */

#define G_LOG_DOMAIN "corewave-pool"

#include "config.h"

#include "cw-pool.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cw-cpus.h"
#include "cw-error.h"
#include "cw-output-file.h"
#include "cw-pool-private.h"

/* auto chunk size aims at trips of this length */
#define AUTO_TARGET_TRIP_US 100000.0
/* a worker gets a second chunk queued behind its first when a trip is this
 * short: it hides the round trip that would otherwise leave it idle */
#define PIPELINE_BELOW_US   5000.0
/* and up to this many chunks behind it while they hold no more tasks than
 * this in all, and no more work than this */
#define PIPELINE_DEEP_CHUNKS 16
#define PIPELINE_DEEP_TASKS  64
#define PIPELINE_DEEP_US     1000.0

G_DEFINE_FINAL_TYPE (CwPool, cw_pool, G_TYPE_OBJECT)

enum {
  WORKER_STARTED,
  WORKER_EXITED,
  TASK_STARTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

void
cw_pool_emit_worker_started (CwPool *self,
                             guint   slot,
                             gint32  pid)
{
  g_signal_emit (self, signals[WORKER_STARTED], 0, slot, (int) pid);
}

void
cw_pool_emit_worker_exited (CwPool     *self,
                            guint       slot,
                            gint32      pid,
                            const char *reason)
{
  g_signal_emit (self, signals[WORKER_EXITED], 0, slot, (int) pid, reason);
}

/* A slot's worker is on @chunk's next task from @start_us: inferred, as
 * the pool sees it (the chunk went to an idle worker, or the task before
 * it was answered); a chunk of tasks too short to answer one by one shows
 * as its first task running until its answer. */
static gboolean
pool_reports_starts (CwPool *self)
{
  return g_signal_has_handler_pending (self, signals[TASK_STARTED], 0, FALSE);
}

/* (The index is computed, not read from the task: a chunk of trivial
 * tasks is not read again once sent.) */
static void
emit_task_started (CwChunk *chunk,
                   gint64   start_us)
{
  if (chunk->n_done >= chunk->n_tasks)
    return;
  g_signal_emit (chunk->job->pool, signals[TASK_STARTED], 0, chunk->slot->id,
                 chunk->first_index + chunk->n_done, start_us > 0 ? start_us : g_get_monotonic_time ());
}

static void pool_fail_jobs (CwPool *self,
                            GError *error);

/* ---------------------------------------------------------------------- */
/* names */

static const char * const mode_names[] = { "processes", "threads", "sequential" };
static const char * const order_names[] = { "ordered", "unordered", "all" };

const char *
cw_mode_to_string (CwMode mode)
{
  return mode <= CW_MODE_SEQUENTIAL ? mode_names[mode] : "unknown";
}

gboolean
cw_mode_from_string (const char *name,
                     CwMode     *mode)
{
  for (guint i = 0; i < G_N_ELEMENTS (mode_names); i++)
    if (g_strcmp0 (name, mode_names[i]) == 0)
      {
        *mode = i;
        return TRUE;
      }
  return FALSE;
}

const char *
cw_order_to_string (CwOrder order)
{
  return order <= CW_ORDER_ALL ? order_names[order] : "unknown";
}

gboolean
cw_order_from_string (const char *name,
                      CwOrder    *order)
{
  for (guint i = 0; i < G_N_ELEMENTS (order_names); i++)
    if (g_strcmp0 (name, order_names[i]) == 0)
      {
        *order = i;
        return TRUE;
      }
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* jobs */

static gint64
process_cpu_us (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return (gint64) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * G_USEC_PER_SEC
         + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static void
job_free (CwJob *job)
{
  CwTask *t;

  if (job->cancel_source != NULL)
    {
      g_source_destroy (job->cancel_source);
      g_source_unref (job->cancel_source);
    }
  if (job->source_destroy != NULL)
    job->source_destroy (job->source_data);
  while ((t = g_queue_pop_head (&job->retry)) != NULL)
    {
      cw_task_clear (t);
      g_free (t);
    }
  cw_reorder_clear (&job->reorder);
  cw_job_settings_clear (&job->settings);
  g_clear_pointer (&job->chain, cw_chain_free);
  g_clear_pointer (&job->chain_error, g_free);
  g_clear_object (&job->cancellable);
  g_clear_error (&job->fatal);
  g_free (job);
}

static void
job_deliver (CwJob    *job,
             CwResult *result)
{
  switch (result->status)
    {
    case CW_STATUS_OK:
      job->stats.n_ok++;
      break;
    case CW_STATUS_FAILED:
      job->stats.n_failed++;
      break;
    case CW_STATUS_CANCELLED:
    default:
      job->stats.n_cancelled++;
      break;
    }
  job->stats.n_tasks++;
  job->task_cpu_us += result->cpu_us;
  cw_reorder_add (&job->reorder, result, job->on_result, job->result_data);
}

void
cw_job_report (CwJob      *job,
               CwTask     *task,
               CwStatus    status,
               const char *reason,
               guint       attempts,
               guint       worker)
{
  CwResult result = {
    .index = task->index,
    .status = status,
    .attempts = attempts,
    .worker = worker,
    .start_us = g_get_monotonic_time (),
    .error = g_strdup (reason),
    .input_path = g_steal_pointer (&task->input_path),
  };

  result.end_us = result.start_us;
  job_deliver (job, &result);
}

/* How many tasks the next chunk of @job takes. */
static guint
job_chunk_size (CwJob *job)
{
  CwPool *self = job->pool;
  double k;
  guint64 left;

  if (self->chunk_size > 0)
    return self->chunk_size;

  /* auto: one task per chunk until a task has been timed, then enough for
   * a trip of AUTO_TARGET_TRIP_US, but small enough near the end that every
   * worker still gets a share (Pool.map's n / 4 workers). */
  if (job->est_task_us < 0)
    return 1;
  k = AUTO_TARGET_TRIP_US / MAX (job->est_task_us, 0.01);
  if (job->n_hint > job->n_submitted)
    {
      left = job->n_hint - job->n_submitted;
      k = MIN (k, (double) ((left + 4 * self->n_workers - 1) / (4 * self->n_workers)));
    }
  return (guint) CLAMP (k, 1.0, (double) CW_POOL_MAX_CHUNK_SIZE);
}

static gboolean
job_has_work (CwJob *job)
{
  if (job->cancelled || job->fatal != NULL)
    return FALSE;
  /* The cancellable's source runs on a later iteration: stop handing out
   * tasks as soon as it is cancelled, not only once that source ran. */
  if (job->cancellable != NULL && g_cancellable_is_cancelled (job->cancellable))
    return FALSE;
  if (!g_queue_is_empty (&job->retry))
    return TRUE;
  if (job->source_done)
    return FALSE;
  /* In order, a slow task holds back everything after it: stop pulling
   * more once the reorder buffer would grow past a bounded window. */
  if (job->order == CW_ORDER_ORDERED)
    {
      guint64 window = MAX (4096, 4 * (guint64) job->pool->n_workers * job_chunk_size (job));

      if (job->n_submitted - cw_reorder_get_next (&job->reorder) >= window)
        return FALSE;
    }
  return TRUE;
}

/* An array for @n tasks, a spare one when one is big enough. */
static CwTask *
pool_take_tasks (CwPool *self,
                 guint   n,
                 guint  *cap)
{
  for (guint i = 0; i < self->n_spare; i++)
    if (self->spare_caps[i] >= n)
      {
        CwTask *tasks = self->spare_tasks[i];

        *cap = self->spare_caps[i];
        self->n_spare--;
        self->spare_tasks[i] = self->spare_tasks[self->n_spare];
        self->spare_caps[i] = self->spare_caps[self->n_spare];
        return tasks;
      }
  *cap = n;
  return g_new (CwTask, n);
}

/* Keeps a finished chunk's array for the next chunks, or frees it. */
static void
pool_give_tasks (CwPool *self,
                 CwTask *tasks,
                 guint   cap)
{
  guint smallest = 0;

  if (cap < CW_POOL_SPARE_MIN || self == NULL)
    {
      g_free (tasks);
      return;
    }
  if (self->n_spare < CW_POOL_SPARE_ARRAYS)
    {
      self->spare_tasks[self->n_spare] = tasks;
      self->spare_caps[self->n_spare++] = cap;
      return;
    }
  for (guint i = 1; i < self->n_spare; i++)
    if (self->spare_caps[i] < self->spare_caps[smallest])
      smallest = i;
  if (self->spare_caps[smallest] < cap)
    {
      g_free (self->spare_tasks[smallest]);
      self->spare_tasks[smallest] = tasks;
      self->spare_caps[smallest] = cap;
    }
  else
    g_free (tasks);
}

/* Builds the next chunk of @job, or NULL when it has nothing to send now. */
static CwChunk *
job_next_chunk (CwJob *job)
{
  CwPool *self = job->pool;
  CwChunk *chunk;
  CwTask *retry;
  guint k;

  if (!job_has_work (job))
    return NULL;

  chunk = g_new0 (CwChunk, 1);
  chunk->id = ++self->next_chunk_id;
  chunk->job = job;

  retry = g_queue_pop_head (&job->retry);
  if (retry != NULL)
    {
      chunk->tasks = retry;
      chunk->n_tasks = 1;
      chunk->tasks_cap = 1;
      chunk->first_index = retry->index;
      chunk->owns_fields = TRUE;
      chunk->attempt = 1;
      return chunk;
    }

  k = job_chunk_size (job);
  chunk->tasks = pool_take_tasks (self, k, &chunk->tasks_cap);
  chunk->first_index = job->n_submitted;
  while (chunk->n_tasks < k)
    {
      CwTask *t = &chunk->tasks[chunk->n_tasks];

      memset (t, 0, sizeof *t);
      if (!job->source (job->source_data, t))
        {
          cw_task_clear (t);
          job->source_done = TRUE;
          break;
        }
      if (t->input_path != NULL || t->output_path != NULL || t->seed_key != NULL || t->data != NULL)
        chunk->owns_fields = TRUE;
      /* consecutive: a result's index is checked against first_index + its place */
      t->index = job->n_submitted++;
      chunk->n_tasks++;
    }

  if (chunk->n_tasks == 0)
    {
      pool_give_tasks (self, chunk->tasks, chunk->tasks_cap);
      g_free (chunk);
      return NULL;
    }
  /* the largest size, and the measured task time it was chosen from (a
   * later estimate would pair with a size it did not produce) */
  if (chunk->n_tasks >= job->stats.max_chunk_size && self->chunk_size == 0 && job->est_task_us >= 0)
    job->stats.auto_chosen_task_us = job->est_task_us;
  job->stats.max_chunk_size = MAX (job->stats.max_chunk_size, chunk->n_tasks);
  return chunk;
}

void
cw_chunk_free (CwChunk *chunk)
{
  if (chunk->owns_fields)
    for (guint i = 0; i < chunk->n_tasks; i++)
      cw_task_clear (&chunk->tasks[i]);
  /* a chunk is freed once it was sent, so it has a slot */
  pool_give_tasks (chunk->slot != NULL ? chunk->slot->pool : NULL, chunk->tasks, chunk->tasks_cap);
  g_free (chunk);
}

/* The result for the next task of @chunk (a worker answers a chunk in
 * one or more messages, in task order): it gets its attempt, slot and
 * input, and goes out. A chunk of trivial tasks is not read again: a
 * million of them are 64 MB of CwTask, long out of the cache. */
void
cw_job_take_result (CwJob    *job,
                    CwChunk  *chunk,
                    CwResult *result)
{
  guint i = chunk->n_done++;

  result->attempts = chunk->attempt + 1;
  result->worker = chunk->slot->id;
  if (G_UNLIKELY (chunk->owns_fields))
    {
      g_free (result->input_path);
      result->input_path = g_steal_pointer (&chunk->tasks[i].input_path);
    }
  job_deliver (job, result);
}

/* @n_results results of @chunk came back, busy for @busy_us between
 * them, the last ending at @last_end_us: learn from their times. Returns TRUE when the chunk is complete. */
gboolean
cw_job_chunk_answered (CwJob   *job,
                       CwChunk *chunk,
                       guint    n_results,
                       gint64   busy_us,
                       gint64   last_end_us)
{
  g_assert (chunk->n_done <= chunk->n_tasks);
  if (chunk->n_done == chunk->n_tasks)
    job->in_flight--;
  /* the worker goes on with the chunk's next task, or the chunk queued
   * behind this one (looked up only when someone listens) */
  if (n_results > 0 && G_UNLIKELY (pool_reports_starts (job->pool)))
    {
      GList *l = g_queue_find (&chunk->slot->chunks, chunk);

      if (chunk->n_done < chunk->n_tasks)
        emit_task_started (chunk, last_end_us);
      else if (l != NULL && l->next != NULL)
        emit_task_started (l->next->data, last_end_us);
    }
  if (n_results > 0)
    {
      double per_task = (double) busy_us / n_results;

      job->est_task_us = job->est_task_us < 0 ? per_task : 0.5 * job->est_task_us + 0.5 * per_task;
      job->stats.auto_task_us = job->est_task_us;
    }
  return chunk->n_done == chunk->n_tasks;
}

/* Results for the next @n_results tasks of @chunk, in task order. Returns
 * TRUE when the chunk is complete. */
gboolean
cw_job_chunk_done (CwJob    *job,
                   CwChunk  *chunk,
                   CwResult *results,
                   guint     n_results)
{
  gint64 busy = 0;
  gint64 last_end = n_results > 0 ? results[n_results - 1].end_us : 0;

  g_assert (chunk->n_done + n_results <= chunk->n_tasks);
  for (guint i = 0; i < n_results; i++)
    {
      busy += MAX (results[i].end_us - results[i].start_us, 0);
      cw_job_take_result (job, chunk, &results[i]);
    }
  return cw_job_chunk_answered (job, chunk, n_results, busy, last_end);
}

static void
job_finish (CwJob *job)
{
  CwPool *self = job->pool;
  g_autoptr(GTask) task = g_steal_pointer (&job->task);

  job->finished = TRUE;
  g_queue_remove (&self->jobs, job);

  /* Pool.map semantics: everything at the end, in order. Tasks never
   * submitted (a cancelled or failed batch) leave gaps: skip them. */
  cw_reorder_flush (&job->reorder, job->n_submitted, job->on_result, job->result_data);

  job->stats.wall_us = g_get_monotonic_time () - job->start_us;
  job->stats.cpu_us = process_cpu_us () - job->start_cpu_us;
  job->stats.workers_cpu_us = job->task_cpu_us;
  if (self->mode == CW_MODE_PROCESSES)
    job->stats.cpu_us += job->task_cpu_us;

  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  if (job->fatal != NULL)
    g_task_return_error (task, g_steal_pointer (&job->fatal));
  else if (job->cancelled)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  else
    g_task_return_boolean (task, TRUE);

  cw_pool_maybe_shutdown (self);
}

void
cw_job_maybe_finish (CwJob *job)
{
  if (job->finished || job->in_flight > 0)
    return;
  if (job->fatal != NULL || job->cancelled)
    {
      CwTask *t;

      while ((t = g_queue_pop_head (&job->retry)) != NULL)
        {
          cw_job_report (job, t, job->cancelled ? CW_STATUS_CANCELLED : CW_STATUS_FAILED,
                         job->cancelled ? "Cancelled" : job->fatal->message, 2, 0);
          cw_task_clear (t);
          g_free (t);
        }
      job_finish (job);
      return;
    }
  if (job->source_done && g_queue_is_empty (&job->retry))
    job_finish (job);
}

/* ---------------------------------------------------------------------- */
/* dispatch */

static gboolean
slot_can_take (CwSlot *slot,
               CwJob  *job)
{
  guint depth = 1;
  guint queued = 0;
  guint k;
  double trip_us;

  if (slot->pool->mode == CW_MODE_PROCESSES)
    {
      if (!cw_supervisor_is_accepting (slot->worker))
        return FALSE;
      /* A retry runs alone on an idle worker: queued behind (or in front
       * of) another chunk, a task that kills its worker would take an
       * innocent one down with it a second time, and that one has no
       * retry left. */
      if (!g_queue_is_empty (&job->retry))
        return g_queue_is_empty (&slot->chunks);
    }
  for (GList *l = slot->chunks.head; l != NULL; l = l->next)
    {
      CwChunk *chunk = l->data;

      if (chunk->attempt > 0)
        return FALSE;
      queued += chunk->n_tasks - chunk->n_done;
    }
  /* A worker process gets a second chunk queued behind one that should be
   * done soon, so it never waits for the round trip through the pipes;
   * never behind a task that turned out slow, where it would wait while
   * other workers sit idle. (A thread's round trip costs less, and a
   * second big chunk only has it run ahead of the main context, which
   * delivers every result: measured slower.) */
  k = job_chunk_size (job);
  trip_us = job->est_task_us * k;
  if (job->est_task_us >= 0 && trip_us < PIPELINE_BELOW_US)
    {
      CwChunk *head = g_queue_peek_head (&slot->chunks);
      gboolean head_soon = head == NULL
                           || g_get_monotonic_time () - head->sent_us < PIPELINE_BELOW_US;

      if (head_soon && slot->pool->mode == CW_MODE_PROCESSES)
        depth = 2;
      /* Chunks of a handful of trivial tasks (chunk size 1): one or two
       * of them do not cover a round trip (tens of microseconds, most of
       * it wake-ups), so more are queued, as long as they stay a handful
       * of tasks and a moment of work. */
      if (head_soon && queued + k <= PIPELINE_DEEP_TASKS
          && (g_queue_get_length (&slot->chunks) + 1) * trip_us < PIPELINE_DEEP_US)
        depth = PIPELINE_DEEP_CHUNKS;
    }
  return g_queue_get_length (&slot->chunks) < depth;
}

static void
slot_send (CwSlot  *slot,
           CwChunk *chunk)
{
  CwPool *self = slot->pool;

  chunk->slot = slot;
  chunk->sent_us = g_get_monotonic_time ();
  chunk->job->in_flight++;
  chunk->job->stats.n_trips++;
  g_queue_push_tail (&slot->chunks, chunk);
  /* an idle worker starts on it now */
  if (slot->chunks.length == 1 && G_UNLIKELY (pool_reports_starts (self)))
    emit_task_started (chunk, chunk->sent_us);
  if (chunk->attempt > 0)
    g_debug ("slot %u: retrying task %" G_GUINT64_FORMAT ", attempt %u",
             slot->id, chunk->tasks[0].index, chunk->attempt + 1);

  if (self->mode == CW_MODE_PROCESSES)
    cw_process_slot_send (slot, chunk);
  else
    cw_thread_slot_send (slot, chunk);
}

static CwJob *
pool_job_with_work (CwPool *self)
{
  for (GList *l = self->jobs.head; l != NULL; l = l->next)
    if (job_has_work (l->data))
      return l->data;
  return NULL;
}

static void
pool_fail_jobs (CwPool *self,
                GError *error)
{
  g_autoptr(GList) jobs = g_list_copy (self->jobs.head);

  for (GList *l = jobs; l != NULL; l = l->next)
    {
      CwJob *job = l->data;

      if (job->fatal == NULL)
        job->fatal = g_error_copy (error);
    }
  for (GList *l = jobs; l != NULL; l = l->next)
    cw_job_maybe_finish (l->data);
}

/* Gives every slot that can take one a chunk, round after round, so that
 * the first slots do not take everything. Spawns dead worker processes. */
void
cw_pool_dispatch (CwPool *self)
{
  gboolean progress = TRUE;

  g_object_ref (self);
  while (progress)
    {
      progress = FALSE;
      for (guint i = 0; i < self->slots->len; i++)
        {
          CwSlot *slot = g_ptr_array_index (self->slots, i);
          CwJob *job = pool_job_with_work (self);
          CwChunk *chunk;

          if (job == NULL)
            goto out;
          if (self->mode == CW_MODE_PROCESSES && !cw_supervisor_has_process (slot->worker))
            {
              g_autoptr(GError) error = NULL;

              if (!cw_process_slot_start (slot, &error))
                {
                  /* backing off, or left out while others may still run */
                  if (error == NULL || self->n_unstartable < self->slots->len)
                    continue;
                  {
                    g_autofree char *described = cw_pool_describe_worker (self, slot->id);

                    g_prefix_error (&error, "Could not start the worker %s: ", described);
                  }
                  pool_fail_jobs (self, error);
                  goto out;
                }
            }
          if (!slot_can_take (slot, job))
            continue;
          chunk = job_next_chunk (job);
          if (chunk == NULL)
            {
              cw_job_maybe_finish (job);
              progress = TRUE;
              continue;
            }
          slot_send (slot, chunk);
          progress = TRUE;
        }
    }
out:
  if (self->mode == CW_MODE_PROCESSES)
    cw_process_slots_flush (self);
  g_object_unref (self);
}

/* ---------------------------------------------------------------------- */
/* shutdown */

void
cw_pool_maybe_shutdown (CwPool *self)
{
  if (!self->closing || !g_queue_is_empty (&self->jobs))
    return;

  /* End of input tells each worker to exit; its end of file, then its
   * reaping, bring the slot down. */
  if (self->mode == CW_MODE_PROCESSES)
    for (guint i = 0; i < self->slots->len; i++)
      cw_supervisor_close_input (((CwSlot *) g_ptr_array_index (self->slots, i))->worker);

  if (self->close_tasks != NULL)
    {
      gboolean all_gone = TRUE;

      /* a worker being reaped still has its process */
      if (self->mode == CW_MODE_PROCESSES)
        for (guint i = 0; i < self->slots->len; i++)
          if (cw_supervisor_has_process (((CwSlot *) g_ptr_array_index (self->slots, i))->worker))
            all_gone = FALSE;
      if (all_gone)
        {
          g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->close_tasks);

          for (guint i = 0; i < tasks->len; i++)
            g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
        }
    }
}

void
cw_pool_close_async (CwPool              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CW_IS_POOL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_pool_close_async);
  self->closing = TRUE;
  if (self->close_tasks == NULL)
    self->close_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_ptr_array_add (self->close_tasks, g_steal_pointer (&task));
  cw_pool_maybe_shutdown (self);
}

gboolean
cw_pool_close_finish (CwPool        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---------------------------------------------------------------------- */
/* public API */

static gboolean
job_cancelled_cb (GCancellable *cancellable,
                  gpointer      user_data)
{
  CwJob *job = user_data;
  CwPool *self = g_object_ref (job->pool);

  if (job->cancelled || job->finished)
    goto out;
  job->cancelled = TRUE;

  /* Worker processes are asked to stop and answer for what they finished;
   * threads stop by themselves between blocks. */
  if (self->mode == CW_MODE_PROCESSES)
    cw_process_slots_stop_job (self, job);

  cw_job_maybe_finish (job);

out:
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static CwJob *
job_new (CwPool              *self,
         GTask               *task,
         const CwJobSettings *settings,
         GCancellable        *cancellable)
{
  CwJob *job = g_new0 (CwJob, 1);
  g_autoptr(GError) error = NULL;

  job->pool = self;
  job->task = g_object_ref (task);
  cw_job_settings_copy_into (settings, &job->settings);
  job->chain = cw_chain_parse (settings->spec ? settings->spec : "", &error);
  if (job->chain == NULL)
    job->chain_error = g_strdup (error->message);
  job->est_task_us = -1;
  job->start_us = g_get_monotonic_time ();
  job->start_cpu_us = process_cpu_us ();
  job->stats.n_workers = self->n_workers;
  job->stats.n_workers_unstarted = self->n_unstartable;
  job->stats.chunk_size = self->chunk_size;
  job->stats.mode = self->mode;
  job->stats.auto_task_us = -1;
  job->stats.auto_target_trip_us = self->chunk_size == 0 ? AUTO_TARGET_TRIP_US : 0;
  g_queue_init (&job->retry);

  if (cancellable != NULL)
    {
      job->cancellable = g_object_ref (cancellable);
      job->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (job->cancel_source, G_SOURCE_FUNC (job_cancelled_cb), job, NULL);
      g_source_attach (job->cancel_source, self->context);
    }
  return job;
}

void
cw_pool_map_async (CwPool              *self,
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
                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CwJob *job;

  g_return_if_fail (CW_IS_POOL (self));
  g_return_if_fail (settings != NULL);
  g_return_if_fail (source != NULL);
  g_return_if_fail (!self->closing);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_pool_map_async);
  g_task_set_check_cancellable (task, FALSE);

  job = job_new (self, task, settings, cancellable);
  job->source = source;
  job->source_data = source_data;
  job->source_destroy = source_destroy;
  job->n_hint = n_tasks_hint;
  job->order = order;
  job->stats.order = order;
  job->on_result = on_result;
  job->result_data = result_data;
  cw_reorder_init (&job->reorder, order, 0, n_tasks_hint);
  g_queue_push_tail (&self->jobs, job);

  cw_pool_dispatch (self);
  /* An empty source, or a fatal error at spawn, finishes at once. */
  if (!job->finished && job->in_flight == 0 && !job_has_work (job))
    cw_job_maybe_finish (job);
}

gboolean
cw_pool_map_finish (CwPool        *self,
                    GAsyncResult  *result,
                    CwBatchStats  *stats,
                    GError       **error)
{
  CwJob *job;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  job = g_task_get_task_data (G_TASK (result));
  if (stats != NULL && job != NULL)
    *stats = job->stats;
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  CwTask   task;
  gboolean given;
} OneTask;

static gboolean
one_task_next (gpointer  user_data,
               CwTask   *task)
{
  OneTask *one = user_data;

  if (one->given)
    return FALSE;
  one->given = TRUE;
  *task = one->task;
  memset (&one->task, 0, sizeof one->task);
  return TRUE;
}

static void
one_task_free (gpointer user_data)
{
  OneTask *one = user_data;

  cw_task_clear (&one->task);
  g_free (one);
}

static void
apply_result_cb (const CwResult *result,
                 gpointer        user_data)
{
  CwResult **slot = user_data;

  cw_result_free (*slot);
  *slot = cw_result_copy (result);
}

static void
apply_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CwResult **slot = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (!cw_pool_map_finish (CW_POOL (object), result, NULL, &error) && *slot == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (*slot == NULL)
    g_task_return_new_error (task, CW_ERROR, CW_ERROR_WORKER, "The task gave no result");
  else
    g_task_return_pointer (task, g_steal_pointer (slot), (GDestroyNotify) cw_result_free);
}

static void
result_slot_free (gpointer data)
{
  CwResult **slot = data;

  cw_result_free (*slot);
  g_free (slot);
}

void
cw_pool_apply_async (CwPool              *self,
                     const CwJobSettings *settings,
                     const CwTask        *task,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) gtask = NULL;
  OneTask *one;
  CwResult **slot;

  g_return_if_fail (CW_IS_POOL (self));
  g_return_if_fail (task != NULL);

  gtask = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (gtask, cw_pool_apply_async);
  slot = g_new0 (CwResult *, 1);
  g_task_set_task_data (gtask, slot, result_slot_free);

  one = g_new0 (OneTask, 1);
  cw_task_copy_into (task, &one->task);
  cw_pool_map_async (self, settings, one_task_next, one, one_task_free, 1,
                     CW_ORDER_UNORDERED, apply_result_cb, slot, cancellable,
                     apply_done_cb, g_steal_pointer (&gtask));
}

CwResult *
cw_pool_apply_finish (CwPool        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

CwPool *
cw_pool_new (CwMode mode,
             guint  n_workers)
{
  CwPool *self = g_object_new (CW_TYPE_POOL, NULL);

  if (n_workers == 0)
    n_workers = cw_cpus_usable ();
  if (mode == CW_MODE_SEQUENTIAL)
    n_workers = 1;
  self->mode = mode;
  self->n_workers = MIN (n_workers, CW_POOL_MAX_WORKERS);

  for (guint i = 0; i < self->n_workers; i++)
    {
      CwSlot *slot = g_new0 (CwSlot, 1);

      slot->pool = self;
      slot->id = i;
      g_queue_init (&slot->chunks);
      if (mode == CW_MODE_PROCESSES)
        cw_process_slot_init (slot);
      else
        cw_thread_slot_init (slot);
      g_ptr_array_add (self->slots, slot);
    }
  return self;
}

CwMode
cw_pool_get_mode (CwPool *self)
{
  g_return_val_if_fail (CW_IS_POOL (self), CW_MODE_PROCESSES);
  return self->mode;
}

guint
cw_pool_get_n_workers (CwPool *self)
{
  g_return_val_if_fail (CW_IS_POOL (self), 0);
  return self->n_workers;
}

void
cw_pool_set_chunk_size (CwPool *self,
                        guint   chunk_size)
{
  g_return_if_fail (CW_IS_POOL (self));
  self->chunk_size = MIN (chunk_size, CW_POOL_MAX_CHUNK_SIZE);
}

guint
cw_pool_get_chunk_size (CwPool *self)
{
  g_return_val_if_fail (CW_IS_POOL (self), 0);
  return self->chunk_size;
}

void
cw_pool_set_worker_nice (CwPool *self,
                         int     increment)
{
  g_return_if_fail (CW_IS_POOL (self));
  self->worker_nice = CLAMP (increment, 0, 19);
}

void
cw_pool_set_task_timeout (CwPool *self,
                          guint   ms)
{
  g_return_if_fail (CW_IS_POOL (self));
  self->task_timeout_ms = ms;
}

guint
cw_pool_get_task_timeout (CwPool *self)
{
  g_return_val_if_fail (CW_IS_POOL (self), 0);
  return self->task_timeout_ms;
}

void
cw_pool_set_worker_path (CwPool     *self,
                         const char *path)
{
  g_return_if_fail (CW_IS_POOL (self));
  g_free (self->worker_path);
  self->worker_path = path ? g_strdup (path) : cw_pool_find_worker ();
}

gboolean
cw_pool_set_worker_commands (CwPool              *self,
                             const char * const  *command_lines,
                             GError             **error)
{
  g_autoptr(GPtrArray) commands = NULL;

  g_return_val_if_fail (CW_IS_POOL (self), FALSE);

  if (command_lines != NULL && command_lines[0] != NULL)
    {
      commands = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
      for (guint i = 0; command_lines[i] != NULL; i++)
        {
          char **argv = NULL;

          if (!g_shell_parse_argv (command_lines[i], NULL, &argv, error))
            {
              g_prefix_error (error, "Worker command “%s”: ", command_lines[i]);
              return FALSE;
            }
          g_ptr_array_add (commands, argv);
        }
    }
  g_clear_pointer (&self->worker_commands, g_ptr_array_unref);
  self->worker_commands = g_steal_pointer (&commands);
  return TRUE;
}

char *
cw_pool_describe_worker (CwPool *self,
                         guint   slot)
{
  if (self->worker_commands == NULL)
    return g_strdup (self->worker_path);
  return g_strjoinv (" ", g_ptr_array_index (self->worker_commands, slot % self->worker_commands->len));
}

/* The last resort when a pool goes away with workers alive (close_async is
 * the polite way): kill them and wait here, so none is left a zombie. */
static void
cw_pool_dispose (GObject *object)
{
  CwPool *self = CW_POOL (object);

  cw_thread_slots_stop (self);

  for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
    {
      CwSlot *slot = g_ptr_array_index (self->slots, i);
      CwChunk *chunk;

      if (slot->worker != NULL)
        cw_process_slot_dispose (slot);
      while ((chunk = g_queue_pop_head (&slot->chunks)) != NULL)
        cw_chunk_free (chunk);
    }

  G_OBJECT_CLASS (cw_pool_parent_class)->dispose (object);
}

static void
slot_free (gpointer data)
{
  CwSlot *slot = data;

  if (slot->worker != NULL)
    g_clear_pointer (&slot->worker, cw_supervisor_free);
  else
    cw_thread_slot_clear (slot);
  g_free (slot);
}

static void
cw_pool_finalize (GObject *object)
{
  CwPool *self = CW_POOL (object);

  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->close_tasks, g_ptr_array_unref);
  for (guint i = 0; i < self->n_spare; i++)
    g_free (self->spare_tasks[i]);
  g_clear_pointer (&self->worker_path, g_free);
  g_clear_pointer (&self->worker_commands, g_ptr_array_unref);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (cw_pool_parent_class)->finalize (object);
}

static void
cw_pool_class_init (CwPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_pool_dispose;
  object_class->finalize = cw_pool_finalize;

  /**
   * CwPool::worker-started:
   * @slot: the slot number, from 0
   * @pid: the new worker's process id
   */
  signals[WORKER_STARTED] =
    g_signal_new ("worker-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_INT);

  /**
   * CwPool::worker-exited:
   * @slot: the slot number
   * @pid: the worker's process id
   * @reason: how it ended, e.g. "worker killed by signal 9 (Killed)"
   */
  signals[WORKER_EXITED] =
    g_signal_new ("worker-exited", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_INT, G_TYPE_STRING);

  /**
   * CwPool::task-started:
   * @slot: the slot whose worker started it
   * @index: the task's submission number
   * @start_us: when, as g_get_monotonic_time ()
   *
   * Inferred from dispatch: a chunk sent to an idle worker starts its
   * first task; an answer for some of a chunk's tasks starts the next
   * (or the next chunk's first). A run of tasks too short to answer one
   * by one is one start.
   */
  signals[TASK_STARTED] =
    g_signal_new ("task-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_UINT64, G_TYPE_INT64);

  /* Writing a chunk to a worker that just died must be an error we handle
   * (its end of file tells us the rest), not a SIGPIPE that ends us. */
  signal (SIGPIPE, SIG_IGN);
}

static void
cw_pool_init (CwPool *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->slots = g_ptr_array_new_with_free_func (slot_free);
  self->worker_path = cw_pool_find_worker ();
  g_queue_init (&self->jobs);
}
