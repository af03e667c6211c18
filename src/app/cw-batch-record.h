/* cw-batch-record.h: what the window's running batch has done, so an
 * interrupted batch can be resumed when Corewave is opened again
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A batch is recorded in the user's state folder (~/.local/state/corewave/):
 * "batch" holds its plan (every input with its output and seed key) and the
 * settings it ran with; "joblog" gets one line per finished file, in the
 * format of corewave-cli --joblog, with the output's checksum. A batch that
 * completes removes both; one that is cancelled, closed or killed leaves
 * them, and the next window offers to resume it: the files the log confirms
 * (same output, same checksum) are skipped, the others run again under the
 * same names with the same settings, so the result is what one run gives.
 * Every file access happens on a worker thread of its own, in order.
 */

#pragma once

#include <gio/gio.h>

#include "cw-inputs.h"
#include "cw-task.h"

G_BEGIN_DECLS

typedef struct
{
  GPtrArray     *plan;        /* CwPlannedFile*: the whole batch */
  CwJobSettings  settings;    /* spec, format, seed */
  char          *output_dir;
  guint          n_done;      /* files the log confirms */
} CwInterruptedBatch;

void                cw_interrupted_batch_free (CwInterruptedBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwInterruptedBatch, cw_interrupted_batch_free)

#define CW_TYPE_BATCH_RECORD (cw_batch_record_get_type ())
G_DECLARE_FINAL_TYPE (CwBatchRecord, cw_batch_record, CW, BATCH_RECORD, GObject)

/* @dir: where to keep the record; NULL for the user's state folder. */
CwBatchRecord      *cw_batch_record_new            (const char          *dir);

/* A batch starts: records its plan (replacing any earlier record) and an
 * empty log. @plan is copied. Any thread. */
void                cw_batch_record_begin          (CwBatchRecord       *self,
                                                    GPtrArray           *plan,
                                                    const CwJobSettings *settings,
                                                    const char          *output_dir);
/* The recorded batch is resumed with @settings (its own): its log takes
 * the lines of what is done now. */
void                cw_batch_record_resume         (CwBatchRecord       *self,
                                                    const CwJobSettings *settings);
/* From the main loop, for each result; logged in order, off the main loop. */
void                cw_batch_record_add_result     (CwBatchRecord       *self,
                                                    const CwResult      *result);
/* The batch ended. @completed: it ran to its end (not cancelled or
 * stopped), so there is nothing to resume: the record is removed once the
 * log is written. */
void                cw_batch_record_end            (CwBatchRecord       *self,
                                                    gboolean             completed);
/* Forget the recorded batch (the user discarded it). */
void                cw_batch_record_discard        (CwBatchRecord       *self);

/* Looks for an interrupted batch and counts what its log confirms (it
 * reads the outputs: a thread). Finishes with NULL when there is none. */
void                cw_batch_record_find_async     (CwBatchRecord       *self,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
CwInterruptedBatch *cw_batch_record_find_finish    (CwBatchRecord       *self,
                                                    GAsyncResult        *result,
                                                    GError             **error);

/* For resuming, in a planning thread: the files of @batch still to do
 * (cw_joblog_resume (): the log does not confirm them; only the batch's
 * own outputs are replaced), the temporaries killed runs left removed. */
GPtrArray          *cw_batch_record_remaining      (CwBatchRecord       *self,
                                                    CwInterruptedBatch  *batch);

G_END_DECLS
