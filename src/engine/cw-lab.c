/* cw-lab.c: the lesson's experiments, measured on this machine
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The seven experiments by name, with what the lesson claims of each. Each
 * lives in its own file, cw-lab-<name>.c, with its plan (the steps:
 * batches through a fresh CwPool, or work on a thread) and the report it
 * builds from what the steps measured; cw-lab-runner.c runs the steps and
 * cw-lab-report.c holds the report.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>

static const struct
{
  const char   *name;
  const char   *title;          /* translatable */
  const char   *claim;          /* translatable: what the lesson claims */
  void        (*plan)          (CwLabRun  *run);
  CwLabReport *(*build_report) (CwLabRun  *run);
} experiments[CW_LAB_N_EXPERIMENTS] = {
  [CW_LAB_MODES] = {
    "modes", N_("Sequential, threads and processes"),
    N_("Spread over N worker processes, a CPU-bound batch runs up to N times faster than one task after "
       "another. (In the lesson’s Python, threads barely help: the global interpreter lock lets one run at a time.)"),
    cw_lab_modes_plan, cw_lab_modes_build_report,
  },
  [CW_LAB_CHUNKS] = {
    "chunks", N_("Chunk size"),
    N_("The chunk size matters: one task per trip pays for a message every time, while big chunks leave "
       "workers idle at the end of the batch behind the last big chunk (and, in Python, hold more data in memory)."),
    cw_lab_chunks_plan, cw_lab_chunks_build_report,
  },
  [CW_LAB_OVERHEAD] = {
    "overhead", N_("The cost of a trip to a process"),
    N_("For tiny tasks a process pool is slower than a plain loop: a trip to a worker costs far more than "
       "the task, and only bigger chunks spread that cost."),
    cw_lab_overhead_plan, cw_lab_overhead_build_report,
  },
  [CW_LAB_BIG_DATA] = {
    "big-data", N_("Sending file names, not samples"),
    N_("Send workers file names, not data: reading the samples in the parent and pushing them through the "
       "pipes costs time that workers opening the files themselves do not spend."),
    cw_lab_big_data_plan, cw_lab_big_data_build_report,
  },
  [CW_LAB_SHARED_WORK] = {
    "shared-work", N_("Shared computation"),
    N_("More cores do not fix work that repeats itself: naive Fibonacci spread over every core stays far "
       "slower than one pass that computes each number once."),
    cw_lab_shared_work_plan, cw_lab_shared_work_build_report,
  },
  [CW_LAB_ORDER] = {
    "order", N_("Results as submitted or as completed"),
    N_("Results in submission order (imap) wait for the slowest task before them; results as completed "
       "(imap_unordered) show as soon as each task is done."),
    cw_lab_order_plan, cw_lab_order_build_report,
  },
  [CW_LAB_RANDOM_STATE] = {
    "random-state", N_("Shared random state"),
    N_("Workers that inherit one random generator from the parent give different files the same noise; "
       "each file needs a seed of its own."),
    cw_lab_random_state_plan, cw_lab_random_state_build_report,
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

const char *
cw_lab_experiment_claim (CwLabExperiment experiment)
{
  if (experiment < CW_LAB_N_EXPERIMENTS)
    return _(experiments[experiment].claim);
  return "";
}

const char *
cw_lab_verdict_to_string (CwLabVerdict verdict)
{
  switch (verdict)
    {
    case CW_LAB_VERDICT_AGREED:
      return "agreed";
    case CW_LAB_VERDICT_DISAGREED:
      return "disagreed";
    case CW_LAB_VERDICT_WITHIN_NOISE:
      return "within-noise";
    case CW_LAB_VERDICT_UNTESTED:
    default:
      return "untested";
    }
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

CwLabReport *
cw_lab_run_build_report (CwLabRun *run)
{
  CwLabReport *report = experiments[run->experiment].build_report (run);

  report->claim = g_strdup (cw_lab_experiment_claim (run->experiment));
  report->quick = run->quick;
  /* each setting's median run, in the plan's order (chunk 1 above chunk 8
   * above auto, threads above processes) */
  for (guint i = 0; i < run->steps->len; i++)
    {
      CwLabStep *step = g_ptr_array_index (run->steps, i);
      const CwLabMeasure *median = cw_lab_step_median_measure (step);

      if (step->show_timeline && median != NULL && median->timeline != NULL)
        g_ptr_array_add (report->timelines, cw_lab_timeline_copy (median->timeline));
    }
  return report;
}
