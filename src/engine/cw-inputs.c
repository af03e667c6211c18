/* cw-inputs.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "cw-inputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sndfile.h>

#include "cw-text.h"

static int
compare_strings (const void *a,
                 const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

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

GStrv
cw_inputs_dup_audio_suffixes (void)
{
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (audio_suffixes (), NULL);
  GStrv suffixes = g_strdupv ((char **) keys);

  /* in a fixed order, for filters and tests */
  qsort (suffixes, g_strv_length (suffixes), sizeof (char *), compare_strings);
  return suffixes;
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
  GHashTable *walked;      /* "dev:ino" of every folder entered: links cannot loop */
  dev_t       exclude_dev;
  ino_t       exclude_ino;
  gboolean    has_exclude;
} Walk;

static char *
inode_key (const struct stat *st)
{
  return g_strdup_printf ("%ju:%ju", (uintmax_t) st->st_dev, (uintmax_t) st->st_ino);
}

/* Adds @st to @set; FALSE when it was there already. */
static gboolean
first_time (GHashTable        *set,
            const struct stat *st)
{
  return g_hash_table_add (set, inode_key (st));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
skip (Walk       *walk,
      const char *path,
      const char *reason)
{
  if (walk->skipped != NULL)
    g_ptr_array_add (walk->skipped, g_strdup_printf ("%s: %s", path, reason));
}

/* One folder being read: its sorted entries and how far we are. */
typedef struct
{
  char      *dir;
  char      *rel;       /* the folder below the walk's root: "" or "Album/" */
  GPtrArray *names;
  guint      next;
} Frame;

static void
frame_free (Frame *frame)
{
  g_free (frame->dir);
  g_free (frame->rel);
  g_ptr_array_unref (frame->names);
  g_free (frame);
}

static Frame *
frame_open (Walk       *walk,
            const char *dir,
            const char *rel)
{
  g_autoptr(GDir) d = NULL;
  g_autoptr(GError) error = NULL;
  Frame *frame;
  const char *name;

  d = g_dir_open (dir, 0, &error);
  if (d == NULL)
    {
      skip (walk, dir, error->message);
      return NULL;
    }
  frame = g_new0 (Frame, 1);
  frame->dir = g_strdup (dir);
  frame->rel = g_strdup (rel);
  frame->names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (d)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (frame->names, g_strdup (name));
  g_ptr_array_sort (frame->names, compare_names);
  return frame;
}

/* Depth first in name order, without recursion (no depth limit: a path
 * too long to open is reported like any other unreadable entry), each
 * folder entered once however many links lead to it. */
static void
walk_tree (Walk              *walk,
           const char        *root,
           const struct stat *root_st)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new_with_free_func ((GDestroyNotify) frame_free);
  Frame *frame;

  /* a folder given twice, or inside one given before: its files are in */
  if (!first_time (walk->walked, root_st))
    return;
  frame = frame_open (walk, root, "");
  if (frame == NULL)
    return;
  g_ptr_array_add (stack, frame);

  while (stack->len > 0)
    {
      g_autofree char *path = NULL;
      const char *name;
      struct stat st;

      frame = g_ptr_array_index (stack, stack->len - 1);
      if (frame->next >= frame->names->len)
        {
          g_ptr_array_remove_index (stack, stack->len - 1);
          continue;
        }
      name = g_ptr_array_index (frame->names, frame->next++);
      path = g_build_filename (frame->dir, name, NULL);

      if (stat (path, &st) != 0)
        {
          skip (walk, path, g_strerror (errno));
          continue;
        }
      if (S_ISDIR (st.st_mode))
        {
          Frame *child;

          if (walk->has_exclude && st.st_dev == walk->exclude_dev && st.st_ino == walk->exclude_ino)
            continue;
          if (!first_time (walk->walked, &st))
            {
              skip (walk, path, "a folder already included (through a link, or given twice)");
              continue;
            }
          {
            g_autofree char *rel = g_strconcat (frame->rel, name, "/", NULL);

            child = frame_open (walk, path, rel);
          }
          if (child != NULL)
            g_ptr_array_add (stack, child);
          continue;
        }
      if (!S_ISREG (st.st_mode))
        {
          g_autofree char *reason = g_strdup_printf ("not a regular file (%s)",
                                                     cw_text_file_kind (st.st_mode));

          skip (walk, path, reason);
          continue;
        }
      if (!cw_inputs_has_audio_suffix (path))
        {
          skip (walk, path, "not an audio file");
          continue;
        }
      if (first_time (walk->seen, &st))
        {
          g_autofree char *rel = g_strconcat (frame->rel, name, NULL);

          g_ptr_array_add (walk->files, cw_input_file_new (path, rel));
        }
    }
}

gboolean
cw_layout_from_string (const char *name,
                       CwLayout   *layout)
{
  if (g_strcmp0 (name, "tree") == 0)
    *layout = CW_LAYOUT_TREE;
  else if (g_strcmp0 (name, "flat") == 0)
    *layout = CW_LAYOUT_FLAT;
  else
    return FALSE;
  return TRUE;
}

CwInputFile *
cw_input_file_new (const char *path,
                   const char *relative)
{
  CwInputFile *file = g_new0 (CwInputFile, 1);

  file->path = g_strdup (path);
  file->relative = g_strdup (relative);
  return file;
}

void
cw_input_file_free (CwInputFile *file)
{
  if (file == NULL)
    return;
  g_free (file->path);
  g_free (file->relative);
  g_free (file);
}

GPtrArray *
cw_inputs_collect (const char * const *paths,
                   const char         *exclude_dir,
                   GPtrArray          *skipped)
{
  Walk walk = { 0 };
  struct stat st;

  walk.files = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_input_file_free);
  walk.skipped = skipped;
  walk.seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  walk.walked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
        walk_tree (&walk, path, &st);
      else if (stat (path, &st) != 0 || first_time (walk.seen, &st))
        g_ptr_array_add (walk.files, cw_input_file_new (path, NULL));
    }

  g_hash_table_unref (walk.seen);
  g_hash_table_unref (walk.walked);
  return walk.files;
}

/* "a.wav", 2 -> "a (2).wav"; "Album/a.wav", 2 -> "Album/a (2).wav" */
static char *
numbered_name (const char *name,
               guint       n)
{
  const char *base = strrchr (name, '/');
  const char *dot;

  base = base != NULL ? base + 1 : name;
  dot = strrchr (base, '.');
  if (n == 0)
    return g_strdup (name);
  if (dot == NULL || dot == base)
    return g_strdup_printf ("%s (%u)", name, n);
  return g_strdup_printf ("%.*s (%u)%s", (int) (dot - name), name, n, dot);
}

/* The next number to try for each name: numbering stays linear however
 * many files share a name (10,000 "take.wav" cost one pass, not 50
 * million tries). A number passed over stays taken: the disk does not
 * shrink while planning, and planned names only grow. */
static guint
next_number (GHashTable *next,
             const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (next, name));
}

static void
set_next_number (GHashTable *next,
                 const char *name,
                 guint       n)
{
  g_hash_table_replace (next, g_strdup (name), GUINT_TO_POINTER (n));
}

typedef struct
{
  GHashTable *inputs;   /* "dev:ino" of every input */
} Plan;

/* Is anything at @path (a dangling link too), and may it be replaced? */
static void
look_at (Plan       *plan,
         const char *path,
         gboolean   *exists,
         gboolean   *replaceable)
{
  struct stat st;
  g_autofree char *key = NULL;

  *exists = lstat (path, &st) == 0;
  *replaceable = FALSE;
  if (!*exists || S_ISDIR (st.st_mode))
    return;
  /* never an input of the batch, whatever its name or the links to it */
  if (stat (path, &st) == 0)
    {
      key = inode_key (&st);
      if (S_ISDIR (st.st_mode) || g_hash_table_contains (plan->inputs, key))
        return;
    }
  *replaceable = TRUE;
}

/* The output's name below the output folder before numbering: the input's
 * name in @format, in the input's own subfolder with the tree layout. */
static char *
wanted_name (const CwInputFile *input,
             CwFormat           format,
             CwLayout           layout)
{
  g_autofree char *base = g_path_get_basename (input->path);
  g_autofree char *name = cw_format_output_name (format, base);
  const char *slash;

  if (layout != CW_LAYOUT_TREE || input->relative == NULL
      || (slash = strrchr (input->relative, '/')) == NULL)
    return g_steal_pointer (&name);
  return g_strdup_printf ("%.*s/%s", (int) (slash - input->relative), input->relative, name);
}

gboolean
cw_existing_from_string (const char *name,
                         CwExisting *existing)
{
  static const char * const names[] = { "rename", "replace", "skip", "fail" };
  static const CwExisting values[] = { CW_EXISTING_RENAME, CW_EXISTING_REPLACE, CW_EXISTING_SKIP,
                                       CW_EXISTING_FAIL };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (name, names[i]) == 0)
      {
        *existing = values[i];
        return TRUE;
      }
  return FALSE;
}

static void
note_skipped (CwPlanOptions *options,
              const char    *input,
              const char    *output)
{
  g_autofree char *display = g_filename_display_name (output);

  if (options->skipped != NULL)
    g_ptr_array_add (options->skipped,
                     g_strdup_printf ("%s: its output “%s” exists (kept)", input, display));
}

GPtrArray *
cw_inputs_plan (GPtrArray     *inputs,
                CwPlanOptions *options)
{
  GPtrArray *result = g_ptr_array_new_full (inputs->len, (GDestroyNotify) cw_planned_file_free);
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) next_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) next_disk = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Plan plan = { .inputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL) };
  CwExisting existing = options->existing;

  /* named by key, a file at the name cannot be moved past */
  if (existing == CW_EXISTING_DEFAULT)
    existing = options->by_key ? CW_EXISTING_FAIL : CW_EXISTING_RENAME;
  else if (existing == CW_EXISTING_RENAME && options->by_key)
    existing = CW_EXISTING_FAIL;
  options->n_existing = 0;

  for (guint i = 0; i < inputs->len; i++)
    {
      const CwInputFile *input = g_ptr_array_index (inputs, i);
      struct stat st;

      if (stat (input->path, &st) == 0)
        g_hash_table_add (plan.inputs, inode_key (&st));
    }

  for (guint i = 0; i < inputs->len; i++)
    {
      const CwInputFile *input = g_ptr_array_index (inputs, i);
      g_autofree char *name = wanted_name (input, options->format, options->layout);
      g_autoptr(CwPlannedFile) file = g_new0 (CwPlannedFile, 1);
      char *key = NULL;
      gboolean skip = FALSE;
      guint n;

      for (n = next_number (next_key, name); key == NULL || g_hash_table_contains (keys, key); n++)
        {
          g_free (key);
          key = numbered_name (name, n);
        }
      set_next_number (next_key, name, n);
      g_hash_table_add (keys, g_strdup (key));
      file->input_path = g_strdup (input->path);
      file->seed_key = key;

      /* The on-disk name starts from the key and, unless outputs are named
       * by key, moves on past names taken (by the plan, or on disk and not
       * to be replaced). */
      for (n = 0; file->output_path == NULL && !skip; n = MAX (n + 1, next_number (next_disk, name)))
        {
          g_autofree char *candidate_name = n == 0 ? g_strdup (key) : numbered_name (name, n);
          g_autofree char *candidate = g_build_filename (options->output_dir, candidate_name, NULL);
          gboolean exists, replaceable;

          if (n > 0)
            set_next_number (next_disk, name, n + 1);
          if (g_hash_table_contains (outputs, candidate))
            continue;
          look_at (&plan, candidate, &exists, &replaceable);
          if (n == 0 && exists)
            options->n_existing++;
          if (!exists)
            file->replace = CW_REPLACE_NEVER;
          else if (existing == CW_EXISTING_SKIP)
            {
              note_skipped (options, input->path, candidate);
              skip = TRUE;
              continue;
            }
          else if (existing == CW_EXISTING_REPLACE && replaceable)
            file->replace = CW_REPLACE_ALWAYS;
          else if (existing == CW_EXISTING_RENAME
                   || (existing == CW_EXISTING_REPLACE && !options->by_key))
            continue;
          else
            /* the worker refuses it, with its reason */
            file->replace = CW_REPLACE_NEVER;
          file->output_path = g_steal_pointer (&candidate);
        }
      if (skip)
        continue;
      g_hash_table_add (outputs, g_strdup (file->output_path));
      g_ptr_array_add (result, g_steal_pointer (&file));
    }
  g_hash_table_unref (plan.inputs);
  return result;
}

CwPlannedFile *
cw_planned_file_copy (const CwPlannedFile *file)
{
  CwPlannedFile *copy = g_new0 (CwPlannedFile, 1);

  copy->input_path = g_strdup (file->input_path);
  copy->output_path = g_strdup (file->output_path);
  copy->seed_key = g_strdup (file->seed_key);
  copy->replace = file->replace;
  return copy;
}

void
cw_planned_file_free (CwPlannedFile *file)
{
  g_free (file->input_path);
  g_free (file->output_path);
  g_free (file->seed_key);
  g_free (file);
}
