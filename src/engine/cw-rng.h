/* cw-rng.h: a fast, seedable Gaussian generator for the noise transform
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 s[4];
} CwRng;

/* Seeds from the batch seed and a key (the file's batch-unique name), so a
 * file's noise depends on nothing else: not the worker, the time or the order. */
void    cw_rng_init           (CwRng      *rng,
                               guint64     seed,
                               const char *key);
/* The same, for one of 2^64 independent streams of that (seed, key): the
 * audio engine uses stream b for block b of a file, so the noise of a frame
 * depends on its position only. Stream 0 is cw_rng_init(). */
void    cw_rng_init_stream    (CwRng      *rng,
                               guint64     seed,
                               const char *key,
                               guint64     stream);
guint64 cw_rng_next_u64       (CwRng      *rng);
/* Fills @out with @n standard normal deviates (mean 0, stdev 1; Box–Muller,
 * the tail truncated at 6.66 sigma, see cw-rng.c). The sequence is the same
 * on every x86_64/aarch64 machine for the same state and the same @n (one
 * call of 2n values is not two calls of n: keep the block grid fixed, or use
 * CwGauss). It draws 8 words from @rng: cw_gauss_init() then cw_gauss_fill(). */
void    cw_rng_fill_gaussian  (CwRng      *rng,
                               float      *out,
                               gsize       n);
/* The portable reference of cw_rng_fill_gaussian() (no SIMD): the same
 * bits, slower. For tests that check the SIMD path against it. */
void    cw_rng_fill_gaussian_reference (CwRng *rng,
                                        float *out,
                                        gsize  n);
/* The code the fills run: the best this CPU has, unless the environment
 * says CW_RNG_NO_SIMD=1 (the portable code) or CW_RNG_NO_AVX512=1 (AVX2 at
 * most). Every path gives the same bits. */
typedef enum
{
  CW_RNG_PORTABLE,
  CW_RNG_AVX2,
  CW_RNG_AVX512,
} CwRngPath;

CwRngPath   cw_rng_get_path   (void);
const char *cw_rng_path_name  (CwRngPath   path);
/* For the tests and the benchmark: the fills take @path from now on.
 * FALSE (and nothing changes) when this CPU cannot run it. */
gboolean    cw_rng_set_path   (CwRngPath   path);
/* TRUE when the fills run SIMD code (not with CW_RNG_NO_SIMD=1). */
gboolean cw_rng_have_simd     (void);

/* A Gaussian stream to take in pieces: the deviates come in groups of 16,
 * and a fill of n takes ceil(n / 16) groups, so fills whose lengths are
 * multiples of 16 continue one another exactly (fills of 4096 + 4096 give
 * what one fill of 8192 gives); a partial group's rest is dropped. */
typedef struct
{
  guint64 s[4][8];
} CwGauss;

void    cw_gauss_init          (CwGauss *g,
                                CwRng   *rng);
void    cw_gauss_fill          (CwGauss *g,
                                float   *out,
                                gsize    n);
void    cw_gauss_fill_reference (CwGauss *g,
                                 float   *out,
                                 gsize    n);

/* The audio engine's PCM_16 noise kernel, fused with the fill so the
 * deviates stay in registers: out[i] = clip16 (rint (in[i] + scaled_sigma *
 * (double) z[i])), rint half to even, z the next n deviates of @g (exactly
 * cw_gauss_fill (g, z, n) and that loop; @in == @out is allowed). Fills of
 * multiples of 16 continue one another as cw_gauss_fill()'s do. */
void    cw_gauss_noise16       (CwGauss      *g,
                                const gint16 *in,
                                gint16       *out,
                                gsize         n,
                                double        scaled_sigma);
void    cw_gauss_noise16_reference (CwGauss      *g,
                                    const gint16 *in,
                                    gint16       *out,
                                    gsize         n,
                                    double        scaled_sigma);

/* For the accuracy tests: the generator's -2 ln(u) for u in (0, 1] (a
 * normal float), and sin/cos of phi in [0, pi/4], as it computes them. */
float   cw_rng_minus2log_det  (float       u);
void    cw_rng_sincos_det     (float       phi,
                               float      *s,
                               float      *c);

/* exp() from basic IEEE operations only (libm may differ between CPUs), for
 * every number that ends up in an output file: gains are cw_exp_det (dB *
 * ln 10 / 20). Relative error below 1e-15 for |x| < 700. */
double  cw_exp_det            (double      x);

G_END_DECLS
