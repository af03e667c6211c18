/* test-bad-audio.c: a corpus of broken audio files, made here, through
 * corewave-cli in one batch: no crash, every file reported
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Valid WAV, AIFF and FLAC files are cut at every offset of their header,
 * and patched: sizes that lie, absurd channel counts (0, 1024, 65535) and
 * rates (0, 1, 2^31 - 1), zero frames. The CLI must exit 1 (not die of a
 * signal), give one JSON result per input, a reason for every failure, a
 * readable output for every success, and leave no part file.
 */

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "cw-test-util.h"

typedef enum { EXPECT_FAIL, EXPECT_OK, EXPECT_ANY } Expect;

typedef struct
{
  char   *path;
  Expect  expect;
  gboolean seen;
} Input;

static GPtrArray *inputs;   /* Input* */
static char *dir;

static void
input_free (gpointer data)
{
  Input *in = data;

  g_free (in->path);
  g_free (in);
}

static GBytes *
make_valid (int format)
{
  g_autofree char *path = g_build_filename (dir, "valid.tmp", NULL);
  SF_INFO info = { .samplerate = 44100, .channels = 2, .format = format };
  short data[2 * 4410];
  char *bytes = NULL;
  gsize len = 0;
  SNDFILE *sf;

  for (guint i = 0; i < G_N_ELEMENTS (data); i++)
    data[i] = (short) (12000 * sin (i * 0.05));
  sf = sf_open (path, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_short (sf, data, 4410), ==, 4410);
  g_assert_cmpint (sf_close (sf), ==, 0);
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_assert_cmpint (g_unlink (path), ==, 0);
  return g_bytes_new_take (bytes, len);
}

static void
add_file (const char   *name,
          const guint8 *data,
          gsize         len,
          Expect        expect)
{
  Input *in = g_new0 (Input, 1);
  g_autoptr(GError) error = NULL;

  in->path = g_build_filename (dir, name, NULL);
  in->expect = expect;
  g_file_set_contents (in->path, (const char *) data, len, &error);
  g_assert_no_error (error);
  g_ptr_array_add (inputs, in);
}

static gsize
find_tag (GBytes     *bytes,
          const char *tag)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);

  for (gsize i = 0; i + 4 <= len; i++)
    if (memcmp (p + i, tag, 4) == 0)
      return i;
  g_error ("no %s chunk", tag);
}

/* A copy of @bytes with @n bytes at @offset replaced by @value (LE or BE). */
static void
add_patched (const char *name,
             GBytes     *bytes,
             gsize       offset,
             guint       n,
             guint32     value,
             gboolean    big_endian,
             Expect      expect)
{
  gsize len = g_bytes_get_size (bytes);
  g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (bytes, NULL), len);

  for (guint i = 0; i < n; i++)
    copy[offset + i] = (guint8) (value >> (8 * (big_endian ? n - 1 - i : i)));
  add_file (name, copy, len, expect);
}

static void
add_truncations (const char *prefix,
                 GBytes     *bytes,
                 gsize       header_end)
{
  const guint8 *data = g_bytes_get_data (bytes, NULL);

  for (gsize cut = 0; cut <= header_end; cut++)
    {
      g_autofree char *name = g_strdup_printf ("%s-cut-%04" G_GSIZE_FORMAT ".%s", prefix, cut, prefix);

      /* a cut inside the header is never a usable file */
      add_file (name, data, cut, cut < header_end ? EXPECT_FAIL : EXPECT_ANY);
    }
  /* and in the middle of the samples: fewer frames than the header says */
  {
    g_autofree char *name = g_strdup_printf ("%s-cut-half.%s", prefix, prefix);

    add_file (name, data, header_end + (g_bytes_get_size (bytes) - header_end) / 2,
              g_str_equal (prefix, "flac") ? EXPECT_ANY : EXPECT_FAIL);
  }
}

static void
make_corpus (void)
{
  g_autoptr(GBytes) wav = make_valid (SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  g_autoptr(GBytes) aiff = make_valid (SF_FORMAT_AIFF | SF_FORMAT_PCM_16);
  g_autoptr(GBytes) flac = make_valid (SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  gsize wav_data = find_tag (wav, "data");
  gsize wav_fmt = find_tag (wav, "fmt ");
  gsize aiff_comm = find_tag (aiff, "COMM");
  gsize aiff_ssnd = find_tag (aiff, "SSND");
  const guint8 *f = g_bytes_get_data (flac, NULL);
  gsize flac_end = 4;

  add_file ("good.wav", g_bytes_get_data (wav, NULL), g_bytes_get_size (wav), EXPECT_OK);
  add_file ("good.aiff", g_bytes_get_data (aiff, NULL), g_bytes_get_size (aiff), EXPECT_OK);
  add_file ("good.flac", g_bytes_get_data (flac, NULL), g_bytes_get_size (flac), EXPECT_OK);

  /* FLAC: "fLaC", then metadata blocks (1 byte flags|type, 3 bytes length) up to the last */
  for (;;)
    {
      gboolean last = (f[flac_end] & 0x80) != 0;

      flac_end += 4 + ((gsize) f[flac_end + 1] << 16 | (gsize) f[flac_end + 2] << 8 | f[flac_end + 3]);
      g_assert_cmpuint (flac_end, <, g_bytes_get_size (flac));
      if (last)
        break;
    }
  add_truncations ("wav", wav, wav_data + 8);
  add_truncations ("aiff", aiff, aiff_ssnd + 16);
  add_truncations ("flac", flac, flac_end);

  /* sizes that lie */
  add_patched ("wav-riff-size-0.wav", wav, 4, 4, 0, FALSE, EXPECT_ANY);
  add_patched ("wav-riff-size-max.wav", wav, 4, 4, G_MAXUINT32, FALSE, EXPECT_ANY);
  add_patched ("wav-data-size-max.wav", wav, wav_data + 4, 4, G_MAXUINT32, FALSE, EXPECT_ANY);
  add_patched ("wav-data-size-odd.wav", wav, wav_data + 4, 4, 4411, FALSE, EXPECT_ANY);
  add_patched ("wav-fmt-size-max.wav", wav, wav_fmt + 4, 4, G_MAXUINT32, FALSE, EXPECT_FAIL);
  add_patched ("aiff-comm-size-max.aiff", aiff, aiff_comm + 4, 4, G_MAXUINT32, TRUE, EXPECT_FAIL);
  add_patched ("aiff-ssnd-size-max.aiff", aiff, aiff_ssnd + 4, 4, G_MAXUINT32, TRUE, EXPECT_ANY);
  add_patched ("aiff-frames-max.aiff", aiff, aiff_comm + 10, 4, G_MAXUINT32, TRUE, EXPECT_ANY);
  /* zero frames */
  add_patched ("wav-data-size-0.wav", wav, wav_data + 4, 4, 0, FALSE, EXPECT_ANY);
  add_patched ("aiff-frames-0.aiff", aiff, aiff_comm + 10, 4, 0, TRUE, EXPECT_ANY);
  {
    gsize len = wav_data + 8;
    g_autofree guint8 *copy = g_memdup2 (g_bytes_get_data (wav, NULL), len);

    memset (copy + wav_data + 4, 0, 4);
    add_file ("wav-zero-frames.wav", copy, len, EXPECT_ANY);
  }
  /* absurd channel counts and rates */
  {
    const guint32 channels[] = { 0, 1024, 65535 };
    const guint32 rates[] = { 0, 1, G_MAXINT32 };

    for (guint i = 0; i < G_N_ELEMENTS (channels); i++)
      {
        g_autofree char *w = g_strdup_printf ("wav-channels-%u.wav", channels[i]);
        g_autofree char *a = g_strdup_printf ("aiff-channels-%u.aiff", channels[i]);

        add_patched (w, wav, wav_fmt + 10, 2, channels[i], FALSE, channels[i] == 0 ? EXPECT_FAIL : EXPECT_ANY);
        add_patched (a, aiff, aiff_comm + 8, 2, channels[i], TRUE, channels[i] == 0 ? EXPECT_FAIL : EXPECT_ANY);
      }
    for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
      {
        g_autofree char *w = g_strdup_printf ("wav-rate-%u.wav", rates[i]);

        add_patched (w, wav, wav_fmt + 12, 4, rates[i], FALSE, rates[i] == 0 ? EXPECT_FAIL : EXPECT_ANY);
      }
    /* FLAC STREAMINFO: 20 bits of rate, 3 of channels - 1 after the 10 bytes of sizes */
    add_patched ("flac-rate-0.flac", flac, 8 + 10, 3, 0x00000f & f[8 + 12], TRUE, EXPECT_FAIL);
  }
}

/* The value of "key":"…" in a JSON line (our names need no unescaping), or NULL for null. */
static char *
json_str (const char *line,
          const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *p = strstr (line, needle);
  const char *end;

  g_assert_nonnull (p);
  p += strlen (needle);
  if (g_str_has_prefix (p, "null"))
    return NULL;
  g_assert_true (*p == '"');
  p++;
  for (end = p; *end != '"'; end++)
    if (*end == '\\')
      end++;
  return g_strndup (p, end - p);
}

static void
test_bad_audio (void)
{
  g_autofree char *out_dir = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) by_path = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_failed = 0, n_ok = 0, n_results = 0;
  int status;

  dir = cw_test_make_tmp_dir ();
  out_dir = g_build_filename (dir, "out", NULL);
  inputs = g_ptr_array_new_with_free_func (input_free);
  make_corpus ();

  g_ptr_array_add (argv, (char *) g_getenv ("CW_CLI_PATH"));
  g_ptr_array_add (argv, "--json");
  g_ptr_array_add (argv, "--workers=2");
  g_ptr_array_add (argv, "--transform=gain:db=-1");
  g_ptr_array_add (argv, "-o");
  g_ptr_array_add (argv, out_dir);
  for (guint i = 0; i < inputs->len; i++)
    {
      Input *in = g_ptr_array_index (inputs, i);

      g_ptr_array_add (argv, in->path);
      g_hash_table_insert (by_path, in->path, in);
    }
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  /* exited, not killed by a signal; 1: some files failed */
  if (!WIFEXITED (status))
    g_error ("corewave-cli died of signal %d; stderr:\n%s", WTERMSIG (status), err);
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);

  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *input = NULL;
      g_autofree char *st = NULL;
      g_autofree char *reason = NULL;
      g_autofree char *output = NULL;
      Input *in;

      if (strstr (lines[i], "\"type\":\"result\"") == NULL)
        continue;
      n_results++;
      input = json_str (lines[i], "input");
      st = json_str (lines[i], "status");
      reason = json_str (lines[i], "error");
      output = json_str (lines[i], "output");
      in = g_hash_table_lookup (by_path, input);
      if (in == NULL)
        g_error ("a result for an input we did not give: %s", input);
      g_assert_false (in->seen);
      in->seen = TRUE;
      if (g_str_equal (st, "failed"))
        {
          n_failed++;
          if (reason == NULL || *reason == '\0')
            g_error ("%s failed without a reason", input);
          if (in->expect == EXPECT_OK)
            g_error ("%s should have worked: %s", input, reason);
          g_test_message ("%s: %s", input, reason);
        }
      else
        {
          SF_INFO info = { 0 };
          SNDFILE *sf;

          g_assert_cmpstr (st, ==, "ok");
          n_ok++;
          if (in->expect == EXPECT_FAIL)
            g_error ("%s should have failed", input);
          g_assert_nonnull (output);
          sf = sf_open (output, SFM_READ, &info);
          if (sf == NULL)
            g_error ("%s: the output %s does not read back: %s", input, output, sf_strerror (NULL));
          sf_close (sf);
        }
    }
  g_assert_cmpuint (n_results, ==, inputs->len);
  for (guint i = 0; i < inputs->len; i++)
    g_assert_true (((Input *) g_ptr_array_index (inputs, i))->seen);

  cw_test_assert_no_part_files (out_dir);

  g_test_message ("figures: %u bad inputs tried (%u files): %u failed with a reason, %u ok",
                  inputs->len - 3, inputs->len, n_failed, n_ok);
  {
    const char *bdir = g_getenv ("G_TEST_BUILDDIR");
    g_autofree char *text = g_strdup_printf ("bad-inputs %u\nfailed %u\nok %u\n", inputs->len - 3, n_failed, n_ok);

    /* beside the test in the build tree (meson sets it), for docs/reliability.md */
    if (bdir != NULL)
      {
        g_autofree char *path = g_build_filename (bdir, "reliability-bad-audio.txt", NULL);

        g_assert_true (g_file_set_contents (path, text, -1, NULL));
      }
  }

  g_clear_pointer (&inputs, g_ptr_array_unref);
  cw_test_rm_rf (dir);
  g_clear_pointer (&dir, g_free);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cw/fault/bad-audio", test_bad_audio);
  return g_test_run ();
}
