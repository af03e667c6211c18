/* cw-lab-runner.c: running an experiment's steps
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment is a list of steps, one per setting: a batch through a
 * fresh CwPool (so every setting starts with fresh workers and its own
 * peak memory), or a piece of local work on a GTask thread (the in-place
 * baselines, reading samples). The runner runs them on the caller's main
 * context in rounds, every step once a round, after one warm-up batch that
 * is not counted (it fills the page cache and pages the worker in, so the
 * first setting is not the only one to start cold), and records each
 * counted run: its wall time, the pool's counters, the workers' own peak
 * memory (VmHWM, read from /proc on a thread before they exit) and its
 * timeline. Rounds, not repeats one after another: a busy moment on the
 * machine then lands on every setting alike. Nothing waits on the main
 * loop. Every step gets its own output folder in a scratch folder, removed
 * at the end. Once the last round is done the experiment builds its report
 * from the medians and spreads.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <errno.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cw-audio.h"
#include "cw-cpus.h"
#include "cw-demo.h"
#include "cw-spec.h"

/* ---- the run and its steps -------------------------------------------------- */

static void
measure_free (CwLabMeasure *measure)
{
  g_clear_pointer (&measure->visible_us, g_array_unref);
  g_clear_pointer (&measure->finished_us, g_array_unref);
  g_clear_pointer (&measure->timeline, cw_lab_timeline_free);
  g_free (measure);
}

void
cw_lab_step_free (CwLabStep *step)
{
  g_free (step->description);
  g_free (step->out_dir);
  g_clear_pointer (&step->measures, g_ptr_array_unref);
  g_clear_pointer (&step->lane_last, g_array_unref);
  g_clear_pointer (&step->outputs, g_ptr_array_unref);
  g_clear_pointer (&step->output_inputs, g_ptr_array_unref);
  g_free (step->first_error);
  g_free (step->dup_text);
  g_free (step);
}

CwLabMeasure *
cw_lab_step_add_measure (CwLabStep *step,
                         gint64     wall_us)
{
  CwLabMeasure *measure = g_new0 (CwLabMeasure, 1);

  measure->wall_us = wall_us;
  measure->visible_us = g_array_new (FALSE, TRUE, sizeof (gint64));
  measure->finished_us = g_array_new (FALSE, TRUE, sizeof (gint64));
  g_ptr_array_add (step->measures, measure);
  return measure;
}

double
cw_lab_measure_seconds (const CwLabMeasure *measure)
{
  return cw_lab_seconds (measure->wall_us) / MAX (measure->passes, 1);
}

CwLabStat
cw_lab_step_stat (const CwLabStep *step,
                  double         (*get) (const CwLabMeasure *measure))
{
  g_autofree double *values = g_new0 (double, MAX (step->measures->len, 1));
  CwLabStat stat;

  for (guint i = 0; i < step->measures->len; i++)
    values[i] = get (g_ptr_array_index (step->measures, i));
  cw_lab_stat_init (&stat, values, step->measures->len);
  return stat;
}

CwLabStat
cw_lab_step_wall (const CwLabStep *step)
{
  return cw_lab_step_stat (step, cw_lab_measure_seconds);
}

const CwLabMeasure *
cw_lab_step_median_measure (const CwLabStep *step)
{
  g_autoptr(GPtrArray) sorted = NULL;

  if (step->measures->len == 0)
    return NULL;
  /* pointers only: the copy would inherit the free function */
  sorted = g_ptr_array_copy (step->measures, NULL, NULL);
  g_ptr_array_set_free_func (sorted, NULL);
  for (guint i = 1; i < sorted->len; i++)
    for (guint j = i; j > 0; j--)
      {
        CwLabMeasure *a = g_ptr_array_index (sorted, j - 1), *b = g_ptr_array_index (sorted, j);

        if (cw_lab_measure_seconds (a) <= cw_lab_measure_seconds (b))
          break;
        sorted->pdata[j - 1] = b;
        sorted->pdata[j] = a;
      }
  return g_ptr_array_index (sorted, (sorted->len - 1) / 2);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      rm_rf (child);
    }
  g_rmdir (path);
}

void
cw_lab_run_free (CwLabRun *run)
{
  g_clear_object (&run->pool);
  if (run->scratch != NULL)
    rm_rf (run->scratch);
  g_free (run->scratch);
  g_strfreev (run->user_inputs);
  g_clear_pointer (&run->inputs, g_ptr_array_unref);
  g_clear_pointer (&run->samples, g_ptr_array_unref);
  g_clear_pointer (&run->sample_args, g_array_unref);
  g_clear_pointer (&run->steps, g_ptr_array_unref);
  g_clear_pointer (&run->schedule, g_array_unref);
  g_clear_object (&run->cancellable);
  g_free (run);
}

CwLabStep *
cw_lab_run_add_step (CwLabRun      *run,
                     CwLabStepKind  kind,
                     const char    *description)
{
  CwLabStep *step = g_new0 (CwLabStep, 1);

  step->run = run;
  step->kind = kind;
  step->description = g_strdup (description);
  step->mode = CW_MODE_PROCESSES;
  step->n_workers = run->max_workers;
  step->order = CW_ORDER_UNORDERED;
  step->chunk_size = 1;
  step->repeats = 5;
  step->spawn_ms = 50;
  step->measures = g_ptr_array_new_with_free_func ((GDestroyNotify) measure_free);
  step->lane_last = g_array_new (FALSE, FALSE, sizeof (guint));
  step->outputs = g_ptr_array_new_with_free_func (g_free);
  step->output_inputs = g_ptr_array_new_with_free_func (g_free);
  step->out_dir = g_strdup_printf ("%s/out%02u", run->scratch, run->steps->len);
  g_ptr_array_add (run->steps, step);
  return step;
}

CwLabStep *
cw_lab_run_add_batch (CwLabRun   *run,
                      const char *description,
                      CwMode      mode,
                      guint       n_workers,
                      CwTaskKind  task_kind,
                      guint       n_tasks,
                      gint64      arg)
{
  CwLabStep *step = cw_lab_run_add_step (run, CW_LAB_STEP_BATCH, description);

  step->mode = mode;
  step->n_workers = n_workers;
  step->task_kind = task_kind;
  step->n_tasks = n_tasks;
  step->arg = arg;
  return step;
}

CwLabStep *
cw_lab_run_find_step (CwLabRun   *run,
                      const char *description)
{
  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = g_ptr_array_index (run->steps, i);

      if (g_strcmp0 (step->description, description) == 0)
        return step;
    }
  g_assert_not_reached ();
}

CwLabStep *
cw_lab_run_get_step (CwLabRun *run,
                     guint     index)
{
  g_assert (index < run->steps->len);
  return g_ptr_array_index (run->steps, index);
}

/* ---- preparing the files ------------------------------------------------- */

static gboolean
prepare_inputs (CwLabRun  *run,
                GError   **error)
{
  if (run->user_inputs != NULL && run->user_inputs[0] != NULL)
    {
      for (guint i = 0; run->user_inputs[i] != NULL; i++)
        g_ptr_array_add (run->inputs, g_strdup (run->user_inputs[i]));
    }
  else
    {
      g_autofree char *dir = NULL;

      /* The full-size demo set is the window's, kept in the cache; the
       * quick one is cheaper to write than to look after. */
      if (run->quick)
        {
          dir = g_build_filename (run->scratch, "demo", NULL);
          if (!cw_demo_write (dir, run->demo_count, run->demo_seconds, error))
            return FALSE;
        }
      else
        {
          dir = cw_demo_set_ensure (run->demo_count, run->demo_seconds, NULL, error);
          if (dir == NULL)
            return FALSE;
        }
      for (guint i = 0; i < run->demo_count; i++)
        g_ptr_array_add (run->inputs, g_strdup_printf ("%s/example%02u.wav", dir, i));
    }
  return TRUE;
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  CwLabRun *run = task_data;
  GError *error = NULL;

  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = g_ptr_array_index (run->steps, i);

      if (g_mkdir_with_parents (step->out_dir, 0777) != 0)
        {
          int errsv = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                                   "Cannot create %s: %s", step->out_dir, g_strerror (errsv));
          return;
        }
    }
  if (run->use_audio && !prepare_inputs (run, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* ---- running the steps ----------------------------------------------------- */

static void run_next_step (GTask *task);

static const CwLabScheduled *
scheduled (CwLabRun *run)
{
  return &g_array_index (run->schedule, CwLabScheduled, run->current);
}

static CwLabStep *
current_step (CwLabRun *run)
{
  return g_ptr_array_index (run->steps, scheduled (run)->step);
}

static gboolean
task_source (gpointer  user_data,
             CwTask   *task)
{
  GTask *gtask = user_data;
  CwLabRun *run = g_task_get_task_data (gtask);
  CwLabStep *step = current_step (run);
  guint i = step->next_task;

  if (i >= step->n_tasks)
    return FALSE;
  step->next_task++;
  task->kind = step->task_kind;
  task->arg = step->arg;
  if (step->fib_series)
    task->arg = i;
  if (step->n_spin_ms > 0)
    task->arg = step->spin_ms[i % step->n_spin_ms];
  if (i == 0 && step->slow_arg > 0)
    task->arg = step->slow_arg;
  if (step->task_kind == CW_TASK_AUDIO || step->task_kind == CW_TASK_AUDIO_INLINE)
    {
      const char *input = g_ptr_array_index (run->inputs, i % run->inputs->len);
      g_autofree char *base = g_path_get_basename (input);
      g_autofree char *name = g_strdup_printf ("%03u-%s", i, base);

      task->input_path = g_strdup (input);
      task->output_path = g_build_filename (step->out_dir, name, NULL);
      task->seed_key = g_strdup (name);
      /* the lab's own scratch folder: each measured batch writes it again */
      task->replace = CW_REPLACE_ALWAYS;
      if (step->task_kind == CW_TASK_AUDIO_INLINE)
        {
          task->data = g_bytes_ref (g_ptr_array_index (run->samples, i % run->inputs->len));
          task->arg = g_array_index (run->sample_args, gint64, i % run->inputs->len);
          /* the inline task writes a WAV */
          g_free (task->output_path);
          task->output_path = g_strdup_printf ("%s/%03u.wav", step->out_dir, i);
        }
    }
  return TRUE;
}

/* A few short spin tasks, one per trip, so every worker is running when
 * the batch that counts starts. */
static gboolean
spawn_source (gpointer  user_data,
              CwTask   *task)
{
  GTask *gtask = user_data;
  CwLabRun *run = g_task_get_task_data (gtask);
  CwLabStep *step = current_step (run);

  if (step->next_task >= 2 * step->n_workers)
    return FALSE;
  step->next_task++;
  task->kind = CW_TASK_SPIN;
  task->arg = step->spawn_ms;
  return TRUE;
}

static void
set_at (GArray  *array,
        guint64  index,
        gint64   value)
{
  if (index >= array->len)
    g_array_set_size (array, index + 1);
  g_array_index (array, gint64, index) = value;
}

static void
on_result (const CwResult *result,
           gpointer        user_data)
{
  CwLabStep *step = user_data;
  CwLabMeasure *measure = step->current;

  if (result->status != CW_STATUS_OK)
    {
      step->n_failed++;
      if (step->first_error == NULL)
        step->first_error = g_strdup (result->error);
    }
  if (measure == NULL)
    return;   /* the warm-up */
  set_at (measure->visible_us, result->index, g_get_monotonic_time () - step->start_us);
  set_at (measure->finished_us, result->index, MAX (result->end_us - step->start_us, 0));
  if (measure->timeline != NULL)
    cw_lab_timeline_add_result (measure->timeline, step->lane_last, step->start_us, result);
  if (result->output_path != NULL && result->input_path != NULL)
    {
      g_ptr_array_add (step->outputs, g_strdup (result->output_path));
      g_ptr_array_add (step->output_inputs, g_strdup (result->input_path));
    }
  /* the overhead experiment passes 200,000 results through here: one test
   * and, with an observer, one call */
  if (step->run->observer.result != NULL)
    step->run->observer.result (result, step->run->observer_data);
}

static void
step_done (GTask  *task,
           GError *error)
{
  CwLabRun *run = g_task_get_task_data (task);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  run->current++;
  run_next_step (task);
}

/* What a step leaves behind, on a thread: the in-place work itself, or
 * after a batch its check and its outputs (a full-size batch writes
 * hundreds of MB: freed at once). */
static void
local_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CwLabRun *run = task_data;
  CwLabStep *step = current_step (run);

  if (step->kind == CW_LAB_STEP_LOCAL)
    {
      CwLabMeasure *measure = cw_lab_step_add_measure (step, 0);

      step->local_func (run, scheduled (run)->step, measure);
      if (!scheduled (run)->counted)
        g_ptr_array_remove (step->measures, measure);
    }
  else
    {
      if (step->after != NULL && step->current != NULL)
        step->after (run, scheduled (run)->step, step->current);
      rm_rf (step->out_dir);
      g_mkdir_with_parents (step->out_dir, 0777);
    }
  g_task_return_boolean (task, TRUE);
}

static void
local_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  step_done (task, error);
}

static void
run_on_thread (GTask *task)
{
  CwLabRun *run = g_task_get_task_data (task);
  g_autoptr(GTask) thread_task = g_task_new (NULL, run->cancellable, local_done_cb, task);

  g_task_set_task_data (thread_task, run, NULL);
  g_task_run_in_thread (thread_task, local_thread);
}

static void
pool_closed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  CwLabRun *run = g_task_get_task_data (task);
  GError *error = NULL;

  cw_pool_close_finish (CW_POOL (source), result, &error);
  g_clear_object (&run->pool);
  if (error == NULL)
    run_on_thread (task);
  else
    step_done (task, error);
}

/* A worker's own peak memory: VmHWM belongs to the process's address
 * space, which exec () replaced, while getrusage ()'s ru_maxrss keeps the
 * peak of the parent it was forked from (a window's tens of MiB). */
static gint64
read_vm_hwm_kb (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  line = strstr (text, "\nVmHWM:");
  if (line == NULL)
    return 0;
  return g_ascii_strtoll (line + strlen ("\nVmHWM:"), NULL, 10);
}

static void
peak_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GArray *pids = task_data;
  gint64 peak = 0;

  for (guint i = 0; i < pids->len; i++)
    peak = MAX (peak, read_vm_hwm_kb (g_array_index (pids, gint32, i)));
  g_task_return_int (task, peak);
}

static void
peak_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  CwLabRun *run = g_task_get_task_data (task);
  CwLabStep *step = current_step (run);
  gssize peak = g_task_propagate_int (G_TASK (result), NULL);

  if (step->current != NULL)
    step->current->workers_peak_kb = MAX (peak, 0);
  cw_pool_close_async (run->pool, NULL, pool_closed_cb, task);
}

static void start_batch (GTask     *task,
                         CwLabStep *step);

static void
batch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  CwLabRun *run = g_task_get_task_data (task);
  CwLabStep *step = current_step (run);
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) peak = NULL;
  CwBatchStats stats;

  if (!cw_pool_map_finish (CW_POOL (source), result, &stats, &error))
    {
      g_clear_object (&run->pool);
      step_done (task, g_steal_pointer (&error));
      return;
    }
  if (step->spawning)
    {
      step->spawning = FALSE;
      start_batch (task, step);
      return;
    }
  if (step->n_failed > 0)
    {
      g_clear_object (&run->pool);
      step_done (task, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %u tasks failed: %s",
                                    step->description, step->n_failed,
                                    step->first_error ? step->first_error : ""));
      return;
    }
  if (step->current != NULL)
    {
      step->current->wall_us = stats.wall_us;
      step->current->stats = stats;
      if (step->current->timeline != NULL)
        {
          /* on the bars' clock: from step->start_us, taken before the
           * observer's batch_started and the pool's own start (which
           * stats.wall_us counts from), so the last bar can end a little
           * after stats.wall_us, never after now */
          step->current->timeline->wall_us = MAX (stats.wall_us, g_get_monotonic_time () - step->start_us);
          cw_lab_timeline_finish (step->current->timeline);
        }
      if (run->observer.batch_finished != NULL)
        run->observer.batch_finished (step->description, stats.wall_us, run->observer_data);
    }
  /* the workers' own peak, while they are still there to ask */
  peak = g_task_new (NULL, NULL, peak_done_cb, task);
  g_task_set_task_data (peak, cw_pool_get_worker_pids (run->pool), (GDestroyNotify) g_array_unref);
  g_task_run_in_thread (peak, peak_thread);
}

static void
start_batch (GTask     *task,
             CwLabStep *step)
{
  CwLabRun *run = g_task_get_task_data (task);
  CwJobSettings settings = {
    .spec = (char *) CW_DEFAULT_SPEC,
    .format = CW_FORMAT_SAME,
    .seed = 20260101,
    .naive_seed = step->naive_seed,
  };

  step->next_task = 0;
  if (step->spawning)
    {
      cw_pool_set_chunk_size (run->pool, 1);
      cw_pool_map_async (run->pool, &settings, spawn_source, task, NULL, 2 * step->n_workers,
                         CW_ORDER_UNORDERED, NULL, NULL, run->cancellable, batch_done_cb, task);
      return;
    }
  cw_pool_set_chunk_size (run->pool, step->chunk_size);
  g_ptr_array_set_size (step->outputs, 0);
  g_ptr_array_set_size (step->output_inputs, 0);
  g_array_set_size (step->lane_last, 0);
  step->start_us = g_get_monotonic_time ();
  if (step->current != NULL)
    {
      if (step->show_timeline)
        {
          step->current->timeline = g_new0 (CwLabTimeline, 1);
          step->current->timeline->setting = g_strdup (step->description);
          step->current->timeline->n_lanes = step->n_workers;
          step->current->timeline->bars = g_array_new (FALSE, FALSE, sizeof (CwLabBar));
        }
      /* before the pool can hand out a task: the observer sees every result */
      if (run->observer.batch_started != NULL)
        run->observer.batch_started (run->pool, step->description, step->n_workers, step->start_us,
                                     run->observer_data);
    }
  cw_pool_map_async (run->pool, &settings, task_source, task, NULL, step->n_tasks,
                     step->order, on_result, step, run->cancellable, batch_done_cb, task);
}

static void
run_batch (GTask     *task,
           CwLabStep *step)
{
  CwLabRun *run = g_task_get_task_data (task);
  const CwLabScheduled *now = scheduled (run);
  g_autofree char *description = NULL;

  if (!now->counted)
    description = g_strdup_printf ("%s (warm-up, not counted)", step->description);
  else if (step->repeats > 1)
    description = g_strdup_printf ("%s, run %u of %u", step->description, now->round + 1, step->repeats);
  else
    description = g_strdup (step->description);

  step->current = now->counted ? cw_lab_step_add_measure (step, 0) : NULL;
  run->pool = cw_pool_new (step->mode, step->n_workers);
  if (run->on_batch != NULL)
    run->on_batch (run->pool, description, run->batch_data);
  step->spawning = step->spawn_first;
  start_batch (task, step);
}

static void
finish_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CwLabRun *run = task_data;

  rm_rf (run->scratch);
  g_clear_pointer (&run->scratch, g_free);
  g_task_return_boolean (task, TRUE);
}

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  CwLabRun *run = g_task_get_task_data (task);

  g_task_return_pointer (task, cw_lab_run_build_report (run), (GDestroyNotify) cw_lab_report_free);
  g_object_unref (task);
}

static void
run_next_step (GTask *task)
{
  CwLabRun *run = g_task_get_task_data (task);
  CwLabStep *step;

  if (g_cancellable_is_cancelled (run->cancellable))
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (run->cancellable, &error);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (run->current >= run->schedule->len)
    {
      g_autoptr(GTask) thread_task = g_task_new (NULL, NULL, finished_cb, task);

      /* removing the scratch folder is file system work: not here */
      g_task_set_task_data (thread_task, run, NULL);
      g_task_run_in_thread (thread_task, finish_thread);
      return;
    }
  step = current_step (run);
  if (run->observer.step_started != NULL)
    run->observer.step_started (run->current, run->schedule->len, step->description,
                                run->observer_data);
  if (step->kind == CW_LAB_STEP_LOCAL)
    run_on_thread (task);
  else
    run_batch (task, step);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  run_next_step (task);
}

/* The warm-up, then round after round: every step once a round, as long
 * as it has runs to do. */
static void
schedule_steps (CwLabRun *run)
{
  guint rounds = 0;

  run->schedule = g_array_new (FALSE, FALSE, sizeof (CwLabScheduled));
  if (run->warm_up_step < run->steps->len)
    g_array_append_val (run->schedule, ((CwLabScheduled) { run->warm_up_step, 0, FALSE }));
  for (guint i = 0; i < run->steps->len; i++)
    rounds = MAX (rounds, cw_lab_run_get_step (run, i)->repeats);
  for (guint r = 0; r < rounds; r++)
    for (guint i = 0; i < run->steps->len; i++)
      if (r < cw_lab_run_get_step (run, i)->repeats)
        g_array_append_val (run->schedule, ((CwLabScheduled) { i, r, TRUE }));
}

static CwLabRun *
lab_run_new (CwLabExperiment experiment,
             guint           max_workers,
             gboolean        quick)
{
  CwLabRun *run = g_new0 (CwLabRun, 1);

  run->experiment = experiment;
  run->quick = quick;
  run->max_workers = max_workers > 0 ? max_workers : cw_cpus_usable ();
  run->max_workers = MIN (run->max_workers, CW_POOL_MAX_WORKERS);
  run->inputs = g_ptr_array_new_with_free_func (g_free);
  run->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  run->sample_args = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_lab_step_free);
  run->warm_up_step = G_MAXUINT;
  run->demo_count = quick ? 8 : CW_DEMO_COUNT;
  /* the full set is the lesson's own: 24 files of 4 minutes */
  run->demo_seconds = quick ? 2.0 : CW_DEMO_SECONDS;
  return run;
}

/* The plan needs the number of files: user files are known now, the demo
 * set's count is fixed. */
static void
lab_run_plan (CwLabRun *run,
              guint     n_files)
{
  if (n_files > 0)
    run->demo_count = n_files;
  g_ptr_array_set_size (run->inputs, run->demo_count);
  cw_lab_run_plan (run);
  g_ptr_array_set_size (run->inputs, 0);
  schedule_steps (run);
}

CwLabRun *
cw_lab_run_new_planned (CwLabExperiment experiment,
                        guint           max_workers,
                        gboolean        quick,
                        guint           n_files)
{
  CwLabRun *run = lab_run_new (experiment, max_workers, quick);

  run->scratch = g_strdup ("/nonexistent");
  lab_run_plan (run, n_files);
  g_clear_pointer (&run->scratch, g_free);
  return run;
}

/* ---- the public entry points ------------------------------------------------ */

void
cw_lab_run_async (CwLabExperiment      experiment,
                  const CwLabOptions  *options,
                  CwLabBatchFunc       on_batch,
                  gpointer             batch_data,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  cw_lab_run_full_async (experiment, options, on_batch, batch_data, NULL, NULL,
                         cancellable, callback, user_data);
}

void
cw_lab_run_full_async (CwLabExperiment      experiment,
                       const CwLabOptions  *options,
                       CwLabBatchFunc       on_batch,
                       gpointer             batch_data,
                       const CwLabObserver *observer,
                       gpointer             observer_data,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) prepare = NULL;
  g_autoptr(GError) error = NULL;
  CwLabRun *run;
  g_autofree char *tmpl = NULL;

  g_return_if_fail (experiment < CW_LAB_N_EXPERIMENTS);
  g_return_if_fail (options != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_lab_run_async);

  run = lab_run_new (experiment, options->max_workers, options->quick);
  run->user_inputs = g_strdupv (options->inputs);
  run->on_batch = on_batch;
  run->batch_data = batch_data;
  if (observer != NULL)
    {
      run->observer = *observer;
      run->observer_data = observer_data;
    }
  run->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  g_task_set_task_data (task, run, (GDestroyNotify) cw_lab_run_free);

  tmpl = g_build_filename (options->work_dir ? options->work_dir : g_get_tmp_dir (),
                           "corewave-lab-XXXXXX", NULL);
  run->scratch = g_mkdtemp (g_steal_pointer (&tmpl));
  if (run->scratch == NULL)
    {
      int errsv = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                               "Cannot create a scratch folder: %s", g_strerror (errsv));
      g_object_unref (task);
      return;
    }

  lab_run_plan (run, run->user_inputs != NULL ? g_strv_length (run->user_inputs) : 0);

  prepare = g_task_new (NULL, cancellable, prepared_cb, task);
  g_task_set_task_data (prepare, run, NULL);
  g_task_run_in_thread (prepare, prepare_thread);
}

CwLabReport *
cw_lab_run_finish (GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, cw_lab_run_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
