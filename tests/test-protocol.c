/* test-protocol.c: the pool <-> worker frames, and the worker facing bad input
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#include <gio/gio.h>

#include "cw-error.h"
#include "cw-protocol.h"

#define WORKER_TIMEOUT_S 30

/* ---------------------------------------------------------------------- */
/* helpers */

static void
assert_str_or_null_equal (const char *a,
                          const char *b)
{
  if (a == NULL || b == NULL)
    g_assert_true (a == b);
  else
    g_assert_cmpstr (a, ==, b);
}

static void
assert_task_equal (const CwTask *a,
                   const CwTask *b)
{
  g_assert_cmpuint (a->index, ==, b->index);
  g_assert_cmpint (a->kind, ==, b->kind);
  g_assert_cmpint (a->arg, ==, b->arg);
  assert_str_or_null_equal (a->input_path, b->input_path);
  assert_str_or_null_equal (a->output_path, b->output_path);
  assert_str_or_null_equal (a->seed_key, b->seed_key);
  g_assert_cmpint (a->replace, ==, b->replace);
}

static void
assert_result_equal (const CwResult *a,
                     const CwResult *b)
{
  g_assert_cmpuint (a->index, ==, b->index);
  g_assert_cmpint (a->status, ==, b->status);
  g_assert_cmpint (a->pid, ==, b->pid);
  g_assert_cmpint (a->value, ==, b->value);
  g_assert_cmpint (a->frames, ==, b->frames);
  g_assert_cmpint (a->start_us, ==, b->start_us);
  g_assert_cmpint (a->end_us, ==, b->end_us);
  g_assert_cmpint (a->cpu_us, ==, b->cpu_us);
  assert_str_or_null_equal (a->error, b->error);
  assert_str_or_null_equal (a->output_path, b->output_path);
}

/* Decodes @data as whatever the header says (or as every kind when
 * @all_kinds): each decoder either succeeds or says CW_ERROR_PROTOCOL. */
static void
decode_any (const guint8 *data,
            gsize         len,
            gboolean      all_kinds)
{
  g_autoptr(GError) error = NULL;
  CwMessageType type = 0;
  gsize frame_size = 0;

  if (!cw_protocol_peek_frame (data, len, &type, &frame_size, &error))
    {
      if (error != NULL)
        g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
      else if (len >= CW_PROTOCOL_HEADER_SIZE)
        {
          guint32 payload;

          memcpy (&payload, data, 4);
          g_assert_cmpuint (len - CW_PROTOCOL_HEADER_SIZE, <, GUINT32_FROM_LE (payload));
        }
      if (!all_kinds)
        return;
      frame_size = len;
      g_clear_error (&error);
    }
  else
    g_assert_cmpuint (frame_size, <=, len);

  if (all_kinds || type == CW_MSG_HELLO)
    {
      gint32 pid;

      if (!cw_protocol_decode_hello (data, frame_size, &pid, &error))
        g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
      g_clear_error (&error);
    }
  if (all_kinds || type == CW_MSG_CHUNK)
    {
      g_auto(CwChunkMessage) msg = { 0 };

      if (!cw_protocol_decode_chunk (data, frame_size, &msg, &error))
        {
          g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
          g_assert_null (msg.tasks);
          g_assert_cmpuint (msg.n_tasks, ==, 0);
        }
      g_clear_error (&error);
    }
  if (all_kinds || type == CW_MSG_RESULTS)
    {
      g_auto(CwResultsMessage) msg = { 0 };

      if (!cw_protocol_decode_results (data, frame_size, &msg, &error))
        {
          g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
          g_assert_null (msg.results);
          g_assert_cmpuint (msg.n_results, ==, 0);
        }
      g_clear_error (&error);
    }
}

/* A few tasks of every shape. */
static const CwTask sample_tasks[] = {
  { .index = 0, .kind = CW_TASK_AUDIO, .input_path = (char *) "/in/caf\xe9.wav",
    .output_path = (char *) "/out/caf\xe9.wav", .seed_key = (char *) "caf\xe9.wav",
    .replace = CW_REPLACE_ALWAYS },
  { .index = 1, .kind = CW_TASK_AUDIO, .input_path = (char *) "/in/two\nlines.wav",
    .output_path = (char *) "/out dir/two\nlines (1).wav", .seed_key = (char *) "two\nlines (1).wav",
    .replace = CW_REPLACE_IF_SAME },
  { .index = 9, .kind = CW_TASK_AUDIO, .input_path = (char *) "a", .output_path = (char *) "b",
    .seed_key = (char *) "b" },
  { .index = 2, .kind = CW_TASK_MUL10, .arg = 0 },
  { .index = 3, .kind = CW_TASK_MUL10, .arg = 42 },
  { .index = 4, .kind = CW_TASK_SPIN, .arg = -7 },
  { .index = G_GUINT64_CONSTANT (1) << 40, .kind = CW_TASK_FIB, .arg = G_MAXINT64 },
  { .index = G_MAXUINT64, .kind = CW_TASK_FIB, .arg = G_MININT64 },
};

static const CwJobSettings sample_settings = {
  .spec = (char *) "noise:sigma=0.1,gain:db=-3",
  .format = CW_FORMAT_FLAC,
  .seed = G_MAXUINT64,
};

static const CwResult sample_results[] = {
  /* the first with no times at all: 0, 0 must survive */
  { .index = 9, .status = CW_STATUS_OK, .pid = 4242, .value = 90 },
  { .index = 10, .status = CW_STATUS_OK, .pid = 4242, .frames = 44100, .start_us = 1000,
    .end_us = 2000, .cpu_us = 900, .output_path = (char *) "/out/caf\xe9.wav" },
  /* same times as the previous one: sent compressed */
  { .index = 11, .status = CW_STATUS_FAILED, .pid = 4242, .start_us = 1000, .end_us = 2000,
    .error = (char *) "not an audio file: \xff\n" },
  { .index = 12, .status = CW_STATUS_CANCELLED, .pid = 4242, .start_us = 1000, .end_us = 2001,
    .cpu_us = G_MAXINT64, .error = (char *) "Cancelled" },
  { .index = 13, .status = CW_STATUS_OK, .pid = 4242, .value = -1, .frames = G_MAXINT64,
    .start_us = G_MININT64, .end_us = G_MAXINT64, .cpu_us = 1,
    .error = (char *) "both", .output_path = (char *) "x" },
  { .index = 14, .status = CW_STATUS_OK, .pid = 4242 },
};

static GByteArray *
sample_chunk_frame (void)
{
  GByteArray *out = g_byte_array_new ();

  cw_protocol_encode_chunk (out, 77, &sample_settings, sample_tasks, G_N_ELEMENTS (sample_tasks));
  return out;
}

static GByteArray *
sample_results_frame (void)
{
  GByteArray *out = g_byte_array_new ();

  cw_protocol_encode_results (out, 78, 4242, sample_results, G_N_ELEMENTS (sample_results));
  return out;
}

/* ---------------------------------------------------------------------- */
/* round trips */

static void
test_chunk_roundtrip (void)
{
  g_autoptr(GByteArray) out = sample_chunk_frame ();
  g_auto(CwChunkMessage) msg = { 0 };
  g_autoptr(GError) error = NULL;
  CwMessageType type = 0;
  gsize size = 0;

  g_assert_true (cw_protocol_peek_frame (out->data, out->len, &type, &size, &error));
  g_assert_no_error (error);
  g_assert_cmpint (type, ==, CW_MSG_CHUNK);
  g_assert_cmpuint (size, ==, out->len);

  g_assert_true (cw_protocol_decode_chunk (out->data, out->len, &msg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (msg.chunk_id, ==, 77);
  g_assert_cmpstr (msg.settings.spec, ==, sample_settings.spec);
  g_assert_cmpint (msg.settings.format, ==, sample_settings.format);
  g_assert_cmpuint (msg.settings.seed, ==, sample_settings.seed);
  g_assert_cmpuint (msg.n_tasks, ==, G_N_ELEMENTS (sample_tasks));
  for (guint i = 0; i < msg.n_tasks; i++)
    assert_task_equal (&msg.tasks[i], &sample_tasks[i]);
}

/* What a task may replace travels with it; both bits at once is garbage. */
static void
test_replace_flags (void)
{
  CwTask task = { .index = 1, .kind = CW_TASK_AUDIO, .input_path = (char *) "i",
                  .output_path = (char *) "o", .seed_key = (char *) "o",
                  .replace = CW_REPLACE_ALWAYS };
  CwJobSettings settings = { .spec = (char *) "copy" };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_auto(CwChunkMessage) msg = { 0 };
  g_autoptr(GError) error = NULL;
  /* header, chunk id, spec "copy", format, seed, settings flags, bits,
   * count: then the task's flags byte */
  const gsize flags_at = 8 + 8 + 4 + 4 + 1 + 8 + 1 + 1 + 4;

  cw_protocol_encode_chunk (out, 1, &settings, &task, 1);
  g_assert_true (cw_protocol_decode_chunk (out->data, out->len, &msg, &error));
  g_assert_no_error (error);
  g_assert_cmpint (msg.tasks[0].replace, ==, CW_REPLACE_ALWAYS);
  cw_chunk_message_clear (&msg);

  g_assert_cmpuint (out->data[flags_at] & (1 << 4), !=, 0);
  out->data[flags_at] |= 1 << 3;
  g_assert_false (cw_protocol_decode_chunk (out->data, out->len, &msg, &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
}

/* The lab's additions: a task's optional bytes (the big-data pitfall's
 * samples), the naive-seed setting, and a result's worker peak RSS. */
static void
test_data_roundtrip (void)
{
  static const gint16 samples[] = { 0, 1, -1, G_MAXINT16, G_MININT16, 1234 };
  g_autoptr(GBytes) data = g_bytes_new_static (samples, sizeof samples);
  g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
  CwTask tasks[] = {
    { .index = 5, .kind = CW_TASK_AUDIO_INLINE, .arg = 44100 | (G_GINT64_CONSTANT (1) << 32),
      .input_path = (char *) "/in/a.wav", .output_path = (char *) "/out/a.wav",
      .seed_key = (char *) "a.wav", .data = data },
    { .index = 6, .kind = CW_TASK_AUDIO_INLINE, .data = empty },
    { .index = 7, .kind = CW_TASK_MUL10, .arg = 3 },
  };
  CwJobSettings settings = { .spec = (char *) "copy", .seed = 9, .naive_seed = TRUE };
  CwResult results[] = {
    { .index = 5, .status = CW_STATUS_OK, .pid = 1, .peak_rss_kb = 123456,
      .has_checksum = TRUE, .checksum = G_GUINT64_CONSTANT (0xfedcba9876543210) },
    { .index = 6, .status = CW_STATUS_OK, .pid = 1 },
  };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) res = g_byte_array_new ();
  g_auto(CwChunkMessage) msg = { 0 };
  g_auto(CwResultsMessage) rmsg = { 0 };
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (cw_task_kind_to_string (CW_TASK_AUDIO_INLINE), ==, "audio-inline");
  cw_protocol_encode_chunk (out, 3, &settings, tasks, G_N_ELEMENTS (tasks));
  g_assert_true (cw_protocol_decode_chunk (out->data, out->len, &msg, &error));
  g_assert_no_error (error);
  g_assert_true (msg.settings.naive_seed);
  g_assert_cmpuint (msg.n_tasks, ==, 3);
  g_assert_cmpint (msg.tasks[0].kind, ==, CW_TASK_AUDIO_INLINE);
  g_assert_cmpint (msg.tasks[0].arg, ==, tasks[0].arg);
  g_assert_cmpstr (msg.tasks[0].seed_key, ==, "a.wav");
  g_assert_nonnull (msg.tasks[0].data);
  g_assert_true (g_bytes_equal (msg.tasks[0].data, data));
  g_assert_nonnull (msg.tasks[1].data);
  g_assert_cmpuint (g_bytes_get_size (msg.tasks[1].data), ==, 0);
  g_assert_null (msg.tasks[2].data);
  g_assert_cmpint (msg.tasks[2].arg, ==, 3);

  /* every truncation of it is refused, never a crash */
  for (gsize len = 0; len < out->len; len++)
    {
      g_auto(CwChunkMessage) cut = { 0 };
      g_autoptr(GError) cut_error = NULL;

      g_assert_false (cw_protocol_decode_chunk (out->data, len, &cut, &cut_error));
      g_assert_nonnull (cut_error);
    }

  cw_protocol_encode_results (res, 3, 1, results, G_N_ELEMENTS (results));
  g_assert_true (cw_protocol_decode_results (res->data, res->len, &rmsg, &error));
  g_assert_no_error (error);
  g_assert_cmpint (rmsg.results[0].peak_rss_kb, ==, 123456);
  g_assert_cmpint (rmsg.results[1].peak_rss_kb, ==, 0);
  /* the checksum an output was summed to, and none */
  g_assert_true (rmsg.results[0].has_checksum);
  g_assert_cmphex (rmsg.results[0].checksum, ==, G_GUINT64_CONSTANT (0xfedcba9876543210));
  g_assert_false (rmsg.results[1].has_checksum);

  /* every truncation of the results is refused, never a crash */
  for (gsize len = 0; len < res->len; len++)
    {
      g_auto(CwResultsMessage) cut = { 0 };
      g_autoptr(GError) cut_error = NULL;

      g_assert_false (cw_protocol_decode_results (res->data, len, &cut, &cut_error));
      g_assert_nonnull (cut_error);
    }
}

static void
test_chunk_empty (void)
{
  CwJobSettings settings = { .spec = NULL, .format = CW_FORMAT_SAME, .seed = 0 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_auto(CwChunkMessage) msg = { 0 };
  g_autoptr(GError) error = NULL;

  /* two frames back to back: peek finds the first one's end */
  cw_protocol_encode_chunk (out, 1, &settings, NULL, 0);
  cw_protocol_encode_chunk (out, 2, &settings, sample_tasks + 2, 1);
  {
    CwMessageType type;
    gsize size;

    g_assert_true (cw_protocol_peek_frame (out->data, out->len, &type, &size, &error));
    g_assert_cmpuint (size, <, out->len);
    g_assert_true (cw_protocol_decode_chunk (out->data, size, &msg, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (msg.chunk_id, ==, 1);
    g_assert_null (msg.settings.spec);
    g_assert_cmpuint (msg.n_tasks, ==, 0);
    cw_chunk_message_clear (&msg);

    g_assert_true (cw_protocol_decode_chunk (out->data + size, out->len - size, &msg, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (msg.chunk_id, ==, 2);
    g_assert_cmpuint (msg.n_tasks, ==, 1);
    assert_task_equal (&msg.tasks[0], &sample_tasks[2]);

    /* the whole buffer is one frame plus trailing bytes: refused */
    cw_chunk_message_clear (&msg);
    g_assert_false (cw_protocol_decode_chunk (out->data, out->len, &msg, &error));
    g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
  }
}

static void
test_results_roundtrip (void)
{
  g_autoptr(GByteArray) out = sample_results_frame ();
  g_auto(CwResultsMessage) msg = { 0 };
  g_autoptr(GError) error = NULL;
  CwMessageType type = 0;
  gsize size = 0;

  g_assert_true (cw_protocol_peek_frame (out->data, out->len, &type, &size, &error));
  g_assert_cmpint (type, ==, CW_MSG_RESULTS);
  g_assert_cmpuint (size, ==, out->len);

  g_assert_true (cw_protocol_decode_results (out->data, out->len, &msg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (msg.chunk_id, ==, 78);
  g_assert_cmpint (msg.pid, ==, 4242);
  g_assert_cmpuint (msg.n_results, ==, G_N_ELEMENTS (sample_results));
  for (guint i = 0; i < msg.n_results; i++)
    assert_result_equal (&msg.results[i], &sample_results[i]);
}

/* Results with the same times as the one before send none, and still
 * decode with the right times; times that differ cost their differences
 * (here a start difference and a duration, 3 bytes). */
static void
test_results_times_compressed (void)
{
  CwResult same[3] = {
    { .index = 0, .start_us = 500, .end_us = 700 },
    { .index = 1, .start_us = 500, .end_us = 700 },
    { .index = 2, .start_us = 500, .end_us = 700 },
  };
  CwResult differ[3] = {
    { .index = 0, .start_us = 500, .end_us = 700 },
    { .index = 1, .start_us = 500, .end_us = 701 },
    { .index = 2, .start_us = 501, .end_us = 701 },
  };
  g_autoptr(GByteArray) a = g_byte_array_new ();
  g_autoptr(GByteArray) b = g_byte_array_new ();
  g_auto(CwResultsMessage) msg = { 0 };
  g_autoptr(GError) error = NULL;

  cw_protocol_encode_results (a, 1, 2, same, 3);
  cw_protocol_encode_results (b, 1, 2, differ, 3);
  g_assert_cmpuint (a->len + 2 * 3, ==, b->len);

  g_assert_true (cw_protocol_decode_results (a->data, a->len, &msg, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_cmpint (msg.results[i].start_us, ==, 500);
      g_assert_cmpint (msg.results[i].end_us, ==, 700);
    }
  cw_results_message_clear (&msg);

  g_assert_true (cw_protocol_decode_results (b->data, b->len, &msg, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      differ[i].pid = 2;
      assert_result_equal (&msg.results[i], &differ[i]);
    }
}

/* The lesson's trivial tasks, mul10 of their own index, cost 2 bytes each
 * way (a flags byte and a one-byte difference), whatever their index: the
 * overhead benchmark's million tasks are 2 MB of frames in each direction.
 * Any values still round-trip, however far apart. */
static void
test_compact (void)
{
  const guint n = 1000;
  const guint64 first = G_GUINT64_CONSTANT (1) << 40;
  CwJobSettings settings = { .spec = NULL };
  g_autofree CwTask *tasks = g_new0 (CwTask, n);
  g_autofree CwResult *results = g_new0 (CwResult, n);
  g_autoptr(GByteArray) chunk = g_byte_array_new ();
  g_autoptr(GByteArray) answer = g_byte_array_new ();
  g_auto(CwChunkMessage) msg = { 0 };
  g_auto(CwResultsMessage) rmsg = { 0 };
  g_autoptr(GError) error = NULL;
  /* the frames' fixed parts: header, id, spec, format, seed, settings,
   * bits, count; header, id, pid, count; then the first item's index and kind,
   * the first result's status byte and index */
  const gsize chunk_fixed = 8 + 8 + 4 + 1 + 8 + 1 + 1 + 4 + 6 + 1;
  const gsize results_fixed = 8 + 8 + 4 + 4 + 1 + 6 + 2 + 4;

  for (guint i = 0; i < n; i++)
    {
      tasks[i] = (CwTask) { .index = first + i, .kind = CW_TASK_MUL10, .arg = (gint64) (first + i) };
      results[i] = (CwResult) { .index = first + i, .status = CW_STATUS_OK,
                                .value = (gint64) (first + i) * 10, .start_us = 1234, .end_us = 1234 };
    }
  cw_protocol_encode_chunk (chunk, 5, &settings, tasks, n);
  cw_protocol_encode_results (answer, 5, 42, results, n);
  g_assert_cmpuint (chunk->len, <=, chunk_fixed + 2 * n + 8);
  g_assert_cmpuint (answer->len, <=, results_fixed + 2 * n + 8);

  g_assert_true (cw_protocol_decode_chunk (chunk->data, chunk->len, &msg, &error));
  g_assert_no_error (error);
  g_assert_true (cw_protocol_decode_results (answer->data, answer->len, &rmsg, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (msg.n_tasks, ==, n);
  g_assert_cmpuint (rmsg.n_results, ==, n);
  for (guint i = 0; i < n; i++)
    {
      results[i].pid = 42;
      assert_task_equal (&msg.tasks[i], &tasks[i]);
      assert_result_equal (&rmsg.results[i], &results[i]);
    }

  /* the extremes of every difference */
  {
    CwTask far[] = {
      { .index = G_MAXUINT64, .kind = CW_TASK_FIB, .arg = G_MININT64 },
      { .index = 0, .kind = CW_TASK_SPIN, .arg = G_MAXINT64 },
      { .index = 1, .kind = CW_TASK_SPIN, .arg = G_MININT64 },
      { .index = G_MAXUINT64 - 1, .kind = CW_TASK_MUL10, .arg = -1 },
    };
    CwResult wide[] = {
      { .index = 0, .value = G_MININT64, .start_us = G_MAXINT64, .end_us = G_MININT64 },
      { .index = G_MAXUINT64, .value = G_MAXINT64, .start_us = G_MININT64, .end_us = G_MAXINT64,
        .frames = G_MININT64, .cpu_us = -1, .peak_rss_kb = G_MININT64,
        .status = CW_STATUS_CANCELLED },
      { .index = 0, .value = -1, .status = CW_STATUS_FAILED },
    };
    g_auto(CwChunkMessage) fmsg = { 0 };
    g_auto(CwResultsMessage) wmsg = { 0 };

    g_byte_array_set_size (chunk, 0);
    g_byte_array_set_size (answer, 0);
    cw_protocol_encode_chunk (chunk, 6, &settings, far, G_N_ELEMENTS (far));
    cw_protocol_encode_results (answer, 6, 1, wide, G_N_ELEMENTS (wide));
    g_assert_true (cw_protocol_decode_chunk (chunk->data, chunk->len, &fmsg, &error));
    g_assert_no_error (error);
    g_assert_true (cw_protocol_decode_results (answer->data, answer->len, &wmsg, &error));
    g_assert_no_error (error);
    for (guint i = 0; i < G_N_ELEMENTS (far); i++)
      assert_task_equal (&fmsg.tasks[i], &far[i]);
    for (guint i = 0; i < G_N_ELEMENTS (wide); i++)
      {
        wide[i].pid = 1;
        assert_result_equal (&wmsg.results[i], &wide[i]);
        g_assert_cmpint (wmsg.results[i].peak_rss_kb, ==, wide[i].peak_rss_kb);
      }
  }
}

/* A varint longer than 64 bits is garbage. */
static void
test_varint_overflow (void)
{
  CwJobSettings settings = { .spec = NULL };
  CwTask task = { .index = 7, .kind = CW_TASK_MUL10 };
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) bad = g_byte_array_new ();
  g_auto(CwChunkMessage) msg = { 0 };
  g_autoptr(GError) error = NULL;
  /* header, chunk id, spec, format, seed, settings, bits, count; then the
   * flags */
  const gsize flags_at = 8 + 8 + 4 + 1 + 8 + 1 + 1 + 4;
  const guint8 eleven[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f };
  guint32 le;

  cw_protocol_encode_chunk (out, 1, &settings, &task, 1);
  g_assert_cmpuint (out->data[flags_at] & (1 << 5), !=, 0);   /* an index follows */
  g_assert_cmpuint (out->data[flags_at + 1], ==, 7);
  /* the same index as ten bytes whose last says bit 70 */
  g_byte_array_append (bad, out->data, flags_at + 1);
  g_byte_array_append (bad, eleven, sizeof eleven);
  g_byte_array_append (bad, out->data + flags_at + 2, out->len - flags_at - 2);
  le = GUINT32_TO_LE ((guint32) (bad->len - CW_PROTOCOL_HEADER_SIZE));
  memcpy (bad->data, &le, 4);
  g_assert_false (cw_protocol_decode_chunk (bad->data, bad->len, &msg, &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
}

static void
test_hello_roundtrip (void)
{
  const gint32 pids[] = { 1, 4242, G_MAXINT32, -1 };

  for (guint i = 0; i < G_N_ELEMENTS (pids); i++)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_autoptr(GError) error = NULL;
      CwMessageType type = 0;
      gsize size = 0;
      gint32 pid = 0;

      cw_protocol_encode_hello (out, pids[i]);
      g_assert_cmpuint (out->len, ==, CW_PROTOCOL_HEADER_SIZE + 4);
      g_assert_true (cw_protocol_peek_frame (out->data, out->len, &type, &size, &error));
      g_assert_cmpint (type, ==, CW_MSG_HELLO);
      g_assert_true (cw_protocol_decode_hello (out->data, out->len, &pid, &error));
      g_assert_no_error (error);
      g_assert_cmpint (pid, ==, pids[i]);

      /* a hello is not a chunk */
      {
        g_auto(CwChunkMessage) msg = { 0 };

        g_assert_false (cw_protocol_decode_chunk (out->data, out->len, &msg, &error));
        g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
      }
    }
}

/* ---------------------------------------------------------------------- */
/* malformed input */

static void
check_every_truncation (GByteArray    *frame,
                        CwMessageType  type)
{
  for (gsize len = 0; len < frame->len; len++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree guint8 *copy = g_memdup2 (frame->data, frame->len);
      CwMessageType t;
      gsize size;

      /* a stream reader waits for more */
      g_assert_false (cw_protocol_peek_frame (frame->data, len, &t, &size, &error));
      g_assert_no_error (error);

      /* a decoder given the prefix refuses it */
      decode_any (frame->data, len, TRUE);
      switch (type)
        {
        case CW_MSG_HELLO:
          {
            gint32 pid;

            g_assert_false (cw_protocol_decode_hello (frame->data, len, &pid, &error));
          }
          break;
        case CW_MSG_CHUNK:
          {
            g_auto(CwChunkMessage) msg = { 0 };

            g_assert_false (cw_protocol_decode_chunk (frame->data, len, &msg, &error));
          }
          break;
        case CW_MSG_RESULTS:
        default:
          {
            g_auto(CwResultsMessage) msg = { 0 };

            g_assert_false (cw_protocol_decode_results (frame->data, len, &msg, &error));
          }
          break;
        }
      g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
      g_clear_error (&error);

      /* the same prefix with its length field patched to match: the header
       * says "complete", the payload runs out inside a field */
      if (len >= CW_PROTOCOL_HEADER_SIZE)
        {
          guint32 le = GUINT32_TO_LE ((guint32) (len - CW_PROTOCOL_HEADER_SIZE));

          memcpy (copy, &le, 4);
          g_assert_true (cw_protocol_peek_frame (copy, len, &t, &size, &error));
          g_assert_cmpuint (size, ==, len);
          decode_any (copy, len, FALSE);
          if (type == CW_MSG_CHUNK)
            {
              g_auto(CwChunkMessage) msg = { 0 };

              g_assert_false (cw_protocol_decode_chunk (copy, len, &msg, &error));
              g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
            }
          else if (type == CW_MSG_RESULTS)
            {
              g_auto(CwResultsMessage) msg = { 0 };

              g_assert_false (cw_protocol_decode_results (copy, len, &msg, &error));
              g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
            }
        }
    }
}

static void
test_truncation (void)
{
  g_autoptr(GByteArray) hello = g_byte_array_new ();
  g_autoptr(GByteArray) chunk = sample_chunk_frame ();
  g_autoptr(GByteArray) results = sample_results_frame ();

  cw_protocol_encode_hello (hello, 123);
  check_every_truncation (hello, CW_MSG_HELLO);
  check_every_truncation (chunk, CW_MSG_CHUNK);
  check_every_truncation (results, CW_MSG_RESULTS);
}

static void
test_random_bytes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20260101);
  g_autoptr(GByteArray) chunk = sample_chunk_frame ();
  g_autoptr(GByteArray) results = sample_results_frame ();
  guint8 buf[512];
  guint n = g_test_slow () ? 1000000 : 100000;

  for (guint i = 0; i < n; i++)
    {
      gsize len;

      switch (i % 4)
        {
        case 0:
          /* fully random */
          len = g_rand_int_range (rand, 0, 96);
          for (gsize j = 0; j < len; j++)
            buf[j] = (guint8) g_rand_int (rand);
          decode_any (buf, len, TRUE);
          break;

        case 1:
          /* a valid header, a garbage payload of the stated length */
          {
            guint32 payload = g_rand_int_range (rand, 0, 200);
            guint32 le = GUINT32_TO_LE (payload);

            memcpy (buf, &le, 4);
            buf[4] = CW_PROTOCOL_VERSION;
            buf[5] = (guint8) g_rand_int_range (rand, CW_MSG_HELLO, CW_MSG_RESULTS + 1);
            buf[6] = buf[7] = 0;
            for (gsize j = 0; j < payload; j++)
              buf[CW_PROTOCOL_HEADER_SIZE + j] = (guint8) g_rand_int (rand);
            /* small counts (and an empty spec) make the decoders walk
             * into the garbage instead of refusing the count at once */
            if (payload >= 26 && g_rand_boolean (rand))
              {
                guint8 *p = buf + CW_PROTOCOL_HEADER_SIZE;
                guint32 count = GUINT32_TO_LE (g_rand_int_range (rand, 0, 4));

                if (buf[5] == CW_MSG_CHUNK)
                  {
                    memset (p + 8, 0, 4);
                    p[12] = (guint8) g_rand_int_range (rand, 0, 7);
                    memcpy (p + 22, &count, 4);
                  }
                else
                  memcpy (p + 12, &count, 4);
              }
            decode_any (buf, CW_PROTOCOL_HEADER_SIZE + payload, FALSE);
            decode_any (buf, CW_PROTOCOL_HEADER_SIZE + payload, TRUE);
          }
          break;

        case 2:
        case 3:
          /* a valid frame with a few bytes changed */
          {
            GByteArray *src = (i % 4) == 2 ? chunk : results;
            guint flips = g_rand_int_range (rand, 1, 4);

            g_assert_cmpuint (src->len, <=, sizeof buf);
            len = src->len;
            memcpy (buf, src->data, len);
            for (guint f = 0; f < flips; f++)
              buf[g_rand_int_range (rand, CW_PROTOCOL_HEADER_SIZE, len)] = (guint8) g_rand_int (rand);
            decode_any (buf, len, FALSE);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }
}

static void
put_header (guint8  *buf,
            guint32  payload,
            guint8   version,
            guint8   type)
{
  guint32 le = GUINT32_TO_LE (payload);

  memcpy (buf, &le, 4);
  buf[4] = version;
  buf[5] = type;
  buf[6] = buf[7] = 0;
}

static void
test_bad_header (void)
{
  guint8 buf[CW_PROTOCOL_HEADER_SIZE + 4] = { 0 };
  /* 1: a worker from before the compact encoding */
  const guint8 versions[] = { 0, 1, 3, 255 };
  const guint8 types[] = { 0, CW_MSG_RESULTS + 1, 255 };
  CwMessageType type;
  gsize size;

  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autoptr(GError) error = NULL;

      put_header (buf, 4, versions[i], CW_MSG_HELLO);
      g_assert_false (cw_protocol_peek_frame (buf, sizeof buf, &type, &size, &error));
      g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
      g_clear_error (&error);
      /* the header alone is enough to refuse */
      g_assert_false (cw_protocol_peek_frame (buf, CW_PROTOCOL_HEADER_SIZE, &type, &size, &error));
      g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
    }
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    {
      g_autoptr(GError) error = NULL;

      put_header (buf, 4, CW_PROTOCOL_VERSION, types[i]);
      g_assert_false (cw_protocol_peek_frame (buf, sizeof buf, &type, &size, &error));
      g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
    }
  for (guint i = 6; i < 8; i++)
    {
      g_autoptr(GError) error = NULL;

      put_header (buf, 4, CW_PROTOCOL_VERSION, CW_MSG_HELLO);
      buf[i] = 1;
      g_assert_false (cw_protocol_peek_frame (buf, sizeof buf, &type, &size, &error));
      g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
    }
}

static void
test_oversized (void)
{
  guint8 buf[CW_PROTOCOL_HEADER_SIZE];
  const guint32 sizes[] = { CW_PROTOCOL_MAX_PAYLOAD + 1, G_MAXUINT32 };
  CwMessageType type;
  gsize size;

  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_autoptr(GError) error = NULL;

      put_header (buf, sizes[i], CW_PROTOCOL_VERSION, CW_MSG_CHUNK);
      g_assert_false (cw_protocol_peek_frame (buf, sizeof buf, &type, &size, &error));
      g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
    }

  /* the largest allowed size is only "need more" */
  {
    g_autoptr(GError) error = NULL;

    put_header (buf, CW_PROTOCOL_MAX_PAYLOAD, CW_PROTOCOL_VERSION, CW_MSG_CHUNK);
    g_assert_false (cw_protocol_peek_frame (buf, sizeof buf, &type, &size, &error));
    g_assert_no_error (error);
  }
}

/* A chunk or results frame whose count says @count with nothing after it. */
static GByteArray *
frame_with_count (CwMessageType type,
                  guint32       count)
{
  GByteArray *out = g_byte_array_new ();
  guint8 header[CW_PROTOCOL_HEADER_SIZE];
  guint8 zero[64] = { 0 };
  guint32 le = GUINT32_TO_LE (count);
  /* chunk: id, spec length, format, seed, settings byte; results: id, pid */
  gsize fixed = type == CW_MSG_CHUNK ? 8 + 4 + 1 + 8 + 1 : 8 + 4;
  /* some room: room for one task or result, not for count of them */
  gsize extra = 40;

  put_header (header, fixed + 4 + extra, CW_PROTOCOL_VERSION, type);
  g_byte_array_append (out, header, sizeof header);
  g_byte_array_append (out, zero, fixed);
  g_byte_array_append (out, (guint8 *) &le, 4);
  g_byte_array_append (out, zero, extra);
  return out;
}

static void
decode_big_counts (void)
{
  const guint32 counts[] = { G_MAXUINT32, 0x10000000, 10000000, 5 };

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_autoptr(GByteArray) chunk = frame_with_count (CW_MSG_CHUNK, counts[i]);
      g_autoptr(GByteArray) results = frame_with_count (CW_MSG_RESULTS, counts[i]);
      g_auto(CwChunkMessage) chunk_msg = { 0 };
      g_auto(CwResultsMessage) results_msg = { 0 };
      g_autoptr(GError) error = NULL;

      g_assert_false (cw_protocol_decode_chunk (chunk->data, chunk->len, &chunk_msg, &error));
      g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
      g_clear_error (&error);
      g_assert_false (cw_protocol_decode_results (results->data, results->len, &results_msg, &error));
      g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
    }
}

static void
test_count_larger_than_payload (void)
{
  /* Without the sanitizers, run it again under a small address-space limit:
   * a decoder that trusts the count allocates hundreds of megabytes and
   * g_malloc aborts. (ASan reserves terabytes of shadow: no limit there.) */
#if defined(__SANITIZE_ADDRESS__)
  decode_big_counts ();
#else
  if (g_test_subprocess ())
    {
      struct rlimit limit = { 256 * 1024 * 1024, 256 * 1024 * 1024 };

      g_assert_cmpint (setrlimit (RLIMIT_AS, &limit), ==, 0);
      decode_big_counts ();
      return;
    }
  decode_big_counts ();
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
#endif
}

/* ---------------------------------------------------------------------- */
/* the real worker */

typedef struct
{
  gboolean  communicated;
  gboolean  timed_out;
  GBytes   *stdout_bytes;
} WorkerRun;

static void
worker_communicated_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  WorkerRun *run = user_data;
  g_autoptr(GError) error = NULL;

  /* A worker may stop reading early (that is the point): a broken pipe
   * on its stdin is fine, its exit status tells the rest. */
  if (!g_subprocess_communicate_finish (G_SUBPROCESS (object), result, &run->stdout_bytes, NULL, &error))
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
  run->communicated = TRUE;
}

static gboolean
worker_timeout_cb (gpointer user_data)
{
  WorkerRun *run = user_data;

  run->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the worker with @input on its stdin (then end of input). Returns
 * the subprocess, ended and reaped; @stdout_out gets what it wrote. */
static GSubprocess *
run_worker (GBytes  *input,
            GBytes **stdout_out)
{
  const char *worker = g_getenv ("CW_WORKER_PATH");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  WorkerRun run = { 0 };
  guint timeout;

  g_assert_nonnull (worker);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                        | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_unsetenv (launcher, "CW_PARENT_PID");
  g_subprocess_launcher_unsetenv (launcher, "CW_TEST_GARBAGE");
  g_subprocess_launcher_unsetenv (launcher, "CW_TEST_CRASH_ON");
  proc = g_subprocess_launcher_spawn (launcher, &error, worker, NULL);
  g_assert_no_error (error);

  timeout = g_timeout_add_seconds (WORKER_TIMEOUT_S, worker_timeout_cb, &run);
  g_subprocess_communicate_async (proc, input, NULL, worker_communicated_cb, &run);
  while (!run.communicated && !run.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (run.timed_out)
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
      g_error ("the worker did not finish within %d s", WORKER_TIMEOUT_S);
    }
  /* After a broken pipe the communication may end before the exit. */
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_source_remove (timeout);

  if (stdout_out != NULL)
    *stdout_out = g_steal_pointer (&run.stdout_bytes);
  g_clear_pointer (&run.stdout_bytes, g_bytes_unref);
  return g_steal_pointer (&proc);
}

static void
assert_worker_exit (GSubprocess *proc,
                    gboolean     zero_allowed)
{
  if (g_subprocess_get_if_signaled (proc))
    g_error ("the worker was killed by signal %d", g_subprocess_get_term_sig (proc));
  g_assert_true (g_subprocess_get_if_exited (proc));
  if (zero_allowed && g_subprocess_get_exit_status (proc) == 0)
    return;
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 3);
}

/* The worker's stdout: a hello, then nothing (@msg NULL) or the results of
 * one chunk, in one RESULTS frame or more (a worker answers what it
 * finished once 2 ms have passed, which a loaded machine may stretch any
 * task to), gathered into @msg. */
static void
check_worker_output (GBytes             *bytes,
                     CwResultsMessage   *msg)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) all = g_array_new (FALSE, TRUE, sizeof (CwResult));
  CwMessageType type;
  gsize size;
  gint32 pid;

  g_assert_true (cw_protocol_peek_frame (data, len, &type, &size, &error));
  g_assert_cmpint (type, ==, CW_MSG_HELLO);
  g_assert_true (cw_protocol_decode_hello (data, size, &pid, &error));
  g_assert_cmpint (pid, >, 0);
  data += size;
  len -= size;
  if (msg == NULL)
    {
      g_assert_cmpuint (len, ==, 0);
      return;
    }
  g_assert_cmpuint (len, >, 0);
  memset (msg, 0, sizeof *msg);
  while (len > 0)
    {
      g_auto(CwResultsMessage) part = { 0 };

      g_assert_true (cw_protocol_peek_frame (data, len, &type, &size, &error));
      g_assert_cmpint (type, ==, CW_MSG_RESULTS);
      g_assert_true (cw_protocol_decode_results (data, size, &part, &error));
      g_assert_no_error (error);
      g_assert_cmpint (part.pid, ==, pid);
      if (all->len > 0)
        g_assert_cmpuint (part.chunk_id, ==, msg->chunk_id);
      msg->chunk_id = part.chunk_id;
      msg->pid = part.pid;
      g_array_append_vals (all, part.results, part.n_results);
      /* the strings are all's now */
      g_clear_pointer (&part.results, g_free);
      part.n_results = 0;
      data += size;
      len -= size;
    }
  msg->n_results = all->len;
  msg->results = (CwResult *) g_array_free (g_steal_pointer (&all), FALSE);
}

static void
test_worker_answers (void)
{
  CwJobSettings settings = { .spec = (char *) "copy" };
  CwTask tasks[] = {
    { .index = 5, .kind = CW_TASK_MUL10, .arg = 0 },
    { .index = 6, .kind = CW_TASK_MUL10, .arg = 7 },
    { .index = 7, .kind = CW_TASK_FIB, .arg = 20 },
    { .index = 8, .kind = CW_TASK_FIB, .arg = 100 },
  };
  g_autoptr(GByteArray) frame = g_byte_array_new ();
  g_autoptr(GBytes) input = NULL;
  g_autoptr(GBytes) output = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_auto(CwResultsMessage) msg = { 0 };

  cw_protocol_encode_chunk (frame, 99, &settings, tasks, G_N_ELEMENTS (tasks));
  input = g_bytes_new (frame->data, frame->len);
  proc = run_worker (input, &output);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);

  check_worker_output (output, &msg);
  g_assert_cmpuint (msg.chunk_id, ==, 99);
  g_assert_cmpuint (msg.n_results, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (msg.results[i].index, ==, 5 + i);
  g_assert_cmpint (msg.results[0].status, ==, CW_STATUS_OK);
  g_assert_cmpint (msg.results[0].value, ==, 0);
  g_assert_cmpint (msg.results[1].value, ==, 70);
  g_assert_cmpint (msg.results[2].value, ==, 6765);
  g_assert_cmpint (msg.results[3].status, ==, CW_STATUS_FAILED);
  g_assert_nonnull (strstr (msg.results[3].error, "fib"));
}

static void
test_worker_garbage (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint runs = g_test_slow () ? 200 : 24;

  for (guint i = 0; i < runs; i++)
    {
      gsize len = i == 0 ? 1 : (gsize) g_rand_int_range (rand, 1, 16384);
      g_autofree guint8 *junk = g_malloc (len);
      g_autoptr(GBytes) input = NULL;
      g_autoptr(GSubprocess) proc = NULL;

      for (gsize j = 0; j < len; j++)
        junk[j] = (guint8) g_rand_int (rand);
      /* every other run: a valid chunk header before the garbage */
      if (i % 2 == 1 && len >= CW_PROTOCOL_HEADER_SIZE)
        put_header (junk, (guint32) (len - CW_PROTOCOL_HEADER_SIZE), CW_PROTOCOL_VERSION, CW_MSG_CHUNK);
      input = g_bytes_new_take (g_steal_pointer (&junk), len);
      proc = run_worker (input, NULL);
      assert_worker_exit (proc, TRUE);
    }
}

static void
test_worker_bad_frames (void)
{
  g_autoptr(GByteArray) chunk = sample_chunk_frame ();
  g_autoptr(GByteArray) hello = g_byte_array_new ();
  const gsize cuts[] = { 3, CW_PROTOCOL_HEADER_SIZE, CW_PROTOCOL_HEADER_SIZE + 1, chunk->len - 1 };

  /* a truncated frame: the worker says so and exits 3 */
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      g_autoptr(GBytes) input = g_bytes_new (chunk->data, cuts[i]);
      g_autoptr(GBytes) output = NULL;
      g_autoptr(GSubprocess) proc = run_worker (input, &output);

      assert_worker_exit (proc, FALSE);
      check_worker_output (output, NULL);
    }

  /* a well-formed frame of the wrong type; an oversized one */
  {
    g_autoptr(GBytes) input = NULL;
    g_autoptr(GSubprocess) proc = NULL;

    cw_protocol_encode_hello (hello, 1);
    input = g_bytes_new (hello->data, hello->len);
    proc = run_worker (input, NULL);
    assert_worker_exit (proc, FALSE);
  }
  {
    guint8 header[CW_PROTOCOL_HEADER_SIZE];
    g_autoptr(GBytes) input = NULL;
    g_autoptr(GSubprocess) proc = NULL;

    put_header (header, G_MAXUINT32, CW_PROTOCOL_VERSION, CW_MSG_CHUNK);
    input = g_bytes_new (header, sizeof header);
    proc = run_worker (input, NULL);
    assert_worker_exit (proc, FALSE);
  }
  /* a count far larger than the payload */
  {
    g_autoptr(GByteArray) big = frame_with_count (CW_MSG_CHUNK, G_MAXUINT32);
    g_autoptr(GBytes) input = g_bytes_new (big->data, big->len);
    g_autoptr(GSubprocess) proc = run_worker (input, NULL);

    assert_worker_exit (proc, FALSE);
  }
  /* nothing at all: a clean end */
  {
    g_autoptr(GBytes) input = g_bytes_new (NULL, 0);
    g_autoptr(GBytes) output = NULL;
    g_autoptr(GSubprocess) proc = run_worker (input, &output);

    g_assert_true (g_subprocess_get_if_exited (proc));
    g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
    check_worker_output (output, NULL);
  }
}

/* How outputs are encoded (bits, quality, tags) travels with the chunk,
 * and a quality outside 0..1 or an unknown depth is refused. */
static void
test_encoding_settings (void)
{
  const CwJobSettings cases[] = {
    { .spec = (char *) "copy", .format = CW_FORMAT_FLAC, .bits = CW_BITS_24 },
    { .spec = (char *) "copy", .format = CW_FORMAT_MP3, .has_quality = TRUE, .quality = 0.7,
      .no_metadata = TRUE },
    { .spec = (char *) "copy", .format = CW_FORMAT_OPUS, .has_quality = TRUE, .quality = 0.0,
      .bits = CW_BITS_32F, .naive_seed = TRUE, .checksum = TRUE },
  };
  CwTask task = { .index = 1, .kind = CW_TASK_MUL10, .arg = 2 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GByteArray) out = g_byte_array_new ();
      g_auto(CwChunkMessage) msg = { 0 };
      g_autoptr(GError) error = NULL;

      cw_protocol_encode_chunk (out, 1, &cases[i], &task, 1);
      g_assert_true (cw_protocol_decode_chunk (out->data, out->len, &msg, &error));
      g_assert_no_error (error);
      g_assert_cmpint (msg.settings.format, ==, cases[i].format);
      g_assert_cmpint (msg.settings.bits, ==, cases[i].bits);
      g_assert_cmpint (msg.settings.has_quality, ==, cases[i].has_quality);
      g_assert_cmpfloat (msg.settings.quality, ==, cases[i].quality);
      g_assert_cmpint (msg.settings.no_metadata, ==, cases[i].no_metadata);
      g_assert_cmpint (msg.settings.naive_seed, ==, cases[i].naive_seed);
      g_assert_cmpint (msg.settings.checksum, ==, cases[i].checksum);
      g_assert_cmpuint (msg.n_tasks, ==, 1);
      g_assert_cmpint (msg.tasks[0].arg, ==, 2);
    }

  {
    CwJobSettings bad = { .spec = (char *) "copy", .has_quality = TRUE, .quality = 1.5 };
    CwJobSettings bad_bits = { .spec = (char *) "copy", .bits = CW_BITS_32F + 1 };
    g_autoptr(GByteArray) out = g_byte_array_new ();
    g_autoptr(GByteArray) out2 = g_byte_array_new ();
    g_auto(CwChunkMessage) msg = { 0 };
    g_auto(CwChunkMessage) msg2 = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(GError) error2 = NULL;

    cw_protocol_encode_chunk (out, 1, &bad, &task, 1);
    g_assert_false (cw_protocol_decode_chunk (out->data, out->len, &msg, &error));
    g_assert_error (error, CW_ERROR, CW_ERROR_PROTOCOL);
    cw_protocol_encode_chunk (out2, 1, &bad_bits, &task, 1);
    g_assert_false (cw_protocol_decode_chunk (out2->data, out2->len, &msg2, &error2));
    g_assert_error (error2, CW_ERROR, CW_ERROR_PROTOCOL);
  }
}

int
main (int   argc,
      char *argv[])
{
  /* a worker that stops reading must not kill us with SIGPIPE */
  signal (SIGPIPE, SIG_IGN);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/protocol/chunk-roundtrip", test_chunk_roundtrip);
  g_test_add_func ("/cw/protocol/chunk-empty", test_chunk_empty);
  g_test_add_func ("/cw/protocol/data-roundtrip", test_data_roundtrip);
  g_test_add_func ("/cw/protocol/replace-flags", test_replace_flags);
  g_test_add_func ("/cw/protocol/encoding-settings", test_encoding_settings);
  g_test_add_func ("/cw/protocol/results-roundtrip", test_results_roundtrip);
  g_test_add_func ("/cw/protocol/results-times-compressed", test_results_times_compressed);
  g_test_add_func ("/cw/protocol/compact", test_compact);
  g_test_add_func ("/cw/protocol/varint-overflow", test_varint_overflow);
  g_test_add_func ("/cw/protocol/hello-roundtrip", test_hello_roundtrip);
  g_test_add_func ("/cw/protocol/truncation", test_truncation);
  g_test_add_func ("/cw/protocol/random-bytes", test_random_bytes);
  g_test_add_func ("/cw/protocol/bad-header", test_bad_header);
  g_test_add_func ("/cw/protocol/oversized", test_oversized);
  g_test_add_func ("/cw/protocol/count-larger-than-payload", test_count_larger_than_payload);
  g_test_add_func ("/cw/protocol/worker/answers", test_worker_answers);
  g_test_add_func ("/cw/protocol/worker/garbage", test_worker_garbage);
  g_test_add_func ("/cw/protocol/worker/bad-frames", test_worker_bad_frames);

  return g_test_run ();
}
