/* test-cli.c: corewave-cli as a script sees it: exit codes, messages, --json, files
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "cw-test-util.h"


/* ---------------------------------------------------------------------- */
/* files */

static sf_count_t
audio_frames (const char *path)
{
  SF_INFO info = { 0 };
  SNDFILE *sf = sf_open (path, SFM_READ, &info);

  if (sf == NULL)
    g_error ("libsndfile cannot read %s: %s", path, sf_strerror (NULL));
  sf_close (sf);
  return info.frames;
}

static void
write_text (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

#define run_cli(out, err, ...) cw_test_run_cli (out, err, __VA_ARGS__)

/* ---------------------------------------------------------------------- */
/* a tiny reader for our own flat JSON objects */

/* The value of "@key" in the one-line object @line: a string unescaped,
 * anything else as its text; NULL when absent. */
static char *
json_get (const char *line,
          const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *p = strstr (line, needle);
  GString *value;

  if (p == NULL)
    return NULL;
  p += strlen (needle);
  if (*p != '"')
    {
      gsize n = strcspn (p, ",}");

      return g_strndup (p, n);
    }

  value = g_string_new (NULL);
  for (p++; *p != '\0' && *p != '"'; p++)
    {
      if (*p != '\\')
        {
          g_string_append_c (value, *p);
          continue;
        }
      p++;
      switch (*p)
        {
        case 'n': g_string_append_c (value, '\n'); break;
        case 't': g_string_append_c (value, '\t'); break;
        case 'r': g_string_append_c (value, '\r'); break;
        case 'u':
          {
            g_autofree char *hex = g_strndup (p + 1, 4);

            g_string_append_unichar (value, (gunichar) g_ascii_strtoull (hex, NULL, 16));
            p += 4;
          }
          break;
        default: g_string_append_c (value, *p); break;
        }
    }
  g_assert_cmpint (*p, ==, '"');
  return g_string_free (value, FALSE);
}

static gint64
json_get_int (const char *line,
              const char *key)
{
  g_autofree char *v = json_get (line, key);
  gint64 n;

  g_assert_nonnull (v);
  g_assert_true (g_ascii_string_to_signed (v, 10, G_MININT64, G_MAXINT64, &n, NULL));
  return n;
}

static void
assert_json_str (const char *line,
                 const char *key,
                 const char *expected)
{
  g_autofree char *v = json_get (line, key);

  g_assert_cmpstr (v, ==, expected);
}

/* Splits --json output into result lines and the one summary line. */
static GPtrArray *
json_results (const char  *out,
              char       **summary)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  GPtrArray *results = g_ptr_array_new_with_free_func (g_free);
  guint n = g_strv_length (lines);

  /* ends with a newline: the last piece is empty */
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[n - 1], ==, "");
  for (guint i = 0; i + 1 < n; i++)
    {
      const char *line = lines[i];

      g_assert_true (g_str_has_prefix (line, "{") && g_str_has_suffix (line, "}"));
      if (i + 2 == n)
        {
          g_assert_true (g_str_has_prefix (line, "{\"type\":\"summary\","));
          *summary = g_strdup (line);
        }
      else
        {
          g_assert_true (g_str_has_prefix (line, "{\"type\":\"result\","));
          g_ptr_array_add (results, g_strdup (line));
        }
    }
  return results;
}

/* ---------------------------------------------------------------------- */
/* tests */

static void
test_usage_errors (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *input = g_build_filename (dir, "in.wav", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  const struct {
    const char *args[6];
    const char *message;
  } cases[] = {
    { { "--workers", "0", "--synthetic", "mul10:count=3" }, "--workers must be between 1 and 256" },
    { { "--workers", "999", "--synthetic", "mul10:count=3" }, "--workers must be between 1 and 256" },
    { { "--workers", "-2", "--synthetic", "mul10:count=3" }, "--workers must be between 1 and 256" },
    { { "--workers", "many", "--synthetic", "mul10:count=3" }, "--workers" },
    { { "--chunk-size", "0", "--synthetic", "mul10:count=3" }, "--chunk-size must be auto or a number from 1 to" },
    { { "--chunk-size", "99999", "--synthetic", "mul10:count=3" }, "--chunk-size must be auto or a number from 1 to" },
    { { "--order", "bogus", "--synthetic", "mul10:count=3" }, "--order must be ordered, unordered or all, not “bogus”" },
    { { "--mode", "forks", "--synthetic", "mul10:count=3" }, "--mode must be processes, threads or sequential" },
    { { "--transform", "nois", input, "-o", out_dir }, "--transform:" },
    { { "-o", out_dir }, "no INPUT given" },
    { { input }, "no output folder given" },
    { { "--synthetic", "mul10" }, "give a count" },
    { { "--synthetic", "mul10:count=3", input }, "--synthetic takes no INPUT" },
    { { "--bogus-option" }, "Unknown option" },
  };

  cw_test_write_sine (input, 0.2, 440, 1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;
      int status = cw_test_run_cli_argv (cases[i].args, &out, &err);

      if (status != 2 || strstr (err, cases[i].message) == NULL)
        g_error ("case %u (%s …): exit %d, stderr “%s”, expected 2 and “%s”",
                 i, cases[i].args[0], status, err, cases[i].message);
      g_assert_nonnull (strstr (err, "--help"));
      g_assert_cmpstr (out, ==, "");
    }
  /* nothing was created on the way */
  g_assert_false (g_file_test (out_dir, G_FILE_TEST_EXISTS));
  cw_test_rm_rf (dir);
}

static void
test_synthetic_json (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *summary = NULL;
  g_autoptr(GPtrArray) results = NULL;
  int status;

  status = run_cli (&out, &err, "--synthetic", "mul10:count=1000", "--order", "ordered",
                    "--json", "--workers", "2", "--chunk-size", "7");
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (err, ==, "");

  results = json_results (out, &summary);
  g_assert_cmpuint (results->len, ==, 1000);
  for (guint i = 0; i < results->len; i++)
    {
      const char *line = g_ptr_array_index (results, i);

      g_assert_cmpint (json_get_int (line, "index"), ==, i);
      g_assert_cmpint (json_get_int (line, "value"), ==, 10 * (gint64) i);
      assert_json_str (line, "status", "ok");
      assert_json_str (line, "error", "null");
      g_assert_cmpint (json_get_int (line, "attempts"), ==, 1);
    }

  g_assert_nonnull (strstr (summary, "\"wall_s\":"));
  g_assert_nonnull (strstr (summary, "\"cpu_s\":"));
  g_assert_cmpint (json_get_int (summary, "ok"), ==, 1000);
  g_assert_cmpint (json_get_int (summary, "failed"), ==, 0);
  g_assert_cmpint (json_get_int (summary, "workers"), ==, 2);
  g_assert_cmpint (json_get_int (summary, "chunk_size"), ==, 7);
  assert_json_str (summary, "order", "ordered");
  assert_json_str (summary, "mode", "processes");
  {
    g_autofree char *wall = json_get (summary, "wall_s");

    g_assert_cmpfloat (g_ascii_strtod (wall, NULL), >, 0);
  }

  /* auto is a string in the summary */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&summary, g_free);
  g_clear_pointer (&results, g_ptr_array_unref);
  status = run_cli (&out, NULL, "--synthetic", "fib:count=5,n=100", "--json", "--mode", "threads");
  g_assert_cmpint (status, ==, 2);
  g_clear_pointer (&out, g_free);
  status = run_cli (&out, NULL, "--synthetic", "fib:count=5,n=20", "--json", "--mode", "threads");
  g_assert_cmpint (status, ==, 0);
  results = json_results (out, &summary);
  g_assert_cmpuint (results->len, ==, 5);
  /* schema 1: a boolean says auto; chunk_size stays a number */
  assert_json_str (summary, "chunk_auto", "true");
  g_assert_cmpint (json_get_int (summary, "chunk_size"), >=, 1);
  assert_json_str (summary, "mode", "threads");
  assert_json_str (summary, "order", "unordered");
  for (guint i = 0; i < results->len; i++)
    g_assert_cmpint (json_get_int (g_ptr_array_index (results, i), "value"), ==, 6765);

  /* The workers' CPU is theirs alone: spin tasks of 30 ms take at least
   * 30 ms of CPU each in the workers, whatever the machine's load; the
   * words say what it was of the cores, and claim no speed-up (there is
   * no one-after-another run to compare with). */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&summary, g_free);
  g_clear_pointer (&results, g_ptr_array_unref);
  status = run_cli (&out, NULL, "--synthetic", "spin:count=4,ms=30", "--json", "-j", "2");
  g_assert_cmpint (status, ==, 0);
  results = json_results (out, &summary);
  {
    g_autofree char *workers_cpu = json_get (summary, "workers_cpu_s");
    g_autofree char *cpu = json_get (summary, "cpu_s");

    g_assert_cmpfloat (g_ascii_strtod (workers_cpu, NULL), >=, 4 * 0.030 * 0.95);
    g_assert_cmpfloat (g_ascii_strtod (workers_cpu, NULL), <=, g_ascii_strtod (cpu, NULL));
  }
  g_clear_pointer (&out, g_free);
  status = run_cli (&out, NULL, "--synthetic", "spin:count=4,ms=30", "-j", "2");
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Workers' CPU 0."));
  g_assert_nonnull (strstr (out, "cores used on average ("));
  g_assert_null (strstr (out, "speed-up"));
}

static void
test_bad_inputs (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  gboolean root = getuid () == 0;
  const struct {
    const char *name;
    const char *reason;   /* NULL: it must succeed */
  } files[] = {
    { "good1.wav", NULL },
    { "empty.wav", "empty file" },
    { "with space.wav", NULL },
    { "truncated.wav", "not an audio file" },
    { "new\nline.wav", NULL },
    { "text.wav", "not an audio file" },
    { "caf\xe9.wav", NULL },
    { "missing.wav", "No such file" },
    { "unreadable.wav", "Permission denied" },
    { "good2.wav", NULL },
  };
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) results = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *summary = NULL;
  guint n_bad = 0, n_good = 0;
  int status;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i].name, NULL);

      if (files[i].reason == NULL)
        cw_test_write_sine (path, 0.2 + 0.1 * i, 300 + 20 * i, 1);
      else if (g_str_equal (files[i].name, "empty.wav"))
        write_text (path, "");
      else if (g_str_equal (files[i].name, "text.wav"))
        write_text (path, "This is not a sound.\n");
      else if (g_str_equal (files[i].name, "truncated.wav"))
        {
          g_autofree char *full = g_build_filename (dir, "full.tmp", NULL);
          g_autoptr(GBytes) bytes = NULL;

          cw_test_write_sine (full, 0.2, 440, 1);
          bytes = cw_test_read_bytes (full);
          g_assert_true (g_file_set_contents (path, g_bytes_get_data (bytes, NULL), 20, NULL));
          g_assert_cmpint (g_unlink (full), ==, 0);
        }
      else if (g_str_equal (files[i].name, "unreadable.wav"))
        {
          cw_test_write_sine (path, 0.2, 440, 1);
          g_assert_cmpint (chmod (path, 0), ==, 0);
        }
      g_ptr_array_add (args, g_steal_pointer (&path));
    }
  g_ptr_array_add (args, g_strdup ("-o"));
  g_ptr_array_add (args, g_strdup (out_dir));
  g_ptr_array_add (args, g_strdup ("--json"));
  g_ptr_array_add (args, g_strdup ("--order"));
  g_ptr_array_add (args, g_strdup ("ordered"));
  g_ptr_array_add (args, NULL);

  status = cw_test_run_cli_argv ((const char * const *) args->pdata, &out, &err);
  g_assert_cmpint (status, ==, 1);
  results = json_results (out, &summary);
  g_assert_cmpuint (results->len, ==, G_N_ELEMENTS (files));

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      const char *line = g_ptr_array_index (results, i);
      g_autofree char *error = json_get (line, "error");
      g_autofree char *output = g_build_filename (out_dir, files[i].name, NULL);
      gboolean expect_ok = files[i].reason == NULL
                           || (root && g_str_equal (files[i].name, "unreadable.wav"));

      g_assert_cmpint (json_get_int (line, "index"), ==, i);
      if (expect_ok)
        {
          if (!g_str_equal (error, "null"))
            g_error ("%s failed: %s", files[i].name, error);
          assert_json_str (line, "status", "ok");
          /* the odd name comes out under the same bytes */
          g_assert_cmpint (audio_frames (output), >, 0);
          n_good++;
        }
      else
        {
          assert_json_str (line, "status", "failed");
          if (strstr (error, files[i].reason) == NULL)
            g_error ("%s: reason “%s” does not say “%s”", files[i].name, error, files[i].reason);
          g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
          n_bad++;
        }
    }
  /* JSON is UTF-8: the Latin-1 name shows with U+FFFD */
  {
    g_autofree char *input = json_get (g_ptr_array_index (results, 6), "input");

    g_assert_true (g_utf8_validate (input, -1, NULL));
    g_assert_true (g_str_has_suffix (input, "caf\xef\xbf\xbd.wav"));
  }
  g_assert_cmpint (json_get_int (summary, "ok"), ==, n_good);
  g_assert_cmpint (json_get_int (summary, "failed"), ==, n_bad);

  /* Without --json every failure is one "failed: NAME: reason" line. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  cw_test_rm_rf (out_dir);
  g_ptr_array_set_size (args, args->len - 4);   /* drop --json --order ordered NULL */
  g_ptr_array_add (args, NULL);
  status = cw_test_run_cli_argv ((const char * const *) args->pdata, &out, &err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "missing.wav: cannot open"));
  g_assert_nonnull (strstr (err, "No such file or directory"));
  g_assert_nonnull (strstr (err, "empty.wav: empty file"));
  g_assert_nonnull (strstr (err, "text.wav: not an audio file"));
  g_assert_null (strstr (err, "good1.wav"));
  g_assert_nonnull (strstr (out, "failed"));

  cw_test_rm_rf (dir);
}

static void
test_output_dir_errors (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *input = g_build_filename (dir, "a.wav", NULL);
  g_autofree char *file = g_build_filename (dir, "plain-file", NULL);
  g_autofree char *below = g_build_filename (file, "out", NULL);
  g_autofree char *err = NULL;
  int status;

  cw_test_write_sine (input, 0.2, 440, 1);
  write_text (file, "x");
  status = run_cli (NULL, &err, input, "-o", below);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "cannot create the output folder"));
  g_assert_nonnull (strstr (err, "Not a directory"));

  if (getuid () != 0)
    {
      g_autofree char *ro = g_build_filename (dir, "read-only", NULL);

      g_assert_cmpint (g_mkdir (ro, 0555), ==, 0);
      g_clear_pointer (&err, g_free);
      status = run_cli (NULL, &err, input, "-o", ro);
      g_assert_cmpint (status, ==, 1);
      g_assert_nonnull (strstr (err, "Permission denied"));
    }
  else
    g_test_message ("running as root: the read-only folder case is skipped");
  cw_test_rm_rf (dir);
}

static void
test_folder_input (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *in = g_build_filename (dir, "in", NULL);
  g_autofree char *sub = g_build_filename (in, "sub", NULL);
  g_autofree char *a = g_build_filename (in, "a.wav", NULL);
  g_autofree char *b = g_build_filename (sub, "b.wav", NULL);
  g_autofree char *notes = g_build_filename (in, "notes.txt", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *out_a = g_build_filename (out_dir, "a.wav", NULL);
  g_autofree char *out_b = g_build_filename (out_dir, "sub", "b.wav", NULL);
  g_autofree char *flat_dir = g_build_filename (dir, "flat", NULL);
  g_autofree char *flat_b = g_build_filename (flat_dir, "b.wav", NULL);
  g_autofree char *err = NULL;
  int status;

  g_assert_cmpint (g_mkdir_with_parents (sub, 0755), ==, 0);
  cw_test_write_sine (a, 0.2, 440, 1);
  cw_test_write_sine (b, 0.3, 330, 1);
  write_text (notes, "not audio\n");

  status = run_cli (NULL, &err, in, "-o", out_dir);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "skipped:"));
  g_assert_nonnull (strstr (err, "notes.txt"));
  g_assert_nonnull (strstr (err, "not an audio file"));
  g_assert_cmpint (audio_frames (out_a), ==, (sf_count_t) (0.2 * 44100));
  /* the folder's own subfolder is kept below -o (--layout tree) */
  g_assert_cmpint (audio_frames (out_b), ==, (sf_count_t) (0.3 * 44100));

  /* --layout flat puts everything at the top */
  status = run_cli (NULL, NULL, in, "-o", flat_dir, "--layout", "flat", "-q");
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (audio_frames (flat_b), ==, (sf_count_t) (0.3 * 44100));
  cw_test_rm_rf (dir);
}

static void
test_name_collision (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *input = g_build_filename (dir, "a.wav", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *old = g_build_filename (out_dir, "a.wav", NULL);
  g_autofree char *one = g_build_filename (out_dir, "a (1).wav", NULL);
  g_autofree char *two = g_build_filename (out_dir, "a (2).wav", NULL);
  g_autofree char *content = NULL;
  int status;

  cw_test_write_sine (input, 0.25, 440, 1);
  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  write_text (old, "old results\n");

  status = run_cli (NULL, NULL, input, "-o", out_dir, "-q");
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_file_get_contents (old, &content, NULL, NULL));
  g_assert_cmpstr (content, ==, "old results\n");
  g_assert_cmpint (audio_frames (one), ==, (sf_count_t) (0.25 * 44100));

  status = run_cli (NULL, NULL, input, "-o", out_dir, "-q", "--overwrite");
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (audio_frames (old), ==, (sf_count_t) (0.25 * 44100));
  g_assert_false (g_file_test (two, G_FILE_TEST_EXISTS));
  cw_test_rm_rf (dir);
}

static void
test_in_place_never_overwrites_input (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *a = g_build_filename (dir, "a.wav", NULL);
  g_autofree char *b = g_build_filename (dir, "b.wav", NULL);
  g_autoptr(GBytes) a_before = NULL;
  g_autoptr(GBytes) b_before = NULL;
  g_autoptr(GBytes) a_after = NULL;
  g_autoptr(GBytes) b_after = NULL;
  g_autofree char *err = NULL;
  int status;

  cw_test_write_sine (a, 0.2, 440, 1);
  cw_test_write_sine (b, 0.3, 550, 1);
  a_before = cw_test_read_bytes (a);
  b_before = cw_test_read_bytes (b);

  status = run_cli (NULL, &err, dir, "-o", dir, "--overwrite");
  g_test_message ("in place with --overwrite: exit %d, stderr: %s", status, err);
  g_assert_cmpint (status, !=, 2);
  a_after = cw_test_read_bytes (a);
  b_after = cw_test_read_bytes (b);
  g_assert_true (g_bytes_equal (a_before, a_after));
  g_assert_true (g_bytes_equal (b_before, b_after));
  g_assert_false (g_file_test (dir, G_FILE_TEST_IS_REGULAR));
  cw_test_rm_rf (dir);
}

/* No worker can start: the error says why, and every file is accounted
 * for in the summary, as not run. */
static void
test_no_worker (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *demo = g_build_filename (dir, "in", NULL);
  g_autofree char *outdir = g_build_filename (dir, "out", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-worker", NULL);
  g_autofree char *saved = g_strdup (g_getenv ("CW_WORKER_PATH"));
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  g_assert_cmpint (run_cli (NULL, NULL, "--demo", demo, "--demo-count", "3", "--demo-seconds", "0.2"), ==, 0);
  g_setenv ("CW_WORKER_PATH", missing, TRUE);
  status = run_cli (&out, &err, demo, "-o", outdir);
  g_setenv ("CW_WORKER_PATH", saved, TRUE);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "Could not start the worker"));
  g_assert_nonnull (strstr (out, "3 files"));
  g_assert_nonnull (strstr (out, "0 ok, 0 failed, 3 not run"));
  g_assert_null (strstr (out, "speed-up"));
  cw_test_rm_rf (dir);
}

static void
test_demo (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *demo = g_build_filename (dir, "demo", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GDir) d = NULL;
  const char *name;
  guint n = 0;
  int status;

  status = run_cli (&out, NULL, "--demo", demo, "--demo-count", "2", "--demo-seconds", "0.5");
  g_assert_cmpint (status, ==, 0);
  d = g_dir_open (demo, 0, NULL);
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (demo, name, NULL);

      g_assert_true (g_str_has_suffix (name, ".wav"));
      g_assert_cmpint (audio_frames (path), ==, 22050);
      n++;
    }
  g_assert_cmpuint (n, ==, 2);

  status = run_cli (NULL, NULL, "--demo", demo, "--demo-count", "0");
  g_assert_cmpint (status, ==, 2);
  status = run_cli (NULL, NULL, "--demo", demo, "--demo-seconds", "-1");
  g_assert_cmpint (status, ==, 2);
  cw_test_rm_rf (dir);
}

static void
test_progress_on_pipe (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *a = g_build_filename (dir, "a.wav", NULL);
  g_autofree char *b = g_build_filename (dir, "b.wav", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  cw_test_write_sine (a, 0.2, 440, 1);
  cw_test_write_sine (b, 0.2, 550, 1);
  status = run_cli (&out, &err, a, b, "-o", out_dir);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strchr (err, '\r'));
  g_assert_null (strchr (out, '\r'));
  g_assert_nonnull (strstr (out, "2 ok, 0 failed"));

  /* asked for, it is there, as plain lines (no terminal to redraw on):
   * the check above means something */
  g_clear_pointer (&err, g_free);
  status = run_cli (NULL, &err, a, b, "-o", out_dir, "--overwrite", "--progress");
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (err, "progress: 2/2 100%"));
  g_assert_null (strchr (err, '\r'));
  g_assert_null (strchr (err, '\033'));
  cw_test_rm_rf (dir);
}

static void
test_determinism (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  const char * const names[] = { "a.wav", "b.wav", "c.wav", "d.wav", NULL };
  const char * const runs[][7] = {
    { "--workers", "1", "--chunk-size", "1", "--order", "ordered", NULL },
    { "--workers", "4", "--chunk-size", "3", "--order", "all", NULL },
    { "--workers", "2", "--chunk-size", "auto", "--order", "unordered", NULL },
    { "--mode", "threads", "--workers", "3", NULL },
    { "--mode", "sequential", NULL },
  };
  GBytes *expected[4] = { NULL };
  GBytes *expected_chain[4] = { NULL };
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; names[i] != NULL; i++)
    {
      char *path = g_build_filename (dir, names[i], NULL);

      cw_test_write_sine (path, 0.2 + 0.2 * i, 200 + 100 * i, 1);
      g_ptr_array_add (inputs, path);
    }

  for (guint r = 0; r < G_N_ELEMENTS (runs); r++)
    {
      g_autofree char *out_dir = g_strdup_printf ("%s/out%u", dir, r);
      g_autofree char *chain_dir = g_strdup_printf ("%s/chain%u", dir, r);
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      int status;

      for (guint i = 0; i < inputs->len; i++)
        g_ptr_array_add (args, g_ptr_array_index (inputs, i));
      for (guint i = 0; runs[r][i] != NULL; i++)
        g_ptr_array_add (args, (char *) runs[r][i]);
      g_ptr_array_add (args, (char *) "-o");
      g_ptr_array_add (args, out_dir);
      g_ptr_array_add (args, (char *) "--seed");
      g_ptr_array_add (args, (char *) "42");
      g_ptr_array_add (args, (char *) "-q");
      g_ptr_array_add (args, NULL);
      status = cw_test_run_cli_argv ((const char * const *) args->pdata, NULL, NULL);
      g_assert_cmpint (status, ==, 0);

      /* the stages a collection's conversion uses: two measuring passes,
       * a rate change, the noise after them */
      g_ptr_array_remove_index (args, args->len - 1);
      g_ptr_array_add (args, (char *) "--transform");
      g_ptr_array_add (args, (char *) "resample:rate=48000,loudness:lufs=-20:tp=-2,noise:sigma=0.01,normalize:peak=-3");
      g_ptr_array_add (args, (char *) "-f");
      g_ptr_array_add (args, (char *) "flac");
      g_ptr_array_add (args, NULL);
      g_ptr_array_index (args, inputs->len + g_strv_length ((char **) runs[r]) + 1) = chain_dir;
      status = cw_test_run_cli_argv ((const char * const *) args->pdata, NULL, NULL);
      g_assert_cmpint (status, ==, 0);

      for (guint i = 0; names[i] != NULL; i++)
        {
          g_autofree char *path = g_build_filename (out_dir, names[i], NULL);
          g_autofree char *flac = g_strdup (names[i]);
          g_autofree char *chain_path = NULL;
          g_autoptr(GBytes) bytes = cw_test_read_bytes (path);
          g_autoptr(GBytes) chain_bytes = NULL;

          memcpy (strrchr (flac, '.'), ".fla", 4);
          chain_path = g_strconcat (chain_dir, "/", flac, "c", NULL);
          chain_bytes = cw_test_read_bytes (chain_path);
          if (expected[i] == NULL)
            {
              expected[i] = g_bytes_ref (bytes);
              expected_chain[i] = g_bytes_ref (chain_bytes);
            }
          else if (!g_bytes_equal (expected[i], bytes))
            g_error ("%s differs in run %u", names[i], r);
          else if (!g_bytes_equal (expected_chain[i], chain_bytes))
            g_error ("%s differs in run %u", chain_path, r);
        }
    }

  /* another seed, other noise */
  {
    g_autofree char *out_dir = g_build_filename (dir, "other-seed", NULL);
    g_autofree char *path = g_build_filename (out_dir, "a.wav", NULL);
    g_autoptr(GBytes) bytes = NULL;

    g_assert_cmpint (run_cli (NULL, NULL, g_ptr_array_index (inputs, 0), "-o", out_dir, "--seed", "43", "-q"), ==, 0);
    bytes = cw_test_read_bytes (path);
    g_assert_false (g_bytes_equal (expected[0], bytes));
  }
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_bytes_unref (expected[i]);
      g_bytes_unref (expected_chain[i]);
    }
  cw_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cw/cli/synthetic-json", test_synthetic_json);
  g_test_add_func ("/cw/cli/bad-inputs", test_bad_inputs);
  g_test_add_func ("/cw/cli/output-dir-errors", test_output_dir_errors);
  g_test_add_func ("/cw/cli/folder-input", test_folder_input);
  g_test_add_func ("/cw/cli/name-collision", test_name_collision);
  g_test_add_func ("/cw/cli/in-place-never-overwrites-input", test_in_place_never_overwrites_input);
  g_test_add_func ("/cw/cli/demo", test_demo);
  g_test_add_func ("/cw/cli/no-worker", test_no_worker);
  g_test_add_func ("/cw/cli/progress-on-pipe", test_progress_on_pipe);
  g_test_add_func ("/cw/cli/determinism", test_determinism);

  return g_test_run ();
}
