/* cw-protocol.h: the length-framed binary messages between pool and worker
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "cw-task.h"

G_BEGIN_DECLS

/* A frame is an 8-byte header then the payload, all little-endian:
 *   u32 payload length | u8 version | u8 type | u16 zero
 * Strings are u32 length + bytes (no NUL; any bytes, file names need not be
 * UTF-8). A decoder checks every length against what is left: a malformed,
 * truncated or oversized frame is a CW_ERROR_PROTOCOL error, never a crash. */

#define CW_PROTOCOL_VERSION     1
#define CW_PROTOCOL_HEADER_SIZE 8
#define CW_PROTOCOL_MAX_PAYLOAD (64u * 1024u * 1024u)

typedef enum
{
  CW_MSG_HELLO = 1,   /* worker -> pool: pid; sent once at start */
  CW_MSG_CHUNK,       /* pool -> worker: job settings and K tasks */
  CW_MSG_RESULTS,     /* worker -> pool: the results of one chunk */
} CwMessageType;

typedef struct
{
  guint64        chunk_id;
  CwJobSettings  settings;
  CwTask        *tasks;       /* owned array */
  guint          n_tasks;
} CwChunkMessage;

typedef struct
{
  guint64    chunk_id;
  gint32     pid;
  CwResult  *results;         /* owned array */
  guint      n_results;
} CwResultsMessage;

/* Appends one whole frame to @out. */
void      cw_protocol_encode_hello    (GByteArray         *out,
                                       gint32              pid);
void      cw_protocol_encode_chunk    (GByteArray         *out,
                                       guint64             chunk_id,
                                       const CwJobSettings *settings,
                                       const CwTask       *tasks,
                                       guint               n_tasks);
void      cw_protocol_encode_results  (GByteArray         *out,
                                       guint64             chunk_id,
                                       gint32              pid,
                                       const CwResult     *results,
                                       guint               n_results);

/* Looks at the first bytes of a stream buffer. Returns TRUE with the frame's
 * type and total size (header + payload) when a whole frame is present,
 * FALSE with no error when more bytes are needed, FALSE with an error when
 * the header is invalid (bad version, unknown type, oversized). */
gboolean  cw_protocol_peek_frame      (const guint8       *data,
                                       gsize               len,
                                       CwMessageType      *type,
                                       gsize              *frame_size,
                                       GError            **error);

/* Decode one whole frame (header included), as found by peek_frame. */
gboolean  cw_protocol_decode_hello    (const guint8       *frame,
                                       gsize               size,
                                       gint32             *pid,
                                       GError            **error);
gboolean  cw_protocol_decode_chunk    (const guint8       *frame,
                                       gsize               size,
                                       CwChunkMessage     *msg,
                                       GError            **error);
gboolean  cw_protocol_decode_results  (const guint8       *frame,
                                       gsize               size,
                                       CwResultsMessage   *msg,
                                       GError            **error);

void      cw_chunk_message_clear      (CwChunkMessage     *msg);
void      cw_results_message_clear    (CwResultsMessage   *msg);

G_END_DECLS

G_BEGIN_DECLS
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CwChunkMessage, cw_chunk_message_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CwResultsMessage, cw_results_message_clear)
G_END_DECLS
