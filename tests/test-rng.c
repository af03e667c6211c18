/* test-rng.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <math.h>
#include <string.h>

#include "cw-rng.h"

static guint64
hash_floats (const float *v,
             gsize        n)
{
  guint64 h = G_GUINT64_CONSTANT (0xCBF29CE484222325);

  for (gsize i = 0; i < n; i++)
    {
      guint32 bits;

      memcpy (&bits, &v[i], sizeof bits);
      for (int b = 0; b < 4; b++)
        {
          h ^= (bits >> (8 * b)) & 0xFF;
          h *= G_GUINT64_CONSTANT (0x100000001B3);
        }
    }
  return h;
}

/* A silent change of the algorithm, the seeding or the polynomials must fail
 * here: these numbers are part of the output format. They changed on purpose
 * once, when the 256-layer Ziggurat gave way to the float32 Box–Muller
 * (faster, no table gathers or rejects; see cw-rng.c): the xoshiro256++ words and
 * the seeding did not change, the deviates did. */
static void
test_golden (void)
{
  static const guint64 golden_u64[] = {
    G_GUINT64_CONSTANT (0x92f7b94fdc5ad6a8),
    G_GUINT64_CONSTANT (0xaa7cdda9e8d893cf),
    G_GUINT64_CONSTANT (0x3c84bc2b1889df33),
    G_GUINT64_CONSTANT (0xbb0dc5207bbdbacf),
  };
  static const guint32 golden_bits[] = {
    0xbc4af020, /* -0.0123863518 */
    0x3dd4ec2a, /* 0.103966072 */
    0x3f603f86, /* 0.875969291 */
    0x3f8d5552, /* 1.10416627 */
    0x3f614af6, /* 0.880050063 */
    0xbf10e098, /* -0.565927029 */
    0x3f4ce4e0, /* 0.800367355 */
    0x3ee96d5d, /* 0.455912501 */
  };
  const gsize n = 1000003;
  g_autofree float *big = g_new (float, n);
  float v[8];
  CwRng rng;

  cw_rng_init (&rng, 42, "example00.wav");
  for (guint i = 0; i < G_N_ELEMENTS (golden_u64); i++)
    g_assert_cmphex (cw_rng_next_u64 (&rng), ==, golden_u64[i]);

  cw_rng_init (&rng, 42, "example00.wav");
  cw_rng_fill_gaussian (&rng, v, G_N_ELEMENTS (v));
  for (guint i = 0; i < G_N_ELEMENTS (v); i++)
    {
      guint32 bits;

      memcpy (&bits, &v[i], sizeof bits);
      g_assert_cmphex (bits, ==, golden_bits[i]);
    }

  /* a long run, every octant and a partial last group; the reference too */
  cw_rng_init_stream (&rng, 7, "golden", 3);
  cw_rng_fill_gaussian (&rng, big, n);
  g_assert_cmphex (hash_floats (big, n), ==, G_GUINT64_CONSTANT (0xcfb98867c89f62d1));
  cw_rng_init_stream (&rng, 7, "golden", 3);
  cw_rng_fill_gaussian_reference (&rng, big, n);
  g_assert_cmphex (hash_floats (big, n), ==, G_GUINT64_CONSTANT (0xcfb98867c89f62d1));
}

static void
test_init_stream (void)
{
  CwRng a, b;

  cw_rng_init (&a, 1, "x");
  cw_rng_init_stream (&b, 1, "x", 0);
  g_assert_cmpmem (&a, sizeof a, &b, sizeof b);
  cw_rng_init_stream (&b, 1, "x", 1);
  g_assert_true (memcmp (&a, &b, sizeof a) != 0);
}

static void
test_determinism (void)
{
  const gsize n = 100000;
  g_autofree float *a = g_new (float, n);
  g_autofree float *b = g_new (float, n);
  CwRng r1, r2;

  cw_rng_init (&r1, 123, "song.wav");
  cw_rng_init (&r2, 123, "song.wav");
  cw_rng_fill_gaussian (&r1, a, n);
  cw_rng_fill_gaussian (&r2, b, n);
  g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));

  /* another key, another seed, another stream: other noise */
  cw_rng_init (&r2, 123, "song2.wav");
  cw_rng_fill_gaussian (&r2, b, n);
  g_assert_true (memcmp (a, b, n * sizeof (float)) != 0);
  cw_rng_init (&r2, 124, "song.wav");
  cw_rng_fill_gaussian (&r2, b, n);
  g_assert_true (memcmp (a, b, n * sizeof (float)) != 0);
  cw_rng_init_stream (&r2, 123, "song.wav", 1);
  cw_rng_fill_gaussian (&r2, b, n);
  g_assert_true (memcmp (a, b, n * sizeof (float)) != 0);

  /* NULL key is the empty key */
  cw_rng_init (&r1, 5, NULL);
  cw_rng_init (&r2, 5, "");
  g_assert_cmpmem (&r1, sizeof r1, &r2, sizeof r2);
}

/* Runs @func once on every SIMD path this CPU has (AVX2, AVX-512), then
 * puts the detected path back. */
static void
on_each_simd_path (void (*func) (void))
{
  CwRngPath best = cw_rng_get_path ();
  guint n = 0;

  for (CwRngPath path = CW_RNG_AVX2; path <= CW_RNG_AVX512; path++)
    if (cw_rng_set_path (path))
      {
        g_test_message ("on the %s path", cw_rng_path_name (path));
        func ();
        n++;
      }
  g_assert_true (cw_rng_set_path (best));
  if (n == 0)
    g_test_skip ("no SIMD path on this CPU");
}

/* The SIMD paths must give the reference's bits, for every length. */
static void
simd_matches_reference (void)
{
  const gsize max = 4 * 1024 * 1024 + 3;  /* rare corners (u = 1 is 1 in 2^25 pairs) */
  g_autofree float *a = g_new (float, max);
  g_autofree float *b = g_new (float, max);
  const gsize lengths[] = { 0, 1, 2, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000, 65536, max };

  for (guint t = 0; t < G_N_ELEMENTS (lengths); t++)
    {
      gsize n = lengths[t];
      CwRng r1, r2;

      cw_rng_init_stream (&r1, t, "simd", t * 977);
      r2 = r1;
      cw_rng_fill_gaussian (&r1, a, n);
      cw_rng_fill_gaussian_reference (&r2, b, n);
      g_assert_cmpmem (a, n * sizeof (float), b, n * sizeof (float));
      g_assert_cmpmem (&r1, sizeof r1, &r2, sizeof r2);
    }
}

static void
test_simd_matches_reference (void)
{
  on_each_simd_path (simd_matches_reference);
}

/* CwGauss: fills in multiples of 16 continue one another, SIMD or not. */
static void
gauss_pieces (void)
{
  const gsize n = 65536 + 5;
  g_autofree float *whole = g_new (float, n);
  g_autofree float *pieces = g_new (float, n);
  g_autofree float *ref = g_new (float, n);
  const gsize sizes[] = { 16, 4096, 32, 4080, 48, 16 * 1000 };
  CwRng rng, rng2;
  CwGauss g, g2;
  gsize at = 0;

  cw_rng_init_stream (&rng, 11, "pieces", 5);
  rng2 = rng;
  cw_rng_fill_gaussian (&rng, whole, n);

  cw_gauss_init (&g, &rng2);
  g2 = g;
  for (guint i = 0; at < n; i++)
    {
      gsize m = MIN (sizes[i % G_N_ELEMENTS (sizes)], n - at);

      cw_gauss_fill (&g, pieces + at, m);
      cw_gauss_fill_reference (&g2, ref + at, m);
      at += m;
    }
  g_assert_cmpmem (whole, n * sizeof (float), pieces, n * sizeof (float));
  g_assert_cmpmem (whole, n * sizeof (float), ref, n * sizeof (float));
  g_assert_cmpmem (&g, sizeof g, &g2, sizeof g2);
}

static void
test_gauss_pieces (void)
{
  on_each_simd_path (gauss_pieces);
}

/* The fused PCM_16 kernel: what its definition says (the deviates of
 * cw_gauss_fill(), x + s z in double, nearbyint half to even, clipped), on
 * the SIMD paths and the portable one, in place, for every length. */
static void
noise16 (void)
{
  const gsize max = 65536 + 37;
  const gsize lengths[] = { 0, 1, 15, 16, 17, 31, 32, 33, 1000, 65536, max };
  const double sigmas[] = { 0.1 * 32768, 0.5 * 32768, 10.0 * 32768, 0.5, 1e-3 };
  g_autofree gint16 *in = g_new (gint16, max);
  g_autofree gint16 *a = g_new (gint16, max);
  g_autofree gint16 *b = g_new (gint16, max);
  g_autofree float *z = g_new (float, max);
  gsize clipped = 0, ties = 0;

  for (gsize i = 0; i < max; i++)
    in[i] = (gint16) (i % 7 == 0 ? (i & 8 ? 32767 : -32768) : (gint16) (i * 2654435761u >> 16));

  for (guint si = 0; si < G_N_ELEMENTS (sigmas); si++)
    for (guint t = 0; t < G_N_ELEMENTS (lengths); t++)
      {
        gsize n = lengths[t];
        CwRng rng;
        CwGauss g1, g2, g3;

        cw_rng_init_stream (&rng, si, "noise16", t);
        cw_gauss_init (&g1, &rng);
        g2 = g1;
        g3 = g1;
        memcpy (a, in, n * sizeof *in);
        cw_gauss_noise16 (&g1, a, a, n, sigmas[si]);
        cw_gauss_noise16_reference (&g2, in, b, n, sigmas[si]);
        g_assert_cmpmem (a, n * sizeof *a, b, n * sizeof *b);
        g_assert_cmpmem (&g1, sizeof g1, &g2, sizeof g2);

        cw_gauss_fill_reference (&g3, z, n);
        for (gsize i = 0; i < n; i++)
          {
            double v = nearbyint ((double) in[i] + sigmas[si] * (double) z[i]);

            v = CLAMP (v, -32768.0, 32767.0);
            clipped += v == 32767.0 || v == -32768.0;
            ties += fabs ((double) in[i] + sigmas[si] * (double) z[i] - floor ((double) in[i] + sigmas[si] * (double) z[i]) - 0.5) == 0.0;
            g_assert_cmpint (a[i], ==, (gint16) v);
          }
      }
  g_test_message ("%" G_GSIZE_FORMAT " clipped, %" G_GSIZE_FORMAT " exact ties", clipped, ties);
  g_assert_cmpuint (clipped, >, 1000);
}

static void
test_noise16 (void)
{
  on_each_simd_path (noise16);
}

static double
ulp_of (double x)
{
  int e;

  frexp (fabs (x), &e);
  return ldexp (1.0, e - 24);
}

/* Our -2 ln u, sin and cos against libm in double, over a dense grid of
 * their whole domains (every 7th float u in [2^-32, 1], every 5th phi). */
static void
test_accuracy (void)
{
  double worst_log = 0, worst_sin = 0, worst_cos = 0;

  for (guint32 b = 0x2f800000u; b <= 0x3f800000u; b += 7)
    {
      float u;
      double exact, err;

      memcpy (&u, &b, sizeof u);
      exact = -2.0 * log ((double) u);
      err = fabs (cw_rng_minus2log_det (u) - exact);
      if (exact == 0.0)
        g_assert_cmpfloat (err, ==, 0.0);
      else
        worst_log = MAX (worst_log, err / ulp_of (exact));
    }
  /* u = 1 (one radius word in 2^25) gives r = +0, never -0, on both paths */
  {
    float zero = cw_rng_minus2log_det (1.0f);
    guint32 zbits;

    memcpy (&zbits, &zero, sizeof zbits);
    g_assert_cmphex (zbits, ==, 0);
  }

  for (gint32 k = 1; k < (1 << 24); k += 5)
    {
      float phi = (float) k * (float) (G_PI / 4 / 16777216.0);
      float s, c;

      cw_rng_sincos_det (phi, &s, &c);
      worst_sin = MAX (worst_sin, fabs (s - sin ((double) phi)) / ulp_of (sin ((double) phi)));
      worst_cos = MAX (worst_cos, fabs (c - cos ((double) phi)) / ulp_of (cos ((double) phi)));
    }
  g_test_message ("worst errors: -2 ln u %.2f ulp, sin %.2f ulp, cos %.2f ulp",
                  worst_log, worst_sin, worst_cos);
  /* all floats checked once: 2.51, 0.79 and 1.25 ulp */
  g_assert_cmpfloat (worst_log, <, 3.0);
  g_assert_cmpfloat (worst_sin, <, 1.5);
  g_assert_cmpfloat (worst_cos, <, 1.5);
}

static void
test_statistics (void)
{
  const gsize n = 10000000, block = 65536;
  g_autofree float *v = g_new (float, block);
  double sum = 0, sum2 = 0, sum4 = 0;
  gsize beyond3 = 0, beyond4 = 0, done = 0;
  float lo = 0, hi = 0;

  for (guint64 b = 0; done < n; b++)
    {
      gsize m = MIN (block, n - done);
      CwRng rng;

      cw_rng_init_stream (&rng, 2026, "stats", b);
      cw_rng_fill_gaussian (&rng, v, m);
      for (gsize i = 0; i < m; i++)
        {
          double x = v[i];

          g_assert_true (isfinite (x));
          sum += x;
          sum2 += x * x;
          sum4 += x * x * x * x;
          beyond3 += fabs (x) > 3.0;
          beyond4 += fabs (x) > 4.0;
          lo = MIN (lo, v[i]);
          hi = MAX (hi, v[i]);
        }
      done += m;
    }

  {
    double mean = sum / n;
    double var = sum2 / n - mean * mean;
    double kurt = (sum4 / n) / (var * var);
    double p3 = (double) beyond3 / n;
    double p4 = (double) beyond4 / n;

    g_test_message ("mean %g sd %g kurtosis %g P(|z|>3) %g P(|z|>4) %g min %g max %g",
                    mean, sqrt (var), kurt, p3, p4, lo, hi);
    /* sd of the mean is 1/sqrt(n) = 3.2e-4: 5 sigma */
    g_assert_cmpfloat (fabs (mean), <, 0.0016);
    g_assert_cmpfloat (fabs (sqrt (var) - 1.0), <, 0.001);
    g_assert_cmpfloat (fabs (kurt - 3.0), <, 0.02);
    /* 2 * (1 - Phi(3)) = 0.0026998; Phi(4) tail 6.334e-5 */
    g_assert_cmpfloat (fabs (p3 - 0.0026998), <, 0.0001);
    g_assert_cmpfloat (fabs (p4 - 6.334e-5), <, 1.5e-5);
    /* the tail is reached both ways (P(|z| > 4.5) = 6.8e-6: 68 expected),
     * and never beyond the truncation at sqrt (64 ln 2) = 6.6604 */
    g_assert_cmpfloat (lo, <, -4.5);
    g_assert_cmpfloat (hi, >, 4.5);
    g_assert_cmpfloat (lo, >=, -6.6605);
    g_assert_cmpfloat (hi, <=, 6.6605);
  }
}

/* A histogram against the normal CDF, to catch a wrong table or wedge. */
static void
test_histogram (void)
{
  const gsize n = 4000000;
  g_autofree float *v = g_new (float, n);
  guint bins[80] = { 0 };
  double chi2 = 0;
  CwRng rng;

  cw_rng_init (&rng, 99, "histogram");
  cw_rng_fill_gaussian (&rng, v, n);
  for (gsize i = 0; i < n; i++)
    {
      int b = (int) floor ((v[i] + 4.0) * 10.0);

      if (b >= 0 && b < 80)
        bins[b]++;
    }
  for (int b = 0; b < 80; b++)
    {
      double x0 = b / 10.0 - 4.0, x1 = x0 + 0.1;
      double p = 0.5 * (erfc (-x1 / G_SQRT2) - erfc (-x0 / G_SQRT2));
      double expected = p * n;

      chi2 += (bins[b] - expected) * (bins[b] - expected) / expected;
    }
  g_test_message ("chi2 = %g for 79 degrees of freedom", chi2);
  /* the 99.99th percentile of chi2(79) is about 133 */
  g_assert_cmpfloat (chi2, <, 133.0);
}

static void
test_exp (void)
{
  const double xs[] = { -115.1, -20, -6.7, -1, -0.5, 0, 1e-9, 0.5, 1, 2.302585092994046, 50 };

  for (guint i = 0; i < G_N_ELEMENTS (xs); i++)
    g_assert_cmpfloat_with_epsilon (cw_exp_det (xs[i]) / exp (xs[i]), 1.0, 4e-15);
  g_assert_cmpfloat (cw_exp_det (0.0), ==, 1.0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/rng/golden", test_golden);
  g_test_add_func ("/cw/rng/init-stream", test_init_stream);
  g_test_add_func ("/cw/rng/determinism", test_determinism);
  g_test_add_func ("/cw/rng/simd-matches-reference", test_simd_matches_reference);
  g_test_add_func ("/cw/rng/gauss-pieces", test_gauss_pieces);
  g_test_add_func ("/cw/rng/noise16", test_noise16);
  g_test_add_func ("/cw/rng/accuracy", test_accuracy);
  g_test_add_func ("/cw/rng/statistics", test_statistics);
  g_test_add_func ("/cw/rng/histogram", test_histogram);
  g_test_add_func ("/cw/rng/exp", test_exp);

  return g_test_run ();
}
