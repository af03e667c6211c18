/* bench-lab-parity.c: does the window measure what the CLI measures?
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Lab's promise (docs/lab.md): while an experiment measures, the
 * window draws nothing that costs CPU, so its figures agree with
 * "corewave-cli lab" within 10 %. This runs quick "modes", "overhead" and
 * "chunks" in turn in the real window (the Lab page of a CwWindow, Run
 * page's sampler and all) and through the CLI, ROUNDS times each, alternating,
 * and compares the medians of the figures the issue named: the speed-up of
 * N processes over one after another, the µs a task at one task per trip,
 * and the workers' own peak memory (VmHWM, the same in both: the worker is
 * a fresh exec whoever starts it). Run under Xvfb:
 *
 *   xvfb-run -a meson test -C build --benchmark lab-parity --verbose
 *
 * Exit status 0 when both agree within 10 % or their runs overlap (the
 * lab's own rule for noise: on a busy machine the spread is wider than
 * 10 %), 1 when they are more than 10 % apart beyond noise.
 */

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cw-lab-page.h"
#include "cw-settings.h"
#include "cw-window.h"

#define ROUNDS 3
#define TOLERANCE 0.10

typedef struct
{
  CwLabExperiment  experiment;
  const char      *row;      /* the first cell of the row */
  const char      *row2;     /* and the second, or NULL */
  const char      *column;
  const char      *what;
} Figure;

static const Figure figures[] = {
  { CW_LAB_MODES, "processes", "2", "speedup", "modes: speed-up of 2 processes" },
  { CW_LAB_OVERHEAD, "pool, chunk size 1", NULL, "us_per_task", "overhead: µs a task, one per trip" },
  { CW_LAB_CHUNKS, "1", NULL, "workers_peak_mib", "chunks: the workers' own peak memory (MiB), chunk size 1" },
};

/* One CSV line split into fields ("quoted, with commas" as one). */
static char **
split_csv_line (const char *line)
{
  g_autoptr(GStrvBuilder) fields = g_strv_builder_new ();
  g_autoptr(GString) field = g_string_new (NULL);
  gboolean quoted = FALSE;

  for (const char *p = line; ; p++)
    {
      if (*p == '"')
        {
          if (quoted && p[1] == '"')
            g_string_append_c (field, *++p);
          else
            quoted = !quoted;
        }
      else if ((*p == ',' && !quoted) || *p == '\0')
        {
          g_strv_builder_add (fields, field->str);
          g_string_truncate (field, 0);
          if (*p == '\0')
            break;
        }
      else
        g_string_append_c (field, *p);
    }
  return g_strv_builder_end (fields);
}

static double
figure_from_csv (const char   *csv,
                 const Figure *figure)
{
  g_auto(GStrv) lines = g_strsplit (csv, "\n", -1);
  g_auto(GStrv) header = NULL;
  int column = -1;

  if (lines[0] == NULL)
    return -1;
  header = split_csv_line (lines[0]);
  for (int c = 0; header[c] != NULL; c++)
    if (g_str_equal (header[c], figure->column))
      column = c;
  for (guint l = 1; lines[l] != NULL && column >= 0; l++)
    {
      g_auto(GStrv) row = split_csv_line (lines[l]);

      if (g_strv_length (row) > (guint) column && g_str_equal (row[0], figure->row)
          && (figure->row2 == NULL || g_str_equal (row[1], figure->row2)))
        return g_ascii_strtod (row[column], NULL);
    }
  return -1;
}

static double
run_cli (const Figure *figure,
         const char   *dir)
{
  const char *cli = g_getenv ("CW_CLI_PATH");
  g_autofree char *path = g_build_filename (dir, "cli.csv", NULL);
  g_autofree char *csv = NULL;
  const char *argv[] = { cli, "lab", cw_lab_experiment_to_string (figure->experiment), "--quick", "-j", "2",
                         "-q", "--csv", path, NULL };
  int status = 0;

  if (cli == NULL || !g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status,
                                    NULL) || !g_spawn_check_wait_status (status, NULL)
      || !g_file_get_contents (path, &csv, NULL, NULL))
    return -1;
  return figure_from_csv (csv, figure);
}

static double
run_window (CwWindow     *window,
            const Figure *figure)
{
  CwLabPage *page = CW_LAB_PAGE (gtk_widget_get_template_child (GTK_WIDGET (window), CW_TYPE_WINDOW, "lab_page"));
  g_autofree char *csv = NULL;

  cw_lab_page_select (page, figure->experiment);
  if (!gtk_widget_activate_action (GTK_WIDGET (page), "lab.run", NULL))
    return -1;
  while (cw_lab_page_get_running (page))
    g_main_context_iteration (NULL, TRUE);
  if (cw_lab_chart_get_report (cw_lab_page_get_chart (page, figure->experiment)) == NULL)
    return -1;
  csv = cw_lab_report_to_csv (cw_lab_chart_get_report (cw_lab_page_get_chart (page, figure->experiment)));
  return figure_from_csv (csv, figure);
}

static int
compare_doubles (const void *a,
                 const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(CwSettings) settings = NULL;
  g_autofree char *dir = g_dir_make_tmp ("cw-lab-parity-XXXXXX", NULL);
  CwWindow *window;
  gboolean agree = TRUE;

  g_unsetenv ("WAYLAND_DISPLAY");
  if (!gtk_init_check ())
    {
      printf ("bench-lab-parity: no display (run it under xvfb-run)\n");
      return 77;
    }
  adw_init ();
  settings = cw_settings_new ();
  cw_settings_set_workers (settings, 2);
  window = cw_window_new (NULL, settings);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  gtk_window_present (GTK_WINDOW (window));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.page", "s", "lab");

  for (guint f = 0; f < G_N_ELEMENTS (figures); f++)
    {
      double cli[ROUNDS], win[ROUNDS], ratio;
      gboolean overlap;

      /* alternating, so a busy stretch of the machine lands on both */
      for (guint r = 0; r < ROUNDS; r++)
        {
          cli[r] = run_cli (&figures[f], dir);
          win[r] = run_window (window, &figures[f]);
          printf ("%s, round %u: CLI %.3f, window %.3f\n", figures[f].what, r + 1, cli[r], win[r]);
          fflush (stdout);
        }
      qsort (cli, ROUNDS, sizeof (double), compare_doubles);
      qsort (win, ROUNDS, sizeof (double), compare_doubles);
      ratio = win[ROUNDS / 2] / MAX (cli[ROUNDS / 2], 1e-9);
      overlap = win[0] <= cli[ROUNDS - 1] && cli[0] <= win[ROUNDS - 1];
      printf ("%s: CLI median %.3f (%.3f–%.3f), window median %.3f (%.3f–%.3f): window/CLI %.2f%s\n",
              figures[f].what, cli[ROUNDS / 2], cli[0], cli[ROUNDS - 1], win[ROUNDS / 2], win[0],
              win[ROUNDS - 1], ratio,
              ABS (ratio - 1) <= TOLERANCE ? ", within 10 %"
              : overlap ? ", more than 10 % apart but within noise (the runs overlap)"
              : ", more than 10 % apart beyond noise");
      agree &= cli[0] > 0 && win[0] > 0 && (ABS (ratio - 1) <= TOLERANCE || overlap);
    }

  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  {
    g_autofree char *csv = g_build_filename (dir, "cli.csv", NULL);

    g_remove (csv);
    g_remove (dir);
  }
  return agree ? 0 : 1;
}
