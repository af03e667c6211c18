/* cw-supervisor.h: one worker process of the pool, spawned, spoken to and reaped
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-protocol.h"

G_BEGIN_DECLS

/* A supervisor looks after the worker of one pool slot, one process after
 * another: it spawns it, moves frames through its pipes, stops it when
 * asked and reaps it, and then says how it ended. It knows a stop it was
 * asked for from a crash, and after a start failure (a spawn that fails, or
 * a worker that dies before its hello) it holds the next spawn back,
 * longer each time in a row, until a worker says hello. What the frames
 * mean, and what becomes of a dead worker's tasks, is the pool's business. */
typedef struct _CwSupervisor CwSupervisor;

typedef enum
{
  CW_STOP_NONE,     /* not asked to stop: a crash, or a protocol error */
  CW_STOP_CANCEL,   /* its batch was cancelled: SIGTERM, SIGKILL after a grace */
  CW_STOP_CLOSE,    /* the pool is closing: end of input */
  CW_STOP_TIMEOUT,  /* a task ran past the pool's timeout: killed */
} CwStopReason;

typedef struct
{
  gint32        pid;
  const char   *reason;         /* for its tasks: the reason it was ended for,
                                 * else "worker killed by signal 9 (Killed)"... */
  CwStopReason  stop;           /* what it was asked, if anything */
  gboolean      start_failure;  /* died unasked before its hello; a SIGKILL from
                                 * outside (kill -9, the OOM killer) is no sign of
                                 * a worker that cannot start, so it is not one */
} CwWorkerExit;

typedef struct
{
  /* A frame other than HELLO. FALSE with @error (a protocol error) ends the
   * worker, with @error's message as the reason. */
  gboolean (*frame)  (CwSupervisor       *supervisor,
                      CwMessageType       type,
                      const guint8       *frame,
                      gsize               size,
                      gpointer            user_data,
                      GError            **error);
  void     (*hello)  (CwSupervisor       *supervisor,
                      gpointer            user_data);
  /* every frame that one wake-up brought was handled */
  void     (*read)   (CwSupervisor       *supervisor,
                      gpointer            user_data);
  /* reaped: the process is gone and a new one may be spawned */
  void     (*exited) (CwSupervisor       *supervisor,
                      const CwWorkerExit *exit,
                      gpointer            user_data);
  /* a back-off ended: a spawn may go ahead */
  void     (*ready)  (CwSupervisor       *supervisor,
                      gpointer            user_data);
} CwSupervisorFuncs;

typedef struct
{
  const char *path;
  /* A command that runs a worker elsewhere (`ssh -T node1
   * /usr/libexec/corewave-worker`): its own argv, to which the settings
   * below are appended as options (an environment does not cross ssh).
   * NULL: @path, here, a child of ours. */
  const char * const *command;
  int         nice;         /* CW_WORKER_NICE; 0: as nice as we are */
  gboolean    answer_each;  /* CW_WORKER_ANSWER_EACH: every task answered as it ends */
} CwWorkerLaunch;

/* The first back-off after a start failure, doubled for each one in a row
 * up to the cap. */
#define CW_SUPERVISOR_BACKOFF_FIRST_MS 100
#define CW_SUPERVISOR_BACKOFF_MAX_MS   5000

/* @owner (the pool) is kept alive while a callback runs and while a
 * worker is being reaped; the callbacks run on @context. */
CwSupervisor *cw_supervisor_new             (guint                    slot,
                                             GObject                 *owner,
                                             GMainContext            *context,
                                             const CwSupervisorFuncs *funcs,
                                             gpointer                 user_data);
/* Kills and reaps a worker still there (see cw_supervisor_kill_and_wait ()). */
void          cw_supervisor_free            (CwSupervisor            *self);

/* Fails while backing off, or when the spawn fails (which starts a back-off). */
gboolean      cw_supervisor_spawn           (CwSupervisor            *self,
                                             const CwWorkerLaunch    *launch,
                                             GError                 **error);
/* There is a process, alive or being reaped. */
gboolean      cw_supervisor_has_process     (CwSupervisor            *self);
/* Its pipes are open: frames still come and go. */
gboolean      cw_supervisor_is_running      (CwSupervisor            *self);
/* Running and not asked to stop: it may be given work. */
/* In the middle of reading the worker's frames (a result callback runs a
 * main loop of its own): the worker has answered. */
gboolean      cw_supervisor_is_reading      (CwSupervisor            *self);
gboolean      cw_supervisor_is_accepting    (CwSupervisor            *self);
gboolean      cw_supervisor_is_backing_off  (CwSupervisor            *self);
/* The running worker's pid, or 0. */
gint32        cw_supervisor_get_pid         (CwSupervisor            *self);

/* Frames to send go here, then cw_supervisor_flush () writes what the pipe
 * takes without blocking (a watch writes the rest). Running only. */
GByteArray   *cw_supervisor_get_outbox      (CwSupervisor            *self);
void          cw_supervisor_flush           (CwSupervisor            *self);
/* Reads what the worker wrote and handles every whole frame. FALSE when the
 * worker started dying meanwhile; @eof says it closed its end. */
gboolean      cw_supervisor_read            (CwSupervisor            *self,
                                             gboolean                *eof);

/* A cancel: SIGTERM, so it answers for what it finished and exits;
 * SIGKILL if it is still there after @grace_s. */
void          cw_supervisor_stop            (CwSupervisor            *self,
                                             guint                    grace_s);
/* Ends it now, telling its tasks @reason. */
void          cw_supervisor_kill            (CwSupervisor            *self,
                                             const char              *reason,
                                             CwStopReason             stop);
/* End of input: it exits once it has answered everything. */
void          cw_supervisor_close_input     (CwSupervisor            *self);
/* The last resort (a pool disposed with workers alive): kills the worker
 * and reaps it here, so none is left a zombie, and drops a pending
 * back-off. Returns its pid, or 0. */
gint32        cw_supervisor_kill_and_wait   (CwSupervisor            *self);

G_END_DECLS
