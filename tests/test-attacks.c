/* test-attacks.c: what a careless or hostile user does to a batch, and how
 * "nothing lost" holds (docs/reliability.md lists them)
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each case is one attack that broke the promise once: an input is never
 * modified, an output is complete or absent, a run never follows a link it
 * did not make nor replaces a path it did not plan to replace. The cases
 * that depend on how temporaries are made run twice: with unnamed
 * (O_TMPFILE) temporaries, and with named ones (CW_TEST_NO_TMPFILE=1, what
 * NFS and FUSE folders get).
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "cw-audio.h"
#include "cw-error.h"
#include "cw-inputs.h"
#include "cw-joblog.h"
#include "cw-test-util.h"

/* It only turns a hang into a failure. */
#define WAIT_TIMEOUT_S 120

typedef struct
{
  char *dir;
  char *in;      /* dir/in: inputs */
  char *out;     /* dir/out: the output folder */
} Fixture;


/* cw_inputs_plan () with the options spelt out */
static GPtrArray *
plan_with (GPtrArray  *inputs,
           const char *output_dir,
           CwFormat    format,
           CwExisting  existing,
           gboolean    by_key,
           CwLayout    layout)
{
  CwPlanOptions options = {
    .output_dir = output_dir, .format = format, .existing = existing,
    .by_key = by_key, .layout = layout,
  };

  return cw_inputs_plan (inputs, &options);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = cw_test_make_tmp_dir ();
  f->in = g_build_filename (f->dir, "in", NULL);
  f->out = g_build_filename (f->dir, "out", NULL);
  g_assert_cmpint (g_mkdir (f->in, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (f->out, 0755), ==, 0);
}

/* By names relative to an open parent: some paths here are longer than
 * PATH_MAX. A link is removed, not followed. */
static void
remove_at (int         parent,
           const char *name)
{
  struct stat st;

  g_assert_cmpint (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW), ==, 0);
  if (S_ISDIR (st.st_mode))
    {
      int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      DIR *d = fdopendir (fd);
      struct dirent *entry;

      g_assert_nonnull (d);
      while ((entry = readdir (d)) != NULL)
        if (strcmp (entry->d_name, ".") != 0 && strcmp (entry->d_name, "..") != 0)
          remove_at (dirfd (d), entry->d_name);
      closedir (d);
      g_assert_cmpint (unlinkat (parent, name, AT_REMOVEDIR), ==, 0);
    }
  else
    g_assert_cmpint (unlinkat (parent, name, 0), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  remove_at (AT_FDCWD, f->dir);
  g_free (f->dir);
  g_free (f->in);
  g_free (f->out);
}

/* ---------------------------------------------------------------------- */
/* helpers */

static char *
path_in (const char *dir,
         const char *name)
{
  return g_build_filename (dir, name, NULL);
}

static char *
read_text (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static void
write_text (const char *path,
            const char *text)
{
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static gboolean
same_bytes (const char *a,
            const char *b)
{
  g_autoptr(GBytes) x = cw_test_read_bytes (a);
  g_autoptr(GBytes) y = cw_test_read_bytes (b);

  return g_bytes_equal (x, y);
}

static gboolean
is_regular_not_link (const char *path)
{
  struct stat st;

  return lstat (path, &st) == 0 && S_ISREG (st.st_mode);
}

static gboolean
process_file (const char  *in,
              const char  *out,
              const char  *spec,
              CwFormat     format,
              CwReplace    replace,
              GError     **error)
{
  g_autoptr(CwChain) chain = cw_chain_parse (spec, NULL);
  CwAudioJob job = {
    .input_path = in,
    .output_path = out,
    .chain = chain,
    .format = format,
    .seed = 11,
    .seed_key = "key",
    .replace = replace,
  };

  g_assert_nonnull (chain);
  return cw_audio_process (&job, NULL, NULL, error);
}

/* No temporary of ours anywhere under @dir (names end in ".part"). */
static void
assert_no_temporaries (const char *dir)
{
  cw_test_assert_no_part_files (dir);
}

/* Runs the case in a child with named temporaries (@data = "named") or
 * unnamed ones; TRUE in the parent, which has nothing more to do. */
static gboolean
in_mode (gconstpointer data)
{
  if (g_test_subprocess ())
    return FALSE;
  g_setenv ("CW_TEST_NO_TMPFILE", g_strcmp0 (data, "named") == 0 ? "1" : "0", TRUE);
  g_test_trap_subprocess (NULL, WAIT_TIMEOUT_S * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_unsetenv ("CW_TEST_NO_TMPFILE");
  g_test_trap_assert_passed ();
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* 1. a planted link at a temporary's name is never followed */

static void
test_planted_part_link (Fixture       *f,
                        gconstpointer  data)
{
  g_autofree char *in = path_in (f->in, "a.wav");
  g_autofree char *out = path_in (f->out, "a.wav");
  g_autofree char *victim = path_in (f->dir, "victim.txt");
  g_autofree char *old_part = path_in (f->out, ".a.wav.part");
  g_autofree char *named_part = cw_output_part_path (out, getpid ());
  g_autofree char *to_input = path_in (f->out, ".b.wav.part");
  g_autofree char *in_b = path_in (f->in, "b.wav");
  g_autofree char *out_b = path_in (f->out, "b.wav");
  g_autofree char *before = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GBytes) b_before = NULL;
  g_autoptr(GBytes) b_after = NULL;
  g_autoptr(GError) error = NULL;

  if (in_mode (data))
    return;

  cw_test_write_sine (in, 0.5, 440, 1);
  cw_test_write_sine (in_b, 0.5, 330, 2);
  write_text (victim, "victim");
  /* the old fixed name, and the first name a named temporary of this
   * process would take: both point at a file of the user's */
  g_assert_cmpint (symlink (victim, old_part), ==, 0);
  g_assert_cmpint (symlink (victim, named_part), ==, 0);
  g_assert_true (process_file (in, out, "gain:db=-3", CW_FORMAT_SAME, CW_REPLACE_NEVER, &error));
  g_assert_no_error (error);
  text = read_text (victim);
  g_assert_cmpstr (text, ==, "victim");
  g_assert_true (is_regular_not_link (out));
  g_assert_true (cw_audio_is_audio (out));
  /* the planted links are not ours to remove */
  g_assert_true (g_file_test (old_part, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (named_part, G_FILE_TEST_IS_SYMLINK));

  /* a link to an input: a copy through it would have cut the input */
  b_before = cw_test_read_bytes (in_b);
  g_assert_cmpint (symlink (in_b, to_input), ==, 0);
  g_assert_true (process_file (in_b, out_b, "copy", CW_FORMAT_SAME, CW_REPLACE_NEVER, &error));
  g_assert_no_error (error);
  b_after = cw_test_read_bytes (in_b);
  g_assert_true (g_bytes_equal (b_before, b_after));
  g_assert_true (is_regular_not_link (out_b));
  g_assert_true (same_bytes (in_b, out_b));
}

/* The same through the CLI, with the link at the old name to the input. */
static void
test_planted_part_link_cli (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *in = path_in (f->in, "a.wav");
  g_autofree char *out = path_in (f->out, "a.wav");
  g_autofree char *part = path_in (f->out, ".a.wav.part");
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  int status;

  if (in_mode (data))
    return;
  cw_test_write_sine (in, 0.5, 440, 1);
  before = cw_test_read_bytes (in);
  g_assert_cmpint (symlink (in, part), ==, 0);
  status = cw_test_run_cli (NULL, NULL, in, "-o", f->out, "-t", "copy", "-q");
  g_assert_cmpint (status, ==, 0);
  after = cw_test_read_bytes (in);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_true (is_regular_not_link (out));
}

/* ---------------------------------------------------------------------- */
/* 2. two runs into one folder at once: each output is one run's, whole */

typedef struct
{
  const char *in;
  const char *out;
  const char *spec;
  gboolean    ok;
  GError     *error;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;

  w->ok = process_file (w->in, w->out, w->spec, CW_FORMAT_SAME, CW_REPLACE_NEVER, &w->error);
  return NULL;
}

static void
test_concurrent_runs (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *in = path_in (f->in, "long.wav");
  g_autofree char *out = path_in (f->out, "long.wav");
  g_autofree char *ref_gain = path_in (f->dir, "ref-gain.wav");
  g_autofree char *ref_copy = path_in (f->dir, "ref-copy.wav");
  Writer w[2] = {
    { .in = in, .out = out, .spec = "gain:db=-20,noise:sigma=0.01" },
    { .in = in, .out = out, .spec = "copy" },
  };
  GThread *threads[2];
  guint winner;

  if (in_mode (data))
    return;
  cw_test_write_sine (in, 60, 440, 2);
  g_assert_true (process_file (in, ref_gain, w[0].spec, CW_FORMAT_SAME, CW_REPLACE_NEVER, NULL));
  g_assert_true (process_file (in, ref_copy, w[1].spec, CW_FORMAT_SAME, CW_REPLACE_NEVER, NULL));

  for (guint round = 0; round < 3; round++)
    {
      g_unlink (out);
      for (guint i = 0; i < 2; i++)
        {
          w[i].ok = FALSE;
          g_clear_error (&w[i].error);
          threads[i] = g_thread_new ("writer", writer_thread, &w[i]);
        }
      for (guint i = 0; i < 2; i++)
        g_thread_join (threads[i]);
      /* one wins; the other finds the name taken and says so */
      g_assert_true (w[0].ok != w[1].ok);
      winner = w[0].ok ? 0 : 1;
      g_assert_error (w[1 - winner].error, G_IO_ERROR, G_IO_ERROR_EXISTS);
      g_assert_true (same_bytes (out, winner == 0 ? ref_gain : ref_copy));
      assert_no_temporaries (f->out);
    }
  for (guint i = 0; i < 2; i++)
    g_clear_error (&w[i].error);
}

/* ---------------------------------------------------------------------- */
/* 3. --overwrite never replaces an input of the batch */

static void
test_overwrite_spares_inputs (Fixture       *f,
                              gconstpointer  data)
{
  g_autofree char *src = path_in (f->dir, "src");
  g_autofree char *a = path_in (src, "a.wav");
  g_autofree char *out_a = path_in (f->out, "a.wav");
  g_autofree char *hard = path_in (f->out, "b.wav");
  g_autofree char *b = path_in (src, "b.wav");
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) hard_before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) hard_after = NULL;
  int status;

  g_assert_cmpint (g_mkdir (src, 0755), ==, 0);
  cw_test_write_sine (a, 0.5, 440, 1);
  cw_test_write_sine (out_a, 0.5, 550, 1);
  cw_test_write_sine (b, 0.5, 660, 1);
  /* out/b.wav is another name of the input src/b.wav */
  g_assert_cmpint (link (b, hard), ==, 0);
  before = cw_test_read_bytes (out_a);
  hard_before = cw_test_read_bytes (b);

  status = cw_test_run_cli (NULL, NULL, a, out_a, b, "-o", f->out, "--overwrite", "-q");
  g_assert_cmpint (status, ==, 0);
  after = cw_test_read_bytes (out_a);
  hard_after = cw_test_read_bytes (b);
  g_assert_true (g_bytes_equal (before, after));
  g_assert_true (g_bytes_equal (hard_before, hard_after));
  /* three outputs beside them, all new names */
  g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, 5);
}

/* The plan itself: an output is never an input, whatever the mode. */
static void
test_plan_spares_inputs (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *a = path_in (f->in, "a.wav");
  g_autofree char *out_a = path_in (f->out, "a.wav");
  g_autofree char *link_a = path_in (f->out, "c.wav");
  g_autofree char *c = path_in (f->in, "c.wav");
  g_autofree char *dangling = path_in (f->out, "d.wav");
  g_autofree char *d = path_in (f->in, "d.wav");
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_input_file_free);
  g_autoptr(GPtrArray) plan = NULL;
  const CwPlannedFile *p;

  cw_test_write_sine (a, 0.1, 440, 1);
  cw_test_write_sine (out_a, 0.1, 440, 1);
  cw_test_write_sine (c, 0.1, 440, 1);
  cw_test_write_sine (d, 0.1, 440, 1);
  g_assert_cmpint (symlink (c, link_a), ==, 0);
  g_assert_cmpint (symlink ("/nonexistent/corewave", dangling), ==, 0);
  g_ptr_array_add (inputs, cw_input_file_new (a, NULL));
  g_ptr_array_add (inputs, cw_input_file_new (out_a, NULL));
  g_ptr_array_add (inputs, cw_input_file_new (c, NULL));
  g_ptr_array_add (inputs, cw_input_file_new (d, NULL));

  plan = plan_with (inputs, f->out, CW_FORMAT_SAME, CW_EXISTING_REPLACE, FALSE, CW_LAYOUT_FLAT);
  for (guint i = 0; i < plan->len; i++)
    {
      p = g_ptr_array_index (plan, i);
      g_assert_cmpstr (p->output_path, !=, out_a);
      g_assert_cmpstr (p->output_path, !=, link_a);
    }
  /* a dangling link may be replaced when overwriting (it is no input) */
  p = g_ptr_array_index (plan, 3);
  g_assert_cmpstr (p->output_path, ==, dangling);
  g_assert_cmpint (p->replace, ==, CW_REPLACE_ALWAYS);
  g_clear_pointer (&plan, g_ptr_array_unref);

  /* without overwrite, a dangling link is a taken name: numbered */
  plan = plan_with (inputs, f->out, CW_FORMAT_SAME, CW_EXISTING_RENAME, FALSE, CW_LAYOUT_FLAT);
  p = g_ptr_array_index (plan, 3);
  g_assert_cmpstr (p->output_path, !=, dangling);
  g_assert_cmpint (p->replace, ==, CW_REPLACE_NEVER);
  g_assert_true (g_str_has_suffix (p->output_path, "d (1).wav"));
}

/* A dangling link at the output's name, through the CLI: numbered, left. */
static void
test_dangling_link_numbered (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *in = path_in (f->in, "a.wav");
  g_autofree char *dangling = path_in (f->out, "a.wav");
  g_autofree char *numbered = path_in (f->out, "a (1).wav");
  int status;

  cw_test_write_sine (in, 0.2, 440, 1);
  g_assert_cmpint (symlink ("/nonexistent/corewave", dangling), ==, 0);
  status = cw_test_run_cli (NULL, NULL, in, "-o", f->out, "-q");
  g_assert_cmpint (status, ==, 0);
  g_assert_true (g_file_test (dangling, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (is_regular_not_link (numbered));
}

/* ---------------------------------------------------------------------- */
/* 4-5. --resume replaces only its own outputs, and redoes changed ones */

static void
test_resume_spares_user_files (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *log = path_in (f->dir, "new.log");
  g_autofree char *mine = path_in (f->out, "f1.wav");
  g_autofree char *err = NULL;
  g_autofree char *text = NULL;
  int status;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u.wav", i);
      g_autofree char *in = path_in (f->in, name);

      cw_test_write_sine (in, 0.2, 300 + 100 * i, 1);
    }
  write_text (mine, "MINE");
  /* a first run with --resume (harmless, docs/cluster.md says) */
  status = cw_test_run_cli (NULL, &err, f->in, "-o", f->out, "--joblog", log, "--resume", "-q");
  g_assert_cmpint (status, ==, 1);
  text = read_text (mine);
  g_assert_cmpstr (text, ==, "MINE");
  g_assert_nonnull (strstr (err, "failed: "));
  g_assert_nonnull (strstr (err, "output exists"));
  g_clear_pointer (&err, g_free);

  /* again: the others are done, f1 still is the user's */
  status = cw_test_run_cli (NULL, &err, f->in, "-o", f->out, "--joblog", log, "--resume", "-q");
  g_assert_cmpint (status, ==, 1);
  g_clear_pointer (&text, g_free);
  text = read_text (mine);
  g_assert_cmpstr (text, ==, "MINE");

  /* --overwrite is how a person says "replace it" */
  status = cw_test_run_cli (NULL, NULL, f->in, "-o", f->out, "--joblog", log, "--resume",
                            "--overwrite", "-q");
  g_assert_cmpint (status, ==, 0);
  g_assert_true (cw_audio_is_audio (mine));
}

static char *
json_field (const char *json,
            const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *p = strstr (json, needle);
  gsize n;

  g_assert_nonnull (p);
  p += strlen (needle);
  n = strcspn (p, ",}");
  return g_strndup (p, n);
}

static void
test_resume_redoes_changed_settings (Fixture       *f,
                                     gconstpointer  data)
{
  g_autofree char *log = path_in (f->dir, "j.log");
  g_autofree char *ref = path_in (f->dir, "ref");
  g_autofree char *out0 = path_in (f->out, "f0.wav");
  g_autofree char *ref0 = path_in (ref, "f0.wav");
  g_autofree char *json = NULL;
  g_autofree char *resumed = NULL;
  g_autofree char *redone = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(GString) older = NULL;
  int status;

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u.wav", i);
      g_autofree char *in = path_in (f->in, name);

      cw_test_write_sine (in, 0.2, 300 + 100 * i, 1);
    }
  status = cw_test_run_cli (NULL, NULL, f->in, "-o", f->out, "-t", "copy", "--joblog", log, "-q");
  g_assert_cmpint (status, ==, 0);

  /* another transform: all four are ours, made otherwise: redone */
  status = cw_test_run_cli (&json, NULL, f->in, "-o", f->out, "-t", "gain:db=-6", "--joblog", log,
                            "--resume", "--json", "-q");
  g_assert_cmpint (status, ==, 0);
  resumed = json_field (json, "resumed");
  redone = json_field (json, "redone");
  g_assert_cmpstr (resumed, ==, "0");
  g_assert_cmpstr (redone, ==, "4");
  status = cw_test_run_cli (NULL, NULL, f->in, "-o", ref, "-t", "gain:db=-6", "-q");
  g_assert_cmpint (status, ==, 0);
  g_assert_true (same_bytes (out0, ref0));

  /* the same settings again: nothing to do */
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&resumed, g_free);
  status = cw_test_run_cli (&json, NULL, f->in, "-o", f->out, "-t", "gain:db=-6", "--joblog", log,
                            "--resume", "--json", "-q");
  g_assert_cmpint (status, ==, 0);
  resumed = json_field (json, "resumed");
  g_assert_cmpstr (resumed, ==, "4");

  /* another seed: the noise differs, so the files are redone */
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&resumed, g_free);
  g_clear_pointer (&redone, g_free);
  status = cw_test_run_cli (&json, NULL, f->in, "-o", f->out, "-t", "gain:db=-6", "--seed", "5",
                            "--joblog", log, "--resume", "--json", "-q");
  g_assert_cmpint (status, ==, 0);
  redone = json_field (json, "redone");
  g_assert_cmpstr (redone, ==, "4");

  /* lines written by another version of Corewave: redone too */
  contents = read_text (log);
  older = g_string_new (contents);
  g_string_replace (older, "\t" PACKAGE_VERSION "\t", "\t0.0.1-older\t", 0);
  write_text (log, older->str);
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&redone, g_free);
  status = cw_test_run_cli (&json, NULL, f->in, "-o", f->out, "-t", "gain:db=-6", "--seed", "5",
                            "--joblog", log, "--resume", "--json", "-q");
  g_assert_cmpint (status, ==, 0);
  redone = json_field (json, "redone");
  g_assert_cmpstr (redone, ==, "4");
}

/* ---------------------------------------------------------------------- */
/* 6. an input rewritten while it is read */

typedef struct
{
  const char *path;
  GBytes     *a;
  GBytes     *b;
  gint        stop;
  guint       rounds;
} Rewriter;

static gpointer
rewriter_thread (gpointer data)
{
  Rewriter *r = data;

  while (!g_atomic_int_get (&r->stop))
    {
      GBytes *bytes = r->rounds++ % 2 == 0 ? r->a : r->b;
      gsize len;
      const guint8 *p = g_bytes_get_data (bytes, &len);
      int fd = open (r->path, O_WRONLY | O_CLOEXEC);

      g_assert_cmpint (fd, >=, 0);
      /* in place, same size, like dd conv=notrunc */
      g_assert_cmpint (pwrite (fd, p, len, 0), ==, (gssize) len);
      close (fd);
    }
  return NULL;
}

static void
test_input_rewritten (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *in = path_in (f->in, "in.wav");
  g_autofree char *mono = path_in (f->dir, "mono.wav");
  g_autofree char *stereo = path_in (f->dir, "stereo.wav");
  g_autofree char *out = path_in (f->out, "in.wav");
  g_autoptr(GError) error = NULL;
  Rewriter r = { .path = in };
  GThread *thread;
  gboolean ok;

  /* the same size: 120 s mono and 60 s stereo */
  cw_test_write_sine (mono, 120, 440, 1);
  cw_test_write_sine (stereo, 60, 440, 2);
  r.a = cw_test_read_bytes (stereo);
  r.b = cw_test_read_bytes (mono);
  g_assert_cmpuint (g_bytes_get_size (r.a), ==, g_bytes_get_size (r.b));
  g_assert_true (g_file_set_contents (in, g_bytes_get_data (r.b, NULL), g_bytes_get_size (r.b), NULL));

  thread = g_thread_new ("rewriter", rewriter_thread, &r);
  while (g_atomic_int_get (&r.rounds) < 2)
    g_thread_yield ();
  /* each pass reopens the input: it must trust nothing new in it */
  ok = process_file (in, out, "normalize,normalize,normalize,normalize,normalize,normalize",
                     CW_FORMAT_SAME, CW_REPLACE_NEVER, &error);
  g_atomic_int_set (&r.stop, 1);
  g_thread_join (thread);
  g_assert_false (ok);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "the input changed while it was being read"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  assert_no_temporaries (f->out);
  g_bytes_unref (r.a);
  g_bytes_unref (r.b);
}

/* ---------------------------------------------------------------------- */
/* 7. a full disk: every format fails, MP3 too */

static void
test_file_too_large_every_format (Fixture       *f,
                                  gconstpointer  data)
{
  static const CwFormat formats[] = {
    CW_FORMAT_WAV, CW_FORMAT_FLAC, CW_FORMAT_OGG, CW_FORMAT_MP3,
  };
  g_autofree char *in = path_in (f->in, "in.wav");
  struct rlimit limit = { 200000, 200000 };

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, WAIT_TIMEOUT_S * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  /* 60 s of stereo: more than 200 kB in every format */
  cw_test_write_sine (in, 60, 440, 2);
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_autofree char *name = cw_format_output_name (formats[i], "in.wav");
      g_autofree char *out = path_in (f->out, name);
      g_autoptr(GError) error = NULL;

      g_assert_false (process_file (in, out, "noise:sigma=0.1", formats[i], CW_REPLACE_NEVER, &error));
      g_test_message ("%s: %s", name, error->message);
      g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
  assert_no_temporaries (f->out);
}

/* A real full disk, where root may mount a small tmpfs. */
static void
test_full_disk_mp3 (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *small = path_in (f->dir, "small");
  g_autofree char *cmd = NULL;
  g_autofree char *err = NULL;
  g_autofree char *json = NULL;
  int status;

  if (getuid () != 0 || !g_file_test ("/bin/mount", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("mounting a small tmpfs needs root");
      return;
    }
  g_assert_cmpint (g_mkdir (small, 0755), ==, 0);
  cmd = g_strdup_printf ("mount -t tmpfs -o size=3m corewave-test '%s'", small);
  if (system (cmd) != 0)
    {
      g_test_skip ("cannot mount a tmpfs here");
      return;
    }
  /* four files of 2.4 MB as MP3: two fit at most */
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u.wav", i);
      g_autofree char *in = path_in (f->in, name);

      cw_test_write_sine (in, 300, 300 + 50 * i, 1);
    }
  status = cw_test_run_cli (&json, &err, f->in, "-o", small, "-f", "mp3", "-t", "copy", "-j", "2",
                            "--json", "-q");
  g_test_message ("%s", err);
  {
    g_autofree char *ok = json_field (json, "ok");
    g_autofree char *failed = json_field (json, "failed");
    g_autoptr(GDir) d = g_dir_open (small, 0, NULL);
    const char *name;

    g_assert_cmpint (status, ==, 1);
    g_assert_cmpint (atoi (failed), >=, 1);
    g_assert_nonnull (strstr (err, g_strerror (ENOSPC)));
    /* what is there is complete: as many files as were reported ok, each
     * reading to its end */
    g_assert_cmpuint (cw_test_count_files (small, ".mp3"), ==, (guint) atoi (ok));
    while ((name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *path = path_in (small, name);
        SF_INFO info = { 0 };
        SNDFILE *sf = sf_open (path, SFM_READ, &info);

        g_assert_false (g_str_has_suffix (name, ".part"));
        g_assert_nonnull (sf);
        g_assert_cmpint (info.frames, >=, 300 * 44100 - 4096);
        sf_close (sf);
      }
  }
  g_clear_pointer (&cmd, g_free);
  cmd = g_strdup_printf ("umount '%s'", small);
  g_assert_cmpint (system (cmd), ==, 0);
}

/* ---------------------------------------------------------------------- */
/* 8. a cut RF64 or W64 whose 64-bit sizes promise more than 4 GiB */

static void
put_le32 (guint8  *p,
          guint32  v)
{
  v = GUINT32_TO_LE (v);
  memcpy (p, &v, 4);
}

static void
put_le64 (guint8  *p,
          guint64  v)
{
  v = GUINT64_TO_LE (v);
  memcpy (p, &v, 8);
}

static void
test_cut_rf64_w64 (Fixture       *f,
                   gconstpointer  data)
{
  const guint32 frames = 44100;
  g_autofree guint8 *pcm = g_malloc0 (frames * 2);
  g_autofree char *rf64 = path_in (f->in, "cut.rf64");
  g_autofree char *w64 = path_in (f->in, "cut.w64");
  g_autofree char *ok_w64 = path_in (f->in, "whole.w64");
  g_autoptr(GByteArray) file = g_byte_array_new ();
  guint8 head[80];

  for (guint32 i = 0; i < frames; i++)
    {
      gint16 v = GINT16_TO_LE ((gint16) (10000 * sin (i * 0.05)));

      memcpy (pcm + 2 * i, &v, 2);
    }

  /* RF64: ds64 says 5e9 bytes of data, the file holds 88 200 */
  memcpy (head, "RF64", 4);
  put_le32 (head + 4, 0xFFFFFFFF);
  memcpy (head + 8, "WAVEds64", 8);
  put_le32 (head + 16, 28);
  put_le64 (head + 20, G_GUINT64_CONSTANT (5000000036));
  put_le64 (head + 28, G_GUINT64_CONSTANT (5000000000));
  put_le64 (head + 36, frames);
  put_le32 (head + 44, 0);
  memcpy (head + 48, "fmt ", 4);
  put_le32 (head + 52, 16);
  head[56] = 1; head[57] = 0;               /* PCM */
  head[58] = 1; head[59] = 0;               /* mono */
  put_le32 (head + 60, 44100);
  put_le32 (head + 64, 88200);
  head[68] = 2; head[69] = 0;
  head[70] = 16; head[71] = 0;
  memcpy (head + 72, "data", 4);
  put_le32 (head + 76, 0xFFFFFFFF);
  g_byte_array_append (file, head, 80);
  g_byte_array_append (file, pcm, frames * 2);
  g_assert_true (g_file_set_contents (rf64, (char *) file->data, file->len, NULL));

  /* W64 written by libsndfile, then its 64-bit riff and data sizes made to
   * promise 6e9 bytes */
  {
    SF_INFO info = { .samplerate = 44100, .channels = 1, .format = SF_FORMAT_W64 | SF_FORMAT_PCM_16 };
    SNDFILE *sf = sf_open (ok_w64, SFM_WRITE, &info);
    g_autofree char *bytes = NULL;
    gsize len = 0;
    char *chunk;

    g_assert_nonnull (sf);
    g_assert_cmpint (sf_write_raw (sf, pcm, frames * 2), ==, frames * 2);
    sf_close (sf);
    g_assert_true (g_file_get_contents (ok_w64, &bytes, &len, NULL));
    /* riff GUID (16 bytes) then its u64 size; "data" chunk: GUID + u64 */
    put_le64 ((guint8 *) bytes + 16, G_GUINT64_CONSTANT (6000000000));
    chunk = memmem (bytes, len, "data\xf3\xac\xd3\x11", 8);
    g_assert_nonnull (chunk);
    put_le64 ((guint8 *) chunk + 16, G_GUINT64_CONSTANT (6000000000) - 100);
    g_assert_true (g_file_set_contents (w64, bytes, len, NULL));
  }

  for (guint i = 0; i < 2; i++)
    {
      const char *in = i == 0 ? rf64 : w64;
      g_autofree char *base = g_path_get_basename (in);
      g_autofree char *out = path_in (f->out, base);
      g_autoptr(GError) error = NULL;

      g_assert_false (process_file (in, out, "copy", CW_FORMAT_WAV, CW_REPLACE_NEVER, &error));
      g_test_message ("%s: %s", base, error->message);
      g_assert_nonnull (strstr (error->message, "truncated file"));
    }
  /* the whole one still passes */
  {
    g_autofree char *out = path_in (f->out, "whole.wav");

    g_assert_true (process_file (ok_w64, out, "copy", CW_FORMAT_WAV, CW_REPLACE_NEVER, NULL));
  }
}

/* ---------------------------------------------------------------------- */
/* 9-11. walking folders: link loops, depth, FIFOs and devices */

static gboolean
skipped_has (GPtrArray  *skipped,
             const char *path_part,
             const char *reason_part)
{
  for (guint i = 0; i < skipped->len; i++)
    {
      const char *note = g_ptr_array_index (skipped, i);

      if (strstr (note, path_part) != NULL && strstr (note, reason_part) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_link_loops (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *d = g_build_filename (f->in, "lp", "d", NULL);
  g_autofree char *x = path_in (d, "x.wav");
  g_autofree char *la = path_in (d, "a");
  g_autofree char *lb = path_in (d, "b");
  g_autofree char *up = path_in (d, "up");
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = NULL;
  const char *paths[] = { f->in, NULL };

  g_assert_cmpint (g_mkdir_with_parents (d, 0755), ==, 0);
  cw_test_write_sine (x, 0.1, 440, 1);
  /* two links to the folder itself and one to its grandparent: without a
   * record of the folders walked this is exponential */
  g_assert_cmpint (symlink (".", la), ==, 0);
  g_assert_cmpint (symlink (".", lb), ==, 0);
  g_assert_cmpint (symlink ("../..", up), ==, 0);
  files = cw_inputs_collect (paths, f->out, skipped);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_cmpstr (((CwInputFile *) g_ptr_array_index (files, 0))->path, ==, x);
  g_assert_true (skipped_has (skipped, "lp/d/a", "already included"));
  g_assert_true (skipped_has (skipped, "lp/d/up", "already included"));
}

static void
test_deep_folders (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GString) path = g_string_new (f->in);
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = NULL;
  g_autofree char *x = NULL;
  g_autofree char *name = g_strnfill (120, 'n');
  const char *paths[] = { f->in, NULL };
  int dirfd;

  /* 100 folders deep: more than the 64 the walk used to stop at */
  for (guint i = 0; i < 100; i++)
    g_string_append (path, "/d");
  g_assert_cmpint (g_mkdir_with_parents (path->str, 0755), ==, 0);
  x = path_in (path->str, "deep.wav");
  cw_test_write_sine (x, 0.1, 440, 1);

  /* and a folder whose path is longer than PATH_MAX, made relative to
   * its parent: reported, not dropped in silence */
  dirfd = open (f->in, O_RDONLY | O_DIRECTORY);
  for (guint i = 0; i < 40; i++)
    {
      int next;

      g_assert_cmpint (mkdirat (dirfd, name, 0755), ==, 0);
      next = openat (dirfd, name, O_RDONLY | O_DIRECTORY);
      close (dirfd);
      dirfd = next;
      g_assert_cmpint (dirfd, >=, 0);
    }
  close (dirfd);

  files = cw_inputs_collect (paths, f->out, skipped);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_cmpstr (((CwInputFile *) g_ptr_array_index (files, 0))->path, ==, x);
  g_assert_true (skipped_has (skipped, name, g_strerror (ENAMETOOLONG)));
}

static void
test_fifo_and_devices (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *fifo = path_in (f->in, "x.wav");
  g_autofree char *dev = path_in (f->in, "zero.wav");
  g_autofree char *good = path_in (f->in, "y.wav");
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = path_in (f->out, "x.wav");
  const char *paths[] = { f->in, NULL };
  CwAudioInfo info;
  int status;

  g_assert_cmpint (mkfifo (fifo, 0644), ==, 0);
  /* a link named .wav to a character device */
  g_assert_cmpint (symlink ("/dev/zero", dev), ==, 0);
  cw_test_write_sine (good, 0.1, 440, 1);

  files = cw_inputs_collect (paths, f->out, skipped);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_true (skipped_has (skipped, "x.wav", "not a regular file (a named pipe, FIFO)"));
  g_assert_true (skipped_has (skipped, "zero.wav", "not a regular file (a character device)"));

  /* given by name: a per-file failure, without waiting for a writer */
  g_assert_false (cw_audio_is_audio (fifo));
  g_assert_false (cw_audio_probe (fifo, &info, &error));
  g_assert_nonnull (strstr (error->message, "not a regular file"));
  g_clear_error (&error);
  g_assert_false (process_file (dev, out, "copy", CW_FORMAT_SAME, CW_REPLACE_NEVER, &error));
  g_assert_nonnull (strstr (error->message, "a character device"));
  status = cw_test_run_cli (NULL, &err, fifo, good, "-o", f->out, "-q");
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "x.wav: not a regular file (a named pipe, FIFO)"));
  g_assert_cmpuint (cw_test_count_files (f->out, ".wav"), ==, 1);
}

/* ---------------------------------------------------------------------- */
/* 12. failed MP3 opens do not cost a worker memory */

static glong
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *p;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  p = strstr (status, "VmRSS:");
  g_assert_nonnull (p);
  return strtol (p + strlen ("VmRSS:"), NULL, 10);
}

static void
test_mp3_odd_rates (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *in = path_in (f->in, "hi.wav");
  g_autofree char *out = path_in (f->out, "hi.mp3");
  SF_INFO sfinfo = { .samplerate = 96000, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_24 };
  int block[2 * 960] = { 0 };
  SNDFILE *sf = sf_open (in, SFM_WRITE, &sfinfo);
  CwAudioInfo info = { 0 };
  glong before, after;

  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_int (sf, block, 960), ==, 960);
  sf_close (sf);

  /* MP3 holds no 96 kHz: the file is resampled to 48 kHz, not refused
   * (which once leaked ~135 kB per refusal inside libsndfile) */
  for (guint i = 0; i < 10; i++)
    g_assert_true (process_file (in, out, "copy", CW_FORMAT_MP3, CW_REPLACE_ALWAYS, NULL));
  before = rss_kb ();
  for (guint i = 0; i < 100; i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (process_file (in, out, "copy", CW_FORMAT_MP3, CW_REPLACE_ALWAYS, &error));
      g_assert_no_error (error);
    }
  after = rss_kb ();
  g_test_message ("RSS %ld kB before, %ld kB after 100 resampled MP3 writes", before, after);
#ifndef __SANITIZE_ADDRESS__
  /* (under ASan, freed memory waits in quarantine, and LeakSanitizer checks instead) */
  g_assert_cmpint (after - before, <, 4096);
#endif
  g_assert_true (cw_audio_probe (out, &info, NULL));
  g_assert_cmpint (info.rate, ==, 48000);
  g_assert_cmpint (info.channels, ==, 2);
  cw_audio_info_clear (&info);
  assert_no_temporaries (f->out);
}

/* ---------------------------------------------------------------------- */
/* 13. signals, naming, worker limits, terminal escapes, bad timeouts */

/* SIGINT, SIGTERM or SIGHUP while a long file is written: the CLI cancels,
 * leaves neither a temporary nor a partial output, and exits 128 + N. */
static void
test_signals_mid_write (Fixture       *f,
                        gconstpointer  data)
{
  static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
  g_autofree char *small = path_in (f->in, "a-small.wav");
  g_autofree char *big = path_in (f->in, "b-big.wav");
  const char *cli = g_getenv ("CW_CLI_PATH");

  if (in_mode (data))
    return;
  cw_test_write_sine (small, 0.1, 440, 1);
  cw_test_write_sine (big, 300, 440, 2);
  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    {
      g_autoptr(GSubprocess) proc = NULL;
      g_autoptr(GDataInputStream) lines = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *first = NULL;
      g_autofree char *out_big = path_in (f->out, "b-big.wav");

      /* the small file's result line says the big one is under way */
      proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                               &error, cli, small, big, "-o", f->out, "-j", "1", "-c", "1",
                               "--order", "ordered", "--overwrite", "--json",
                               "-t", "normalize,normalize,normalize,normalize,noise", NULL);
      g_assert_no_error (error);
      lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
      first = g_data_input_stream_read_line (lines, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (strstr (first, "a-small.wav"));
      kill (atoi (g_subprocess_get_identifier (proc)), signals[i]);
      g_assert_true (g_subprocess_wait (proc, NULL, &error));
      g_assert_true (g_subprocess_get_if_exited (proc));
      g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 128 + signals[i]);
      g_assert_false (g_file_test (out_big, G_FILE_TEST_EXISTS));
      assert_no_temporaries (f->out);
    }
}

static void
test_naming_is_linear (Fixture       *f,
                       gconstpointer  data)
{
  const guint n = 20000;
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_input_file_free);
  g_autoptr(GPtrArray) plan = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  const CwPlannedFile *last;

  /* 2,000 of the names are on disk already, as after an earlier run */
  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *name = i == 0 ? g_strdup ("take.wav") : g_strdup_printf ("take (%u).wav", i);
      g_autofree char *path = path_in (f->out, name);

      write_text (path, "");
    }
  /* 20,000 inputs with one name (they need not exist to be planned) */
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/%u/take.wav", f->in, i);

      g_ptr_array_add (inputs, cw_input_file_new (path, NULL));
    }
  /* quadratic naming took minutes here; the test's timeout catches it */
  plan = plan_with (inputs, f->out, CW_FORMAT_SAME, CW_EXISTING_RENAME, FALSE, CW_LAYOUT_FLAT);
  g_assert_cmpuint (plan->len, ==, n);
  for (guint i = 0; i < n; i++)
    {
      const CwPlannedFile *p = g_ptr_array_index (plan, i);

      g_assert_true (g_hash_table_add (names, p->output_path));
    }
  /* the keys stay those of a fresh folder; names skip what is on disk */
  last = g_ptr_array_index (plan, n - 1);
  g_assert_cmpstr (last->seed_key, ==, "take (19999).wav");
  g_assert_true (g_str_has_suffix (((CwPlannedFile *) g_ptr_array_index (plan, 0))->output_path,
                                   "take (2000).wav"));
}

static void
test_workers_that_cannot_start (Fixture       *f,
                                gconstpointer  data)
{
  const char *cli = g_getenv ("CW_CLI_PATH");
  g_autofree char *cmd = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *ok = NULL;
  g_autofree char *unstarted = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *name = g_strdup_printf ("f%u.wav", i);
      g_autofree char *in = path_in (f->in, name);

      cw_test_write_sine (in, 0.2, 300 + 50 * i, 1);
    }
  /* room for a few workers' pipes, not 32 */
  cmd = g_strdup_printf ("ulimit -n 24 && exec '%s' '%s' -o '%s' -j 32 --json -q", cli, f->in, f->out);
  {
    const char *argv[] = { "/bin/sh", "-c", cmd, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
  }
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  ok = json_field (out, "ok");
  unstarted = json_field (out, "workers_unstarted");
  g_assert_cmpstr (ok, ==, "8");
  g_assert_cmpint (atoi (unstarted), >, 0);
  g_assert_cmpint (atoi (unstarted), <, 32);
}

static void
test_terminal_escapes (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *bad = path_in (f->in, "evil\033]0;owned\007\nname.wav");
  g_autofree char *junk = path_in (f->in, "junk\033[2J.txt");
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  int status;

  write_text (bad, "not audio");
  write_text (junk, "x");
  status = cw_test_run_cli (NULL, &err, f->in, bad, "-o", f->out, "-q");
  g_assert_cmpint (status, ==, 1);
  g_test_message ("%s", err);
  /* no escape byte or bell reaches the terminal, and each note is one line */
  g_assert_null (strchr (err, '\033'));
  g_assert_null (strchr (err, '\007'));
  lines = g_strsplit (err, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    g_assert_true (lines[i][0] == '\0' || g_str_has_prefix (lines[i], "failed: ")
                   || g_str_has_prefix (lines[i], "skipped: ")
                   || g_str_has_prefix (lines[i], "corewave-cli: "));
  g_assert_nonnull (strstr (err, "evil\\x1b]0;owned\\x07\\nname.wav"));
  g_assert_nonnull (strstr (err, "junk\\x1b[2J.txt"));
}

static void
test_bad_task_timeouts (Fixture       *f,
                        gconstpointer  data)
{
  static const char * const bad[] = { "nan", "-1", "1e-9", "inf", "-0.5", "1e300" };
  g_autofree char *in = path_in (f->in, "a.wav");

  cw_test_write_sine (in, 0.1, 440, 1);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *err = NULL;
      int status = cw_test_run_cli (NULL, &err, in, "-o", f->out, "--task-timeout", bad[i]);

      g_assert_cmpint (status, ==, 2);
      g_assert_nonnull (strstr (err, "--task-timeout"));
    }
  g_assert_cmpint (cw_test_run_cli (NULL, NULL, in, "-o", f->out, "--task-timeout", "0", "-q"), ==, 0);
}

/* ---------------------------------------------------------------------- */

int
main (int   argc,
      char *argv[])
{
  static const char * const modes[] = { "unnamed", "named" };

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)

  for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
    {
      g_autofree char *a = g_strdup_printf ("/cw/attacks/%s/planted-part-link", modes[m]);
      g_autofree char *b = g_strdup_printf ("/cw/attacks/%s/planted-part-link-cli", modes[m]);
      g_autofree char *c = g_strdup_printf ("/cw/attacks/%s/concurrent-runs", modes[m]);
      g_autofree char *d = g_strdup_printf ("/cw/attacks/%s/signals-mid-write", modes[m]);

      ADD (a, test_planted_part_link, modes[m]);
      ADD (b, test_planted_part_link_cli, modes[m]);
      ADD (c, test_concurrent_runs, modes[m]);
      ADD (d, test_signals_mid_write, modes[m]);
    }
  ADD ("/cw/attacks/overwrite-spares-inputs", test_overwrite_spares_inputs, NULL);
  ADD ("/cw/attacks/plan-spares-inputs", test_plan_spares_inputs, NULL);
  ADD ("/cw/attacks/dangling-link-numbered", test_dangling_link_numbered, NULL);
  ADD ("/cw/attacks/resume-spares-user-files", test_resume_spares_user_files, NULL);
  ADD ("/cw/attacks/resume-redoes-changed-settings", test_resume_redoes_changed_settings, NULL);
  ADD ("/cw/attacks/input-rewritten", test_input_rewritten, NULL);
  ADD ("/cw/attacks/file-too-large-every-format", test_file_too_large_every_format, NULL);
  ADD ("/cw/attacks/full-disk-mp3", test_full_disk_mp3, NULL);
  ADD ("/cw/attacks/cut-rf64-w64", test_cut_rf64_w64, NULL);
  ADD ("/cw/attacks/link-loops", test_link_loops, NULL);
  ADD ("/cw/attacks/deep-folders", test_deep_folders, NULL);
  ADD ("/cw/attacks/fifo-and-devices", test_fifo_and_devices, NULL);
  ADD ("/cw/attacks/mp3-odd-rates", test_mp3_odd_rates, NULL);
  ADD ("/cw/attacks/naming-is-linear", test_naming_is_linear, NULL);
  ADD ("/cw/attacks/workers-that-cannot-start", test_workers_that_cannot_start, NULL);
  ADD ("/cw/attacks/terminal-escapes", test_terminal_escapes, NULL);
  ADD ("/cw/attacks/bad-task-timeouts", test_bad_task_timeouts, NULL);

#undef ADD

  return g_test_run ();
}
