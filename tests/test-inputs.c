/* test-inputs.c: from files and folders to planned outputs
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cw-inputs.h"
#include "cw-test-util.h"


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
touch (const char *dir,
       const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, "x", -1, NULL));
}

static const char *
base_of (GPtrArray *files,
         guint      i)
{
  const CwInputFile *file = g_ptr_array_index (files, i);

  return strrchr (file->path, '/') + 1;
}

static const char *
relative_of (GPtrArray *files,
             guint      i)
{
  return ((CwInputFile *) g_ptr_array_index (files, i))->relative;
}

/* Name order, depth first; hidden entries and the output folder left
 * out; what is not audio noted; a file given twice kept once. */
static void
test_collect (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *out = g_build_filename (dir, "b", "out", NULL);
  g_autofree char *given = g_build_filename (dir, "z.wav", NULL);
  g_autofree char *hard = g_build_filename (dir, "c", "same.flac", NULL);
  g_autofree char *hard_to = g_build_filename (dir, "a.wav", NULL);
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) files = NULL;
  const char *paths[] = { dir, given, NULL };

  touch (dir, "b/2.flac");
  touch (dir, "b/10.wav");
  touch (dir, "a.wav");
  touch (dir, ".hidden.wav");
  touch (dir, "b/.x/in-hidden.wav");
  touch (dir, "b/out/already.wav");
  touch (dir, "notes.txt");
  touch (dir, "c/song.MP3");
  g_assert_cmpint (link (hard_to, hard), ==, 0);
  touch (dir, "z.wav");

  files = cw_inputs_collect (paths, out, skipped);
  /* a.wav, b/10.wav, b/2.flac, c/song.MP3, z.wav (c/same.flac is a.wav) */
  g_assert_cmpuint (files->len, ==, 5);
  g_assert_cmpstr (base_of (files, 0), ==, "a.wav");
  g_assert_cmpstr (base_of (files, 1), ==, "10.wav");
  g_assert_cmpstr (base_of (files, 2), ==, "2.flac");
  g_assert_cmpstr (base_of (files, 3), ==, "song.MP3");
  g_assert_cmpstr (base_of (files, 4), ==, "z.wav");
  /* where each was found: below the folder given, or by itself */
  g_assert_cmpstr (relative_of (files, 0), ==, "a.wav");
  g_assert_cmpstr (relative_of (files, 1), ==, "b/10.wav");
  g_assert_cmpstr (relative_of (files, 3), ==, "c/song.MP3");
  g_assert_cmpuint (skipped->len, ==, 1);
  g_assert_true (g_str_has_suffix (g_ptr_array_index (skipped, 0), "notes.txt: not an audio file"));

  cw_test_rm_rf (dir);
}

static GPtrArray *
inputs_named (const char * const *names)
{
  GPtrArray *inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_input_file_free);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/nowhere/%u/%s", i, names[i]);

      g_ptr_array_add (inputs, cw_input_file_new (path, NULL));
    }
  return inputs;
}

static const CwPlannedFile *
file_at (GPtrArray *plan,
         guint      i)
{
  return g_ptr_array_index (plan, i);
}

/* Keys depend on the inputs' names and order only; on-disk names move on
 * past what is there, by mode. */
static void
test_plan_modes (void)
{
  static const char * const names[] = { "a.wav", "b.wav", "a.wav", "a (1).wav", NULL };
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autoptr(GPtrArray) inputs = inputs_named (names);
  g_autoptr(GPtrArray) plan = NULL;

  /* an empty folder: names are the keys */
  plan = plan_with (inputs, dir, CW_FORMAT_SAME, CW_EXISTING_RENAME, FALSE, CW_LAYOUT_FLAT);
  g_assert_cmpstr (file_at (plan, 0)->seed_key, ==, "a.wav");
  g_assert_cmpstr (file_at (plan, 1)->seed_key, ==, "b.wav");
  g_assert_cmpstr (file_at (plan, 2)->seed_key, ==, "a (1).wav");
  /* a file really called "a (1).wav" comes after: it moves on */
  g_assert_cmpstr (file_at (plan, 3)->seed_key, ==, "a (1) (1).wav");
  for (guint i = 0; i < plan->len; i++)
    {
      g_autofree char *base = g_path_get_basename (file_at (plan, i)->output_path);

      g_assert_cmpstr (base, ==, file_at (plan, i)->seed_key);
      g_assert_cmpint (file_at (plan, i)->replace, ==, CW_REPLACE_NEVER);
    }
  g_clear_pointer (&plan, g_ptr_array_unref);

  /* a.wav and b.wav on disk */
  touch (dir, "a.wav");
  touch (dir, "b.wav");
  plan = plan_with (inputs, dir, CW_FORMAT_SAME, CW_EXISTING_RENAME, FALSE, CW_LAYOUT_FLAT);
  g_assert_cmpstr (file_at (plan, 0)->seed_key, ==, "a.wav");
  g_assert_true (g_str_has_suffix (file_at (plan, 0)->output_path, "/a (1).wav"));
  g_assert_true (g_str_has_suffix (file_at (plan, 1)->output_path, "/b (1).wav"));
  g_assert_true (g_str_has_suffix (file_at (plan, 2)->output_path, "/a (2).wav"));
  g_clear_pointer (&plan, g_ptr_array_unref);

  /* by key: the same names whatever is there; the worker decides */
  plan = plan_with (inputs, dir, CW_FORMAT_SAME, CW_EXISTING_DEFAULT, TRUE, CW_LAYOUT_FLAT);
  g_assert_true (g_str_has_suffix (file_at (plan, 0)->output_path, "/a.wav"));
  g_assert_cmpint (file_at (plan, 0)->replace, ==, CW_REPLACE_NEVER);
  g_clear_pointer (&plan, g_ptr_array_unref);

  /* overwrite: what is there (and no input) is replaced */
  plan = plan_with (inputs, dir, CW_FORMAT_SAME, CW_EXISTING_REPLACE, FALSE, CW_LAYOUT_FLAT);
  g_assert_true (g_str_has_suffix (file_at (plan, 0)->output_path, "/a.wav"));
  g_assert_cmpint (file_at (plan, 0)->replace, ==, CW_REPLACE_ALWAYS);
  g_assert_cmpint (file_at (plan, 2)->replace, ==, CW_REPLACE_NEVER);
  g_clear_pointer (&plan, g_ptr_array_unref);

  /* another format: the extension changes, the numbering follows it */
  plan = plan_with (inputs, dir, CW_FORMAT_FLAC, CW_EXISTING_RENAME, FALSE, CW_LAYOUT_FLAT);
  g_assert_cmpstr (file_at (plan, 0)->seed_key, ==, "a.flac");
  g_assert_cmpstr (file_at (plan, 2)->seed_key, ==, "a (1).flac");

  cw_test_rm_rf (dir);
}

/* Files from folders keep their subfolders; same names in two albums
 * collide no more; a file given by itself goes to the top. */
static void
test_plan_tree (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_input_file_free);
  g_autoptr(GPtrArray) plan = NULL;

  g_ptr_array_add (inputs, cw_input_file_new ("/m/Album A/01.flac", "Album A/01.flac"));
  g_ptr_array_add (inputs, cw_input_file_new ("/m/Album B/01.flac", "Album B/01.flac"));
  g_ptr_array_add (inputs, cw_input_file_new ("/m/Album B/CD 2/01.flac", "Album B/CD 2/01.flac"));
  g_ptr_array_add (inputs, cw_input_file_new ("/elsewhere/01.flac", NULL));
  g_ptr_array_add (inputs, cw_input_file_new ("/n/Album A/01.wav", "Album A/01.wav"));

  plan = plan_with (inputs, dir, CW_FORMAT_FLAC, CW_EXISTING_RENAME, FALSE, CW_LAYOUT_TREE);
  g_assert_cmpstr (file_at (plan, 0)->seed_key, ==, "Album A/01.flac");
  g_assert_cmpstr (file_at (plan, 1)->seed_key, ==, "Album B/01.flac");
  g_assert_cmpstr (file_at (plan, 2)->seed_key, ==, "Album B/CD 2/01.flac");
  g_assert_cmpstr (file_at (plan, 3)->seed_key, ==, "01.flac");
  /* two folders given that share a subfolder's name: numbered inside it */
  g_assert_cmpstr (file_at (plan, 4)->seed_key, ==, "Album A/01 (1).flac");
  g_assert_true (g_str_has_suffix (file_at (plan, 2)->output_path, "/Album B/CD 2/01.flac"));
  g_clear_pointer (&plan, g_ptr_array_unref);

  /* flat: today's names */
  plan = plan_with (inputs, dir, CW_FORMAT_FLAC, CW_EXISTING_RENAME, FALSE, CW_LAYOUT_FLAT);
  g_assert_cmpstr (file_at (plan, 0)->seed_key, ==, "01.flac");
  g_assert_cmpstr (file_at (plan, 1)->seed_key, ==, "01 (1).flac");
  g_assert_cmpstr (file_at (plan, 4)->seed_key, ==, "01 (4).flac");

  cw_test_rm_rf (dir);
}

/* What becomes of a file already at an output's name, by policy. */
static void
test_plan_existing (void)
{
  static const char * const names[] = { "a.wav", "b.wav", NULL };
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autoptr(GPtrArray) inputs = inputs_named (names);
  g_autoptr(GPtrArray) skipped = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) plan = NULL;
  CwPlanOptions options = { .output_dir = dir, .layout = CW_LAYOUT_FLAT };

  touch (dir, "a.wav");

  options.existing = CW_EXISTING_DEFAULT;
  plan = cw_inputs_plan (inputs, &options);
  g_assert_cmpuint (options.n_existing, ==, 1);
  g_assert_true (g_str_has_suffix (file_at (plan, 0)->output_path, "/a (1).wav"));
  g_clear_pointer (&plan, g_ptr_array_unref);

  options.existing = CW_EXISTING_SKIP;
  options.skipped = skipped;
  plan = cw_inputs_plan (inputs, &options);
  g_assert_cmpuint (plan->len, ==, 1);
  g_assert_cmpstr (file_at (plan, 0)->seed_key, ==, "b.wav");
  g_assert_cmpuint (skipped->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (skipped, 0), "exists (kept)"));
  g_clear_pointer (&plan, g_ptr_array_unref);
  options.skipped = NULL;

  options.existing = CW_EXISTING_FAIL;
  plan = cw_inputs_plan (inputs, &options);
  g_assert_true (g_str_has_suffix (file_at (plan, 0)->output_path, "/a.wav"));
  g_assert_cmpint (file_at (plan, 0)->replace, ==, CW_REPLACE_NEVER);
  g_clear_pointer (&plan, g_ptr_array_unref);

  /* by key, "rename" cannot move past the file: it fails instead */
  options.existing = CW_EXISTING_RENAME;
  options.by_key = TRUE;
  plan = cw_inputs_plan (inputs, &options);
  g_assert_true (g_str_has_suffix (file_at (plan, 0)->output_path, "/a.wav"));
  g_assert_cmpint (file_at (plan, 0)->replace, ==, CW_REPLACE_NEVER);

  cw_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/inputs/collect", test_collect);
  g_test_add_func ("/cw/inputs/plan-modes", test_plan_modes);
  g_test_add_func ("/cw/inputs/plan-tree", test_plan_tree);
  g_test_add_func ("/cw/inputs/plan-existing", test_plan_existing);
  return g_test_run ();
}
