/* cw-pool-threads.c: the pool's thread slots (threads and sequential modes)
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A chunk runs on a GThreadPool thread, which hands its results back to the
 * pool's main context in one go; nothing else here touches the pool from a
 * thread. Cancelling stops a task between blocks (cw_task_run () checks the
 * job's cancellable).
 */

#define G_LOG_DOMAIN "corewave-pool"

#include "config.h"

#include <unistd.h>

#include "cw-pool-private.h"

static gboolean
thread_chunk_done_cb (gpointer user_data)
{
  CwChunk *chunk = user_data;
  CwSlot *slot = chunk->slot;
  CwPool *self = slot->pool;
  CwJob *job = chunk->job;

  g_queue_remove (&slot->chunks, chunk);
  cw_job_chunk_done (job, chunk, chunk->results, chunk->n_tasks);
  cw_job_maybe_finish (job);
  cw_chunk_free (chunk);
  cw_pool_dispatch (self);
  /* taken when the chunk was sent */
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
thread_run_chunk (gpointer data,
                  gpointer user_data)
{
  CwChunk *chunk = data;
  CwJob *job = chunk->job;
  gint64 stamp = g_get_monotonic_time ();
  GSource *source;

  chunk->results = g_new0 (CwResult, chunk->n_tasks);
  for (guint i = 0; i < chunk->n_tasks; i++)
    {
      const CwTask *task = &chunk->tasks[i];
      CwResult *r = &chunk->results[i];

      if (task->kind == CW_TASK_AUDIO && job->chain == NULL)
        {
          r->index = task->index;
          r->status = CW_STATUS_FAILED;
          r->pid = getpid ();
          r->error = g_strdup (job->chain_error);
          continue;
        }
      cw_task_run (&job->settings, job->chain, task, r, job->cancellable);
      if (r->start_us == 0)
        r->start_us = r->end_us = stamp;
    }

  /* Not g_main_context_invoke_full (): when the context is this thread's
   * default too (the global one) and nobody holds it at that moment, it
   * runs the callback right here, beside the main thread. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, thread_chunk_done_cb, chunk, NULL);
  g_source_attach (source, job->pool->context);
  g_source_unref (source);
}

void
cw_thread_slots_start (CwPool *self)
{
  self->threads = g_thread_pool_new (thread_run_chunk, self, self->n_workers, TRUE, NULL);
}

void
cw_thread_slots_stop (CwPool *self)
{
  if (self->threads != NULL)
    {
      g_thread_pool_free (self->threads, FALSE, TRUE);
      self->threads = NULL;
    }
}

void
cw_thread_slot_send (CwSlot  *slot,
                     CwChunk *chunk)
{
  CwPool *self = slot->pool;

  g_object_ref (self);
  g_thread_pool_push (self->threads, chunk, NULL);
}
