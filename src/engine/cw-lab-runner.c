/* cw-lab-runner.c: running an experiment's steps
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment is a list of steps run one after another on the caller's
 * main context: a batch through a fresh CwPool (so every setting starts
 * with fresh workers and its own peak memory), or a piece of local work on
 * a GTask thread (writing files, the sequential baselines, the duplicate
 * check). Nothing waits on the main loop. Every step gets its own output
 * folder in a scratch folder, removed at the end. Once the last step is
 * done the experiment builds its report from the numbers the steps
 * recorded.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <errno.h>

#include <glib/gstdio.h>

#include "cw-audio.h"
#include "cw-cpus.h"
#include "cw-demo.h"
#include "cw-spec.h"

/* ---- the run and its steps -------------------------------------------------- */

void
cw_lab_step_free (CwLabStep *step)
{
  g_free (step->description);
  g_free (step->out_dir);
  g_clear_pointer (&step->visible_us, g_array_unref);
  g_clear_pointer (&step->finished_us, g_array_unref);
  g_clear_pointer (&step->outputs, g_ptr_array_unref);
  g_clear_pointer (&step->output_inputs, g_ptr_array_unref);
  g_free (step->first_error);
  g_free (step->dup_text);
  g_free (step);
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

static void
lab_run_free (CwLabRun *run)
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
  step->repeats = 1;
  step->visible_us = g_array_new (FALSE, TRUE, sizeof (gint64));
  step->finished_us = g_array_new (FALSE, TRUE, sizeof (gint64));
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
  if ((run->use_audio && !prepare_inputs (run, &error))
      || !cw_lab_run_prepare_experiment (run, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* ---- running the steps ----------------------------------------------------- */

static void run_next_step (GTask *task);

static gboolean
task_source (gpointer  user_data,
             CwTask   *task)
{
  GTask *gtask = user_data;
  CwLabRun *run = g_task_get_task_data (gtask);
  CwLabStep *step = g_ptr_array_index (run->steps, run->current);
  guint i = step->next_task;

  if (i >= step->n_tasks)
    return FALSE;
  step->next_task++;
  task->kind = step->task_kind;
  task->arg = step->arg;
  if (step->fib_series)
    task->arg = i;
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
warm_up_source (gpointer  user_data,
                CwTask   *task)
{
  GTask *gtask = user_data;
  CwLabRun *run = g_task_get_task_data (gtask);
  CwLabStep *step = g_ptr_array_index (run->steps, run->current);

  if (step->next_task >= 2 * step->n_workers)
    return FALSE;
  step->next_task++;
  task->kind = CW_TASK_SPIN;
  task->arg = 50;
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

  set_at (step->visible_us, result->index, g_get_monotonic_time () - step->start_us);
  set_at (step->finished_us, result->index, MAX (result->end_us - step->start_us, 0));
  if (result->status != CW_STATUS_OK)
    {
      step->n_failed++;
      if (step->first_error == NULL)
        step->first_error = g_strdup (result->error);
    }
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

static void
local_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CwLabRun *run = task_data;
  CwLabStep *step = g_ptr_array_index (run->steps, run->current);

  if (step->kind == CW_LAB_STEP_LOCAL)
    step->local_func (run, run->current);
  else
    {
      if (step->after != NULL)
        step->after (run, run->current);
      /* a full-size batch writes hundreds of MB: free them now */
      rm_rf (step->out_dir);
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

static void run_batch (GTask     *task,
                       CwLabStep *step);

static void
pool_closed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  CwLabRun *run = g_task_get_task_data (task);
  CwLabStep *step = g_ptr_array_index (run->steps, run->current);
  GError *error = NULL;

  cw_pool_close_finish (CW_POOL (source), result, &error);
  g_clear_object (&run->pool);
  if (error == NULL && step->runs_done < step->repeats)
    run_batch (task, step);
  else if (error == NULL)
    run_on_thread (task);
  else
    step_done (task, error);
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
  CwLabStep *step = g_ptr_array_index (run->steps, run->current);
  g_autoptr(GError) error = NULL;
  CwBatchStats stats;

  if (step->warming)
    {
      CwBatchStats ignored;

      step->warming = FALSE;
      if (!cw_pool_map_finish (CW_POOL (source), result, &ignored, &error))
        {
          g_clear_object (&run->pool);
          step_done (task, g_steal_pointer (&error));
          return;
        }
      start_batch (task, step);
      return;
    }
  if (!cw_pool_map_finish (CW_POOL (source), result, &stats, &error))
    {
      g_clear_object (&run->pool);
      step_done (task, g_steal_pointer (&error));
      return;
    }
  step->runs_done++;
  if (step->runs_done == 1 || stats.wall_us < step->wall_us)
    {
      step->stats = stats;
      step->wall_us = stats.wall_us;
    }
  if (step->n_failed > 0)
    {
      g_clear_object (&run->pool);
      step_done (task, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %u tasks failed: %s",
                                    step->description, step->n_failed,
                                    step->first_error ? step->first_error : ""));
      return;
    }
  if (run->observer.batch_finished != NULL)
    run->observer.batch_finished (step->description, stats.wall_us, run->observer_data);
  cw_pool_close_async (run->pool, NULL, pool_closed_cb, task);
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

  if (step->warming)
    {
      cw_pool_set_chunk_size (run->pool, 1);
      cw_pool_map_async (run->pool, &settings, warm_up_source, task, NULL, 2 * step->n_workers,
                         CW_ORDER_UNORDERED, NULL, NULL, run->cancellable, batch_done_cb, task);
      return;
    }
  cw_pool_set_chunk_size (run->pool, step->chunk_size);
  step->next_task = 0;
  step->start_us = g_get_monotonic_time ();
  /* before the pool can hand out a task: the observer sees every result */
  if (run->observer.batch_started != NULL)
    run->observer.batch_started (run->pool, step->description, step->n_workers, step->start_us,
                                 run->observer_data);
  cw_pool_map_async (run->pool, &settings, task_source, task, NULL, step->n_tasks,
                     step->order, on_result, step, run->cancellable, batch_done_cb, task);
}

static void
run_batch (GTask     *task,
           CwLabStep *step)
{
  CwLabRun *run = g_task_get_task_data (task);

  run->pool = cw_pool_new (step->mode, step->n_workers);
  if (run->on_batch != NULL)
    run->on_batch (run->pool, step->description, run->batch_data);
  step->warming = step->warm_up;
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
  if (run->current >= run->steps->len)
    {
      g_autoptr(GTask) thread_task = g_task_new (NULL, NULL, finished_cb, task);

      /* removing the scratch folder is file system work: not here */
      g_task_set_task_data (thread_task, run, NULL);
      g_task_run_in_thread (thread_task, finish_thread);
      return;
    }
  step = g_ptr_array_index (run->steps, run->current);
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

  run = g_new0 (CwLabRun, 1);
  run->experiment = experiment;
  run->quick = options->quick;
  run->max_workers = options->max_workers > 0 ? options->max_workers : cw_cpus_usable ();
  run->max_workers = MIN (run->max_workers, CW_POOL_MAX_WORKERS);
  run->user_inputs = g_strdupv (options->inputs);
  run->inputs = g_ptr_array_new_with_free_func (g_free);
  run->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  run->sample_args = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_lab_step_free);
  run->on_batch = on_batch;
  run->batch_data = batch_data;
  if (observer != NULL)
    {
      run->observer = *observer;
      run->observer_data = observer_data;
    }
  run->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  run->demo_count = run->quick ? 8 : 24;
  /* the full set is the lesson's own: 24 files of 4 minutes */
  run->demo_seconds = run->quick ? 2.0 : 240.0;
  g_task_set_task_data (task, run, (GDestroyNotify) lab_run_free);

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

  /* the plan needs the number of files: user files are known now, the
   * demo set's count is fixed */
  if (run->user_inputs != NULL && run->user_inputs[0] != NULL)
    run->demo_count = g_strv_length (run->user_inputs);
  g_ptr_array_set_size (run->inputs, run->demo_count);
  cw_lab_run_plan (run);
  g_ptr_array_set_size (run->inputs, 0);

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
