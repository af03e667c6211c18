/* cw-rng.c: xoshiro256++ and a vectorised Box–Muller, bit-identical everywhere
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave-audio"

#include <math.h>
#include <string.h>

#include "cw-rng.h"

/* Determinism rules, because a file's noise must not depend on the machine:
 *  - only integer ops and IEEE basic float/double ops (+ - * / sqrt and exact
 *    or correctly rounded conversions) are used; exp(), log(), sin() and
 *    cos() are our own, since libm may pick different code (FMA or not) on
 *    different CPUs;
 *  - the build uses -ffp-contract=off, so nothing is fused;
 *  - the AVX2 and AVX-512 paths do exactly the same IEEE operations, in the
 *    same order, as the portable one (bm_group()), just with eight (sixteen)
 *    pairs per instruction.
 *
 * The Gaussian generator is Box–Muller in float32 on eight xoshiro256++
 * lanes (it replaced a 256-layer Ziggurat whose table gathers and rejects
 * cost 1.3 ns/sample; this one has neither). One step of the eight lanes
 * gives eight 64-bit words A (lanes 0-3) and B (lanes 4-7); 32-bit half p of
 * A (low half first) is the radius word a_p, half p of B the angle word w_p
 * of pair p, and the pair gives out[p] = r cos and out[8 + p] = r sin:
 *  - u = ((a >> 1) + 0.5) 2^-31 in (0, 1], never 0; r = sqrt(-2 ln u), ln
 *    from the exponent and 2 atanh((m - 1)/(m + 1)), m in [sqrt 1/2, sqrt 2);
 *  - the angle is an octant of the circle (bits 0-2 of w: swap x and y, flip
 *    x, flip y) plus phi = (w >> 8) pi/4 2^-24 in [0, pi/4), with sin and cos
 *    of phi from short minimax polynomials (Cephes' single precision ones).
 * Errors over the whole domains: -2 ln u 2.5 ulp, sin 0.8 ulp, cos 1.25 ulp.
 * The tail is truncated where u is smallest: |z| <= r_max = sqrt(64 ln 2) =
 * 6.660 (a deviate beyond 6.66 sigma has probability 2.7e-11, once in 37 G
 * samples); below that the distribution is exact up to float rounding (the
 * log and sin/cos are within a few ulp, see test-rng.c). */

#define LANES 8
#define GROUP (2 * LANES)      /* outputs per step of the lanes */
#define NOISE16_CHUNK 2048     /* deviates per piece of the noise kernel: in L1 */

/* -2 ln u = (-e) 2 ln 2 - s P(s^2), with 4 atanh s = s P(s^2) */
#define BM_SQRT_HALF_BITS 0x3f3504f3            /* sqrtf (0.5f) */
#define BM_U_SCALE        4.656612873077392578125e-10f  /* 2^-31 */
#define BM_LN2_HI         0.693145751953125f    /* 12 low bits clear: E ln2_hi is exact */
#define BM_LN2_LO         1.428606765330187045e-06f
#define BM_LN2_HI_2       (2.0f * BM_LN2_HI)
#define BM_LN2_LO_2       (2.0f * BM_LN2_LO)
#define BM_P0             4.0f
#define BM_P1             ((float) (4.0 / 3.0))
#define BM_P2             ((float) (4.0 / 5.0))
#define BM_P3             ((float) (4.0 / 7.0))
#define BM_P4             ((float) (4.0 / 9.0))
/* phi = k pi/4 2^-24, k < 2^24 */
#define BM_PHI_SCALE      ((float) (0.78539816339744830962 / 16777216.0))
/* sin phi = phi + phi^3 (S3 + S5 phi^2 + S7 phi^4) on [0, pi/4] */
#define BM_S3             -1.6666654611e-1f
#define BM_S5             8.3321608736e-3f
#define BM_S7             -1.9515295891e-4f
/* cos phi = 1 - phi^2/2 + phi^4 (C4 + C6 phi^2 + C8 phi^4) */
#define BM_C4             4.166664568298827e-2f
#define BM_C6             -1.388731625493765e-3f
#define BM_C8             2.443315711809948e-5f

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

static inline guint64
splitmix64_next (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9E3779B97F4A7C15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94D049BB133111EB);
  return z ^ (z >> 31);
}

static inline guint64
mix64 (guint64 x)
{
  guint64 s = x;

  return splitmix64_next (&s);
}

/* exp() for |x| < 700, from basic operations only. */
static double
det_exp (double x)
{
  /* 1/k! */
  static const double c[] = {
    1.0, 1.0, 0.5,
    0.16666666666666666, 0.041666666666666664, 0.008333333333333333,
    0.001388888888888889, 0.0001984126984126984, 2.48015873015873e-05,
    2.7557319223985893e-06, 2.755731922398589e-07, 2.505210838544172e-08,
    2.08767569878681e-09, 1.6059043836821613e-10, 1.1470745597729725e-11
  };
  const double ln2_hi = 6.93147180369123816490e-01;
  const double ln2_lo = 1.90821492927058770002e-10;
  double n = floor (x * 1.44269504088896338700 + 0.5);
  double r = (x - n * ln2_hi) - n * ln2_lo;
  double p = c[14];
  union { double d; guint64 u; } scale;

  /* |r| <= 0.35: Taylor to r^14 is below 2^-53 */
  for (int k = 13; k >= 0; k--)
    p = p * r + c[k];
  scale.u = (guint64) (1023 + (gint64) n) << 52;
  return p * scale.d;
}

static guint64
hash_key (const char *key)
{
  /* FNV-1a, then a strong finaliser */
  guint64 h = G_GUINT64_CONSTANT (0xCBF29CE484222325);

  for (const guchar *p = (const guchar *) (key ? key : ""); *p; p++)
    {
      h ^= *p;
      h *= G_GUINT64_CONSTANT (0x100000001B3);
    }
  return mix64 (h);
}

static void
seed_state (guint64  s[4],
            guint64  seed)
{
  guint64 sm = seed;

  for (int i = 0; i < 4; i++)
    s[i] = splitmix64_next (&sm);
  if ((s[0] | s[1] | s[2] | s[3]) == 0)
    s[0] = 1;
}

void
cw_rng_init_stream (CwRng      *rng,
                    guint64     seed,
                    const char *key,
                    guint64     stream)
{
  guint64 base = mix64 (mix64 (seed) ^ hash_key (key));

  /* mixing the stream number non-linearly keeps neighbouring streams'
   * splitmix sequences from overlapping */
  seed_state (rng->s, base ^ mix64 (stream ^ G_GUINT64_CONSTANT (0x5851F42D4C957F2D)));
}

void
cw_rng_init (CwRng      *rng,
             guint64     seed,
             const char *key)
{
  cw_rng_init_stream (rng, seed, key, 0);
}

guint64
cw_rng_next_u64 (CwRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[0] + s[3], 23) + s[0];
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
cw_exp_det (double x)
{
  return det_exp (x);
}

/* ---- Box–Muller, the reference ------------------------------------------ */

static inline float
f_from_bits (guint32 u)
{
  float f;

  memcpy (&f, &u, sizeof f);
  return f;
}

static inline guint32
bits_from_f (float f)
{
  guint32 u;

  memcpy (&u, &f, sizeof u);
  return u;
}

/* -2 ln u for u in (0, 1] a normal float: 0 for u = 1. */
static inline float
bm_minus2log (float u)
{
  guint32 bits = bits_from_f (u);
  gint32 e = ((gint32) (bits - BM_SQRT_HALF_BITS)) >> 23;
  float m = f_from_bits (bits - ((guint32) e << 23));
  float s = (m - 1.0f) / (m + 1.0f);
  float s2 = s * s;
  float p = (((BM_P4 * s2 + BM_P3) * s2 + BM_P2) * s2 + BM_P1) * s2 + BM_P0;
  float ef = (float) -e;

  /* (-e) (2 ln2) rounds like (-2 e) ln2 (scaling by 2 is exact); -e, not e
   * times -2 ln2, so that u = 1 gives +0, not -0 */
  return (ef * BM_LN2_LO_2 - s * p) + ef * BM_LN2_HI_2;
}

static inline float
bm_sin (float phi,
        float zz)
{
  return phi + (phi * zz) * ((BM_S7 * zz + BM_S5) * zz + BM_S3);
}

static inline float
bm_cos (float zz)
{
  return (1.0f - 0.5f * zz) + (zz * zz) * ((BM_C8 * zz + BM_C6) * zz + BM_C4);
}

/* Eight pairs from the radius words a[p] and the angle words w[p]: x to
 * out[p], y to out[8 + p]. Written as one loop per stage over independent
 * pairs, so that compilers can vectorise it and the CPU can overlap the
 * long division/square-root chains; each pair's operations are the same. */
static inline void
bm_group (const guint32  a[LANES],
          const guint32  w[LANES],
          float          out[GROUP])
{
  float t[LANES], r[LANES];

  for (int p = 0; p < LANES; p++)
    t[p] = bm_minus2log (((float) (gint32) (a[p] >> 1) + 0.5f) * BM_U_SCALE);
  for (int p = 0; p < LANES; p++)
    r[p] = sqrtf (t[p]);
  for (int p = 0; p < LANES; p++)
    {
      float phi = (float) (gint32) (w[p] >> 8) * BM_PHI_SCALE;
      float zz = phi * phi;
      float sn = bm_sin (phi, zz);
      float cs = bm_cos (zz);
      float cx = (w[p] & 1) ? sn : cs;
      float cy = (w[p] & 1) ? cs : sn;

      out[p] = f_from_bits (bits_from_f (r[p] * cx) ^ ((w[p] << 30) & 0x80000000u));
      out[LANES + p] = f_from_bits (bits_from_f (r[p] * cy) ^ ((w[p] << 29) & 0x80000000u));
    }
}

float
cw_rng_minus2log_det (float u)
{
  return bm_minus2log (u);
}

void
cw_rng_sincos_det (float  phi,
                   float *s,
                   float *c)
{
  float zz = phi * phi;

  *s = bm_sin (phi, zz);
  *c = bm_cos (zz);
}

/* The reference: every other implementation must give the same bits. */
static void
fill_scalar (CwGauss *g,
             float   *out,
             gsize    n)
{
  while (n > 0)
    {
      guint64 r[LANES];
      guint32 a[LANES], w[LANES];
      float tmp[GROUP];
      float *dst = n >= GROUP ? out : tmp;
      gsize m = MIN (n, GROUP);

      for (int j = 0; j < LANES; j++)
        {
          guint64 t = g->s[1][j] << 17;

          r[j] = rotl (g->s[0][j] + g->s[3][j], 23) + g->s[0][j];
          g->s[2][j] ^= g->s[0][j];
          g->s[3][j] ^= g->s[1][j];
          g->s[1][j] ^= g->s[2][j];
          g->s[0][j] ^= g->s[3][j];
          g->s[2][j] ^= t;
          g->s[3][j] = rotl (g->s[3][j], 45);
        }
      for (int p = 0; p < LANES; p++)
        {
          int half = 32 * (p & 1);

          a[p] = (guint32) (r[p / 2] >> half);
          w[p] = (guint32) (r[LANES / 2 + p / 2] >> half);
        }
      bm_group (a, w, dst);
      if (dst == tmp)
        memcpy (out, tmp, m * sizeof (float));
      out += m;
      n -= m;
    }
}

/* ---- Box–Muller, eight pairs at a time ---------------------------------- */

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define XO_STEP(s0, s1, s2, s3, r) \
  do { \
    __m256i sum_ = _mm256_add_epi64 (s0, s3); \
    __m256i t_ = _mm256_slli_epi64 (s1, 17); \
    r = _mm256_add_epi64 (_mm256_or_si256 (_mm256_slli_epi64 (sum_, 23), \
                                           _mm256_srli_epi64 (sum_, 41)), s0); \
    s2 = _mm256_xor_si256 (s2, s0); \
    s3 = _mm256_xor_si256 (s3, s1); \
    s1 = _mm256_xor_si256 (s1, s2); \
    s0 = _mm256_xor_si256 (s0, s3); \
    s2 = _mm256_xor_si256 (s2, t_); \
    s3 = _mm256_or_si256 (_mm256_slli_epi64 (s3, 45), _mm256_srli_epi64 (s3, 19)); \
  } while (0)

/* Eight pairs from each of the radius words ra[k] and the angle words
 * rb[k], BM_K groups in lockstep, so that independent work sits between the
 * long-latency steps (division, square root) in program order. On Zen 3,
 * BM_K = 1, 2 and 3 all measure 0.86-0.87 ns/sample: the loop is bound by
 * its ~85 vector operations per 16 deviates, not by latency. */
#ifndef BM_K
#define BM_K 2
#endif
#define EACH for (int k = 0; k < BM_K; k++)

__attribute__((target ("avx2"), always_inline))
static inline void
bm8_avx2 (const __m256i *ra,
          const __m256i *rb,
          __m256        *x,
          __m256        *y)
{
  const __m256 one = _mm256_set1_ps (1.0f);
  const __m256 half = _mm256_set1_ps (0.5f);
  const __m256 u_scale = _mm256_set1_ps (BM_U_SCALE);
  const __m256i sqrt_half = _mm256_set1_epi32 (BM_SQRT_HALF_BITS);
  const __m256i sign = _mm256_set1_epi32 ((int) 0x80000000u);
  __m256i bits[BM_K], e[BM_K];
  __m256 u[BM_K], mm[BM_K], s[BM_K], s2[BM_K], p[BM_K], ef[BM_K], t[BM_K], r[BM_K];
  __m256 phi[BM_K], zz[BM_K], sn[BM_K], cs[BM_K], swap[BM_K];

#define C(v) _mm256_set1_ps (v)
  /* r = sqrt (-2 ln u) */
  EACH u[k] = _mm256_mul_ps (_mm256_add_ps (_mm256_cvtepi32_ps (_mm256_srli_epi32 (ra[k], 1)), half),
                             u_scale);
  EACH bits[k] = _mm256_castps_si256 (u[k]);
  EACH e[k] = _mm256_srai_epi32 (_mm256_sub_epi32 (bits[k], sqrt_half), 23);
  EACH mm[k] = _mm256_castsi256_ps (_mm256_sub_epi32 (bits[k], _mm256_slli_epi32 (e[k], 23)));
  EACH s[k] = _mm256_div_ps (_mm256_sub_ps (mm[k], one), _mm256_add_ps (mm[k], one));
  /* the angle, while the division runs */
  EACH phi[k] = _mm256_mul_ps (_mm256_cvtepi32_ps (_mm256_srli_epi32 (rb[k], 8)), C (BM_PHI_SCALE));
  EACH zz[k] = _mm256_mul_ps (phi[k], phi[k]);
  EACH s2[k] = _mm256_mul_ps (s[k], s[k]);
  EACH p[k] = _mm256_add_ps (_mm256_mul_ps (C (BM_P4), s2[k]), C (BM_P3));
  EACH p[k] = _mm256_add_ps (_mm256_mul_ps (p[k], s2[k]), C (BM_P2));
  EACH p[k] = _mm256_add_ps (_mm256_mul_ps (p[k], s2[k]), C (BM_P1));
  EACH p[k] = _mm256_add_ps (_mm256_mul_ps (p[k], s2[k]), C (BM_P0));
  EACH ef[k] = _mm256_cvtepi32_ps (_mm256_sub_epi32 (_mm256_setzero_si256 (), e[k]));
  EACH t[k] = _mm256_add_ps (_mm256_sub_ps (_mm256_mul_ps (ef[k], C (BM_LN2_LO_2)),
                                            _mm256_mul_ps (s[k], p[k])),
                             _mm256_mul_ps (ef[k], C (BM_LN2_HI_2)));
  EACH r[k] = _mm256_sqrt_ps (t[k]);

  EACH sn[k] = _mm256_add_ps (_mm256_mul_ps (C (BM_S7), zz[k]), C (BM_S5));
  EACH sn[k] = _mm256_add_ps (_mm256_mul_ps (sn[k], zz[k]), C (BM_S3));
  EACH sn[k] = _mm256_add_ps (phi[k], _mm256_mul_ps (_mm256_mul_ps (phi[k], zz[k]), sn[k]));
  EACH cs[k] = _mm256_add_ps (_mm256_mul_ps (C (BM_C8), zz[k]), C (BM_C6));
  EACH cs[k] = _mm256_add_ps (_mm256_mul_ps (cs[k], zz[k]), C (BM_C4));
  EACH cs[k] = _mm256_add_ps (_mm256_sub_ps (one, _mm256_mul_ps (half, zz[k])),
                              _mm256_mul_ps (_mm256_mul_ps (zz[k], zz[k]), cs[k]));
  EACH swap[k] = _mm256_castsi256_ps (_mm256_slli_epi32 (rb[k], 31));
  EACH x[k] = _mm256_blendv_ps (cs[k], sn[k], swap[k]);
  EACH y[k] = _mm256_blendv_ps (sn[k], cs[k], swap[k]);
  EACH x[k] = _mm256_xor_ps (_mm256_mul_ps (r[k], x[k]),
                             _mm256_castsi256_ps (_mm256_and_si256 (_mm256_slli_epi32 (rb[k], 30),
                                                                    sign)));
  EACH y[k] = _mm256_xor_ps (_mm256_mul_ps (r[k], y[k]),
                             _mm256_castsi256_ps (_mm256_and_si256 (_mm256_slli_epi32 (rb[k], 29),
                                                                    sign)));
#undef C
}

/* The same words, IEEE operations and order as fill_scalar(); no FMA. */
__attribute__((target ("avx2")))
static void
fill_avx2 (CwGauss *g,
           float   *out,
           gsize    n)
{
  __m256i a0 = _mm256_loadu_si256 ((const __m256i *) &g->s[0][0]);
  __m256i b0 = _mm256_loadu_si256 ((const __m256i *) &g->s[0][4]);
  __m256i a1 = _mm256_loadu_si256 ((const __m256i *) &g->s[1][0]);
  __m256i b1 = _mm256_loadu_si256 ((const __m256i *) &g->s[1][4]);
  __m256i a2 = _mm256_loadu_si256 ((const __m256i *) &g->s[2][0]);
  __m256i b2 = _mm256_loadu_si256 ((const __m256i *) &g->s[2][4]);
  __m256i a3 = _mm256_loadu_si256 ((const __m256i *) &g->s[3][0]);
  __m256i b3 = _mm256_loadu_si256 ((const __m256i *) &g->s[3][4]);

  while (n >= BM_K * GROUP)
    {
      __m256i ra[BM_K], rb[BM_K];
      __m256 x[BM_K], y[BM_K];

      EACH
        {
          XO_STEP (a0, a1, a2, a3, ra[k]);
          XO_STEP (b0, b1, b2, b3, rb[k]);
        }
      bm8_avx2 (ra, rb, x, y);
      EACH
        {
          _mm256_storeu_ps (out + k * GROUP, x[k]);
          _mm256_storeu_ps (out + k * GROUP + LANES, y[k]);
        }
      out += BM_K * GROUP;
      n -= BM_K * GROUP;
    }
  while (n > 0)
    {
      float tmp[GROUP];
      float *dst = n >= GROUP ? out : tmp;
      gsize m = MIN (n, GROUP);
      __m256i ra[BM_K] = { 0 }, rb[BM_K] = { 0 };
      __m256 x[BM_K], y[BM_K];

      /* the last groups: one step, the other lockstep slots idle */
      XO_STEP (a0, a1, a2, a3, ra[0]);
      XO_STEP (b0, b1, b2, b3, rb[0]);
      bm8_avx2 (ra, rb, x, y);
      _mm256_storeu_ps (dst, x[0]);
      _mm256_storeu_ps (dst + LANES, y[0]);

      if (dst == tmp)
        memcpy (out, tmp, m * sizeof (float));
      out += m;
      n -= m;
    }

  _mm256_storeu_si256 ((__m256i *) &g->s[0][0], a0);
  _mm256_storeu_si256 ((__m256i *) &g->s[0][4], b0);
  _mm256_storeu_si256 ((__m256i *) &g->s[1][0], a1);
  _mm256_storeu_si256 ((__m256i *) &g->s[1][4], b1);
  _mm256_storeu_si256 ((__m256i *) &g->s[2][0], a2);
  _mm256_storeu_si256 ((__m256i *) &g->s[2][4], b2);
  _mm256_storeu_si256 ((__m256i *) &g->s[3][0], a3);
  _mm256_storeu_si256 ((__m256i *) &g->s[3][4], b3);
}

/* x + sigma' z for 8 samples, in double, rounded half to even (cvtpd2dq in
 * the default mode) and saturated to int16 (packssdw): the same as
 * noise16_scalar(). */
__attribute__((target ("avx2"), always_inline))
static inline __m128i
noise16_8 (const gint16 *in,
           const float  *z,
           __m256d       sigma)
{
  __m128i v = _mm_loadu_si128 ((const __m128i *) in);
  __m256d x0 = _mm256_cvtepi32_pd (_mm_cvtepi16_epi32 (v));
  __m256d x1 = _mm256_cvtepi32_pd (_mm_cvtepi16_epi32 (_mm_unpackhi_epi64 (v, v)));
  __m256d z0 = _mm256_cvtps_pd (_mm_loadu_ps (z));
  __m256d z1 = _mm256_cvtps_pd (_mm_loadu_ps (z + 4));
  __m128i r0 = _mm256_cvtpd_epi32 (_mm256_add_pd (x0, _mm256_mul_pd (sigma, z0)));
  __m128i r1 = _mm256_cvtpd_epi32 (_mm256_add_pd (x1, _mm256_mul_pd (sigma, z1)));

  return _mm_packs_epi32 (r0, r1);
}

/* fill_avx2() into a buffer that stays in L1, then the kernel over it (one
 * loop with both in registers was slower: too few registers). Whole groups
 * of 16 samples only; returns how many were done. */
__attribute__((target ("avx2")))
static gsize
noise16_avx2 (CwGauss      *g,
              const gint16 *in,
              gint16       *out,
              gsize         n,
              double        scaled_sigma)
{
  const __m256d sigma = _mm256_set1_pd (scaled_sigma);
  float z[NOISE16_CHUNK];
  gsize done = 0;

  n -= n % GROUP;  /* the rest continues the stream from a whole group */
  while (done < n)
    {
      gsize m = MIN (NOISE16_CHUNK, n - done);

      fill_avx2 (g, z, m);
      for (gsize i = 0; i < m; i += LANES)
        _mm_storeu_si128 ((__m128i *) (out + done + i), noise16_8 (in + done + i, z + i, sigma));
      done += m;
    }
  return done;
}

/* ---- Box–Muller, sixteen pairs at a time ------------------------------- */

/* One xoshiro256++ step of the eight lanes, all in one register a word. */
#define XO_STEP512(s0, s1, s2, s3, r) \
  do { \
    __m512i t_ = _mm512_slli_epi64 (s1, 17); \
    r = _mm512_add_epi64 (_mm512_rol_epi64 (_mm512_add_epi64 (s0, s3), 23), s0); \
    s2 = _mm512_xor_si512 (s2, s0); \
    s3 = _mm512_xor_si512 (s3, s1); \
    s1 = _mm512_xor_si512 (s1, s2); \
    s0 = _mm512_xor_si512 (s0, s3); \
    s2 = _mm512_xor_si512 (s2, t_); \
    s3 = _mm512_rol_epi64 (s3, 45); \
  } while (0)

/* bm8_avx2 () on sixteen pairs: the radius and angle words of two steps
 * of the lanes side by side (ra[k] = the first step's eight radius words,
 * then the second's; rb[k] the angle words), the same IEEE operations in
 * the same order; x and y get the two steps' cosines and sines. */
__attribute__((target ("avx512f"), always_inline))
static inline void
bm16_avx512 (const __m512i *ra,
             const __m512i *rb,
             __m512        *x,
             __m512        *y)
{
  const __m512 one = _mm512_set1_ps (1.0f);
  const __m512 half = _mm512_set1_ps (0.5f);
  const __m512 u_scale = _mm512_set1_ps (BM_U_SCALE);
  const __m512i sqrt_half = _mm512_set1_epi32 (BM_SQRT_HALF_BITS);
  const __m512i sign = _mm512_set1_epi32 ((int) 0x80000000u);
  __m512i bits[BM_K], e[BM_K];
  __m512 u[BM_K], mm[BM_K], s[BM_K], s2[BM_K], p[BM_K], ef[BM_K], t[BM_K], r[BM_K];
  __m512 phi[BM_K], zz[BM_K], sn[BM_K], cs[BM_K];
  __mmask16 swap[BM_K];

#define C(v) _mm512_set1_ps (v)
  /* r = sqrt (-2 ln u) */
  EACH u[k] = _mm512_mul_ps (_mm512_add_ps (_mm512_cvtepi32_ps (_mm512_srli_epi32 (ra[k], 1)), half),
                             u_scale);
  EACH bits[k] = _mm512_castps_si512 (u[k]);
  EACH e[k] = _mm512_srai_epi32 (_mm512_sub_epi32 (bits[k], sqrt_half), 23);
  EACH mm[k] = _mm512_castsi512_ps (_mm512_sub_epi32 (bits[k], _mm512_slli_epi32 (e[k], 23)));
  EACH s[k] = _mm512_div_ps (_mm512_sub_ps (mm[k], one), _mm512_add_ps (mm[k], one));
  /* the angle, while the division runs */
  EACH phi[k] = _mm512_mul_ps (_mm512_cvtepi32_ps (_mm512_srli_epi32 (rb[k], 8)), C (BM_PHI_SCALE));
  EACH zz[k] = _mm512_mul_ps (phi[k], phi[k]);
  EACH s2[k] = _mm512_mul_ps (s[k], s[k]);
  EACH p[k] = _mm512_add_ps (_mm512_mul_ps (C (BM_P4), s2[k]), C (BM_P3));
  EACH p[k] = _mm512_add_ps (_mm512_mul_ps (p[k], s2[k]), C (BM_P2));
  EACH p[k] = _mm512_add_ps (_mm512_mul_ps (p[k], s2[k]), C (BM_P1));
  EACH p[k] = _mm512_add_ps (_mm512_mul_ps (p[k], s2[k]), C (BM_P0));
  EACH ef[k] = _mm512_cvtepi32_ps (_mm512_sub_epi32 (_mm512_setzero_si512 (), e[k]));
  EACH t[k] = _mm512_add_ps (_mm512_sub_ps (_mm512_mul_ps (ef[k], C (BM_LN2_LO_2)),
                                            _mm512_mul_ps (s[k], p[k])),
                             _mm512_mul_ps (ef[k], C (BM_LN2_HI_2)));
  EACH r[k] = _mm512_sqrt_ps (t[k]);

  EACH sn[k] = _mm512_add_ps (_mm512_mul_ps (C (BM_S7), zz[k]), C (BM_S5));
  EACH sn[k] = _mm512_add_ps (_mm512_mul_ps (sn[k], zz[k]), C (BM_S3));
  EACH sn[k] = _mm512_add_ps (phi[k], _mm512_mul_ps (_mm512_mul_ps (phi[k], zz[k]), sn[k]));
  EACH cs[k] = _mm512_add_ps (_mm512_mul_ps (C (BM_C8), zz[k]), C (BM_C6));
  EACH cs[k] = _mm512_add_ps (_mm512_mul_ps (cs[k], zz[k]), C (BM_C4));
  EACH cs[k] = _mm512_add_ps (_mm512_sub_ps (one, _mm512_mul_ps (half, zz[k])),
                              _mm512_mul_ps (_mm512_mul_ps (zz[k], zz[k]), cs[k]));
  EACH swap[k] = _mm512_test_epi32_mask (rb[k], _mm512_set1_epi32 (1));
  EACH x[k] = _mm512_mask_blend_ps (swap[k], cs[k], sn[k]);
  EACH y[k] = _mm512_mask_blend_ps (swap[k], sn[k], cs[k]);
  EACH x[k] = _mm512_castsi512_ps (_mm512_xor_si512 (_mm512_castps_si512 (_mm512_mul_ps (r[k], x[k])),
                                                     _mm512_and_si512 (_mm512_slli_epi32 (rb[k], 30),
                                                                       sign)));
  EACH y[k] = _mm512_castsi512_ps (_mm512_xor_si512 (_mm512_castps_si512 (_mm512_mul_ps (r[k], y[k])),
                                                     _mm512_and_si512 (_mm512_slli_epi32 (rb[k], 29),
                                                                       sign)));
#undef C
}

/* fill_avx2 () two steps of the lanes at a time; a last odd group goes
 * through fill_avx2 () (every CPU with AVX-512 has AVX2). */
__attribute__((target ("avx512f,avx2")))
static void
fill_avx512 (CwGauss *g,
             float   *out,
             gsize    n)
{
  __m512i s0 = _mm512_loadu_si512 (&g->s[0][0]);
  __m512i s1 = _mm512_loadu_si512 (&g->s[1][0]);
  __m512i s2 = _mm512_loadu_si512 (&g->s[2][0]);
  __m512i s3 = _mm512_loadu_si512 (&g->s[3][0]);

  while (n >= BM_K * 2 * GROUP)
    {
      __m512i ra[BM_K], rb[BM_K];
      __m512 x[BM_K], y[BM_K];

      EACH
        {
          __m512i r1, r2;

          XO_STEP512 (s0, s1, s2, s3, r1);
          XO_STEP512 (s0, s1, s2, s3, r2);
          /* lanes 0-3 of a step are its radius words, 4-7 its angle words */
          ra[k] = _mm512_shuffle_i64x2 (r1, r2, 0x44);
          rb[k] = _mm512_shuffle_i64x2 (r1, r2, 0xEE);
        }
      bm16_avx512 (ra, rb, x, y);
      EACH
        {
          /* group 1: its x then its y; then group 2 */
          _mm512_storeu_ps (out + k * 2 * GROUP, _mm512_shuffle_f32x4 (x[k], y[k], 0x44));
          _mm512_storeu_ps (out + k * 2 * GROUP + GROUP, _mm512_shuffle_f32x4 (x[k], y[k], 0xEE));
        }
      out += BM_K * 2 * GROUP;
      n -= BM_K * 2 * GROUP;
    }

  _mm512_storeu_si512 (&g->s[0][0], s0);
  _mm512_storeu_si512 (&g->s[1][0], s1);
  _mm512_storeu_si512 (&g->s[2][0], s2);
  _mm512_storeu_si512 (&g->s[3][0], s3);
  if (n > 0)
    fill_avx2 (g, out, n);
}

/* noise16_8 () on sixteen samples: the same conversions, in double, the
 * same rounding (vcvtpd2dq, half to even) and saturation (vpmovsdw). */
__attribute__((target ("avx512f"), always_inline))
static inline __m256i
noise16_16 (const gint16 *in,
            const float  *z,
            __m512d       sigma)
{
  __m512i v = _mm512_cvtepi16_epi32 (_mm256_loadu_si256 ((const __m256i *) in));
  __m512d x0 = _mm512_cvtepi32_pd (_mm512_castsi512_si256 (v));
  __m512d x1 = _mm512_cvtepi32_pd (_mm512_extracti64x4_epi64 (v, 1));
  __m512d z0 = _mm512_cvtps_pd (_mm256_loadu_ps (z));
  __m512d z1 = _mm512_cvtps_pd (_mm256_loadu_ps (z + 8));
  __m256i r0 = _mm512_cvtpd_epi32 (_mm512_add_pd (x0, _mm512_mul_pd (sigma, z0)));
  __m256i r1 = _mm512_cvtpd_epi32 (_mm512_add_pd (x1, _mm512_mul_pd (sigma, z1)));

  return _mm512_cvtsepi32_epi16 (_mm512_inserti64x4 (_mm512_castsi256_si512 (r0), r1, 1));
}

/* noise16_avx2 () with the AVX-512 fill and kernel: the deviates of a
 * piece into a buffer that stays in L1, then the kernel over it. (One loop
 * with the deviates in registers, AVX-512 having the registers for it,
 * measured slower: 0.50 against 0.38 ns a sample.) */
__attribute__((target ("avx512f,avx2")))
static gsize
noise16_avx512 (CwGauss      *g,
                const gint16 *in,
                gint16       *out,
                gsize         n,
                double        scaled_sigma)
{
  const __m512d sigma = _mm512_set1_pd (scaled_sigma);
  float z[NOISE16_CHUNK];
  gsize done = 0;

  n -= n % GROUP;  /* the rest continues the stream from a whole group */
  while (done < n)
    {
      gsize m = MIN (NOISE16_CHUNK, n - done);
      gsize i = 0;

      fill_avx512 (g, z, m);
      for (; i + 2 * LANES <= m; i += 2 * LANES)
        _mm256_storeu_si256 ((__m256i *) (out + done + i), noise16_16 (in + done + i, z + i, sigma));
      for (; i < m; i += LANES)
        _mm_storeu_si128 ((__m128i *) (out + done + i), noise16_8 (in + done + i, z + i,
                                                                   _mm256_set1_pd (scaled_sigma)));
      done += m;
    }
  return done;
}

/* The path the fills take: detected once (and the environment read once),
 * or set by cw_rng_set_path (). */
static int rng_path = -1;

static CwRngPath
best_path (void)
{
  __builtin_cpu_init ();
  /* CW_RNG_NO_SIMD=1 forces the reference, CW_RNG_NO_AVX512=1 stops at
   * AVX2: to compare, or to debug */
  if (g_getenv ("CW_RNG_NO_SIMD") != NULL && *g_getenv ("CW_RNG_NO_SIMD") != '\0')
    return CW_RNG_PORTABLE;
  if (__builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx2")
      && !(g_getenv ("CW_RNG_NO_AVX512") != NULL && *g_getenv ("CW_RNG_NO_AVX512") != '\0'))
    return CW_RNG_AVX512;
  if (__builtin_cpu_supports ("avx2"))
    return CW_RNG_AVX2;
  return CW_RNG_PORTABLE;
}

static CwRngPath
rng_get_path (void)
{
  int path = g_atomic_int_get (&rng_path);

  if (G_UNLIKELY (path < 0))
    {
      path = best_path ();
      g_atomic_int_set (&rng_path, path);
    }
  return path;
}

static gboolean
cpu_can (CwRngPath path)
{
  __builtin_cpu_init ();
  switch (path)
    {
    case CW_RNG_AVX512:
      return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx2");
    case CW_RNG_AVX2:
      return __builtin_cpu_supports ("avx2");
    case CW_RNG_PORTABLE:
    default:
      return TRUE;
    }
}
#endif

CwRngPath
cw_rng_get_path (void)
{
#if defined(__x86_64__) && defined(__GNUC__)
  return rng_get_path ();
#else
  return CW_RNG_PORTABLE;
#endif
}

const char *
cw_rng_path_name (CwRngPath path)
{
  switch (path)
    {
    case CW_RNG_AVX512:
      return "AVX-512";
    case CW_RNG_AVX2:
      return "AVX2";
    case CW_RNG_PORTABLE:
    default:
      return "portable";
    }
}

gboolean
cw_rng_set_path (CwRngPath path)
{
#if defined(__x86_64__) && defined(__GNUC__)
  if (!cpu_can (path))
    return FALSE;
  g_atomic_int_set (&rng_path, path);
  return TRUE;
#else
  return path == CW_RNG_PORTABLE;
#endif
}

gboolean
cw_rng_have_simd (void)
{
  return cw_rng_get_path () != CW_RNG_PORTABLE;
}

void
cw_gauss_init (CwGauss *g,
               CwRng   *rng)
{
  for (int j = 0; j < LANES; j++)
    {
      guint64 s[4];

      seed_state (s, cw_rng_next_u64 (rng));
      for (int w = 0; w < 4; w++)
        g->s[w][j] = s[w];
    }
}

void
cw_gauss_fill (CwGauss *g,
               float   *out,
               gsize    n)
{
#if defined(__x86_64__) && defined(__GNUC__)
  switch (rng_get_path ())
    {
    case CW_RNG_AVX512:
      fill_avx512 (g, out, n);
      return;
    case CW_RNG_AVX2:
      fill_avx2 (g, out, n);
      return;
    case CW_RNG_PORTABLE:
    default:
      break;
    }
#endif
  fill_scalar (g, out, n);
}

void
cw_gauss_fill_reference (CwGauss *g,
                         float   *out,
                         gsize    n)
{
  fill_scalar (g, out, n);
}

void
cw_rng_fill_gaussian_reference (CwRng *rng,
                                float *out,
                                gsize  n)
{
  CwGauss g;

  cw_gauss_init (&g, rng);
  fill_scalar (&g, out, n);
}

void
cw_rng_fill_gaussian (CwRng *rng,
                      float *out,
                      gsize  n)
{
  CwGauss g;

  cw_gauss_init (&g, rng);
  cw_gauss_fill (&g, out, n);
}

/* ---- the PCM_16 noise kernel -------------------------------------------- */

/* 1.5 2^52: (v + M) - M is rint (v) (half to even, default rounding mode)
 * for |v| < 2^51, without a libm call */
#define ROUND_MAGIC 6755399441055744.0

static void
noise16_scalar (const gint16 *in,
                const float  *z,
                gint16       *out,
                gsize         n,
                double        scaled_sigma)
{
  for (gsize i = 0; i < n; i++)
    {
      double v = (double) in[i] + scaled_sigma * (double) z[i];
      gint32 r = (gint32) ((v + ROUND_MAGIC) - ROUND_MAGIC);

      r = r < -32768 ? -32768 : r;
      out[i] = (gint16) (r > 32767 ? 32767 : r);
    }
}

static void
noise16_portable (CwGauss      *g,
                  const gint16 *in,
                  gint16       *out,
                  gsize         n,
                  double        scaled_sigma,
                  gboolean      simd)
{
  float z[NOISE16_CHUNK];

  for (gsize at = 0; at < n; at += G_N_ELEMENTS (z))
    {
      gsize m = MIN (G_N_ELEMENTS (z), n - at);

      if (simd)
        cw_gauss_fill (g, z, m);
      else
        fill_scalar (g, z, m);
      noise16_scalar (in + at, z, out + at, m, scaled_sigma);
    }
}

void
cw_gauss_noise16 (CwGauss      *g,
                  const gint16 *in,
                  gint16       *out,
                  gsize         n,
                  double        scaled_sigma)
{
#if defined(__x86_64__) && defined(__GNUC__)
  CwRngPath path = rng_get_path ();

  if (path != CW_RNG_PORTABLE)
    {
      gsize done = path == CW_RNG_AVX512 ? noise16_avx512 (g, in, out, n, scaled_sigma)
                                         : noise16_avx2 (g, in, out, n, scaled_sigma);

      noise16_portable (g, in + done, out + done, n - done, scaled_sigma, TRUE);
      return;
    }
#endif
  noise16_portable (g, in, out, n, scaled_sigma, FALSE);
}

void
cw_gauss_noise16_reference (CwGauss      *g,
                            const gint16 *in,
                            gint16       *out,
                            gsize         n,
                            double        scaled_sigma)
{
  noise16_portable (g, in, out, n, scaled_sigma, FALSE);
}
