/* cw-checksum.c: what the job log says an output was
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A run's log records a checksum of every output it made, so that a
 * resume redoes a file whose output is gone or changed and only that. The
 * checksum is an XXH64 tree over 64 KiB blocks (cw-checksum.h) so that the
 * worker that writes an output can sum it as it writes: a block written
 * once, in order, is summed from the bytes in hand, and only a block
 * written again (a header libsndfile rewrites at the end) is read back.
 * The parent then never reads an output back (for the lesson's 24 files,
 * 485 MB: 0.1 s of CPU taken from the workers on a 2-core machine).
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-checksum.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cw-error.h"

/* ---------------------------------------------------------------------- */
/* XXH64: about 10 GB/s in plain C, so a 21 MB output costs a few ms
 * (SHA-256 would cost ~60 ms, MD5 ~30 ms, on the worker's heels). */

#define P1 G_GUINT64_CONSTANT (0x9E3779B185EBCA87)
#define P2 G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F)
#define P3 G_GUINT64_CONSTANT (0x165667B19E3779F9)
#define P4 G_GUINT64_CONSTANT (0x85EBCA77C2B2AE63)
#define P5 G_GUINT64_CONSTANT (0x27D4EB2F165667C5)

typedef struct
{
  guint64 v[4];
  guint64 seed;
  guint64 total;
  guchar  tail[32];
  gsize   tail_len;
} Xxh64;

static inline guint64
rotl64 (guint64 x,
        int     r)
{
  return (x << r) | (x >> (64 - r));
}

static inline guint64
read64 (const guchar *p)
{
  guint64 v;

  memcpy (&v, p, 8);
  return GUINT64_FROM_LE (v);
}

static inline guint32
read32 (const guchar *p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return GUINT32_FROM_LE (v);
}

static inline guint64
xxh_round (guint64 acc,
           guint64 input)
{
  acc += input * P2;
  acc = rotl64 (acc, 31);
  return acc * P1;
}

static inline guint64
xxh_merge (guint64 acc,
           guint64 v)
{
  acc ^= xxh_round (0, v);
  return acc * P1 + P4;
}

static void
xxh64_init (Xxh64   *h,
            guint64  seed)
{
  memset (h, 0, sizeof *h);
  h->seed = seed;
  h->v[0] = seed + P1 + P2;
  h->v[1] = seed + P2;
  h->v[2] = seed;
  h->v[3] = seed - P1;
}

static void
xxh64_stripes (Xxh64        *h,
               const guchar *p,
               gsize         n_stripes)
{
  guint64 v0 = h->v[0], v1 = h->v[1], v2 = h->v[2], v3 = h->v[3];

  for (gsize i = 0; i < n_stripes; i++, p += 32)
    {
      v0 = xxh_round (v0, read64 (p));
      v1 = xxh_round (v1, read64 (p + 8));
      v2 = xxh_round (v2, read64 (p + 16));
      v3 = xxh_round (v3, read64 (p + 24));
    }
  h->v[0] = v0; h->v[1] = v1; h->v[2] = v2; h->v[3] = v3;
}

static void
xxh64_update (Xxh64        *h,
              const guchar *p,
              gsize         len)
{
  h->total += len;
  if (h->tail_len > 0)
    {
      gsize take = MIN (len, 32 - h->tail_len);

      memcpy (h->tail + h->tail_len, p, take);
      h->tail_len += take;
      p += take;
      len -= take;
      if (h->tail_len < 32)
        return;
      xxh64_stripes (h, h->tail, 1);
      h->tail_len = 0;
    }
  xxh64_stripes (h, p, len / 32);
  p += len / 32 * 32;
  len %= 32;
  memcpy (h->tail, p, len);
  h->tail_len = len;
}

static guint64
xxh64_digest (const Xxh64 *h)
{
  const guchar *p = h->tail;
  gsize len = h->tail_len;
  guint64 acc;

  if (h->total >= 32)
    {
      acc = rotl64 (h->v[0], 1) + rotl64 (h->v[1], 7) + rotl64 (h->v[2], 12) + rotl64 (h->v[3], 18);
      for (int i = 0; i < 4; i++)
        acc = xxh_merge (acc, h->v[i]);
    }
  else
    acc = h->seed + P5;
  acc += h->total;

  for (; len >= 8; p += 8, len -= 8)
    {
      acc ^= xxh_round (0, read64 (p));
      acc = rotl64 (acc, 27) * P1 + P4;
    }
  if (len >= 4)
    {
      acc ^= (guint64) read32 (p) * P1;
      acc = rotl64 (acc, 23) * P2 + P3;
      p += 4;
      len -= 4;
    }
  for (; len > 0; p++, len--)
    {
      acc ^= *p * P5;
      acc = rotl64 (acc, 11) * P1;
    }
  acc ^= acc >> 33;
  acc *= P2;
  acc ^= acc >> 29;
  acc *= P3;
  acc ^= acc >> 32;
  return acc;
}

guint64
cw_xxh64 (const void *data,
          gsize       len,
          guint64     seed)
{
  Xxh64 h;

  xxh64_init (&h, seed);
  xxh64_update (&h, data, len);
  return xxh64_digest (&h);
}

/* Reads @path from its start to its end in 1 MiB pieces, handing each to
 * @func; *length is how many bytes there were. */
typedef void (*PieceFunc) (gpointer      user_data,
                           guint64       offset,
                           const guchar *data,
                           gsize         len);

static gboolean
read_pieces (const char  *path,
             PieceFunc    func,
             gpointer     user_data,
             guint64     *length,
             GError     **error)
{
  g_autofree guchar *buf = g_malloc (1 << 20);
  int fd;

  *length = 0;
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return cw_set_error_from_errno (error, errno, "cannot read", path);
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  for (;;)
    {
      ssize_t n = read (fd, buf, 1 << 20);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          close (fd);
          return cw_set_error_from_errno (error, saved, "cannot read", path);
        }
      if (n == 0)
        break;
      func (user_data, *length, buf, (gsize) n);
      *length += (guint64) n;
    }
  close (fd);
  return TRUE;
}

static void
whole_piece (gpointer      user_data,
             guint64       offset,
             const guchar *data,
             gsize         len)
{
  xxh64_update (user_data, data, len);
}

/* The older form: XXH64 of the whole file. */
#define WHOLE_FILE_PREFIX "xxh64:"

static char *
checksum_whole_file (const char  *path,
                     GError     **error)
{
  Xxh64 h;
  guint64 length;

  xxh64_init (&h, 0);
  if (!read_pieces (path, whole_piece, &h, &length, error))
    return NULL;
  return g_strdup_printf (WHOLE_FILE_PREFIX "%016" G_GINT64_MODIFIER "x", xxh64_digest (&h));
}

/* ---------------------------------------------------------------------- */
/* the tree: XXH64 of each block's XXH64 (little-endian), then the length */

#define BLOCK_SIZE (64 * 1024)
#define NO_BLOCK   G_MAXUINT64

typedef struct
{
  guint64  digest;
  gboolean done;      /* digest is the block's as it is now */
} Block;

struct _CwSum
{
  GArray  *blocks;    /* Block, by index */
  guint64  cur;       /* the block being summed as it is written, or NO_BLOCK */
  gsize    cur_len;   /* its bytes summed so far, from its start */
  Xxh64    h;
};

CwSum *
cw_sum_new (void)
{
  CwSum *self = g_new0 (CwSum, 1);

  self->blocks = g_array_new (FALSE, TRUE, sizeof (Block));
  self->cur = 0;
  xxh64_init (&self->h, 0);
  return self;
}

void
cw_sum_free (CwSum *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->blocks);
  g_free (self);
}

void
cw_sum_update (CwSum      *self,
               guint64     offset,
               const void *data,
               gsize       len)
{
  const guchar *p = data;

  g_return_if_fail (self != NULL);

  while (len > 0)
    {
      guint64 b = offset / BLOCK_SIZE;
      gsize at = (gsize) (offset % BLOCK_SIZE);
      gsize n = MIN (len, BLOCK_SIZE - at);
      Block *block;

      if (b >= self->blocks->len)
        g_array_set_size (self->blocks, b + 1);
      block = &g_array_index (self->blocks, Block, b);
      if (!(b == self->cur && at == self->cur_len))
        {
          /* written out of order, or again: the block is read back at the
           * end, unless it is written again from its start */
          block->done = FALSE;
          self->cur = NO_BLOCK;
          if (at == 0)
            {
              self->cur = b;
              self->cur_len = 0;
              xxh64_init (&self->h, 0);
            }
        }
      if (b == self->cur)
        {
          /* (a block summed before, now written again from its start) */
          block->done = FALSE;
          xxh64_update (&self->h, p, n);
          self->cur_len += n;
          if (self->cur_len == BLOCK_SIZE)
            {
              block->digest = xxh64_digest (&self->h);
              block->done = TRUE;
              self->cur = b + 1;
              self->cur_len = 0;
              xxh64_init (&self->h, 0);
            }
        }
      offset += n;
      p += n;
      len -= n;
    }
}

static gboolean
read_block (int      fd,
            guint64  offset,
            guchar  *buf,
            gsize    len)
{
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = pread (fd, buf + done, len - done, (off_t) (offset + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;  /* shorter than its length */
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

guint64
cw_sum_finish (CwSum    *self,
               int       fd,
               guint64   length,
               gboolean *ok)
{
  guint64 n_blocks = (length + BLOCK_SIZE - 1) / BLOCK_SIZE;
  g_autofree guchar *buf = NULL;
  Xxh64 tree;
  guint64 le;

  g_return_val_if_fail (self != NULL && ok != NULL, 0);

  *ok = FALSE;
  if (self->blocks->len < n_blocks)
    g_array_set_size (self->blocks, n_blocks);
  /* the last block, shorter than the others, is summed when it ends */
  if (n_blocks > 0 && self->cur == n_blocks - 1
      && self->cur_len == length - (n_blocks - 1) * BLOCK_SIZE)
    {
      Block *last = &g_array_index (self->blocks, Block, n_blocks - 1);

      last->digest = xxh64_digest (&self->h);
      last->done = TRUE;
    }
  xxh64_init (&tree, 0);
  for (guint64 b = 0; b < n_blocks; b++)
    {
      Block *block = &g_array_index (self->blocks, Block, b);

      if (!block->done)
        {
          gsize len = (gsize) MIN (BLOCK_SIZE, length - b * BLOCK_SIZE);

          if (buf == NULL)
            buf = g_malloc (BLOCK_SIZE);
          if (fd < 0 || !read_block (fd, b * BLOCK_SIZE, buf, len))
            return 0;
          block->digest = cw_xxh64 (buf, len, 0);
          block->done = TRUE;
        }
      le = GUINT64_TO_LE (block->digest);
      xxh64_update (&tree, (const guchar *) &le, sizeof le);
    }
  le = GUINT64_TO_LE (length);
  xxh64_update (&tree, (const guchar *) &le, sizeof le);
  *ok = TRUE;
  return xxh64_digest (&tree);
}

char *
cw_checksum_format (guint64 sum)
{
  return g_strdup_printf (CW_CHECKSUM_PREFIX "%016" G_GINT64_MODIFIER "x", sum);
}

static void
tree_piece (gpointer      user_data,
            guint64       offset,
            const guchar *data,
            gsize         len)
{
  cw_sum_update (user_data, offset, data, len);
}

char *
cw_checksum_file (const char  *path,
                  GError     **error)
{
  g_autoptr(CwSum) sum = cw_sum_new ();
  guint64 length, digest;
  gboolean ok;

  if (!read_pieces (path, tree_piece, sum, &length, error))
    return NULL;
  /* read in order: nothing is read twice */
  digest = cw_sum_finish (sum, -1, length, &ok);
  g_assert (ok);
  return cw_checksum_format (digest);
}

gboolean
cw_checksum_is_known (const char *checksum)
{
  return checksum != NULL
         && (g_str_has_prefix (checksum, CW_CHECKSUM_PREFIX) || g_str_has_prefix (checksum, WHOLE_FILE_PREFIX));
}

gboolean
cw_checksum_file_matches (const char *path,
                          const char *checksum)
{
  g_autofree char *sum = NULL;

  if (checksum == NULL)
    return FALSE;
  if (g_str_has_prefix (checksum, CW_CHECKSUM_PREFIX))
    sum = cw_checksum_file (path, NULL);
  else if (g_str_has_prefix (checksum, WHOLE_FILE_PREFIX))
    sum = checksum_whole_file (path, NULL);
  return sum != NULL && g_str_equal (sum, checksum);
}
