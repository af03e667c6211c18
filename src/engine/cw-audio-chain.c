/* cw-audio-chain.c: the chain's blocks and passes: stages, resampling,
 * measuring (peak, loudness), reading, dither and writing
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave-audio"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "cw-audio-private.h"
#include "cw-error.h"
#include "cw-text.h"

void
cw_audio_free_resamplers (Proc *p)
{
  for (guint i = 0; p->src != NULL && i < p->n_stages; i++)
    g_clear_pointer (&p->src[i], src_delete);
}

/* ---- the chain ---------------------------------------------------------- */

static double
db_to_gain (double db)
{
  /* 10^(dB/20) through our own exp so every machine gets the same bits */
  return cw_exp_det (db * (2.302585092994045684 / 20.0));
}

/* The RNG stream of a block for a noise stage: the stage's rank among the
 * chain's noise stages, so "copy,noise" and "noise" make the same noise. */
static guint64
noise_stream (const CwChain *chain,
              guint          si,
              guint64        block)
{
  guint64 rank = 0;

  for (guint i = 0; i < si; i++)
    if (cw_chain_get_stage (chain, i)->kind == CW_STAGE_NOISE)
      rank++;
  return block | (rank << 48);
}

/* Stage @si's resample of @frames frames of @channels from @in into the
 * other block buffer; at the end of the input (@eof) the converter gives
 * what it still holds. Returns the buffer, *frames its frames. */
static double *
resample (Proc      *p,
          guint      si,
          double    *in,
          gsize     *frames,
          int        channels,
          gboolean   eof)
{
  double *out = in == p->x ? p->y : p->x;
  gsize room = p->cap / channels, produced = 0;
  SRC_DATA d = {
    .data_in = p->fin,
    .input_frames = (long) *frames,
    .src_ratio = (double) p->rate_at[si + 1] / p->rate_at[si],
    .end_of_input = eof,
  };

  for (gsize i = 0; i < *frames * channels; i++)
    p->fin[i] = (float) in[i];
  for (;;)
    {
      int rc;

      d.data_out = p->fout;
      d.output_frames = (long) (room - produced);
      rc = src_process (p->src[si], &d);
      g_assert (rc == 0);
      for (long i = 0; i < d.output_frames_gen * channels; i++)
        out[produced * channels + i] = p->fout[i];
      produced += d.output_frames_gen;
      d.data_in += d.input_frames_used * channels;
      d.input_frames -= d.input_frames_used;
      if (d.input_frames == 0 && (!eof || d.output_frames_gen == 0))
        break;
      /* the buffers were sized for the largest block: this never spins */
      g_assert (produced < room);
    }
  *frames = produced;
  return out;
}

/* Runs stages [0, upto) over one block: @x holds *frames frames of
 * *channels, block @block of the input. Returns the buffer that holds the
 * result (a resample writes to the other one), with *frames and *channels
 * updated. At the end of the input (@eof, no frames), only the resamplers
 * have something left to give, and the stages after them run on it. */
static double *
apply_stages (Proc     *p,
              guint     upto,
              double   *x,
              gsize    *frames,
              int      *channels,
              guint64   block,
              gboolean  eof)
{
  const CwChain *chain = p->chain;
  /* the largest value an integer output can hold, so noise clips like the
   * lesson's np.clip; float outputs clip noise to [-1, 1] */
  double hi = p->write_mode == WRITE_DOUBLE ? 1.0 : 1.0 - ldexp (1.0, 1 - p->out_bits);

  for (guint si = 0; si < upto; si++)
    {
      const CwStage *stage = cw_chain_get_stage (chain, si);
      gsize n = *frames * *channels;
      gint64 frame0 = p->pos_at[si];

      p->pos_at[si] += *frames;
      if (*frames == 0 && stage->kind != CW_STAGE_RESAMPLE)
        continue;

      switch (stage->kind)
        {
        case CW_STAGE_COPY:
          break;

        case CW_STAGE_NOISE:
          {
            CwRng rng;
            double sigma = stage->a;

            cw_rng_init_stream (&rng, p->job->seed, p->job->seed_key,
                                noise_stream (chain, si, block));
            cw_rng_fill_gaussian (&rng, p->noise, n);
            for (gsize i = 0; i < n; i++)
              {
                double v = x[i] + sigma * (double) p->noise[i];

                v = v < -1.0 ? -1.0 : v;
                x[i] = v > hi ? hi : v;
              }
          }
          break;

        case CW_STAGE_GAIN:
        case CW_STAGE_NORMALIZE:
        case CW_STAGE_LOUDNESS:
          {
            double g = p->gains[si];

            for (gsize i = 0; i < n; i++)
              x[i] *= g;
          }
          break;

        case CW_STAGE_FADE:
          {
            double rate = p->rate_at[si];
            gint64 n_in = (gint64) rint (stage->a * rate / 1000.0);
            gint64 n_out = (gint64) rint (stage->b * rate / 1000.0);
            gint64 total = p->total_at[si];

            for (gsize f = 0; f < *frames; f++)
              {
                gint64 t = frame0 + (gint64) f;
                double g = 1.0;

                /* linear: the first frame is 0, the last frame is 0 */
                if (t < n_in)
                  g = (double) t / (double) n_in;
                if (total - 1 - t < n_out)
                  g = MIN (g, (double) MAX (total - 1 - t, 0) / (double) n_out);
                if (g != 1.0)
                  for (int c = 0; c < *channels; c++)
                    x[f * *channels + c] *= g;
              }
          }
          break;

        case CW_STAGE_MONO:
          if (*channels > 1)
            {
              int ch = *channels;

              for (gsize f = 0; f < *frames; f++)
                {
                  double sum = 0.0;

                  for (int c = 0; c < ch; c++)
                    sum += x[f * ch + c];
                  x[f] = sum / ch;
                }
              *channels = 1;
            }
          break;

        case CW_STAGE_RESAMPLE:
          if (p->src[si] != NULL)
            x = resample (p, si, x, frames, *channels, eof);
          break;

        default:
          g_assert_not_reached ();
        }
    }
  return x;
}

/* The lesson's case, PCM_16 + noise -> PCM_16, in one pass over the block
 * (cw_gauss_noise16(): the deviates go from registers into the samples).
 * Bit-identical to the general path: in + (sigma 2^15) z is 2^15 (x + sigma z)
 * exactly, and rounding then clipping to integers is clipping then rounding.
 * |sigma 2^15 z| < 2^23, so the int32 conversion cannot overflow. */
static sf_count_t
noise16_block (Proc     *p,
               SNDFILE  *in,
               guint64   block)
{
  const CwStage *stage = cw_chain_get_stage (p->chain, p->noise16_stage);
  sf_count_t got = sf_readf_short (in, p->sbuf, p->block_frames);
  double scaled_sigma = stage->a * 32768.0;
  gsize n;
  CwRng rng;
  CwGauss g;

  if (got <= 0)
    return got;
  n = got * p->in_info.channels;
  cw_rng_init_stream (&rng, p->job->seed, p->job->seed_key,
                      noise_stream (p->chain, p->noise16_stage, block));
  cw_gauss_init (&g, &rng);
  cw_gauss_noise16 (&g, p->sbuf, p->sbuf, n, scaled_sigma);
  return got;
}

static sf_count_t
read_block (Proc     *p,
            SNDFILE  *in,
            double   *x)
{
  int ch = p->in_info.channels;
  sf_count_t got;

  switch (p->read_mode)
    {
    case READ_SHORT:
      got = sf_readf_short (in, p->sbuf, p->block_frames);
      for (sf_count_t i = 0; i < got * ch; i++)
        x[i] = p->sbuf[i] * (1.0 / 32768.0);
      break;
    case READ_INT:
      got = sf_readf_int (in, p->ibuf, p->block_frames);
      for (sf_count_t i = 0; i < got * ch; i++)
        x[i] = p->ibuf[i] * (1.0 / 2147483648.0);
      break;
    case READ_DOUBLE:
    default:
      got = sf_readf_double (in, x, p->block_frames);
      break;
    }
  return got;
}

/* TPDF dither for the next @n samples, in LSBs of the output: the
 * difference of two uniform draws, so triangular on (-1, 1). Seeded from
 * the file's noise seed and the block written, so it is the same on every
 * run and worker. */
static void
fill_dither (Proc   *p,
             double *d,
             gsize   n)
{
  CwRng rng;

  cw_rng_init_stream (&rng, p->job->seed, p->job->seed_key, DITHER_STREAM | p->write_block);
  for (gsize i = 0; i < n; i++)
    {
      guint64 u = cw_rng_next_u64 (&rng);

      d[i] = ((double) (guint32) u - (double) (guint32) (u >> 32)) * (1.0 / 4294967296.0);
    }
}

/* Converts and writes @frames frames of @channels; FALSE with errno-like
 * details left in the SNDFILE on a short write. */
static gboolean
write_block (Proc     *p,
             SNDFILE  *out,
             double   *x,
             gsize     frames,
             int       channels)
{
  gsize n = frames * channels;
  double scale = ldexp (1.0, p->out_bits - 1);
  double lo = -scale, hi = scale - 1.0;
  double *dither = NULL;

  if (p->dither && p->write_mode != WRITE_DOUBLE)
    {
      /* the other block buffer is free while a block is written */
      dither = x == p->x ? p->y : p->x;
      fill_dither (p, dither, n);
    }
  p->write_block++;

  switch (p->write_mode)
    {
    case WRITE_SHORT:
      /* separate simple loops, so each one vectorises */
      for (gsize i = 0; i < n; i++)
        {
          double v = x[i] * 32768.0;

          v = v < -32768.0 ? -32768.0 : v;
          x[i] = v > 32767.0 ? 32767.0 : v;
        }
      for (gsize i = 0; i < n; i++)
        p->ibuf[i] = (gint32) ((x[i] + ROUND_MAGIC) - ROUND_MAGIC);
      for (gsize i = 0; i < n; i++)
        p->sbuf[i] = (short) p->ibuf[i];
      return sf_writef_short (out, p->sbuf, frames) == (sf_count_t) frames;

    case WRITE_INT:
      {
        double justify = ldexp (1.0, 32 - p->out_bits);

        for (gsize i = 0; i < n; i++)
          {
            double v = x[i] * scale + (dither != NULL ? dither[i] : 0.0);

            v = v < lo ? lo : v;
            x[i] = v > hi ? hi : v;
          }
        /* scaling by 2^(32-B) left-justifies without shifting a negative */
        for (gsize i = 0; i < n; i++)
          p->ibuf[i] = (gint32) (((x[i] + ROUND_MAGIC) - ROUND_MAGIC) * justify);
        return sf_writef_int (out, p->ibuf, frames) == (sf_count_t) frames;
      }

    case WRITE_DOUBLE:
    default:
      return sf_writef_double (out, x, frames) == (sf_count_t) frames;
    }
}

/* Stage @upto's measure of one block of its input. */
static void
measure_block (Measure      *m,
               const double *x,
               gsize         frames,
               int           channels)
{
  if (m->kind == MEASURE_PEAK)
    for (gsize i = 0; i < frames * channels; i++)
      m->peak = MAX (m->peak, fabs (x[i]));
  else if (m->kind == MEASURE_LOUDNESS && frames > 0)
    ebur128_add_frames_double (m->ebur, x, frames);
}

/* The converters of the resample stages before @upto, new for a pass. */
static void
new_resamplers (Proc  *p,
                guint  upto)
{
  cw_audio_free_resamplers (p);
  for (guint si = 0; si < upto; si++)
    {
      int err = 0;

      p->pos_at[si] = 0;
      if (cw_chain_get_stage (p->chain, si)->kind != CW_STAGE_RESAMPLE
          || p->rate_at[si] == p->rate_at[si + 1])
        continue;
      /* the best of libsamplerate's sinc converters: plain C, so the same
       * bits on every machine */
      p->src[si] = src_new (SRC_SINC_BEST_QUALITY, p->channels_at[si], &err);
      g_assert (p->src[si] != NULL);
    }
}

static gboolean
chain_resamples (Proc  *p,
                 guint  upto)
{
  for (guint si = 0; si < upto; si++)
    if (p->src[si] != NULL)
      return TRUE;
  return FALSE;
}

static gboolean
write_error (Proc     *p,
             SNDFILE  *out,
             GError  **error)
{
  int saved_errno = errno;
  g_autofree char *display = g_filename_display_name (p->job->output_path);

  if (saved_errno != 0)
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                 "cannot write “%s”: %s", display, g_strerror (saved_errno));
  else
    g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
                 "cannot write “%s”: %s", display, sf_strerror (out));
  return FALSE;
}

/* Stages [0, upto) over one block, then its measure (@m) or writing it to
 * @out. */
static gboolean
block_through (Proc      *p,
               guint      upto,
               SNDFILE   *out,
               Measure   *m,
               double    *x,
               gsize      frames,
               guint64    block,
               gboolean   eof,
               GError   **error)
{
  int channels = p->in_info.channels;

  x = apply_stages (p, upto, x, &frames, &channels, block, eof);
  if (out == NULL)
    {
      measure_block (m, x, frames, channels);
      return TRUE;
    }
  errno = 0;
  if (frames > 0 && !write_block (p, out, x, frames, channels))
    return write_error (p, out, error);
  p->written += frames;
  return TRUE;
}

/* One pass over the input: stages [0, upto), then either stage @upto's
 * measure (@m) or writing the result to @out. @frames_read: the input's
 * frames. */
gboolean
cw_audio_run_pass (Proc          *p,
                   guint          upto,
                   SNDFILE       *out,
                   Measure       *m,
                   gint64        *frames_read,
                   GCancellable  *cancellable,
                   GError       **error)
{
  SF_INFO info;
  SNDFILE *in;
  gint64 pos = 0;
  guint64 block = 0;
  gboolean ok = TRUE;

  /* Each pass reopens the input and trusts nothing new in it: the buffers
   * were sized from the first look, and the passes must read one signal. */
  if (cw_audio_input_changed (p, error))
    return FALSE;
  in = cw_audio_open_sndfile_read (p->fd, p->job->input_path, &info, error);
  if (in == NULL)
    return FALSE;
  if (info.channels != p->in_info.channels || info.samplerate != p->in_info.samplerate
      || info.format != p->in_info.format || info.frames != p->in_info.frames)
    {
      sf_close (in);
      if (!cw_audio_input_changed (p, error))
        cw_audio_input_changed_error (p, error);
      return FALSE;
    }
  new_resamplers (p, upto);
  p->written = 0;
  p->write_block = 0;

  for (;;)
    {
      sf_count_t got;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          ok = FALSE;
          break;
        }

      if (p->noise16_stage >= 0 && out != NULL)
        got = noise16_block (p, in, block);
      else if (p->passthrough && out != NULL)
        got = p->read_mode == READ_SHORT
              ? sf_readf_short (in, p->sbuf, p->block_frames)
              : sf_readf_int (in, p->ibuf, p->block_frames);
      else
        got = read_block (p, in, p->x);
      if (got <= 0 && pos < p->in_info.frames && cw_audio_frames_are_exact (&p->in_info))
        {
          ok = cw_audio_set_truncated_error (error, p->job->input_path, p->in_info.frames, pos,
                                             p->in_info.samplerate);
          break;
        }
      if (got < 0 || (got == 0 && sf_error (in) != SF_ERR_NO_ERROR))
        {
          g_autofree char *display = g_filename_display_name (p->job->input_path);

          g_set_error (error, CW_ERROR, CW_ERROR_AUDIO, "cannot read “%s”: %s",
                       display, sf_strerror (in));
          ok = FALSE;
          break;
        }
      if (got == 0)
        {
          /* what the resamplers still hold */
          if (chain_resamples (p, upto))
            ok = block_through (p, upto, out, m, p->x, 0, block, TRUE, error);
          break;
        }

      if (out != NULL && (p->noise16_stage >= 0 || p->passthrough))
        {
          gboolean written;

          errno = 0;
          if (p->noise16_stage >= 0)
            written = sf_writef_short (out, p->sbuf, got) == got;
          else
            written = (p->read_mode == READ_SHORT
                       ? sf_writef_short (out, p->sbuf, got)
                       : sf_writef_int (out, p->ibuf, got)) == got;
          if (!written)
            {
              ok = write_error (p, out, error);
              break;
            }
          p->written += got;
        }
      else if (!block_through (p, upto, out, m, p->x, got, block, FALSE, error))
        {
          ok = FALSE;
          break;
        }

      pos += got;
      block++;
    }

  cw_audio_free_resamplers (p);
  sf_close (in);
  if (frames_read)
    *frames_read = pos;
  return ok;
}

gboolean
cw_audio_count_frames (Proc          *p,
                       GCancellable  *cancellable,
                       GError       **error)
{
  Measure none = { .kind = MEASURE_NONE };

  return cw_audio_run_pass (p, 0, NULL, &none, &p->total_frames, cancellable, error);
}

/* The signal's rate, channels and (once the input's length is known)
 * frames at the input of every stage of p->chain. */
void
cw_audio_chain_shape (Proc *p)
{
  int rate = p->in_info.samplerate, channels = p->in_info.channels;
  gint64 total = p->total_frames;

  g_free (p->rate_at);
  g_free (p->channels_at);
  g_free (p->total_at);
  p->rate_at = g_new (int, p->n_stages + 1);
  p->channels_at = g_new (int, p->n_stages + 1);
  p->total_at = g_new (gint64, p->n_stages + 1);
  for (guint si = 0; si < p->n_stages; si++)
    {
      const CwStage *stage = cw_chain_get_stage (p->chain, si);

      p->rate_at[si] = rate;
      p->channels_at[si] = channels;
      p->total_at[si] = total;
      if (stage->kind == CW_STAGE_MONO)
        channels = 1;
      else if (stage->kind == CW_STAGE_RESAMPLE)
        {
          /* what a converter gives for @total frames, rounded */
          total = (gint64) llround ((double) total * stage->a / rate);
          rate = (int) stage->a;
        }
    }
  p->rate_at[p->n_stages] = rate;
  p->channels_at[p->n_stages] = channels;
  p->total_at[p->n_stages] = total;
}

/* Bounded memory: a few blocks, whatever the file's length (a resample
 * up makes a block grow by its ratio). */
void
cw_audio_alloc_buffers (Proc *p)
{
  double grow = 1.0, most = 1.0;
  int channels = p->in_info.channels;

  for (guint si = 0; si < p->n_stages; si++)
    {
      grow *= (double) p->rate_at[si + 1] / p->rate_at[si];
      most = MAX (most, grow);
      channels = MAX (channels, p->channels_at[si]);
    }
  p->block_frames = MAX (1, BLOCK_SAMPLES / p->in_info.channels);
  p->cap = (gsize) (ceil (p->block_frames * most) + (p->has_resample ? RESAMPLE_SLACK_FRAMES : 0))
           * channels;
  p->cap = MAX (p->cap, BLOCK_SAMPLES);
  p->x = g_new (double, p->cap);
  p->y = g_new (double, p->cap);
  p->noise = g_new (float, p->cap);
  p->ibuf = g_new (gint32, p->cap);
  p->sbuf = g_new (short, p->cap);
  if (p->has_resample)
    {
      p->fin = g_new (float, p->cap);
      p->fout = g_new (float, p->cap);
    }
  p->src = g_new0 (SRC_STATE *, MAX (p->n_stages, 1));
  p->pos_at = g_new0 (gint64, MAX (p->n_stages, 1));
  p->gains = g_new0 (double, MAX (p->n_stages, 1));
}

/* The gain of a loudness stage from what its pass measured: to the target
 * integrated loudness, less if the true peak would pass the ceiling. */
static double
loudness_gain (const CwStage *stage,
               ebur128_state *ebur,
               int            channels)
{
  double lufs, peak = 0.0;

  if (ebur128_loudness_global (ebur, &lufs) != EBUR128_SUCCESS || !isfinite (lufs))
    return 1.0;   /* silence has no loudness to set */
  for (int c = 0; c < channels; c++)
    {
      double tp = 0.0;

      if (ebur128_true_peak (ebur, c, &tp) == EBUR128_SUCCESS)
        peak = MAX (peak, tp);
    }
  {
    double gain = db_to_gain (stage->a - lufs);
    double ceiling = db_to_gain (stage->b);

    if (peak > 0.0 && peak * gain > ceiling)
      gain = ceiling / peak;
    return gain;
  }
}

/* The gains of gain, normalize and loudness stages, in chain order: a
 * measured one takes one more pass over the stages before it. */
gboolean
cw_audio_settle_gains (Proc          *p,
                       GCancellable  *cancellable,
                       GError       **error)
{
  for (guint si = 0; si < p->n_stages; si++)
    {
      const CwStage *stage = cw_chain_get_stage (p->chain, si);

      if (stage->kind == CW_STAGE_GAIN)
        p->gains[si] = db_to_gain (stage->a);
      else if (stage->kind == CW_STAGE_NORMALIZE)
        {
          Measure m = { .kind = MEASURE_PEAK };

          /* the peak of the signal as it is at this stage: one more pass */
          if (!cw_audio_run_pass (p, si, NULL, &m, NULL, cancellable, error))
            return FALSE;
          p->gains[si] = m.peak > 0.0 ? db_to_gain (stage->a) / m.peak : 1.0;
        }
      else if (stage->kind == CW_STAGE_LOUDNESS)
        {
          Measure m = { .kind = MEASURE_LOUDNESS };
          gboolean ok;

          m.ebur = ebur128_init (p->channels_at[si], p->rate_at[si],
                                 EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
          g_assert (m.ebur != NULL);
          ok = cw_audio_run_pass (p, si, NULL, &m, NULL, cancellable, error);
          if (ok)
            p->gains[si] = loudness_gain (stage, m.ebur, p->channels_at[si]);
          ebur128_destroy (&m.ebur);
          if (!ok)
            return FALSE;
        }
    }
  return TRUE;
}
