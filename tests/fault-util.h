/* fault-util.h: helpers shared by the fault suite (test-fault.c, test-soak.c)
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "cw-error.h"
#include "cw-pool.h"

/* It only turns a hang into a failure. */
#define WAIT_TIMEOUT_S 120

static gboolean
flag_timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

#define WAIT_UNTIL_S(cond, seconds)                                           \
  G_STMT_START {                                                              \
    gboolean timed_out_ = FALSE;                                              \
    guint timeout_id_ = g_timeout_add_seconds ((seconds),                     \
                                               flag_timeout_cb, &timed_out_); \
    while (!(cond) && !timed_out_)                                            \
      g_main_context_iteration (NULL, TRUE);                                  \
    if (timed_out_)                                                           \
      g_error ("timed out after %d s waiting for %s", (seconds), #cond);      \
    g_source_remove (timeout_id_);                                            \
  } G_STMT_END
#define WAIT_UNTIL(cond) WAIT_UNTIL_S (cond, WAIT_TIMEOUT_S)

static inline void
write_sine (const char *path,
            double      seconds,
            double      freq,
            int         channels)
{
  SF_INFO info = { .samplerate = 44100, .channels = channels, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  sf_count_t frames = (sf_count_t) (seconds * info.samplerate);
  g_autofree short *data = g_new (short, frames * channels);
  SNDFILE *sf;

  for (sf_count_t i = 0; i < frames; i++)
    for (int c = 0; c < channels; c++)
      data[i * channels + c] = (short) (16000 * sin (2 * G_PI * freq * (c + 1) * i / info.samplerate));
  sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_short (sf, data, frames), ==, frames);
  g_assert_cmpint (sf_close (sf), ==, 0);
}

static inline void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        rm_rf (child);
      }
  g_assert_cmpint (remove (path), ==, 0);
}

static inline char *
make_tmp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("cw-test-fault-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static inline void
assert_no_part_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".part"))
      g_error ("a partial output was left behind: %s/%s", path, name);
}

static inline guint
count_fds (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static gboolean
tick_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* GLib closes a reaped child's pidfd a moment after the reaping: iterate
 * until the count is back; a real leak fails on the timeout. */
static inline void
wait_for_fd_count (guint expected)
{
  guint tick = g_timeout_add (5, tick_cb, NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  /* "before" may have held a descriptor GLib was about to close: fewer
   * is fine, more is a leak */
  while (count_fds () > expected && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  if (count_fds () > expected)
    {
      g_autoptr(GDir) dir = g_dir_open ("/proc/self/fd", 0, NULL);
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *link = g_strdup_printf ("/proc/self/fd/%s", name);
          g_autofree char *target = g_file_read_link (link, NULL);

          g_test_message ("fd %s -> %s", name, target);
        }
      g_error ("%u fds open after 10 s, %u before", count_fds (), expected);
    }
}

/* audio tasks over a list of inputs, outputs in one folder */
typedef struct
{
  char **inputs;
  char  *output_dir;
  guint  n;
  guint  given;
} Source;

static inline gboolean
source_next (gpointer  user_data,
             CwTask   *task)
{
  Source *src = user_data;
  g_autofree char *base = NULL;

  if (src->given >= src->n)
    return FALSE;
  base = g_path_get_basename (src->inputs[src->given]);
  task->kind = CW_TASK_AUDIO;
  task->input_path = g_strdup (src->inputs[src->given]);
  task->output_path = g_build_filename (src->output_dir, base, NULL);
  task->seed_key = g_steal_pointer (&base);
  src->given++;
  return TRUE;
}

typedef void (*RunHook) (const CwResult *result,
                         gpointer        user_data);

typedef struct
{
  GPtrArray    *results;       /* CwResult*, in delivery order */
  gboolean      done;
  gboolean      ok;
  GError       *error;
  CwBatchStats  stats;
  RunHook       hook;          /* called on each result */
  gpointer      hook_data;
} Run;

static inline void
run_init (Run *run)
{
  memset (run, 0, sizeof *run);
  run->results = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_result_free);
}

static inline void
run_clear (Run *run)
{
  g_clear_pointer (&run->results, g_ptr_array_unref);
  g_clear_error (&run->error);
}

static void
run_result_cb (const CwResult *result,
               gpointer        user_data)
{
  Run *run = user_data;

  g_assert_false (run->done);
  g_ptr_array_add (run->results, cw_result_copy (result));
  if (run->hook != NULL)
    run->hook (result, run->hook_data);
}

static void
run_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Run *run = user_data;

  run->ok = cw_pool_map_finish (CW_POOL (object), result, &run->stats, &run->error);
  run->done = TRUE;
}

static inline void
run_map (CwPool              *pool,
         const CwJobSettings *settings,
         Source              *src,
         Run                 *run)
{
  cw_pool_map_async (pool, settings, source_next, src, NULL, src->n, CW_ORDER_UNORDERED,
                     run_result_cb, run, NULL, run_done_cb, run);
  WAIT_UNTIL (run->done);
}

/* Every index from 0 to @n - 1 exactly once; returns them by index. */
static inline const CwResult **
assert_each_once (Run   *run,
                  guint  n)
{
  const CwResult **by_index = g_new0 (const CwResult *, n);

  g_assert_cmpuint (run->results->len, ==, n);
  for (guint i = 0; i < run->results->len; i++)
    {
      const CwResult *r = g_ptr_array_index (run->results, i);

      g_assert_cmpuint (r->index, <, n);
      g_assert_null (by_index[r->index]);
      by_index[r->index] = r;
    }
  return by_index;
}

static void
closed_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (cw_pool_close_finish (CW_POOL (object), result, &error));
  g_assert_no_error (error);
  *(gboolean *) user_data = TRUE;
}

/* Close + join, then no child of ours is left, not even a zombie. */
static inline void
close_pool (CwPool *pool)
{
  gboolean closed = FALSE;

  cw_pool_close_async (pool, NULL, closed_cb, &closed);
  WAIT_UNTIL (closed);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (pool);

  errno = 0;
  g_assert_cmpint (waitpid (-1, NULL, WNOHANG), ==, -1);
  g_assert_cmpint (errno, ==, ECHILD);
}
