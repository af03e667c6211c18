/* cw-worker-main.c: corewave-worker, the child process of the pool
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads CHUNK frames from stdin, runs their tasks one after another and
 * answers each chunk with one RESULTS frame on stdout (or more, when its
 * tasks take time). It exits 0 at end of input, 3 on a protocol error. No
 * GTK: it starts in milliseconds.
 *
 * A trivial task must cost about as little as the task itself: frames are
 * read in big gulps, tasks decoded one at a time from the frame and each
 * result encoded straight into the answer, so no array of a chunk's tasks
 * or results is ever built.
 */

#define G_LOG_DOMAIN "corewave-worker"

#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cw-error.h"
#include "cw-protocol.h"
#include "cw-spec.h"
#include "cw-task.h"

#define EXIT_PROTOCOL 3
/* answer finished tasks once this long has passed since the last answer */
#define FLUSH_AFTER_US 2000

/* What has been read from stdin and not used yet: frames are read in
 * gulps as big as the pipe, so chunks queued behind one another cost one
 * read, not two per frame. */
typedef struct
{
  guint8 *data;
  gsize   cap;
  gsize   start;   /* the next frame */
  gsize   end;     /* what has been read */
} Inbox;

#define INBOX_READ (1u << 20)

static void
inbox_clear (Inbox *inbox)
{
  g_clear_pointer (&inbox->data, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Inbox, inbox_clear)

/* TRUE when a whole frame (or a bad header, to be found out) follows the
 * @skip bytes at the inbox's start. */
static gboolean
inbox_has_frame (const Inbox *inbox,
                 gsize        skip)
{
  gsize avail = inbox->end - inbox->start - skip;
  guint32 payload;

  if (avail < CW_PROTOCOL_HEADER_SIZE)
    return FALSE;
  memcpy (&payload, inbox->data + inbox->start + skip, 4);
  return avail - CW_PROTOCOL_HEADER_SIZE >= GUINT32_FROM_LE (payload);
}

/* Makes the next whole frame available at inbox->data + inbox->start.
 * Returns 1 with its size, 0 at a clean end of input (between frames), -1
 * on a truncated frame, a read error or a bad header (@error set when the
 * header is bad). */
static int
inbox_next_frame (Inbox   *inbox,
                  gsize   *frame_size,
                  GError **error)
{
  for (;;)
    {
      gsize avail = inbox->end - inbox->start;
      CwMessageType type;
      ssize_t n;

      if (avail >= CW_PROTOCOL_HEADER_SIZE)
        {
          guint32 payload;

          /* The header alone: it either says how long the frame is or is bad. */
          if (!cw_protocol_peek_frame (inbox->data + inbox->start, avail, &type, frame_size, error)
              && *error != NULL)
            return -1;
          memcpy (&payload, inbox->data + inbox->start, 4);
          *frame_size = CW_PROTOCOL_HEADER_SIZE + (gsize) GUINT32_FROM_LE (payload);
          if (avail >= *frame_size)
            return 1;
        }
      else
        *frame_size = CW_PROTOCOL_HEADER_SIZE;

      /* room for the rest of this frame and a gulp more */
      if (avail == 0)
        inbox->start = inbox->end = 0;
      else if (inbox->start > 0 && inbox->cap - inbox->end < INBOX_READ)
        {
          memmove (inbox->data, inbox->data + inbox->start, avail);
          inbox->start = 0;
          inbox->end = avail;
        }
      if (inbox->cap - inbox->end < MAX (INBOX_READ, *frame_size - avail))
        {
          inbox->cap = inbox->end + MAX (INBOX_READ, *frame_size - avail);
          inbox->data = g_realloc (inbox->data, inbox->cap);
        }
      n = read (STDIN_FILENO, inbox->data + inbox->end, inbox->cap - inbox->end);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return (n == 0 && avail == 0) ? 0 : -1;
      inbox->end += n;
    }
}

static gboolean
write_all (int           fd,
           const guint8 *buf,
           gsize         len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= n;
    }
  return TRUE;
}

/* Test hooks, read from the environment once. They let the fault tests make
 * a worker crash on a given input or answer with garbage, deterministically. */
/* Sent with each results message: the lab's chunk sweep charts it. */
static gint64
peak_rss_kb (void)
{
  struct rusage ru;

  if (getrusage (RUSAGE_SELF, &ru) != 0)
    return 0;
  return ru.ru_maxrss;
}

static const char *crash_on;
static const char *hang_on;
static gboolean garbage;
static gboolean garbage_half;

static void
maybe_crash (const CwTask *task)
{
  if (crash_on != NULL && task->input_path != NULL && strstr (task->input_path, crash_on) != NULL)
    raise (SIGSEGV);
  /* a task that never ends: only the pool's per-task timeout stops it */
  if (hang_on != NULL && task->input_path != NULL && strstr (task->input_path, hang_on) != NULL)
    for (;;)
      pause ();
}

/* Half a valid RESULTS frame, then the end of the pipe: a worker that dies
 * mid-message. */
static void
answer_half (int           out_fd,
             GByteArray   *out,
             guint64       chunk_id,
             const CwTask *task)
{
  CwResult result = { .index = task->index, .status = CW_STATUS_OK, .pid = getpid () };

  g_byte_array_set_size (out, 0);
  cw_protocol_encode_results (out, chunk_id, getpid (), &result, 1);
  write_all (out_fd, out->data, out->len / 2);
  _exit (0);
}

static void
answer_garbage (int out_fd)
{
  guint8 junk[4096];

  for (gsize i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) g_random_int ();
  write_all (out_fd, junk, sizeof junk);
  _exit (0);
}

/* The pool's per-task timeout is on: answer every task as it ends, so the
 * pool knows exactly which one hangs. */
static gboolean answer_each;

/* Test hooks above; the cancel flag below. */
static GCancellable *cancellable;

static gpointer
wait_for_sigterm (gpointer data)
{
  const sigset_t *term = data;
  int sig;

  while (sigwait (term, &sig) != 0)
    ;
  g_cancellable_cancel (cancellable);
  return NULL;
}

static int
protocol_error_exit (const char *message)
{
  g_printerr ("corewave-worker: %s\n", message);
  return EXIT_PROTOCOL;
}

/* Answers not written yet: the frames of chunks done while the next one
 * was already waiting (written together, in one write), and when the
 * last write was. */
typedef struct
{
  int         fd;
  GByteArray *out;
  gint64      last_sent;
} Answers;

/* Writes what is held. FALSE when the pool is gone. */
static gboolean
answers_write (Answers *answers)
{
  gboolean ok = TRUE;

  if (answers->out->len > 0)
    ok = write_all (answers->fd, answers->out->data, answers->out->len);
  g_byte_array_set_size (answers->out, 0);
  answers->last_sent = g_get_monotonic_time ();
  return ok;
}

/* A chunk of at most this many tasks is answered with the next one when
 * that one is here already: one write, and one wake-up of the pool, for
 * both. A bigger chunk's answer goes at once: the pool has work to do
 * with it while this worker runs the next. */
#define HOLD_MAX_TASKS 64

/* A chunk's tasks, run one after another and answered as they go: once
 * 2 ms have passed since the last answer, each task with the per-task
 * timeout, and at the end of the chunk, unless @next_waiting and the
 * chunk is small (its answer goes in the same write as the next one's,
 * 2 ms at the most later). Returns FALSE when the pool is gone (a write
 * failed). */
static gboolean
run_chunk (Answers       *answers,
           const guint8  *frame,
           gsize          size,
           gboolean       next_waiting,
           const CwChain *chain,
           const char    *chain_error)
{
  static gint32 pid;
  g_auto(CwChunkMessage) msg = { 0 };
  CwFrameReader reader;
  CwFrameWriter answer;
  gint64 stamp;
  guint n_open = 0;
  guint n_tasks;

  if (pid == 0)
    pid = getpid ();
  /* checked whole before the first task runs (cw_protocol_chunk_check ()) */
  if (!cw_protocol_chunk_open (&reader, frame, size, &msg, &n_tasks, NULL))
    g_assert_not_reached ();

  stamp = g_get_monotonic_time ();
  for (guint i = 0; i < n_tasks; i++)
    {
      CwTask task;
      CwResult result;
      gboolean last = i + 1 == n_tasks;

      if (!cw_protocol_chunk_next (&reader, &task, NULL))
        g_assert_not_reached ();
      maybe_crash (&task);
      if (task.kind == CW_TASK_AUDIO && chain == NULL)
        {
          memset (&result, 0, sizeof result);
          result.index = task.index;
          result.status = CW_STATUS_FAILED;
          result.pid = pid;
          result.error = g_strdup (chain_error);
        }
      else
        cw_task_run (&msg.settings, chain, &task, &result, cancellable);
      if (result.start_us == 0)
        result.start_us = result.end_us = stamp;
      cw_task_clear (&task);

      if (n_open++ == 0)
        cw_protocol_results_begin (&answer, answers->out, msg.chunk_id, pid);
      /* Answer finished work early once it is worth a message: a worker
       * that dies mid-chunk then costs only what it had not answered, and
       * the parent sees results as they come. Trivial tasks still go back
       * in one message per chunk. */
      if (last || answer_each || result.end_us - answers->last_sent >= FLUSH_AFTER_US)
        {
          result.peak_rss_kb = peak_rss_kb ();
          cw_protocol_results_add (&answer, &result);
          cw_result_clear (&result);
          cw_protocol_frame_end (&answer);
          n_open = 0;
          if (!last || !next_waiting || answer_each || n_tasks > HOLD_MAX_TASKS
              || g_get_monotonic_time () - answers->last_sent >= FLUSH_AFTER_US)
            if (!answers_write (answers))
              return FALSE;
        }
      else
        {
          cw_protocol_results_add (&answer, &result);
          cw_result_clear (&result);
        }
    }
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  Answers answers = { .out = out };
  g_autoptr(CwChain) chain = NULL;
  g_autofree char *chain_spec = NULL;
  g_autofree char *chain_error = NULL;
  g_auto(Inbox) inbox = { 0 };
  const char *parent;
  int increment = 0;
  sigset_t term;
  int out_fd;

  /* A write to a parent that went away must fail, not kill us silently; a
   * file over RLIMIT_FSIZE must be a per-file "File too large" error. */
  signal (SIGPIPE, SIG_IGN);
  signal (SIGXFSZ, SIG_IGN);

  /* Die with the parent, even if it is killed with SIGKILL. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  parent = g_getenv ("CW_PARENT_PID");
  if (parent != NULL && getppid () != (pid_t) g_ascii_strtoll (parent, NULL, 10))
    return 0;

  /* A worker started by a command (ssh, a wrapper: --worker-command) has
   * its settings on its command line, as no environment crosses ssh. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_has_prefix (argv[i], "--nice="))
        increment = (int) g_ascii_strtoll (argv[i] + strlen ("--nice="), NULL, 10);
      else if (strcmp (argv[i], "--answer-each") == 0)
        answer_each = TRUE;
      else
        {
          g_printerr ("corewave-worker: unknown option %s\n"
                      "corewave-worker is started by corewave and corewave-cli, which speak\n"
                      "to it on its standard input and output; it takes --nice=N and\n"
                      "--answer-each.\n", argv[i]);
          return 2;
        }
    }

  /* The window asks for a lower priority, so the desktop (and its own main
   * loop) stays responsive while every core is busy; alone on the machine
   * the work runs as fast. */
  if (g_getenv ("CW_WORKER_NICE") != NULL)
    increment = (int) g_ascii_strtoll (g_getenv ("CW_WORKER_NICE"), NULL, 10);
  if (increment > 0 && increment <= 19)
    (void) !nice (increment);

  crash_on = g_getenv ("CW_TEST_CRASH_ON");
  if (crash_on != NULL && *crash_on == '\0')
    crash_on = NULL;
  hang_on = g_getenv ("CW_TEST_HANG_ON");
  if (hang_on != NULL && *hang_on == '\0')
    hang_on = NULL;
  garbage = g_strcmp0 (g_getenv ("CW_TEST_GARBAGE"), "1") == 0;
  garbage_half = g_strcmp0 (g_getenv ("CW_TEST_GARBAGE"), "half") == 0;
  answer_each = answer_each || g_strcmp0 (g_getenv ("CW_WORKER_ANSWER_EACH"), "1") == 0;
  /* A small disk in a test: writes past this size fail with EFBIG
   * ("File too large"), SIGXFSZ being ignored. */
  if (g_getenv ("CW_TEST_FSIZE_LIMIT") != NULL)
    {
      struct rlimit limit;

      limit.rlim_cur = limit.rlim_max = (rlim_t) g_ascii_strtoull (g_getenv ("CW_TEST_FSIZE_LIMIT"), NULL, 10);
      if (setrlimit (RLIMIT_FSIZE, &limit) != 0)
        return 1;
    }

  /* The protocol owns the real stdout; anything a library prints goes to
   * stderr instead of corrupting a frame. */
  out_fd = dup (STDOUT_FILENO);
  if (out_fd < 0 || dup2 (STDERR_FILENO, STDOUT_FILENO) < 0)
    return 1;
  answers.fd = out_fd;

  /* SIGTERM means "cancel": one thread waits for it and cancels the task
   * in progress (which removes its part file) and the rest of the chunk. */
  sigemptyset (&term);
  sigaddset (&term, SIGTERM);
  pthread_sigmask (SIG_BLOCK, &term, NULL);
  cancellable = g_cancellable_new ();
  g_thread_unref (g_thread_new ("sigterm", wait_for_sigterm, &term));

  cw_protocol_encode_hello (out, getpid ());
  if (!answers_write (&answers))
    return 0;

  for (;;)
    {
      g_autoptr(GError) error = NULL;
      g_auto(CwChunkMessage) header = { 0 };
      CwFrameReader reader;
      const guint8 *frame;
      gsize frame_size = 0;
      guint n_tasks;
      int r;

      r = inbox_next_frame (&inbox, &frame_size, &error);
      /* what was held for this frame is answered, whatever comes of it */
      if (r <= 0 && !answers_write (&answers))
        return 0;
      if (r == 0)
        return 0;
      if (r < 0)
        return protocol_error_exit (error != NULL ? error->message
                                                  : "Protocol error: truncated message");
      frame = inbox.data + inbox.start;
      /* The whole frame, checked before anything runs: a bad task late in
       * a chunk must not leave the early ones done and unanswered. */
      if (!cw_protocol_chunk_check (frame, frame_size, &error))
        {
          if (!answers_write (&answers))
            return 0;
          return protocol_error_exit (error->message);
        }
      if (!cw_protocol_chunk_open (&reader, frame, frame_size, &header, &n_tasks, NULL))
        g_assert_not_reached ();

      /* Parse the transform chain once per batch, not once per chunk. */
      if (g_strcmp0 (chain_spec, header.settings.spec) != 0 || (chain == NULL && chain_error == NULL))
        {
          g_autoptr(GError) spec_error = NULL;

          g_clear_pointer (&chain, cw_chain_free);
          g_clear_pointer (&chain_error, g_free);
          g_free (chain_spec);
          chain_spec = g_strdup (header.settings.spec);
          chain = cw_chain_parse (header.settings.spec ? header.settings.spec : "", &spec_error);
          if (chain == NULL)
            chain_error = g_strdup (spec_error->message);
        }

      if (garbage)
        answer_garbage (out_fd);
      if (garbage_half && n_tasks > 0)
        {
          CwTask first;

          if (!cw_protocol_chunk_next (&reader, &first, NULL))
            g_assert_not_reached ();
          answer_half (out_fd, out, header.chunk_id, &first);
        }

      if (!run_chunk (&answers, frame, frame_size, inbox_has_frame (&inbox, frame_size), chain,
                      chain_error))
        return 0;
      inbox.start += frame_size;

      /* Cancelled (SIGTERM): everything finished is answered. */
      if (g_cancellable_is_cancelled (cancellable))
        {
          answers_write (&answers);
          return 0;
        }
    }
}
