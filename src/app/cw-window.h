/* cw-window.h
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cw-result-view.h"
#include "cw-settings.h"

G_BEGIN_DECLS

#define CW_TYPE_WINDOW (cw_window_get_type ())
G_DECLARE_FINAL_TYPE (CwWindow, cw_window, CW, WINDOW, AdwApplicationWindow)

CwWindow     *cw_window_new             (GtkApplication *application,
                                         CwSettings     *settings);
/* Walks folders and probes files off the main thread, then queues what is
 * audio and not queued yet; a toast says what was skipped and why. */
void          cw_window_add_files       (CwWindow       *self,
                                         GFile         **files,
                                         guint           n_files);
/* Starts the batch as soon as the files being added are queued. */
void          cw_window_start_when_ready (CwWindow      *self);

GListModel   *cw_window_get_queue       (CwWindow       *self);
/* What was left out, and why (CwSkippedItem): by adding (until the queue
 * is cleared) and by the last batch. */
GListModel   *cw_window_get_skipped     (CwWindow       *self);
CwResultView *cw_window_get_result_view (CwWindow       *self);
gboolean      cw_window_get_busy        (CwWindow       *self);  /* adding files or running */
/* The summary line of the last batch ("" before any). */
const char   *cw_window_get_summary     (CwWindow       *self);

G_END_DECLS
