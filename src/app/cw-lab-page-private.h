/* cw-lab-page-private.h: what the Lab page's files share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cw-lab-page.h"
#include "cw-lab-table.h"

G_BEGIN_DECLS

struct _CwLabPage
{
  GtkWidget        parent_instance;

  /* template */
  AdwToastOverlay *toast_overlay;
  AdwLeaflet      *leaflet;
  GtkListBox      *experiment_list;
  GtkDropDown     *experiment_dropdown;
  GtkLabel        *title_label;
  GtkLabel        *about_label;
  GtkLabel        *claim_label;
  GtkLabel        *inputs_label;
  GtkStack        *run_stack;
  GtkSwitch       *quick_switch;
  GtkWidget       *status_box;
  GtkProgressBar  *progress_bar;
  GtkLabel        *status_label;
  GtkLabel        *pipe_label;
  GtkStack        *result_stack;
  GtkWidget       *export_button;

  /* one pane per experiment, children of result_stack */
  GtkLabel        *verdicts[CW_LAB_N_EXPERIMENTS];
  CwLabChart      *charts[CW_LAB_N_EXPERIMENTS];
  CwLabTable      *tables[CW_LAB_N_EXPERIMENTS];
  GtkLabel        *explanations[CW_LAB_N_EXPERIMENTS];
  GtkWidget       *done_icons[CW_LAB_N_EXPERIMENTS];
  /* what the status line says of each: running, took, failed */
  char            *statuses[CW_LAB_N_EXPERIMENTS];
  char            *pipe_texts[CW_LAB_N_EXPERIMENTS];
  CwLabExperiment  selected;
  GListModel      *queue;
  int              max_workers;
  gboolean         blocked;
  gboolean         disposed;

  /* the run */
  gboolean         running;
  CwLabExperiment  running_experiment;
  GCancellable    *cancellable;
  double           progress;
  gint64           start_us;
};

/* cw-lab-page.c */
void     cw_lab_page_toast         (CwLabPage       *self,
                                    const char      *text);
gboolean cw_lab_page_has_report    (CwLabPage       *self,
                                    CwLabExperiment  experiment);

/* cw-lab-page-export.c: lab.export-csv, lab.export-png and lab.export-svg */
void     cw_lab_page_export_action (GtkWidget       *widget,
                                    const char      *action_name,
                                    GVariant        *parameter);

G_END_DECLS
