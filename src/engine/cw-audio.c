/* cw-audio.c: one file through the transform chain, streamed with libsndfile
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ebur128.h>
#include <glib/gstdio.h>
#include <samplerate.h>
#include <sndfile.h>

#include "cw-audio.h"
#include "cw-error.h"
#include "cw-output-file.h"
#include "cw-rng.h"
#include "cw-text.h"

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

static void
free_resamplers (Proc *p)
{
  for (guint i = 0; p->src != NULL && i < p->n_stages; i++)
    g_clear_pointer (&p->src[i], src_delete);
}

static void
proc_clear (Proc *p)
{
  if (p->fd >= 0)
    close (p->fd);
  p->fd = -1;
  free_resamplers (p);
  g_clear_pointer (&p->src, g_free);
  g_clear_pointer (&p->own_chain, cw_chain_free);
  g_clear_pointer (&p->rate_at, g_free);
  g_clear_pointer (&p->channels_at, g_free);
  g_clear_pointer (&p->total_at, g_free);
  g_clear_pointer (&p->pos_at, g_free);
  g_clear_pointer (&p->gains, g_free);
  g_clear_pointer (&p->x, g_free);
  g_clear_pointer (&p->y, g_free);
  g_clear_pointer (&p->fin, g_free);
  g_clear_pointer (&p->fout, g_free);
  g_clear_pointer (&p->noise, g_free);
  g_clear_pointer (&p->ibuf, g_free);
  g_clear_pointer (&p->sbuf, g_free);
  for (guint i = 0; i < G_N_ELEMENTS (p->tags); i++)
    g_clear_pointer (&p->tags[i], g_free);
  g_clear_pointer (&p->note, g_free);
}

/* ---- formats ------------------------------------------------------------ */

static const struct
{
  CwFormat    format;
  const char *name;
  const char *extension;
} format_names[] = {
  { CW_FORMAT_SAME, "same", NULL },
  { CW_FORMAT_WAV, "wav", "wav" },
  { CW_FORMAT_FLAC, "flac", "flac" },
  { CW_FORMAT_OGG, "ogg", "ogg" },
  { CW_FORMAT_OPUS, "opus", "opus" },
  { CW_FORMAT_MP3, "mp3", "mp3" },
};

gboolean
cw_format_from_string (const char *name,
                       CwFormat   *format)
{
  g_return_val_if_fail (format != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (g_ascii_strcasecmp (name, format_names[i].name) == 0)
      {
        *format = format_names[i].format;
        return TRUE;
      }
  if (g_ascii_strcasecmp (name, "vorbis") == 0)
    {
      *format = CW_FORMAT_OGG;
      return TRUE;
    }
  return FALSE;
}

const char *
cw_format_to_string (CwFormat format)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (format_names[i].format == format)
      return format_names[i].name;
  return NULL;
}

char *
cw_format_output_name (CwFormat    format,
                       const char *input_basename)
{
  const char *ext = NULL;
  const char *dot;

  g_return_val_if_fail (input_basename != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (format_names); i++)
    if (format_names[i].format == format)
      ext = format_names[i].extension;
  if (ext == NULL)
    return g_strdup (input_basename);

  /* "a.wav" -> "a.flac", ".hidden" and "noext" get the extension added */
  dot = strrchr (input_basename, '.');
  if (dot == NULL || dot == input_basename)
    return g_strconcat (input_basename, ".", ext, NULL);
  return g_strdup_printf ("%.*s.%s", (int) (dot - input_basename), input_basename, ext);
}

static int
pcm_bits (int subtype)
{
  switch (subtype)
    {
    case SF_FORMAT_PCM_S8:
    case SF_FORMAT_PCM_U8:
      return 8;
    case SF_FORMAT_PCM_16:
      return 16;
    case SF_FORMAT_PCM_24:
      return 24;
    case SF_FORMAT_PCM_32:
      return 32;
    default:
      return 0;
    }
}

static char *
format_description (int format)
{
  SF_FORMAT_INFO major = { .format = format & SF_FORMAT_TYPEMASK };
  SF_FORMAT_INFO sub = { .format = format & SF_FORMAT_SUBMASK };

  if (sf_command (NULL, SFC_GET_FORMAT_INFO, &major, sizeof major) != 0)
    major.name = "unknown format";
  if (sf_command (NULL, SFC_GET_FORMAT_INFO, &sub, sizeof sub) != 0)
    sub.name = "unknown encoding";
  return g_strdup_printf ("%s, %s", major.name, sub.name);
}

static const char *
major_short_name (int format)
{
  switch (format & SF_FORMAT_TYPEMASK)
    {
    case SF_FORMAT_WAV: return "WAV";
    case SF_FORMAT_WAVEX: return "WAVEX";
    case SF_FORMAT_RF64: return "RF64";
    case SF_FORMAT_AIFF: return "AIFF";
    case SF_FORMAT_AU: return "AU";
    case SF_FORMAT_CAF: return "CAF";
    case SF_FORMAT_W64: return "W64";
    case SF_FORMAT_FLAC: return "FLAC";
    case SF_FORMAT_OGG:
      return (format & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS ? "Opus" : "Ogg";
    case SF_FORMAT_MPEG: return "MP3";
    default: return NULL;
    }
}

/* Vorbis, Opus, MP3: where a quality setting means something */
static gboolean
is_lossy (int format)
{
  int major = format & SF_FORMAT_TYPEMASK;

  return major == SF_FORMAT_OGG || major == SF_FORMAT_MPEG;
}

/* The rates Opus and MP3 can hold, ascending, 0-terminated. */
static const int opus_rates[] = { 8000, 12000, 16000, 24000, 48000, 0 };
static const int mp3_rates[] = { 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 0 };

/* @rate if @rates has it, else the nearest above it, else the highest. */
static int
rate_for (const int *rates,
          int        rate)
{
  int i;

  for (i = 0; rates[i] != 0; i++)
    if (rates[i] >= rate)
      return rates[i];
  return rates[i - 1];
}

gboolean
cw_bits_from_string (const char *name,
                     CwBits     *bits)
{
  static const char * const names[] = { "same", "16", "24", "32f" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *bits = (CwBits) i;
        return TRUE;
      }
  return FALSE;
}

const char *
cw_bits_to_string (CwBits bits)
{
  static const char * const names[] = { "same", "16", "24", "32f" };

  return bits <= CW_BITS_32F ? names[bits] : "same";
}

/* --bits for outputs that hold PCM; lossy ones have no depth. */
static gboolean
apply_bits (Proc     *p,
            SF_INFO  *out,
            GError  **error)
{
  int major = out->format & SF_FORMAT_TYPEMASK;
  int sub;

  if (p->job->bits == CW_BITS_SAME || major == SF_FORMAT_OGG || major == SF_FORMAT_MPEG)
    return TRUE;
  sub = p->job->bits == CW_BITS_16 ? SF_FORMAT_PCM_16
        : p->job->bits == CW_BITS_24 ? SF_FORMAT_PCM_24 : SF_FORMAT_FLOAT;
  if (major == SF_FORMAT_FLAC && sub == SF_FORMAT_FLOAT)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_UNSUPPORTED,
                           "FLAC holds integers of up to 24 bits, not 32-bit float: choose 16 or "
                           "24 bits, or another format");
      return FALSE;
    }
  out->format = major | sub;
  return TRUE;
}

/* Picks the output format at the chain's output rate and channels; FALSE
 * with a per-file error when it can't be. A rate Opus or MP3 cannot hold
 * is said in @needed_rate (the nearest one above it) for the caller to
 * resample to. */
static gboolean
choose_output_format (Proc    *p,
                      int      out_rate,
                      int      out_channels,
                      int     *needed_rate,
                      GError **error)
{
  int in_format = p->in_info.format;
  int in_sub = in_format & SF_FORMAT_SUBMASK;
  SF_INFO *out = &p->out_info;

  memset (out, 0, sizeof *out);
  out->samplerate = out_rate;
  out->channels = out_channels;
  *needed_rate = 0;

  switch (p->job->format)
    {
    case CW_FORMAT_SAME:
      out->format = in_format;
      break;

    case CW_FORMAT_WAV:
      /* sf_format_check accepts WAV + MPEG, which libsndfile cannot write:
       * keep only plain encodings */
      out->format = SF_FORMAT_WAV | in_sub;
      if (!(pcm_bits (in_sub) > 0 || in_sub == SF_FORMAT_FLOAT || in_sub == SF_FORMAT_DOUBLE
            || in_sub == SF_FORMAT_ULAW || in_sub == SF_FORMAT_ALAW)
          || !sf_format_check (out))
        out->format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
      break;

    case CW_FORMAT_FLAC:
      out->format = SF_FORMAT_FLAC | in_sub;
      if (!sf_format_check (out))
        {
          gboolean wide = in_sub == SF_FORMAT_PCM_32 || in_sub == SF_FORMAT_FLOAT
                          || in_sub == SF_FORMAT_DOUBLE;

          out->format = SF_FORMAT_FLAC | (wide ? SF_FORMAT_PCM_24 : SF_FORMAT_PCM_16);
        }
      break;

    case CW_FORMAT_OGG:
      out->format = SF_FORMAT_OGG | SF_FORMAT_VORBIS;
      break;

    case CW_FORMAT_OPUS:
      out->format = SF_FORMAT_OGG | SF_FORMAT_OPUS;
      if (rate_for (opus_rates, out->samplerate) != out->samplerate)
        *needed_rate = out->samplerate = rate_for (opus_rates, out->samplerate);
      break;

    case CW_FORMAT_MP3:
      out->format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
      /* settled before the encoder is opened: LAME refuses other rates only
       * then, and a refused open costs the worker memory it never gives back */
      if (rate_for (mp3_rates, out->samplerate) != out->samplerate)
        *needed_rate = out->samplerate = rate_for (mp3_rates, out->samplerate);
      if (out->channels > 2)
        {
          g_set_error (error, CW_ERROR, CW_ERROR_UNSUPPORTED,
                       "MP3 holds at most 2 channels, and this file has %d (add mono, or "
                       "choose another format)", out->channels);
          return FALSE;
        }
      break;

    default:
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "unknown output format %d", p->job->format);
      return FALSE;
    }

  if (!apply_bits (p, out, error))
    return FALSE;
  if (!sf_format_check (out))
    {
      g_autofree char *what = format_description (out->format);

      if (p->job->format == CW_FORMAT_SAME)
        g_set_error (error, CW_ERROR, CW_ERROR_UNSUPPORTED,
                     "can read but not write this format (%s, %d channels, %d Hz): "
                     "choose an output format such as wav or flac (--format)",
                     what, out->channels, out->samplerate);
      else
        g_set_error (error, CW_ERROR, CW_ERROR_UNSUPPORTED,
                     "cannot write %s with %d channels at %d Hz",
                     what, out->channels, out->samplerate);
      return FALSE;
    }
  return TRUE;
}

/* ---- opening ------------------------------------------------------------ */

/* Opens an input for reading, refusing anything but a regular file
 * before it can block (a FIFO with no writer) or act (a device): the path
 * is looked at first, and the open does not wait. @st: what was opened. */
static int
open_input_fd (const char   *path,
               struct stat  *st,
               GError      **error)
{
  g_autofree char *display = NULL;
  int fd, flags;

  if (stat (path, st) != 0)
    {
      cw_set_error_from_errno (error, errno, "cannot open", path);
      return -1;
    }
  if (S_ISDIR (st->st_mode))
    {
      cw_set_error_from_errno (error, EISDIR, "cannot read", path);
      return -1;
    }
  if (!S_ISREG (st->st_mode))
    goto not_regular;

  fd = open (path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    {
      cw_set_error_from_errno (error, errno, "cannot open", path);
      return -1;
    }
  /* the path may have changed between the two looks */
  if (fstat (fd, st) != 0 || !S_ISREG (st->st_mode))
    {
      close (fd);
      goto not_regular;
    }
  flags = fcntl (fd, F_GETFL);
  if (flags >= 0)
    fcntl (fd, F_SETFL, flags & ~O_NONBLOCK);
  if (st->st_size == 0)
    {
      display = g_filename_display_name (path);
      close (fd);
      g_set_error (error, CW_ERROR, CW_ERROR_EMPTY, "empty file: “%s” has 0 bytes", display);
      return -1;
    }
  return fd;

not_regular:
  display = g_filename_display_name (path);
  g_set_error (error, CW_ERROR, CW_ERROR_NOT_AUDIO, "not a regular file (%s): “%s”",
               cw_text_file_kind (st->st_mode), display);
  return -1;
}

static void
input_changed_error (Proc     *p,
                     GError  **error)
{
  g_autofree char *display = g_filename_display_name (p->job->input_path);

  g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
               "the input changed while it was being read (its header now says another "
               "format, length or channel count): “%s”", display);
}

/* TRUE when the open input no longer is what was first read: rewritten,
 * cut or grown while a batch works on it. */
static gboolean
input_changed (Proc     *p,
               GError  **error)
{
  struct stat now;
  g_autofree char *display = NULL;

  if (fstat (p->fd, &now) == 0 && now.st_size == p->in_stat.st_size
      && now.st_mtim.tv_sec == p->in_stat.st_mtim.tv_sec
      && now.st_mtim.tv_nsec == p->in_stat.st_mtim.tv_nsec)
    return FALSE;
  display = g_filename_display_name (p->job->input_path);
  g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
               "the input changed while it was being read (written to, cut or replaced in "
               "place): “%s”", display);
  return TRUE;
}

/* sf_open_fd on our fd (not closed by libsndfile), from the start. */
static SNDFILE *
open_sndfile_read (int          fd,
                   const char  *path,
                   SF_INFO     *info,
                   GError     **error)
{
  SNDFILE *sf;

  if (lseek (fd, 0, SEEK_SET) < 0)
    {
      cw_set_error_from_errno (error, errno, "cannot read", path);
      return NULL;
    }

  memset (info, 0, sizeof *info);
  sf = sf_open_fd (fd, SFM_READ, info, FALSE);
  if (sf == NULL)
    {
      int code = sf_error (NULL);
      g_autofree char *display = g_filename_display_name (path);
      const char *reason = sf_error_number (code);

      switch (code)
        {
        case SF_ERR_UNRECOGNISED_FORMAT:
          g_set_error (error, CW_ERROR, CW_ERROR_NOT_AUDIO,
                       "not an audio file (%s): “%s”", reason, display);
          break;
        case SF_ERR_UNSUPPORTED_ENCODING:
          g_set_error (error, CW_ERROR, CW_ERROR_UNSUPPORTED,
                       "unsupported audio encoding (%s): “%s”", reason, display);
          break;
        case SF_ERR_MALFORMED_FILE:
          g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
                       "damaged or truncated audio file (%s): “%s”", reason, display);
          break;
        default:
          g_set_error (error, CW_ERROR, CW_ERROR_NOT_AUDIO,
                       "not an audio file (%s): “%s”", sf_strerror (NULL), display);
          break;
        }
      return NULL;
    }
  return sf;
}

/* "truncated file: ..." for @path, promised and held in frames. */
static gboolean
set_truncated_error (GError     **error,
                     const char  *path,
                     double       promised_frames,
                     double       held_frames,
                     int          rate)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
               "truncated file: the header promises %.1f s, the file holds %.1f s: “%s”",
               promised_frames / MAX (rate, 1), held_frames / MAX (rate, 1), display);
  return FALSE;
}

/* libsndfile reads a file whose header promises more audio than the file
 * holds as a shorter file (sf_info.frames is what is there) and only says so
 * in its log, e.g. "data : 882000 (should be 293970)" for WAV, "SSND : ..."
 * for AIFF, "Data Size : ..." for AU, "riff : ..." / "Riff size : ..." for
 * W64 and RF64 (whose data size is not checked by itself). A streaming
 * placeholder (0, or all ones in a 32- or 64-bit field) is not a promise;
 * the 64-bit sizes of RF64 and W64 are, above 4 GiB too. FALSE with the
 * error when the file is short. */
static gboolean
check_header_size (SNDFILE     *sf,
                   const SF_INFO *info,
                   const char  *path,
                   GError     **error)
{
  static const char *const keys[] = { "data", "SSND", "Data Size", "riff", "Riff size" };
  g_autofree char *log = g_malloc0 (32768);
  char *line, *save = NULL;

  sf_command (sf, SFC_GET_LOG_INFO, log, 32768);
  for (line = strtok_r (log, "\n", &save); line != NULL; line = strtok_r (NULL, "\n", &save))
    {
      const char *c = line + strspn (line, " \t");

      for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
        {
          gsize len = strlen (keys[k]);
          const char *q;
          char *end;
          guint64 promised, held;

          if (strncmp (c, keys[k], len) != 0)
            continue;
          q = c + len;
          q += strspn (q, " ");
          if (*q != ':')
            continue;
          promised = g_ascii_strtoull (q + 1, &end, 10);
          if (end == q + 1 || !g_str_has_prefix (end, " (should be "))
            continue;
          held = g_ascii_strtoull (end + strlen (" (should be "), NULL, 10);
          if (promised == G_GUINT64_CONSTANT (0xFFFFFFFF) || promised == G_MAXUINT64)
            continue;
          if (held < promised && held > 0)
            return set_truncated_error (error, path,
                                        (double) info->frames * promised / held,
                                        (double) info->frames, info->samplerate);
        }
    }
  return TRUE;
}

/* Formats whose sf_info.frames is exact, so reading fewer is a truncation
 * (FLAC's total from STREAMINFO, PCM containers); not Ogg and MP3, whose
 * count may be an estimate. */
static gboolean
frames_are_exact (const SF_INFO *info)
{
  int major = info->format & SF_FORMAT_TYPEMASK;

  return major != SF_FORMAT_OGG && major != SF_FORMAT_MPEG
         && info->frames > 0 && info->frames != SF_COUNT_MAX;
}

gboolean
cw_audio_probe (const char   *path,
                CwAudioInfo  *info,
                GError      **error)
{
  SF_INFO sfinfo;
  SNDFILE *sf;
  SF_FORMAT_INFO sub;
  const char *major;
  struct stat st;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  memset (info, 0, sizeof *info);
  fd = open_input_fd (path, &st, error);
  if (fd < 0)
    return FALSE;
  sf = open_sndfile_read (fd, path, &sfinfo, error);
  if (sf == NULL)
    {
      close (fd);
      return FALSE;
    }

  info->frames = sfinfo.frames;
  info->rate = sfinfo.samplerate;
  info->channels = sfinfo.channels;
  major = major_short_name (sfinfo.format);
  if (major != NULL)
    {
      info->format_name = g_strdup (major);
    }
  else
    {
      SF_FORMAT_INFO mi = { .format = sfinfo.format & SF_FORMAT_TYPEMASK };

      info->format_name = g_strdup (sf_command (NULL, SFC_GET_FORMAT_INFO, &mi, sizeof mi) == 0
                                    ? mi.name : "unknown");
    }
  sub.format = sfinfo.format & SF_FORMAT_SUBMASK;
  info->subtype_name = g_strdup (sf_command (NULL, SFC_GET_FORMAT_INFO, &sub, sizeof sub) == 0
                                 ? sub.name : "unknown");
  sf_close (sf);
  close (fd);
  return TRUE;
}

void
cw_audio_info_clear (CwAudioInfo *info)
{
  g_return_if_fail (info != NULL);

  g_clear_pointer (&info->format_name, g_free);
  g_clear_pointer (&info->subtype_name, g_free);
}

gboolean
cw_audio_is_audio (const char *path)
{
  SF_INFO info = { 0 };
  struct stat st;
  SNDFILE *sf;
  int fd;

  g_return_val_if_fail (path != NULL, FALSE);

  fd = open_input_fd (path, &st, NULL);
  if (fd < 0)
    return FALSE;
  sf = sf_open_fd (fd, SFM_READ, &info, FALSE);
  if (sf != NULL)
    sf_close (sf);
  close (fd);
  return sf != NULL;
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
  free_resamplers (p);
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
static gboolean
run_pass (Proc          *p,
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
  if (input_changed (p, error))
    return FALSE;
  in = open_sndfile_read (p->fd, p->job->input_path, &info, error);
  if (in == NULL)
    return FALSE;
  if (info.channels != p->in_info.channels || info.samplerate != p->in_info.samplerate
      || info.format != p->in_info.format || info.frames != p->in_info.frames)
    {
      sf_close (in);
      if (!input_changed (p, error))
        input_changed_error (p, error);
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
      if (got <= 0 && pos < p->in_info.frames && frames_are_exact (&p->in_info))
        {
          ok = set_truncated_error (error, p->job->input_path, p->in_info.frames, pos,
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

  free_resamplers (p);
  sf_close (in);
  if (frames_read)
    *frames_read = pos;
  return ok;
}

static gboolean
count_frames (Proc          *p,
              GCancellable  *cancellable,
              GError       **error)
{
  Measure none = { .kind = MEASURE_NONE };

  return run_pass (p, 0, NULL, &none, &p->total_frames, cancellable, error);
}

/* What can be refused before any work: an output that is the input itself
 * (even with overwrite), or one that is there and may not be replaced. A
 * dangling link or anything else at the name counts as there. */
static gboolean
refuse_early (const CwAudioJob  *job,
              GError           **error)
{
  struct stat so, si;
  g_autofree char *display = NULL;

  if (lstat (job->output_path, &so) != 0)
    return FALSE;
  display = g_filename_display_name (job->output_path);
  if (stat (job->output_path, &so) == 0 && stat (job->input_path, &si) == 0
      && so.st_dev == si.st_dev && so.st_ino == si.st_ino)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "output would overwrite the input: “%s”", display);
      return TRUE;
    }
  if (job->replace == CW_REPLACE_NEVER)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "output exists: “%s” (allow overwriting to replace it)", display);
      return TRUE;
    }
  return FALSE;
}

/* Reads back the header of what was written: the format it says, and for
 * formats whose length is exact, every frame. Catches what an encoder
 * wrote wrong without saying so. */
static gboolean
verify_output (Proc          *p,
               CwOutputFile  *tmp,
               int            channels,
               gint64         written,
               GError       **error)
{
  int fd = cw_output_file_get_fd (tmp);
  g_autofree char *display = g_filename_display_name (p->job->output_path);
  SF_INFO info = { 0 };
  SNDFILE *sf;
  gboolean ok;

  if (lseek (fd, 0, SEEK_SET) < 0)
    return cw_set_error_from_errno (error, errno, "cannot read back", p->job->output_path);
  sf = sf_open_fd (fd, SFM_READ, &info, FALSE);
  if (sf == NULL)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
                   "cannot write “%s”: what was written does not read back (%s)",
                   display, sf_strerror (NULL));
      return FALSE;
    }
  ok = info.channels == channels && info.samplerate == p->out_info.samplerate
       && (!frames_are_exact (&info) || info.frames == written);
  if (!ok)
    g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
                 "cannot write “%s”: what was written reads back as %" G_GINT64_FORMAT
                 " frames of %d channels at %d Hz, not %" G_GINT64_FORMAT " of %d at %d Hz",
                 display, (gint64) info.frames, info.channels, info.samplerate,
                 written, channels, p->out_info.samplerate);
  sf_close (sf);
  return ok;
}

/* The signal's rate, channels and (once the input's length is known)
 * frames at the input of every stage of p->chain. */
static void
chain_shape (Proc *p)
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

/* p->chain is the job's, with a resample at its end when the output
 * format cannot hold the rate (Opus, MP3): then p->note says so. */
static gboolean
settle_chain_and_format (Proc     *p,
                         GError  **error)
{
  int needed_rate;

  p->chain = p->job->chain;
  p->n_stages = cw_chain_get_n_stages (p->chain);
  chain_shape (p);
  if (!choose_output_format (p, p->rate_at[p->n_stages], p->channels_at[p->n_stages],
                             &needed_rate, error))
    return FALSE;
  if (needed_rate != 0)
    {
      g_autofree char *spec = cw_chain_to_string (p->job->chain);
      g_autofree char *more = g_strdup_printf ("%s%sresample:rate=%d", spec,
                                               spec[0] != '\0' ? "," : "", needed_rate);

      p->note = g_strdup_printf ("resampled from %d to %d Hz: %s holds no other rate near it",
                                 p->rate_at[p->n_stages], needed_rate,
                                 p->job->format == CW_FORMAT_OPUS ? "Opus" : "MP3");
      p->own_chain = cw_chain_parse (more, NULL);
      g_assert (p->own_chain != NULL);
      p->chain = p->own_chain;
      p->n_stages = cw_chain_get_n_stages (p->chain);
      chain_shape (p);
    }
  return TRUE;
}

/* The input's title, artist, album, … (what libsndfile reads), for the
 * output. */
static void
read_tags (Proc    *p,
           SNDFILE *in)
{
  for (int t = SF_STR_FIRST; t <= SF_STR_LAST; t++)
    {
      const char *value = sf_get_string (in, t);

      if (value != NULL && value[0] != '\0')
        p->tags[t] = g_strdup (value);
    }
}

/* What the output format can hold of them: libsndfile refuses the rest. */
static void
write_tags (Proc    *p,
            SNDFILE *out)
{
  for (int t = SF_STR_FIRST; t <= SF_STR_LAST; t++)
    if (p->tags[t] != NULL)
      (void) sf_set_string (out, t, p->tags[t]);
}

/* Opens the input, checks its header and settles what the output will
 * be: the chain (and the resample a format needs), the output format, and
 * how samples are read and written. Nothing is written. */
static gboolean
prepare (Proc          *p,
         GError       **error)
{
  const CwAudioJob *job = p->job;
  int in_sub, out_sub;
  SNDFILE *in;

  p->fd = open_input_fd (job->input_path, &p->in_stat, error);
  if (p->fd < 0)
    return FALSE;
  in = open_sndfile_read (p->fd, job->input_path, &p->in_info, error);
  if (in == NULL)
    return FALSE;
  if (!check_header_size (in, &p->in_info, job->input_path, error))
    {
      sf_close (in);
      return FALSE;
    }
  if (!job->no_metadata)
    read_tags (p, in);
  sf_close (in);

  p->total_frames = p->in_info.frames;
  if (!settle_chain_and_format (p, error))
    return FALSE;

  in_sub = p->in_info.format & SF_FORMAT_SUBMASK;
  out_sub = p->out_info.format & SF_FORMAT_SUBMASK;
  p->out_bits = pcm_bits (out_sub);
  if (in_sub == SF_FORMAT_PCM_16 && out_sub == SF_FORMAT_PCM_16)
    p->read_mode = READ_SHORT;
  else if (pcm_bits (in_sub) > 0)
    p->read_mode = READ_INT;
  else
    p->read_mode = READ_DOUBLE;
  if (p->out_bits == 16 && p->read_mode == READ_SHORT)
    p->write_mode = WRITE_SHORT;
  else if (p->out_bits > 0)
    p->write_mode = WRITE_INT;
  else
    p->write_mode = WRITE_DOUBLE;
  /* --bits asked for fewer bits than the input has (or integers from
   * float): dither, so the quantisation error is noise, not distortion */
  p->dither = job->bits != CW_BITS_SAME && p->out_bits > 0
              && (pcm_bits (in_sub) == 0 || pcm_bits (in_sub) > p->out_bits);

  p->passthrough = cw_chain_is_identity (p->chain) && !p->dither
                   && ((p->read_mode == READ_SHORT && p->write_mode == WRITE_SHORT)
                       || (p->read_mode == READ_INT && p->write_mode == WRITE_INT
                           && pcm_bits (in_sub) == p->out_bits));

  p->noise16_stage = -1;
  if (p->read_mode == READ_SHORT && p->write_mode == WRITE_SHORT)
    {
      guint n_noise = 0, n_other = 0;

      for (guint si = 0; si < p->n_stages; si++)
        {
          CwStageKind kind = cw_chain_get_stage (p->chain, si)->kind;

          if (kind == CW_STAGE_NOISE)
            {
              n_noise++;
              p->noise16_stage = si;
            }
          else if (kind != CW_STAGE_COPY)
            n_other++;
        }
      if (n_noise != 1 || n_other != 0)
        p->noise16_stage = -1;
    }
  return TRUE;
}

/* Bounded memory: a few blocks, whatever the file's length (a resample
 * up makes a block grow by its ratio). */
static void
alloc_buffers (Proc *p)
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
static gboolean
settle_gains (Proc          *p,
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
          if (!run_pass (p, si, NULL, &m, NULL, cancellable, error))
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
          ok = run_pass (p, si, NULL, &m, NULL, cancellable, error);
          if (ok)
            p->gains[si] = loudness_gain (stage, m.ebur, p->channels_at[si]);
          ebur128_destroy (&m.ebur);
          if (!ok)
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
process (Proc           *p,
         CwOutputFile  **tmp,
         gint64         *frames_out,
         GCancellable   *cancellable,
         GError        **error)
{
  const CwAudioJob *job = p->job;
  gboolean needs_total = FALSE;
  SNDFILE *out;
  int close_status;
  gboolean ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* refuse early what we would refuse at the end */
  if (refuse_early (job, error))
    return FALSE;
  if (!prepare (p, error))
    return FALSE;

  for (guint si = 0; si < p->n_stages; si++)
    {
      CwStageKind kind = cw_chain_get_stage (p->chain, si)->kind;

      if (kind == CW_STAGE_FADE || kind == CW_STAGE_RESAMPLE)
        needs_total = TRUE;
      if (kind == CW_STAGE_RESAMPLE)
        p->has_resample = TRUE;
    }
  alloc_buffers (p);

  if (p->total_frames <= 0 || p->total_frames == SF_COUNT_MAX)
    {
      if (p->total_frames != 0 || needs_total)
        if (!count_frames (p, cancellable, error))
          return FALSE;
      chain_shape (p);
    }
  if (p->total_frames <= 0)
    {
      g_autofree char *display = g_filename_display_name (job->input_path);

      g_set_error (error, CW_ERROR, CW_ERROR_EMPTY, "empty file: no audio frames in “%s”",
                   display);
      return FALSE;
    }

  if (!settle_gains (p, cancellable, error))
    return FALSE;

  *tmp = cw_output_file_create (job->output_path, error);
  if (*tmp == NULL)
    return FALSE;
  /* through our own I/O: every write is checked, whatever the encoder says */
  out = sf_open_virtual (cw_output_file_sf_io (), SFM_WRITE, &p->out_info, *tmp);
  if (out == NULL)
    {
      g_autofree char *what = format_description (p->out_info.format);
      g_autofree char *display = g_filename_display_name (job->output_path);

      g_set_error (error, CW_ERROR, CW_ERROR_UNSUPPORTED, "cannot write %s to “%s”: %s",
                   what, display, sf_strerror (NULL));
      return FALSE;
    }
  if (p->write_mode == WRITE_DOUBLE)
    {
      int sub = p->out_info.format & SF_FORMAT_SUBMASK;

      /* float stays float (unclipped); other encodings saturate */
      if (sub != SF_FORMAT_FLOAT && sub != SF_FORMAT_DOUBLE)
        sf_command (out, SFC_SET_CLIPPING, NULL, SF_TRUE);
    }
  if (job->has_quality && is_lossy (p->out_info.format))
    {
      /* libsndfile's level: 0 best, 1 smallest (Vorbis, Opus, MP3) */
      double level = 1.0 - CLAMP (job->quality, 0.0, 1.0);

      (void) sf_command (out, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    }
  /* before any audio: some formats write their tags first */
  write_tags (p, out);

  ok = run_pass (p, p->n_stages, out, NULL, NULL, cancellable, error);
  close_status = sf_close (out);
  if (!ok || !cw_output_file_check_written (*tmp, error))
    return FALSE;
  if (close_status != 0)
    {
      g_autofree char *display = g_filename_display_name (job->output_path);

      g_set_error (error, CW_ERROR, CW_ERROR_AUDIO, "cannot write “%s”: %s",
                   display, sf_error_number (close_status));
      return FALSE;
    }

  if (p->written == 0)
    {
      g_autofree char *display = g_filename_display_name (job->input_path);

      g_set_error (error, CW_ERROR, CW_ERROR_EMPTY, "empty file: no audio frames in “%s”",
                   display);
      return FALSE;
    }

  if (!verify_output (p, *tmp, p->out_info.channels, p->written, error))
    return FALSE;
  /* what was read is what the input still holds */
  if (input_changed (p, error))
    return FALSE;
  if (!cw_output_file_publish (*tmp, job->replace, job->input_path, error))
    return FALSE;

  if (frames_out)
    *frames_out = p->written;
  return TRUE;
}

gboolean
cw_audio_check (const CwAudioJob  *job,
                char             **note,
                GError           **error)
{
  Proc p = { .job = job, .fd = -1 };
  gboolean ok;

  g_return_val_if_fail (job != NULL && job->input_path != NULL && job->chain != NULL, FALSE);

  ok = prepare (&p, error);
  if (ok && note != NULL)
    *note = g_steal_pointer (&p.note);
  proc_clear (&p);
  return ok;
}

gboolean
cw_audio_process (const CwAudioJob  *job,
                  gint64            *frames_out,
                  GCancellable      *cancellable,
                  GError           **error)
{
  Proc p = { .job = job, .fd = -1 };
  CwAudioJob naive_job;
  g_autoptr(CwOutputFile) tmp = NULL;
  gboolean ok;

  g_return_val_if_fail (job != NULL, FALSE);
  if (job->shared_rng != NULL)
    {
      naive_job = *job;
      naive_job.seed = cw_rng_next_u64 (job->shared_rng);
      naive_job.seed_key = "shared";
      naive_job.shared_rng = NULL;
      p.job = job = &naive_job;
    }
  g_return_val_if_fail (job->input_path != NULL, FALSE);
  g_return_val_if_fail (job->output_path != NULL, FALSE);
  g_return_val_if_fail (job->chain != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* an unpublished temporary goes with @tmp */
  ok = process (&p, &tmp, frames_out, cancellable, error);
  proc_clear (&p);
  return ok;
}

gboolean
cw_audio_write_pcm16 (const char    *output_path,
                      CwReplace      replace,
                      int            rate,
                      int            channels,
                      const gint16  *samples,
                      gsize          frames,
                      GError       **error)
{
  SF_INFO info = { .samplerate = rate, .channels = channels,
                   .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
  g_autoptr(CwOutputFile) tmp = NULL;
  SNDFILE *sf;
  gboolean ok;

  g_return_val_if_fail (output_path != NULL, FALSE);

  tmp = cw_output_file_create (output_path, error);
  if (tmp == NULL)
    return FALSE;
  sf = sf_open_virtual (cw_output_file_sf_io (), SFM_WRITE, &info, tmp);
  if (sf == NULL)
    {
      g_autofree char *display = g_filename_display_name (output_path);

      g_set_error (error, CW_ERROR, CW_ERROR_UNSUPPORTED, "cannot write “%s”: %s",
                   display, sf_strerror (NULL));
      return FALSE;
    }
  ok = sf_writef_short (sf, samples, (sf_count_t) frames) == (sf_count_t) frames;
  sf_close (sf);
  if (!cw_output_file_check_written (tmp, error))
    return FALSE;
  if (!ok)
    {
      g_autofree char *display = g_filename_display_name (output_path);

      g_set_error (error, CW_ERROR, CW_ERROR_AUDIO, "cannot write “%s”", display);
      return FALSE;
    }
  return cw_output_file_publish (tmp, replace, NULL, error);
}
