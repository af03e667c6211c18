/* cw-demo.h: the lesson's demo set
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The lesson's workload as in the video */
#define CW_DEMO_COUNT   24
#define CW_DEMO_SECONDS 240.0

/* @count 16-bit mono 44.1 kHz WAV files of @seconds in @dir,
 * "example00.wav"..., file i a sine at 440 + 10 i Hz, amplitude 0.5 (what
 * the lesson's make_workload.py writes, byte for byte: the Python reference
 * of docs/benchmarks.md). Existing files of those names are replaced. */
gboolean  cw_demo_write      (const char    *dir,
                              guint          count,
                              double         seconds,
                              GError       **error);

/* The one cache folder of a demo set of that size:
 * ~/.cache/corewave/demo-24x240s (the window, the Lab and the tests share
 * it). */
char     *cw_demo_set_dir    (guint          count,
                              double         seconds);

/* cw_demo_set_dir (), written there unless it is already complete. Blocks
 * (seconds for the full set): call it in a thread. */
char     *cw_demo_set_ensure (guint          count,
                              double         seconds,
                              GCancellable  *cancellable,
                              GError       **error);

G_END_DECLS
