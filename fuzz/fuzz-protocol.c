/* fuzz-protocol.c: libFuzzer target for the worker protocol's decoders, in
 * both directions (pool -> worker CHUNK, worker -> pool HELLO and RESULTS)
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any bytes: peek_frame and every decoder must answer with a frame, "need
 * more", or a CW_ERROR_PROTOCOL error; never read out of bounds, never make
 * a huge allocation. A frame that decodes must encode again to a frame that
 * decodes to the same counts.
 */

#include "config.h"

#include <stdlib.h>

#include "cw-error.h"
#include "cw-protocol.h"

static void
check_chunk (const guint8 *data,
             gsize         size)
{
  g_auto(CwChunkMessage) msg = { 0 };
  g_auto(CwChunkMessage) again = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) out = NULL;

  if (!cw_protocol_decode_chunk (data, size, &msg, &error))
    {
      if (error == NULL || error->domain != CW_ERROR)
        abort ();
      return;
    }
  out = g_byte_array_new ();
  cw_protocol_encode_chunk (out, msg.chunk_id, &msg.settings, msg.tasks, msg.n_tasks);
  if (!cw_protocol_decode_chunk (out->data, out->len, &again, NULL)
      || again.n_tasks != msg.n_tasks || again.chunk_id != msg.chunk_id)
    abort ();
}

static void
check_results (const guint8 *data,
               gsize         size)
{
  g_auto(CwResultsMessage) msg = { 0 };
  g_auto(CwResultsMessage) again = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) out = NULL;

  if (!cw_protocol_decode_results (data, size, &msg, &error))
    {
      if (error == NULL || error->domain != CW_ERROR)
        abort ();
      return;
    }
  out = g_byte_array_new ();
  cw_protocol_encode_results (out, msg.chunk_id, msg.pid, msg.results, msg.n_results);
  if (!cw_protocol_decode_results (out->data, out->len, &again, NULL)
      || again.n_results != msg.n_results || again.chunk_id != msg.chunk_id)
    abort ();
}

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GError) error = NULL;
  CwMessageType type;
  gsize frame_size = 0;
  gint32 pid;

  /* a stream buffer: whatever peek says must lie inside it */
  if (cw_protocol_peek_frame (data, size, &type, &frame_size, &error))
    {
      if (frame_size < CW_PROTOCOL_HEADER_SIZE || frame_size > size)
        abort ();
      /* the frame alone, in a buffer of its exact size (ASan sees overreads) */
      {
        g_autofree guint8 *frame = g_memdup2 (data, frame_size);

        (void) cw_protocol_decode_hello (frame, frame_size, &pid, NULL);
        check_chunk (frame, frame_size);
        check_results (frame, frame_size);
      }
    }
  else if (error != NULL && error->domain != CW_ERROR)
    abort ();

  /* and the decoders on the raw bytes, whatever the header says */
  (void) cw_protocol_decode_hello (data, size, &pid, NULL);
  check_chunk (data, size);
  check_results (data, size);
  return 0;
}
