/* cw-pool.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pool runs on one GLib main context. Every worker slot is either a
 * corewave-worker child (its pipes watched with GIOChannel watches, the
 * parent's ends non-blocking) or a place in a GThreadPool. A batch ("job")
 * pulls tasks from its source only when a slot needs a chunk, so memory and
 * pipes hold at most a few chunks per worker. When a worker dies, its
 * chunks' tasks are queued again once, one task per chunk, and fail with the
 * reason the second time.
 */

#include "config.h"

#include "cw-pool.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

#include "cw-cpus.h"
#include "cw-error.h"
#include "cw-protocol.h"
#include "cw-reorder.h"
#include "cw-spec.h"

/* auto chunk size aims at trips of this length */
#define AUTO_TARGET_TRIP_US 100000.0
/* a worker gets a second chunk queued behind its first when a trip is this
 * short: it hides the round trip that would otherwise leave it idle */
#define PIPELINE_BELOW_US   5000.0
/* a cancelled worker that has not stopped after this long is killed */
#define CANCEL_GRACE_S 3
/* a worker that dies this many times in a row before saying hello is broken */
#define MAX_STARTUP_FAILURES 3

typedef struct _CwJob   CwJob;
typedef struct _CwSlot  CwSlot;
typedef struct _CwChunk CwChunk;

struct _CwChunk
{
  guint64    id;
  CwJob     *job;
  CwSlot    *slot;
  CwTask    *tasks;
  guint      n_tasks;
  guint      attempt;    /* 0, or 1 for a retry */
  guint      n_done;     /* results received so far: tasks[0 .. n_done) */
  gint64     sent_us;
  CwResult  *results;    /* thread modes: filled by the thread */
};

struct _CwSlot
{
  CwPool       *pool;
  guint         id;
  GQueue        chunks;      /* CwChunk*, in the order sent */

  /* processes mode */
  GSubprocess  *proc;
  gint32        pid;
  int           in_fd;
  int           out_fd;
  GIOChannel   *in_channel;
  GIOChannel   *out_channel;
  guint         in_watch;
  guint         out_watch;
  GByteArray   *rbuf;
  gsize         rpos;
  GByteArray   *wbuf;
  gsize         wpos;
  gboolean      said_hello;
  gboolean      unstartable; /* spawning failed (fd or process limits): left out */
  gboolean      dying;       /* pipes closed, waiting to reap */
  gboolean      killed;      /* asked to stop: takes no more chunks, read to end of file */
  guint         kill_timeout; /* SIGKILL if it has not stopped after SIGTERM */
  char         *death_reason;
  GSource      *task_timer;   /* the per-task timeout, restarted on every answer */
  gboolean      timed_out;    /* the head chunk's next task hung: fail it alone */
};

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
  int           worker_nice;
  guint         task_timeout_ms; /* 0: off */
  GMainContext *context;

  GPtrArray    *slots;           /* CwSlot*, n_workers of them */
  GQueue        jobs;            /* CwJob*, oldest first */
  guint64       next_chunk_id;
  GThreadPool  *threads;
  guint         n_reaping;       /* children whose wait is pending */
  guint         startup_failures;
  guint         n_unstartable;   /* slots whose worker could not be spawned */
  GPtrArray    *close_tasks;     /* GTask*, waiting for close to complete */
  gboolean      closing;
  guint         dispatch_source;
  guint64       pipe_bytes_to;   /* frames written to workers, all batches */
  guint64       pipe_bytes_from; /* frames read from workers */
};

G_DEFINE_FINAL_TYPE (CwPool, cw_pool, G_TYPE_OBJECT)

enum {
  WORKER_STARTED,
  WORKER_EXITED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void pool_dispatch       (CwPool  *self);
static void slot_start_death    (CwSlot  *slot,
                                 const char *reason);
static void job_maybe_finish    (CwJob   *job);
static void pool_maybe_shutdown (CwPool  *self);

/* ---------------------------------------------------------------------- */
/* names */

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

static void
job_report (CwJob      *job,
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

  if (self->mode == CW_MODE_SEQUENTIAL)
    return self->chunk_size > 0 ? self->chunk_size : 1;
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
      chunk->attempt = 1;
      return chunk;
    }

  k = job_chunk_size (job);
  chunk->tasks = g_new0 (CwTask, k);
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
      t->index = job->n_submitted++;
      chunk->n_tasks++;
    }

  if (chunk->n_tasks == 0)
    {
      g_free (chunk->tasks);
      g_free (chunk);
      return NULL;
    }
  job->stats.max_chunk_size = MAX (job->stats.max_chunk_size, chunk->n_tasks);
  return chunk;
}

static void
chunk_free (CwChunk *chunk)
{
  for (guint i = 0; i < chunk->n_tasks; i++)
    cw_task_clear (&chunk->tasks[i]);
  if (chunk->results != NULL)
    for (guint i = 0; i < chunk->n_tasks; i++)
      cw_result_clear (&chunk->results[i]);
  g_free (chunk->results);
  g_free (chunk->tasks);
  g_free (chunk);
}

/* Results for the next @n_results tasks of @chunk came back (a worker
 * answers a chunk in one or more messages, in task order): deliver them and
 * learn from their times. Returns TRUE when the chunk is complete. */
static gboolean
job_chunk_done (CwJob    *job,
                CwChunk  *chunk,
                CwResult *results,
                guint     n_results)
{
  gint64 busy = 0;

  g_assert (chunk->n_done + n_results <= chunk->n_tasks);
  for (guint i = 0; i < n_results; i++)
    {
      CwResult *r = &results[i];

      busy += MAX (r->end_us - r->start_us, 0);
      r->attempts = chunk->attempt + 1;
      r->worker = chunk->slot->id;
      g_clear_pointer (&r->input_path, g_free);
      r->input_path = g_steal_pointer (&chunk->tasks[chunk->n_done + i].input_path);
      job_deliver (job, r);
    }
  chunk->n_done += n_results;
  if (chunk->n_done == chunk->n_tasks)
    job->in_flight--;
  if (n_results > 0)
    {
      double per_task = (double) busy / n_results;

      job->est_task_us = job->est_task_us < 0 ? per_task : 0.5 * job->est_task_us + 0.5 * per_task;
      job->stats.auto_task_us = job->est_task_us;
    }
  return chunk->n_done == chunk->n_tasks;
}

/* The worker running @chunk died: queue the tasks it had not answered
 * again, or fail them. @timed_out: the pool ended it because a task ran past
 * the per-task timeout; @hung says the chunk's next task is that one. */
static void
job_chunk_lost (CwJob      *job,
                CwChunk    *chunk,
                const char *reason,
                gboolean    timed_out,
                gboolean    hung)
{
  job->in_flight--;
  for (guint i = chunk->n_done; i < chunk->n_tasks; i++)
    {
      CwTask *t = &chunk->tasks[i];

      /* An output is complete or absent: nobody will finish this one. (A
       * temporary without a name went with its worker; a named one of that
       * worker's is removed.) */
      if (t->output_path != NULL && chunk->slot->pid > 0)
        {
          g_autofree char *part = cw_output_part_path (t->output_path, chunk->slot->pid);

          (void) unlink (part);
        }

      if (job->cancelled)
        job_report (job, t, CW_STATUS_CANCELLED, "Cancelled", chunk->attempt + 1, chunk->slot->id);
      else if (hung && i == chunk->n_done)
        /* A hang is not retried: it would only hang again. */
        job_report (job, t, CW_STATUS_FAILED, reason, chunk->attempt + 1, chunk->slot->id);
      else if ((chunk->attempt == 0 || timed_out) && job->fatal == NULL)
        {
          CwTask *again = g_new (CwTask, 1);

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
        job_report (job, t, CW_STATUS_FAILED, reason, chunk->attempt + 1, chunk->slot->id);
    }
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
  if (self->mode == CW_MODE_PROCESSES)
    job->stats.cpu_us += job->task_cpu_us;

  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  if (job->fatal != NULL)
    g_task_return_error (task, g_steal_pointer (&job->fatal));
  else if (job->cancelled)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "Cancelled");
  else
    g_task_return_boolean (task, TRUE);

  pool_maybe_shutdown (self);
}

static void
job_maybe_finish (CwJob *job)
{
  if (job->finished || job->in_flight > 0)
    return;
  if (job->fatal != NULL || job->cancelled)
    {
      CwTask *t;

      while ((t = g_queue_pop_head (&job->retry)) != NULL)
        {
          job_report (job, t, job->cancelled ? CW_STATUS_CANCELLED : CW_STATUS_FAILED,
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
/* process slots */

static void
slot_stop_task_timer (CwSlot *slot)
{
  if (slot->task_timer != NULL)
    {
      g_source_destroy (slot->task_timer);
      g_clear_pointer (&slot->task_timer, g_source_unref);
    }
}

static gboolean slot_read_frames (CwSlot   *slot,
                                  gboolean *eof_out);
static void     slot_restart_task_timer (CwSlot *slot);

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
  if (head == NULL || slot->dying || slot->killed || slot->proc == NULL)
    return G_SOURCE_REMOVE;
  /* dying already, or its end of file is there for the watch to handle */
  if (!slot_read_frames (slot, &eof) || eof)
    return G_SOURCE_REMOVE;
  head = g_queue_peek_head (&slot->chunks);
  if (head == NULL || head->id != head_id || head->n_done != n_done)
    {
      /* it answered after all: slot_handle_frame restarted the timer; what
       * we read here no watch will see, so dispatch as it would */
      pool_dispatch (self);
      return G_SOURCE_REMOVE;
    }

  reason = g_strdup_printf ("timed out after %g s", self->task_timeout_ms / 1000.0);
  slot->timed_out = TRUE;
  g_clear_handle_id (&slot->out_watch, g_source_remove);
  slot_start_death (slot, reason);
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
  if (self->task_timeout_ms == 0 || self->mode != CW_MODE_PROCESSES
      || g_queue_is_empty (&slot->chunks) || slot->dying)
    return;
  slot->task_timer = g_timeout_source_new (self->task_timeout_ms);
  g_source_set_callback (slot->task_timer, slot_task_timeout_cb, slot, NULL);
  g_source_attach (slot->task_timer, self->context);
}

static void
slot_close_pipes (CwSlot *slot)
{
  g_clear_handle_id (&slot->in_watch, g_source_remove);
  g_clear_handle_id (&slot->out_watch, g_source_remove);
  g_clear_pointer (&slot->in_channel, g_io_channel_unref);
  g_clear_pointer (&slot->out_channel, g_io_channel_unref);
  /* The fds belong to the GSubprocess's pipe streams: closing those streams
   * closes them exactly once. */
  if (slot->proc != NULL)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (slot->proc);
      GInputStream *out = g_subprocess_get_stdout_pipe (slot->proc);

      if (in != NULL)
        g_output_stream_close (in, NULL, NULL);
      if (out != NULL)
        g_input_stream_close (out, NULL, NULL);
    }
  slot->in_fd = -1;
  slot->out_fd = -1;
  g_clear_pointer (&slot->rbuf, g_byte_array_unref);
  g_clear_pointer (&slot->wbuf, g_byte_array_unref);
  slot->rpos = slot->wpos = 0;
}

static gboolean
slot_handle_frame (CwSlot        *slot,
                   CwMessageType  type,
                   const guint8  *frame,
                   gsize          size,
                   GError       **error)
{
  g_auto(CwResultsMessage) msg = { 0 };
  CwChunk *chunk;
  gint32 pid;

  if (type == CW_MSG_HELLO)
    {
      if (!cw_protocol_decode_hello (frame, size, &pid, error))
        return FALSE;
      slot->said_hello = TRUE;
      slot->pool->startup_failures = 0;
      return TRUE;
    }
  if (type != CW_MSG_RESULTS)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_PROTOCOL, "Protocol error: unexpected message");
      return FALSE;
    }
  if (!cw_protocol_decode_results (frame, size, &msg, error))
    return FALSE;
  slot->pool->pipe_bytes_from += size;

  chunk = g_queue_peek_head (&slot->chunks);
  if (chunk == NULL || chunk->id != msg.chunk_id || msg.n_results == 0
      || msg.n_results > chunk->n_tasks - chunk->n_done)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_PROTOCOL,
                   "Protocol error: results for a chunk that was not sent");
      return FALSE;
    }
  for (guint i = 0; i < msg.n_results; i++)
    if (msg.results[i].index != chunk->tasks[chunk->n_done + i].index)
      {
        g_set_error (error, CW_ERROR, CW_ERROR_PROTOCOL,
                     "Protocol error: results out of step with the chunk");
        return FALSE;
      }

  chunk->job->stats.bytes_from_workers += size;
  for (guint i = 0; i < msg.n_results; i++)
    chunk->job->stats.worker_peak_rss_kb = MAX (chunk->job->stats.worker_peak_rss_kb,
                                                msg.results[i].peak_rss_kb);
  if (job_chunk_done (chunk->job, chunk, msg.results, msg.n_results))
    {
      g_queue_pop_head (&slot->chunks);
      job_maybe_finish (chunk->job);
      chunk_free (chunk);
    }
  if (!slot->dying)
    slot_restart_task_timer (slot);
  return TRUE;
}

/* Reads what the worker has written so far and handles every whole frame.
 * Returns FALSE when the slot started dying (a protocol error, or a result
 * callback that cancelled the batch); @eof says the worker closed its end. */
static gboolean
slot_read_frames (CwSlot   *slot,
                  gboolean *eof_out)
{
  gboolean eof = FALSE;

  for (;;)
    {
      gsize old = slot->rbuf->len;
      ssize_t n;

      g_byte_array_set_size (slot->rbuf, old + 65536);
      n = read (slot->out_fd, slot->rbuf->data + old, 65536);
      g_byte_array_set_size (slot->rbuf, old + MAX (n, 0));
      if (n > 0)
        continue;
      if (n == 0)
        eof = TRUE;
      else if (errno == EINTR)
        continue;
      else if (errno != EAGAIN && errno != EWOULDBLOCK)
        eof = TRUE;
      break;
    }

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      CwMessageType type;
      gsize size;
      const guint8 *p = slot->rbuf->data + slot->rpos;
      gsize avail = slot->rbuf->len - slot->rpos;

      if (!cw_protocol_peek_frame (p, avail, &type, &size, &error))
        {
          if (error != NULL)
            {
              g_clear_handle_id (&slot->out_watch, g_source_remove);
              slot_start_death (slot, error->message);
              return FALSE;
            }
          break;
        }
      if (!slot_handle_frame (slot, type, p, size, &error))
        {
          g_clear_handle_id (&slot->out_watch, g_source_remove);
          slot_start_death (slot, error->message);
          return FALSE;
        }
      /* A result callback may have cancelled a batch and ended this worker. */
      if (slot->dying)
        return FALSE;
      slot->rpos += size;
    }

  if (slot->rpos > 0 && slot->rpos == slot->rbuf->len)
    {
      g_byte_array_set_size (slot->rbuf, 0);
      slot->rpos = 0;
    }
  else if (slot->rpos > 1024 * 1024)
    {
      g_byte_array_remove_range (slot->rbuf, 0, slot->rpos);
      slot->rpos = 0;
    }

  *eof_out = eof;
  return TRUE;
}

static gboolean
slot_readable_cb (GIOChannel   *channel,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  CwSlot *slot = user_data;
  g_autoptr(CwPool) self = g_object_ref (slot->pool);
  gboolean eof = FALSE;

  if (!slot_read_frames (slot, &eof))
    {
      /* slot_read_frames removed the watch already when it had one */
      return G_SOURCE_REMOVE;
    }

  if (eof)
    {
      g_clear_handle_id (&slot->out_watch, g_source_remove);
      slot_start_death (slot, slot->rbuf->len > slot->rpos ? "Protocol error: truncated message" : NULL);
      return G_SOURCE_REMOVE;
    }

  pool_dispatch (self);
  return G_SOURCE_CONTINUE;
}

static gboolean slot_writable_cb (GIOChannel   *channel,
                                  GIOCondition  condition,
                                  gpointer      user_data);

/* Writes what it can without blocking; a watch writes the rest. */
static void
slot_flush (CwSlot *slot)
{
  while (slot->wpos < slot->wbuf->len)
    {
      ssize_t n = write (slot->in_fd, slot->wbuf->data + slot->wpos, slot->wbuf->len - slot->wpos);

      if (n > 0)
        {
          slot->wpos += n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          if (slot->in_watch == 0)
            slot->in_watch = g_io_add_watch (slot->in_channel, G_IO_OUT | G_IO_ERR | G_IO_HUP,
                                             slot_writable_cb, slot);
          return;
        }
      /* EPIPE: the worker is gone; its stdout's end of file tells us why. */
      g_byte_array_set_size (slot->wbuf, 0);
      slot->wpos = 0;
      return;
    }
  g_byte_array_set_size (slot->wbuf, 0);
  slot->wpos = 0;
}

static gboolean
slot_writable_cb (GIOChannel   *channel,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  CwSlot *slot = user_data;

  slot->in_watch = 0;
  slot_flush (slot);
  return G_SOURCE_REMOVE;
}

static void
slot_reaped_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CwSlot *slot = user_data;
  CwPool *self = slot->pool;
  GSubprocess *proc = G_SUBPROCESS (object);
  g_autofree char *reason = NULL;
  g_autoptr(GList) jobs = NULL;
  gint32 pid = slot->pid;
  CwChunk *chunk;
  gboolean timed_out = slot->timed_out;
  gboolean hung = timed_out;
  gboolean reason_is_pools;

  g_subprocess_wait_finish (proc, result, NULL);
  slot_stop_task_timer (slot);
  slot->timed_out = FALSE;

  reason_is_pools = slot->death_reason != NULL;
  if (slot->death_reason != NULL)
    reason = g_steal_pointer (&slot->death_reason);
  else if (g_subprocess_get_if_signaled (proc))
    reason = g_strdup_printf ("worker killed by signal %d (%s)",
                              g_subprocess_get_term_sig (proc),
                              g_strsignal (g_subprocess_get_term_sig (proc)));
  else if (g_subprocess_get_exit_status (proc) != 0)
    reason = g_strdup_printf ("worker exited with status %d", g_subprocess_get_exit_status (proc));
  else
    reason = g_strdup ("worker exited before answering");

  /* A SIGKILL from outside (kill -9, the OOM killer) is no sign of a worker
   * that cannot start: a storm of them must not fail the batch. Those the
   * pool sends itself (death_reason) still count. */
  if (!slot->said_hello && !self->closing
      && (reason_is_pools || !g_subprocess_get_if_signaled (proc)
          || g_subprocess_get_term_sig (proc) != SIGKILL))
    self->startup_failures++;

  while ((chunk = g_queue_pop_head (&slot->chunks)) != NULL)
    {
      CwJob *job = chunk->job;

      if (self->startup_failures >= MAX_STARTUP_FAILURES && job->fatal == NULL)
        job->fatal = g_error_new (CW_ERROR, CW_ERROR_WORKER,
                                  "The worker could not start (%s): %s", reason, self->worker_path);
      job_chunk_lost (job, chunk, reason, timed_out, hung);
      hung = FALSE;
      /* one death, however many of its chunks it held */
      if (g_list_find (jobs, job) == NULL)
        {
          jobs = g_list_prepend (jobs, job);
          job->stats.n_worker_deaths++;
        }
      chunk_free (chunk);
    }

  g_clear_object (&slot->proc);
  slot->pid = 0;
  slot->dying = FALSE;
  slot->killed = FALSE;
  g_clear_handle_id (&slot->kill_timeout, g_source_remove);
  slot->said_hello = FALSE;
  self->n_reaping--;

  g_signal_emit (self, signals[WORKER_EXITED], 0, slot->id, pid, reason);

  /* A fatal error fails every batch, not just the ones with chunks out. */
  if (self->startup_failures >= MAX_STARTUP_FAILURES)
    for (GList *l = self->jobs.head; l != NULL; l = l->next)
      {
        CwJob *job = l->data;

        if (job->fatal == NULL)
          job->fatal = g_error_new (CW_ERROR, CW_ERROR_WORKER,
                                    "The worker could not start (%s): %s", reason, self->worker_path);
        if (g_list_find (jobs, job) == NULL)
          jobs = g_list_prepend (jobs, job);
      }

  for (GList *l = jobs; l != NULL; l = l->next)
    job_maybe_finish (l->data);

  pool_maybe_shutdown (self);
  pool_dispatch (self);
  g_object_unref (self);
}

/* Closes the pipes and waits for the child; the chunks it held are dealt
 * with once we know how it ended. @reason (a protocol error) ends it first. */
static void
slot_start_death (CwSlot     *slot,
                  const char *reason)
{
  if (slot->dying || slot->proc == NULL)
    return;
  slot->dying = TRUE;
  slot_stop_task_timer (slot);
  if (reason != NULL)
    {
      slot->death_reason = g_strdup (reason);
      g_subprocess_force_exit (slot->proc);
    }
  slot_close_pipes (slot);
  slot->pool->n_reaping++;
  g_object_ref (slot->pool);
  g_subprocess_wait_async (slot->proc, NULL, slot_reaped_cb, slot);
}

static gboolean
slot_spawn (CwSlot  *slot,
            GError **error)
{
  CwPool *self = slot->pool;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *parent = g_strdup_printf ("%d", (int) getpid ());
  const char *argv[] = { self->worker_path, NULL };
  int flags;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_setenv (launcher, "CW_PARENT_PID", parent, TRUE);
  if (self->worker_nice > 0)
    {
      g_autofree char *nice = g_strdup_printf ("%d", self->worker_nice);

      g_subprocess_launcher_setenv (launcher, "CW_WORKER_NICE", nice, TRUE);
    }
  /* The per-task timeout needs every task answered as it ends. */
  if (self->task_timeout_ms > 0)
    g_subprocess_launcher_setenv (launcher, "CW_WORKER_ANSWER_EACH", "1", TRUE);
  slot->proc = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (slot->proc == NULL)
    return FALSE;

  /* Record the pid now: once reaped, GSubprocess forgets it. */
  slot->pid = (gint32) g_ascii_strtoll (g_subprocess_get_identifier (slot->proc), NULL, 10);
  slot->in_fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (g_subprocess_get_stdin_pipe (slot->proc)));
  slot->out_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (slot->proc)));
  /* Bigger pipes mean fewer wake-ups for chunks of trivial tasks; the
   * kernel may refuse (pipe-max-size), which only costs speed. */
  fcntl (slot->in_fd, F_SETPIPE_SZ, 1 << 20);
  fcntl (slot->out_fd, F_SETPIPE_SZ, 1 << 20);
  flags = fcntl (slot->in_fd, F_GETFL);
  fcntl (slot->in_fd, F_SETFL, flags | O_NONBLOCK);
  flags = fcntl (slot->out_fd, F_GETFL);
  fcntl (slot->out_fd, F_SETFL, flags | O_NONBLOCK);

  slot->rbuf = g_byte_array_sized_new (65536);
  slot->wbuf = g_byte_array_sized_new (65536);
  slot->in_channel = g_io_channel_unix_new (slot->in_fd);
  slot->out_channel = g_io_channel_unix_new (slot->out_fd);
  g_io_channel_set_close_on_unref (slot->in_channel, FALSE);
  g_io_channel_set_close_on_unref (slot->out_channel, FALSE);
  slot->out_watch = g_io_add_watch (slot->out_channel, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                    slot_readable_cb, slot);
  slot->said_hello = FALSE;

  g_signal_emit (self, signals[WORKER_STARTED], 0, slot->id, slot->pid);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* thread slots */

static gboolean
thread_chunk_done_cb (gpointer user_data)
{
  CwChunk *chunk = user_data;
  CwSlot *slot = chunk->slot;
  CwPool *self = slot->pool;
  CwJob *job = chunk->job;

  g_queue_remove (&slot->chunks, chunk);
  job_chunk_done (job, chunk, chunk->results, chunk->n_tasks);
  job_maybe_finish (job);
  chunk_free (chunk);
  pool_dispatch (self);
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

  g_main_context_invoke_full (job->pool->context, G_PRIORITY_DEFAULT,
                              thread_chunk_done_cb, chunk, NULL);
}

/* ---------------------------------------------------------------------- */
/* dispatch */

static gboolean
slot_can_take (CwSlot *slot,
               CwJob  *job)
{
  guint depth = 1;

  if (slot->pool->mode != CW_MODE_PROCESSES)
    return g_queue_is_empty (&slot->chunks);
  if (slot->dying || slot->killed)
    return FALSE;
  /* A retry runs alone on an idle worker: queued behind (or in front of)
   * another chunk, a task that kills its worker would take an innocent
   * one down with it a second time, and that one has no retry left. */
  if (!g_queue_is_empty (&job->retry))
    return g_queue_is_empty (&slot->chunks);
  for (GList *l = slot->chunks.head; l != NULL; l = l->next)
    if (((CwChunk *) l->data)->attempt > 0)
      return FALSE;
  /* Queue a second chunk only behind one that should be done soon: never
   * behind a task that turned out slow, where it would wait while other
   * workers sit idle. */
  if (job->est_task_us >= 0 && job->est_task_us * job_chunk_size (job) < PIPELINE_BELOW_US)
    {
      CwChunk *head = g_queue_peek_head (&slot->chunks);

      if (head == NULL || g_get_monotonic_time () - head->sent_us < PIPELINE_BELOW_US)
        depth = 2;
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

  if (self->mode == CW_MODE_PROCESSES)
    {
      gsize before = slot->wbuf->len;

      cw_protocol_encode_chunk (slot->wbuf, chunk->id, &chunk->job->settings,
                                chunk->tasks, chunk->n_tasks);
      chunk->job->stats.bytes_to_workers += slot->wbuf->len - before;
      self->pipe_bytes_to += slot->wbuf->len - before;
      if (slot->in_watch == 0)
        slot_flush (slot);
      if (slot->task_timer == NULL)
        slot_restart_task_timer (slot);
    }
  else
    {
      g_object_ref (self);
      g_thread_pool_push (self->threads, chunk, NULL);
    }
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
    job_maybe_finish (l->data);
}

/* Gives every slot that can take one a chunk, round after round, so that
 * the first slots do not take everything. Spawns dead worker processes. */
static void
pool_dispatch (CwPool *self)
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
          if (self->mode == CW_MODE_PROCESSES && slot->proc == NULL)
            {
              g_autoptr(GError) error = NULL;

              if (self->startup_failures >= MAX_STARTUP_FAILURES || slot->unstartable)
                continue;
              if (!slot_spawn (slot, &error))
                {
                  /* Out of descriptors or processes: the batch goes on with
                   * the workers that did start, and fails only with none. */
                  slot->unstartable = TRUE;
                  self->n_unstartable++;
                  for (GList *l = self->jobs.head; l != NULL; l = l->next)
                    ((CwJob *) l->data)->stats.n_workers_unstarted = self->n_unstartable;
                  g_debug ("worker slot %u could not start: %s", slot->id, error->message);
                  if (self->n_unstartable < self->slots->len)
                    continue;
                  g_prefix_error (&error, "Could not start the worker %s: ", self->worker_path);
                  pool_fail_jobs (self, error);
                  goto out;
                }
            }
          if (!slot_can_take (slot, job))
            continue;
          chunk = job_next_chunk (job);
          if (chunk == NULL)
            {
              job_maybe_finish (job);
              progress = TRUE;
              continue;
            }
          slot_send (slot, chunk);
          progress = TRUE;
        }
    }
out:
  g_object_unref (self);
}

/* ---------------------------------------------------------------------- */
/* shutdown */

static void
pool_maybe_shutdown (CwPool *self)
{
  if (!self->closing || !g_queue_is_empty (&self->jobs))
    return;

  /* End of input tells each worker to exit; its end of file, then its
   * reaping, bring the slot down. */
  for (guint i = 0; i < self->slots->len; i++)
    {
      CwSlot *slot = g_ptr_array_index (self->slots, i);

      if (slot->proc != NULL && !slot->dying && slot->in_fd >= 0)
        {
          GOutputStream *in = g_subprocess_get_stdin_pipe (slot->proc);

          g_clear_handle_id (&slot->in_watch, g_source_remove);
          g_clear_pointer (&slot->in_channel, g_io_channel_unref);
          g_output_stream_close (in, NULL, NULL);
          slot->in_fd = -1;
        }
    }

  if (self->n_reaping == 0 && self->close_tasks != NULL)
    {
      gboolean all_gone = TRUE;

      for (guint i = 0; i < self->slots->len; i++)
        if (((CwSlot *) g_ptr_array_index (self->slots, i))->proc != NULL)
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
  pool_maybe_shutdown (self);
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
slot_kill_cb (gpointer user_data)
{
  CwSlot *slot = user_data;

  slot->kill_timeout = 0;
  if (slot->proc != NULL)
    g_subprocess_force_exit (slot->proc);
  return G_SOURCE_REMOVE;
}

static gboolean
job_cancelled_cb (GCancellable *cancellable,
                  gpointer      user_data)
{
  CwJob *job = user_data;
  CwPool *self = g_object_ref (job->pool);

  if (job->cancelled || job->finished)
    goto out;
  job->cancelled = TRUE;

  /* Processes: ask the workers busy with this batch to stop. A worker
   * cancels the file it is writing (removing its part file), answers for
   * everything it finished, then exits; so a complete output is never
   * reported as cancelled. The pipes stay open until its end of file. One
   * that does not stop in time is killed; its reaping reports the rest.
   * Threads stop by themselves between blocks. */
  if (self->mode == CW_MODE_PROCESSES)
    for (guint i = 0; i < self->slots->len; i++)
      {
        CwSlot *slot = g_ptr_array_index (self->slots, i);

        for (GList *l = slot->chunks.head; l != NULL; l = l->next)
          if (((CwChunk *) l->data)->job == job)
            {
              if (slot->proc != NULL && !slot->dying && !slot->killed)
                {
                  slot->killed = TRUE;
                  g_subprocess_send_signal (slot->proc, SIGTERM);
                  slot->kill_timeout = g_timeout_add_seconds (CANCEL_GRACE_S, slot_kill_cb, slot);
                }
              break;
            }
      }

  job_maybe_finish (job);

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

  pool_dispatch (self);
  /* An empty source, or a fatal error at spawn, finishes at once. */
  if (!job->finished && job->in_flight == 0 && !job_has_work (job))
    job_maybe_finish (job);
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

      if (slot->proc != NULL && !slot->dying)
        g_array_append_val (pids, slot->pid);
    }
  return pids;
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
      slot->in_fd = slot->out_fd = -1;
      g_queue_init (&slot->chunks);
      g_ptr_array_add (self->slots, slot);
    }

  if (mode != CW_MODE_PROCESSES)
    self->threads = g_thread_pool_new (thread_run_chunk, self, self->n_workers, TRUE, NULL);
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

/* The last resort when a pool goes away with workers alive (close_async is
 * the polite way): kill them and wait here, so none is left a zombie. */
static void
cw_pool_dispose (GObject *object)
{
  CwPool *self = CW_POOL (object);

  if (self->threads != NULL)
    {
      g_thread_pool_free (self->threads, FALSE, TRUE);
      self->threads = NULL;
    }

  for (guint i = 0; self->slots != NULL && i < self->slots->len; i++)
    {
      CwSlot *slot = g_ptr_array_index (self->slots, i);
      CwChunk *chunk;

      g_clear_handle_id (&slot->kill_timeout, g_source_remove);
      slot_stop_task_timer (slot);
      if (slot->proc != NULL)
        {
          slot_close_pipes (slot);
          g_subprocess_force_exit (slot->proc);
          g_subprocess_wait (slot->proc, NULL, NULL);
          g_clear_object (&slot->proc);
        }
      while ((chunk = g_queue_pop_head (&slot->chunks)) != NULL)
        {
          for (guint j = 0; j < chunk->n_tasks; j++)
            if (chunk->tasks[j].output_path != NULL && slot->pid > 0)
              {
                g_autofree char *part = cw_output_part_path (chunk->tasks[j].output_path, slot->pid);

                (void) unlink (part);
              }
          chunk_free (chunk);
        }
    }

  G_OBJECT_CLASS (cw_pool_parent_class)->dispose (object);
}

static void
slot_free (gpointer data)
{
  CwSlot *slot = data;

  g_free (slot->death_reason);
  g_free (slot);
}

static void
cw_pool_finalize (GObject *object)
{
  CwPool *self = CW_POOL (object);

  g_clear_pointer (&self->slots, g_ptr_array_unref);
  g_clear_pointer (&self->close_tasks, g_ptr_array_unref);
  g_clear_pointer (&self->worker_path, g_free);
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
