/* cw-replay.h: the last batch's CPU samples, recorded and played back slower
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-cpu-sampler.h"

G_BEGIN_DECLS

#define CW_TYPE_REPLAY (cw_replay_get_type ())
G_DECLARE_FINAL_TYPE (CwReplay, cw_replay, CW, REPLAY, GObject)

CwReplay          *cw_replay_new            (void);

/* Recording: forgets the last batch and records from @start_us
 * (monotonic); samples are copied; stop ends the batch at @end_us. */
void               cw_replay_record_start   (CwReplay          *self,
                                             gint64             start_us);
void               cw_replay_record_sample  (CwReplay          *self,
                                             const CwCpuSample *sample);
void               cw_replay_record_stop    (CwReplay          *self,
                                             gint64             end_us);
gboolean           cw_replay_get_recording  (CwReplay          *self);
/* Whether there is a finished batch to play. */
gboolean           cw_replay_get_available  (CwReplay          *self);
guint              cw_replay_get_n_samples  (CwReplay          *self);
const CwCpuSample *cw_replay_get_sample     (CwReplay          *self,
                                             guint              index);
gint64             cw_replay_get_start      (CwReplay          *self);
/* The batch's length, µs. */
gint64             cw_replay_get_duration   (CwReplay          *self);

/* Playing: the position (µs from the batch's start) moves at @speed
 * (1, 0.25, 0.1) of real time; ::sample is emitted for each recorded
 * sample the position passes, in order, after ::rewound when it moved
 * back (seek, or play from the end). Stops at the end. */
void               cw_replay_play           (CwReplay          *self);
void               cw_replay_pause          (CwReplay          *self);
gboolean           cw_replay_get_playing    (CwReplay          *self);
void               cw_replay_set_speed      (CwReplay          *self,
                                             double             speed);
double             cw_replay_get_speed      (CwReplay          *self);
void               cw_replay_seek           (CwReplay          *self,
                                             gint64             position_us);
gint64             cw_replay_get_position   (CwReplay          *self);
/* Leaves the replay: the position is no longer shown (::finished). */
void               cw_replay_leave          (CwReplay          *self);
/* Whether a replay is being shown (played, paused or sought). */
gboolean           cw_replay_get_active     (CwReplay          *self);

G_END_DECLS
