/* cw-error.h
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define CW_ERROR (cw_error_quark ())

typedef enum
{
  CW_ERROR_SPEC,        /* a transform spec does not parse */
  CW_ERROR_PROTOCOL,    /* a malformed, truncated or oversized frame */
  CW_ERROR_NOT_AUDIO,   /* libsndfile does not recognise the file */
  CW_ERROR_UNSUPPORTED, /* audio, but not something we can write or do */
  CW_ERROR_EMPTY,       /* a file with no audio frames */
  CW_ERROR_AUDIO,       /* any other libsndfile failure */
  CW_ERROR_WORKER,      /* a worker died or misbehaved */
  CW_ERROR_USAGE,       /* bad options */
  CW_ERROR_NO_INPUT,    /* nothing to do: no audio file among the inputs */
} CwError;

GQuark   cw_error_quark          (void);

/* Sets @error to "@what “@path”: <strerror>" in G_IO_ERROR with the code
 * of @saved_errno (the path shown as the user's file names are) and
 * returns FALSE, so a caller can `return cw_set_error_from_errno (…)`. */
gboolean cw_set_error_from_errno (GError     **error,
                                  int          saved_errno,
                                  const char  *what,
                                  const char  *path);

G_END_DECLS
