/* cw-lab-random-state.c: seeding once in the parent vs per file
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lesson's shared-random-state bug reproduced on purpose (each worker
 * draws its files' noise from one generator seeded once), then Corewave's
 * per-file seeds: the outputs compared for files that got the same noise.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <sndfile.h>

static int
strcmp_ptr (gconstpointer a,
            gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The check of the lesson's check_output.py (docs/benchmarks.md): the noise a file got
 * is output minus input; two files whose noise agrees over their first
 * 64 K samples got it from the same random state. "Agrees" allows one step
 * of rounding: the PCM_16 kernel rounds input plus noise, so the same noise
 * on two different sines can land one LSB apart now and then, while
 * independent noise of sigma 3277 LSB agrees that closely almost never. */
#define CHECK_SAMPLES 65536

static gboolean
same_noise (const gint32 *a,
            const gint32 *b)
{
  for (guint k = 0; k < CHECK_SAMPLES; k++)
    if (ABS (a[k] - b[k]) > 1)
      return FALSE;
  return TRUE;
}

static guint
group_root (guint *parent,
            guint  i)
{
  while (parent[i] != i)
    i = parent[i] = parent[parent[i]];
  return i;
}

static void
find_duplicate_noise (CwLabRun     *run,
                      guint         step_index,
                      CwLabMeasure *measure)
{
  CwLabStep *step = cw_lab_run_get_step (run, step_index);
  guint n = step->outputs->len;
  g_autofree gint32 *noise = g_new0 (gint32, (gsize) MAX (n, 1) * CHECK_SAMPLES);
  g_autofree gboolean *usable = g_new0 (gboolean, MAX (n, 1));
  g_autofree guint *parent = g_new (guint, MAX (n, 1));
  g_autofree short *a = g_new0 (short, CHECK_SAMPLES);
  g_autofree short *b = g_new0 (short, CHECK_SAMPLES);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      const char *out_path = g_ptr_array_index (step->outputs, i);
      const char *in_path = g_ptr_array_index (step->output_inputs, i);
      SF_INFO ia = { 0 }, ib = { 0 };
      SNDFILE *fa = sf_open (in_path, SFM_READ, &ia);
      SNDFILE *fb = sf_open (out_path, SFM_READ, &ib);

      parent[i] = i;
      if (fa != NULL && fb != NULL
          && sf_read_short (fa, a, CHECK_SAMPLES) == CHECK_SAMPLES
          && sf_read_short (fb, b, CHECK_SAMPLES) == CHECK_SAMPLES)
        {
          for (guint k = 0; k < CHECK_SAMPLES; k++)
            noise[(gsize) i * CHECK_SAMPLES + k] = (gint32) b[k] - (gint32) a[k];
          usable[i] = TRUE;
        }
      if (fa != NULL)
        sf_close (fa);
      if (fb != NULL)
        sf_close (fb);
    }

  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      if (usable[i] && usable[j] && group_root (parent, i) != group_root (parent, j)
          && same_noise (noise + (gsize) i * CHECK_SAMPLES, noise + (gsize) j * CHECK_SAMPLES))
        parent[group_root (parent, j)] = group_root (parent, i);

  step->dup_groups = step->dup_files = 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GPtrArray) members = NULL;

      if (group_root (parent, i) != i)
        continue;
      members = g_ptr_array_new_with_free_func (g_free);
      for (guint j = 0; j < n; j++)
        if (group_root (parent, j) == i)
          g_ptr_array_add (members, g_path_get_basename (g_ptr_array_index (step->output_inputs, j)));
      if (members->len < 2)
        continue;
      step->dup_groups++;
      step->dup_files += members->len;
      g_ptr_array_sort (members, (GCompareFunc) strcmp_ptr);
      if (text->len > 0)
        g_string_append (text, "; ");
      for (guint k = 0; k < members->len; k++)
        g_string_append_printf (text, "%s%s", k > 0 ? " = " : "",
                                (const char *) g_ptr_array_index (members, k));
    }
  g_free (step->dup_text);
  step->dup_text = g_string_free (g_steal_pointer (&text), FALSE);
}

void
cw_lab_random_state_plan (CwLabRun *run)
{
  guint n = run->max_workers;
  guint n_files = run->inputs->len;
  CwLabStep *step;

  /* a count, not a time: one run each tells it */
  step = cw_lab_run_add_batch (run, "seed once in the parent", CW_MODE_PROCESSES, MAX (n, 2),
                               CW_TASK_AUDIO, n_files, 0);
  step->naive_seed = TRUE;
  step->spawn_first = TRUE;
  step->after = find_duplicate_noise;
  step->repeats = 1;
  step->show_timeline = TRUE;
  step = cw_lab_run_add_batch (run, "per-file seeds", CW_MODE_PROCESSES, MAX (n, 2),
                               CW_TASK_AUDIO, n_files, 0);
  step->spawn_first = TRUE;
  step->after = find_duplicate_noise;
  step->repeats = 1;
  step->show_timeline = TRUE;
}

CwLabReport *
cw_lab_random_state_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_RANDOM_STATE, NULL, _("Files"),
                                            "seeding", "workers", "files", "duplicate_groups", "files_in_groups",
                                            "groups", NULL);
  CwLabStep *naive = cw_lab_run_find_step (run, "seed once in the parent");
  CwLabStep *per_file = cw_lab_run_find_step (run, "per-file seeds");
  CwLabStep *both[] = { naive, per_file };
  CwLabSeries *series = cw_lab_report_add_series (report, _("Files with a twin"), FALSE);
  g_autoptr(GString) text = g_string_new (NULL);

  cw_lab_report_set_headings (report, _("Seeding"), _("Workers"), _("Files"), _("Groups of twins"),
                              _("Files in them"), _("The groups"), NULL);
  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      CwLabStep *step = both[i];
      g_autofree char *w = g_strdup_printf ("%u", step->n_workers);
      g_autofree char *f = g_strdup_printf ("%u", step->outputs->len);
      g_autofree char *g = g_strdup_printf ("%u", step->dup_groups);
      g_autofree char *d = g_strdup_printf ("%u", step->dup_files);

      cw_lab_series_add_point (series, step->description, i, step->dup_files);
      cw_lab_report_add_row (report, step->description, w, f, g, d, step->dup_text ? step->dup_text : "");
    }

  g_string_append_printf (text,
                          _("When the parent seeds one random generator and the workers inherit copies of it, as "
                            "the lesson’s Pool code does with fork, every worker starts from the same state: the "
                            "first file each worker handles gets the same noise, and so does the second. With %u "
                            "workers, %u of %u files fell into %u groups of identical noise. Corewave seeds each "
                            "file from the batch seed and the file’s own name instead: %u of %u files shared "
                            "their noise. "),
                          naive->n_workers, naive->dup_files, naive->outputs->len, naive->dup_groups,
                          per_file->dup_files, per_file->outputs->len);
  if (naive->dup_files > 0 && per_file->dup_files == 0)
    {
      report->verdict = CW_LAB_VERDICT_AGREED;
      g_string_append (text, _("The output no longer depends on which worker ran which file."));
    }
  else if (per_file->dup_files > 0)
    {
      report->verdict = CW_LAB_VERDICT_DISAGREED;
      g_string_append (text, _("Files with their own seeds should never share noise: this is a bug in Corewave, "
                               "please report it."));
    }
  else
    {
      report->verdict = CW_LAB_VERDICT_UNTESTED;
      g_string_append (text, _("No worker handled two files at the same place in its turn, so the shared state "
                               "had nothing to repeat: queue more files than workers."));
    }
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
