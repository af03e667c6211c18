/* cw-protocol.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Longer than this project's 1,000 lines on purpose: the writers and the
 * readers share the field layout and the small inline helpers (varints,
 * zigzag, the trivial task's fast path) that make a million tasks cost
 * 2 bytes and no call each way; kept in one file so one change to the
 * layout is one change, and the compiler inlines across both sides.
 * docs/engine.md describes the frames.
 */

#define G_LOG_DOMAIN "corewave-pool"

#include "cw-protocol.h"

#include <string.h>

#include "cw-error.h"

/* A task or result starts with a flags byte saying which fields follow;
 * what is not sent repeats the previous task's (result's) value, or for an
 * index, follows it by one. A million trivial tasks thus cost 2 bytes each
 * way (flags, and a one-byte difference of arg or value), not 18.
 * Differences are zigzagged (small negatives stay small) LEB128 varints of
 * the 64-bit wrapping difference, so every value round-trips exactly. */
enum {
  TASK_HAS_ARG         = 1 << 0,  /* varint: arg - previous arg; else the previous arg */
  TASK_HAS_PATHS       = 1 << 1,
  TASK_HAS_DATA        = 1 << 2,  /* u32 length + bytes: the big-data pitfall's samples */
  TASK_REPLACE_IF_SAME = 1 << 3,  /* CwReplace: neither bit is CW_REPLACE_NEVER */
  TASK_REPLACE_ALWAYS  = 1 << 4,
  TASK_HAS_INDEX       = 1 << 5,  /* varint index; else the previous one + 1 (the first: 0) */
  TASK_HAS_KIND        = 1 << 6,  /* u8 kind; else the previous one (the first must say) */
  TASK_FLAGS           = (1 << 7) - 1,

  RESULT_HAS_VALUE  = 1 << 0,     /* varint: value - previous value; else the previous */
  RESULT_HAS_FRAMES = 1 << 1,     /* varint; else 0 */
  RESULT_HAS_TIMES  = 1 << 2,     /* varints: start - previous start, end - start; else
                                   * the previous result's times */
  RESULT_HAS_CPU    = 1 << 3,     /* varint; else 0 */
  RESULT_HAS_ERROR  = 1 << 4,
  RESULT_HAS_OUTPUT = 1 << 5,
  RESULT_HAS_RSS    = 1 << 6,     /* varint: the worker's peak RSS in KiB; else 0 */
  RESULT_HAS_MORE   = 1 << 7,     /* a second flags byte follows */

  MORE_STATUS       = 3,          /* bits 0-1: the status; without MORE, CW_STATUS_OK */
  MORE_HAS_INDEX    = 1 << 2,     /* varint index; else the previous one + 1 (the first: 0) */
  MORE_HAS_CHECKSUM = 1 << 3,     /* u64: the output's checksum (cw-checksum.h); else none */
  MORE_FLAGS        = (1 << 4) - 1,

  /* the chunk header's settings byte (bit 0 is no longer used: whether an
   * output may be replaced is each task's) */
  SETTINGS_NAIVE_SEED = 1 << 1,
  SETTINGS_NO_METADATA = 1 << 2,
  SETTINGS_HAS_QUALITY = 1 << 3,
  SETTINGS_CHECKSUM = 1 << 4,
};

/* the largest encoded varint */
#define VARINT_MAX 10

static inline guint64
zigzag (guint64 difference)
{
  return (difference << 1) ^ (guint64) ((gint64) difference >> 63);
}

static inline guint64
unzigzag (guint64 v)
{
  return (v >> 1) ^ (0 - (v & 1));
}

/* ---------------------------------------------------------------------- */
/* writing */

static inline guint8 *
put_bytes (guint8     *p,
           const void *data,
           gsize       len)
{
  memcpy (p, data, len);
  return p + len;
}

static inline guint8 *
put_u8 (guint8 *p,
        guint8  v)
{
  *p = v;
  return p + 1;
}

static inline guint8 *
put_u32 (guint8  *p,
         guint32  v)
{
  v = GUINT32_TO_LE (v);
  return put_bytes (p, &v, 4);
}

static inline guint8 *
put_u64 (guint8  *p,
         guint64  v)
{
  v = GUINT64_TO_LE (v);
  return put_bytes (p, &v, 8);
}

static inline guint8 *
put_varint (guint8  *p,
            guint64  v)
{
  while (v >= 0x80)
    {
      *p++ = (guint8) (v | 0x80);
      v >>= 7;
    }
  *p++ = (guint8) v;
  return p;
}

static inline gsize
str_len (const char *s)
{
  gsize len = s ? strlen (s) : 0;

  g_assert (len <= G_MAXUINT32);
  return len;
}

static inline guint8 *
put_str (guint8     *p,
         const char *s,
         gsize       len)
{
  p = put_u32 (p, (guint32) len);
  return len > 0 ? put_bytes (p, s, len) : p;
}

/* Room for @need more bytes at the writer's end. The array's length is
 * the room reserved, grown by doubling, so a frame of a million tasks
 * costs a few reallocations, not a call per field. */
static inline guint8 *
writer_room (CwFrameWriter *w,
             gsize          need)
{
  if (G_UNLIKELY (w->len + need > w->out->len))
    g_byte_array_set_size (w->out, MAX (w->len + need, MIN (2 * (gsize) w->out->len,
                                                              w->len + (gsize) (4u << 20))));
  return w->out->data + w->len;
}

static inline void
writer_done (CwFrameWriter *w,
             guint8        *p)
{
  w->len = p - w->out->data;
  w->n++;
}

/* A trivial task or result when the frame has room for it: a flags byte,
 * @flag with a one-byte difference @d of arg or value, or 0 when that
 * repeats. FALSE when it does not fit in the room reserved (the caller
 * takes the general way, which makes room). */
static inline gboolean
writer_put_trivial (CwFrameWriter *w,
                    guint8         flag,
                    guint64        d)
{
  guint8 *p = w->out->data + w->len;

  if (G_UNLIKELY (w->len + 2 > w->out->len))
    return FALSE;
  if (d != 0)
    {
      p[0] = flag;
      p[1] = (guint8) d;
      p += 2;
    }
  else
    *p++ = 0;
  writer_done (w, p);
  return TRUE;
}

static void
writer_begin (CwFrameWriter *w,
              GByteArray    *out,
              CwMessageType  type,
              gsize          fixed)
{
  guint8 header[CW_PROTOCOL_HEADER_SIZE] = { 0, 0, 0, 0, CW_PROTOCOL_VERSION, type, 0, 0 };

  memset (w, 0, sizeof *w);
  w->out = out;
  w->start = w->len = out->len;
  w->prev_index = G_MAXUINT64;
  put_bytes (writer_room (w, sizeof header + fixed), header, sizeof header);
  w->len += sizeof header;
}

/* Patches the payload length into the header; gives back the room not used. */
static gsize
writer_finish (CwFrameWriter *w)
{
  gsize size = w->len - w->start;
  gsize payload = size - CW_PROTOCOL_HEADER_SIZE;
  guint32 le;

  /* A frame that big is a bug in the pool's chunk sizing, not bad input. */
  g_assert (payload <= CW_PROTOCOL_MAX_PAYLOAD);
  le = GUINT32_TO_LE ((guint32) payload);
  memcpy (w->out->data + w->start, &le, 4);
  g_byte_array_set_size (w->out, w->len);
  return size;
}

gsize
cw_protocol_frame_end (CwFrameWriter *w)
{
  guint32 le = GUINT32_TO_LE (w->n);

  g_assert (w->n <= CW_PROTOCOL_MAX_TASKS);
  memcpy (w->out->data + w->count_at, &le, 4);
  return writer_finish (w);
}

void
cw_protocol_encode_hello (GByteArray *out,
                          gint32      pid)
{
  CwFrameWriter w;

  writer_begin (&w, out, CW_MSG_HELLO, 4);
  w.len = put_u32 (out->data + w.len, (guint32) pid) - out->data;
  writer_finish (&w);
}

void
cw_protocol_chunk_begin (CwFrameWriter       *w,
                         GByteArray          *out,
                         guint64              chunk_id,
                         const CwJobSettings *settings)
{
  gsize spec_len = str_len (settings->spec);
  gsize fixed = 8 + 4 + spec_len + 1 + 8 + 1 + 1 + (settings->has_quality ? 8 : 0) + 4;
  guint64 quality_bits = 0;
  guint8 *p;

  if (settings->has_quality)
    memcpy (&quality_bits, &settings->quality, sizeof quality_bits);
  writer_begin (w, out, CW_MSG_CHUNK, fixed);
  p = out->data + w->len;
  p = put_u64 (p, chunk_id);
  p = put_str (p, settings->spec, spec_len);
  p = put_u8 (p, (guint8) settings->format);
  p = put_u64 (p, settings->seed);
  p = put_u8 (p, (settings->naive_seed ? SETTINGS_NAIVE_SEED : 0)
                 | (settings->no_metadata ? SETTINGS_NO_METADATA : 0)
                 | (settings->has_quality ? SETTINGS_HAS_QUALITY : 0)
                 | (settings->checksum ? SETTINGS_CHECKSUM : 0));
  p = put_u8 (p, (guint8) settings->bits);
  if (settings->has_quality)
    p = put_u64 (p, quality_bits);
  w->count_at = p - out->data;
  p = put_u32 (p, 0);
  w->len = p - out->data;
}

/* Written through locals: with -fno-strict-aliasing a store through the
 * frame's bytes would make the compiler reload the writer after each. */
static G_GNUC_NO_INLINE void
chunk_add_full (CwFrameWriter *w,
                const CwTask  *task)
{
  guint64 index = task->index;
  gint64 arg = task->arg;
  guint8 kind = (guint8) task->kind;
  const char *input_path = task->input_path;
  GBytes *data = task->data;
  guint8 flags = (task->replace == CW_REPLACE_IF_SAME ? TASK_REPLACE_IF_SAME : 0)
                 | (task->replace == CW_REPLACE_ALWAYS ? TASK_REPLACE_ALWAYS : 0);
  guint8 *start, *p;

  if (G_UNLIKELY (input_path != NULL || data != NULL))
    {
      /* files: the rare and slow kind, no need to be quick */
      gsize in_len = str_len (input_path);
      gsize out_len = str_len (task->output_path);
      gsize key_len = str_len (task->seed_key);
      gsize data_len = data ? g_bytes_get_size (data) : 0;

      g_assert (data_len <= G_MAXUINT32);
      start = writer_room (w, 2 + 2 * VARINT_MAX + 16 + in_len + out_len + key_len + data_len);
    }
  else
    start = writer_room (w, 2 + 2 * VARINT_MAX);
  p = start + 1;
  if (index != w->prev_index + 1)
    {
      flags |= TASK_HAS_INDEX;
      p = put_varint (p, index);
    }
  if (kind != w->prev_kind)
    {
      flags |= TASK_HAS_KIND;
      p = put_u8 (p, kind);
    }
  if (arg != w->prev_a)
    {
      flags |= TASK_HAS_ARG;
      p = put_varint (p, zigzag ((guint64) arg - (guint64) w->prev_a));
    }
  w->prev_index = index;
  w->prev_kind = kind;
  w->prev_a = arg;
  if (G_UNLIKELY (input_path != NULL))
    {
      flags |= TASK_HAS_PATHS;
      p = put_str (p, input_path, str_len (input_path));
      p = put_str (p, task->output_path, str_len (task->output_path));
      p = put_str (p, task->seed_key, str_len (task->seed_key));
    }
  if (G_UNLIKELY (data != NULL))
    {
      gsize data_len = g_bytes_get_size (data);

      flags |= TASK_HAS_DATA;
      p = put_str (p, g_bytes_get_data (data, NULL), data_len);
    }
  *start = flags;
  writer_done (w, p);
}

/* The trivial task, as cw_protocol_chunk_next () expects it; kept apart
 * from the rest so that it needs no registers saved. */
void
cw_protocol_chunk_add (CwFrameWriter *w,
                       const CwTask  *task)
{
  guint64 d = zigzag ((guint64) task->arg - (guint64) w->prev_a);

  if (G_LIKELY (task->input_path == NULL && task->data == NULL
                && task->replace == CW_REPLACE_NEVER && task->index == w->prev_index + 1
                && (guint8) task->kind == w->prev_kind && d < 0x80
                && writer_put_trivial (w, TASK_HAS_ARG, d)))
    {
      w->prev_index = task->index;
      w->prev_a = task->arg;
      return;
    }
  chunk_add_full (w, task);
}

void
cw_protocol_encode_chunk (GByteArray          *out,
                          guint64              chunk_id,
                          const CwJobSettings *settings,
                          const CwTask        *tasks,
                          guint                n_tasks)
{
  CwFrameWriter w;

  cw_protocol_chunk_begin (&w, out, chunk_id, settings);
  for (guint i = 0; i < n_tasks; i++)
    cw_protocol_chunk_add (&w, &tasks[i]);
  cw_protocol_frame_end (&w);
}

void
cw_protocol_results_begin (CwFrameWriter *w,
                           GByteArray    *out,
                           guint64        chunk_id,
                           gint32         pid)
{
  guint8 *p;

  writer_begin (w, out, CW_MSG_RESULTS, 8 + 4 + 4);
  p = out->data + w->len;
  p = put_u64 (p, chunk_id);
  p = put_u32 (p, (guint32) pid);
  w->count_at = p - out->data;
  p = put_u32 (p, 0);
  w->len = p - out->data;
}

static G_GNUC_NO_INLINE void
results_add_full (CwFrameWriter  *w,
                  const CwResult *r)
{
  guint64 index = r->index;
  gint64 value = r->value, start_us = r->start_us, end_us = r->end_us;
  guint8 more = (guint8) r->status & MORE_STATUS;
  guint8 flags = 0;
  guint8 *start, *p;

  if (G_UNLIKELY (r->error != NULL || r->output_path != NULL))
    start = writer_room (w, 2 + 7 * VARINT_MAX + 16 + str_len (r->error) + str_len (r->output_path));
  else
    start = writer_room (w, 2 + 7 * VARINT_MAX + 8);
  p = start + 1;
  if (index != w->prev_index + 1)
    more |= MORE_HAS_INDEX;
  if (r->has_checksum)
    more |= MORE_HAS_CHECKSUM;
  if (more != 0)
    {
      flags |= RESULT_HAS_MORE;
      p = put_u8 (p, more);
      if (more & MORE_HAS_INDEX)
        p = put_varint (p, index);
      if (more & MORE_HAS_CHECKSUM)
        p = put_u64 (p, r->checksum);
    }
  if (value != w->prev_a)
    {
      flags |= RESULT_HAS_VALUE;
      p = put_varint (p, zigzag ((guint64) value - (guint64) w->prev_a));
    }
  if (r->frames != 0)
    {
      flags |= RESULT_HAS_FRAMES;
      p = put_varint (p, zigzag ((guint64) r->frames));
    }
  if (start_us != w->prev_b || end_us != w->prev_c)
    {
      flags |= RESULT_HAS_TIMES;
      p = put_varint (p, zigzag ((guint64) start_us - (guint64) w->prev_b));
      p = put_varint (p, zigzag ((guint64) end_us - (guint64) start_us));
    }
  w->prev_index = index;
  w->prev_a = value;
  w->prev_b = start_us;
  w->prev_c = end_us;
  if (r->cpu_us != 0)
    {
      flags |= RESULT_HAS_CPU;
      p = put_varint (p, zigzag ((guint64) r->cpu_us));
    }
  if (G_UNLIKELY (r->error != NULL))
    {
      flags |= RESULT_HAS_ERROR;
      p = put_str (p, r->error, str_len (r->error));
    }
  if (G_UNLIKELY (r->output_path != NULL))
    {
      flags |= RESULT_HAS_OUTPUT;
      p = put_str (p, r->output_path, str_len (r->output_path));
    }
  if (r->peak_rss_kb != 0)
    {
      flags |= RESULT_HAS_RSS;
      p = put_varint (p, zigzag ((guint64) r->peak_rss_kb));
    }
  *start = flags;
  writer_done (w, p);
}

void
cw_protocol_results_add (CwFrameWriter  *w,
                         const CwResult *r)
{
  guint64 d = zigzag ((guint64) r->value - (guint64) w->prev_a);

  /* the trivial result, as cw_protocol_results_next () expects it */
  if (G_LIKELY (r->status == CW_STATUS_OK && r->index == w->prev_index + 1 && d < 0x80
                && r->start_us == w->prev_b && r->end_us == w->prev_c && r->frames == 0
                && r->cpu_us == 0 && r->error == NULL && r->output_path == NULL
                && r->peak_rss_kb == 0 && !r->has_checksum && writer_put_trivial (w, RESULT_HAS_VALUE, d)))
    {
      w->prev_index = r->index;
      w->prev_a = r->value;
      return;
    }
  results_add_full (w, r);
}

void
cw_protocol_encode_results (GByteArray     *out,
                            guint64         chunk_id,
                            gint32          pid,
                            const CwResult *results,
                            guint           n_results)
{
  CwFrameWriter w;

  cw_protocol_results_begin (&w, out, chunk_id, pid);
  for (guint i = 0; i < n_results; i++)
    cw_protocol_results_add (&w, &results[i]);
  cw_protocol_frame_end (&w);
}

/* ---------------------------------------------------------------------- */
/* reading: a cursor that refuses to read past the end. Once it has failed
 * every further read fails too, so callers check once per item. */

static inline gboolean
take (CwFrameReader *r,
      void          *dest,
      gsize          len)
{
  if (r->failed || r->left < len)
    {
      r->failed = TRUE;
      return FALSE;
    }
  memcpy (dest, r->p, len);
  r->p += len;
  r->left -= len;
  return TRUE;
}

static inline guint8
get_u8 (CwFrameReader *r)
{
  guint8 v = 0;

  take (r, &v, 1);
  return v;
}

static inline guint32
get_u32 (CwFrameReader *r)
{
  guint32 v = 0;

  take (r, &v, 4);
  return GUINT32_FROM_LE (v);
}

static inline guint64
get_u64 (CwFrameReader *r)
{
  guint64 v = 0;

  take (r, &v, 8);
  return GUINT64_FROM_LE (v);
}

/* The per-item decoders keep their cursor in locals (p, end, ok) and read
 * with the macros below: with -fno-strict-aliasing, a cursor read through
 * the reader (or through a pointer to a local) after each store to the
 * task or result would be reloaded every time. At most 10 bytes a varint,
 * and the tenth may only hold the top bit; on failure .p is NULL. */
typedef struct
{
  guint64       v;
  const guint8 *p;
} Varint;

static G_GNUC_NO_INLINE Varint
varint_slow (const guint8 *p,
             const guint8 *end)
{
  Varint r = { 0, NULL };

  for (guint shift = 0; shift < 64 && p < end; shift += 7)
    {
      guint8 b = *p++;

      if (shift == 63 && b > 1)
        break;
      r.v |= (guint64) (b & 0x7f) << shift;
      if (!(b & 0x80))
        {
          r.p = p;
          return r;
        }
    }
  r.v = 0;
  return r;
}

#define READ_VARINT(dst) \
  G_STMT_START { \
    if (G_LIKELY (p < end && *p < 0x80)) \
      (dst) = *p++; \
    else \
      { \
        Varint v_ = varint_slow (p, end); \
        (dst) = v_.v; \
        if (v_.p != NULL) \
          p = v_.p; \
        else \
          ok = FALSE; \
      } \
  } G_STMT_END

#define READ_BYTE(dst) \
  G_STMT_START { \
    if (G_LIKELY (p < end)) \
      (dst) = *p++; \
    else \
      { \
        (dst) = 0; \
        ok = FALSE; \
      } \
  } G_STMT_END

/* Bytes of any length, kept as a GBytes (empty is an empty GBytes). */
static GBytes *
get_bytes (CwFrameReader *r)
{
  guint32 len = get_u32 (r);
  GBytes *bytes;

  if (r->failed)
    return NULL;
  if (len > r->left)
    {
      r->failed = TRUE;
      return NULL;
    }
  bytes = g_bytes_new (r->p, len);
  r->p += len;
  r->left -= len;
  return bytes;
}

/* An empty string decodes as NULL: synthetic tasks carry no paths. */
static char *
get_str (CwFrameReader *r)
{
  guint32 len = get_u32 (r);
  char *s;

  if (r->failed || len == 0)
    return NULL;
  if (len > r->left)
    {
      r->failed = TRUE;
      return NULL;
    }
  s = g_malloc (len + 1);
  memcpy (s, r->p, len);
  s[len] = '\0';
  r->p += len;
  r->left -= len;
  return s;
}

/* Every field of a decoded task or result, one by one: a zeroing compound
 * literal becomes a rep stos, which costs more than the decoding. */
static inline void
task_fill (CwTask   *t,
           guint64   index,
           guint8    kind,
           gint64    arg,
           CwReplace replace)
{
  t->index = index;
  t->kind = kind;
  t->arg = arg;
  t->input_path = NULL;
  t->output_path = NULL;
  t->seed_key = NULL;
  t->replace = replace;
  t->data = NULL;
}

static inline void
result_fill (CwResult            *res,
             const CwFrameReader *r,
             guint64              index,
             CwStatus             status,
             gint64               value,
             gint64               frames,
             gint64               start_us,
             gint64               end_us,
             gint64               cpu_us)
{
  res->index = index;
  res->status = status;
  res->attempts = 0;
  res->pid = r->pid;
  res->worker = 0;
  res->value = value;
  res->frames = frames;
  res->start_us = start_us;
  res->end_us = end_us;
  res->cpu_us = cpu_us;
  res->error = NULL;
  res->output_path = NULL;
  res->input_path = NULL;
  res->peak_rss_kb = 0;
  res->has_checksum = FALSE;
  res->checksum = 0;
}

/* The size of the trivial item at @p: a flags byte that is 0 (arg or
 * value repeats) or @flag alone with a one-byte difference; 0 for
 * anything else. */
static inline gsize
trivial_size (const guint8 *p,
              gsize         left,
              guint8        flag)
{
  if (G_UNLIKELY (left == 0))
    return 0;
  if (p[0] == 0)
    return 1;
  if (p[0] == flag && left >= 2 && p[1] < 0x80)
    return 2;
  return 0;
}

/* Takes the trivial item at the reader, if there is one: TRUE with the
 * new arg or value in prev_a, the next index in prev_index. */
static inline gboolean
reader_take_trivial (CwFrameReader *r,
                     guint8         flag)
{
  gsize used;

  if (G_UNLIKELY (r->failed || r->n_left == 0))
    return FALSE;
  used = trivial_size (r->p, r->left, flag);
  if (used == 0)
    return FALSE;
  if (used == 2)
    r->prev_a = (gint64) ((guint64) r->prev_a + unzigzag (r->p[1]));
  r->p += used;
  r->left -= used;
  r->n_left--;
  r->prev_index++;
  return TRUE;
}

static gboolean
protocol_error (GError    **error,
                const char *what)
{
  g_set_error (error, CW_ERROR, CW_ERROR_PROTOCOL, "Protocol error: %s", what);
  return FALSE;
}

gboolean
cw_protocol_peek_frame (const guint8   *data,
                        gsize           len,
                        CwMessageType  *type,
                        gsize          *frame_size,
                        GError        **error)
{
  guint32 payload;

  if (len < CW_PROTOCOL_HEADER_SIZE)
    return FALSE;

  memcpy (&payload, data, 4);
  payload = GUINT32_FROM_LE (payload);

  if (data[4] != CW_PROTOCOL_VERSION)
    return protocol_error (error, "unknown protocol version");
  if (data[5] < CW_MSG_HELLO || data[5] > CW_MSG_RESULTS || data[6] != 0 || data[7] != 0)
    return protocol_error (error, "unknown message type");
  if (payload > CW_PROTOCOL_MAX_PAYLOAD)
    return protocol_error (error, "message too large");

  if (len - CW_PROTOCOL_HEADER_SIZE < payload)
    return FALSE;

  *type = data[5];
  *frame_size = CW_PROTOCOL_HEADER_SIZE + (gsize) payload;
  return TRUE;
}

static gboolean
open_frame (const guint8   *frame,
            gsize           size,
            CwMessageType   expected,
            CwFrameReader  *r,
            GError        **error)
{
  CwMessageType type;
  gsize frame_size;
  g_autoptr(GError) local_error = NULL;

  memset (r, 0, sizeof *r);
  r->failed = TRUE;
  if (!cw_protocol_peek_frame (frame, size, &type, &frame_size, &local_error))
    {
      if (local_error)
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        protocol_error (error, "truncated message");
      return FALSE;
    }
  if (type != expected)
    return protocol_error (error, "unexpected message type");
  if (frame_size != size)
    return protocol_error (error, "trailing bytes after message");

  r->p = frame + CW_PROTOCOL_HEADER_SIZE;
  r->left = size - CW_PROTOCOL_HEADER_SIZE;
  r->failed = FALSE;
  r->prev_index = G_MAXUINT64;
  return TRUE;
}

/* Every item takes at least one byte: a count that cannot fit in what is
 * left is garbage, and must not make anyone allocate gigabytes. */
static gboolean
check_count (CwFrameReader  *r,
             guint32         n,
             GError        **error)
{
  if (r->failed)
    return protocol_error (error, "truncated message");
  if (n > r->left || n > CW_PROTOCOL_MAX_TASKS)
    {
      r->failed = TRUE;
      return protocol_error (error, "count larger than the message");
    }
  r->n_left = n;
  return TRUE;
}

gboolean
cw_protocol_frame_close (CwFrameReader  *r,
                         GError        **error)
{
  if (r->failed || r->n_left != 0)
    return protocol_error (error, "truncated message");
  if (r->left != 0)
    return protocol_error (error, "trailing bytes in message");
  return TRUE;
}

gboolean
cw_protocol_decode_hello (const guint8  *frame,
                          gsize          size,
                          gint32        *pid,
                          GError       **error)
{
  CwFrameReader r;

  if (!open_frame (frame, size, CW_MSG_HELLO, &r, error))
    return FALSE;
  *pid = (gint32) get_u32 (&r);
  return cw_protocol_frame_close (&r, error);
}

gboolean
cw_protocol_chunk_open (CwFrameReader   *r,
                        const guint8    *frame,
                        gsize            size,
                        CwChunkMessage  *msg,
                        guint           *n_tasks,
                        GError         **error)
{
  guint8 format;
  guint8 settings_flags;
  guint8 bits;
  guint32 n;

  memset (msg, 0, sizeof *msg);
  if (!open_frame (frame, size, CW_MSG_CHUNK, r, error))
    return FALSE;

  msg->chunk_id = get_u64 (r);
  msg->settings.spec = get_str (r);
  format = get_u8 (r);
  msg->settings.seed = get_u64 (r);
  settings_flags = get_u8 (r);
  msg->settings.naive_seed = (settings_flags & SETTINGS_NAIVE_SEED) != 0;
  msg->settings.no_metadata = (settings_flags & SETTINGS_NO_METADATA) != 0;
  msg->settings.has_quality = (settings_flags & SETTINGS_HAS_QUALITY) != 0;
  msg->settings.checksum = (settings_flags & SETTINGS_CHECKSUM) != 0;
  bits = get_u8 (r);
  if (msg->settings.has_quality)
    {
      guint64 quality_bits = get_u64 (r);

      memcpy (&msg->settings.quality, &quality_bits, sizeof quality_bits);
    }
  msg->settings.format = format;
  msg->settings.bits = bits;
  n = get_u32 (r);

  /* Refuse a bad header before looking at the count: the count check
   * must never be skipped. */
  if (!r->failed && (format > CW_FORMAT_MP3 || bits > CW_BITS_32F
                     || (msg->settings.has_quality
                         && !(msg->settings.quality >= 0.0 && msg->settings.quality <= 1.0))))
    {
      r->failed = TRUE;
      cw_chunk_message_clear (msg);
      return protocol_error (error, format > CW_FORMAT_MP3 ? "unknown output format"
                                                          : "bad output encoding");
    }
  if (!check_count (r, n, error))
    {
      cw_chunk_message_clear (msg);
      return FALSE;
    }
  *n_tasks = n;
  return TRUE;
}

static G_GNUC_NO_INLINE gboolean
chunk_next_full (CwFrameReader  *r,
                 CwTask         *t,
                 GError        **error)
{
  const guint8 *p = r->p;
  const guint8 *end = p + r->left;
  gboolean ok = !r->failed && r->n_left > 0;
  guint8 flags, kind = r->prev_kind;
  guint64 index = r->prev_index + 1, d = 0;
  gint64 arg = r->prev_a;

  READ_BYTE (flags);
  if (flags & TASK_HAS_INDEX)
    READ_VARINT (index);
  if (flags & TASK_HAS_KIND)
    READ_BYTE (kind);
  if (flags & TASK_HAS_ARG)
    {
      READ_VARINT (d);
      arg = (gint64) ((guint64) arg + unzigzag (d));
    }
  if ((flags & ~TASK_FLAGS)
      || (flags & (TASK_REPLACE_IF_SAME | TASK_REPLACE_ALWAYS)) == (TASK_REPLACE_IF_SAME | TASK_REPLACE_ALWAYS)
      || kind < CW_TASK_AUDIO || kind >= CW_TASK_N_KINDS)
    ok = FALSE;
  task_fill (t, index, kind, arg,
             (flags & TASK_REPLACE_ALWAYS) ? CW_REPLACE_ALWAYS
             : (flags & TASK_REPLACE_IF_SAME) ? CW_REPLACE_IF_SAME : CW_REPLACE_NEVER);
  r->p = p;
  r->left = end - p;
  r->failed = !ok;
  if (G_UNLIKELY (ok && (flags & (TASK_HAS_PATHS | TASK_HAS_DATA))))
    {
      if (flags & TASK_HAS_PATHS)
        {
          t->input_path = get_str (r);
          t->output_path = get_str (r);
          t->seed_key = get_str (r);
        }
      if (flags & TASK_HAS_DATA)
        t->data = get_bytes (r);
    }
  if (G_UNLIKELY (r->failed))
    {
      cw_task_clear (t);
      return protocol_error (error, "truncated message");
    }
  r->n_left--;
  r->prev_index = index;
  r->prev_kind = kind;
  r->prev_a = arg;
  return TRUE;
}

gboolean
cw_protocol_chunk_next (CwFrameReader  *r,
                        CwTask         *t,
                        GError        **error)
{
  /* The trivial task: the next index, the same kind, an arg that repeats
   * or moves by a little. */
  if (G_LIKELY (r->prev_kind != 0 && reader_take_trivial (r, TASK_HAS_ARG)))
    {
      task_fill (t, r->prev_index, r->prev_kind, r->prev_a, CW_REPLACE_NEVER);
      return TRUE;
    }
  return chunk_next_full (r, t, error);
}

gboolean
cw_protocol_chunk_check (const guint8  *frame,
                         gsize          size,
                         GError       **error)
{
  g_auto(CwChunkMessage) msg = { 0 };
  CwFrameReader r;
  guint n;

  if (!cw_protocol_chunk_open (&r, frame, size, &msg, &n, error))
    return FALSE;
  while (r.n_left > 0)
    {
      CwTask task;

      /* A trivial task needs no decoding to be known good: skip a run of
       * them with the cursor in registers (a trivial task keeps the kind,
       * which is good once set; its arg matters to nobody here). */
      if (r.prev_kind != 0)
        {
          const guint8 *p = r.p, *end = r.p + r.left;
          guint left = r.n_left;
          gsize used;

          while (left > 0 && (used = trivial_size (p, end - p, TASK_HAS_ARG)) > 0)
            {
              p += used;
              left--;
            }
          r.left = end - p;
          r.p = p;
          r.n_left = left;
          if (left == 0)
            break;
        }
      if (!chunk_next_full (&r, &task, error))
        return FALSE;
      cw_task_clear (&task);
    }
  return cw_protocol_frame_close (&r, error);
}

gboolean
cw_protocol_decode_chunk (const guint8    *frame,
                          gsize            size,
                          CwChunkMessage  *msg,
                          GError         **error)
{
  CwFrameReader r;
  guint n;

  if (!cw_protocol_chunk_open (&r, frame, size, msg, &n, error))
    return FALSE;
  msg->tasks = g_new0 (CwTask, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      if (!cw_protocol_chunk_next (&r, &msg->tasks[i], error))
        {
          cw_chunk_message_clear (msg);
          return FALSE;
        }
      msg->n_tasks = i + 1;
    }
  if (!cw_protocol_frame_close (&r, error))
    {
      cw_chunk_message_clear (msg);
      return FALSE;
    }
  return TRUE;
}

gboolean
cw_protocol_results_open (CwFrameReader  *r,
                          const guint8   *frame,
                          gsize           size,
                          guint64        *chunk_id,
                          gint32         *pid,
                          guint          *n_results,
                          GError        **error)
{
  guint32 n;

  if (!open_frame (frame, size, CW_MSG_RESULTS, r, error))
    return FALSE;
  *chunk_id = get_u64 (r);
  r->pid = (gint32) get_u32 (r);
  n = get_u32 (r);
  if (!check_count (r, n, error))
    return FALSE;
  *pid = r->pid;
  *n_results = n;
  return TRUE;
}

static G_GNUC_NO_INLINE gboolean
results_next_full (CwFrameReader  *r,
                   CwResult       *res,
                   GError        **error)
{
  const guint8 *p = r->p;
  const guint8 *end = p + r->left;
  gboolean ok = !r->failed && r->n_left > 0;
  guint8 flags, more = 0;
  guint64 index = r->prev_index + 1, d = 0, checksum = 0;
  gint64 value = r->prev_a, frames = 0, cpu_us = 0, rss = 0;
  gint64 start_us = r->prev_b, end_us = r->prev_c;

  READ_BYTE (flags);
  if (flags & RESULT_HAS_MORE)
    {
      READ_BYTE (more);
      if (more & MORE_HAS_INDEX)
        READ_VARINT (index);
      if (more & MORE_HAS_CHECKSUM)
        {
          if (G_LIKELY (end - p >= 8))
            {
              memcpy (&checksum, p, 8);
              checksum = GUINT64_FROM_LE (checksum);
              p += 8;
            }
          else
            ok = FALSE;
        }
    }
  if (flags & RESULT_HAS_VALUE)
    {
      READ_VARINT (d);
      value = (gint64) ((guint64) value + unzigzag (d));
    }
  if (flags & RESULT_HAS_FRAMES)
    {
      READ_VARINT (d);
      frames = (gint64) unzigzag (d);
    }
  if (flags & RESULT_HAS_TIMES)
    {
      READ_VARINT (d);
      start_us = (gint64) ((guint64) start_us + unzigzag (d));
      READ_VARINT (d);
      end_us = (gint64) ((guint64) start_us + unzigzag (d));
    }
  if (flags & RESULT_HAS_CPU)
    {
      READ_VARINT (d);
      cpu_us = (gint64) unzigzag (d);
    }
  if ((more & ~MORE_FLAGS) || (more & MORE_STATUS) > CW_STATUS_CANCELLED)
    ok = FALSE;
  result_fill (res, r, index, more & MORE_STATUS, value, frames, start_us, end_us, cpu_us);
  res->has_checksum = (more & MORE_HAS_CHECKSUM) != 0;
  res->checksum = checksum;
  r->p = p;
  r->left = end - p;
  r->failed = !ok;
  if (G_UNLIKELY (ok && (flags & (RESULT_HAS_ERROR | RESULT_HAS_OUTPUT | RESULT_HAS_RSS))))
    {
      if (flags & RESULT_HAS_ERROR)
        res->error = get_str (r);
      if (flags & RESULT_HAS_OUTPUT)
        res->output_path = get_str (r);
      if ((flags & RESULT_HAS_RSS) && !r->failed)
        {
          p = r->p;
          READ_VARINT (rss);
          res->peak_rss_kb = (gint64) unzigzag (rss);
          r->left = end - p;
          r->p = p;
          r->failed = !ok;
        }
    }
  if (G_UNLIKELY (r->failed))
    {
      cw_result_clear (res);
      return protocol_error (error, "truncated message");
    }
  r->n_left--;
  r->prev_index = index;
  r->prev_a = value;
  r->prev_b = start_us;
  r->prev_c = end_us;
  return TRUE;
}

gboolean
cw_protocol_results_next (CwFrameReader  *r,
                          CwResult       *res,
                          GError        **error)
{
  /* The trivial result: ok, the next index, the previous times, a value
   * that repeats or moves by a little. */
  if (G_LIKELY (reader_take_trivial (r, RESULT_HAS_VALUE)))
    {
      result_fill (res, r, r->prev_index, CW_STATUS_OK, r->prev_a, 0, r->prev_b, r->prev_c, 0);
      return TRUE;
    }
  return results_next_full (r, res, error);
}

gboolean
cw_protocol_decode_results (const guint8      *frame,
                            gsize              size,
                            CwResultsMessage  *msg,
                            GError           **error)
{
  CwFrameReader r;
  guint n;

  memset (msg, 0, sizeof *msg);
  if (!cw_protocol_results_open (&r, frame, size, &msg->chunk_id, &msg->pid, &n, error))
    {
      memset (msg, 0, sizeof *msg);
      return FALSE;
    }
  msg->results = g_new0 (CwResult, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      if (!cw_protocol_results_next (&r, &msg->results[i], error))
        {
          cw_results_message_clear (msg);
          return FALSE;
        }
      msg->n_results = i + 1;
    }
  if (!cw_protocol_frame_close (&r, error))
    {
      cw_results_message_clear (msg);
      return FALSE;
    }
  return TRUE;
}

void
cw_chunk_message_clear (CwChunkMessage *msg)
{
  cw_job_settings_clear (&msg->settings);
  for (guint i = 0; i < msg->n_tasks; i++)
    cw_task_clear (&msg->tasks[i]);
  g_clear_pointer (&msg->tasks, g_free);
  msg->n_tasks = 0;
}

void
cw_results_message_clear (CwResultsMessage *msg)
{
  for (guint i = 0; i < msg->n_results; i++)
    cw_result_clear (&msg->results[i]);
  g_clear_pointer (&msg->results, g_free);
  msg->n_results = 0;
}
