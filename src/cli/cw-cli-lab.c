/* cw-cli-lab.c: "corewave-cli lab NAME", the lab's experiments without a window
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs one experiment (or all) of cw-lab.h, prints its table and its
 * explanation (or one JSON object per experiment with --json), and writes
 * the CSV with --csv (FILE for one experiment; FILE-NAME.csv beside it for
 * "all").
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-cli-lab.h"

#include <stdio.h>
#include <string.h>

#include <glib-unix.h>

#include "cw-json.h"
#include "cw-lab.h"
#include "cw-options.h"

#define EXIT_FAILED 1
#define EXIT_USAGE  2

typedef struct
{
  GMainLoop    *loop;
  GCancellable *cancellable;
  CwLabReport  *report;
  GError       *error;
  gboolean      verbose;
} LabCli;

static void
on_batch (CwPool     *pool,
          const char *description,
          gpointer    user_data)
{
  LabCli *cli = user_data;

  if (cli->verbose)
    g_printerr ("  %s\n", description);
}

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LabCli *cli = user_data;

  cli->report = cw_lab_run_finish (result, &cli->error);
  g_main_loop_quit (cli->loop);
}

static gboolean
sigint_cb (gpointer user_data)
{
  LabCli *cli = user_data;

  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
print_table (const CwLabReport *report)
{
  guint n = g_strv_length (report->columns);
  g_autofree int *width = g_new0 (int, n);

  for (guint c = 0; c < n; c++)
    width[c] = g_utf8_strlen (report->columns[c], -1);
  for (guint r = 0; r < report->rows->len; r++)
    {
      char **row = g_ptr_array_index (report->rows, r);

      for (guint c = 0; c < n; c++)
        width[c] = MAX (width[c], (int) MIN (g_utf8_strlen (row[c], -1), 60));
    }
  for (guint c = 0; c < n; c++)
    printf ("%-*s%s", width[c], report->columns[c], c + 1 < n ? "  " : "\n");
  for (guint r = 0; r < report->rows->len; r++)
    {
      char **row = g_ptr_array_index (report->rows, r);

      for (guint c = 0; c < n; c++)
        printf ("%-*s%s", width[c], row[c], c + 1 < n ? "  " : "\n");
    }
}

/* TRUE when @text is a number as JSON writes one: -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)? */
static gboolean
is_json_number (const char *text)
{
  const char *p = text;

  if (*p == '-')
    p++;
  if (*p == '0')
    p++;
  else if (*p >= '1' && *p <= '9')
    while (g_ascii_isdigit (*p))
      p++;
  else
    return FALSE;
  if (*p == '.')
    {
      if (!g_ascii_isdigit (*++p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  if (*p == 'e' || *p == 'E')
    {
      p++;
      if (*p == '+' || *p == '-')
        p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        p++;
    }
  return *p == '\0';
}

/* A table cell as JSON: a number when it is one (the CSV's cells are
 * numbers written with a point, whatever the locale), null when empty,
 * else a string. */
static void
append_cell (GString    *out,
             const char *cell)
{
  if (cell == NULL || cell[0] == '\0')
    g_string_append (out, "null");
  else if (is_json_number (cell))
    g_string_append (out, cell);
  else
    cw_json_append_string (out, cell);
}

static void
print_json (const CwLabReport *report)
{
  g_autoptr(GString) out = g_string_new ("{\"type\":\"lab\",\"schema\":1,\"version\":\"" PACKAGE_VERSION "\",\"experiment\":");

  cw_json_append_string (out, cw_lab_experiment_to_string (report->experiment));
  g_string_append (out, ",\"title\":");
  cw_json_append_string (out, report->title);
  g_string_append (out, ",\"columns\":[");
  for (guint c = 0; report->columns[c] != NULL; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      cw_json_append_string (out, report->columns[c]);
    }
  g_string_append (out, "],\"rows\":[");
  for (guint r = 0; r < report->rows->len; r++)
    {
      char **row = g_ptr_array_index (report->rows, r);

      g_string_append (out, r > 0 ? ",[" : "[");
      for (guint c = 0; row[c] != NULL; c++)
        {
          if (c > 0)
            g_string_append_c (out, ',');
          append_cell (out, row[c]);
        }
      g_string_append_c (out, ']');
    }
  g_string_append (out, "],\"claim\":");
  cw_json_append_string (out, report->claim);
  g_string_append (out, ",\"verdict\":");
  cw_json_append_string (out, cw_lab_verdict_to_string (report->verdict));
  g_string_append (out, ",\"quick\":");
  g_string_append (out, report->quick ? "true" : "false");
  g_string_append (out, ",\"explanation\":");
  cw_json_append_string (out, report->explanation);
  g_string_append (out, "}\n");
  fputs (out->str, stdout);
}

static const char *
verdict_line (CwLabVerdict verdict)
{
  switch (verdict)
    {
    case CW_LAB_VERDICT_AGREED:
      return "This machine: agreed with the lesson.";
    case CW_LAB_VERDICT_DISAGREED:
      return "This machine: did not agree with the lesson, beyond noise.";
    case CW_LAB_VERDICT_WITHIN_NOISE:
      return "This machine: within noise, neither agreed nor disagreed.";
    case CW_LAB_VERDICT_UNTESTED:
    default:
      return "This machine: could not test it.";
    }
}

static char *
csv_path_for (const char      *csv,
              CwLabExperiment  experiment,
              gboolean         all)
{
  g_autofree char *stem = NULL;

  if (!all)
    return g_strdup (csv);
  stem = g_str_has_suffix (csv, ".csv") ? g_strndup (csv, strlen (csv) - 4) : g_strdup (csv);
  return g_strdup_printf ("%s-%s.csv", stem, cw_lab_experiment_to_string (experiment));
}

int
cw_cli_lab_run (int    argc,
                char **argv)
{
  gboolean quick = FALSE, json = FALSE, quiet = FALSE;
  int workers = 0;
  g_autofree char *csv = NULL;
  g_auto(GStrv) rest = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autoptr(GString) list = g_string_new (NULL);
  CwLabExperiment first, last;
  gboolean all;
  guint sigint;
  int status = 0;
  const GOptionEntry entries[] = {
    { "quick", 0, 0, G_OPTION_ARG_NONE, &quick, "Small sizes: a first look in seconds", NULL },
    { "workers", 'j', 0, G_OPTION_ARG_INT, &workers, "Most workers to use, 1–256 (default: the CPUs this process may use)", "N" },
    /* the letter the lab used before it agreed with the main command */
    { "w", 'w', G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &workers, NULL, "N" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only errors (and what --json and --csv ask for)", NULL },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv, "Write the table as CSV (\"all\": FILE-NAME.csv each)", "FILE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "One JSON object per experiment on stdout", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &rest, NULL, "NAME [INPUT…]" },
    { NULL }
  };

  for (guint i = 0; i < CW_LAB_N_EXPERIMENTS; i++)
    g_string_append_printf (list, "  %-14s %s\n", cw_lab_experiment_to_string (i),
                            cw_lab_experiment_title (i));
  g_string_append_printf (list, "  %-14s %s", "all", "every one of them, in this order");

  g_set_prgname ("corewave-cli lab");
  context = g_option_context_new ("— the lesson's experiments, measured here");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, list->str);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("corewave-cli lab: %s\n", error->message);
      return EXIT_USAGE;
    }
  if (rest == NULL || rest[0] == NULL)
    {
      g_printerr ("corewave-cli lab: which experiment? One of:\n%s\n", list->str);
      return EXIT_USAGE;
    }
  /* 0, the default, is one per usable CPU */
  if (workers != 0 && !cw_options_parse_workers (workers, &(guint) { 0 }, &error))
    {
      g_printerr ("corewave-cli lab: %s\n", error->message);
      return EXIT_USAGE;
    }
  all = g_strcmp0 (rest[0], "all") == 0;
  if (all)
    {
      first = 0;
      last = CW_LAB_N_EXPERIMENTS - 1;
    }
  else if (cw_lab_experiment_from_string (rest[0], &first))
    last = first;
  else
    {
      g_printerr ("corewave-cli lab: unknown experiment “%s”. One of:\n%s\n", rest[0], list->str);
      return EXIT_USAGE;
    }

  loop = g_main_loop_new (NULL, FALSE);
  cancellable = g_cancellable_new ();
  sigint = g_unix_signal_add (SIGINT, sigint_cb, &(LabCli) { .cancellable = cancellable });

  for (CwLabExperiment e = first; e <= last; e++)
    {
      LabCli cli = { .loop = loop, .cancellable = cancellable, .verbose = !json && !quiet };
      CwLabOptions options = {
        .inputs = rest[1] != NULL ? rest + 1 : NULL,
        .max_workers = workers,
        .quick = quick,
      };

      if (!json && !quiet)
        printf ("== %s: %s\n", cw_lab_experiment_to_string (e), cw_lab_experiment_title (e));
      fflush (stdout);
      cw_lab_run_async (e, &options, on_batch, &cli, cancellable, run_done_cb, &cli);
      g_main_loop_run (loop);
      if (cli.error != NULL)
        {
          g_printerr ("corewave-cli lab %s: %s\n", cw_lab_experiment_to_string (e), cli.error->message);
          g_clear_error (&cli.error);
          status = EXIT_FAILED;
          if (g_cancellable_is_cancelled (cancellable))
            break;
          continue;
        }
      if (json)
        print_json (cli.report);
      else if (!quiet)
        {
          printf ("The lesson: %s\n\n", cli.report->claim);
          print_table (cli.report);
          printf ("\n%s\n%s\n\n", cli.report->explanation, verdict_line (cli.report->verdict));
        }
      if (csv != NULL)
        {
          g_autofree char *path = csv_path_for (csv, e, all);
          g_autofree char *text = cw_lab_report_to_csv (cli.report);

          if (!g_file_set_contents (path, text, -1, &error))
            {
              g_printerr ("corewave-cli lab: %s\n", error->message);
              g_clear_error (&error);
              status = EXIT_FAILED;
            }
        }
      g_clear_pointer (&cli.report, cw_lab_report_free);
      fflush (stdout);
    }
  g_source_remove (sigint);
  return status;
}
