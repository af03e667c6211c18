/* bench-rng.c: ns per sample of the Gaussian fill, and ms per file of the
 * audio engine with noise vs pass-through
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-rng [SAMPLES [RUNS [WAV]]]
 *   (default 10584000 = one lesson file, 9 runs)
 * Fills in blocks of 65536 like the audio engine, and runs the fused PCM_16
 * noise kernel the same way, on every path this CPU has (portable, AVX2,
 * AVX-512) in turn, and prints the medians (CW_RNG_NO_AVX512=1 stops at
 * AVX2, CW_RNG_NO_SIMD=1 at the portable reference). With WAV (a lesson file,
 * e.g. from `corewave-cli --demo /dev/shm/cwb/in`), also times
 * cw_audio_process() on it with "noise" and with "copy", alternating, output
 * next to it in a temporary folder (put both on tmpfs).
 */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cw-audio.h"
#include "cw-rng.h"

#define BLOCK 65536

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
report (const char *what,
        double     *v,
        int         runs,
        const char *unit)
{
  qsort (v, runs, sizeof *v, compare_double);
  printf ("%s: %.3f %s (median of %d, min %.3f, max %.3f)\n",
          what, v[runs / 2], unit, runs, v[0], v[runs - 1]);
}

static double
time_job (const char *in,
          const char *out,
          const char *spec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwChain) chain = cw_chain_parse (spec, &error);
  CwAudioJob job = { in, out, chain, CW_FORMAT_SAME, 1, "example00.wav", TRUE };
  gint64 t0;

  g_assert_no_error (error);
  g_unlink (out);
  t0 = g_get_monotonic_time ();
  if (!cw_audio_process (&job, NULL, NULL, &error))
    g_error ("%s: %s", in, error->message);
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* ns per sample of @fill over @n samples in the audio engine's blocks */
static double
time_fill (gsize   n,
           float  *buf,
           double *checksum)
{
  gint64 t0 = g_get_monotonic_time ();

  for (gsize pos = 0, b = 0; pos < n; pos += BLOCK, b++)
    {
      CwRng rng;
      gsize m = MIN (BLOCK, n - pos);

      cw_rng_init_stream (&rng, 42, "example00.wav", b);
      cw_rng_fill_gaussian (&rng, buf, m);
      *checksum += buf[m - 1];
    }
  return (g_get_monotonic_time () - t0) * 1000.0 / n;
}

/* ns per sample of the fused PCM_16 noise kernel, in place */
static double
time_noise16 (gsize   n,
              gint16 *pcm)
{
  gint64 t0 = g_get_monotonic_time ();

  for (gsize pos = 0, b = 0; pos < n; pos += BLOCK, b++)
    {
      CwRng rng;
      CwGauss g;
      gsize m = MIN (BLOCK, n - pos);

      cw_rng_init_stream (&rng, 42, "example00.wav", b);
      cw_gauss_init (&g, &rng);
      cw_gauss_noise16 (&g, pcm, pcm, m, 0.1 * 32768.0);
    }
  return (g_get_monotonic_time () - t0) * 1000.0 / n;
}

int
main (int   argc,
      char *argv[])
{
  gsize n = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 10584000;
  int runs = argc > 2 ? atoi (argv[2]) : 9;
  const char *wav = argc > 3 ? argv[3] : NULL;
  g_autofree float *buf = g_new (float, BLOCK);
  g_autofree gint16 *pcm = g_new0 (gint16, BLOCK);
  CwRngPath best = cw_rng_get_path ();
  CwRngPath paths[3];
  guint n_paths = 0;
  double *fill[3], *kernel[3];
  double checksum = 0;

  if (n == 0 || runs < 1)
    {
      fprintf (stderr, "usage: %s [SAMPLES [RUNS [WAV]]]\n", argv[0]);
      return 2;
    }
  /* every path up to the one in use (CW_RNG_NO_SIMD, CW_RNG_NO_AVX512),
   * timed in turn, run after run */
  for (CwRngPath path = CW_RNG_PORTABLE; path <= best; path++)
    if (cw_rng_set_path (path))
      {
        paths[n_paths] = path;
        fill[n_paths] = g_new (double, runs);
        kernel[n_paths] = g_new (double, runs);
        n_paths++;
      }

  for (int r = -1; r < runs; r++)  /* one warm-up run */
    for (guint p = 0; p < n_paths; p++)
      {
        double f, k;

        cw_rng_set_path (paths[p]);
        f = time_fill (n, buf, &checksum);
        k = time_noise16 (n, pcm);
        if (r >= 0)
          {
            fill[p][r] = f;
            kernel[p][r] = k;
          }
      }
  cw_rng_set_path (best);
  printf ("(%" G_GSIZE_FORMAT " samples, checksum %g)\n", n, checksum);
  for (guint p = 0; p < n_paths; p++)
    {
      g_autofree char *what = g_strdup_printf ("cw_rng_fill_gaussian, %s", cw_rng_path_name (paths[p]));
      g_autofree char *what2 = g_strdup_printf ("noise16 kernel (fill, add, round, clip), %s",
                                                cw_rng_path_name (paths[p]));

      report (what, fill[p], runs, "ns/sample");
      report (what2, kernel[p], runs, "ns/sample");
      g_free (fill[p]);
      g_free (kernel[p]);
    }

  if (wav != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (wav);
      g_autofree char *tmp = g_build_filename (dir, ".bench-rng-XXXXXX", NULL);
      g_autofree char *out = NULL;
      g_autofree double *noise = g_new (double, runs);
      g_autofree double *copy = g_new (double, runs);

      if (g_mkdtemp (tmp) == NULL)
        g_error ("cannot create %s", tmp);
      out = g_build_filename (tmp, "out.wav", NULL);
      time_job (wav, out, "noise");
      time_job (wav, out, "copy");
      for (int r = 0; r < runs; r++)
        {
          noise[r] = time_job (wav, out, "noise");
          copy[r] = time_job (wav, out, "copy");
        }
      g_unlink (out);
      g_rmdir (tmp);
      printf ("one file through cw_audio_process (), %s path:\n", cw_rng_path_name (best));
      report ("one file, noise", noise, runs, "ms");
      report ("one file, copy ", copy, runs, "ms");
    }
  return 0;
}
