/* cw-window-private.h: what the window's files share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One type over several files, as GNOME Text Editor splits its window:
 * cw-window.c (the object, its actions, closing), cw-window-queue.c (the
 * queue, adding files and folders, the drop target) and cw-window-batch.c
 * (a CwBatch run and shown, the CPU sampler, the resume banner).
 */

#pragma once

#include "cw-window.h"

#include "cw-batch.h"
#include "cw-cpu-meter.h"
#include "cw-cpu-sampler.h"
#include "cw-lab-page.h"
#include "cw-settings-page.h"
#include "cw-timeline.h"

G_BEGIN_DECLS

struct _CwWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *run_button_stack;
  AdwViewStack         *view_stack;
  GtkStack             *queue_stack;
  GtkColumnView        *queue_view;
  GtkLabel             *queue_summary;
  CwSettingsPage       *settings_page;
  CwCpuMeter           *cpu_meter;
  GtkProgressBar       *progress_bar;
  GtkLabel             *status_label;
  CwTimeline           *timeline;
  CwResultView         *result_view;
  CwLabPage            *lab_page;

  CwSettings           *settings;
  GListStore           *queue;
  GHashTable           *queued;          /* "dev:ino" of every queued file */
  guint                 n_adding;        /* walks in flight */
  gboolean              start_when_ready;
  GCancellable         *cancellable;     /* the window's life: walks, planning */

  /* the batch: planned, run and logged by CwBatch, shown here */
  CwBatch              *batch;
  GCancellable         *batch_cancellable;
  guint64               total;
  guint64               done;
  guint64               failed;
  gint64                start_us;
  CwBatchStats          stats;
  gboolean              running;
  gboolean              close_when_done;
  GtkApplication       *held_app;        /* held while closing mid-batch */
  guint                 tick_id;
  char                 *summary;

  CwCpuSampler         *sampler;

  /* resuming an interrupted batch */
  GtkRevealer          *resume_revealer;
  GtkLabel             *resume_label;
  char                 *record_dir;      /* where batches are recorded */
  CwBatchRecord        *interrupted;     /* found at start-up, offered */
  CwBatchRecord        *resume;          /* taken by the next start */
};

/* cw-window.c */
void     _cw_window_toast                 (CwWindow   *self,
                                           const char *text);
gboolean _cw_window_lab_running           (CwWindow   *self);
gboolean _cw_window_is_busy               (CwWindow   *self);
void     _cw_window_update_actions        (CwWindow   *self);
/* After anything that may start or end being busy: the actions follow,
 * and CwWindow:busy is notified if it changed from @was_busy. */
void     _cw_window_update_busy           (CwWindow   *self,
                                           gboolean    was_busy);
void     _cw_window_close_if_asked        (CwWindow   *self);

/* cw-window-queue.c */
void     _cw_window_queue_init            (CwWindow   *self);
void     _cw_window_update_queue_summary  (CwWindow   *self);
void     _cw_window_clear_queue           (CwWindow   *self);
void     _cw_window_open_files            (CwWindow   *self);
void     _cw_window_open_folders          (CwWindow   *self);
void     _cw_window_add_demo_set          (CwWindow   *self);

/* cw-window-batch.c */
void     _cw_window_batch_init            (CwWindow   *self);
void     _cw_window_update_sampler        (CwWindow   *self);
void     _cw_window_start                 (CwWindow   *self);
void     _cw_window_resume_interrupted    (CwWindow   *self);
void     _cw_window_discard_interrupted   (CwWindow   *self);

G_END_DECLS
