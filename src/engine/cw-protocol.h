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
 * UTF-8). Numbers that repeat or count up from one task (result) to the next
 * are sent as LEB128 varints of their zigzagged difference, so a trivial
 * task costs 2 bytes each way (src/DESIGN.md, "The protocol"). A decoder
 * checks every length against what is left: a malformed, truncated or
 * oversized frame is a CW_ERROR_PROTOCOL error, never a crash. */

#define CW_PROTOCOL_VERSION     2
#define CW_PROTOCOL_HEADER_SIZE 8
#define CW_PROTOCOL_MAX_PAYLOAD (64u * 1024u * 1024u)
/* tasks in a CHUNK, results in a RESULTS frame: a count above it is garbage */
#define CW_PROTOCOL_MAX_TASKS   (1u << 16)

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

/* Frames built one task or result at a time, straight into @out (the pool's
 * outbox, the worker's answer): no array of tasks or results in between.
 * Between _begin and cw_protocol_frame_end () nothing else may touch @out. */
typedef struct
{
  /*< private >*/
  GByteArray *out;
  gsize       start;      /* the frame's header in out */
  gsize       count_at;   /* the item count's place in out */
  gsize       len;        /* bytes written so far; out->len is the room reserved */
  guint32     n;
  guint64     prev_index;
  gint64      prev_a;     /* task: arg; result: value */
  gint64      prev_b;     /* result: start_us */
  gint64      prev_c;     /* result: end_us */
  guint8      prev_kind;
} CwFrameWriter;

void      cw_protocol_chunk_begin     (CwFrameWriter      *w,
                                       GByteArray         *out,
                                       guint64             chunk_id,
                                       const CwJobSettings *settings);
void      cw_protocol_chunk_add       (CwFrameWriter      *w,
                                       const CwTask       *task);
void      cw_protocol_results_begin   (CwFrameWriter      *w,
                                       GByteArray         *out,
                                       guint64             chunk_id,
                                       gint32              pid);
void      cw_protocol_results_add     (CwFrameWriter      *w,
                                       const CwResult     *result);
/* Completes the frame (its count and length); returns its size. */
gsize     cw_protocol_frame_end       (CwFrameWriter      *w);

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

/* Frames read one task or result at a time, in place: _open checks the
 * header and the count, each _next decodes one (a task's strings and data
 * are copies the caller clears), _close checks that nothing is left over.
 * After a FALSE the reader is spent. */
typedef struct
{
  /*< private >*/
  const guint8 *p;
  gsize         left;
  gboolean      failed;
  guint32       n_left;
  guint64       prev_index;
  gint64        prev_a;
  gint64        prev_b;
  gint64        prev_c;
  guint8        prev_kind;
  gint32        pid;
} CwFrameReader;

/* @msg gets the chunk id and the settings (no tasks). */
gboolean  cw_protocol_chunk_open      (CwFrameReader      *r,
                                       const guint8       *frame,
                                       gsize               size,
                                       CwChunkMessage     *msg,
                                       guint              *n_tasks,
                                       GError            **error);
gboolean  cw_protocol_chunk_next      (CwFrameReader      *r,
                                       CwTask             *task,
                                       GError            **error);
/* A whole CHUNK frame checked as the reader would take it, without
 * decoding its trivial tasks: TRUE when every task would decode. */
gboolean  cw_protocol_chunk_check     (const guint8       *frame,
                                       gsize               size,
                                       GError            **error);
gboolean  cw_protocol_results_open    (CwFrameReader      *r,
                                       const guint8       *frame,
                                       gsize               size,
                                       guint64            *chunk_id,
                                       gint32             *pid,
                                       guint              *n_results,
                                       GError            **error);
/* @result is overwritten: index, status, pid and the fields sent. */
gboolean  cw_protocol_results_next    (CwFrameReader      *r,
                                       CwResult           *result,
                                       GError            **error);
gboolean  cw_protocol_frame_close     (CwFrameReader      *r,
                                       GError            **error);

void      cw_chunk_message_clear      (CwChunkMessage     *msg);
void      cw_results_message_clear    (CwResultsMessage   *msg);

G_END_DECLS

G_BEGIN_DECLS
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CwChunkMessage, cw_chunk_message_clear)
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CwResultsMessage, cw_results_message_clear)
G_END_DECLS
