/* cw-batch-private.h: what cw-batch.c and cw-batch-record.c share
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cw-batch.h"

G_BEGIN_DECLS

/* the first line of a record: its format's name and version */
#define CW_BATCH_RECORD_HEADER "# corewave batch 1"

/* a record's plan and job log, in its folder */
char      *_cw_batch_record_path        (const char *dir);
char      *_cw_batch_record_joblog_path (const char *dir);
/* a deep copy of a plan (CwPlannedFile*) */
GPtrArray *_cw_batch_copy_plan          (GPtrArray  *plan);

G_END_DECLS
