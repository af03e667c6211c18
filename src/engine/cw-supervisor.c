/* cw-supervisor.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * In the manner of GNOME Builder's IdeSubprocessSupervisor: a worker that
 * goes away is noticed by reaping it (never by a signal handler), the
 * supervisor remembers whether it asked for the end, and respawns are
 * rate-limited, but only after start failures: a worker that crashes
 * mid-batch, or is killed from outside, is replaced at once.
 */

#define G_LOG_DOMAIN "corewave-pool"

#include "config.h"

#include "cw-supervisor.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>
#include <gio/gunixoutputstream.h>

struct _CwSupervisor
{
  guint                    slot;
  GObject                 *owner;
  GMainContext            *context;
  const CwSupervisorFuncs *funcs;
  gpointer                 user_data;

  GSubprocess  *proc;
  gint32        pid;
  int           in_fd;
  int           out_fd;
  GIOChannel   *in_channel;
  GIOChannel   *out_channel;
  GSource      *in_watch;
  GSource      *out_watch;
  GByteArray   *rbuf;
  gsize         rpos;
  GByteArray   *wbuf;
  gsize         wpos;
  gboolean      said_hello;
  gboolean      command;     /* started by a worker command, not as our child */
  gboolean      reading;       /* in cw_supervisor_read (): not reentrant */
  gboolean      watch_suspended; /* a nested main loop met the read: watch again after it */
  gboolean      dying;         /* pipes closed, waiting to reap */
  CwStopReason  stop;          /* asked to stop: takes no more work, read to end of file */
  char         *death_reason;  /* the reason it was ended for */
  GSource      *kill_timer;    /* SIGKILL if it has not stopped after SIGTERM */
  guint         n_spawned;

  guint         n_start_failures; /* in a row, until a hello */
  GSource      *backoff_timer;
};

static const char * const stop_names[] = { "crash", "cancel", "close", "timeout" };

CwSupervisor *
cw_supervisor_new (guint                    slot,
                   GObject                 *owner,
                   GMainContext            *context,
                   const CwSupervisorFuncs *funcs,
                   gpointer                 user_data)
{
  CwSupervisor *self = g_new0 (CwSupervisor, 1);

  self->slot = slot;
  self->owner = owner;
  self->context = g_main_context_ref (context);
  self->funcs = funcs;
  self->user_data = user_data;
  self->in_fd = self->out_fd = -1;
  return self;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static GSource *
attach_watch (CwSupervisor *self,
              GIOChannel   *channel,
              GIOCondition  condition,
              GIOFunc       func,
              gboolean      can_recurse)
{
  GSource *source = g_io_create_watch (channel, condition);

  g_source_set_callback (source, G_SOURCE_FUNC (func), self, NULL);
  g_source_set_can_recurse (source, can_recurse);
  g_source_attach (source, self->context);
  return source;
}

static GSource *
attach_timeout (CwSupervisor *self,
                guint         ms,
                GSourceFunc   func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

/* ---------------------------------------------------------------------- */
/* back-off */

static gboolean
backoff_done_cb (gpointer user_data)
{
  CwSupervisor *self = user_data;
  g_autoptr(GObject) owner = g_object_ref (self->owner);

  g_clear_pointer (&self->backoff_timer, g_source_unref);
  g_debug ("slot %u: back-off over, the worker may be spawned again", self->slot);
  self->funcs->ready (self, self->user_data);
  return G_SOURCE_REMOVE;
}

/* A spawn failed, or a worker died before its hello: the next spawn waits,
 * twice as long as the last time, so a worker that cannot start (a broken
 * install, a full process table) does not flap as fast as it can fork. */
static void
backoff_after_start_failure (CwSupervisor *self,
                             const char   *what)
{
  guint ms = CW_SUPERVISOR_BACKOFF_FIRST_MS;

  self->n_start_failures++;
  for (guint i = 1; i < self->n_start_failures && ms < CW_SUPERVISOR_BACKOFF_MAX_MS; i++)
    ms *= 2;
  ms = MIN (ms, CW_SUPERVISOR_BACKOFF_MAX_MS);
  g_debug ("slot %u: start failure %u in a row (%s): backing off %u ms before the next spawn",
           self->slot, self->n_start_failures, what, ms);
  clear_source (&self->backoff_timer);
  self->backoff_timer = attach_timeout (self, ms, backoff_done_cb);
}

gboolean
cw_supervisor_is_backing_off (CwSupervisor *self)
{
  return self->backoff_timer != NULL;
}

/* ---------------------------------------------------------------------- */
/* pipes */

static void
close_pipes (CwSupervisor *self)
{
  clear_source (&self->in_watch);
  clear_source (&self->out_watch);
  g_clear_pointer (&self->in_channel, g_io_channel_unref);
  g_clear_pointer (&self->out_channel, g_io_channel_unref);
  /* The fds belong to the GSubprocess's pipe streams: closing those streams
   * closes them exactly once. */
  if (self->proc != NULL)
    {
      GOutputStream *in = g_subprocess_get_stdin_pipe (self->proc);
      GInputStream *out = g_subprocess_get_stdout_pipe (self->proc);

      if (in != NULL)
        g_output_stream_close (in, NULL, NULL);
      if (out != NULL)
        g_input_stream_close (out, NULL, NULL);
    }
  self->in_fd = -1;
  self->out_fd = -1;
  g_clear_pointer (&self->rbuf, g_byte_array_unref);
  g_clear_pointer (&self->wbuf, g_byte_array_unref);
  self->rpos = self->wpos = 0;
}

static gboolean writable_cb (GIOChannel   *channel,
                             GIOCondition  condition,
                             gpointer      user_data);

/* Writes what it can without blocking; a watch writes the rest. */
static void
flush_outbox (CwSupervisor *self)
{
  while (self->wpos < self->wbuf->len)
    {
      ssize_t n = write (self->in_fd, self->wbuf->data + self->wpos, self->wbuf->len - self->wpos);

      if (n > 0)
        {
          self->wpos += n;
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        {
          if (self->in_watch == NULL)
            self->in_watch = attach_watch (self, self->in_channel, G_IO_OUT | G_IO_ERR | G_IO_HUP,
                                           writable_cb, FALSE);
          return;
        }
      /* EPIPE: the worker is gone; its stdout's end of file tells us why. */
      break;
    }
  g_byte_array_set_size (self->wbuf, 0);
  self->wpos = 0;
}

static gboolean
writable_cb (GIOChannel   *channel,
             GIOCondition  condition,
             gpointer      user_data)
{
  CwSupervisor *self = user_data;

  g_clear_pointer (&self->in_watch, g_source_unref);
  flush_outbox (self);
  return G_SOURCE_REMOVE;
}

GByteArray *
cw_supervisor_get_outbox (CwSupervisor *self)
{
  g_return_val_if_fail (self->wbuf != NULL, NULL);
  return self->wbuf;
}

void
cw_supervisor_flush (CwSupervisor *self)
{
  if (self->wbuf != NULL && self->in_watch == NULL)
    flush_outbox (self);
}

/* ---------------------------------------------------------------------- */
/* deaths */

static void
reaped_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  CwSupervisor *self = user_data;
  GObject *owner = self->owner;
  g_autoptr(GSubprocess) proc = g_steal_pointer (&self->proc);
  g_autofree char *how = NULL;
  g_autofree char *reason = NULL;
  gboolean signaled, killed_from_outside;
  CwWorkerExit exit = { .pid = self->pid, .stop = self->stop };

  g_subprocess_wait_finish (proc, result, NULL);
  signaled = g_subprocess_get_if_signaled (proc);
  if (signaled)
    how = g_strdup_printf ("worker killed by signal %d (%s)", g_subprocess_get_term_sig (proc),
                           g_strsignal (g_subprocess_get_term_sig (proc)));
  else
    how = g_strdup_printf ("worker exited with status %d", g_subprocess_get_exit_status (proc));

  /* Ours are SIGKILLs too (a protocol error, a timeout): only one we did
   * not send is let off. */
  killed_from_outside = signaled && g_subprocess_get_term_sig (proc) == SIGKILL
                        && self->death_reason == NULL;
  if (self->death_reason != NULL)
    reason = g_steal_pointer (&self->death_reason);
  else if (!signaled && g_subprocess_get_exit_status (proc) == 0)
    reason = g_strdup ("worker exited before answering");
  else
    reason = g_strdup (how);
  exit.reason = reason;
  exit.start_failure = !self->said_hello && self->stop == CW_STOP_NONE && !killed_from_outside;

  if (self->stop != CW_STOP_NONE)
    g_debug ("slot %u: worker %d ended as asked (%s): %s", self->slot, (int) self->pid,
             stop_names[self->stop], how);
  else
    g_debug ("slot %u: worker %d crashed%s: %s%s%s", self->slot, (int) self->pid,
             self->said_hello ? "" : " before its hello", how,
             reason != NULL && strcmp (reason, how) != 0 ? "; ended for: " : "",
             reason != NULL && strcmp (reason, how) != 0 ? reason : "");

  self->pid = 0;
  self->dying = FALSE;
  self->stop = CW_STOP_NONE;
  self->said_hello = FALSE;
  clear_source (&self->kill_timer);
  if (exit.start_failure)
    backoff_after_start_failure (self, how);

  self->funcs->exited (self, &exit, self->user_data);
  /* taken when the death started; the owner may go with it, and us too */
  g_object_unref (owner);
}

/* Closes the pipes and waits for the child; what it held is dealt with once
 * we know how it ended. @reason ends it first. */
static void
start_death (CwSupervisor *self,
             const char   *reason,
             CwStopReason  stop)
{
  if (self->dying || self->proc == NULL)
    return;
  self->dying = TRUE;
  if (self->stop == CW_STOP_NONE)
    self->stop = stop;
  if (reason != NULL)
    {
      self->death_reason = g_strdup (reason);
      g_subprocess_force_exit (self->proc);
    }
  close_pipes (self);
  g_object_ref (self->owner);
  g_subprocess_wait_async (self->proc, NULL, reaped_cb, self);
}

void
cw_supervisor_kill (CwSupervisor *self,
                    const char   *reason,
                    CwStopReason  stop)
{
  g_return_if_fail (reason != NULL);

  if (self->proc != NULL && !self->dying)
    g_debug ("slot %u: killing worker %d (%s): %s", self->slot, (int) self->pid,
             stop_names[stop], reason);
  start_death (self, reason, stop);
}

static gboolean
grace_over_cb (gpointer user_data)
{
  CwSupervisor *self = user_data;

  g_clear_pointer (&self->kill_timer, g_source_unref);
  if (self->proc != NULL)
    {
      g_debug ("slot %u: worker %d still there after SIGTERM: SIGKILL", self->slot,
               (int) self->pid);
      g_subprocess_force_exit (self->proc);
    }
  return G_SOURCE_REMOVE;
}

void
cw_supervisor_stop (CwSupervisor *self,
                    guint         grace_s)
{
  if (self->proc == NULL || self->dying || self->stop != CW_STOP_NONE)
    return;
  g_debug ("slot %u: asking worker %d to stop (SIGTERM)", self->slot, (int) self->pid);
  self->stop = CW_STOP_CANCEL;
  g_subprocess_send_signal (self->proc, SIGTERM);
  self->kill_timer = attach_timeout (self, grace_s * 1000, grace_over_cb);
}

void
cw_supervisor_close_input (CwSupervisor *self)
{
  if (self->proc == NULL || self->dying || self->in_fd < 0)
    return;
  if (self->stop == CW_STOP_NONE)
    self->stop = CW_STOP_CLOSE;
  clear_source (&self->in_watch);
  g_clear_pointer (&self->in_channel, g_io_channel_unref);
  g_output_stream_close (g_subprocess_get_stdin_pipe (self->proc), NULL, NULL);
  self->in_fd = -1;
}

gint32
cw_supervisor_kill_and_wait (CwSupervisor *self)
{
  gint32 pid = self->pid;

  /* nothing is due any more: no SIGKILL, no respawn */
  clear_source (&self->kill_timer);
  clear_source (&self->backoff_timer);
  if (self->proc != NULL)
    {
      close_pipes (self);
      g_subprocess_force_exit (self->proc);
      g_subprocess_wait (self->proc, NULL, NULL);
      g_clear_object (&self->proc);
      g_debug ("slot %u: worker %d killed and reaped (the pool went away)", self->slot, (int) pid);
    }
  self->pid = 0;
  return pid;
}

void
cw_supervisor_free (CwSupervisor *self)
{
  cw_supervisor_kill_and_wait (self);
  g_free (self->death_reason);
  g_main_context_unref (self->context);
  g_free (self);
}

/* ---------------------------------------------------------------------- */
/* frames */

static gboolean read_frames (CwSupervisor *self,
                             gboolean     *eof_out);
static gboolean readable_cb (GIOChannel   *channel,
                             GIOCondition  condition,
                             gpointer      user_data);

gboolean
cw_supervisor_read (CwSupervisor *self,
                    gboolean     *eof_out)
{
  gboolean ok;

  /* called again from a main loop that a result callback runs: the outer
   * call reads on when it gets back */
  if (self->reading)
    {
      *eof_out = FALSE;
      return TRUE;
    }
  self->reading = TRUE;
  ok = read_frames (self, eof_out);
  self->reading = FALSE;
  if (self->watch_suspended)
    {
      self->watch_suspended = FALSE;
      if (ok && !*eof_out && self->out_channel != NULL && self->out_watch == NULL)
        self->out_watch = attach_watch (self, self->out_channel, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                        readable_cb, TRUE);
    }
  return ok;
}

static gboolean
read_frames (CwSupervisor *self,
             gboolean     *eof_out)
{
  gboolean eof = FALSE;

  for (;;)
    {
      gsize old = self->rbuf->len;
      ssize_t n;

      g_byte_array_set_size (self->rbuf, old + 65536);
      n = read (self->out_fd, self->rbuf->data + old, 65536);
      g_byte_array_set_size (self->rbuf, old + MAX (n, 0));
      /* A pipe read comes up short only when the pipe is empty: what comes
       * next, the watch will see. (Saves the read that says EAGAIN.) */
      if (n == 65536)
        continue;
      if (n > 0)
        break;
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
      const guint8 *p = self->rbuf->data + self->rpos;
      gsize avail = self->rbuf->len - self->rpos;

      if (!cw_protocol_peek_frame (p, avail, &type, &size, &error))
        {
          if (error != NULL)
            {
              start_death (self, error->message, CW_STOP_NONE);
              return FALSE;
            }
          break;
        }
      if (type == CW_MSG_HELLO)
        {
          gint32 pid;

          if (!cw_protocol_decode_hello (p, size, &pid, &error))
            {
              start_death (self, error->message, CW_STOP_NONE);
              return FALSE;
            }
          /* A worker started by a command is not the process we
           * spawned: its own pid names its part files (and, on this
           * host, its CPU counters). */
          if (self->command && pid > 0)
            self->pid = pid;
          g_debug ("slot %u: worker %d said hello", self->slot, (int) self->pid);
          self->said_hello = TRUE;
          /* it starts: whatever was wrong is over */
          self->n_start_failures = 0;
          self->funcs->hello (self, self->user_data);
        }
      else if (!self->funcs->frame (self, type, p, size, self->user_data, &error))
        {
          start_death (self, error->message, CW_STOP_NONE);
          return FALSE;
        }
      /* A result callback may have cancelled a batch and ended this worker. */
      if (self->dying)
        return FALSE;
      self->rpos += size;
    }

  if (self->rpos > 0 && self->rpos == self->rbuf->len)
    {
      g_byte_array_set_size (self->rbuf, 0);
      self->rpos = 0;
    }
  else if (self->rpos > 1024 * 1024)
    {
      g_byte_array_remove_range (self->rbuf, 0, self->rpos);
      self->rpos = 0;
    }

  *eof_out = eof;
  return TRUE;
}

/* The worker wrote: its frames, or its end of file. */
static gboolean
read_worker (CwSupervisor *self)
{
  /* a frame may end the batch, and the pool with it */
  g_autoptr(GObject) owner = g_object_ref (self->owner);
  gboolean eof = FALSE;

  /* when it fails, the death it started removed this watch */
  if (!cw_supervisor_read (self, &eof))
    return G_SOURCE_REMOVE;

  if (eof)
    {
      start_death (self, self->rbuf->len > self->rpos ? "Protocol error: truncated message" : NULL,
                   CW_STOP_NONE);
      return G_SOURCE_REMOVE;
    }

  self->funcs->read (self, self->user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
readable_cb (GIOChannel   *channel,
             GIOCondition  condition,
             gpointer      user_data)
{
  CwSupervisor *self = user_data;

  /* A result callback runs a main loop of its own in the middle of a read
   * (the watch may recurse): stop watching until that read is over, or
   * the nested loop would spin on the readable pipe. */
  if (self->reading)
    {
      g_debug ("slot %u: a main loop runs inside a result callback; reading on after it",
               self->slot);
      g_clear_pointer (&self->out_watch, g_source_unref);
      self->watch_suspended = TRUE;
      return G_SOURCE_REMOVE;
    }
  return read_worker (self);
}

/* ---------------------------------------------------------------------- */
/* spawning */

gboolean
cw_supervisor_spawn (CwSupervisor          *self,
                     const CwWorkerLaunch  *launch,
                     GError               **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autofree char *parent = g_strdup_printf ("%d", (int) getpid ());
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  const char *identifier;
  int flags;

  g_return_val_if_fail (self->proc == NULL, FALSE);

  if (self->backoff_timer != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY, "Backing off after %u start failures",
                   self->n_start_failures);
      return FALSE;
    }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  if (launch->command == NULL)
    {
      /* ours: it checks that we are its parent (a worker outliving us
       * and adopted by init must not read a stranger's pipe) */
      g_ptr_array_add (argv, g_strdup (launch->path));
      g_subprocess_launcher_setenv (launcher, "CW_PARENT_PID", parent, TRUE);
      if (launch->nice > 0)
        {
          g_autofree char *nice = g_strdup_printf ("%d", launch->nice);

          g_subprocess_launcher_setenv (launcher, "CW_WORKER_NICE", nice, TRUE);
        }
      if (launch->answer_each)
        g_subprocess_launcher_setenv (launcher, "CW_WORKER_ANSWER_EACH", "1", TRUE);
    }
  else
    {
      /* another's (ssh, a wrapper): its parent is that command, and what
       * it must know travels on its command line */
      g_subprocess_launcher_unsetenv (launcher, "CW_PARENT_PID");
      for (guint i = 0; launch->command[i] != NULL; i++)
        g_ptr_array_add (argv, g_strdup (launch->command[i]));
      if (launch->nice > 0)
        g_ptr_array_add (argv, g_strdup_printf ("--nice=%d", launch->nice));
      if (launch->answer_each)
        g_ptr_array_add (argv, g_strdup ("--answer-each"));
    }
  g_ptr_array_add (argv, NULL);
  self->command = launch->command != NULL;
  self->proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, error);
  if (self->proc == NULL)
    {
      backoff_after_start_failure (self, error != NULL && *error != NULL ? (*error)->message : "spawn failed");
      return FALSE;
    }

  /* Record the pid now: once reaped, GSubprocess forgets it, and a worker
   * that dies at once (a broken install) may be reaped already. */
  identifier = g_subprocess_get_identifier (self->proc);
  self->pid = identifier != NULL ? (gint32) g_ascii_strtoll (identifier, NULL, 10) : 0;
  self->in_fd = g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (g_subprocess_get_stdin_pipe (self->proc)));
  self->out_fd = g_unix_input_stream_get_fd (G_UNIX_INPUT_STREAM (g_subprocess_get_stdout_pipe (self->proc)));
  /* Bigger pipes mean fewer wake-ups for chunks of trivial tasks; the
   * kernel may refuse (pipe-max-size), which only costs speed. */
  fcntl (self->in_fd, F_SETPIPE_SZ, 1 << 20);
  fcntl (self->out_fd, F_SETPIPE_SZ, 1 << 20);
  flags = fcntl (self->in_fd, F_GETFL);
  fcntl (self->in_fd, F_SETFL, flags | O_NONBLOCK);
  flags = fcntl (self->out_fd, F_GETFL);
  fcntl (self->out_fd, F_SETFL, flags | O_NONBLOCK);

  self->rbuf = g_byte_array_sized_new (65536);
  self->wbuf = g_byte_array_sized_new (65536);
  self->in_channel = g_io_channel_unix_new (self->in_fd);
  self->out_channel = g_io_channel_unix_new (self->out_fd);
  g_io_channel_set_close_on_unref (self->in_channel, FALSE);
  g_io_channel_set_close_on_unref (self->out_channel, FALSE);
  /* Recursion allowed: GLib blocks a source that may not recurse while it
   * runs by taking its fd out of the poll and putting it back, and each of
   * those wakes the loop (an eventfd write, another poll and read): a
   * wasted turn of the loop for every frame. readable_cb () guards
   * against a nested loop itself. */
  self->out_watch = attach_watch (self, self->out_channel, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  readable_cb, TRUE);
  self->said_hello = FALSE;
  self->stop = CW_STOP_NONE;

  g_debug ("slot %u: spawned worker %d%s", self->slot, (int) self->pid,
           self->n_spawned > 0 ? " (respawn)" : "");
  self->n_spawned++;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* state */

gboolean
cw_supervisor_has_process (CwSupervisor *self)
{
  return self->proc != NULL;
}

gboolean
cw_supervisor_is_running (CwSupervisor *self)
{
  return self->proc != NULL && !self->dying;
}

gboolean
cw_supervisor_is_reading (CwSupervisor *self)
{
  return self->reading;
}

gboolean
cw_supervisor_is_accepting (CwSupervisor *self)
{
  return self->proc != NULL && !self->dying && self->stop == CW_STOP_NONE;
}

gint32
cw_supervisor_get_pid (CwSupervisor *self)
{
  return self->proc != NULL && !self->dying ? self->pid : 0;
}
