/* cw-pool-processes.c: the pool's process slots
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a slot's worker means to the batches: its RESULTS frames become
 * results of the chunks it holds, its death sends those chunks' unanswered
 * tasks back (cw_job_chunk_lost ()), and its per-task timer ends a worker
 * whose task hangs. Spawning, pipes, stops and reaping are its
 * CwSupervisor's.
 */

#define G_LOG_DOMAIN "corewave-pool"

#include "config.h"

#include <string.h>
#include <unistd.h>

#include "cw-error.h"
#include "cw-output-file.h"
#include "cw-pool-private.h"

static void
slot_stop_task_timer (CwSlot *slot)
{
  if (slot->task_timer != NULL)
    {
      g_source_destroy (slot->task_timer);
      g_clear_pointer (&slot->task_timer, g_source_unref);
    }
}

static void slot_restart_task_timer (CwSlot *slot);

/* No answer for a whole timeout: the task at the head of the slot hangs.
 * Read what the worker may have answered meanwhile; if nothing moved, kill
 * it and fail that task alone (its chunk's other tasks go back). */
static gboolean
slot_task_timeout_cb (gpointer user_data)
{
  CwSlot *slot = user_data;
  g_autoptr(CwPool) self = g_object_ref (slot->pool);
  CwChunk *head = g_queue_peek_head (&slot->chunks);
  guint64 head_id = head != NULL ? head->id : 0;
  guint n_done = head != NULL ? head->n_done : 0;
  g_autofree char *reason = NULL;
  gboolean eof = FALSE;

  g_clear_pointer (&slot->task_timer, g_source_unref);
  if (head == NULL || !cw_supervisor_is_accepting (slot->worker))
    return G_SOURCE_REMOVE;
  /* a result callback runs a main loop while this worker's answer is
   * being read: it answered, the timer starts again */
  if (cw_supervisor_is_reading (slot->worker))
    {
      slot_restart_task_timer (slot);
      return G_SOURCE_REMOVE;
    }
  /* dying already, or its end of file is there for the watch to handle */
  if (!cw_supervisor_read (slot->worker, &eof) || eof)
    return G_SOURCE_REMOVE;
  head = g_queue_peek_head (&slot->chunks);
  if (head == NULL || head->id != head_id || head->n_done != n_done)
    {
      /* it answered after all: the frame restarted the timer; what we read
       * here no watch will see, so dispatch as it would */
      cw_pool_dispatch (self);
      return G_SOURCE_REMOVE;
    }

  reason = g_strdup_printf ("timed out after %g s", self->task_timeout_ms / 1000.0);
  g_debug ("slot %u: task %" G_GUINT64_FORMAT " %s", slot->id,
           head->tasks[head->n_done].index, reason);
  slot->timed_out = TRUE;
  cw_supervisor_kill (slot->worker, reason, CW_STOP_TIMEOUT);
  return G_SOURCE_REMOVE;
}

/* The timeout runs from the last answer (or from the send to an idle
 * worker): with it on, workers answer every task as soon as it ends, so the
 * timer measures one task, whatever the chunk size. */
static void
slot_restart_task_timer (CwSlot *slot)
{
  CwPool *self = slot->pool;

  slot_stop_task_timer (slot);
  if (self->task_timeout_ms == 0 || g_queue_is_empty (&slot->chunks)
      || !cw_supervisor_is_running (slot->worker))
    return;
  slot->task_timer = g_timeout_source_new (self->task_timeout_ms);
  g_source_set_callback (slot->task_timer, slot_task_timeout_cb, slot, NULL);
  g_source_attach (slot->task_timer, self->context);
}

/* ---------------------------------------------------------------------- */
/* deaths */

/* The worker @pid running @chunk died: queue the tasks it had not answered
 * again, or fail them. @timed_out: the pool ended it because a task ran past
 * the per-task timeout; @hung says the chunk's next task is that one. */
static void
job_chunk_lost (CwJob      *job,
                CwChunk    *chunk,
                gint32      pid,
                const char *reason,
                gboolean    timed_out,
                gboolean    hung)
{
  guint64 first_again = 0;
  guint n_again = 0;

  job->in_flight--;
  for (guint i = chunk->n_done; i < chunk->n_tasks; i++)
    {
      CwTask *t = &chunk->tasks[i];

      /* An output is complete or absent: nobody will finish this one. (A
       * temporary without a name went with its worker; a named one of that
       * worker's is removed.) */
      if (t->output_path != NULL && pid > 0)
        {
          g_autofree char *part = cw_output_part_path (t->output_path, pid);

          (void) unlink (part);
        }

      if (job->cancelled)
        cw_job_report (job, t, CW_STATUS_CANCELLED, "Cancelled", chunk->attempt + 1,
                       chunk->slot->id);
      else if (hung && i == chunk->n_done)
        {
          /* A hang is not retried: it would only hang again. */
          g_debug ("task %" G_GUINT64_FORMAT " failed, not retried: %s", t->index, reason);
          cw_job_report (job, t, CW_STATUS_FAILED, reason, chunk->attempt + 1, chunk->slot->id);
        }
      else if ((chunk->attempt == 0 || timed_out) && job->fatal == NULL)
        {
          CwTask *again = g_new (CwTask, 1);

          if (n_again++ == 0)
            first_again = t->index;
          *again = *t;
          memset (t, 0, sizeof *t);
          /* The worker may have published the output before it died (after
           * the rename, before the answer). The retry writes the same bytes,
           * since an output never depends on the worker or the attempt: a
           * file holding exactly them is that one, and anything else at the
           * name is kept. */
          again->replace = MAX (again->replace, CW_REPLACE_IF_SAME);
          g_queue_push_tail (&job->retry, again);
          job->stats.n_retried++;
        }
      else
        {
          g_debug ("task %" G_GUINT64_FORMAT " failed after %u attempts: %s",
                   t->index, chunk->attempt + 1, reason);
          cw_job_report (job, t, CW_STATUS_FAILED, reason, chunk->attempt + 1, chunk->slot->id);
        }
    }
  if (n_again == 1)
    g_debug ("chunk %" G_GUINT64_FORMAT " lost with worker %d (%s): task %" G_GUINT64_FORMAT
             " goes back for attempt 2", chunk->id, (int) pid, reason, first_again);
  else if (n_again > 1)
    g_debug ("chunk %" G_GUINT64_FORMAT " lost with worker %d (%s): tasks %" G_GUINT64_FORMAT
             "..%" G_GUINT64_FORMAT " go back for attempt 2, one at a time", chunk->id, (int) pid,
             reason, first_again, first_again + n_again - 1);
}

/* ---------------------------------------------------------------------- */
/* the supervisor's callbacks */

/* A RESULTS frame, decoded one result at a time straight into delivery:
 * a million results never become an array. Results before a malformed one
 * stand (they are well formed, for the right tasks); the error ends the
 * worker and the chunk's unanswered tasks go back. */
static gboolean
slot_worker_frame (CwSupervisor   *worker,
                   CwMessageType   type,
                   const guint8   *frame,
                   gsize           size,
                   gpointer        user_data,
                   GError        **error)
{
  CwSlot *slot = user_data;
  CwFrameReader reader;
  CwChunk *chunk;
  CwJob *job;
  guint64 chunk_id;
  gint32 pid;
  guint n, done;
  gint64 busy = 0;
  gint64 last_end = 0;
  gboolean ok = TRUE;

  if (type != CW_MSG_RESULTS)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_PROTOCOL, "Protocol error: unexpected message");
      return FALSE;
    }
  if (!cw_protocol_results_open (&reader, frame, size, &chunk_id, &pid, &n, error))
    return FALSE;
  slot->pool->pipe_bytes_from += size;

  chunk = g_queue_peek_head (&slot->chunks);
  if (chunk == NULL || chunk->id != chunk_id || n == 0 || n > chunk->n_tasks - chunk->n_done)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_PROTOCOL,
                   "Protocol error: results for a chunk that was not sent");
      return FALSE;
    }
  job = chunk->job;
  job->stats.bytes_from_workers += size;

  for (done = 0; done < n; done++)
    {
      CwResult r;

      if (!cw_protocol_results_next (&reader, &r, error))
        {
          ok = FALSE;
          break;
        }
      if (r.index != chunk->first_index + chunk->n_done)
        {
          cw_result_clear (&r);
          g_set_error (error, CW_ERROR, CW_ERROR_PROTOCOL,
                       "Protocol error: results out of step with the chunk");
          ok = FALSE;
          break;
        }
      if (G_UNLIKELY (r.peak_rss_kb > job->stats.worker_peak_rss_kb))
        job->stats.worker_peak_rss_kb = r.peak_rss_kb;
      busy += MAX (r.end_us - r.start_us, 0);
      last_end = r.end_us;
      cw_job_take_result (job, chunk, &r);
    }
  if (ok)
    ok = cw_protocol_frame_close (&reader, error);

  if (cw_job_chunk_answered (job, chunk, done, busy, last_end))
    {
      g_queue_pop_head (&slot->chunks);
      cw_job_maybe_finish (job);
      cw_chunk_free (chunk);
    }
  if (ok && cw_supervisor_is_running (worker))
    slot_restart_task_timer (slot);
  return ok;
}

static void
slot_worker_hello (CwSupervisor *worker,
                   gpointer      user_data)
{
  CwSlot *slot = user_data;

  slot->pool->startup_failures = 0;
}

static void
slot_worker_read (CwSupervisor *worker,
                  gpointer      user_data)
{
  CwSlot *slot = user_data;

  cw_pool_dispatch (slot->pool);
}

/* Reaped: only now, knowing how it ended, do its chunks' unanswered tasks
 * go back to their jobs (or fail). */
static void
slot_worker_exited (CwSupervisor       *worker,
                    const CwWorkerExit *exit,
                    gpointer            user_data)
{
  CwSlot *slot = user_data;
  CwPool *self = slot->pool;
  g_autofree char *described = cw_pool_describe_worker (self, slot->id);
  g_autoptr(GList) jobs = NULL;
  gboolean timed_out = slot->timed_out;
  gboolean hung = timed_out;
  CwChunk *chunk;

  slot_stop_task_timer (slot);
  slot->timed_out = FALSE;

  if (exit->start_failure && !self->closing)
    self->startup_failures++;

  while ((chunk = g_queue_pop_head (&slot->chunks)) != NULL)
    {
      CwJob *job = chunk->job;

      if (self->startup_failures >= CW_POOL_MAX_STARTUP_FAILURES && job->fatal == NULL)
        job->fatal = g_error_new (CW_ERROR, CW_ERROR_WORKER,
                                  "The worker could not start (%s): %s", exit->reason, described);
      job_chunk_lost (job, chunk, exit->pid, exit->reason, timed_out, hung);
      hung = FALSE;
      /* one death, however many of its chunks it held */
      if (g_list_find (jobs, job) == NULL)
        {
          jobs = g_list_prepend (jobs, job);
          job->stats.n_worker_deaths++;
        }
      cw_chunk_free (chunk);
    }

  cw_pool_emit_worker_exited (self, slot->id, exit->pid, exit->reason);

  /* A fatal error fails every batch, not just the ones with chunks out. */
  if (self->startup_failures >= CW_POOL_MAX_STARTUP_FAILURES)
    {
      g_debug ("slot %u: %u workers in a row died before their hello: failing every batch",
               slot->id, self->startup_failures);
      for (GList *l = self->jobs.head; l != NULL; l = l->next)
        {
          CwJob *job = l->data;

          if (job->fatal == NULL)
            job->fatal = g_error_new (CW_ERROR, CW_ERROR_WORKER,
                                      "The worker could not start (%s): %s", exit->reason,
                                      described);
          if (g_list_find (jobs, job) == NULL)
            jobs = g_list_prepend (jobs, job);
        }
    }

  for (GList *l = jobs; l != NULL; l = l->next)
    cw_job_maybe_finish (l->data);

  cw_pool_maybe_shutdown (self);
  cw_pool_dispatch (self);
}

static void
slot_worker_ready (CwSupervisor *worker,
                   gpointer      user_data)
{
  CwSlot *slot = user_data;
  CwPool *self = slot->pool;

  /* a slot left out gets another chance after its back-off */
  if (slot->left_out)
    {
      slot->left_out = FALSE;
      self->n_unstartable--;
    }
  cw_pool_dispatch (self);
}

static const CwSupervisorFuncs slot_worker_funcs = {
  .frame = slot_worker_frame,
  .hello = slot_worker_hello,
  .read = slot_worker_read,
  .exited = slot_worker_exited,
  .ready = slot_worker_ready,
};

/* ---------------------------------------------------------------------- */
/* the pool's side */

void
cw_process_slot_init (CwSlot *slot)
{
  slot->worker = cw_supervisor_new (slot->id, G_OBJECT (slot->pool), slot->pool->context,
                                    &slot_worker_funcs, slot);
}

gboolean
cw_process_slot_start (CwSlot  *slot,
                       GError **error)
{
  CwPool *self = slot->pool;
  CwWorkerLaunch launch = {
    .path = self->worker_path,
    .command = self->worker_commands != NULL
               ? g_ptr_array_index (self->worker_commands, slot->id % self->worker_commands->len)
               : NULL,
    .nice = self->worker_nice,
    /* the per-task timeout needs every task answered as it ends */
    .answer_each = self->task_timeout_ms > 0,
  };

  if (self->startup_failures >= CW_POOL_MAX_STARTUP_FAILURES || slot->left_out
      || cw_supervisor_is_backing_off (slot->worker))
    return FALSE;
  if (!cw_supervisor_spawn (slot->worker, &launch, error))
    {
      /* Out of descriptors or processes: the batch goes on with the
       * workers that did start, and fails only with none. */
      slot->left_out = TRUE;
      self->n_unstartable++;
      for (GList *l = self->jobs.head; l != NULL; l = l->next)
        {
          CwJob *job = l->data;

          job->stats.n_workers_unstarted = MAX (job->stats.n_workers_unstarted,
                                                self->n_unstartable);
        }
      g_debug ("slot %u: left out: %s", slot->id, (*error)->message);
      return FALSE;
    }
  cw_pool_emit_worker_started (self, slot->id, cw_supervisor_get_pid (slot->worker));
  return TRUE;
}

void
cw_process_slot_send (CwSlot  *slot,
                      CwChunk *chunk)
{
  CwPool *self = slot->pool;
  GByteArray *outbox = cw_supervisor_get_outbox (slot->worker);
  gsize before = outbox->len;

  cw_protocol_encode_chunk (outbox, chunk->id, &chunk->job->settings, chunk->tasks, chunk->n_tasks);
  chunk->job->stats.bytes_to_workers += outbox->len - before;
  self->pipe_bytes_to += outbox->len - before;
  /* written by cw_process_slots_flush () once the dispatch is done, so
   * chunks sent together go in one write */
  if (slot->task_timer == NULL)
    slot_restart_task_timer (slot);
}

void
cw_process_slots_flush (CwPool *self)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      CwSlot *slot = g_ptr_array_index (self->slots, i);

      if (cw_supervisor_has_process (slot->worker))
        cw_supervisor_flush (slot->worker);
    }
}

void
cw_process_slot_dispose (CwSlot *slot)
{
  CwChunk *chunk;
  gint32 pid;

  slot_stop_task_timer (slot);
  pid = cw_supervisor_kill_and_wait (slot->worker);
  while ((chunk = g_queue_pop_head (&slot->chunks)) != NULL)
    {
      for (guint j = 0; j < chunk->n_tasks; j++)
        if (chunk->tasks[j].output_path != NULL && pid > 0)
          {
            g_autofree char *part = cw_output_part_path (chunk->tasks[j].output_path, pid);

            (void) unlink (part);
          }
      cw_chunk_free (chunk);
    }
}

/* Cancel: ask the workers busy with @job to stop. A worker cancels the file
 * it is writing (removing its part file), answers for everything it
 * finished, then exits; so a complete output is never reported as
 * cancelled. The pipes stay open until its end of file. One that does not
 * stop in time is killed; its reaping reports the rest. */
void
cw_process_slots_stop_job (CwPool *self,
                           CwJob  *job)
{
  for (guint i = 0; i < self->slots->len; i++)
    {
      CwSlot *slot = g_ptr_array_index (self->slots, i);

      for (GList *l = slot->chunks.head; l != NULL; l = l->next)
        if (((CwChunk *) l->data)->job == job)
          {
            cw_supervisor_stop (slot->worker, CW_POOL_CANCEL_GRACE_S);
            break;
          }
    }
}

/* ---------------------------------------------------------------------- */
/* public API about the workers */

char *
cw_pool_find_worker (void)
{
  const char *env = g_getenv ("CW_WORKER_PATH");
  g_autofree char *self_exe = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *beside = NULL;

  if (env != NULL && *env != '\0')
    return g_strdup (env);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe != NULL)
    {
      dir = g_path_get_dirname (self_exe);
      beside = g_build_filename (dir, "corewave-worker", NULL);
      if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&beside);
      g_clear_pointer (&beside, g_free);
      /* from the build tree's tests/ folder */
      beside = g_build_filename (dir, "..", "src", "corewave-worker", NULL);
      if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
        return g_steal_pointer (&beside);
      g_clear_pointer (&beside, g_free);
      /* installed: libexecdir relative to bindir, so a tree installed
       * under a DESTDIR or moved to another prefix uses its own worker */
      beside = g_build_filename (dir, BINDIR_TO_LIBEXECDIR, "corewave-worker", NULL);
      if (g_file_test (beside, G_FILE_TEST_IS_EXECUTABLE))
        return g_canonicalize_filename (beside, NULL);
    }
  return g_build_filename (LIBEXECDIR, "corewave-worker", NULL);
}

GArray *
cw_pool_get_worker_pids (CwPool *self)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (gint32));

  g_return_val_if_fail (CW_IS_POOL (self), pids);

  for (guint i = 0; i < self->slots->len; i++)
    {
      CwSlot *slot = g_ptr_array_index (self->slots, i);
      gint32 pid = slot->worker != NULL ? cw_supervisor_get_pid (slot->worker) : 0;

      if (pid > 0)
        g_array_append_val (pids, pid);
    }
  return pids;
}

void
cw_pool_get_pipe_bytes (CwPool  *self,
                        guint64 *to_workers,
                        guint64 *from_workers)
{
  g_return_if_fail (CW_IS_POOL (self));

  if (to_workers != NULL)
    *to_workers = self->pipe_bytes_to;
  if (from_workers != NULL)
    *from_workers = self->pipe_bytes_from;
}
