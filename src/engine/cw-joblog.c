/* cw-joblog.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-joblog.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw-error.h"
#include "cw-output-file.h"

/* ---------------------------------------------------------------------- */
/* shards */

/* An environment variable as a whole number, or FALSE. */
static gboolean
env_number (const char *name,
            guint64    *value)
{
  const char *text = g_getenv (name);

  return text != NULL && g_ascii_string_to_unsigned (text, 10, 0, CW_SHARD_MAX * 16, value, NULL);
}

/* Slurm job arrays number tasks MIN, MIN + STEP, ... with COUNT of them. */
static gboolean
shard_from_slurm (guint    *index,
                  guint    *count,
                  GError  **error)
{
  guint64 id, min, n, step = 1;

  if (!env_number ("SLURM_ARRAY_TASK_ID", &id))
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                           "--shard slurm: this is not a task of a Slurm job array "
                           "(SLURM_ARRAY_TASK_ID is not set): submit with sbatch --array");
      return FALSE;
    }
  if (!env_number ("SLURM_ARRAY_TASK_MIN", &min) || !env_number ("SLURM_ARRAY_TASK_COUNT", &n) || n == 0)
    {
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                           "--shard slurm: SLURM_ARRAY_TASK_MIN and SLURM_ARRAY_TASK_COUNT are not set");
      return FALSE;
    }
  env_number ("SLURM_ARRAY_TASK_STEP", &step);
  if (step == 0 || id < min || (id - min) % step != 0 || (id - min) / step >= n || n > CW_SHARD_MAX)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   "--shard slurm: task %" G_GUINT64_FORMAT " does not fit an array of %" G_GUINT64_FORMAT
                   " tasks from %" G_GUINT64_FORMAT " in steps of %" G_GUINT64_FORMAT,
                   id, n, min, step);
      return FALSE;
    }
  *index = (guint) ((id - min) / step);
  *count = (guint) n;
  return TRUE;
}

gboolean
cw_shard_parse (const char  *text,
                guint       *index,
                guint       *count,
                GError     **error)
{
  const char *slash = strchr (text, '/');
  g_autofree char *left = NULL;
  guint64 i, n;

  if (g_str_equal (text, "slurm"))
    return shard_from_slurm (index, count, error);
  if (g_str_equal (text, "auto") || g_str_has_prefix (text, "auto/"))
    {
      guint64 seq, given = 0;

      if (slash != NULL && !g_ascii_string_to_unsigned (slash + 1, 10, 1, CW_SHARD_MAX, &given, NULL))
        goto bad;
      if (g_getenv ("SLURM_ARRAY_TASK_ID") != NULL)
        {
          if (!shard_from_slurm (index, count, error))
            return FALSE;
          if (given != 0 && given != *count)
            {
              g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                           "--shard %s: the Slurm array has %u tasks", text, *count);
              return FALSE;
            }
          return TRUE;
        }
      /* GNU parallel numbers its jobs from 1 but does not export how many
       * there are: the count is given */
      if (env_number ("PARALLEL_SEQ", &seq) && seq >= 1)
        {
          if (given == 0)
            {
              g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                                   "--shard auto under GNU parallel needs the shard count: "
                                   "--shard auto/N with N jobs");
              return FALSE;
            }
          if (seq > given)
            {
              g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                           "--shard %s: this is GNU parallel's job %" G_GUINT64_FORMAT
                           ", more than the %" G_GUINT64_FORMAT " shards", text, seq, given);
              return FALSE;
            }
          *index = (guint) (seq - 1);
          *count = (guint) given;
          return TRUE;
        }
      g_set_error_literal (error, CW_ERROR, CW_ERROR_USAGE,
                           "--shard auto: neither a Slurm job array (SLURM_ARRAY_TASK_ID) nor GNU "
                           "parallel (PARALLEL_SEQ) says which shard this is: give --shard I/N");
      return FALSE;
    }
  if (slash == NULL)
    goto bad;
  left = g_strndup (text, slash - text);
  if (!g_ascii_string_to_unsigned (slash + 1, 10, 1, CW_SHARD_MAX, &n, NULL)
      || !g_ascii_string_to_unsigned (left, 10, 0, CW_SHARD_MAX, &i, NULL))
    goto bad;
  if (i >= n)
    {
      g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
                   "--shard %s: the index counts from 0, so it must be less than %" G_GUINT64_FORMAT,
                   text, n);
      return FALSE;
    }
  *index = (guint) i;
  *count = (guint) n;
  return TRUE;

bad:
  g_set_error (error, CW_ERROR, CW_ERROR_USAGE,
               "--shard must be I/N with 0 ≤ I < N ≤ %d (e.g. 0/4), slurm, auto or auto/N, not “%s”",
               CW_SHARD_MAX, text);
  return FALSE;
}

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  const guchar *p = (const guchar *) (*(const CwInputFile * const *) a)->path;
  const guchar *q = (const guchar *) (*(const CwInputFile * const *) b)->path;

  /* Bytewise with '/' below every other byte: component by component. */
  for (; *p != '\0' && *p == *q; p++, q++)
    ;
  if (*p == *q)
    return 0;
  if (*p == '/')
    return *q == '\0' ? 1 : -1;
  if (*q == '/')
    return *p == '\0' ? -1 : 1;
  return *p < *q ? -1 : 1;
}

void
cw_shard_sort_inputs (GPtrArray *paths)
{
  g_ptr_array_sort (paths, compare_paths);
}

void
cw_shard_select (GPtrArray      *items,
                 guint           index,
                 guint           count,
                 GDestroyNotify  free_func)
{
  gsize len = 0;
  gpointer *all;

  g_return_if_fail (count > 0 && index < count);

  all = g_ptr_array_steal (items, &len);
  for (gsize k = 0; k < len; k++)
    {
      if (k % count == index)
        g_ptr_array_add (items, all[k]);
      else if (free_func != NULL)
        free_func (all[k]);
    }
  g_free (all);
}

/* ---------------------------------------------------------------------- */
/* escaping */

char *
cw_joblog_escape (const char *field)
{
  GString *out;
  const char *p, *end;

  if (field == NULL || field[0] == '\0')
    return g_strdup ("-");
  if (g_str_equal (field, "-"))
    return g_strdup ("%2D");

  out = g_string_sized_new (strlen (field) + 8);
  p = field;
  end = field + strlen (field);
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      guchar b = (guchar) *p;

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* not UTF-8: keep the byte, encoded */
          g_string_append_printf (out, "%%%02X", b);
          p++;
        }
      else if (b < 0x20 || b == 0x7f || b == '%')
        {
          g_string_append_printf (out, "%%%02X", b);
          p++;
        }
      else
        {
          const char *next = g_utf8_next_char (p);

          g_string_append_len (out, p, next - p);
          p = next;
        }
    }
  return g_string_free (out, FALSE);
}

char *
cw_joblog_unescape (const char *field)
{
  GString *out;

  if (g_str_equal (field, "-"))
    return g_strdup ("");
  out = g_string_sized_new (strlen (field));
  for (const char *p = field; *p; p++)
    {
      if (*p == '%' && g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2]))
        {
          g_string_append_c (out, (char) (g_ascii_xdigit_value (p[1]) << 4 | g_ascii_xdigit_value (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* ---------------------------------------------------------------------- */
/* the log */

#define JOBLOG_HEADER \
  "# corewave joblog 2 (corewave " PACKAGE_VERSION ")" \
  "\tinput\toutput\tstatus\tseconds\tchecksum\terror\tversion\tformat\tseed\ttransform\n"

struct _CwJoblog
{
  int   fd;
  char *path;
};

/* The whole-file write lock: local runs and NFS clients (through the lock
 * manager) take turns, and an NFS client revalidates the file's size when
 * it takes the lock, so an O_APPEND write lands past every other client's
 * line. A file system without locks (ENOLCK) still gets O_APPEND. */
static gboolean
lock_log (int      fd,
          short    type)
{
  struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };

  while (fcntl (fd, F_SETLKW, &fl) != 0)
    if (errno != EINTR)
      return FALSE;
  return TRUE;
}

static gboolean
write_all_once (int          fd,
                const char  *data,
                gsize        len)
{
  ssize_t n;

  do
    n = write (fd, data, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return FALSE;
  if ((gsize) n != len)
    {
      /* disk full mid-line: never leave half a line glued to the next one */
      errno = ENOSPC;
      return FALSE;
    }
  return TRUE;
}

CwJoblog *
cw_joblog_open (const char  *path,
                GError     **error)
{
  CwJoblog *log;
  struct stat st;
  int fd;

  fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0)
    {
      cw_set_error_from_errno (error, errno, "cannot open the job log", path);
      return NULL;
    }
  log = g_new0 (CwJoblog, 1);
  log->fd = fd;
  log->path = g_strdup (path);

  /* The header once, by whichever run gets the lock first on a new file. */
  lock_log (fd, F_WRLCK);
  if (fstat (fd, &st) == 0 && st.st_size == 0
      && !write_all_once (fd, JOBLOG_HEADER, strlen (JOBLOG_HEADER)))
    {
      cw_set_error_from_errno (error, errno, "cannot write the job log", path);
      lock_log (fd, F_UNLCK);
      cw_joblog_close (log);
      return NULL;
    }
  lock_log (fd, F_UNLCK);
  return log;
}

gboolean
cw_joblog_append (CwJoblog            *log,
                  const char          *input,
                  const char          *output,
                  const char          *status,
                  double               seconds,
                  const char          *checksum,
                  const char          *error_message,
                  const CwJobSettings *settings,
                  GError             **error)
{
  g_autofree char *spec = cw_joblog_escape (settings ? settings->spec : NULL);
  g_autofree char *seed = settings ? g_strdup_printf ("%" G_GUINT64_FORMAT, settings->seed) : NULL;
  g_autofree char *encoding = settings ? cw_job_settings_describe_output (settings) : NULL;
  g_autofree char *in = cw_joblog_escape (input);
  g_autofree char *out = cw_joblog_escape (output);
  g_autofree char *short_message = NULL;
  g_autofree char *err = NULL;
  g_autofree char *sum = cw_joblog_escape (checksum);
  char secs[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *line = NULL;
  gboolean locked, ok;
  int saved;

  if (error_message != NULL && strlen (error_message) > 400)
    {
      const char *cut = error_message + 400;

      while (cut > error_message && ((guchar) *cut & 0xc0) == 0x80)
        cut--;
      short_message = g_strndup (error_message, cut - error_message);
      error_message = short_message;
    }
  err = cw_joblog_escape (error_message);
  g_ascii_formatd (secs, sizeof secs, "%.3f", seconds);
  line = g_strjoin ("\t", in, out, status, secs, sum, err,
                    settings ? PACKAGE_VERSION : "-",
                    settings ? encoding : "-",
                    settings ? seed : "-", spec, NULL);
  {
    char *with_nl = g_strconcat (line, "\n", NULL);

    g_free (line);
    line = with_nl;
  }

  /* One write() per line on an O_APPEND descriptor: on a local file system
   * the kernel places it atomically at the end; lines are kept short (an
   * error message is cut) so they stay under PIPE_BUF for readers that
   * tail the file through a pipe. */
  locked = lock_log (log->fd, F_WRLCK);
  ok = write_all_once (log->fd, line, strlen (line));
  saved = errno;
  if (locked)
    lock_log (log->fd, F_UNLCK);
  if (!ok)
    return cw_set_error_from_errno (error, saved, "cannot write the job log", log->path);
  return TRUE;
}

void
cw_joblog_close (CwJoblog *log)
{
  if (log == NULL)
    return;
  if (log->fd >= 0)
    close (log->fd);
  g_free (log->path);
  g_free (log);
}

static void
entry_free (CwJoblogEntry *entry)
{
  g_free (entry->input);
  g_free (entry->output);
  g_free (entry->checksum);
  g_free (entry->version);
  g_free (entry->format);
  g_free (entry->seed);
  g_free (entry->spec);
  g_free (entry);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* @done maps an output's file name to the entries for outputs of that
 * name (one per path as written), the last logged last: the last line for
 * an output wins, since a file redone logs again. */
static void
add_entry (GHashTable    *done,
           CwJoblogEntry *entry)
{
  g_autofree char *name = g_path_get_basename (entry->output);
  GPtrArray *entries = g_hash_table_lookup (done, name);

  if (entries == NULL)
    {
      entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
      g_hash_table_insert (done, g_steal_pointer (&name), entries);
    }
  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (((CwJoblogEntry *) g_ptr_array_index (entries, i))->output, entry->output))
      {
        g_ptr_array_remove_index (entries, i);
        break;
      }
  g_ptr_array_add (entries, entry);
}

/* Adds the "ok" lines of one log file to @done. */
static gboolean
load_file (GHashTable  *done,
           const char  *path,
           GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *contents = NULL;
  char *line, *next;
  gsize len = 0;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  for (line = contents; line != NULL && line < contents + len; line = next)
    {
      g_auto(GStrv) fields = NULL;
      CwJoblogEntry *entry;

      next = memchr (line, '\n', contents + len - line);
      /* a line cut short by a crash has no newline: not a finished file */
      if (next == NULL)
        break;
      *next++ = '\0';
      if (line[0] == '#' || line[0] == '\0')
        continue;
      fields = g_strsplit (line, "\t", -1);
      if (g_strv_length (fields) < 5 || !g_str_equal (fields[2], "ok")
          || !cw_checksum_is_known (fields[4]))
        continue;

      entry = g_new0 (CwJoblogEntry, 1);
      entry->input = cw_joblog_unescape (fields[0]);
      entry->output = cw_joblog_unescape (fields[1]);
      entry->checksum = g_strdup (fields[4]);
      if (g_strv_length (fields) >= 10 && !g_str_equal (fields[6], "-"))
        {
          entry->version = cw_joblog_unescape (fields[6]);
          entry->format = cw_joblog_unescape (fields[7]);
          entry->seed = cw_joblog_unescape (fields[8]);
          entry->spec = cw_joblog_unescape (fields[9]);
        }
      add_entry (done, entry);
    }
  return TRUE;
}

static gboolean
is_log_dir (const char *path)
{
  return g_str_has_suffix (path, "/") || g_file_test (path, G_FILE_TEST_IS_DIR);
}

GHashTable *
cw_joblog_load_done (const char  *path,
                     GError     **error)
{
  g_autoptr(GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) g_ptr_array_unref);

  if (is_log_dir (path))
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GDir) dir = g_dir_open (path, 0, &local_error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (dir == NULL)
        {
          if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer (&done);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      while ((name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_suffix (name, ".log") && name[0] != '.')
          g_ptr_array_add (names, g_strdup (name));
      /* in name order, so which line wins never depends on the file system */
      g_ptr_array_sort (names, compare_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *file = g_build_filename (path, g_ptr_array_index (names, i), NULL);

          if (!load_file (done, file, error))
            return NULL;
        }
      return g_steal_pointer (&done);
    }
  if (!load_file (done, path, error))
    return NULL;
  return g_steal_pointer (&done);
}

char *
cw_joblog_file_for (const char *joblog,
                    guint       shard_index,
                    guint       shard_count)
{
  g_return_val_if_fail (joblog != NULL, NULL);

  if (!is_log_dir (joblog))
    return g_strdup (joblog);
  if (shard_count == 0)
    return g_build_filename (joblog, "all.log", NULL);
  {
    g_autofree char *name = g_strdup_printf ("shard-%u.log", shard_index);

    return g_build_filename (joblog, name, NULL);
  }
}

static gboolean
same_settings (const CwJoblogEntry *entry,
               const CwJobSettings *settings)
{
  g_autofree char *seed = g_strdup_printf ("%" G_GUINT64_FORMAT, settings->seed);
  g_autofree char *encoding = cw_job_settings_describe_output (settings);

  return entry->version != NULL
         && g_str_equal (entry->version, PACKAGE_VERSION)
         && g_str_equal (entry->format, encoding)
         && g_str_equal (entry->seed, seed)
         && g_strcmp0 (entry->spec, settings->spec) == 0;
}

/* @path is @key or ends with "/" + @key */
static gboolean
ends_with_key (const char *path,
               const char *key)
{
  gsize len = strlen (path), key_len = strlen (key);

  return len == key_len ? g_str_equal (path, key)
         : len > key_len && path[len - key_len - 1] == '/' && g_str_equal (path + len - key_len, key);
}

/* The log's last entry for @file's output: the same path, or (a run with
 * -o spelt another way, a shard on another host's mount) a path ending in
 * the same name below the output folder, its key. NULL when none. */
const CwJoblogEntry *
cw_joblog_lookup (GHashTable          *done,
                  const CwPlannedFile *file)
{
  g_autofree char *name = g_path_get_basename (file->output_path);
  GPtrArray *entries = g_hash_table_lookup (done, name);
  gboolean by_key = file->seed_key != NULL && ends_with_key (file->output_path, file->seed_key);

  for (guint i = entries != NULL ? entries->len : 0; i-- > 0;)
    {
      const CwJoblogEntry *entry = g_ptr_array_index (entries, i);

      if (g_str_equal (entry->output, file->output_path)
          || (by_key && ends_with_key (entry->output, file->seed_key)))
        return entry;
    }
  return NULL;
}

/* The log's entry for @file when it says @file's input made the file that
 * is there now (same bytes), else NULL. */
static const CwJoblogEntry *
own_output (GHashTable          *done,
            const CwPlannedFile *file)
{
  const CwJoblogEntry *entry = cw_joblog_lookup (done, file);
  struct stat st;

  if (entry == NULL || !g_str_equal (entry->input, file->input_path))
    return NULL;
  if (lstat (file->output_path, &st) != 0 || !S_ISREG (st.st_mode))
    return NULL;
  return cw_checksum_file_matches (file->output_path, entry->checksum) ? entry : NULL;
}

const char *
cw_joblog_why_not_done (GHashTable          *done,
                        const CwPlannedFile *file,
                        const CwJobSettings *settings)
{
  const CwJoblogEntry *entry = cw_joblog_lookup (done, file);
  struct stat st;

  if (lstat (file->output_path, &st) != 0)
    return "no output";
  if (entry == NULL || !g_str_equal (entry->input, file->input_path))
    return "not in the job log";
  if (!S_ISREG (st.st_mode))
    return "not a regular file";
  if (!cw_checksum_file_matches (file->output_path, entry->checksum))
    return "changed since it was logged";
  if (!same_settings (entry, settings))
    return "made with other settings";
  return NULL;
}

gboolean
cw_joblog_is_done (GHashTable          *done,
                   const CwPlannedFile *file,
                   const CwJobSettings *settings)
{
  const CwJoblogEntry *entry = own_output (done, file);

  return entry != NULL && same_settings (entry, settings);
}

guint
cw_joblog_resume (GHashTable          *done,
                  GPtrArray           *plan,
                  const CwJobSettings *settings,
                  guint               *n_redone)
{
  g_autofree const char **outputs = NULL;
  gsize len = 0;
  gpointer *files;
  guint dropped = 0, redone = 0;

  g_return_val_if_fail (done != NULL && plan != NULL && settings != NULL, 0);

  files = g_ptr_array_steal (plan, &len);
  for (gsize i = 0; i < len; i++)
    {
      CwPlannedFile *file = files[i];
      const CwJoblogEntry *entry = own_output (done, file);
      struct stat st;

      if (entry != NULL && same_settings (entry, settings))
        {
          dropped++;
          cw_planned_file_free (file);
          continue;
        }
      if (entry != NULL)
        {
          /* ours, made otherwise: made again */
          file->replace = CW_REPLACE_ALWAYS;
          redone++;
        }
      else if (lstat (file->output_path, &st) == 0)
        /* not ours: kept, unless it is exactly what we would write (a
         * killed run may have published it before logging it) */
        file->replace = MAX (file->replace, CW_REPLACE_IF_SAME);
      g_ptr_array_add (plan, file);
    }
  g_free (files);

  outputs = g_new (const char *, MAX (plan->len, 1));
  for (guint i = 0; i < plan->len; i++)
    outputs[i] = ((CwPlannedFile *) g_ptr_array_index (plan, i))->output_path;
  cw_output_remove_stale_parts (outputs, plan->len);

  if (n_redone != NULL)
    *n_redone = redone;
  return dropped;
}
