/* test-joblog.c: the job log's format, and the resume rule
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cw-joblog.h"
#include "cw-test-util.h"

static const CwJobSettings copy_settings = { .spec = (char *) "copy", .format = CW_FORMAT_SAME, .seed = 7 };
static const CwJobSettings gain_settings = { .spec = (char *) "gain:db=-3", .format = CW_FORMAT_SAME, .seed = 7 };

static void
test_escape (void)
{
  static const char * const fields[] = {
    "plain", "-", "", "tab\there", "new\nline", "100%", "caf\xc3\xa9", "not utf-8 \xff\xfe", "\x7f",
  };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *escaped = cw_joblog_escape (fields[i]);
      g_autofree char *back = cw_joblog_unescape (escaped);

      /* one field: no tab, no newline, valid UTF-8 */
      g_assert_null (strchr (escaped, '\t'));
      g_assert_null (strchr (escaped, '\n'));
      g_assert_true (g_utf8_validate (escaped, -1, NULL));
      g_assert_cmpstr (back, ==, fields[i]);
    }
  {
    g_autofree char *e = cw_joblog_escape (NULL);

    g_assert_cmpstr (e, ==, "-");
  }
}

/* A line per file with the settings, read back; the last "ok" line for an
 * output wins; malformed and cut lines are ignored. */
static void
test_append_and_load (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "log", NULL);
  g_autofree char *out = g_build_filename (dir, "a.wav", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GHashTable) done = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = NULL;
  CwJoblogEntry *entry;
  CwJoblog *log;

  log = cw_joblog_open (path, &error);
  g_assert_no_error (error);
  g_assert_true (cw_joblog_append (log, "in/a.wav", out, "failed", 0.5, NULL, "boom\tbang", &copy_settings, &error));
  g_assert_true (cw_joblog_append (log, "in/a.wav", out, "ok", 1.25, "xxh64:0000000000000001", NULL, &copy_settings, &error));
  g_assert_true (cw_joblog_append (log, "in/a.wav", out, "ok", 1.5, "xxh64:0000000000000002", NULL, &gain_settings, &error));
  g_assert_no_error (error);
  cw_joblog_close (log);

  /* a second opening does not write the header again */
  log = cw_joblog_open (path, &error);
  g_assert_no_error (error);
  cw_joblog_close (log);

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  g_assert_true (g_str_has_prefix (lines[0], "# corewave joblog 2 (corewave " PACKAGE_VERSION ")"));
  g_assert_nonnull (strstr (lines[1], "\tfailed\t0.500\t-\tboom%09bang\t" PACKAGE_VERSION "\tsame\t7\tcopy"));
  g_assert_nonnull (strstr (lines[3], "\tok\t1.500\txxh64:0000000000000002\t-\t" PACKAGE_VERSION "\tsame\t7\tgain:db=-3"));
  g_assert_cmpstr (lines[4], ==, "");

  /* a line a crash cut short, and garbage, are not finished files */
  {
    g_autoptr(GString) more = g_string_new (contents);

    g_string_append (more, "junk without tabs\n");
    g_string_append (more, "in/b.wav\tb.wav\tok\t1\txxh64:0000000000000003\t-\t");
    g_assert_true (g_file_set_contents (path, more->str, more->len, NULL));
  }
  done = cw_joblog_load_done (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (done), ==, 1);
  {
    CwPlannedFile file = { .input_path = (char *) "in/a.wav", .output_path = out, .seed_key = (char *) "a.wav" };

    entry = (CwJoblogEntry *) cw_joblog_lookup (done, &file);
  }
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->input, ==, "in/a.wav");
  g_assert_cmpstr (entry->checksum, ==, "xxh64:0000000000000002");
  g_assert_cmpstr (entry->spec, ==, "gain:db=-3");
  g_assert_cmpstr (entry->seed, ==, "7");
  g_assert_cmpstr (entry->format, ==, "same");
  g_assert_cmpstr (entry->version, ==, PACKAGE_VERSION);

  /* no log at all is an empty one */
  g_clear_pointer (&done, g_hash_table_unref);
  g_unlink (path);
  done = cw_joblog_load_done (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (done), ==, 0);

  cw_test_rm_rf (dir);
}

static CwPlannedFile *
planned (const char *input,
         const char *output)
{
  CwPlannedFile *file = g_new0 (CwPlannedFile, 1);

  file->input_path = g_strdup (input);
  file->output_path = g_strdup (output);
  file->seed_key = g_path_get_basename (output);
  return file;
}

/* The rule, file by file: done (skip), ours made otherwise (redo,
 * replace), a version 1 line (settings unknown: redo, replace), someone
 * else's file (keep), nothing there (run), a stale temporary (removed). */
static void
test_resume_rule (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *log_path = g_build_filename (dir, "log", NULL);
  g_autofree char *done_out = g_build_filename (dir, "done.wav", NULL);
  g_autofree char *other_out = g_build_filename (dir, "other.wav", NULL);
  g_autofree char *v1_out = g_build_filename (dir, "v1.wav", NULL);
  g_autofree char *mine_out = g_build_filename (dir, "mine.wav", NULL);
  g_autofree char *edited_out = g_build_filename (dir, "edited.wav", NULL);
  g_autofree char *new_out = g_build_filename (dir, "new.wav", NULL);
  g_autofree char *stale = g_build_filename (dir, ".new.wav.4242.part", NULL);
  g_autofree char *foreign_part = g_build_filename (dir, ".unplanned.wav.4242.part", NULL);
  g_autoptr(GPtrArray) plan = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_planned_file_free);
  g_autoptr(GHashTable) done = NULL;
  g_autoptr(GError) error = NULL;
  const char *outputs[] = { done_out, other_out, v1_out, edited_out };
  CwJoblog *log;
  guint redone = 99, dropped;

  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autofree char *text = g_strdup_printf ("output %u", i);

      g_assert_true (g_file_set_contents (outputs[i], text, -1, NULL));
    }
  g_assert_true (g_file_set_contents (mine_out, "the user's", -1, NULL));
  g_assert_true (g_file_set_contents (stale, "", -1, NULL));
  g_assert_true (g_file_set_contents (foreign_part, "", -1, NULL));

  log = cw_joblog_open (log_path, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (outputs); i++)
    {
      g_autofree char *sum = cw_checksum_file (outputs[i], NULL);
      g_autofree char *input = g_strdup_printf ("in/%u.wav", i);

      g_assert_true (cw_joblog_append (log, input, outputs[i], "ok", 1, sum, NULL,
                                       i == 1 ? &copy_settings : i == 2 ? NULL : &gain_settings, &error));
    }
  cw_joblog_close (log);
  /* the user changed this output after the batch wrote it */
  g_assert_true (g_file_set_contents (edited_out, "edited", -1, NULL));

  g_ptr_array_add (plan, planned ("in/0.wav", done_out));
  g_ptr_array_add (plan, planned ("in/1.wav", other_out));
  g_ptr_array_add (plan, planned ("in/2.wav", v1_out));
  g_ptr_array_add (plan, planned ("in/3.wav", edited_out));
  g_ptr_array_add (plan, planned ("in/4.wav", mine_out));
  g_ptr_array_add (plan, planned ("in/5.wav", new_out));

  done = cw_joblog_load_done (log_path, &error);
  g_assert_no_error (error);
  dropped = cw_joblog_resume (done, plan, &gain_settings, &redone);
  g_assert_cmpuint (dropped, ==, 1);
  g_assert_cmpuint (redone, ==, 2);
  g_assert_cmpuint (plan->len, ==, 5);
  /* other settings, and unknown ones: ours, made again in place */
  g_assert_cmpstr (((CwPlannedFile *) g_ptr_array_index (plan, 0))->output_path, ==, other_out);
  g_assert_cmpint (((CwPlannedFile *) g_ptr_array_index (plan, 0))->replace, ==, CW_REPLACE_ALWAYS);
  g_assert_cmpint (((CwPlannedFile *) g_ptr_array_index (plan, 1))->replace, ==, CW_REPLACE_ALWAYS);
  /* changed since, and never ours: kept unless identical */
  g_assert_cmpint (((CwPlannedFile *) g_ptr_array_index (plan, 2))->replace, ==, CW_REPLACE_IF_SAME);
  g_assert_cmpint (((CwPlannedFile *) g_ptr_array_index (plan, 3))->replace, ==, CW_REPLACE_IF_SAME);
  /* nothing there */
  g_assert_cmpint (((CwPlannedFile *) g_ptr_array_index (plan, 4))->replace, ==, CW_REPLACE_NEVER);
  /* a killed run's temporary for a planned output goes; another stays */
  g_assert_false (g_file_test (stale, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (foreign_part, G_FILE_TEST_EXISTS));

  /* is_done says the same */
  {
    g_autoptr(CwPlannedFile) first = planned ("in/0.wav", done_out);
    g_autoptr(CwPlannedFile) stranger = planned ("in/other.wav", done_out);

    g_assert_true (cw_joblog_is_done (done, first, &gain_settings));
    g_assert_false (cw_joblog_is_done (done, first, &copy_settings));
    g_assert_false (cw_joblog_is_done (done, stranger, &gain_settings));
  }

  cw_test_rm_rf (dir);
}

/* An output found again by its name below the output folder: -o spelt
 * otherwise, or a shard on another mount; a same-named output in another
 * subfolder is another file. */
static void
test_lookup_by_key (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "log", NULL);
  g_autoptr(GHashTable) done = NULL;
  g_autoptr(GError) error = NULL;
  CwPlannedFile a = { .input_path = (char *) "m/A/01.flac", .output_path = (char *) "./out/A/01.flac",
                      .seed_key = (char *) "A/01.flac" };
  CwPlannedFile b = { .input_path = (char *) "m/B/01.flac", .output_path = (char *) "./out/B/01.flac",
                      .seed_key = (char *) "B/01.flac" };
  CwPlannedFile numbered = { .input_path = (char *) "m/A/01.flac", .output_path = (char *) "/mnt/out/A/01 (1).flac",
                             .seed_key = (char *) "A/01.flac" };
  const CwJoblogEntry *entry;
  CwJoblog *log = cw_joblog_open (path, &error);

  g_assert_no_error (error);
  g_assert_true (cw_joblog_append (log, "m/A/01.flac", "/mnt/out/A/01.flac", "ok", 1, "xxh64:00000000000000aa",
                                   NULL, &copy_settings, NULL));
  g_assert_true (cw_joblog_append (log, "m/B/01.flac", "/mnt/out/B/01.flac", "ok", 1, "xxh64:00000000000000bb",
                                   NULL, &copy_settings, NULL));
  cw_joblog_close (log);
  done = cw_joblog_load_done (path, &error);
  g_assert_no_error (error);

  entry = cw_joblog_lookup (done, &a);
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->checksum, ==, "xxh64:00000000000000aa");
  entry = cw_joblog_lookup (done, &b);
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->checksum, ==, "xxh64:00000000000000bb");
  /* a name that is not its key (the window's numbered names) must match
   * as written */
  g_assert_null (cw_joblog_lookup (done, &numbered));

  cw_test_rm_rf (dir);
}

/* ---------------------------------------------------------------------- */
/* the checksum: a tree of 64 KiB blocks, summed in any write order */

#define BLOCK (64 * 1024)

static guint64
le64 (guint64 v)
{
  return GUINT64_TO_LE (v);
}

/* The definition, spelled out: XXH64 of each block's XXH64, then the
 * length, all little-endian. */
static char *
tree_by_hand (const guchar *data,
              gsize         len)
{
  g_autoptr(GByteArray) digests = g_byte_array_new ();
  guint64 v;

  for (gsize at = 0; at < len; at += BLOCK)
    {
      v = le64 (cw_xxh64 (data + at, MIN (BLOCK, len - at), 0));
      g_byte_array_append (digests, (const guint8 *) &v, 8);
    }
  v = le64 (len);
  g_byte_array_append (digests, (const guint8 *) &v, 8);
  return cw_checksum_format (cw_xxh64 (digests->data, digests->len, 0));
}

static char *
finish (CwSum      *sum,
        const char *path,
        gsize       len,
        gboolean   *ok)
{
  int fd = path != NULL ? open (path, O_RDONLY | O_CLOEXEC) : -1;
  guint64 v = cw_sum_finish (sum, fd, len, ok);

  if (fd >= 0)
    close (fd);
  return *ok ? cw_checksum_format (v) : NULL;
}

static void
test_checksum_tree (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "file", NULL);
  const gsize lengths[] = { 0, 1, 44, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 12345 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (guint l = 0; l < G_N_ELEMENTS (lengths); l++)
    {
      gsize len = lengths[l];
      g_autofree guchar *data = g_malloc (MAX (len, 1));
      g_autofree char *expected = NULL;
      g_autofree char *read_back = NULL;
      gboolean ok;

      for (gsize i = 0; i < len; i++)
        data[i] = (guchar) g_rand_int (rand);
      g_assert_true (g_file_set_contents (path, (const char *) data, (gssize) len, NULL));
      expected = tree_by_hand (data, len);
      read_back = cw_checksum_file (path, NULL);
      g_assert_cmpstr (read_back, ==, expected);
      g_assert_true (cw_checksum_file_matches (path, expected));

      /* in order, in pieces of any size: nothing read back */
      {
        g_autoptr(CwSum) sum = cw_sum_new ();
        g_autofree char *got = NULL;

        for (gsize at = 0; at < len;)
          {
            gsize piece = 1 + (gsize) g_rand_int_range (rand, 0, 3 * BLOCK / 2);
            gsize n = MIN (len - at, piece);

            cw_sum_update (sum, at, data + at, n);
            at += n;
          }
        got = finish (sum, NULL, len, &ok);
        g_assert_true (ok);
        g_assert_cmpstr (got, ==, expected);
      }

      /* a header written as a placeholder and again at the end (as
       * libsndfile does): only that block is read back (a file of just
       * the header is summed from the second write) */
      if (len > 44)
        {
          g_autoptr(CwSum) sum = cw_sum_new ();
          g_autofree char *got = NULL;
          guchar zeros[44] = { 0 };

          cw_sum_update (sum, 0, zeros, sizeof zeros);
          cw_sum_update (sum, 44, data + 44, len - 44);
          cw_sum_update (sum, 0, data, 44);
          g_assert_null (finish (sum, NULL, len, &ok));
          g_assert_false (ok);
          got = finish (sum, path, len, &ok);
          g_assert_true (ok);
          g_assert_cmpstr (got, ==, expected);
        }

      /* the second block first, then the first (the stream moves on to
       * the second), then the second's start written again: a block summed
       * once and then partly rewritten is read back */
      if (len > BLOCK + 44)
        {
          g_autoptr(CwSum) sum = cw_sum_new ();
          g_autofree char *got = NULL;
          gsize second = MIN (BLOCK, len - BLOCK);
          guchar zeros[44] = { 0 };

          cw_sum_update (sum, BLOCK, zeros, sizeof zeros);
          cw_sum_update (sum, BLOCK + 44, data + BLOCK + 44, second - 44);
          cw_sum_update (sum, 0, data, BLOCK);
          cw_sum_update (sum, BLOCK, data + BLOCK, 44);
          if (len > 2 * BLOCK)
            cw_sum_update (sum, 2 * BLOCK, data + 2 * BLOCK, len - 2 * BLOCK);
          got = finish (sum, path, len, &ok);
          g_assert_true (ok);
          g_assert_cmpstr (got, ==, expected);
        }

      /* backwards, one block at a time, and a byte written twice */
      if (len > 0)
        {
          g_autoptr(CwSum) sum = cw_sum_new ();
          g_autofree char *got = NULL;

          for (gsize b = (len - 1) / BLOCK + 1; b-- > 0;)
            cw_sum_update (sum, b * BLOCK, data + b * BLOCK, MIN (BLOCK, len - b * BLOCK));
          cw_sum_update (sum, len / 2, data + len / 2, 1);
          got = finish (sum, path, len, &ok);
          g_assert_true (ok);
          g_assert_cmpstr (got, ==, expected);
        }
    }
  cw_test_rm_rf (dir);
}

/* Any order of writes, overwrites and all: the sum, with what it reads
 * back, is the tree of the bytes the file ends with. */
static void
test_checksum_any_order (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "file", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (29);

  for (guint round = 0; round < 1000; round++)
    {
      gsize len = (gsize) g_rand_int_range (rand, 1, 5 * BLOCK);
      g_autofree guchar *file = g_malloc0 (len);
      g_autofree guchar *piece = g_malloc (len);
      g_autoptr(CwSum) sum = cw_sum_new ();
      g_autofree char *expected = NULL;
      g_autofree char *got = NULL;
      guint n_writes = (guint) g_rand_int_range (rand, 1, 40);
      gboolean ok;

      for (guint w = 0; w < n_writes; w++)
        {
          /* anywhere, or at a block's start (where the stream moves on);
           * whole blocks, a few bytes (a header), or anything */
          gsize at = (gsize) g_rand_int_range (rand, 0, (gint32) len);
          gsize most, n;

          if (g_rand_boolean (rand))
            at -= at % BLOCK;
          most = MIN (len - at, 2 * BLOCK);
          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              n = MIN (most, BLOCK);
              break;
            case 1:
              n = 1 + (gsize) g_rand_int_range (rand, 0, 64);
              n = MIN (most, n);
              break;
            default:
              n = 1 + (gsize) g_rand_int_range (rand, 0, (gint32) most);
              break;
            }

          for (gsize i = 0; i < n; i++)
            piece[i] = (guchar) g_rand_int (rand);
          memcpy (file + at, piece, n);
          cw_sum_update (sum, at, piece, n);
        }
      /* every other round, once more in order to the end, as encoders
       * mostly write */
      if (round % 2 == 0)
        cw_sum_update (sum, 0, file, len);
      /* (no fsync and rename for each round: seconds on a loaded disk) */
      g_assert_true (g_file_set_contents_full (path, (const char *) file, (gssize) len,
                                               G_FILE_SET_CONTENTS_NONE, 0644, NULL));
      expected = tree_by_hand (file, len);
      got = finish (sum, path, len, &ok);
      g_assert_true (ok);
      g_assert_cmpstr (got, ==, expected);
    }
  cw_test_rm_rf (dir);
}

/* Logs written before the tree have the XXH64 of the whole file: they
 * still resume; a changed file or an unknown kind of checksum does not. */
static void
test_checksum_old_form (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "out.wav", NULL);
  const char text[] = "the bytes of an output";
  g_autofree char *old = g_strdup_printf ("xxh64:%016" G_GINT64_MODIFIER "x",
                                          cw_xxh64 (text, strlen (text), 0));

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_assert_true (cw_checksum_is_known (old));
  g_assert_true (cw_checksum_file_matches (path, old));
  g_assert_false (cw_checksum_file_matches (path, "md5:0123456789abcdef0123456789abcdef"));
  g_assert_false (cw_checksum_is_known ("md5:0123456789abcdef0123456789abcdef"));
  g_assert_true (g_file_set_contents (path, "changed", -1, NULL));
  g_assert_false (cw_checksum_file_matches (path, old));
  cw_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/joblog/escape", test_escape);
  g_test_add_func ("/cw/joblog/append-and-load", test_append_and_load);
  g_test_add_func ("/cw/joblog/resume-rule", test_resume_rule);
  g_test_add_func ("/cw/joblog/lookup-by-key", test_lookup_by_key);
  g_test_add_func ("/cw/checksum/tree", test_checksum_tree);
  g_test_add_func ("/cw/checksum/any-order", test_checksum_any_order);
  g_test_add_func ("/cw/checksum/old-form", test_checksum_old_form);
  return g_test_run ();
}
