/* cw-inputs.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cw-inputs.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <sndfile.h>

static GHashTable *
audio_suffixes (void)
{
  static GHashTable *table;
  static gsize initialised;

  if (g_once_init_enter (&initialised))
    {
      /* Extensions libsndfile reports for its formats, and the usual aliases. */
      static const char * const extra[] = {
        "wav", "wave", "flac", "ogg", "oga", "opus", "mp3", "aif", "aiff", "aifc", "au",
        "snd", "caf", "w64", "rf64", "voc", "sf", "ircam", "nist", "sph", "paf", "svx",
        "iff", "mat", "pvf", "xi", "htk", "sds", "avr", "sd2", "wve", "mpc",
      };
      SF_FORMAT_INFO info;
      int count = 0;

      table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
        g_hash_table_add (table, g_strdup (extra[i]));
      sf_command (NULL, SFC_GET_FORMAT_MAJOR_COUNT, &count, sizeof count);
      for (int i = 0; i < count; i++)
        {
          info.format = i;
          if (sf_command (NULL, SFC_GET_FORMAT_MAJOR, &info, sizeof info) == 0
              && info.extension != NULL && g_strcmp0 (info.extension, "raw") != 0)
            g_hash_table_add (table, g_ascii_strdown (info.extension, -1));
        }
      g_once_init_leave (&initialised, 1);
    }
  return table;
}

gboolean
cw_inputs_has_audio_suffix (const char *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *lower = NULL;

  if (dot == NULL || dot[1] == '\0')
    return FALSE;
  lower = g_ascii_strdown (dot + 1, -1);
  return g_hash_table_contains (audio_suffixes (), lower);
}

typedef struct
{
  GPtrArray  *files;
  GPtrArray  *skipped;
  GHashTable *seen;        /* "dev:ino" of every file kept */
  dev_t       exclude_dev;
  ino_t       exclude_ino;
  gboolean    has_exclude;
} Walk;

static gboolean
seen_before (Walk              *walk,
             const struct stat *st)
{
  char *key = g_strdup_printf ("%ju:%ju", (uintmax_t) st->st_dev, (uintmax_t) st->st_ino);

  if (g_hash_table_contains (walk->seen, key))
    {
      g_free (key);
      return TRUE;
    }
  g_hash_table_add (walk->seen, key);
  return FALSE;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
walk_dir (Walk       *walk,
          const char *dir,
          guint       depth)
{
  g_autoptr(GDir) d = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  /* Symbolic links to folders can make loops; stop somewhere sane. */
  if (depth > 64)
    return;

  d = g_dir_open (dir, 0, &error);
  if (d == NULL)
    {
      if (walk->skipped != NULL)
        g_ptr_array_add (walk->skipped, g_strdup_printf ("%s: %s", dir, error->message));
      return;
    }
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);

  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      struct stat st;

      if (stat (path, &st) != 0)
        {
          if (walk->skipped != NULL)
            g_ptr_array_add (walk->skipped, g_strdup_printf ("%s: %s", path, g_strerror (errno)));
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          if (walk->has_exclude && st.st_dev == walk->exclude_dev && st.st_ino == walk->exclude_ino)
            continue;
          walk_dir (walk, path, depth + 1);
          continue;
        }
      if (!S_ISREG (st.st_mode))
        continue;
      if (!cw_inputs_has_audio_suffix (path))
        {
          if (walk->skipped != NULL)
            g_ptr_array_add (walk->skipped, g_strdup_printf ("%s: not an audio file", path));
          continue;
        }
      if (!seen_before (walk, &st))
        g_ptr_array_add (walk->files, g_steal_pointer (&path));
    }
}

GPtrArray *
cw_inputs_collect (const char * const *paths,
                   const char         *exclude_dir,
                   GPtrArray          *skipped)
{
  Walk walk = { 0 };
  struct stat st;

  walk.files = g_ptr_array_new_with_free_func (g_free);
  walk.skipped = skipped;
  walk.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (exclude_dir != NULL && stat (exclude_dir, &st) == 0)
    {
      walk.has_exclude = TRUE;
      walk.exclude_dev = st.st_dev;
      walk.exclude_ino = st.st_ino;
    }

  for (guint i = 0; paths != NULL && paths[i] != NULL; i++)
    {
      const char *path = paths[i];

      if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
        walk_dir (&walk, path, 0);
      else if (stat (path, &st) != 0 || !seen_before (&walk, &st))
        g_ptr_array_add (walk.files, g_strdup (path));
    }

  g_hash_table_unref (walk.seen);
  return walk.files;
}

/* "a.wav", 2 -> "a (2).wav" */
static char *
numbered_name (const char *name,
               guint       n)
{
  const char *dot = strrchr (name, '.');

  if (n == 0)
    return g_strdup (name);
  if (dot == NULL || dot == name)
    return g_strdup_printf ("%s (%u)", name, n);
  return g_strdup_printf ("%.*s (%u)%s", (int) (dot - name), name, n, dot);
}

GPtrArray *
cw_inputs_plan (GPtrArray  *inputs,
                const char *output_dir,
                CwFormat    format,
                gboolean    overwrite)
{
  GPtrArray *plan = g_ptr_array_new_full (inputs->len, (GDestroyNotify) cw_planned_file_free);
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < inputs->len; i++)
    {
      const char *input = g_ptr_array_index (inputs, i);
      g_autofree char *base = g_path_get_basename (input);
      g_autofree char *name = cw_format_output_name (format, base);
      CwPlannedFile *file = g_new0 (CwPlannedFile, 1);
      char *key = NULL;

      for (guint n = 0; key == NULL || g_hash_table_contains (keys, key); n++)
        {
          g_free (key);
          key = numbered_name (name, n);
        }
      g_hash_table_add (keys, g_strdup (key));

      /* The on-disk name starts from the key and only moves on past files
       * that exist already (unless they are to be overwritten). */
      for (guint n = 0; file->output_path == NULL; n++)
        {
          g_autofree char *candidate_name = n == 0 ? g_strdup (key) : numbered_name (name, n);
          g_autofree char *candidate = g_build_filename (output_dir, candidate_name, NULL);

          if (g_hash_table_contains (outputs, candidate))
            continue;
          if (!overwrite && g_file_test (candidate, G_FILE_TEST_EXISTS))
            continue;
          file->output_path = g_steal_pointer (&candidate);
        }
      g_hash_table_add (outputs, g_strdup (file->output_path));

      file->input_path = g_strdup (input);
      file->seed_key = key;
      g_ptr_array_add (plan, file);
    }
  return plan;
}

void
cw_planned_file_free (CwPlannedFile *file)
{
  g_free (file->input_path);
  g_free (file->output_path);
  g_free (file->seed_key);
  g_free (file);
}
