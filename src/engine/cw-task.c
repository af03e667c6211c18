/* cw-task.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave-pool"

#include "cw-task.h"

#include <string.h>
#include <time.h>
#include <unistd.h>


static const char * const kind_names[CW_TASK_N_KINDS] = {
  [CW_TASK_AUDIO] = "audio",
  [CW_TASK_MUL10] = "mul10",
  [CW_TASK_SPIN] = "spin",
  [CW_TASK_FIB] = "fib",
  [CW_TASK_AUDIO_INLINE] = "audio-inline",
};

const char *
cw_task_kind_to_string (CwTaskKind kind)
{
  if (kind >= CW_TASK_AUDIO && kind < CW_TASK_N_KINDS)
    return kind_names[kind];
  return "unknown";
}

gboolean
cw_task_kind_from_string (const char *name,
                          CwTaskKind *kind)
{
  for (int k = CW_TASK_AUDIO; k < CW_TASK_N_KINDS; k++)
    if (g_strcmp0 (name, kind_names[k]) == 0)
      {
        *kind = k;
        return TRUE;
      }
  return FALSE;
}

const char *
cw_status_to_string (CwStatus status)
{
  switch (status)
    {
    case CW_STATUS_OK:
      return "ok";
    case CW_STATUS_FAILED:
      return "failed";
    case CW_STATUS_CANCELLED:
      return "cancelled";
    default:
      return "unknown";
    }
}

void
cw_task_free_fields (CwTask *task)
{
  g_clear_pointer (&task->input_path, g_free);
  g_clear_pointer (&task->output_path, g_free);
  g_clear_pointer (&task->seed_key, g_free);
  g_clear_pointer (&task->data, g_bytes_unref);
}

void
cw_task_copy_into (const CwTask *src,
                   CwTask       *dest)
{
  *dest = *src;
  dest->input_path = g_strdup (src->input_path);
  dest->output_path = g_strdup (src->output_path);
  dest->seed_key = g_strdup (src->seed_key);
  if (src->data != NULL)
    dest->data = g_bytes_ref (src->data);
}

void
cw_result_free_fields (CwResult *result)
{
  g_clear_pointer (&result->error, g_free);
  g_clear_pointer (&result->output_path, g_free);
  g_clear_pointer (&result->input_path, g_free);
}

CwResult *
cw_result_copy (const CwResult *result)
{
  CwResult *copy = g_new (CwResult, 1);

  *copy = *result;
  copy->error = g_strdup (result->error);
  copy->output_path = g_strdup (result->output_path);
  copy->input_path = g_strdup (result->input_path);
  return copy;
}

void
cw_result_free (CwResult *result)
{
  if (result == NULL)
    return;
  cw_result_clear (result);
  g_free (result);
}

void
cw_job_settings_clear (CwJobSettings *settings)
{
  g_clear_pointer (&settings->spec, g_free);
}

void
cw_job_settings_copy_into (const CwJobSettings *src,
                           CwJobSettings       *dest)
{
  *dest = *src;
  dest->spec = g_strdup (src->spec);
}

char *
cw_job_settings_describe_output (const CwJobSettings *settings)
{
  GString *s = g_string_new (cw_format_to_string (settings->format));

  if (settings->bits != CW_BITS_SAME)
    g_string_append_printf (s, ";bits=%s", cw_bits_to_string (settings->bits));
  if (settings->has_quality)
    {
      char q[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (s, ";quality=%s",
                              g_ascii_formatd (q, sizeof q, "%.2f", settings->quality));
    }
  if (settings->no_metadata)
    g_string_append (s, ";no-metadata");
  return g_string_free (s, FALSE);
}

/* glibc no longer caches getpid (), and a system call per trivial task
 * shows. Racing threads all store the same value. */
static gint32
cached_pid (void)
{
  static gint32 pid;

  if (G_UNLIKELY (pid == 0))
    pid = getpid ();
  return pid;
}

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Burns CPU time, not wall time: on a machine busy with something else a
 * spin task still does the same amount of work, so scaling figures are honest. */
static gint64
spin (gint64 ms)
{
  gint64 until = thread_cpu_us () + ms * 1000;
  volatile guint64 x = 88172645463325252ull;

  do
    {
      for (int i = 0; i < 2000; i++)
        {
          guint64 v = x;

          v ^= v << 13;
          v ^= v >> 7;
          v ^= v << 17;
          x = v;
        }
    }
  while (thread_cpu_us () < until);
  return (gint64) (x & 0xffff);
}

/* The generator a forked worker inherits from a parent that seeded once:
 * one per process (or per thread in thread modes), drawn file after file. */
static CwRng *
naive_shared_rng (guint64 seed)
{
  static __thread gboolean seeded;
  static __thread guint64 seeded_with;
  static __thread CwRng rng;

  if (!seeded || seeded_with != seed)
    {
      cw_rng_init (&rng, seed, "seed once in the parent");
      seeded = TRUE;
      seeded_with = seed;
    }
  return &rng;
}

/* The big-data pitfall's worker side: the samples came through the pipe;
 * add the lesson's noise (sigma 0.1 of full scale, per-file seeds) and
 * write a 16-bit WAV. */
static gboolean
run_audio_inline (const CwJobSettings  *settings,
                  const CwTask         *task,
                  gint64               *frames_out,
                  GError              **error)
{
  gsize size = 0;
  const gint16 *in = task->data ? g_bytes_get_data (task->data, &size) : NULL;
  g_autofree gint16 *out = NULL;
  gsize n = size / sizeof (gint16);
  int rate = (int) (task->arg & 0xffffffff);
  int channels = (int) (task->arg >> 32);
  CwRng rng;
  CwGauss g;

  if (task->output_path == NULL || channels < 1 || rate < 1 || n % channels != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Inline audio task without samples, rate or output");
      return FALSE;
    }
  out = g_new (gint16, MAX (n, 1));
  cw_rng_init (&rng, settings->seed, task->seed_key ? task->seed_key : "");
  cw_gauss_init (&g, &rng);
  cw_gauss_noise16 (&g, in, out, n, 0.1 * 32768.0);
  if (!cw_audio_write_pcm16 (task->output_path, task->replace, rate, channels, out,
                             n / channels, error))
    return FALSE;
  *frames_out = n / channels;
  return TRUE;
}

static gint64
fib (gint64 n)
{
  return n < 2 ? n : fib (n - 1) + fib (n - 2);
}

static void
task_run_timed (const CwJobSettings *settings,
                const CwChain       *chain,
                const CwTask        *task,
                CwResult            *result,
                GCancellable        *cancellable)
{
  g_autoptr(GError) error = NULL;
  gint64 cpu0;

  result->start_us = g_get_monotonic_time ();

  cpu0 = thread_cpu_us ();

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    goto out;

  switch (task->kind)
    {
    case CW_TASK_AUDIO:
      {
        CwAudioJob job = {
          .input_path = task->input_path,
          .output_path = task->output_path,
          .chain = chain,
          .format = settings->format,
          .seed = settings->seed,
          .seed_key = task->seed_key,
          .replace = task->replace,
          .bits = settings->bits,
          .has_quality = settings->has_quality,
          .quality = settings->quality,
          .no_metadata = settings->no_metadata,
          .shared_rng = settings->naive_seed ? naive_shared_rng (settings->seed) : NULL,
          .checksum_out = settings->checksum ? &result->checksum : NULL,
          .has_checksum_out = &result->has_checksum,
        };

        if (chain == NULL || task->input_path == NULL || task->output_path == NULL)
          g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               "Audio task without a transform, input or output");
        else if (cw_audio_process (&job, &result->frames, cancellable, &error))
          result->output_path = g_strdup (task->output_path);
      }
      break;

    case CW_TASK_SPIN:
      result->value = spin (CLAMP (task->arg, 0, 3600 * 1000));
      break;

    case CW_TASK_FIB:
      if (task->arg < 0 || task->arg > 92)
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "fib: n must be between 0 and 92, not %" G_GINT64_FORMAT, task->arg);
      else
        result->value = fib (task->arg);
      break;

    case CW_TASK_AUDIO_INLINE:
      if (run_audio_inline (settings, task, &result->frames, &error))
        result->output_path = g_strdup (task->output_path);
      break;

    case CW_TASK_MUL10:
    case CW_TASK_N_KINDS:
    default:
      g_set_error (&error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Unknown task kind %d", task->kind);
      break;
    }

out:
  result->cpu_us = thread_cpu_us () - cpu0;
  result->end_us = g_get_monotonic_time ();
  if (error == NULL)
    result->status = CW_STATUS_OK;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    result->status = CW_STATUS_CANCELLED;
  else
    result->status = CW_STATUS_FAILED;
  if (error != NULL)
    result->error = g_strdup (error->message);
}

void
cw_task_run (const CwJobSettings *settings,
             const CwChain       *chain,
             const CwTask        *task,
             CwResult            *result,
             GCancellable        *cancellable)
{
  /* field by field: a zeroing compound literal becomes a rep stos */
  result->index = task->index;
  result->status = CW_STATUS_OK;
  result->attempts = 0;
  result->pid = cached_pid ();
  result->worker = 0;
  result->value = 0;
  result->frames = 0;
  result->start_us = 0;
  result->end_us = 0;
  result->cpu_us = 0;
  result->error = NULL;
  result->output_path = NULL;
  result->input_path = NULL;
  result->peak_rss_kb = 0;
  result->has_checksum = FALSE;
  result->checksum = 0;

  /* The lesson's trivial task takes nanoseconds: even reading the clock
   * would cost more than the task. Its start and end are left 0 for the
   * caller, which stamps a whole chunk of them with one reading. */
  if (task->kind == CW_TASK_MUL10)
    {
      result->value = task->arg * 10;
      result->status = CW_STATUS_OK;
      return;
    }
  task_run_timed (settings, chain, task, result, cancellable);
}
