/* cw-cpu-meter.h: one live bar and a short history per core
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

GtkWidget    *cw_cpu_meter_new         (void);
/* The meter owns no sampler: the window feeds it samples. */
void          cw_cpu_meter_push_sample (CwCpuMeter         *self,
                                        const CwCpuSample  *sample);
/* Clears the history (a new batch). */
void          cw_cpu_meter_reset       (CwCpuMeter         *self);

G_END_DECLS
