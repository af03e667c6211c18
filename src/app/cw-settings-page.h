/* cw-settings-page.h: the window's Settings page, bound to a CwSettings
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "cw-settings.h"

G_BEGIN_DECLS

#define CW_TYPE_SETTINGS_PAGE (cw_settings_page_get_type ())
G_DECLARE_FINAL_TYPE (CwSettingsPage, cw_settings_page, CW, SETTINGS_PAGE, AdwPreferencesPage)

GtkWidget  *cw_settings_page_new          (CwSettings     *settings);
CwSettings *cw_settings_page_get_settings (CwSettingsPage *self);
/* Binds every row to @settings (the page shows nothing useful before). */
void        cw_settings_page_set_settings (CwSettingsPage *self,
                                           CwSettings     *settings);

G_END_DECLS
