/* cw-cpu-meter.h: every core's use, its history and the worker on it
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cw-cpu-sampler.h"

G_BEGIN_DECLS

#define CW_TYPE_CPU_METER (cw_cpu_meter_get_type ())
G_DECLARE_FINAL_TYPE (CwCpuMeter, cw_cpu_meter, CW, CPU_METER, GtkWidget)

GtkWidget    *cw_cpu_meter_new             (void);
/* The meter owns no sampler: the window feeds it samples (live, or a
 * recorded batch's in a replay). */
void          cw_cpu_meter_push_sample     (CwCpuMeter         *self,
                                            const CwCpuSample  *sample);
/* Clears the history and the marks. */
void          cw_cpu_meter_reset           (CwCpuMeter         *self);
/* Whether workers are shown on their cores: on while a batch runs (or is
 * replayed); off clears every mark at once and ignores the samples'. */
void          cw_cpu_meter_set_marks_shown (CwCpuMeter         *self,
                                            gboolean            shown);
/* Larger type, for presentation mode. */
void          cw_cpu_meter_set_large       (CwCpuMeter         *self,
                                            gboolean            large);

/* What it shows now (tests, the accessible label). */
guint         cw_cpu_meter_get_n_cpus      (CwCpuMeter         *self);
guint         cw_cpu_meter_get_n_samples   (CwCpuMeter         *self);
/* Cores marked with a worker. */
guint         cw_cpu_meter_get_n_marked    (CwCpuMeter         *self);
/* slot + 1 of the worker shown on @core, 0 for none. */
guint         cw_cpu_meter_get_worker      (CwCpuMeter         *self,
                                            guint               core);
/* "graphs" or "heat map": how it draws at its size now. */
const char   *cw_cpu_meter_get_mode_name   (CwCpuMeter         *self);

G_END_DECLS
