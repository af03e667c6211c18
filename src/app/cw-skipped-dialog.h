/* cw-skipped-dialog.h: the Skipped list: the files left out, and why
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define CW_TYPE_SKIPPED_DIALOG (cw_skipped_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CwSkippedDialog, cw_skipped_dialog, CW, SKIPPED_DIALOG, AdwWindow)

/* @model: CwSkippedItem*, shown as it changes. */
GtkWidget  *cw_skipped_dialog_new       (GtkWindow  *parent,
                                         GListModel *model);
GListModel *cw_skipped_dialog_get_model (CwSkippedDialog *self);

G_END_DECLS
