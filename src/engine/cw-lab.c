/* cw-lab.c: the lesson's experiments, measured on this machine
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seven experiments by name. Each lives in its own file,
 * cw-lab-<name>.c, with its plan (the steps: batches through a fresh
 * CwPool, or work on a thread) and the report it builds from what the
 * steps measured; cw-lab-runner.c runs the steps and cw-lab-report.c holds
 * the report.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>

static const struct
{
  const char   *name;
  const char   *title;          /* translatable */
  void        (*plan)          (CwLabRun  *run);
  /* optional: on the preparing thread, once the files are there */
  gboolean    (*prepare)       (CwLabRun  *run,
                                GError   **error);
  CwLabReport *(*build_report) (CwLabRun  *run);
} experiments[CW_LAB_N_EXPERIMENTS] = {
  [CW_LAB_MODES] = {
    "modes", N_("Sequential, threads and processes"),
    cw_lab_modes_plan, NULL, cw_lab_modes_build_report,
  },
  [CW_LAB_CHUNKS] = {
    "chunks", N_("Chunk size"),
    cw_lab_chunks_plan, NULL, cw_lab_chunks_build_report,
  },
  [CW_LAB_OVERHEAD] = {
    "overhead", N_("The cost of a trip to a process"),
    cw_lab_overhead_plan, NULL, cw_lab_overhead_build_report,
  },
  [CW_LAB_BIG_DATA] = {
    "big-data", N_("Sending file names, not samples"),
    cw_lab_big_data_plan, cw_lab_big_data_read_samples, cw_lab_big_data_build_report,
  },
  [CW_LAB_SHARED_WORK] = {
    "shared-work", N_("Shared computation"),
    cw_lab_shared_work_plan, NULL, cw_lab_shared_work_build_report,
  },
  [CW_LAB_ORDER] = {
    "order", N_("Results as submitted or as completed"),
    cw_lab_order_plan, NULL, cw_lab_order_build_report,
  },
  [CW_LAB_RANDOM_STATE] = {
    "random-state", N_("Shared random state"),
    cw_lab_random_state_plan, NULL, cw_lab_random_state_build_report,
  },
};

const char *
cw_lab_experiment_to_string (CwLabExperiment experiment)
{
  if (experiment < CW_LAB_N_EXPERIMENTS)
    return experiments[experiment].name;
  return "unknown";
}

gboolean
cw_lab_experiment_from_string (const char      *name,
                               CwLabExperiment *experiment)
{
  for (guint i = 0; i < CW_LAB_N_EXPERIMENTS; i++)
    if (g_strcmp0 (name, experiments[i].name) == 0)
      {
        *experiment = i;
        return TRUE;
      }
  return FALSE;
}

const char *
cw_lab_experiment_title (CwLabExperiment experiment)
{
  if (experiment < CW_LAB_N_EXPERIMENTS)
    return _(experiments[experiment].title);
  return "";
}

void
cw_lab_run_plan (CwLabRun *run)
{
  g_assert (run->experiment < CW_LAB_N_EXPERIMENTS);
  experiments[run->experiment].plan (run);
  /* only tasks that read audio need the files (and the demo set written) */
  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = g_ptr_array_index (run->steps, i);

      if (step->kind == CW_LAB_STEP_BATCH
          && (step->task_kind == CW_TASK_AUDIO || step->task_kind == CW_TASK_AUDIO_INLINE))
        run->use_audio = TRUE;
    }
}

gboolean
cw_lab_run_prepare_experiment (CwLabRun  *run,
                               GError   **error)
{
  if (experiments[run->experiment].prepare == NULL)
    return TRUE;
  return experiments[run->experiment].prepare (run, error);
}

CwLabReport *
cw_lab_run_build_report (CwLabRun *run)
{
  return experiments[run->experiment].build_report (run);
}
