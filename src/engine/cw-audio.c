/* cw-audio.c: one file through the transform chain, streamed with libsndfile
 *
 * The job: open and check the input, settle the output's format and the
 * chain's gains, write an exclusive temporary, verify it, publish it.
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

static void
proc_clear (Proc *p)
{
  if (p->fd >= 0)
    close (p->fd);
  p->fd = -1;
  cw_audio_free_resamplers (p);
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
       && (!cw_audio_frames_are_exact (&info) || info.frames == written);
  if (!ok)
    g_set_error (error, CW_ERROR, CW_ERROR_AUDIO,
                 "cannot write “%s”: what was written reads back as %" G_GINT64_FORMAT
                 " frames of %d channels at %d Hz, not %" G_GINT64_FORMAT " of %d at %d Hz",
                 display, (gint64) info.frames, info.channels, info.samplerate,
                 written, channels, p->out_info.samplerate);
  sf_close (sf);
  return ok;
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
  cw_audio_chain_shape (p);
  if (!cw_audio_choose_output_format (p, p->rate_at[p->n_stages], p->channels_at[p->n_stages],
                                      &needed_rate, error))
    return FALSE;
  if (needed_rate != 0)
    {
      g_autofree char *spec = cw_chain_to_string (p->job->chain);
      g_autofree char *more = g_strdup_printf ("%s%sresample:rate=%d", spec,
                                               spec[0] != '\0' ? "," : "", needed_rate);

      p->note = g_strdup_printf ("resampled from %d to %d Hz (%s holds %s, not %d Hz)",
                                 p->rate_at[p->n_stages], needed_rate,
                                 p->job->format == CW_FORMAT_OPUS ? "Opus" : "MP3",
                                 p->job->format == CW_FORMAT_OPUS ? "8, 12, 16, 24 or 48 kHz"
                                 : "8 to 48 kHz (8, 11.025, 12, 16, 22.05, 24, 32, 44.1 or 48)",
                                 p->rate_at[p->n_stages]);
      p->own_chain = cw_chain_parse (more, NULL);
      g_assert (p->own_chain != NULL);
      p->chain = p->own_chain;
      p->n_stages = cw_chain_get_n_stages (p->chain);
      cw_audio_chain_shape (p);
    }
  return TRUE;
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

  p->fd = cw_audio_open_input_fd (job->input_path, &p->in_stat, error);
  if (p->fd < 0)
    return FALSE;
  in = cw_audio_open_sndfile_read (p->fd, job->input_path, &p->in_info, error);
  if (in == NULL)
    return FALSE;
  if (!cw_audio_check_header_size (in, &p->in_info, job->input_path, error))
    {
      sf_close (in);
      return FALSE;
    }
  if (!job->no_metadata)
    cw_audio_read_tags (p, in);
  sf_close (in);

  p->total_frames = p->in_info.frames;
  if (!settle_chain_and_format (p, error))
    return FALSE;

  in_sub = p->in_info.format & SF_FORMAT_SUBMASK;
  out_sub = p->out_info.format & SF_FORMAT_SUBMASK;
  p->out_bits = cw_audio_pcm_bits (out_sub);
  if (in_sub == SF_FORMAT_PCM_16 && out_sub == SF_FORMAT_PCM_16)
    p->read_mode = READ_SHORT;
  else if (cw_audio_pcm_bits (in_sub) > 0)
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
              && (cw_audio_pcm_bits (in_sub) == 0 || cw_audio_pcm_bits (in_sub) > p->out_bits);

  p->passthrough = cw_chain_is_identity (p->chain) && !p->dither
                   && ((p->read_mode == READ_SHORT && p->write_mode == WRITE_SHORT)
                       || (p->read_mode == READ_INT && p->write_mode == WRITE_INT
                           && cw_audio_pcm_bits (in_sub) == p->out_bits));

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
  cw_audio_alloc_buffers (p);

  if (p->total_frames <= 0 || p->total_frames == SF_COUNT_MAX)
    {
      if (p->total_frames != 0 || needs_total)
        if (!cw_audio_count_frames (p, cancellable, error))
          return FALSE;
      cw_audio_chain_shape (p);
    }
  if (p->total_frames <= 0)
    {
      g_autofree char *display = g_filename_display_name (job->input_path);

      g_set_error (error, CW_ERROR, CW_ERROR_EMPTY, "empty file: no audio frames in “%s”",
                   display);
      return FALSE;
    }

  if (!cw_audio_settle_gains (p, cancellable, error))
    return FALSE;

  *tmp = cw_output_file_create (job->output_path, error);
  if (*tmp == NULL)
    return FALSE;
  if (job->checksum_out != NULL)
    cw_output_file_start_sum (*tmp);
  /* through our own I/O: every write is checked, whatever the encoder says */
  out = sf_open_virtual (cw_output_file_sf_io (), SFM_WRITE, &p->out_info, *tmp);
  if (out == NULL)
    {
      g_autofree char *what = cw_audio_format_description (p->out_info.format);
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
  if (job->has_quality && cw_audio_is_lossy (p->out_info.format))
    {
      /* libsndfile's level: 0 best, 1 smallest (Vorbis, Opus, MP3) */
      double level = 1.0 - CLAMP (job->quality, 0.0, 1.0);

      (void) sf_command (out, SFC_SET_COMPRESSION_LEVEL, &level, sizeof level);
    }
  /* before any audio: some formats write their tags first */
  cw_audio_write_tags (p, out);

  ok = cw_audio_run_pass (p, p->n_stages, out, NULL, NULL, cancellable, error);
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
  if (cw_audio_input_changed (p, error))
    return FALSE;
  if (!cw_output_file_publish (*tmp, job->replace, job->input_path, error))
    return FALSE;
  /* (the published file is still ours to read: @tmp keeps its fd) */
  if (job->checksum_out != NULL && job->has_checksum_out != NULL)
    *job->has_checksum_out = cw_output_file_get_sum (*tmp, job->checksum_out);

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
