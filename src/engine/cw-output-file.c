/* cw-output-file.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rules (src/DESIGN.md, "Nothing lost"): a run creates its temporaries
 * exclusively, never follows a link it did not make, never replaces a path
 * it did not plan to replace, nor any input; an output is complete or
 * absent.
 */

#define G_LOG_DOMAIN "corewave-audio"

/* O_TMPFILE, linkat(), renameat2() and RENAME_NOREPLACE */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "cw-output-file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cw-checksum.h"
#include "cw-error.h"

/* A named temporary is ".STEM.PID.part" or ".STEM.PID-XXXXXXXX.part": the
 * stem is the output's name, cut so the whole stays within NAME_MAX. */
#define STEM_MAX 200
#define NAMED_TRIES 64

struct _CwOutputFile
{
  int         fd;
  char       *output_path;
  char       *dir;
  char       *tmp_path;    /* NULL while the temporary has no name (O_TMPFILE) */
  gboolean    published;
  sf_count_t  pos;         /* libsndfile's position */
  sf_count_t  end;         /* the furthest byte written */
  int         write_errno; /* the first write error */
  CwSum      *sum;         /* summing what is written (NULL: not asked) */
};

static gboolean
unnamed_temporaries (void)
{
  static gsize once;
  static gboolean usable;

  if (g_once_init_enter (&once))
    {
      /* linkat() of an unnamed file needs /proc/self/fd (or CAP_DAC_READ_SEARCH);
       * the tests switch them off to try the named path on the same disk */
      usable = access ("/proc/self/fd", X_OK) == 0
               && g_strcmp0 (g_getenv ("CW_TEST_NO_TMPFILE"), "1") != 0;
      g_once_init_leave (&once, 1);
    }
  return usable;
}

/* The output's name cut to STEM_MAX bytes, on a character boundary. */
static char *
part_stem (const char *output_path)
{
  g_autofree char *base = g_path_get_basename (output_path);
  gsize len = strlen (base);

  if (len <= STEM_MAX)
    return g_steal_pointer (&base);
  len = STEM_MAX;
  while (len > 0 && ((guchar) base[len] & 0xc0) == 0x80)
    len--;
  return g_strndup (base, len);
}

static char *
part_path_try (const char *output_path,
               GPid        pid,
               guint       attempt)
{
  g_autofree char *dir = g_path_get_dirname (output_path);
  g_autofree char *stem = part_stem (output_path);
  g_autofree char *name = NULL;

  if (attempt == 0)
    name = g_strdup_printf (".%s.%d.part", stem, (int) pid);
  else
    name = g_strdup_printf (".%s.%d-%08x.part", stem, (int) pid, g_random_int ());
  return g_build_filename (dir, name, NULL);
}

char *
cw_output_part_path (const char *output_path,
                     GPid        pid)
{
  g_return_val_if_fail (output_path != NULL, NULL);

  return part_path_try (output_path, pid, 0);
}

/* Gives the unnamed temporary a fresh name of its own (for a rename). */
static gboolean
name_unnamed (CwOutputFile  *self,
              GError       **error)
{
  char proc[64];

  g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", self->fd);
  for (guint attempt = 0; attempt < NAMED_TRIES; attempt++)
    {
      g_autofree char *path = part_path_try (self->output_path, getpid (), attempt);

      if (linkat (AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
        {
          self->tmp_path = g_steal_pointer (&path);
          return TRUE;
        }
      if (errno != EEXIST)
        return cw_set_error_from_errno (error, errno, "cannot create the output in", self->dir);
    }
  return cw_set_error_from_errno (error, EEXIST, "cannot create the output in", self->dir);
}

CwOutputFile *
cw_output_file_create (const char  *output_path,
                       GError     **error)
{
  g_autoptr(CwOutputFile) self = g_new0 (CwOutputFile, 1);

  g_return_val_if_fail (output_path != NULL, NULL);

  self->fd = -1;
  self->output_path = g_strdup (output_path);
  self->dir = g_path_get_dirname (output_path);

  if (unnamed_temporaries ())
    {
      self->fd = open (self->dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0666);
      if (self->fd >= 0)
        return g_steal_pointer (&self);
      /* a file system without unnamed files: a named one */
      if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        {
          cw_set_error_from_errno (error, errno, "cannot create the output in", self->dir);
          return NULL;
        }
    }

  for (guint attempt = 0; attempt < NAMED_TRIES; attempt++)
    {
      g_autofree char *path = part_path_try (output_path, getpid (), attempt);

      /* O_EXCL: a name someone planted (a link, a file) is never opened */
      self->fd = open (path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
      if (self->fd >= 0)
        {
          self->tmp_path = g_steal_pointer (&path);
          return g_steal_pointer (&self);
        }
      if (errno != EEXIST)
        {
          cw_set_error_from_errno (error, errno, "cannot create the output in", self->dir);
          return NULL;
        }
    }
  cw_set_error_from_errno (error, EEXIST, "cannot create the output in", self->dir);
  return NULL;
}

int
cw_output_file_get_fd (CwOutputFile *self)
{
  g_return_val_if_fail (self != NULL, -1);

  return self->fd;
}

/* Counts what was written; the first error sticks. */
static sf_count_t
write_counted (CwOutputFile *self,
               const void   *data,
               sf_count_t    len)
{
  const guint8 *b = data;
  sf_count_t done = 0;
  sf_count_t at = self->pos;

  if (self->write_errno != 0)
    return 0;
  while (done < len)
    {
      ssize_t n = write (self->fd, b + done, (size_t) (len - done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          self->write_errno = n < 0 ? errno : ENOSPC;
          break;
        }
      done += n;
    }
  if (self->sum != NULL && done > 0)
    cw_sum_update (self->sum, (guint64) at, data, (gsize) done);
  self->pos += done;
  self->end = MAX (self->end, self->pos);
  return done;
}

gboolean
cw_output_file_write (CwOutputFile  *self,
                      const void    *data,
                      gsize          len,
                      GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (write_counted (self, data, (sf_count_t) len) != (sf_count_t) len)
    return cw_set_error_from_errno (error, self->write_errno, "cannot write", self->output_path);
  return TRUE;
}

/* ---- libsndfile's virtual I/O ------------------------------------------ */

static sf_count_t
vio_get_filelen (void *user_data)
{
  CwOutputFile *self = user_data;
  struct stat st;

  return fstat (self->fd, &st) == 0 ? (sf_count_t) st.st_size : -1;
}

static sf_count_t
vio_seek (sf_count_t  offset,
          int         whence,
          void       *user_data)
{
  CwOutputFile *self = user_data;
  off_t to = lseek (self->fd, (off_t) offset, whence);

  if (to >= 0)
    self->pos = to;
  return to;
}

static sf_count_t
vio_read (void       *ptr,
          sf_count_t  count,
          void       *user_data)
{
  CwOutputFile *self = user_data;
  sf_count_t done = 0;

  while (done < count)
    {
      ssize_t n = read (self->fd, (guint8 *) ptr + done, (size_t) (count - done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += n;
    }
  self->pos += done;
  return done;
}

static sf_count_t
vio_write (const void *ptr,
           sf_count_t  count,
           void       *user_data)
{
  return write_counted (user_data, ptr, count);
}

static sf_count_t
vio_tell (void *user_data)
{
  CwOutputFile *self = user_data;

  return self->pos;
}

SF_VIRTUAL_IO *
cw_output_file_sf_io (void)
{
  static SF_VIRTUAL_IO io = {
    .get_filelen = vio_get_filelen,
    .seek = vio_seek,
    .read = vio_read,
    .write = vio_write,
    .tell = vio_tell,
  };

  return &io;
}

void
cw_output_file_start_sum (CwOutputFile *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->end == 0 && self->sum == NULL);

  self->sum = cw_sum_new ();
}

gboolean
cw_output_file_get_sum (CwOutputFile *self,
                        guint64      *sum)
{
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL && sum != NULL, FALSE);

  if (self->sum == NULL || self->write_errno != 0)
    return FALSE;
  *sum = cw_sum_finish (self->sum, self->fd, (guint64) self->end, &ok);
  return ok;
}

gboolean
cw_output_file_check_written (CwOutputFile  *self,
                              GError       **error)
{
  struct stat st;

  g_return_val_if_fail (self != NULL, FALSE);

  if (self->write_errno != 0)
    return cw_set_error_from_errno (error, self->write_errno, "cannot write", self->output_path);
  if (fstat (self->fd, &st) != 0)
    return cw_set_error_from_errno (error, errno, "cannot write", self->output_path);
  if ((sf_count_t) st.st_size < self->end)
    {
      g_autofree char *display = g_filename_display_name (self->output_path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "cannot write “%s”: the disk kept %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " bytes",
                   display, (gint64) st.st_size, (gint64) self->end);
      return FALSE;
    }
  return TRUE;
}

/* ---- publishing ---------------------------------------------------------- */

static gboolean
exists_error (GError     **error,
              const char  *output_path)
{
  g_autofree char *display = g_filename_display_name (output_path);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               "output exists: “%s” (allow overwriting to replace it)", display);
  return FALSE;
}

/* TRUE when @path is a regular file (not followed if a link) holding
 * exactly the temporary's bytes. */
static gboolean
holds_same_bytes (CwOutputFile *self,
                  const char   *path)
{
  g_autofree guint8 *a = NULL;
  g_autofree guint8 *b = NULL;
  struct stat mine, theirs;
  const gsize block = 1 << 18;
  gboolean same = FALSE;
  off_t off = 0;
  int fd;

  fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0)
    return FALSE;
  if (fstat (fd, &theirs) != 0 || fstat (self->fd, &mine) != 0 || !S_ISREG (theirs.st_mode)
      || theirs.st_size != mine.st_size)
    goto out;
  a = g_malloc (block);
  b = g_malloc (block);
  while (off < mine.st_size)
    {
      ssize_t n = pread (self->fd, a, block, off);

      if (n <= 0 || pread (fd, b, (size_t) n, off) != n || memcmp (a, b, (size_t) n) != 0)
        goto out;
      off += n;
    }
  same = TRUE;
out:
  close (fd);
  return same;
}

static gboolean
is_input (const char *output_path,
          const char *input_path)
{
  struct stat so, si;

  return input_path != NULL && stat (output_path, &so) == 0 && stat (input_path, &si) == 0
         && so.st_dev == si.st_dev && so.st_ino == si.st_ino;
}

/* Moves the named temporary to the output's name without replacing
 * anything: -1 with errno EEXIST when something is there. */
static int
rename_noreplace (const char *from,
                  const char *to)
{
  struct stat st;

  if (renameat2 (AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
    return 0;
  if (errno != EINVAL && errno != ENOSYS)
    return -1;
  /* a file system without RENAME_NOREPLACE: link() refuses to replace too */
  if (link (from, to) == 0)
    {
      unlink (from);
      return 0;
    }
  if (errno != EPERM && errno != ENOSYS && errno != EOPNOTSUPP && errno != EXDEV)
    return -1;
  /* Nor hard links (FUSE file systems such as Flatpak's document portal):
   * check, then rename. Only a file created in between could be lost. */
  if (lstat (to, &st) == 0)
    {
      errno = EEXIST;
      return -1;
    }
  return rename (from, to);
}

gboolean
cw_output_file_publish (CwOutputFile  *self,
                        CwReplace      replace,
                        const char    *input_path,
                        GError       **error)
{
  int rc;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->published, FALSE);

  if (is_input (self->output_path, input_path))
    {
      g_autofree char *display = g_filename_display_name (self->output_path);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   "output would overwrite the input: “%s”", display);
      return FALSE;
    }

  if (replace == CW_REPLACE_ALWAYS)
    {
      if (self->tmp_path == NULL && !name_unnamed (self, error))
        return FALSE;
      if (rename (self->tmp_path, self->output_path) != 0)
        return cw_set_error_from_errno (error, errno, "cannot rename the output to", self->output_path);
      self->published = TRUE;
      return TRUE;
    }

  if (self->tmp_path == NULL)
    {
      char proc[64];

      g_snprintf (proc, sizeof proc, "/proc/self/fd/%d", self->fd);
      rc = linkat (AT_FDCWD, proc, AT_FDCWD, self->output_path, AT_SYMLINK_FOLLOW);
    }
  else
    rc = rename_noreplace (self->tmp_path, self->output_path);
  if (rc == 0)
    {
      self->published = TRUE;
      return TRUE;
    }
  if (errno != EEXIST)
    return cw_set_error_from_errno (error, errno, "cannot rename the output to", self->output_path);
  if (replace == CW_REPLACE_IF_SAME && holds_same_bytes (self, self->output_path))
    {
      /* already there, byte for byte: nothing to change; ours goes */
      if (self->tmp_path != NULL)
        unlink (self->tmp_path);
      self->published = TRUE;
      return TRUE;
    }
  return exists_error (error, self->output_path);
}

void
cw_output_file_free (CwOutputFile *self)
{
  if (self == NULL)
    return;
  if (self->fd >= 0)
    close (self->fd);
  /* only a name we created with O_EXCL (an unnamed file just goes) */
  if (!self->published && self->tmp_path != NULL)
    unlink (self->tmp_path);
  cw_sum_free (self->sum);
  g_free (self->tmp_path);
  g_free (self->output_path);
  g_free (self->dir);
  g_free (self);
}

/* ---- what killed runs left ------------------------------------------------- */

/* The stem of a named temporary, or NULL: ".STEM.PID.part" or
 * ".STEM.PID-XXXXXXXX.part". */
static char *
stem_of_part (const char *name)
{
  gsize len = strlen (name);
  const char *end, *p;

  if (name[0] != '.' || len < 8 || !g_str_has_suffix (name, ".part"))
    return NULL;
  end = name + len - strlen (".part");
  p = end;
  /* an optional "-XXXXXXXX" */
  if (end - name > 10 && end[-9] == '-')
    {
      for (const char *h = end - 8; h < end; h++)
        if (!g_ascii_isxdigit (*h))
          return NULL;
      p = end - 9;
    }
  end = p;
  while (p > name + 1 && g_ascii_isdigit (p[-1]))
    p--;
  if (p == end || p[-1] != '.' || p - 1 <= name + 1)
    return NULL;
  return g_strndup (name + 1, (gsize) (p - 1 - (name + 1)));
}

guint
cw_output_remove_stale_parts (const char * const *output_paths,
                              gsize               n_paths)
{
  /* folder -> set of stems planned in it */
  g_autoptr(GHashTable) folders = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                         (GDestroyNotify) g_hash_table_unref);
  GHashTableIter iter;
  gpointer key, value;
  guint removed = 0;

  for (gsize i = 0; i < n_paths; i++)
    {
      char *dir = g_path_get_dirname (output_paths[i]);
      GHashTable *stems = g_hash_table_lookup (folders, dir);

      if (stems == NULL)
        {
          stems = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
          g_hash_table_insert (folders, dir, stems);
        }
      else
        g_free (dir);
      g_hash_table_add (stems, part_stem (output_paths[i]));
    }

  g_hash_table_iter_init (&iter, folders);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(GDir) d = g_dir_open (key, 0, NULL);
      const char *name;

      while (d != NULL && (name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *stem = stem_of_part (name);
          g_autofree char *path = NULL;
          struct stat st;

          if (stem == NULL || !g_hash_table_contains (value, stem))
            continue;
          path = g_build_filename (key, name, NULL);
          /* ours are regular files; anything else is left alone */
          if (lstat (path, &st) == 0 && S_ISREG (st.st_mode) && unlink (path) == 0)
            removed++;
        }
    }
  return removed;
}

/* ---- subfolders ------------------------------------------------------------ */

gboolean
cw_output_make_folders (const char  *root,
                        const char  *relative_dir,
                        GError     **error)
{
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) done = g_string_new (NULL);
  int fd;

  g_return_val_if_fail (root != NULL && relative_dir != NULL, FALSE);

  fd = open (root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return cw_set_error_from_errno (error, errno, "cannot open the output folder", root);
  parts = g_strsplit (relative_dir, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      int next;

      if (parts[i][0] == '\0' || g_str_equal (parts[i], "."))
        continue;
      if (done->len > 0)
        g_string_append_c (done, '/');
      g_string_append (done, parts[i]);
      if (g_str_equal (parts[i], "..") || (mkdirat (fd, parts[i], 0777) != 0 && errno != EEXIST))
        {
          int saved = g_str_equal (parts[i], "..") ? EINVAL : errno;
          g_autofree char *path = g_build_filename (root, done->str, NULL);

          close (fd);
          return cw_set_error_from_errno (error, saved, "cannot make the output folder", path);
        }
      /* a link someone put there is not followed: the outputs stay inside */
      next = openat (fd, parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0)
        {
          int saved = errno;
          g_autofree char *path = g_build_filename (root, done->str, NULL);

          close (fd);
          if (saved == ELOOP || saved == ENOTDIR)
            {
              g_autofree char *display = g_filename_display_name (path);

              g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                           "cannot make the output folder “%s”: something that is not a folder "
                           "(a link, a file) is there", display);
              return FALSE;
            }
          return cw_set_error_from_errno (error, saved, "cannot make the output folder", path);
        }
      close (fd);
      fd = next;
    }
  close (fd);
  return TRUE;
}
