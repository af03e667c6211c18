/* cw-audio-format.c: formats, sample depths, opening and checking inputs, tags
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

int
cw_audio_pcm_bits (int subtype)
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

char *
cw_audio_format_description (int format)
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

gboolean
cw_format_has_bits (CwFormat format)
{
  return format == CW_FORMAT_SAME || format == CW_FORMAT_WAV || format == CW_FORMAT_FLAC;
}

gboolean
cw_format_has_quality (CwFormat format)
{
  return format == CW_FORMAT_SAME || format == CW_FORMAT_OGG || format == CW_FORMAT_OPUS
         || format == CW_FORMAT_MP3;
}

/* Vorbis, Opus, MP3: where a quality setting means something */
gboolean
cw_audio_is_lossy (int format)
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
gboolean
cw_audio_choose_output_format (Proc    *p,
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
      if (!(cw_audio_pcm_bits (in_sub) > 0 || in_sub == SF_FORMAT_FLOAT || in_sub == SF_FORMAT_DOUBLE
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
      g_autofree char *what = cw_audio_format_description (out->format);

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
int
cw_audio_open_input_fd (const char   *path,
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

void
cw_audio_input_changed_error (Proc     *p,
                              GError  **error)
{
  g_autofree char *display = g_filename_display_name (p->job->input_path);

  g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
               "the input changed while it was being read (its header now says another "
               "format, length or channel count): “%s”", display);
}

/* TRUE when the open input no longer is what was first read: rewritten,
 * cut or grown while a batch works on it. */
gboolean
cw_audio_input_changed (Proc     *p,
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
SNDFILE *
cw_audio_open_sndfile_read (int          fd,
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
gboolean
cw_audio_set_truncated_error (GError     **error,
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
gboolean
cw_audio_check_header_size (SNDFILE     *sf,
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
            return cw_audio_set_truncated_error (error, path,
                                                 (double) info->frames * promised / held,
                                                 (double) info->frames, info->samplerate);
        }
    }
  return TRUE;
}

/* Formats whose sf_info.frames is exact, so reading fewer is a truncation
 * (FLAC's total from STREAMINFO, PCM containers); not Ogg and MP3, whose
 * count may be an estimate. */
gboolean
cw_audio_frames_are_exact (const SF_INFO *info)
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
  fd = cw_audio_open_input_fd (path, &st, error);
  if (fd < 0)
    return FALSE;
  sf = cw_audio_open_sndfile_read (fd, path, &sfinfo, error);
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

  fd = cw_audio_open_input_fd (path, &st, NULL);
  if (fd < 0)
    return FALSE;
  sf = sf_open_fd (fd, SFM_READ, &info, FALSE);
  if (sf != NULL)
    sf_close (sf);
  close (fd);
  return sf != NULL;
}

/* The input's title, artist, album, … (what libsndfile reads), for the
 * output. */
void
cw_audio_read_tags (Proc    *p,
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
void
cw_audio_write_tags (Proc    *p,
                     SNDFILE *out)
{
  for (int t = SF_STR_FIRST; t <= SF_STR_LAST; t++)
    if (p->tags[t] != NULL)
      (void) sf_set_string (out, t, p->tags[t]);
}
