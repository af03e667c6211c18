/* bench-rng.c: ns per sample of the Gaussian fill, and ms per file of the
 * audio engine with noise vs pass-through
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Usage: bench-rng [SAMPLES [RUNS [WAV]]]
 *   (default 10584000 = one lesson file, 9 runs)
 * Fills in blocks of 65536 like the audio engine and prints the median
 * (CW_RNG_NO_SIMD=1 times the portable reference). With WAV (a lesson file,
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

int
main (int   argc,
      char *argv[])
{
  gsize n = argc > 1 ? g_ascii_strtoull (argv[1], NULL, 10) : 10584000;
  int runs = argc > 2 ? atoi (argv[2]) : 9;
  const char *wav = argc > 3 ? argv[3] : NULL;
  g_autofree float *buf = g_new (float, BLOCK);
  g_autofree double *ns = NULL;
  double checksum = 0;

  if (n == 0 || runs < 1)
    {
      fprintf (stderr, "usage: %s [SAMPLES [RUNS [WAV]]]\n", argv[0]);
      return 2;
    }
  ns = g_new (double, runs);

  for (int r = -1; r < runs; r++)  /* one warm-up run */
    {
      gint64 t0 = g_get_monotonic_time ();

      for (gsize pos = 0, b = 0; pos < n; pos += BLOCK, b++)
        {
          CwRng rng;
          gsize m = MIN (BLOCK, n - pos);

          cw_rng_init_stream (&rng, 42, "example00.wav", b);
          cw_rng_fill_gaussian (&rng, buf, m);
          checksum += buf[m - 1];
        }
      if (r >= 0)
        ns[r] = (g_get_monotonic_time () - t0) * 1000.0 / n;
    }
  printf ("(%s, %" G_GSIZE_FORMAT " samples, checksum %g)\n",
          cw_rng_have_simd () ? "AVX2" : "portable", n, checksum);
  report ("cw_rng_fill_gaussian", ns, runs, "ns/sample");

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
      report ("one file, noise", noise, runs, "ms");
      report ("one file, copy ", copy, runs, "ms");
    }
  return 0;
}
