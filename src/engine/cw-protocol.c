/* cw-protocol.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "cw-protocol.h"

#include <string.h>

#include "cw-error.h"

/* A task or result carries a flags byte saying which optional fields
 * follow: a million trivial tasks cost 10 to 18 bytes each, not 60. A
 * result's times may be left out when they equal the previous result's. */
enum {
  TASK_HAS_ARG      = 1 << 0,
  TASK_HAS_PATHS    = 1 << 1,
  TASK_HAS_DATA     = 1 << 2,   /* u32 length + bytes: the big-data pitfall's samples */
  TASK_REPLACE_IF_SAME = 1 << 3, /* CwReplace: neither bit is CW_REPLACE_NEVER */
  TASK_REPLACE_ALWAYS  = 1 << 4,
  TASK_FLAGS        = TASK_HAS_ARG | TASK_HAS_PATHS | TASK_HAS_DATA
                      | TASK_REPLACE_IF_SAME | TASK_REPLACE_ALWAYS,

  RESULT_HAS_VALUE  = 1 << 0,
  RESULT_HAS_FRAMES = 1 << 1,
  RESULT_HAS_TIMES  = 1 << 2,
  RESULT_HAS_CPU    = 1 << 3,
  RESULT_HAS_ERROR  = 1 << 4,
  RESULT_HAS_OUTPUT = 1 << 5,
  RESULT_HAS_RSS    = 1 << 6,   /* u64: the worker's peak RSS in KiB */
  RESULT_FLAGS      = (1 << 7) - 1,

  /* the chunk header's settings byte (bit 0 is no longer used: whether an
   * output may be replaced is each task's) */
  SETTINGS_NAIVE_SEED = 1 << 1,
  SETTINGS_NO_METADATA = 1 << 2,
  SETTINGS_HAS_QUALITY = 1 << 3,
};

/* Encoding: fields are written straight into room reserved in the
 * GByteArray, one reservation per task or result (a million trivial tasks
 * must not cost a million calls per field). The payload length in the
 * header is patched once the frame is complete. */

static inline guint8 *
reserve (GByteArray *out,
         gsize       len)
{
  gsize at = out->len;

  g_byte_array_set_size (out, at + len);
  return out->data + at;
}

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

static gsize
begin_frame (GByteArray    *out,
             CwMessageType  type)
{
  gsize start = out->len;
  guint8 header[CW_PROTOCOL_HEADER_SIZE] = { 0, 0, 0, 0, CW_PROTOCOL_VERSION, type, 0, 0 };

  put_bytes (reserve (out, sizeof header), header, sizeof header);
  return start;
}

static void
end_frame (GByteArray *out,
           gsize       start)
{
  gsize payload = out->len - start - CW_PROTOCOL_HEADER_SIZE;
  guint32 le;

  /* A chunk that big is a bug in the pool's chunk sizing, not bad input. */
  g_assert (payload <= CW_PROTOCOL_MAX_PAYLOAD);
  le = GUINT32_TO_LE ((guint32) payload);
  memcpy (out->data + start, &le, 4);
}

void
cw_protocol_encode_hello (GByteArray *out,
                          gint32      pid)
{
  gsize start = begin_frame (out, CW_MSG_HELLO);

  put_u32 (reserve (out, 4), (guint32) pid);
  end_frame (out, start);
}

void
cw_protocol_encode_chunk (GByteArray          *out,
                          guint64              chunk_id,
                          const CwJobSettings *settings,
                          const CwTask        *tasks,
                          guint                n_tasks)
{
  gsize start = begin_frame (out, CW_MSG_CHUNK);
  gsize spec_len = str_len (settings->spec);
  guint8 *p = reserve (out, 8 + 4 + spec_len + 1 + 8 + 1 + 1 + (settings->has_quality ? 8 : 0) + 4);
  guint64 quality_bits = 0;

  if (settings->has_quality)
    memcpy (&quality_bits, &settings->quality, sizeof quality_bits);
  p = put_u64 (p, chunk_id);
  p = put_str (p, settings->spec, spec_len);
  p = put_u8 (p, (guint8) settings->format);
  p = put_u64 (p, settings->seed);
  p = put_u8 (p, (settings->naive_seed ? SETTINGS_NAIVE_SEED : 0)
                 | (settings->no_metadata ? SETTINGS_NO_METADATA : 0)
                 | (settings->has_quality ? SETTINGS_HAS_QUALITY : 0));
  p = put_u8 (p, (guint8) settings->bits);
  if (settings->has_quality)
    p = put_u64 (p, quality_bits);
  put_u32 (p, n_tasks);
  for (guint i = 0; i < n_tasks; i++)
    {
      const CwTask *t = &tasks[i];
      gsize in_len = str_len (t->input_path);
      gsize out_len = str_len (t->output_path);
      gsize key_len = str_len (t->seed_key);
      gsize data_len = t->data ? g_bytes_get_size (t->data) : 0;

      guint8 flags = (t->arg != 0 ? TASK_HAS_ARG : 0) | (t->input_path ? TASK_HAS_PATHS : 0)
                     | (t->data ? TASK_HAS_DATA : 0)
                     | (t->replace == CW_REPLACE_IF_SAME ? TASK_REPLACE_IF_SAME : 0)
                     | (t->replace == CW_REPLACE_ALWAYS ? TASK_REPLACE_ALWAYS : 0);

      g_assert (data_len <= G_MAXUINT32);
      p = reserve (out, 10 + 8 + 16 + in_len + out_len + key_len + data_len);
      p = put_u64 (p, t->index);
      p = put_u8 (p, (guint8) t->kind);
      p = put_u8 (p, flags);
      if (flags & TASK_HAS_ARG)
        p = put_u64 (p, (guint64) t->arg);
      if (flags & TASK_HAS_PATHS)
        {
          p = put_str (p, t->input_path, in_len);
          p = put_str (p, t->output_path, out_len);
          p = put_str (p, t->seed_key, key_len);
        }
      if (flags & TASK_HAS_DATA)
        p = put_str (p, g_bytes_get_data (t->data, NULL), data_len);
      /* give back what the optional fields did not use */
      g_byte_array_set_size (out, p - out->data);
    }
  end_frame (out, start);
}

void
cw_protocol_encode_results (GByteArray     *out,
                            guint64         chunk_id,
                            gint32          pid,
                            const CwResult *results,
                            guint           n_results)
{
  gsize start = begin_frame (out, CW_MSG_RESULTS);
  guint8 *p = reserve (out, 16);
  gint64 prev_start = 0, prev_end = 0;

  p = put_u64 (p, chunk_id);
  p = put_u32 (p, (guint32) pid);
  put_u32 (p, n_results);
  for (guint i = 0; i < n_results; i++)
    {
      const CwResult *r = &results[i];
      gsize error_len = str_len (r->error);
      gsize output_len = str_len (r->output_path);

      guint8 flags = 0;

      if (r->value != 0)
        flags |= RESULT_HAS_VALUE;
      if (r->frames != 0)
        flags |= RESULT_HAS_FRAMES;
      if (r->start_us != prev_start || r->end_us != prev_end)
        flags |= RESULT_HAS_TIMES;
      if (r->cpu_us != 0)
        flags |= RESULT_HAS_CPU;
      if (r->error != NULL)
        flags |= RESULT_HAS_ERROR;
      if (r->output_path != NULL)
        flags |= RESULT_HAS_OUTPUT;
      if (r->peak_rss_kb != 0)
        flags |= RESULT_HAS_RSS;

      p = reserve (out, 10 + 6 * 8 + 8 + error_len + output_len);
      p = put_u64 (p, r->index);
      p = put_u8 (p, (guint8) r->status);
      p = put_u8 (p, flags);
      if (flags & RESULT_HAS_VALUE)
        p = put_u64 (p, (guint64) r->value);
      if (flags & RESULT_HAS_FRAMES)
        p = put_u64 (p, (guint64) r->frames);
      if (flags & RESULT_HAS_TIMES)
        {
          p = put_u64 (p, (guint64) r->start_us);
          p = put_u64 (p, (guint64) r->end_us);
          prev_start = r->start_us;
          prev_end = r->end_us;
        }
      if (flags & RESULT_HAS_CPU)
        p = put_u64 (p, (guint64) r->cpu_us);
      if (flags & RESULT_HAS_ERROR)
        p = put_str (p, r->error, error_len);
      if (flags & RESULT_HAS_OUTPUT)
        p = put_str (p, r->output_path, output_len);
      if (flags & RESULT_HAS_RSS)
        p = put_u64 (p, (guint64) r->peak_rss_kb);
      g_byte_array_set_size (out, p - out->data);
    }
  end_frame (out, start);
}

/* Decoding: a cursor that refuses to read past the end. Once it has failed
 * every further read fails too, so callers check once at the end. */

typedef struct
{
  const guint8 *p;
  gsize         left;
  gboolean      failed;
} Reader;

static inline gboolean
take (Reader     *r,
      void       *dest,
      gsize       len)
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
get_u8 (Reader *r)
{
  guint8 v = 0;

  take (r, &v, 1);
  return v;
}

static inline guint32
get_u32 (Reader *r)
{
  guint32 v = 0;

  take (r, &v, 4);
  return GUINT32_FROM_LE (v);
}

static inline guint64
get_u64 (Reader *r)
{
  guint64 v = 0;

  take (r, &v, 8);
  return GUINT64_FROM_LE (v);
}

/* Bytes of any length, kept as a GBytes (empty is an empty GBytes). */
static GBytes *
get_bytes (Reader *r)
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
get_str (Reader *r)
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
            Reader         *r,
            GError        **error)
{
  CwMessageType type;
  gsize frame_size;
  g_autoptr(GError) local_error = NULL;

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
  return TRUE;
}

static gboolean
close_frame (Reader  *r,
             GError **error)
{
  if (r->failed)
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
  Reader r;

  if (!open_frame (frame, size, CW_MSG_HELLO, &r, error))
    return FALSE;
  *pid = (gint32) get_u32 (&r);
  return close_frame (&r, error);
}

gboolean
cw_protocol_decode_chunk (const guint8    *frame,
                          gsize            size,
                          CwChunkMessage  *msg,
                          GError         **error)
{
  Reader r;
  guint32 n;
  guint8 format;
  guint8 settings_flags;
  guint8 bits;

  memset (msg, 0, sizeof *msg);
  if (!open_frame (frame, size, CW_MSG_CHUNK, &r, error))
    return FALSE;

  msg->chunk_id = get_u64 (&r);
  msg->settings.spec = get_str (&r);
  format = get_u8 (&r);
  msg->settings.seed = get_u64 (&r);
  settings_flags = get_u8 (&r);
  msg->settings.naive_seed = (settings_flags & SETTINGS_NAIVE_SEED) != 0;
  msg->settings.no_metadata = (settings_flags & SETTINGS_NO_METADATA) != 0;
  msg->settings.has_quality = (settings_flags & SETTINGS_HAS_QUALITY) != 0;
  bits = get_u8 (&r);
  if (msg->settings.has_quality)
    {
      guint64 quality_bits = get_u64 (&r);

      memcpy (&msg->settings.quality, &quality_bits, sizeof quality_bits);
    }
  n = get_u32 (&r);

  msg->settings.format = format;
  msg->settings.bits = bits;

  /* Refuse a bad header before looking at the count: the count check below
   * must never be skipped, or a garbage count allocates gigabytes. */
  if (r.failed || format > CW_FORMAT_MP3 || bits > CW_BITS_32F
      || (msg->settings.has_quality
          && !(msg->settings.quality >= 0.0 && msg->settings.quality <= 1.0)))
    {
      cw_chunk_message_clear (msg);
      return protocol_error (error, r.failed ? "truncated message"
                                    : format > CW_FORMAT_MP3 ? "unknown output format"
                                    : "bad output encoding");
    }

  /* Every task takes at least 10 bytes: a count that cannot fit in what
   * is left is garbage, and must not make us allocate gigabytes. */
  if (n > r.left / 10)
    {
      cw_chunk_message_clear (msg);
      return protocol_error (error, "task count larger than the message");
    }

  msg->tasks = g_new0 (CwTask, MAX (n, 1));
  for (guint32 i = 0; i < n && !r.failed; i++)
    {
      CwTask *t = &msg->tasks[i];
      guint8 kind;

      guint8 flags;

      t->index = get_u64 (&r);
      kind = get_u8 (&r);
      flags = get_u8 (&r);
      if ((flags & ~TASK_FLAGS)
          || (flags & (TASK_REPLACE_IF_SAME | TASK_REPLACE_ALWAYS)) == (TASK_REPLACE_IF_SAME | TASK_REPLACE_ALWAYS))
        r.failed = TRUE;
      t->replace = (flags & TASK_REPLACE_ALWAYS) ? CW_REPLACE_ALWAYS
                   : (flags & TASK_REPLACE_IF_SAME) ? CW_REPLACE_IF_SAME : CW_REPLACE_NEVER;
      if (flags & TASK_HAS_ARG)
        t->arg = (gint64) get_u64 (&r);
      if (flags & TASK_HAS_PATHS)
        {
          t->input_path = get_str (&r);
          t->output_path = get_str (&r);
          t->seed_key = get_str (&r);
        }
      if (flags & TASK_HAS_DATA)
        t->data = get_bytes (&r);
      msg->n_tasks = i + 1;
      if (kind < CW_TASK_AUDIO || kind >= CW_TASK_N_KINDS)
        r.failed = TRUE;
      t->kind = kind;
    }

  if (!close_frame (&r, error))
    {
      cw_chunk_message_clear (msg);
      return FALSE;
    }
  return TRUE;
}

gboolean
cw_protocol_decode_results (const guint8      *frame,
                            gsize              size,
                            CwResultsMessage  *msg,
                            GError           **error)
{
  Reader r;
  guint32 n;
  gint64 prev_start = 0, prev_end = 0;

  memset (msg, 0, sizeof *msg);
  if (!open_frame (frame, size, CW_MSG_RESULTS, &r, error))
    return FALSE;

  msg->chunk_id = get_u64 (&r);
  msg->pid = (gint32) get_u32 (&r);
  n = get_u32 (&r);

  /* 10 bytes is the smallest encoded result. */
  if (r.failed || n > r.left / 10)
    {
      cw_results_message_clear (msg);
      return protocol_error (error, "result count larger than the message");
    }

  msg->results = g_new0 (CwResult, MAX (n, 1));
  for (guint32 i = 0; i < n && !r.failed; i++)
    {
      CwResult *res = &msg->results[i];
      guint8 status;

      guint8 flags;

      res->index = get_u64 (&r);
      status = get_u8 (&r);
      flags = get_u8 (&r);
      res->pid = msg->pid;
      if (flags & ~RESULT_FLAGS)
        r.failed = TRUE;
      if (flags & RESULT_HAS_VALUE)
        res->value = (gint64) get_u64 (&r);
      if (flags & RESULT_HAS_FRAMES)
        res->frames = (gint64) get_u64 (&r);
      if (flags & RESULT_HAS_TIMES)
        {
          prev_start = (gint64) get_u64 (&r);
          prev_end = (gint64) get_u64 (&r);
        }
      res->start_us = prev_start;
      res->end_us = prev_end;
      if (flags & RESULT_HAS_CPU)
        res->cpu_us = (gint64) get_u64 (&r);
      if (flags & RESULT_HAS_ERROR)
        res->error = get_str (&r);
      if (flags & RESULT_HAS_OUTPUT)
        res->output_path = get_str (&r);
      if (flags & RESULT_HAS_RSS)
        res->peak_rss_kb = (gint64) get_u64 (&r);
      msg->n_results = i + 1;
      if (status > CW_STATUS_CANCELLED)
        r.failed = TRUE;
      res->status = status;
    }

  if (!close_frame (&r, error))
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
