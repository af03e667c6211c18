/* cw-window-private.h: what the window's files share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One type over several files, as GNOME Text Editor splits its window:
 * cw-window.c (the object, its actions, closing), cw-window-queue.c (the
 * queue, adding files and folders, the drop target) and cw-window-batch.c
 * (a CwBatch run and shown on the Run page, the CPU sampler, the resume
 * banner).
 */

#pragma once

#include "cw-window.h"

#include "cw-batch.h"
#include "cw-cpu-sampler.h"
#include "cw-lab-page.h"
#include "cw-run-page.h"
#include "cw-settings-page.h"

G_BEGIN_DECLS

/* Files and folders being walked and probed on a thread (cw-window-queue.c). */
typedef struct
{
  GPtrArray *paths;          /* char*: what was given */
  char      *exclude;        /* the output folder: never walked */
  GMutex     lock;
  /* under lock: the thread adds, the main loop takes */
  GPtrArray *items;          /* CwQueueItem*, probed */
  GPtrArray *skipped;        /* CwSkippedItem* */
  guint      n_found;        /* audio files the walk found */
  guint      n_probed;
  /* the main loop's */
  guint      n_duplicates;
  guint      n_skipped;
} AddJob;

struct _CwWindow
{
  AdwApplicationWindow  parent_instance;

  /* template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *run_button_stack;
  AdwViewStack         *view_stack;
  GtkStack             *queue_stack;
  GtkColumnView        *queue_view;
  GMenuModel           *queue_menu_model;
  GtkLabel             *queue_summary;
  GtkButton            *skipped_button;
  AdwButtonContent     *skipped_button_content;
  GtkButton            *skipped_button_narrow;      /* (the action bar at 360 px) */
  AdwButtonContent     *skipped_button_narrow_content;
  GtkButton            *run_skipped_button;
  AdwButtonContent     *run_skipped_button_content;
  CwSettingsPage       *settings_page;
  CwRunPage            *run_page;
  CwLabPage            *lab_page;
  GtkWidget            *header_bar;
  GtkWidget            *switcher_bar;

  CwSettings           *settings;
  GListStore           *queue;           /* CwQueueItem* */
  GtkMultiSelection    *queue_selection;
  GtkWidget            *queue_menu;      /* the rows' context menu */
  GHashTable           *queued;          /* every queued CwQueueItem (unowned), by its file */
  double                queue_seconds;   /* the queue's length */
  guint                 n_adding;        /* walks and the demo set in flight */
  GPtrArray            *add_jobs;        /* AddJob*: walks in flight */
  GPtrArray            *queue_pending;   /* CwQueueItem*: probed, queued, not listed yet */
  guint                 drain_id;        /* takes what they probed into the queue */

  /* the Skipped list: what adding left out, and what the last batch did */
  GListStore           *skipped_added;   /* CwSkippedItem* */
  GListStore           *skipped_by_batch;
  GListModel           *skipped;         /* both */
  GHashTable           *skipped_paths;   /* the path of every skipped_added item (unowned) */
  GtkWidget            *skipped_dialog;  /* while shown */

  /* the last removal or Clear, until its toast goes */
  GPtrArray            *undo_items;      /* CwQueueItem*, as taken out */
  GArray               *undo_ranges;     /* guint[2]: position, count, as taken out */
  GPtrArray            *undo_skipped;    /* CwSkippedItem*: what Clear took from the list */
  AdwToast             *undo_toast;

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
  guint                 trim_id;         /* gives freed memory back, soon */
  char                 *summary;

  CwCpuSampler         *sampler;
  GArray               *workers;         /* CwCpuWorker: the batch's live worker processes */
  gint64                workers_cpu_us;  /* the batch's tasks' CPU time, from their results */
  gboolean              presentation;
  gboolean              presentation_seen_fullscreen;
  gboolean              demo_heavy;      /* the queue is the heavier demo: MP3 for its batch */
  gboolean              demo_heavy_batch; /* the batch running (or last run) was */
  CwBatchOptions        synthetic;       /* cw_window_start_synthetic ()'s, while it starts */

  /* resuming an interrupted batch */
  GtkRevealer          *resume_revealer;
  GtkLabel             *resume_label;
  char                 *record_dir;      /* where batches are recorded */
  CwBatchRecord        *interrupted;     /* found at start-up, offered */
  CwBatchRecord        *resume;          /* taken by the next start */

  /* the existing-outputs question, while it is asked */
  AdwMessageDialog     *existing_dialog;  /* the question open before a batch, if any */
  gboolean              drop_refused;     /* answered: skip what the format cannot hold */
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
/* Returns memory freed after a large walk or batch to the system. */
void     _cw_window_trim_memory           (CwWindow   *self);

/* cw-window-queue.c */
void     _cw_window_queue_init            (CwWindow   *self);
void     _cw_window_queue_dispose         (CwWindow   *self);
void     _cw_window_queue_finalize        (CwWindow   *self);
void     _cw_window_update_queue_summary  (CwWindow   *self);
gboolean _cw_window_has_selection         (CwWindow   *self);
void     _cw_window_remove_selected       (CwWindow   *self);
void     _cw_window_clear_queue           (CwWindow   *self);
void     _cw_window_undo_remove           (CwWindow   *self);
/* Empties the queue and what adding skipped, with no Undo (resuming). */
void     _cw_window_empty_queue           (CwWindow   *self);
void     _cw_window_show_queue_menu       (CwWindow   *self);
void     _cw_window_show_skipped          (CwWindow   *self);
void     _cw_window_open_files            (CwWindow   *self);
void     _cw_window_open_folders          (CwWindow   *self);
void     _cw_window_add_demo_set          (CwWindow   *self);
void     _cw_window_add_heavy_demo        (CwWindow   *self);

/* cw-window-batch.c */
void     _cw_window_batch_init            (CwWindow   *self);
void     _cw_window_update_sampler        (CwWindow   *self);
void     _cw_window_start                 (CwWindow   *self);
void     _cw_window_resume_interrupted    (CwWindow   *self);
void     _cw_window_discard_interrupted   (CwWindow   *self);

G_END_DECLS
