/* cw-audio.h: one file through the transform chain, streamed with libsndfile
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-output-file.h"
#include "cw-rng.h"
#include "cw-spec.h"

G_BEGIN_DECLS

typedef enum
{
  CW_FORMAT_SAME,   /* keep the input's major format and subtype */
  CW_FORMAT_WAV,
  CW_FORMAT_FLAC,
  CW_FORMAT_OGG,    /* Ogg Vorbis */
  CW_FORMAT_OPUS,   /* Ogg Opus */
  CW_FORMAT_MP3,
} CwFormat;

/* --bits: the output's sample format when it holds PCM */
typedef enum
{
  CW_BITS_SAME,     /* as the input's (or the format's nearest) */
  CW_BITS_16,
  CW_BITS_24,
  CW_BITS_32F,      /* 32-bit float */
} CwBits;

gboolean     cw_bits_from_string   (const char *name,
                                    CwBits     *bits);
const char  *cw_bits_to_string     (CwBits      bits);

gboolean     cw_format_from_string (const char *name,
                                    CwFormat   *format);
const char  *cw_format_to_string   (CwFormat    format);
/* What an output format has of the encoding settings: a sample format
 * (--bits: WAV, FLAC) or a quality (--quality: Vorbis, Opus, MP3).
 * CW_FORMAT_SAME may be either, so it has both. */
gboolean     cw_format_has_bits    (CwFormat    format);
gboolean     cw_format_has_quality (CwFormat    format);
/* The output file name for @input_basename in @format: same name for
 * CW_FORMAT_SAME, else the extension replaced ("a.wav" -> "a.flac"). */
char        *cw_format_output_name (CwFormat    format,
                                    const char *input_basename);

typedef struct
{
  const char    *input_path;
  const char    *output_path;  /* the final name; written to a temporary, then published */
  const CwChain *chain;
  CwFormat       format;
  guint64        seed;         /* the batch seed */
  const char    *seed_key;     /* with the seed, picks this file's noise: the batch-unique output name */
  CwReplace      replace;      /* what may happen to a file already at output_path
                                * (the input itself is never replaced) */
  CwBits         bits;         /* a PCM output's sample format; a coarser one than
                                * the input's is dithered (TPDF, seeded like the noise) */
  gboolean       has_quality;  /* FALSE: libsndfile's default quality */
  double         quality;      /* lossy outputs (Vorbis, Opus, MP3): 0 smallest to 1 best */
  gboolean       no_metadata;  /* do not copy the input's title, artist, album, … */
  /* The shared-random-state pitfall (NULL normally): the file's noise is
   * picked by the next draw of this generator instead of (seed, seed_key),
   * so it depends on how many files this worker ran before. */
  CwRng         *shared_rng;
  /* Non-NULL: the output's checksum (cw-checksum.h), summed as it is
   * written, goes here, and *has_checksum_out says whether it could be. */
  guint64       *checksum_out;
  gboolean      *has_checksum_out;
} CwAudioJob;

/* Reads input_path in blocks, runs the chain, writes an exclusive
 * temporary (cw-output-file.h), reads its header back and publishes it as
 * output_path. Memory is bounded (a few blocks) whatever the file's length.
 * Only regular files are read; an input that changes while it is read
 * fails. On any failure the temporary is removed and @error says why in
 * words a person understands ("not an audio file", "empty file", "No space
 * left on device", ...). @cancellable is checked between blocks. The output
 * never depends on which process or thread runs it, or when. */
gboolean     cw_audio_process      (const CwAudioJob *job,
                                    gint64           *frames_out,
                                    GCancellable     *cancellable,
                                    GError          **error);

/* What cw_audio_process () would make of @job, without making it: the
 * input's header is read and checked and the output format chosen. FALSE
 * with the error the file would fail with; @note (may be NULL): what the
 * format makes Corewave do ("resampled from 44100 to 48000 Hz: Opus …"),
 * or NULL. Reads only headers: a batch checks every file before it runs. */
gboolean     cw_audio_check        (const CwAudioJob *job,
                                    char            **note,
                                    GError          **error);

/* @frames frames of interleaved 16-bit samples as a WAV, published like
 * cw_audio_process () does (the lab's big-data task). */
gboolean     cw_audio_write_pcm16  (const char       *output_path,
                                    CwReplace         replace,
                                    int               rate,
                                    int               channels,
                                    const gint16     *samples,
                                    gsize             frames,
                                    GError          **error);

typedef struct
{
  gint64  frames;
  int     rate;
  int     channels;
  char   *format_name;    /* e.g. "WAV", "FLAC" */
  char   *subtype_name;   /* e.g. "Signed 16 bit PCM" */
} CwAudioInfo;

gboolean     cw_audio_probe        (const char       *path,
                                    CwAudioInfo      *info,
                                    GError          **error);
void         cw_audio_info_clear   (CwAudioInfo      *info);

/* Cheap check used when walking folders: a regular file libsndfile opens? */
gboolean     cw_audio_is_audio     (const char       *path);

G_END_DECLS
