/* cw-settings.h: the one object every persisted choice binds to
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-audio.h"
#include "cw-pool.h"

G_BEGIN_DECLS

#define CW_TYPE_SETTINGS (cw_settings_get_type ())
G_DECLARE_FINAL_TYPE (CwSettings, cw_settings, CW, SETTINGS, GObject)

CwSettings *cw_settings_new               (void);
GSettings  *cw_settings_get_gsettings     (CwSettings  *self);

/* The transform chain the stage keys describe, in the window's fixed order:
 * mono, gain, normalize, noise, fade ("copy" when none is on). */
char       *cw_settings_build_spec        (CwSettings  *self);
/* Sets the stage keys from a spec; each stage may appear once (the window
 * runs stages in its fixed order). */
gboolean    cw_settings_apply_spec        (CwSettings  *self,
                                           const char  *spec,
                                           GError     **error);

/* The output folder: the key, or the "Corewave" folder in Music. */
char       *cw_settings_dup_output_dir    (CwSettings  *self);
guint       cw_settings_get_workers       (CwSettings  *self);  /* 0 resolved to usable CPUs */
guint       cw_settings_get_chunk_size    (CwSettings  *self);  /* 0 = auto */
CwOrder     cw_settings_get_order         (CwSettings  *self);
CwMode      cw_settings_get_mode          (CwSettings  *self);
CwFormat    cw_settings_get_format        (CwSettings  *self);
gboolean    cw_settings_get_overwrite     (CwSettings  *self);
guint64     cw_settings_get_seed          (CwSettings  *self);

/* Command-line options apply to one run: from here on nothing is saved. */
void        cw_settings_keep_for_this_run (CwSettings  *self);

/* The CPUs this process may use (cw_cpus_usable ()): the default worker
 * count. (The name is older than the difference.) */
guint       cw_online_cpus                (void);

G_END_DECLS
