/* test-audio.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sndfile.h>

#include "cw-checksum.h"

#include "cw-audio.h"
#include "cw-demo.h"
#include "cw-error.h"
#include "cw-test-util.h"

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->dir = cw_test_make_tmp_dir ();
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  cw_test_rm_rf (f->dir);
  g_free (f->dir);
}

static char *
path_in (Fixture    *f,
         const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* Writes @frames frames given as doubles (full scale 1.0) with libsndfile;
 * integer subtypes are written as exact integers from @ints when given. */
static void
write_fixture (const char   *path,
               int           format,
               int           channels,
               int           rate,
               const double *samples,
               const int    *ints,
               gsize         frames)
{
  SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
  SNDFILE *sf = sf_open (path, SFM_WRITE, &info);

  if (sf == NULL)
    g_error ("cannot write fixture %s: %s", path, sf_strerror (NULL));
  if (ints)
    g_assert_cmpint (sf_writef_int (sf, ints, frames), ==, frames);
  else
    g_assert_cmpint (sf_writef_double (sf, samples, frames), ==, frames);
  g_assert_cmpint (sf_close (sf), ==, 0);
}

/* int16 values, left-justified for sf_writef_int */
static int *
ints16 (const short *v,
        gsize        n)
{
  int *out = g_new (int, n);

  for (gsize i = 0; i < n; i++)
    out[i] = v[i] * 65536;
  return out;
}

static int *
read_ints (const char *path,
           SF_INFO    *info)
{
  SNDFILE *sf;
  int *data;

  memset (info, 0, sizeof *info);
  sf = sf_open (path, SFM_READ, info);
  if (sf == NULL)
    g_error ("cannot read %s: %s", path, sf_strerror (NULL));
  data = g_new0 (int, MAX (info->frames * info->channels, 1));
  g_assert_cmpint (sf_readf_int (sf, data, info->frames), ==, info->frames);
  sf_close (sf);
  return data;
}

static double *
read_doubles (const char *path,
              SF_INFO    *info)
{
  SNDFILE *sf;
  double *data;

  memset (info, 0, sizeof *info);
  sf = sf_open (path, SFM_READ, info);
  if (sf == NULL)
    g_error ("cannot read %s: %s", path, sf_strerror (NULL));
  data = g_new0 (double, MAX (info->frames * info->channels, 1));
  g_assert_cmpint (sf_readf_double (sf, data, info->frames), ==, info->frames);
  sf_close (sf);
  return data;
}

static gboolean
run_job (const char  *in,
         const char  *out,
         const char  *spec,
         CwFormat     format,
         gboolean     overwrite,
         gint64      *frames,
         GError     **error)
{
  g_autoptr(CwChain) chain = cw_chain_parse (spec, NULL);
  CwAudioJob job = {
    .input_path = in,
    .output_path = out,
    .chain = chain,
    .format = format,
    .seed = 7,
    .seed_key = "key",
    .replace = overwrite ? CW_REPLACE_ALWAYS : CW_REPLACE_NEVER,
  };

  g_assert_nonnull (chain);
  return cw_audio_process (&job, frames, NULL, error);
}

static void
assert_no_part (const char *out)
{
  g_autofree char *dir = g_path_get_dirname (out);

  g_assert_cmpuint (cw_test_count_files (dir, ".part"), ==, 0);
}

static void
assert_fails (const char *in,
              const char *out,
              const char *spec,
              CwFormat    format,
              GQuark      domain,
              int         code,
              const char *must_contain)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (run_job (in, out, spec, format, FALSE, NULL, &error));
  g_assert_error (error, domain, code);
  if (must_contain && strstr (error->message, must_contain) == NULL)
    g_error ("message “%s” lacks “%s”", error->message, must_contain);
  assert_no_part (out);
}

/* ---- helpers and names --------------------------------------------------- */

static void
test_format_names (void)
{
  CwFormat f;
  g_autofree char *a = cw_format_output_name (CW_FORMAT_FLAC, "a.wav");
  g_autofree char *b = cw_format_output_name (CW_FORMAT_SAME, "a.wav");
  g_autofree char *c = cw_format_output_name (CW_FORMAT_MP3, "noext");
  g_autofree char *d = cw_format_output_name (CW_FORMAT_OPUS, "my.song.v2.aiff");
  g_autofree char *part = cw_output_part_path ("/x/y/name.wav", 42);
  g_autofree char *part2 = cw_output_part_path ("name.wav", 7);

  g_assert_true (cw_format_from_string ("flac", &f));
  g_assert_cmpint (f, ==, CW_FORMAT_FLAC);
  g_assert_true (cw_format_from_string ("MP3", &f));
  g_assert_cmpint (f, ==, CW_FORMAT_MP3);
  g_assert_true (cw_format_from_string ("same", &f));
  g_assert_cmpint (f, ==, CW_FORMAT_SAME);
  g_assert_false (cw_format_from_string ("aac", &f));
  for (CwFormat i = CW_FORMAT_SAME; i <= CW_FORMAT_MP3; i++)
    {
      g_assert_true (cw_format_from_string (cw_format_to_string (i), &f));
      g_assert_cmpint (f, ==, i);
    }
  g_assert_cmpstr (a, ==, "a.flac");
  g_assert_cmpstr (b, ==, "a.wav");
  g_assert_cmpstr (c, ==, "noext.mp3");
  g_assert_cmpstr (d, ==, "my.song.v2.opus");
  g_assert_cmpstr (part, ==, "/x/y/.name.wav.42.part");
  g_assert_cmpstr (part2, ==, "./.name.wav.7.part");
}

static void
test_probe (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *path = path_in (f, "probe.flac");
  g_autofree char *text = path_in (f, "text.wav");
  double samples[2000] = { 0 };
  CwAudioInfo info;
  g_autoptr(GError) error = NULL;

  write_fixture (path, SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 2, 22050, samples, NULL, 1000);
  g_assert_true (cw_audio_probe (path, &info, &error));
  g_assert_no_error (error);
  g_assert_cmpint (info.frames, ==, 1000);
  g_assert_cmpint (info.rate, ==, 22050);
  g_assert_cmpint (info.channels, ==, 2);
  g_assert_cmpstr (info.format_name, ==, "FLAC");
  g_assert_cmpstr (info.subtype_name, ==, "Signed 24 bit PCM");
  cw_audio_info_clear (&info);
  g_assert_true (cw_audio_is_audio (path));

  g_assert_true (g_file_set_contents (text, "hello, I am not audio\n", -1, NULL));
  g_assert_false (cw_audio_is_audio (text));
  g_assert_false (cw_audio_probe (text, &info, &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_NOT_AUDIO);
  g_assert_false (cw_audio_is_audio ("/nonexistent/x.wav"));
}

/* ---- exactness ------------------------------------------------------------ */

static void
assert_copy_identical (Fixture *f,
                       int      format,
                       int      channels,
                       const char *name)
{
  const gsize frames = 70001;  /* more than one block, not a multiple */
  g_autofree char *in = path_in (f, name);
  g_autofree char *outname = g_strconcat ("out-", name, NULL);
  g_autofree char *out = path_in (f, outname);
  g_autofree double *samples = g_new (double, frames * channels);
  g_autofree int *a = NULL;
  g_autofree int *b = NULL;
  g_autofree double *da = NULL;
  g_autofree double *db = NULL;
  g_autoptr(GError) error = NULL;
  SF_INFO ia, ib;
  gint64 n = 0;

  for (gsize i = 0; i < frames * channels; i++)
    samples[i] = 0.9 * sin (i * 0.01) + (i % 7 == 0 ? 0.05 : 0.0);
  samples[0] = -1.0;
  write_fixture (in, format, channels, 44100, samples, NULL, frames);

  g_assert_true (run_job (in, out, "copy", CW_FORMAT_SAME, FALSE, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, frames);

  a = read_ints (in, &ia);
  b = read_ints (out, &ib);
  g_assert_cmpint (ia.format, ==, ib.format);
  g_assert_cmpint (ia.frames, ==, ib.frames);
  g_assert_cmpint (ia.channels, ==, ib.channels);
  g_assert_cmpmem (a, frames * channels * sizeof (int), b, frames * channels * sizeof (int));

  da = read_doubles (in, &ia);
  db = read_doubles (out, &ib);
  g_assert_cmpmem (da, frames * channels * sizeof (double), db, frames * channels * sizeof (double));
}

static void
test_copy_identical (Fixture       *f,
                     gconstpointer  data)
{
  assert_copy_identical (f, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, "a16.wav");
  assert_copy_identical (f, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 1, "a24.wav");
  assert_copy_identical (f, SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1, "a32.wav");
  assert_copy_identical (f, SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 1, "a8.wav");
  assert_copy_identical (f, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, "af.wav");
  assert_copy_identical (f, SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 3, "a16.aiff");
  assert_copy_identical (f, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 2, "a16.flac");
  assert_copy_identical (f, SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 1, "a24.flac");
}

/* gain:db=0 goes through the arithmetic, unlike copy: still exact */
static void
test_gain_zero_exact (Fixture       *f,
                      gconstpointer  data)
{
  const int formats[] = { SF_FORMAT_PCM_16, SF_FORMAT_PCM_24, SF_FORMAT_PCM_32 };

  for (guint t = 0; t < G_N_ELEMENTS (formats); t++)
    {
      g_autofree char *in = path_in (f, "g0.wav");
      g_autofree char *out = path_in (f, "g0-out.wav");
      double samples[5000];
      g_autofree int *a = NULL, *b = NULL;
      g_autoptr(GError) error = NULL;
      SF_INFO ia, ib;

      for (guint i = 0; i < G_N_ELEMENTS (samples); i++)
        samples[i] = sin (i * 0.37) * (i & 1 ? 1.0 : 0.999);
      write_fixture (in, SF_FORMAT_WAV | formats[t], 1, 8000, samples, NULL, 5000);
      g_assert_true (run_job (in, out, "gain:db=0", CW_FORMAT_SAME, TRUE, NULL, &error));
      g_assert_no_error (error);
      a = read_ints (in, &ia);
      b = read_ints (out, &ib);
      g_assert_cmpmem (a, 5000 * sizeof (int), b, 5000 * sizeof (int));
    }
}

/* float -> FLAC is PCM_24: rint half to even, clipped to [-2^23, 2^23-1] */
static void
test_rounding_and_clipping (Fixture       *f,
                            gconstpointer  data)
{
  const double lsb = 1.0 / 8388608.0;
  const double in_v[] = { 0.5 * lsb, 1.5 * lsb, 2.5 * lsb, -0.5 * lsb, -1.5 * lsb, -2.5 * lsb,
                          3.49 * lsb, 1.5, -1.5, 1.0, -1.0 };
  const int expect[] = { 0, 2, 2, 0, -2, -2, 3, 8388607, -8388608, 8388607, -8388608 };
  g_autofree char *in = path_in (f, "r.wav");
  g_autofree char *out = path_in (f, "r.flac");
  g_autofree int *got = NULL;
  g_autoptr(GError) error = NULL;
  SF_INFO info;

  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 44100, in_v, NULL, G_N_ELEMENTS (in_v));
  g_assert_true (run_job (in, out, "copy", CW_FORMAT_FLAC, FALSE, NULL, &error));
  g_assert_no_error (error);
  got = read_ints (out, &info);
  g_assert_cmpint (info.format, ==, SF_FORMAT_FLAC | SF_FORMAT_PCM_24);
  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    g_assert_cmpint (got[i] / 256, ==, expect[i]);
}

/* ---- transforms ----------------------------------------------------------- */

static void
test_noise_statistics (Fixture       *f,
                       gconstpointer  data)
{
  const gsize n = 400000;
  g_autofree char *in = path_in (f, "n.wav");
  g_autofree char *out = path_in (f, "n-out.wav");
  g_autofree char *out2 = path_in (f, "n-out2.wav");
  g_autofree short *v = g_new (short, n);
  g_autofree int *iv = NULL, *a = NULL, *b = NULL;
  g_autoptr(GError) error = NULL;
  double sum = 0, sum2 = 0, mean, sd;
  SF_INFO info;
  g_autofree char *ca = NULL, *cb = NULL;
  gsize la, lb;

  for (gsize i = 0; i < n; i++)
    v[i] = (short) rint (8000 * sin (i * 0.05));
  iv = ints16 (v, n);
  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, NULL, iv, n);

  g_assert_true (run_job (in, out, "noise:sigma=0.05", CW_FORMAT_SAME, FALSE, NULL, &error));
  g_assert_no_error (error);
  a = read_ints (out, &info);
  g_assert_cmpint (info.frames, ==, n);
  for (gsize i = 0; i < n; i++)
    {
      double d = (a[i] / 65536) - v[i];

      sum += d;
      sum2 += d * d;
    }
  mean = sum / n;
  sd = sqrt (sum2 / n - mean * mean);
  g_test_message ("noise: mean %g LSB, sd %g LSB (want %g)", mean, sd, 0.05 * 32768);
  g_assert_cmpfloat (fabs (mean), <, 5 * 0.05 * 32768 / sqrt (n));
  g_assert_cmpfloat (fabs (sd / (0.05 * 32768) - 1.0), <, 0.01);

  /* the same job twice: the same bytes */
  g_assert_true (run_job (in, out2, "noise:sigma=0.05", CW_FORMAT_SAME, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (out, &ca, &la, NULL));
  g_assert_true (g_file_get_contents (out2, &cb, &lb, NULL));
  g_assert_cmpmem (ca, la, cb, lb);

  /* the general path (via PCM_24 output) makes the same noise as the
   * PCM_16 fast path, and "copy" stages do not change it */
  {
    g_autofree char *out3 = path_in (f, "n-out3.wav");

    g_assert_true (run_job (in, out3, "copy,noise:sigma=0.05,gain:db=0", CW_FORMAT_SAME, FALSE,
                            NULL, &error));
    g_assert_no_error (error);
    b = read_ints (out3, &info);
    g_assert_cmpmem (a, n * sizeof (int), b, n * sizeof (int));
  }
}

static void
test_noise_key (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *in = path_in (f, "k.wav");
  g_autofree char *out1 = path_in (f, "k1.wav");
  g_autofree char *out2 = path_in (f, "k2.wav");
  double zeros[1000] = { 0 };
  g_autoptr(CwChain) chain = cw_chain_parse ("noise", NULL);
  CwAudioJob job = { in, out1, chain, CW_FORMAT_SAME, 1, "one", FALSE };
  g_autofree int *a = NULL, *b = NULL;
  SF_INFO info;

  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000, zeros, NULL, 1000);
  g_assert_true (cw_audio_process (&job, NULL, NULL, NULL));
  job.output_path = out2;
  job.seed_key = "two";
  g_assert_true (cw_audio_process (&job, NULL, NULL, NULL));
  a = read_ints (out1, &info);
  b = read_ints (out2, &info);
  g_assert_true (memcmp (a, b, 1000 * sizeof (int)) != 0);
}

static void
test_noise_clipping (Fixture       *f,
                     gconstpointer  data)
{
  const gsize n = 20000;
  g_autofree char *in = path_in (f, "c.wav");
  g_autofree char *out = path_in (f, "c-out.wav");
  g_autofree short *v = g_new (short, n);
  g_autofree int *iv = NULL, *a = NULL;
  g_autoptr(GError) error = NULL;
  gsize top = 0, bottom = 0;
  SF_INFO info;

  for (gsize i = 0; i < n; i++)
    v[i] = i & 1 ? 32767 : -32768;
  iv = ints16 (v, n);
  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, NULL, iv, n);
  g_assert_true (run_job (in, out, "noise:sigma=0.5", CW_FORMAT_SAME, FALSE, NULL, &error));
  g_assert_no_error (error);
  a = read_ints (out, &info);
  for (gsize i = 0; i < n; i++)
    {
      top += a[i] == 32767 * 65536;
      bottom += a[i] == -32768 * 65536;
    }
  /* half of each side is pushed outwards and clipped */
  g_assert_cmpuint (top, >, n / 4 - n / 20);
  g_assert_cmpuint (bottom, >, n / 4 - n / 20);

  /* float output: noise clips to [-1, 1] */
  {
    g_autofree char *fin = path_in (f, "cf.wav");
    g_autofree char *fout = path_in (f, "cf-out.wav");
    double ones[4000];
    g_autofree double *d = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (ones); i++)
      ones[i] = i & 1 ? 1.0 : -1.0;
    write_fixture (fin, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 44100, ones, NULL, 4000);
    g_assert_true (run_job (fin, fout, "noise:sigma=0.5", CW_FORMAT_SAME, FALSE, NULL, &error));
    g_assert_no_error (error);
    d = read_doubles (fout, &info);
    for (guint i = 0; i < 4000; i++)
      g_assert_cmpfloat (fabs (d[i]), <=, 1.0);
  }
}

static void
test_gain (Fixture       *f,
           gconstpointer  data)
{
  const short v[] = { 1000, -1000, 1, 0, 16383, -16384, 12345 };
  g_autofree int *iv = ints16 (v, G_N_ELEMENTS (v));
  g_autofree char *in = path_in (f, "g.wav");
  g_autofree char *out = path_in (f, "g-out.wav");
  g_autofree char *out2 = path_in (f, "g-out2.wav");
  g_autofree int *a = NULL, *b = NULL;
  g_autoptr(GError) error = NULL;
  SF_INFO info;

  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, NULL, iv, G_N_ELEMENTS (v));
  g_assert_true (run_job (in, out, "gain:db=6.0206", CW_FORMAT_SAME, FALSE, NULL, &error));
  g_assert_no_error (error);
  a = read_ints (out, &info);
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    {
      int expect = CLAMP (2 * v[i], -32768, 32767);

      g_assert_cmpint (ABS (a[i] / 65536 - expect), <=, 1);
    }

  g_assert_true (run_job (in, out2, "gain:db=-1000", CW_FORMAT_SAME, FALSE, NULL, &error));
  g_assert_no_error (error);
  b = read_ints (out2, &info);
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    g_assert_cmpint (b[i], ==, 0);
}

static void
test_float_stays_float (Fixture       *f,
                        gconstpointer  data)
{
  double v[100];
  g_autofree char *in = path_in (f, "f.wav");
  g_autofree char *out = path_in (f, "f-out.wav");
  g_autofree double *d = NULL;
  g_autoptr(GError) error = NULL;
  SF_INFO info;

  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    v[i] = i & 1 ? 0.9 : -0.9;
  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 44100, v, NULL, G_N_ELEMENTS (v));
  g_assert_true (run_job (in, out, "gain:db=6", CW_FORMAT_SAME, FALSE, NULL, &error));
  g_assert_no_error (error);
  d = read_doubles (out, &info);
  g_assert_cmpint (info.format, ==, SF_FORMAT_WAV | SF_FORMAT_FLOAT);
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    g_assert_cmpfloat_with_epsilon (fabs (d[i]), 0.9 * pow (10, 6 / 20.0), 1e-6);
  g_assert_cmpfloat (d[1], >, 1.79);
}

static double
peak_dbfs (const char *path)
{
  SF_INFO info;
  g_autofree double *d = read_doubles (path, &info);
  double peak = 0;

  for (gint64 i = 0; i < info.frames * info.channels; i++)
    peak = MAX (peak, fabs (d[i]));
  return 20 * log10 (peak);
}

static void
test_normalize (Fixture       *f,
                gconstpointer  data)
{
  const gsize n = 150000;   /* several blocks */
  g_autofree double *v = g_new (double, n * 2);
  g_autofree char *in = path_in (f, "norm.wav");
  g_autofree char *inf = path_in (f, "normf.wav");
  g_autofree char *out = path_in (f, "norm-out.wav");
  g_autofree char *outf = path_in (f, "normf-out.wav");
  g_autofree char *outn = path_in (f, "normn-out.wav");
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < n * 2; i++)
    v[i] = 0.25 * sin (i * 0.001) * (i == 140001 ? 1.0 : 0.9);
  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 44100, v, NULL, n);
  write_fixture (inf, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 2, 44100, v, NULL, n);

  g_assert_true (run_job (in, out, "normalize:peak=-1", CW_FORMAT_SAME, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (peak_dbfs (out) - -1.0), <, 0.01);

  g_assert_true (run_job (inf, outf, "normalize:peak=-3", CW_FORMAT_SAME, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (peak_dbfs (outf) - -3.0), <, 0.01);

  /* noise then normalize: the measuring pass sees the same noise */
  g_assert_true (run_job (in, outn, "noise:sigma=0.05,normalize:peak=-0.5", CW_FORMAT_SAME,
                          FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpfloat (fabs (peak_dbfs (outn) - -0.5), <, 0.01);
}

static void
test_fade (Fixture       *f,
           gconstpointer  data)
{
  const gsize n = 1000;      /* 1 s at 1 kHz */
  short v[1000];
  g_autofree int *iv = NULL, *a = NULL;
  g_autofree char *in = path_in (f, "fade.wav");
  g_autofree char *out = path_in (f, "fade-out.wav");
  g_autoptr(GError) error = NULL;
  SF_INFO info;

  for (gsize i = 0; i < n; i++)
    v[i] = 10000;
  iv = ints16 (v, n);
  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 1000, NULL, iv, n);
  g_assert_true (run_job (in, out, "fade:in=100:out=200", CW_FORMAT_SAME, FALSE, NULL, &error));
  g_assert_no_error (error);
  a = read_ints (out, &info);
  for (gsize i = 0; i < n; i++)
    a[i] /= 65536;

  g_assert_cmpint (a[0], ==, 0);
  g_assert_cmpint (a[1], ==, 100);
  g_assert_cmpint (a[50], ==, 5000);
  g_assert_cmpint (a[99], ==, 9900);
  g_assert_cmpint (a[100], ==, 10000);
  g_assert_cmpint (a[500], ==, 10000);
  g_assert_cmpint (a[799], ==, 10000);
  g_assert_cmpint (a[899], ==, 5000);
  g_assert_cmpint (a[998], ==, 50);
  g_assert_cmpint (a[999], ==, 0);
  for (gsize i = 1; i < 100; i++)
    g_assert_cmpint (a[i] - a[i - 1], ==, 100);
}

static void
test_mono (Fixture       *f,
           gconstpointer  data)
{
  short v[2000];
  g_autofree int *iv = NULL, *a = NULL;
  g_autofree char *in = path_in (f, "st.wav");
  g_autofree char *out = path_in (f, "st-out.wav");
  g_autoptr(GError) error = NULL;
  SF_INFO info;
  gint64 frames = 0;

  for (guint i = 0; i < 1000; i++)
    {
      v[2 * i] = (short) (i * 3);         /* L = a */
      v[2 * i + 1] = (short) (-(int) i);  /* R = b */
    }
  iv = ints16 (v, 2000);
  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 8000, NULL, iv, 1000);
  g_assert_true (run_job (in, out, "mono", CW_FORMAT_SAME, FALSE, &frames, &error));
  g_assert_no_error (error);
  g_assert_cmpint (frames, ==, 1000);
  a = read_ints (out, &info);
  g_assert_cmpint (info.channels, ==, 1);
  g_assert_cmpint (info.frames, ==, 1000);
  for (guint i = 0; i < 1000; i++)
    g_assert_cmpint (a[i] / 65536, ==, (int) i);  /* (3i - i) / 2 */
}

/* ---- formats -------------------------------------------------------------- */

static void
test_output_formats (Fixture       *f,
                     gconstpointer  data)
{
  const struct { CwFormat format; int major; int sub; gboolean lossy; } cases[] = {
    { CW_FORMAT_WAV, SF_FORMAT_WAV, SF_FORMAT_PCM_16, FALSE },
    { CW_FORMAT_FLAC, SF_FORMAT_FLAC, SF_FORMAT_PCM_16, FALSE },
    { CW_FORMAT_OGG, SF_FORMAT_OGG, SF_FORMAT_VORBIS, TRUE },
    { CW_FORMAT_OPUS, SF_FORMAT_OGG, SF_FORMAT_OPUS, TRUE },
    { CW_FORMAT_MP3, SF_FORMAT_MPEG, SF_FORMAT_MPEG_LAYER_III, TRUE },
  };
  const gsize n = 48000;
  g_autofree double *v = g_new (double, n * 2);
  g_autofree char *in = path_in (f, "src.aiff");

  for (gsize i = 0; i < n * 2; i++)
    v[i] = 0.5 * sin (i * 0.03);
  write_fixture (in, SF_FORMAT_AIFF | SF_FORMAT_PCM_16, 2, 48000, v, NULL, n);

  for (guint t = 0; t < G_N_ELEMENTS (cases); t++)
    {
      g_autofree char *name = cw_format_output_name (cases[t].format, "src.aiff");
      g_autofree char *out = path_in (f, name);
      g_autofree char *back = g_strconcat (out, ".wav", NULL);
      g_autoptr(GError) error = NULL;
      g_autofree double *d = NULL;
      CwAudioInfo info;
      SF_INFO sfinfo;
      gint64 frames = 0;
      double err = 0;

      g_assert_true (run_job (in, out, "gain:db=-1", cases[t].format, FALSE, &frames, &error));
      g_assert_no_error (error);
      g_assert_cmpint (frames, ==, n);
      g_assert_true (cw_audio_probe (out, &info, &error));
      g_assert_no_error (error);
      g_assert_cmpint (info.channels, ==, 2);
      g_assert_cmpint (info.rate, ==, 48000);
      if (cases[t].lossy)
        g_assert_cmpint (ABS (info.frames - (gint64) n), <, n / 10);
      else
        g_assert_cmpint (info.frames, ==, n);
      cw_audio_info_clear (&info);

      d = read_doubles (out, &sfinfo);
      g_assert_cmpint (sfinfo.format & SF_FORMAT_TYPEMASK, ==, cases[t].major);
      g_assert_cmpint (sfinfo.format & SF_FORMAT_SUBMASK, ==, cases[t].sub);
      if (!cases[t].lossy)
        {
          for (gsize i = 0; i < n * 2; i++)
            err = MAX (err, fabs (d[i] - v[i] * pow (10, -1 / 20.0)));
          g_assert_cmpfloat (err, <, 2.0 / 32768);
        }

      /* and back to WAV, the lossy ones too */
      run_job (out, back, "copy", CW_FORMAT_WAV, FALSE, NULL, &error);
      g_assert_no_error (error);
      assert_no_part (out);
    }
}

static void
test_opus_rate (Fixture       *f,
                gconstpointer  data)
{
  double v[4410];
  g_autofree char *in = path_in (f, "44k.wav");
  g_autofree char *out = path_in (f, "44k.opus");
  g_autoptr(CwChain) chain = cw_chain_parse ("copy", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *note = NULL;
  CwAudioJob job = {
    .input_path = in,
    .output_path = out,
    .chain = chain,
    .format = CW_FORMAT_OPUS,
    .seed_key = "key",
  };
  CwAudioInfo info = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    v[i] = 0.5 * sin (2 * G_PI * 1000.0 * i / 44100.0);
  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, v, NULL, G_N_ELEMENTS (v));

  /* Opus holds 48 kHz, not 44.1: the check says what will happen ... */
  g_assert_true (cw_audio_check (&job, &note, &error));
  g_assert_no_error (error);
  g_assert_nonnull (note);
  g_test_message ("%s", note);
  g_assert_nonnull (strstr (note, "44100"));
  g_assert_nonnull (strstr (note, "48000"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* ... and the file is resampled rather than refused */
  g_assert_true (run_job (in, out, "copy", CW_FORMAT_OPUS, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cw_audio_probe (out, &info, &error));
  g_assert_cmpint (info.rate, ==, 48000);
  g_assert_cmpint (info.frames, ==, 4800);
  cw_audio_info_clear (&info);
}

static void
test_conversion_subtypes (Fixture       *f,
                          gconstpointer  data)
{
  double v[1000];
  g_autofree char *in32 = path_in (f, "s32.wav");
  g_autofree char *inf = path_in (f, "sf.wav");
  g_autofree char *out32 = path_in (f, "s32.flac");
  g_autofree char *outf = path_in (f, "sf.flac");
  g_autofree char *ogg = path_in (f, "s.ogg");
  g_autofree char *oggwav = path_in (f, "s-ogg.wav");
  g_autoptr(GError) error = NULL;
  CwAudioInfo info;

  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    v[i] = 0.3 * sin (i * 0.1);
  write_fixture (in32, SF_FORMAT_WAV | SF_FORMAT_PCM_32, 1, 44100, v, NULL, 1000);
  write_fixture (inf, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 44100, v, NULL, 1000);
  g_assert_true (run_job (in32, out32, "copy", CW_FORMAT_FLAC, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cw_audio_probe (out32, &info, NULL));
  g_assert_cmpstr (info.subtype_name, ==, "Signed 24 bit PCM");
  cw_audio_info_clear (&info);
  g_assert_true (run_job (inf, outf, "copy", CW_FORMAT_FLAC, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cw_audio_probe (outf, &info, NULL));
  g_assert_cmpstr (info.subtype_name, ==, "Signed 24 bit PCM");
  cw_audio_info_clear (&info);

  /* lossy -> WAV is PCM_16 */
  g_assert_true (run_job (inf, ogg, "copy", CW_FORMAT_OGG, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (run_job (ogg, oggwav, "copy", CW_FORMAT_WAV, FALSE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cw_audio_probe (oggwav, &info, NULL));
  g_assert_cmpstr (info.format_name, ==, "WAV");
  g_assert_cmpstr (info.subtype_name, ==, "Signed 16 bit PCM");
  cw_audio_info_clear (&info);
}

/* ---- bad inputs and outputs ------------------------------------------------ */

static void
test_bad_inputs (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *missing = path_in (f, "missing.wav");
  g_autofree char *empty = path_in (f, "empty.wav");
  g_autofree char *noframes = path_in (f, "noframes.wav");
  g_autofree char *text = path_in (f, "text.wav");
  g_autofree char *trunc = path_in (f, "trunc.wav");
  g_autofree char *good = path_in (f, "good.wav");
  g_autofree char *noperm = path_in (f, "noperm.wav");
  g_autofree char *out = path_in (f, "out.wav");
  g_autofree char *contents = NULL;
  double v[100] = { 0 };
  gsize len;

  assert_fails (missing, out, "copy", CW_FORMAT_SAME, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                "No such file or directory");

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  assert_fails (empty, out, "copy", CW_FORMAT_SAME, CW_ERROR, CW_ERROR_EMPTY, "empty file");

  write_fixture (noframes, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, v, NULL, 0);
  assert_fails (noframes, out, "copy", CW_FORMAT_SAME, CW_ERROR, CW_ERROR_EMPTY,
                "empty file: no audio frames");

  g_assert_true (g_file_set_contents (text, "this is just text, renamed to .wav\n", -1, NULL));
  assert_fails (text, out, "copy", CW_FORMAT_SAME, CW_ERROR, CW_ERROR_NOT_AUDIO,
                "not an audio file (");

  write_fixture (good, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, v, NULL, 100);
  g_assert_true (g_file_get_contents (good, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (trunc, contents, 20, NULL));
  {
    g_autoptr(GError) error = NULL;

    g_assert_false (run_job (trunc, out, "copy", CW_FORMAT_SAME, FALSE, NULL, &error));
    g_assert_nonnull (error);
    g_assert_true (error->domain == CW_ERROR);
    g_test_message ("truncated header: %s", error->message);
    assert_no_part (out);
  }

  /* a folder */
  assert_fails (f->dir, out, "copy", CW_FORMAT_SAME, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, NULL);

  write_fixture (noperm, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, v, NULL, 100);
  chmod (noperm, 0);
  if (getuid () != 0)
    assert_fails (noperm, out, "copy", CW_FORMAT_SAME, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                  "Permission denied");
  else
    g_test_message ("running as root: skipping the unreadable-file check");

  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

/* A file cut short after its header (a copy that stopped, a full disk):
 * libsndfile would read what is there as a shorter file; we fail it, and
 * write nothing. Formats with sizes in their headers, and FLAC (whose
 * STREAMINFO gives the total), each through the fast and the general path. */
static void
test_truncated_data (Fixture       *f,
                     gconstpointer  data)
{
  static const struct
  {
    int         format;
    const char *name;
  } formats[] = {
    { SF_FORMAT_WAV | SF_FORMAT_PCM_16, "t.wav" },
    { SF_FORMAT_WAVEX | SF_FORMAT_PCM_24, "tx.wav" },
    { SF_FORMAT_AIFF | SF_FORMAT_PCM_16, "t.aiff" },
    { SF_FORMAT_AU | SF_FORMAT_PCM_16, "t.au" },
    { SF_FORMAT_W64 | SF_FORMAT_PCM_16, "t.w64" },
    { SF_FORMAT_RF64 | SF_FORMAT_PCM_16, "t.rf64" },
    { SF_FORMAT_FLAC | SF_FORMAT_PCM_16, "t.flac" },
  };
  const gsize n = 40000;   /* 5.0 s at 8 kHz, cut to about 1.7 s */
  g_autofree double *v = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    v[i] = 0.5 * sin (i * 0.01);

  for (guint k = 0; k < G_N_ELEMENTS (formats); k++)
    {
      g_autofree char *in = path_in (f, formats[k].name);
      g_autofree char *out = path_in (f, "out");
      g_autofree char *contents = NULL;
      gsize len;

      write_fixture (in, formats[k].format, 1, 8000, v, NULL, n);
      /* intact, it works */
      g_assert_true (run_job (in, out, "noise", CW_FORMAT_SAME, TRUE, NULL, NULL));
      g_assert_cmpint (g_unlink (out), ==, 0);

      g_assert_true (g_file_get_contents (in, &contents, &len, NULL));
      g_assert_true (g_file_set_contents (in, contents, len / 3, NULL));
      assert_fails (in, out, "noise", CW_FORMAT_SAME, CW_ERROR, CW_ERROR_AUDIO,
                    "truncated file: the header promises 5.0 s, the file holds 1.");
      assert_fails (in, out, "copy", CW_FORMAT_SAME, CW_ERROR, CW_ERROR_AUDIO,
                    "truncated file: the header promises 5.0 s");
      assert_fails (in, out, "gain:db=-1", CW_FORMAT_WAV, CW_ERROR, CW_ERROR_AUDIO,
                    "truncated file");
      g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
    }
}

static void
test_bad_outputs (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *in = path_in (f, "in.wav");
  g_autofree char *afile = path_in (f, "afile");
  g_autofree char *under_file = g_build_filename (afile, "out.wav", NULL);
  g_autofree char *ro = path_in (f, "ro");
  g_autofree char *in_ro = g_build_filename (ro, "out.wav", NULL);
  double v[100] = { 0 };

  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, v, NULL, 100);
  g_assert_true (g_file_set_contents (afile, "x", 1, NULL));
  assert_fails (in, under_file, "copy", CW_FORMAT_SAME, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                "Not a directory");

  g_assert_cmpint (g_mkdir (ro, 0500), ==, 0);
  if (getuid () != 0)
    assert_fails (in, in_ro, "copy", CW_FORMAT_SAME, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                  "Permission denied");
  else
    g_test_message ("running as root: skipping the read-only folder check");
}

static void
test_never_clobber (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *in = path_in (f, "in.wav");
  g_autofree char *link_to_in = path_in (f, "hardlink.wav");
  g_autofree char *out = path_in (f, "out.wav");
  g_autofree char *contents = NULL;
  g_autofree char *before = NULL;
  g_autoptr(GError) error = NULL;
  double v[1000];
  gsize len, len_before;

  for (guint i = 0; i < 1000; i++)
    v[i] = 0.5 * sin (i);
  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, v, NULL, 1000);
  g_assert_true (g_file_get_contents (in, &before, &len_before, NULL));

  /* an existing output is never replaced without overwrite */
  g_assert_true (g_file_set_contents (out, "precious", -1, NULL));
  assert_fails (in, out, "gain:db=-3", CW_FORMAT_SAME, G_IO_ERROR, G_IO_ERROR_EXISTS,
                "output exists");
  g_assert_true (g_file_get_contents (out, &contents, &len, NULL));
  g_assert_cmpstr (contents, ==, "precious");
  g_clear_pointer (&contents, g_free);

  /* with overwrite it is */
  g_assert_true (run_job (in, out, "gain:db=-3", CW_FORMAT_SAME, TRUE, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (cw_audio_is_audio (out));

  /* the input itself, even with overwrite, even through a hard link */
  g_assert_false (run_job (in, in, "gain:db=-3", CW_FORMAT_SAME, TRUE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "output would overwrite the input"));
  g_clear_error (&error);
  g_assert_cmpint (link (in, link_to_in), ==, 0);
  g_assert_false (run_job (in, link_to_in, "copy", CW_FORMAT_SAME, TRUE, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  assert_no_part (in);

  g_assert_true (g_file_get_contents (in, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, before, len_before);
}

static void
test_odd_names (Fixture       *f,
                gconstpointer  data)
{
  const char *names[] = { "with space.wav", "new\nline.wav", "caf\xe9-latin1.wav",
                          "\xff\xfe.wav", "ünïcödé.wav", "-dash.wav" };
  double v[100] = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *in = path_in (f, names[i]);
      g_autofree char *outname = g_strconcat ("out ", names[i], NULL);
      g_autofree char *out = path_in (f, outname);
      g_autofree char *flac_name = cw_format_output_name (CW_FORMAT_FLAC, names[i]);
      g_autofree char *flac = path_in (f, flac_name);
      g_autoptr(GError) error = NULL;
      gint64 frames = 0;

      write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 8000, v, NULL, 100);
      g_assert_true (run_job (in, out, "noise:sigma=0.01", CW_FORMAT_SAME, FALSE, &frames, &error));
      g_assert_no_error (error);
      g_assert_cmpint (frames, ==, 100);
      g_assert_true (run_job (in, flac, "copy", CW_FORMAT_FLAC, FALSE, NULL, &error));
      g_assert_no_error (error);
      assert_no_part (out);

      /* error messages stay valid UTF-8 */
      g_assert_false (run_job (in, in, "copy", CW_FORMAT_SAME, TRUE, NULL, &error));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *in = path_in (f, "in.wav");
  g_autofree char *out = path_in (f, "out.wav");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(CwChain) chain = cw_chain_parse ("noise", NULL);
  CwAudioJob job = { in, out, chain, CW_FORMAT_SAME, 1, "k", FALSE };
  g_autoptr(GError) error = NULL;
  double v[1000] = { 0 };

  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, v, NULL, 1000);
  g_cancellable_cancel (cancellable);
  g_assert_false (cw_audio_process (&job, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  assert_no_part (out);
}

/* A file-size limit makes writes fail with EFBIG: a clear error, no part
 * file, and SIGXFSZ (ignored, as the worker does) does not kill us. */
static void
test_file_too_large (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *in = path_in (f, "big.wav");
  g_autofree char *out = path_in (f, "big-out.wav");
  const gsize n = 200000;
  g_autofree double *v = g_new0 (double, n);

  write_fixture (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, v, NULL, n);

  if (g_test_subprocess ())
    {
      const char *sin = g_getenv ("CW_TEST_IN");
      const char *sout = g_getenv ("CW_TEST_OUT");
      struct rlimit lim = { 100000, 100000 };
      g_autoptr(GError) error = NULL;

      signal (SIGXFSZ, SIG_IGN);
      g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &lim), ==, 0);
      g_assert_false (run_job (sin, sout, "noise", CW_FORMAT_SAME, FALSE, NULL, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
      g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
      assert_no_part (sout);
      g_assert_false (g_file_test (sout, G_FILE_TEST_EXISTS));
      return;
    }

  g_setenv ("CW_TEST_IN", in, TRUE);
  g_setenv ("CW_TEST_OUT", out, TRUE);
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

static void
test_demo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = path_in (f, "demo");
  g_autofree char *p0 = g_build_filename (dir, "example00.wav", NULL);
  g_autofree char *p2 = g_build_filename (dir, "example02.wav", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *sum = NULL;
  g_autofree int *a = NULL;
  SF_INFO info;
  gsize len;

  /* the full lesson file: byte-identical to make_workload.py's */
  g_assert_true (cw_demo_write (dir, 1, 240.0, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (p0, &contents, &len, NULL));
  g_assert_cmpuint (len, ==, 21168044);
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  g_assert_cmpstr (sum, ==, "fce0170240bfef3d6927595bba264f2e3faea2f73148751923c772fde14647a0");
  g_clear_pointer (&contents, g_free);

  g_assert_true (cw_demo_write (dir, 3, 1.5, &error));
  g_assert_no_error (error);
  a = read_ints (p2, &info);
  g_assert_cmpint (info.frames, ==, 66150);
  g_assert_cmpint (info.samplerate, ==, 44100);
  g_assert_cmpint (info.channels, ==, 1);
  /* 460 Hz: a quarter period is 44100 / 460 / 4 samples; amplitude 0.5 */
  g_assert_cmpint (a[0], ==, 0);
  g_assert_cmpint (ABS (a[24] / 65536), <=, 16384);
  g_assert_cmpint (ABS (a[24] / 65536), >, 16000);
  assert_no_part (p0);
}

/* The checksum a worker sums as it writes (for the job log) is the one a
 * read back of the output gives, whatever the encoder's writes: libsndfile
 * rewrites a WAV header at the end, FLAC and MP3 write in their own ways. */
static void
test_output_checksum (Fixture       *f,
                      gconstpointer  data)
{
  const struct { CwFormat format; const char *name; double seconds; } cases[] = {
    { CW_FORMAT_SAME, "same.wav", 3.0 },   /* several 64 KiB blocks */
    { CW_FORMAT_SAME, "short.wav", 0.01 }, /* less than one block */
    { CW_FORMAT_FLAC, "a.flac", 2.0 },
    { CW_FORMAT_MP3, "a.mp3", 2.0 },
  };
  g_autoptr(CwChain) chain = cw_chain_parse ("noise:sigma=0.01", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *in = g_build_filename (f->dir, "in.wav", NULL);
      g_autofree char *out = g_build_filename (f->dir, cases[i].name, NULL);
      g_autofree char *read_back = NULL;
      g_autofree char *summed = NULL;
      g_autoptr(GError) error = NULL;
      guint64 sum = 0;
      gboolean has_sum = FALSE;
      CwAudioJob job = {
        .input_path = in,
        .output_path = out,
        .chain = chain,
        .format = cases[i].format,
        .seed = 7,
        .seed_key = "key",
        .checksum_out = &sum,
        .has_checksum_out = &has_sum,
      };

      cw_test_write_sine (in, cases[i].seconds, 440, 2);
      g_assert_true (cw_audio_process (&job, NULL, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (has_sum);
      summed = cw_checksum_format (sum);
      read_back = cw_checksum_file (out, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (summed, ==, read_back);
      g_assert_true (cw_checksum_file_matches (out, summed));
      g_unlink (in);
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/cw/audio/format-names", test_format_names);
  ADD ("/cw/audio/probe", test_probe);
  ADD ("/cw/audio/copy-identical", test_copy_identical);
  ADD ("/cw/audio/gain-zero-exact", test_gain_zero_exact);
  ADD ("/cw/audio/rounding-clipping", test_rounding_and_clipping);
  ADD ("/cw/audio/noise-statistics", test_noise_statistics);
  ADD ("/cw/audio/noise-key", test_noise_key);
  ADD ("/cw/audio/noise-clipping", test_noise_clipping);
  ADD ("/cw/audio/gain", test_gain);
  ADD ("/cw/audio/float-stays-float", test_float_stays_float);
  ADD ("/cw/audio/normalize", test_normalize);
  ADD ("/cw/audio/fade", test_fade);
  ADD ("/cw/audio/mono", test_mono);
  ADD ("/cw/audio/output-formats", test_output_formats);
  ADD ("/cw/audio/opus-rate", test_opus_rate);
  ADD ("/cw/audio/conversion-subtypes", test_conversion_subtypes);
  ADD ("/cw/audio/bad-inputs", test_bad_inputs);
  ADD ("/cw/audio/truncated-data", test_truncated_data);
  ADD ("/cw/audio/bad-outputs", test_bad_outputs);
  ADD ("/cw/audio/never-clobber", test_never_clobber);
  ADD ("/cw/audio/odd-names", test_odd_names);
  ADD ("/cw/audio/cancel", test_cancel);
  ADD ("/cw/audio/file-too-large", test_file_too_large);
  ADD ("/cw/audio/demo", test_demo);
  ADD ("/cw/audio/output-checksum", test_output_checksum);

#undef ADD

  return g_test_run ();
}
