/* cw-lab-page.h: the window's Lab page: the lesson's experiments, run here
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cw-lab-chart.h"
#include "cw-lab-table.h"
#include "cw-lab.h"

G_BEGIN_DECLS

typedef enum
{
  CW_LAB_EXPORT_CSV,
  CW_LAB_EXPORT_PNG,
  CW_LAB_EXPORT_SVG,
} CwLabExportFormat;

/* the width of an exported chart; its height follows its timelines
 * (cw_lab_chart_get_export_height ()) */
#define CW_LAB_PAGE_PNG_WIDTH  1000

#define CW_TYPE_LAB_PAGE (cw_lab_page_get_type ())
G_DECLARE_FINAL_TYPE (CwLabPage, cw_lab_page, CW, LAB_PAGE, GtkWidget)

GtkWidget       *cw_lab_page_new             (void);
/* The window's queue (CwQueueItem): its files are the inputs; empty, the
 * demo set is. */
void             cw_lab_page_set_queue       (CwLabPage           *self,
                                              GListModel          *queue);
void             cw_lab_page_select          (CwLabPage           *self,
                                              CwLabExperiment      experiment);
CwLabExperiment  cw_lab_page_get_selected    (CwLabPage           *self);
gboolean         cw_lab_page_get_running     (CwLabPage           *self);
/* The chart of @experiment's last finished run (its report is NULL before). */
CwLabChart      *cw_lab_page_get_chart       (CwLabPage           *self,
                                              CwLabExperiment      experiment);
/* What the page says of @experiment's verdict ("" before a run). */
const char      *cw_lab_page_get_verdict     (CwLabPage           *self,
                                              CwLabExperiment      experiment);
/* @experiment's table: a heading per column, a row per row of the
 * report (empty before a run). */
CwLabTable      *cw_lab_page_get_table       (CwLabPage           *self,
                                              CwLabExperiment      experiment);
/* What the page says under @experiment's chart ("" before a run). */
const char      *cw_lab_page_get_explanation (CwLabPage           *self,
                                              CwLabExperiment      experiment);

/* Writes @experiment's last report to @file as CSV, or its chart and
 * timelines as PNG or SVG; the file is written off the main loop. */
void             cw_lab_page_export_async    (CwLabPage           *self,
                                              CwLabExperiment      experiment,
                                              CwLabExportFormat    format,
                                              GFile               *file,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean         cw_lab_page_export_finish   (CwLabPage           *self,
                                              GAsyncResult        *result,
                                              GError             **error);

G_END_DECLS
