/* cw-worker-main.c: corewave-worker, the child process of the pool
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads CHUNK frames from stdin, runs their tasks one after another and
 * answers each chunk with one RESULTS frame on stdout. It exits 0 at end of
 * input, 3 on a protocol error. No GTK: it starts in milliseconds.
 */

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

/* Returns 1 when @len bytes were read, 0 at a clean end of input (no byte
 * read), -1 on a short read or an error. */
static int
read_exact (int     fd,
            guint8 *buf,
            gsize   len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = read (fd, buf + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return (n == 0 && done == 0) ? 0 : -1;
      done += n;
    }
  return 1;
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

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(CwChain) chain = NULL;
  g_autofree char *chain_spec = NULL;
  g_autofree char *chain_error = NULL;
  const char *parent;
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

  /* The window asks for a lower priority, so the desktop (and its own main
   * loop) stays responsive while every core is busy; alone on the machine
   * the work runs as fast. */
  if (g_getenv ("CW_WORKER_NICE") != NULL)
    {
      int increment = (int) g_ascii_strtoll (g_getenv ("CW_WORKER_NICE"), NULL, 10);

      if (increment > 0 && increment <= 19)
        (void) !nice (increment);
    }

  crash_on = g_getenv ("CW_TEST_CRASH_ON");
  if (crash_on != NULL && *crash_on == '\0')
    crash_on = NULL;
  hang_on = g_getenv ("CW_TEST_HANG_ON");
  if (hang_on != NULL && *hang_on == '\0')
    hang_on = NULL;
  garbage = g_strcmp0 (g_getenv ("CW_TEST_GARBAGE"), "1") == 0;
  garbage_half = g_strcmp0 (g_getenv ("CW_TEST_GARBAGE"), "half") == 0;
  answer_each = g_strcmp0 (g_getenv ("CW_WORKER_ANSWER_EACH"), "1") == 0;
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

  /* SIGTERM means "cancel": one thread waits for it and cancels the task
   * in progress (which removes its part file) and the rest of the chunk. */
  sigemptyset (&term);
  sigaddset (&term, SIGTERM);
  pthread_sigmask (SIG_BLOCK, &term, NULL);
  cancellable = g_cancellable_new ();
  g_thread_unref (g_thread_new ("sigterm", wait_for_sigterm, &term));

  cw_protocol_encode_hello (out, getpid ());
  if (!write_all (out_fd, out->data, out->len))
    return 0;

  for (;;)
    {
      g_auto(CwChunkMessage) msg = { 0 };
      g_autoptr(GError) error = NULL;
      g_autofree CwResult *results = NULL;
      CwMessageType type;
      gsize frame_size = 0;
      gint64 stamp, last_sent;
      guint sent;
      int r;

      g_byte_array_set_size (frame, CW_PROTOCOL_HEADER_SIZE);
      r = read_exact (STDIN_FILENO, frame->data, CW_PROTOCOL_HEADER_SIZE);
      if (r == 0)
        return 0;
      if (r < 0)
        {
          g_printerr ("corewave-worker: Protocol error: truncated message\n");
          return EXIT_PROTOCOL;
        }
      /* The header alone: it either says how long the frame is or is bad. */
      if (!cw_protocol_peek_frame (frame->data, CW_PROTOCOL_HEADER_SIZE, &type, &frame_size, &error)
          && error != NULL)
        {
          g_printerr ("corewave-worker: %s\n", error->message);
          return EXIT_PROTOCOL;
        }
      {
        guint32 payload;

        memcpy (&payload, frame->data, 4);
        frame_size = CW_PROTOCOL_HEADER_SIZE + (gsize) GUINT32_FROM_LE (payload);
      }
      g_byte_array_set_size (frame, frame_size);
      if (frame_size > CW_PROTOCOL_HEADER_SIZE
          && read_exact (STDIN_FILENO, frame->data + CW_PROTOCOL_HEADER_SIZE,
                         frame_size - CW_PROTOCOL_HEADER_SIZE) != 1)
        {
          g_printerr ("corewave-worker: Protocol error: truncated message\n");
          return EXIT_PROTOCOL;
        }
      if (!cw_protocol_decode_chunk (frame->data, frame->len, &msg, &error))
        {
          g_printerr ("corewave-worker: %s\n", error->message);
          return EXIT_PROTOCOL;
        }

      /* Parse the transform chain once per batch, not once per chunk. */
      if (g_strcmp0 (chain_spec, msg.settings.spec) != 0 || (chain == NULL && chain_error == NULL))
        {
          g_autoptr(GError) spec_error = NULL;

          g_clear_pointer (&chain, cw_chain_free);
          g_clear_pointer (&chain_error, g_free);
          g_free (chain_spec);
          chain_spec = g_strdup (msg.settings.spec);
          chain = cw_chain_parse (msg.settings.spec ? msg.settings.spec : "", &spec_error);
          if (chain == NULL)
            chain_error = g_strdup (spec_error->message);
        }

      if (garbage)
        answer_garbage (out_fd);
      if (garbage_half && msg.n_tasks > 0)
        answer_half (out_fd, out, msg.chunk_id, &msg.tasks[0]);

      results = g_new0 (CwResult, MAX (msg.n_tasks, 1));
      stamp = last_sent = g_get_monotonic_time ();
      sent = 0;
      for (guint i = 0; i < msg.n_tasks; i++)
        {
          const CwTask *task = &msg.tasks[i];

          maybe_crash (task);
          if (task->kind == CW_TASK_AUDIO && chain == NULL)
            {
              results[i].index = task->index;
              results[i].status = CW_STATUS_FAILED;
              results[i].pid = getpid ();
              results[i].error = g_strdup (chain_error);
            }
          else
            cw_task_run (&msg.settings, chain, task, &results[i], cancellable);
          if (results[i].start_us == 0)
            results[i].start_us = results[i].end_us = stamp;

          /* Answer finished work early once it is worth a message: a worker
           * that dies mid-chunk then costs only what it had not answered,
           * and the parent sees results as they come. Trivial tasks still
           * go back in one message per chunk. */
          if (i + 1 == msg.n_tasks || answer_each || results[i].end_us - last_sent >= FLUSH_AFTER_US)
            {
              g_byte_array_set_size (out, 0);
              results[i].peak_rss_kb = peak_rss_kb ();
              cw_protocol_encode_results (out, msg.chunk_id, getpid (), results + sent, i + 1 - sent);
              for (guint j = sent; j <= i; j++)
                cw_result_clear (&results[j]);
              if (!write_all (out_fd, out->data, out->len))
                return 0;
              sent = i + 1;
              last_sent = g_get_monotonic_time ();
            }
        }

      /* Cancelled (SIGTERM): everything finished has been answered. */
      if (g_cancellable_is_cancelled (cancellable))
        return 0;
    }
}
