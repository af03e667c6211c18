/* cw-pool-threads.c: the pool's thread slots (threads and sequential modes)
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each slot is a thread of its own that runs the chunks queued on it one
 * after another, task by task. Sequential mode is one such slot: its tasks
 * run in the batch's order, on one thread, at the cost of the tasks
 * themselves, while the pool's main context only pulls chunks from the
 * batch and delivers results (the window's main loop included, which must
 * never run a task itself).
 *
 * Results go back in batches (CwHandback) through a queue under the slot's
 * lock; an idle source on the pool's context drains it (never
 * g_main_context_invoke (), which may run the callback on the thread). A
 * thread wakes the main context at the end of a chunk, or at least every
 * 2 ms, but not at the end of a small chunk while the next one is already
 * queued (a wake-up costs more than a trivial task); the main context
 * delivers a few batches a turn and then lets lower-priority sources (a
 * window's drawing) have theirs. Nothing else here touches the pool from a
 * thread. Cancelling stops a task between blocks (cw_task_run () checks
 * the job's cancellable).
 */

#define G_LOG_DOMAIN "corewave-pool"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cw-pool-private.h"

/* results in one batch (about 100 KiB: from malloc's heap, not fresh pages) */
#define HANDBACK_MAX      1024
/* the main context hears from a busy thread at least this often */
#define HANDBACK_EVERY_US 2000
/* a chunk of at most this many tasks waits for the next one's end when
 * that one is queued already (as a worker process does) */
#define HOLD_MAX_TASKS    64
/* batches delivered per turn of the main loop before it lets others in */
#define DELIVER_SLICE     8

struct _CwHandback
{
  CwChunk  *chunk;
  guint     n;
  guint     cap;
  CwResult  results[];
};

/* ---------------------------------------------------------------------- */
/* the main context's side */

static void
handback_free (CwHandback *batch)
{
  for (guint i = 0; i < batch->n; i++)
    cw_result_clear (&batch->results[i]);
  g_free (batch);
}

static void
slot_unref_pool (gpointer data)
{
  CwSlot *slot = data;

  g_object_unref (slot->pool);
}

static gboolean
deliver_cb (gpointer user_data)
{
  CwSlot *slot = user_data;
  CwPool *self = g_object_ref (slot->pool);
  GQueue batches = G_QUEUE_INIT;
  CwHandback *batch;
  gboolean more;

  g_mutex_lock (&slot->lock);
  while (g_queue_get_length (&batches) < DELIVER_SLICE
         && (batch = g_queue_pop_head (&slot->handed_back)) != NULL)
    g_queue_push_tail (&batches, batch);
  more = !g_queue_is_empty (&slot->handed_back);
  if (!more)
    g_clear_pointer (&slot->deliver_source, g_source_unref);
  g_mutex_unlock (&slot->lock);

  while ((batch = g_queue_pop_head (&batches)) != NULL)
    {
      CwChunk *chunk = batch->chunk;
      CwJob *job = chunk->job;
      gboolean complete = cw_job_chunk_done (job, chunk, batch->results, batch->n);

      /* delivering took the results' contents: the batch is empty again */
      batch->n = 0;
      g_mutex_lock (&slot->lock);
      if (g_queue_get_length (&slot->spare) < 2)
        {
          g_queue_push_tail (&slot->spare, batch);
          batch = NULL;
        }
      g_mutex_unlock (&slot->lock);
      g_free (batch);
      if (complete)
        {
          g_queue_remove (&slot->chunks, chunk);
          cw_job_maybe_finish (job);
          cw_chunk_free (chunk);
        }
    }
  cw_pool_dispatch (self);
  g_object_unref (self);

  if (!more)
    return G_SOURCE_REMOVE;
  /* more to come: after the drawing and the like have had their turn */
  g_source_set_priority (g_main_current_source (), G_PRIORITY_DEFAULT_IDLE);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* the thread's side */

static CwHandback *
handback_take (CwSlot  *slot,
               CwChunk *chunk,
               guint    left)
{
  CwHandback *batch = NULL;
  guint cap = MIN (left, HANDBACK_MAX);

  g_mutex_lock (&slot->lock);
  for (GList *l = slot->spare.head; l != NULL; l = l->next)
    if (((CwHandback *) l->data)->cap >= cap)
      {
        batch = l->data;
        g_queue_delete_link (&slot->spare, l);
        break;
      }
  g_mutex_unlock (&slot->lock);
  if (batch == NULL)
    {
      batch = g_malloc (sizeof *batch + cap * sizeof (CwResult));
      batch->cap = cap;
    }
  batch->chunk = chunk;
  batch->n = 0;
  return batch;
}

/* Queues @batch for the main context, and wakes it when @wake. */
static void
handback_push (CwSlot     *slot,
               CwHandback *batch,
               gboolean    wake)
{
  GSource *source = NULL;

  g_mutex_lock (&slot->lock);
  g_queue_push_tail (&slot->handed_back, batch);
  if (wake && slot->deliver_source == NULL && !slot->stopping)
    {
      /* holds the pool until it has run: no slot goes away under it */
      source = g_idle_source_new ();
      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, deliver_cb, slot, slot_unref_pool);
      g_object_ref (slot->pool);
      slot->deliver_source = g_source_ref (source);
    }
  g_mutex_unlock (&slot->lock);
  if (source != NULL)
    {
      g_source_attach (source, slot->pool->context);
      g_source_unref (source);
    }
}

static gboolean
slot_has_queued (CwSlot *slot)
{
  gboolean queued;

  g_mutex_lock (&slot->lock);
  queued = !g_queue_is_empty (&slot->to_run);
  g_mutex_unlock (&slot->lock);
  return queued;
}

/* Runs @chunk's tasks, handing results back as it goes. FALSE when the
 * pool is stopping (what was not handed back goes with the chunk). */
static gboolean
run_chunk (CwSlot  *slot,
           CwChunk *chunk,
           gint64  *last_wake)
{
  CwJob *job = chunk->job;
  guint n = chunk->n_tasks;
  gint64 stamp = g_get_monotonic_time ();
  CwHandback *batch = NULL;

  /* Once its last batch is handed back, the chunk is the main context's
   * (it may be freed at once): nothing reads it after that. */
  for (guint i = 0; i < n; i++)
    {
      const CwTask *task = &chunk->tasks[i];
      gboolean last = i + 1 == n;
      CwResult *r;

      if (g_atomic_int_get (&slot->stopping))
        {
          g_clear_pointer (&batch, handback_free);
          return FALSE;
        }
      if (batch == NULL)
        batch = handback_take (slot, chunk, n - i);
      r = &batch->results[batch->n++];
      if (task->kind == CW_TASK_AUDIO && job->chain == NULL)
        {
          memset (r, 0, sizeof *r);
          r->index = task->index;
          r->status = CW_STATUS_FAILED;
          r->pid = getpid ();
          r->error = g_strdup (job->chain_error);
        }
      else
        cw_task_run (&job->settings, job->chain, task, r, job->cancellable);
      if (r->start_us == 0)
        r->start_us = r->end_us = stamp;

      if (last || batch->n == batch->cap || r->end_us - *last_wake >= HANDBACK_EVERY_US)
        {
          gboolean due = r->end_us - *last_wake >= HANDBACK_EVERY_US;
          gboolean wake = due || (last && (n > HOLD_MAX_TASKS || !slot_has_queued (slot)));

          handback_push (slot, g_steal_pointer (&batch), wake);
          if (wake)
            *last_wake = g_get_monotonic_time ();
        }
    }
  return TRUE;
}

static gpointer
slot_thread (gpointer data)
{
  CwSlot *slot = data;
  gint64 last_wake = g_get_monotonic_time ();

  for (;;)
    {
      CwChunk *chunk;

      g_mutex_lock (&slot->lock);
      while ((chunk = g_queue_pop_head (&slot->to_run)) == NULL && !slot->stopping)
        g_cond_wait (&slot->wake, &slot->lock);
      g_mutex_unlock (&slot->lock);
      if (chunk == NULL || !run_chunk (slot, chunk, &last_wake))
        return NULL;
    }
}

/* ---------------------------------------------------------------------- */
/* the pool's calls */

void
cw_thread_slot_init (CwSlot *slot)
{
  g_mutex_init (&slot->lock);
  g_cond_init (&slot->wake);
  g_queue_init (&slot->to_run);
  g_queue_init (&slot->handed_back);
  g_queue_init (&slot->spare);
}

void
cw_thread_slot_send (CwSlot  *slot,
                     CwChunk *chunk)
{
  /* the thread starts with the slot's first chunk */
  if (slot->thread == NULL)
    {
      g_autofree char *name = g_strdup_printf ("cw-slot-%u", slot->id);

      slot->thread = g_thread_new (name, slot_thread, slot);
    }
  g_mutex_lock (&slot->lock);
  g_queue_push_tail (&slot->to_run, chunk);
  g_cond_signal (&slot->wake);
  g_mutex_unlock (&slot->lock);
}

/* Stops every slot's thread after its task in progress (dispose): the
 * chunks it held stay the pool's to free, what it handed back is dropped. */
void
cw_thread_slots_stop (CwPool *self)
{
  for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
    {
      CwSlot *slot = g_ptr_array_index (self->slots, i);
      CwHandback *batch;
      GSource *source;

      if (slot->thread == NULL)
        continue;
      g_mutex_lock (&slot->lock);
      g_atomic_int_set (&slot->stopping, TRUE);
      g_cond_signal (&slot->wake);
      g_mutex_unlock (&slot->lock);
      g_thread_join (g_steal_pointer (&slot->thread));

      g_queue_clear (&slot->to_run);
      while ((batch = g_queue_pop_head (&slot->handed_back)) != NULL)
        handback_free (batch);
      while ((batch = g_queue_pop_head (&slot->spare)) != NULL)
        g_free (batch);
      source = g_steal_pointer (&slot->deliver_source);
      if (source != NULL)
        {
          g_source_destroy (source);
          g_source_unref (source);
        }
    }
}

void
cw_thread_slot_clear (CwSlot *slot)
{
  CwHandback *batch;

  while ((batch = g_queue_pop_head (&slot->spare)) != NULL)
    g_free (batch);
  g_mutex_clear (&slot->lock);
  g_cond_clear (&slot->wake);
}
