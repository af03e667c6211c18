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

#include <glib/gstdio.h>
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

typedef struct
{
  const CwAudioJob *job;
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
  double           *gains;         /* per stage: normalize's measured gain */
  double           *x;             /* BLOCK_SAMPLES */
  float            *noise;         /* BLOCK_SAMPLES */
  gint32           *ibuf;          /* BLOCK_SAMPLES */
  short            *sbuf;          /* BLOCK_SAMPLES */
} Proc;

static void
proc_clear (Proc *p)
{
  if (p->fd >= 0)
    close (p->fd);
  p->fd = -1;
  g_clear_pointer (&p->gains, g_free);
  g_clear_pointer (&p->x, g_free);
  g_clear_pointer (&p->noise, g_free);
  g_clear_pointer (&p->ibuf, g_free);
  g_clear_pointer (&p->sbuf, g_free);
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

/* Picks the output format; FALSE with a per-file error when it can't be. */
static gboolean
choose_output_format (Proc    *p,
                      int      out_channels,
                      GError **error)
{
  int in_format = p->in_info.format;
  int in_sub = in_format & SF_FORMAT_SUBMASK;
  SF_INFO *out = &p->out_info;

  memset (out, 0, sizeof *out);
  out->samplerate = p->in_info.samplerate;
  out->channels = out_channels;

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
      switch (out->samplerate)
        {
        case 8000: case 12000: case 16000: case 24000: case 48000:
          break;
        default:
          g_set_error (error, CW_ERROR, CW_ERROR_UNSUPPORTED,
                       "Opus only supports 8, 12, 16, 24 or 48 kHz, and this file is %d Hz "
                       "(Corewave does not resample: choose another format)",
                       out->samplerate);
          return FALSE;
        }
      break;

    case CW_FORMAT_MP3:
      out->format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
      /* checked before the encoder is opened: LAME refuses other rates only
       * then, and a refused open costs the worker memory it never gives back */
      switch (out->samplerate)
        {
        case 8000: case 11025: case 12000: case 16000: case 22050: case 24000:
        case 32000: case 44100: case 48000:
          break;
        default:
          g_set_error (error, CW_ERROR, CW_ERROR_UNSUPPORTED,
                       "MP3 only supports 8, 11.025, 12, 16, 22.05, 24, 32, 44.1 or 48 kHz, "
                       "and this file is %d Hz (Corewave does not resample: choose another format)",
                       out->samplerate);
          return FALSE;
        }
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

/* Runs stages [0, upto) over one block in place. @channels is updated by
 * mono. @block is the block index (the noise stream), @frame0 the position of
 * its first frame (for fade). */
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

static void
apply_stages (Proc    *p,
              guint    upto,
              double  *x,
              gsize    frames,
              int     *channels,
              guint64  block,
              gint64   frame0)
{
  const CwChain *chain = p->job->chain;
  /* the largest value an integer output can hold, so noise clips like the
   * lesson's np.clip; float outputs clip noise to [-1, 1] */
  double hi = p->write_mode == WRITE_DOUBLE ? 1.0 : 1.0 - ldexp (1.0, 1 - p->out_bits);

  for (guint si = 0; si < upto; si++)
    {
      const CwStage *stage = cw_chain_get_stage (chain, si);
      gsize n = frames * *channels;

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
          {
            double g = p->gains[si];

            for (gsize i = 0; i < n; i++)
              x[i] *= g;
          }
          break;

        case CW_STAGE_FADE:
          {
            double rate = p->in_info.samplerate;
            gint64 n_in = (gint64) rint (stage->a * rate / 1000.0);
            gint64 n_out = (gint64) rint (stage->b * rate / 1000.0);
            gint64 total = p->total_frames;

            for (gsize f = 0; f < frames; f++)
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

              for (gsize f = 0; f < frames; f++)
                {
                  double sum = 0.0;

                  for (int c = 0; c < ch; c++)
                    sum += x[f * ch + c];
                  x[f] = sum / ch;
                }
              *channels = 1;
            }
          break;

        default:
          g_assert_not_reached ();
        }
    }
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
  const CwStage *stage = cw_chain_get_stage (p->job->chain, p->noise16_stage);
  sf_count_t got = sf_readf_short (in, p->sbuf, p->block_frames);
  double scaled_sigma = stage->a * 32768.0;
  gsize n;
  CwRng rng;
  CwGauss g;

  if (got <= 0)
    return got;
  n = got * p->in_info.channels;
  cw_rng_init_stream (&rng, p->job->seed, p->job->seed_key,
                      noise_stream (p->job->chain, p->noise16_stage, block));
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
            double v = x[i] * scale;

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

/* One pass over the input: stages [0, upto), then either the peak of the
 * result (@peak) or writing it to @out. */
static gboolean
run_pass (Proc          *p,
          guint          upto,
          SNDFILE       *out,
          double        *peak,
          gint64        *frames_done,
          GCancellable  *cancellable,
          GError       **error)
{
  SF_INFO info;
  SNDFILE *in;
  gint64 pos = 0;
  guint64 block = 0;
  double max = 0.0;
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

  for (;;)
    {
      int channels = p->in_info.channels;
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
        break;

      if ((!p->passthrough && p->noise16_stage < 0) || out == NULL)
        apply_stages (p, upto, p->x, got, &channels, block, pos);

      if (out != NULL)
        {
          gboolean written;

          errno = 0;
          if (p->noise16_stage >= 0)
            written = sf_writef_short (out, p->sbuf, got) == got;
          else if (p->passthrough)
            written = (p->read_mode == READ_SHORT
                       ? sf_writef_short (out, p->sbuf, got)
                       : sf_writef_int (out, p->ibuf, got)) == got;
          else
            written = write_block (p, out, p->x, got, channels);
          if (!written)
            {
              int saved_errno = errno;
              g_autofree char *display = g_filename_display_name (p->job->output_path);

              if (saved_errno != 0)
                g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                             "cannot write “%s”: %s", display, g_strerror (saved_errno));
              else
                g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
                             "cannot write “%s”: %s", display, sf_strerror (out));
              ok = FALSE;
              break;
            }
        }
      else
        {
          for (sf_count_t i = 0; i < got * channels; i++)
            max = MAX (max, fabs (p->x[i]));
        }

      pos += got;
      block++;
    }

  sf_close (in);
  if (peak)
    *peak = max;
  if (frames_done)
    *frames_done = pos;
  return ok;
}

static gboolean
count_frames (Proc          *p,
              GCancellable  *cancellable,
              GError       **error)
{
  return run_pass (p, 0, NULL, NULL, &p->total_frames, cancellable, error);
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

static gboolean
process (Proc           *p,
         CwOutputFile  **tmp,
         gint64         *frames_out,
         GCancellable   *cancellable,
         GError        **error)
{
  const CwAudioJob *job = p->job;
  guint n_stages = cw_chain_get_n_stages (job->chain);
  int in_sub, out_sub, out_channels = 0;
  gboolean needs_total = FALSE;
  SNDFILE *in, *out;
  gint64 written = 0;
  int close_status;
  gboolean ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  /* refuse early what we would refuse at the end */
  if (refuse_early (job, error))
    return FALSE;

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
  sf_close (in);

  out_channels = p->in_info.channels;
  for (guint si = 0; si < n_stages; si++)
    {
      CwStageKind kind = cw_chain_get_stage (job->chain, si)->kind;

      if (kind == CW_STAGE_MONO)
        out_channels = 1;
      if (kind == CW_STAGE_FADE)
        needs_total = TRUE;
    }

  if (!choose_output_format (p, out_channels, error))
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

  p->passthrough = cw_chain_is_identity (job->chain)
                   && ((p->read_mode == READ_SHORT && p->write_mode == WRITE_SHORT)
                       || (p->read_mode == READ_INT && p->write_mode == WRITE_INT
                           && pcm_bits (in_sub) == p->out_bits));

  p->noise16_stage = -1;
  if (p->read_mode == READ_SHORT && p->write_mode == WRITE_SHORT)
    {
      guint n_noise = 0, n_other = 0;

      for (guint si = 0; si < n_stages; si++)
        {
          CwStageKind kind = cw_chain_get_stage (job->chain, si)->kind;

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

  /* bounded memory: a few blocks, whatever the file's length */
  p->block_frames = MAX (1, BLOCK_SAMPLES / p->in_info.channels);
  p->x = g_new (double, BLOCK_SAMPLES);
  p->noise = g_new (float, BLOCK_SAMPLES);
  p->ibuf = g_new (gint32, BLOCK_SAMPLES);
  p->sbuf = g_new (short, BLOCK_SAMPLES);
  p->gains = g_new0 (double, MAX (n_stages, 1));

  p->total_frames = p->in_info.frames;
  if (p->total_frames <= 0 || p->total_frames == SF_COUNT_MAX)
    {
      if (p->total_frames != 0 || needs_total)
        if (!count_frames (p, cancellable, error))
          return FALSE;
    }
  if (p->total_frames <= 0)
    {
      g_autofree char *display = g_filename_display_name (job->input_path);

      g_set_error (error, CW_ERROR, CW_ERROR_EMPTY, "empty file: no audio frames in “%s”",
                   display);
      return FALSE;
    }

  for (guint si = 0; si < n_stages; si++)
    {
      const CwStage *stage = cw_chain_get_stage (job->chain, si);

      if (stage->kind == CW_STAGE_GAIN)
        {
          p->gains[si] = db_to_gain (stage->a);
        }
      else if (stage->kind == CW_STAGE_NORMALIZE)
        {
          double peak;

          /* the peak of the signal as it is at this stage: one more pass */
          if (!run_pass (p, si, NULL, &peak, NULL, cancellable, error))
            return FALSE;
          p->gains[si] = peak > 0.0 ? db_to_gain (stage->a) / peak : 1.0;
        }
    }

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

  ok = run_pass (p, n_stages, out, NULL, &written, cancellable, error);
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

  if (written == 0)
    {
      g_autofree char *display = g_filename_display_name (job->input_path);

      g_set_error (error, CW_ERROR, CW_ERROR_EMPTY, "empty file: no audio frames in “%s”",
                   display);
      return FALSE;
    }

  if (!verify_output (p, *tmp, p->out_info.channels, written, error))
    return FALSE;
  /* what was read is what the input still holds */
  if (input_changed (p, error))
    return FALSE;
  if (!cw_output_file_publish (*tmp, job->replace, job->input_path, error))
    return FALSE;

  if (frames_out)
    *frames_out = written;
  return TRUE;
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
