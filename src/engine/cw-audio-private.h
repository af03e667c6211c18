/* cw-audio-private.h: what cw-audio.c, cw-audio-format.c and cw-audio-chain.c share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sys/stat.h>

#include <ebur128.h>
#include <samplerate.h>
#include <sndfile.h>

#include "cw-audio.h"
#include "cw-output-file.h"
#include "cw-rng.h"

G_BEGIN_DECLS

/* Numeric rules (src/DESIGN.md, "Audio rules"):
 *  - samples are doubles where full scale is 1.0;
 *  - integer PCM is read with sf_readf_int (or _short), never through
 *    libsndfile's asymmetric float conversion: x = v / 2^31;
 *  - integer PCM is written as rint(x * 2^(B-1)) clipped to
 *    [-2^(B-1), 2^(B-1) - 1], B the bits of the OUTPUT subtype;
 *  - float and lossy data go through sf_readf_double / sf_writef_double.
 * Every block holds BLOCK_SAMPLES interleaved samples: the noise of block b
 * comes from RNG stream b, so a frame's noise depends on its position only. */
#define BLOCK_SAMPLES 65536

/* x + 1.5 * 2^52 - 1.5 * 2^52 is rint() (half to even) for |x| < 2^51 in the
 * default rounding mode, without a libm call, so it vectorises. */
#define ROUND_MAGIC 6755399441055744.0

typedef enum
{
  READ_SHORT,   /* PCM_16 in and out: sf_readf_short */
  READ_INT,     /* integer PCM: sf_readf_int, left-justified */
  READ_DOUBLE,  /* everything else, normalised */
} ReadMode;

typedef enum
{
  WRITE_SHORT,
  WRITE_INT,
  WRITE_DOUBLE,
} WriteMode;

/* A resampler's output may run past its input block's frames times the
 * ratio by the length of its filter, and more when it is flushed. */
#define RESAMPLE_SLACK_FRAMES 16384

/* The TPDF dither's RNG streams, apart from every noise stage's */
#define DITHER_STREAM (G_GUINT64_CONSTANT (0xD1) << 56)

typedef enum
{
  MEASURE_NONE,
  MEASURE_PEAK,       /* normalize */
  MEASURE_LOUDNESS,   /* loudness: EBU R128 integrated loudness and true peak */
} MeasureKind;

typedef struct
{
  MeasureKind    kind;
  double         peak;
  ebur128_state *ebur;
} Measure;

typedef struct
{
  const CwAudioJob *job;
  const CwChain    *chain;         /* the job's, or with the resample its format needs */
  CwChain          *own_chain;
  guint             n_stages;
  int               fd;            /* the input, kept open across passes */
  struct stat       in_stat;       /* as first opened: a change fails the file */
  SF_INFO           in_info;
  SF_INFO           out_info;
  gint64            total_frames;
  int               block_frames;
  ReadMode          read_mode;
  WriteMode         write_mode;
  int               out_bits;      /* WRITE_SHORT/INT */
  gboolean          passthrough;   /* identity chain, same integer width: no arithmetic */
  int               noise16_stage; /* PCM_16 -> PCM_16 with only noise: its stage, else -1 */
  gboolean          dither;        /* --bits made the output coarser: TPDF dither */
  /* the signal's shape at the input of each stage (index n_stages: the output) */
  int              *rate_at;
  int              *channels_at;
  gint64           *total_at;      /* frames (after a resample, the expected count) */
  gint64           *pos_at;        /* frames that entered each stage in this pass */
  SRC_STATE       **src;           /* each resample stage's converter, for one pass */
  gboolean          has_resample;
  double           *gains;         /* per stage: gain, normalize's or loudness's measured gain */
  gsize             cap;           /* samples each block buffer holds */
  double           *x;             /* cap */
  double           *y;             /* cap: where a resample writes */
  float            *fin;           /* cap: libsamplerate works in floats */
  float            *fout;          /* cap */
  float            *noise;         /* cap */
  gint32           *ibuf;          /* cap */
  short            *sbuf;          /* cap */
  guint64           write_block;   /* blocks written: the dither's stream */
  gint64            written;       /* frames written */
  char             *tags[SF_STR_LAST + 1];  /* the input's title, artist, … */
  char             *note;          /* what the format made Corewave do, or NULL */
} Proc;

/* cw-audio-format.c */
int        cw_audio_pcm_bits             (int subtype);
char *     cw_audio_format_description   (int format);
gboolean   cw_audio_is_lossy             (int format);
gboolean   cw_audio_choose_output_format (Proc    *p,
                                          int      out_rate,
                                          int      out_channels,
                                          int     *needed_rate,
                                          GError **error);
int        cw_audio_open_input_fd        (const char   *path,
                                          struct stat  *st,
                                          GError      **error);
void       cw_audio_input_changed_error  (Proc    *p,
                                          GError **error);
gboolean   cw_audio_input_changed        (Proc    *p,
                                          GError **error);
SNDFILE *  cw_audio_open_sndfile_read    (int          fd,
                                          const char  *path,
                                          SF_INFO     *info,
                                          GError     **error);
gboolean   cw_audio_set_truncated_error  (GError     **error,
                                          const char  *path,
                                          double       promised_frames,
                                          double       held_frames,
                                          int          rate);
gboolean   cw_audio_check_header_size    (SNDFILE        *sf,
                                          const SF_INFO  *info,
                                          const char     *path,
                                          GError        **error);
gboolean   cw_audio_frames_are_exact     (const SF_INFO *info);
void       cw_audio_read_tags            (Proc    *p,
                                          SNDFILE *in);
void       cw_audio_write_tags           (Proc    *p,
                                          SNDFILE *out);

/* cw-audio-chain.c */
void       cw_audio_free_resamplers      (Proc *p);
gboolean   cw_audio_run_pass             (Proc          *p,
                                          guint          upto,
                                          SNDFILE       *out,
                                          Measure       *m,
                                          gint64        *frames_read,
                                          GCancellable  *cancellable,
                                          GError       **error);
gboolean   cw_audio_count_frames         (Proc          *p,
                                          GCancellable  *cancellable,
                                          GError       **error);
void       cw_audio_chain_shape          (Proc *p);
void       cw_audio_alloc_buffers        (Proc *p);
gboolean   cw_audio_settle_gains         (Proc          *p,
                                          GCancellable  *cancellable,
                                          GError       **error);

G_END_DECLS
