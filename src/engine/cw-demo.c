/* cw-demo.c: the lesson's demo set
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave-audio"

#include "config.h"

#include "cw-demo.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include "cw-error.h"
#include "cw-output-file.h"

static void
put_le32 (guint8  *p,
          guint32  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
  p[2] = (v >> 16) & 0xFF;
  p[3] = (v >> 24) & 0xFF;
}

static void
put_le16 (guint8  *p,
          guint16  v)
{
  p[0] = v & 0xFF;
  p[1] = (v >> 8) & 0xFF;
}

static gboolean
write_demo_file (const char  *path,
                 int          freq,
                 gint64       n_frames,
                 GError     **error)
{
  const int rate = 44100;
  g_autoptr(CwOutputFile) tmp = NULL;
  g_autofree guint8 *second = g_new (guint8, rate * 2);
  guint8 header[44];
  guint64 data_bytes = (guint64) n_frames * 2;

  if (data_bytes > G_MAXUINT32 - 36)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE, "a demo file must stay below 4 GiB");
      return FALSE;
    }

  /* as make_workload.py: one second is a whole number of periods, the phase
   * is exact in integers, rint(32767 * 0.5 sin) then tiled */
  for (int k = 0; k < rate; k++)
    {
      double phase = (2.0 * G_PI) * (double) (((gint64) k * freq) % rate) / rate;
      double v = rint ((0.5 * sin (phase)) * 32767.0);

      put_le16 (second + 2 * k, (guint16) (gint16) CLAMP (v, -32768.0, 32767.0));
    }

  /* the canonical 44-byte header, as scipy.io.wavfile writes it */
  memcpy (header, "RIFF", 4);
  put_le32 (header + 4, 36 + data_bytes);
  memcpy (header + 8, "WAVEfmt ", 8);
  put_le32 (header + 16, 16);
  put_le16 (header + 20, 1);           /* PCM */
  put_le16 (header + 22, 1);           /* mono */
  put_le32 (header + 24, rate);
  put_le32 (header + 28, rate * 2);
  put_le16 (header + 32, 2);
  put_le16 (header + 34, 16);
  memcpy (header + 36, "data", 4);
  put_le32 (header + 40, data_bytes);

  tmp = cw_output_file_create (path, error);
  if (tmp == NULL)
    return FALSE;
  if (!cw_output_file_write (tmp, header, sizeof header, error))
    return FALSE;
  for (gint64 done = 0; done < n_frames; done += rate)
    if (!cw_output_file_write (tmp, second, 2 * MIN ((gint64) rate, n_frames - done), error))
      return FALSE;
  /* the app's own cache folder: an older demo set is replaced */
  return cw_output_file_check_written (tmp, error)
         && cw_output_file_publish (tmp, CW_REPLACE_ALWAYS, NULL, error);
}

gboolean
cw_demo_write (const char  *dir,
                     guint        count,
                     double       seconds,
                     GError     **error)
{
  gint64 n_frames;

  g_return_val_if_fail (dir != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(seconds > 0.0 && seconds < 24.0 * 3600.0))
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   "demo length must be between 0 and 24 hours, not %g s", seconds);
      return FALSE;
    }
  n_frames = (gint64) rint (seconds * 44100.0);

  if (g_mkdir_with_parents (dir, 0777) != 0)
    return cw_set_error_from_errno (error, errno, "cannot create the folder", dir);

  for (guint i = 0; i < count; i++)
    {
      g_autofree char *name = g_strdup_printf ("example%02u.wav", i);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (!write_demo_file (path, 440 + 10 * (int) i, n_frames, error))
        return FALSE;
    }
  return TRUE;
}

char *
cw_demo_set_dir (guint  count,
                 double seconds)
{
  g_autofree char *name = g_strdup_printf ("demo-%ux%gs", count, seconds);

  return g_build_filename (g_get_user_cache_dir (), "corewave", name, NULL);
}

char *
cw_demo_set_ensure (guint         count,
                    double        seconds,
                    GCancellable *cancellable,
                    GError      **error)
{
  g_autofree char *dir = cw_demo_set_dir (count, seconds);
  g_autofree char *last = g_strdup_printf ("example%02u.wav", count > 0 ? count - 1 : 0);
  g_autofree char *last_path = g_build_filename (dir, last, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  /* every file is published whole and in order, so the last one there
   * means the set is complete */
  if (!g_file_test (last_path, G_FILE_TEST_IS_REGULAR) && !cw_demo_write (dir, count, seconds, error))
    return NULL;
  return g_steal_pointer (&dir);
}
