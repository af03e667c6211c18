/* cw-lab-order.c: results as submitted or as completed
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One slow task first, then quick ones, in order and unordered: when each
 * result became visible beside when its task ended.
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
  gint64 fast = run->quick ? 40 : 100;
  CwLabStep *step;

  step = cw_lab_run_add_batch (run, "as submitted", CW_MODE_PROCESSES, n, CW_TASK_SPIN, n_tasks, fast);
  step->order = CW_ORDER_ORDERED;
  step->slow_arg = fast * 10;
  step = cw_lab_run_add_batch (run, "as completed", CW_MODE_PROCESSES, n, CW_TASK_SPIN, n_tasks, fast);
  step->order = CW_ORDER_UNORDERED;
  step->slow_arg = fast * 10;
}

CwLabReport *
cw_lab_order_build_report (CwLabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_ORDER, _("Task"), _("Seconds until the result was visible"),
                                    "order", "task", "slow", "finished_s", "visible_s", NULL);
  CwLabStep *ordered = cw_lab_run_find_step (run, "as submitted");
  CwLabStep *unordered = cw_lab_run_find_step (run, "as completed");
  CwLabStep *both[] = { ordered, unordered };
  double first_fast[2] = { G_MAXDOUBLE, G_MAXDOUBLE };
  double slow_visible[2] = { 0, 0 };
  guint done_behind = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint s = 0; s < G_N_ELEMENTS (both); s++)
    {
      CwLabStep *step = both[s];
      CwLabSeries *series = cw_lab_report_add_series (report, step->description, FALSE);

      for (guint i = 0; i < step->visible_us->len; i++)
        {
          double vis = cw_lab_seconds (g_array_index (step->visible_us, gint64, i));
          double fin = cw_lab_seconds (g_array_index (step->finished_us, gint64, i));
          g_autofree char *idx = g_strdup_printf ("%u", i);
          g_autofree char *v = cw_lab_format_double (vis, 3);
          g_autofree char *f = cw_lab_format_double (fin, 3);

          cw_lab_series_add_point (series, NULL, i, vis);
          cw_lab_report_add_row (report, cw_order_to_string (step->order), idx, i == 0 ? "yes" : "no", f, v);
          if (s == 0 && i > 0 && fin < cw_lab_seconds (g_array_index (ordered->visible_us, gint64, 0)))
            done_behind++;
          if (i == 0)
            slow_visible[s] = vis;
          else
            first_fast[s] = MIN (first_fast[s], vis);
        }
    }

  g_string_append_printf (text,
                          _("The first task was made %u times slower than the others. As completed (like imap_unordered), the first quick result "
                            "showed after %.2f s and the slow one at %.2f s, when it was done. As submitted (like imap), nothing after the slow "
                            "task could be shown before it: the first result came at %.2f s, the moment the slow task ended, though %u of the "
                            "others were done by then. Keep the submission order only when the next step needs it."),
                          (guint) (ordered->slow_arg / MAX (ordered->arg, 1)),
                          first_fast[1], slow_visible[1], MIN (slow_visible[0], first_fast[0]), done_behind);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}
