/* cw-cpu-meter-private.h: what the meter's two files share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cw-cpu-meter.h"

G_BEGIN_DECLS

/* samples kept per core: 60 s at the batch's 50 ms, and more at slower rates */
#define CW_METER_HISTORY      2048
/* the figures shown average the samples of this long */
#define CW_METER_SMOOTH_US    (300 * G_TIME_SPAN_MILLISECOND)
/* the graphs' time span */
#define CW_METER_SPAN_US      (60 * G_USEC_PER_SEC)

/* above this many cores the graphs give way to a heat map when the cards
 * would be smaller than a graph can be read at */
#define CW_METER_CARDS_MAX    64

typedef enum
{
  CW_METER_CARDS,   /* a history graph per core */
  CW_METER_HEAT,    /* a tile per core, coloured by its use */
} CwMeterMode;

typedef struct
{
  CwMeterMode mode;
  guint       n;
  int         cols;
  int         rows;
  double      cell_w;
  double      cell_h;
  double      gap;
  double      grid_x;   /* heat map: after the row labels */
  double      grid_y;   /* below the header */
  double      header_h;
  gboolean    wide;     /* cards: text beside the graph, not above it */
  double      big_px;   /* the per-core percentage's size */
  double      label_px; /* core numbers and worker names */
  double      title_px;
} CwMeterLayout;

struct _CwCpuMeter
{
  GtkWidget  parent_instance;

  guint      n_cpus;        /* of the samples; 0 before the first */
  guint      capacity;      /* cores allocated below */
  /* the history: a ring of CW_METER_HISTORY samples, core-major */
  gint64    *times;         /* CW_METER_HISTORY */
  float     *usage;         /* capacity × CW_METER_HISTORY; < 0 offline */
  guint16   *owner;         /* capacity × CW_METER_HISTORY: slot + 1 of the worker there, 0 none */
  guint      head;          /* where the next sample goes */
  guint      count;         /* samples in the ring */
  double     total;
  /* now */
  guint     *workers;       /* capacity: how many workers ran there */
  guint     *worker;        /* capacity: slot + 1 of the one that ran there most */
  guint      n_marked;      /* cores with a worker */
  guint      n_running;     /* workers that ran somewhere */
  gboolean   marks_shown;
  gboolean   large;         /* presentation mode: larger type */

  int        focus_core;    /* the core keyboard focus is on, -1 none */
  int        hover_core;    /* the core under the pointer, -1 none */

  /* what the accessible label says, to update it only on change */
  int        a11y_percent;
  guint      a11y_cpus;
  guint      a11y_marked;

  PangoLayout *layout;      /* every text; its font set per use */
  PangoFontDescription *font;
};

/* cw-cpu-meter-draw.c */
void     _cw_cpu_meter_compute_layout (CwCpuMeter    *self,
                                       int            width,
                                       int            height,
                                       CwMeterLayout *l);
int      _cw_cpu_meter_min_height     (CwCpuMeter    *self,
                                       int            width);
void     _cw_cpu_meter_snapshot       (CwCpuMeter    *self,
                                       GtkSnapshot   *snapshot);
/* The core at (@x, @y), or -1. */
int      _cw_cpu_meter_core_at        (CwCpuMeter    *self,
                                       double         x,
                                       double         y);
void     _cw_cpu_meter_drop_layouts   (CwCpuMeter    *self);

/* cw-cpu-meter.c */
guint    _cw_cpu_meter_shown_cpus     (CwCpuMeter    *self);
double   _cw_cpu_meter_current        (CwCpuMeter    *self,
                                       guint          core);
/* The mean use of @core over the @span_us up to the sample @age back. */
double   _cw_cpu_meter_smoothed       (CwCpuMeter    *self,
                                       guint          core,
                                       guint          age,
                                       gint64         span_us);
/* "Core 3: 87 % · worker 2", or with several workers there */
char    *_cw_cpu_meter_describe_core  (CwCpuMeter    *self,
                                       guint          core);

G_END_DECLS
