/* test-convert.c: what a collection's conversion keeps and changes —
 * resampling, loudness, bit depth and dither, lossy quality, tags
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include <ebur128.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "cw-audio.h"
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
  cw_test_assert_no_part_files (f->dir);
  cw_test_rm_rf (f->dir);
  g_free (f->dir);
}

static char *
path_in (Fixture    *f,
         const char *name)
{
  return g_build_filename (f->dir, name, NULL);
}

/* @frames frames of a sine at @hz, @amplitude full scale, on every channel */
static void
write_sine (const char *path,
            int         format,
            int         channels,
            int         rate,
            double      hz,
            double      amplitude,
            gsize       frames)
{
  SF_INFO info = { .samplerate = rate, .channels = channels, .format = format };
  g_autofree double *v = g_new (double, frames * channels);
  SNDFILE *sf;

  for (gsize i = 0; i < frames; i++)
    for (int c = 0; c < channels; c++)
      v[i * channels + c] = amplitude * sin (2 * G_PI * hz * i / rate);
  sf = sf_open (path, SFM_WRITE, &info);
  if (sf == NULL)
    g_error ("cannot write fixture %s: %s", path, sf_strerror (NULL));
  g_assert_cmpint (sf_writef_double (sf, v, frames), ==, frames);
  g_assert_cmpint (sf_close (sf), ==, 0);
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

typedef struct
{
  const char *spec;
  CwFormat    format;
  CwBits      bits;
  gboolean    has_quality;
  double      quality;
  gboolean    no_metadata;
  guint64     seed;
  const char *seed_key;
} Job;

static gboolean
run (const char  *in,
     const char  *out,
     const Job   *j,
     GError     **error)
{
  g_autoptr(CwChain) chain = cw_chain_parse (j->spec != NULL ? j->spec : "copy", NULL);
  CwAudioJob job = {
    .input_path = in,
    .output_path = out,
    .chain = chain,
    .format = j->format,
    .seed = j->seed,
    .seed_key = j->seed_key != NULL ? j->seed_key : "key",
    .replace = CW_REPLACE_NEVER,
    .bits = j->bits,
    .has_quality = j->has_quality,
    .quality = j->quality,
    .no_metadata = j->no_metadata,
  };

  g_assert_nonnull (chain);
  return cw_audio_process (&job, NULL, NULL, error);
}

static void
run_ok (const char *in,
        const char *out,
        const Job  *j)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (run (in, out, j, &error));
  g_assert_no_error (error);
}

/* The least-squares sine at @hz through x[from..to): returns the
 * residual's power over the fit's, in dB (THD+N), and the amplitude. */
static double
thd_n_db (const double *x,
          gsize         from,
          gsize         to,
          double        hz,
          int           rate,
          double       *amplitude)
{
  double ss = 0, cc = 0, sc = 0, xs = 0, xc = 0, det, a, b, signal = 0, residual = 0;

  for (gsize i = from; i < to; i++)
    {
      double s = sin (2 * G_PI * hz * i / rate), c = cos (2 * G_PI * hz * i / rate);

      ss += s * s; cc += c * c; sc += s * c;
      xs += x[i] * s; xc += x[i] * c;
    }
  det = ss * cc - sc * sc;
  a = (xs * cc - xc * sc) / det;
  b = (xc * ss - xs * sc) / det;
  for (gsize i = from; i < to; i++)
    {
      double fit = a * sin (2 * G_PI * hz * i / rate) + b * cos (2 * G_PI * hz * i / rate);

      signal += fit * fit;
      residual += (x[i] - fit) * (x[i] - fit);
    }
  *amplitude = hypot (a, b);
  return 10 * log10 (residual / signal);
}

/* Goertzel power of @hz in x[from..to) */
static double
power_at (const double *x,
          gsize         from,
          gsize         to,
          double        hz,
          int           rate)
{
  double k = 2 * cos (2 * G_PI * hz / rate), s1 = 0, s2 = 0;

  for (gsize i = from; i < to; i++)
    {
      double s = x[i] + k * s1 - s2;

      s2 = s1;
      s1 = s;
    }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/* A 1 kHz sine resampled 44.1 → 48 kHz (float): its peak stays at 1 kHz,
 * the length scales exactly, and THD+N is below −90 dB. */
static void
test_resample_quality (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *in = path_in (f, "sine.wav");
  g_autofree char *out = path_in (f, "sine-48k.wav");
  const Job job = { .spec = "resample:rate=48000" };
  g_autofree double *y = NULL;
  double amplitude, thd, peak;
  SF_INFO info;

  write_sine (in, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 1, 44100, 1000.0, 0.5, 44100 * 2);
  run_ok (in, out, &job);
  y = read_doubles (out, &info);
  g_assert_cmpint (info.samplerate, ==, 48000);
  g_assert_cmpint (info.format & SF_FORMAT_SUBMASK, ==, SF_FORMAT_FLOAT);
  g_assert_cmpint (info.frames, ==, 48000 * 2);

  /* away from the filter's start-up and run-out */
  thd = thd_n_db (y, 4800, info.frames - 4800, 1000.0, 48000, &amplitude);
  g_test_message ("44.1 → 48 kHz: THD+N %.1f dB, amplitude %.6f", thd, amplitude);
  g_assert_cmpfloat (thd, <, -90.0);
  g_assert_cmpfloat (fabs (amplitude - 0.5), <, 0.001);

  /* the spectrum's peak is at 1 kHz, not a neighbour */
  peak = power_at (y, 4800, info.frames - 4800, 1000.0, 48000);
  for (double hz = 900.0; hz <= 1100.0; hz += 25.0)
    if (hz != 1000.0)
      g_assert_cmpfloat (power_at (y, 4800, info.frames - 4800, hz, 48000), <, peak / 100.0);
}

/* Down, and from a stereo 24-bit file: the length is the rate's ratio and
 * the channels stay apart. */
static void
test_resample_down (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *in = path_in (f, "96k.wav");
  g_autofree char *out = path_in (f, "22k.flac");
  const Job job = { .spec = "resample:rate=22050", .format = CW_FORMAT_FLAC };
  g_autofree double *y = NULL;
  double amplitude;
  SF_INFO info;

  write_sine (in, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, 96000, 440.0, 0.25, 96000);
  run_ok (in, out, &job);
  y = read_doubles (out, &info);
  g_assert_cmpint (info.samplerate, ==, 22050);
  g_assert_cmpint (info.channels, ==, 2);
  g_assert_cmpint (info.format & SF_FORMAT_SUBMASK, ==, SF_FORMAT_PCM_24);
  g_assert_cmpint (info.frames, ==, 22050);
  {
    g_autofree double *left = g_new (double, info.frames);

    for (gsize i = 0; i < (gsize) info.frames; i++)
      left[i] = y[2 * i];
    g_assert_cmpfloat (thd_n_db (left, 2205, info.frames - 2205, 440.0, 22050, &amplitude), <, -80.0);
    g_assert_cmpfloat (fabs (amplitude - 0.25), <, 0.001);
  }
}

/* EBU Tech 3341 case 1: a 1 kHz stereo sine at −23 dBFS measures −23.0 LUFS.
 * The stage brings a −30 dBFS one to −23 LUFS: the output's loudness, as
 * libebur128 measures it, and its amplitude are within 0.1 of that. */
static void
test_loudness (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *in = path_in (f, "quiet.wav");
  g_autofree char *out = path_in (f, "r128.wav");
  const Job job = { .spec = "loudness:lufs=-23", .bits = CW_BITS_32F };
  g_autofree double *y = NULL;
  ebur128_state *st;
  double lufs, amplitude;
  SF_INFO info;

  write_sine (in, SF_FORMAT_WAV | SF_FORMAT_PCM_24, 2, 48000, 1000.0, pow (10, -30 / 20.0), 48000 * 10);
  run_ok (in, out, &job);
  y = read_doubles (out, &info);
  g_assert_cmpint (info.format & SF_FORMAT_SUBMASK, ==, SF_FORMAT_FLOAT);

  st = ebur128_init (2, 48000, EBUR128_MODE_I);
  g_assert_cmpint (ebur128_add_frames_double (st, y, info.frames), ==, EBUR128_SUCCESS);
  g_assert_cmpint (ebur128_loudness_global (st, &lufs), ==, EBUR128_SUCCESS);
  ebur128_destroy (&st);
  g_test_message ("loudness:lufs=-23 → %.3f LUFS", lufs);
  g_assert_cmpfloat (fabs (lufs - -23.0), <=, 0.1);

  {
    g_autofree double *left = g_new (double, info.frames);

    for (gsize i = 0; i < (gsize) info.frames; i++)
      left[i] = y[2 * i];
    (void) thd_n_db (left, 0, info.frames, 1000.0, 48000, &amplitude);
    g_assert_cmpfloat (fabs (20 * log10 (amplitude) - -23.0), <=, 0.1);
  }
}

/* The true-peak ceiling wins over the loudness target: a sine cannot reach
 * 0 LUFS under −1 dBTP. */
static void
test_loudness_ceiling (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *in = path_in (f, "sine.wav");
  g_autofree char *out = path_in (f, "loud.wav");
  const Job job = { .spec = "loudness:lufs=0:tp=-1", .bits = CW_BITS_32F };
  g_autofree double *y = NULL;
  double peak = 0.0;
  SF_INFO info;

  write_sine (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 1, 44100, 997.0, 0.1, 44100 * 3);
  run_ok (in, out, &job);
  y = read_doubles (out, &info);
  for (gsize i = 0; i < (gsize) info.frames; i++)
    peak = MAX (peak, fabs (y[i]));
  g_test_message ("ceiling −1 dBTP: sample peak %.3f dBFS", 20 * log10 (peak));
  g_assert_cmpfloat (20 * log10 (peak), <=, -1.0 + 0.01);
  g_assert_cmpfloat (20 * log10 (peak), >, -1.5);
}

/* Silence has no loudness: it goes through unchanged, not amplified to
 * infinity. */
static void
test_loudness_silence (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *in = path_in (f, "silence.wav");
  g_autofree char *out = path_in (f, "silence-out.wav");
  const Job job = { .spec = "loudness:lufs=-16" };
  g_autofree double *y = NULL;
  SF_INFO info;

  write_sine (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 44100, 1000.0, 0.0, 4410);
  run_ok (in, out, &job);
  y = read_doubles (out, &info);
  for (gsize i = 0; i < (gsize) info.frames * 2; i++)
    g_assert_cmpfloat (y[i], ==, 0.0);
}

/* --bits 16 from 24-bit: TPDF dither makes a level below one 16-bit step
 * survive on average (plain rounding would give silence), and the same
 * seed and key give the same bytes. */
static void
test_bits_dither (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *in = path_in (f, "quiet24.wav");
  g_autofree char *a = path_in (f, "a.wav");
  g_autofree char *b = path_in (f, "b.wav");
  g_autofree char *c = path_in (f, "c.wav");
  const gsize frames = 96000;
  g_autofree int *v = g_new (int, frames);
  SF_INFO info = { .samplerate = 48000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_24 };
  Job job = { .bits = CW_BITS_16, .seed = 5 };
  g_autofree double *y = NULL;
  g_autoptr(GBytes) ba = NULL;
  g_autoptr(GBytes) bb = NULL;
  g_autoptr(GBytes) bc = NULL;
  double mean = 0.0, max_err = 0.0;
  SNDFILE *sf;

  /* 0.3 of a 16-bit step, as a left-justified 24-bit value */
  for (gsize i = 0; i < frames; i++)
    v[i] = (int) lround (0.3 * 256) * 256;
  sf = sf_open (in, SFM_WRITE, &info);
  g_assert_nonnull (sf);
  g_assert_cmpint (sf_writef_int (sf, v, frames), ==, frames);
  sf_close (sf);

  run_ok (in, a, &job);
  run_ok (in, b, &job);
  job.seed = 6;
  run_ok (in, c, &job);
  y = read_doubles (a, &info);
  g_assert_cmpint (info.format & SF_FORMAT_SUBMASK, ==, SF_FORMAT_PCM_16);
  for (gsize i = 0; i < frames; i++)
    {
      double lsb = y[i] * 32768.0;

      mean += lsb / frames;
      max_err = MAX (max_err, fabs (lsb - 0.3));
    }
  g_test_message ("dithered to 16 bits: mean %.3f LSB (want 0.3), largest error %.2f LSB", mean, max_err);
  g_assert_cmpfloat (fabs (mean - 0.3), <, 0.03);
  /* TPDF spans ±1 LSB, plus the rounding's half */
  g_assert_cmpfloat (max_err, <=, 1.5 + 1e-9);

  ba = cw_test_read_bytes (a);
  bb = cw_test_read_bytes (b);
  bc = cw_test_read_bytes (c);
  g_assert_true (g_bytes_equal (ba, bb));
  g_assert_false (g_bytes_equal (ba, bc));
}

/* --bits 24 from 16-bit adds no dither: the samples are exact. --bits 32f
 * writes float. FLAC holds no float: a clear error, nothing written. */
static void
test_bits_formats (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *in = path_in (f, "in16.wav");
  g_autofree char *out24 = path_in (f, "out24.wav");
  g_autofree char *outf = path_in (f, "outf.wav");
  g_autofree char *outflac = path_in (f, "out.flac");
  g_autofree double *x = NULL;
  g_autofree double *y = NULL;
  g_autofree double *z = NULL;
  g_autoptr(GError) error = NULL;
  SF_INFO ix, iy, iz;
  Job job = { .bits = CW_BITS_24 };

  write_sine (in, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 2, 44100, 440.0, 0.7, 4410);
  run_ok (in, out24, &job);
  job.bits = CW_BITS_32F;
  run_ok (in, outf, &job);
  x = read_doubles (in, &ix);
  y = read_doubles (out24, &iy);
  z = read_doubles (outf, &iz);
  g_assert_cmpint (iy.format & SF_FORMAT_SUBMASK, ==, SF_FORMAT_PCM_24);
  g_assert_cmpint (iz.format & SF_FORMAT_SUBMASK, ==, SF_FORMAT_FLOAT);
  for (gsize i = 0; i < 4410 * 2; i++)
    {
      g_assert_cmpfloat (y[i], ==, x[i]);
      g_assert_cmpfloat (z[i], ==, x[i]);
    }

  job.format = CW_FORMAT_FLAC;
  g_assert_false (run (in, outflac, &job, &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_UNSUPPORTED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "FLAC"));
  g_assert_false (g_file_test (outflac, G_FILE_TEST_EXISTS));
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_size;
}

/* --quality: lower makes smaller Vorbis, Opus and MP3 files */
static void
test_quality (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *in = path_in (f, "music.wav");
  const CwFormat formats[] = { CW_FORMAT_OGG, CW_FORMAT_OPUS, CW_FORMAT_MP3 };

  /* a signal with detail for the encoder to spend bits on */
  {
    SF_INFO info = { .samplerate = 48000, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
    const gsize frames = 48000 * 4;
    g_autofree double *v = g_new (double, frames * 2);
    SNDFILE *sf;

    for (gsize i = 0; i < frames; i++)
      for (int c = 0; c < 2; c++)
        {
          double t = (double) i / 48000;

          v[2 * i + c] = 0.2 * sin (2 * G_PI * (220 + 110 * c) * t)
                         + 0.1 * sin (2 * G_PI * 3520 * t * (1 + 0.1 * sin (t)))
                         + 0.05 * sin (2 * G_PI * 9000 * t + c);
        }
    sf = sf_open (in, SFM_WRITE, &info);
    g_assert_nonnull (sf);
    g_assert_cmpint (sf_writef_double (sf, v, frames), ==, frames);
    sf_close (sf);
  }

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      const char *name = cw_format_to_string (formats[i]);
      g_autofree char *low = g_strdup_printf ("%s/low-%s", f->dir, name);
      g_autofree char *high = g_strdup_printf ("%s/high-%s", f->dir, name);
      g_autofree char *plain = g_strdup_printf ("%s/default-%s", f->dir, name);
      Job job = { .format = formats[i], .has_quality = TRUE, .quality = 0.1 };
      gint64 s_low, s_high, s_plain;

      run_ok (in, low, &job);
      job.quality = 0.9;
      run_ok (in, high, &job);
      job.has_quality = FALSE;
      run_ok (in, plain, &job);
      s_low = file_size (low);
      s_high = file_size (high);
      s_plain = file_size (plain);
      g_test_message ("%s: quality 0.1 → %" G_GINT64_FORMAT " bytes, 0.9 → %" G_GINT64_FORMAT
                      ", default → %" G_GINT64_FORMAT, name, s_low, s_high, s_plain);
      g_assert_cmpint (s_low * 11 / 10, <, s_high);
    }
}

static const struct
{
  int         type;
  const char *value;
} tags[] = {
  { SF_STR_TITLE, "Présentation — Überlänge" },
  { SF_STR_ARTIST, "Ensemble Corewave" },
  { SF_STR_ALBUM, "Cores, Unlocked" },
  { SF_STR_DATE, "2026" },
  { SF_STR_COMMENT, "recorded on two cores" },
  { SF_STR_GENRE, "Classical" },
  { SF_STR_TRACKNUMBER, "7" },
  { SF_STR_COPYRIGHT, "CC-BY 4.0" },
};

static void
write_tagged (const char *path,
              int         format)
{
  SF_INFO info = { .samplerate = 44100, .channels = 2, .format = format };
  g_autofree double *v = g_new0 (double, 4410 * 2);
  SNDFILE *sf = sf_open (path, SFM_WRITE, &info);

  if (sf == NULL)
    g_error ("cannot write fixture %s: %s", path, sf_strerror (NULL));
  for (guint i = 0; i < G_N_ELEMENTS (tags); i++)
    g_assert_cmpint (sf_set_string (sf, tags[i].type, tags[i].value), ==, 0);
  for (gsize i = 0; i < 4410 * 2; i++)
    v[i] = 0.1 * sin (i * 0.05);
  g_assert_cmpint (sf_writef_double (sf, v, 4410), ==, 4410);
  g_assert_cmpint (sf_close (sf), ==, 0);
}

/* @type's value in @path, or NULL */
static char *
read_tag (const char *path,
          int         type)
{
  SF_INFO info = { 0 };
  SNDFILE *sf = sf_open (path, SFM_READ, &info);
  char *value;

  g_assert_nonnull (sf);
  value = g_strdup (sf_get_string (sf, type));
  sf_close (sf);
  return value;
}

/* Tags go from each format to each format that holds them (libsndfile's
 * reading of them is the judge), and --no-metadata drops them. */
static void
test_metadata (Fixture       *f,
               gconstpointer  data)
{
  const struct
  {
    const char *name;
    int         sf_format;
    CwFormat    format;
  } kinds[] = {
    { "wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, CW_FORMAT_WAV },
    { "flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, CW_FORMAT_FLAC },
    { "ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, CW_FORMAT_OGG },
    { "mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, CW_FORMAT_MP3 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *in = g_strdup_printf ("%s/tagged-in.%s", f->dir, kinds[i].name);

      write_tagged (in, kinds[i].sf_format);
      for (guint o = 0; o < G_N_ELEMENTS (kinds); o++)
        {
          g_autofree char *out = g_strdup_printf ("%s/%s-to.%s", f->dir, kinds[i].name, kinds[o].name);
          g_autofree char *bare = g_strdup_printf ("%s/%s-bare.%s", f->dir, kinds[i].name, kinds[o].name);
          Job job = { .spec = "gain:db=-1", .format = kinds[o].format };
          guint kept = 0, offered = 0;

          run_ok (in, out, &job);
          for (guint t = 0; t < G_N_ELEMENTS (tags); t++)
            {
              g_autofree char *had = read_tag (in, tags[t].type);
              g_autofree char *got = read_tag (out, tags[t].type);

              if (had == NULL)
                continue;       /* the input's format cannot hold it */
              offered++;
              /* the output's format may not hold it either; if it does,
               * it holds it unchanged */
              if (got != NULL)
                {
                  g_assert_cmpstr (got, ==, had);
                  kept++;
                }
            }
          g_test_message ("%s → %s: %u of %u tags kept", kinds[i].name, kinds[o].name, kept, offered);
          /* every format here holds at least title, artist, album */
          for (guint t = 0; t < 3; t++)
            {
              g_autofree char *had = read_tag (in, tags[t].type);
              g_autofree char *got = read_tag (out, tags[t].type);

              g_assert_cmpstr (got, ==, had);
            }

          job.no_metadata = TRUE;
          run_ok (in, bare, &job);
          for (guint t = 0; t < G_N_ELEMENTS (tags); t++)
            {
              g_autofree char *got = read_tag (bare, tags[t].type);

              g_assert_null (got);
            }
        }
    }
}

/* A copy to the same format (the byte-for-byte path) keeps the tags too */
static void
test_metadata_copy (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *in = path_in (f, "tagged.flac");
  g_autofree char *out = path_in (f, "copy.flac");
  const Job job = { .spec = "copy" };
  g_autofree char *title = NULL;

  write_tagged (in, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
  run_ok (in, out, &job);
  title = read_tag (out, SF_STR_TITLE);
  g_assert_cmpstr (title, ==, tags[0].value);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/cw/convert/resample/quality", test_resample_quality);
  ADD ("/cw/convert/resample/down", test_resample_down);
  ADD ("/cw/convert/loudness/ebu-case-1", test_loudness);
  ADD ("/cw/convert/loudness/ceiling", test_loudness_ceiling);
  ADD ("/cw/convert/loudness/silence", test_loudness_silence);
  ADD ("/cw/convert/bits/dither", test_bits_dither);
  ADD ("/cw/convert/bits/formats", test_bits_formats);
  ADD ("/cw/convert/quality", test_quality);
  ADD ("/cw/convert/metadata/round-trip", test_metadata);
  ADD ("/cw/convert/metadata/copy", test_metadata_copy);

  return g_test_run ();
}
