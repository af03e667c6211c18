/* cw-lab-order.c: results as submitted or as completed
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One slow task first, then quick ones, in order and unordered: when each
 * result became visible beside when its task ended (medians over the runs).
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-private.h"

#include <glib/gi18n-lib.h>

void
cw_lab_order_plan (CwLabRun *run)
{
  guint n = run->max_workers;
  guint n_tasks = run->quick ? 8 : 16;
  gint64 fast = run->quick ? 20 : 100;
  CwLabStep *step;

  step = cw_lab_run_add_batch (run, "as submitted", CW_MODE_PROCESSES, n, CW_TASK_SPIN, n_tasks, fast);
  step->order = CW_ORDER_ORDERED;
  step->slow_arg = fast * 10;
  step->show_timeline = TRUE;
  step = cw_lab_run_add_batch (run, "as completed", CW_MODE_PROCESSES, n, CW_TASK_SPIN, n_tasks, fast);
  step->order = CW_ORDER_UNORDERED;
  step->slow_arg = fast * 10;
  step->show_timeline = TRUE;
  run->warm_up_step = 1;
}

/* Task @index's time over the runs, from visible_us or finished_us. */
static CwLabStat
task_stat (const CwLabStep *step,
           guint            index,
           gboolean         visible)
{
  g_autofree double *values = g_new0 (double, MAX (step->measures->len, 1));
  guint n = 0;
  CwLabStat stat;

  for (guint r = 0; r < step->measures->len; r++)
    {
      const CwLabMeasure *m = g_ptr_array_index (step->measures, r);
      GArray *times = visible ? m->visible_us : m->finished_us;

      if (index < times->len)
        values[n++] = cw_lab_seconds (g_array_index (times, gint64, index));
    }
  cw_lab_stat_init (&stat, values, n);
  return stat;
}

CwLabReport *
cw_lab_order_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_ORDER, _("Task"), _("Seconds until visible"),
                                            "order", "task", "slow", "runs", "finished_s", "visible_s",
                                            "visible_spread_s", NULL);
  CwLabStep *ordered = cw_lab_run_find_step (run, "as submitted");
  CwLabStep *unordered = cw_lab_run_find_step (run, "as completed");
  CwLabStep *both[] = { ordered, unordered };
  CwLabStat first[2] = { { G_MAXDOUBLE, 0, 0, 0 }, { G_MAXDOUBLE, 0, 0, 0 } };
  CwLabStat slow_visible[2] = { { 0 } };
  CwLabStat first_fast_unordered = { G_MAXDOUBLE, 0, 0, 0 };
  guint done_behind = 0;
  g_autofree char *u_first = NULL, *u_slow = NULL, *o_first = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  cw_lab_report_set_headings (report, _("Order"), _("Task"), _("Slow"), _("Runs"), _("Finished (s, median)"),
                              _("Visible (s, median)"), _("Spread of visible (s)"), NULL);
  for (guint s = 0; s < G_N_ELEMENTS (both); s++)
    {
      CwLabStep *step = both[s];
      CwLabSeries *series = cw_lab_report_add_series (report, step->description, FALSE);

      for (guint i = 0; i < step->n_tasks; i++)
        {
          CwLabStat vis = task_stat (step, i, TRUE);
          CwLabStat fin = task_stat (step, i, FALSE);
          g_autofree char *idx = g_strdup_printf ("%u", i);
          g_autofree char *runs = g_strdup_printf ("%u", vis.n);
          g_autofree char *v = cw_lab_format_double (vis.median, 3);
          g_autofree char *f = cw_lab_format_double (fin.median, 3);
          g_autofree char *sp = cw_lab_format_double (cw_lab_stat_spread (&vis), 3);

          cw_lab_series_add_stat (series, NULL, i, &vis);
          cw_lab_report_add_row (report, cw_order_to_string (step->order), idx, i == 0 ? "yes" : "no", runs, f, v, sp);
          if (vis.median < first[s].median)
            first[s] = vis;
          if (i == 0)
            slow_visible[s] = vis;
          else if (s == 1 && vis.median < first_fast_unordered.median)
            first_fast_unordered = vis;
        }
    }
  /* the quick tasks of the ordered run that had ended when the first result showed */
  for (guint i = 1; i < ordered->n_tasks; i++)
    if (task_stat (ordered, i, FALSE).median < first[0].median)
      done_behind++;

  u_first = cw_lab_text_double (first_fast_unordered.median, 3);
  u_slow = cw_lab_text_double (slow_visible[1].median, 3);
  o_first = cw_lab_text_double (first[0].median, 3);
  g_string_append_printf (text, _("The first task was made %u times slower than the others. As completed (like "
                                  "imap_unordered), the first quick result showed after %s s and the slow one at "
                                  "%s s, when it was done. As submitted (like imap), the first result showed at "
                                  "%s s, though %u of the others were done by then. "),
                          (guint) (ordered->slow_arg / MAX (ordered->arg, 1)), u_first, u_slow, o_first,
                          done_behind);
  if (cw_lab_stat_differs (&first_fast_unordered, &first[0]) && first_fast_unordered.median < first[0].median)
    {
      report->verdict = CW_LAB_VERDICT_AGREED;
      g_string_append (text, _("Nothing after the slow task could be shown before it: keep the submission order "
                               "only when the next step needs it."));
    }
  else if (cw_lab_stat_differs (&first_fast_unordered, &first[0]))
    {
      report->verdict = CW_LAB_VERDICT_DISAGREED;
      g_string_append (text, _("The first result as submitted came before any as completed, which the order "
                               "cannot explain: this machine held the workers back in the second batch."));
    }
  else
    {
      report->verdict = CW_LAB_VERDICT_WITHIN_NOISE;
      g_string_append_printf (text, _("The two first results were within noise of each other. %s"),
                              cw_lab_noise_advice (run));
    }
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
