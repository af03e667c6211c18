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

/* The schema's keys; nothing else spells them. Each is also a property of
 * CwSettings with the same name and the key's type (order, mode and format
 * are the enum's nick), so widgets bind to the object: reads and writes go
 * to GSettings, and a change of the key is notified. The schema holds the
 * defaults and ranges; a value out of its key's range is refused. */
#define CW_SETTINGS_KEY_OUTPUT_DIR         "output-dir"
#define CW_SETTINGS_KEY_WORKERS            "workers"
#define CW_SETTINGS_KEY_CHUNK_SIZE         "chunk-size"
#define CW_SETTINGS_KEY_ORDER              "order"
#define CW_SETTINGS_KEY_MODE               "mode"
#define CW_SETTINGS_KEY_FORMAT             "format"
#define CW_SETTINGS_KEY_BITS               "bits"
#define CW_SETTINGS_KEY_QUALITY_ENABLED    "quality-enabled"
#define CW_SETTINGS_KEY_QUALITY            "quality"
#define CW_SETTINGS_KEY_KEEP_TAGS          "keep-tags"
#define CW_SETTINGS_KEY_EXISTING           "existing"
#define CW_SETTINGS_KEY_SEED               "seed"
#define CW_SETTINGS_KEY_MONO               "mono"
#define CW_SETTINGS_KEY_GAIN_ENABLED       "gain-enabled"
#define CW_SETTINGS_KEY_GAIN_DB            "gain-db"
#define CW_SETTINGS_KEY_NORMALIZE_ENABLED  "normalize-enabled"
#define CW_SETTINGS_KEY_NORMALIZE_PEAK     "normalize-peak"
#define CW_SETTINGS_KEY_RESAMPLE_ENABLED   "resample-enabled"
#define CW_SETTINGS_KEY_RESAMPLE_RATE      "resample-rate"
#define CW_SETTINGS_KEY_LOUDNESS_ENABLED   "loudness-enabled"
#define CW_SETTINGS_KEY_LOUDNESS_LUFS      "loudness-lufs"
#define CW_SETTINGS_KEY_LOUDNESS_TP        "loudness-tp"
#define CW_SETTINGS_KEY_NOISE_ENABLED      "noise-enabled"
#define CW_SETTINGS_KEY_NOISE_SIGMA        "noise-sigma"
#define CW_SETTINGS_KEY_FADE_ENABLED       "fade-enabled"
#define CW_SETTINGS_KEY_FADE_IN_MS         "fade-in-ms"
#define CW_SETTINGS_KEY_FADE_OUT_MS        "fade-out-ms"
#define CW_SETTINGS_KEY_WINDOW_WIDTH       "window-width"
#define CW_SETTINGS_KEY_WINDOW_HEIGHT      "window-height"
#define CW_SETTINGS_KEY_WINDOW_MAXIMIZED   "window-maximized"
/* Not a property: the switch "existing" replaced, read once to carry a
 * person's choice over. */
#define CW_SETTINGS_KEY_OLD_OVERWRITE      "overwrite"

/* What the window does with a file already at an output's name (the key
 * "existing"; the nicks are corewave-cli's --existing names). */
typedef enum
{
  CW_EXISTING_CHOICE_ASK,      /* ask once before the batch runs */
  CW_EXISTING_CHOICE_RENAME,   /* keep both: CW_EXISTING_RENAME */
  CW_EXISTING_CHOICE_REPLACE,  /* CW_EXISTING_REPLACE */
  CW_EXISTING_CHOICE_SKIP,     /* CW_EXISTING_SKIP */
} CwExistingChoice;

#define CW_TYPE_SETTINGS (cw_settings_get_type ())
G_DECLARE_FINAL_TYPE (CwSettings, cw_settings, CW, SETTINGS, GObject)

CwSettings *cw_settings_new               (void);

/* The transform chain the stage keys describe, in the window's fixed order:
 * mono, resample, gain, normalize, loudness, noise, fade ("copy" when none
 * is on). */
char       *cw_settings_build_spec        (CwSettings  *self);
/* Sets the stage keys from a spec; each stage may appear once (the window
 * runs stages in its fixed order), and each value must fit its key's range
 * (narrower than the spec's). Nothing is changed on an error. */
gboolean    cw_settings_apply_spec        (CwSettings  *self,
                                           const char  *spec,
                                           GError     **error);

/* The output folder: the key, or the "Corewave" folder in Music. */
char       *cw_settings_dup_output_dir    (CwSettings  *self);
/* NULL or "" is the default folder. */
void        cw_settings_set_output_dir    (CwSettings  *self,
                                           const char  *dir);
guint       cw_settings_get_workers       (CwSettings  *self);  /* 0 resolved to usable CPUs */
/* 0 is one per usable CPU. The setters of numbers return FALSE, changing
 * nothing, for a value out of the key's range. */
gboolean    cw_settings_set_workers       (CwSettings  *self,
                                           guint        n_workers);
guint       cw_settings_get_chunk_size    (CwSettings  *self);  /* 0 = auto */
gboolean    cw_settings_set_chunk_size    (CwSettings  *self,
                                           guint        chunk_size);
CwOrder     cw_settings_get_order         (CwSettings  *self);
void        cw_settings_set_order         (CwSettings  *self,
                                           CwOrder      order);
CwMode      cw_settings_get_mode          (CwSettings  *self);
void        cw_settings_set_mode          (CwSettings  *self,
                                           CwMode       mode);
CwFormat    cw_settings_get_format        (CwSettings  *self);
void        cw_settings_set_format        (CwSettings  *self,
                                           CwFormat     format);
/* What the output format takes of the encoding keys: bits for WAV, FLAC
 * and "same" (and 32-bit float, which FLAC refuses, left for the caller's
 * check), quality for Vorbis, Opus, MP3 and "same". */
void        cw_settings_get_encoding      (CwSettings  *self,
                                           CwFormat     format,
                                           CwBits      *bits,
                                           gboolean    *has_quality,
                                           double      *quality,
                                           gboolean    *no_metadata);
CwExistingChoice cw_settings_get_existing (CwSettings      *self);
void        cw_settings_set_existing      (CwSettings       *self,
                                           CwExistingChoice  choice);
guint64     cw_settings_get_seed          (CwSettings  *self);
void        cw_settings_set_seed          (CwSettings  *self,
                                           guint64      seed);

/* Command-line options apply to one run: from here on nothing is saved. */
void        cw_settings_keep_for_this_run (CwSettings  *self);


G_END_DECLS
