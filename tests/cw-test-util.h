/* cw-test-util.h: what the C tests share: files, waiting on the main
 * context, descriptors and children, and batches on a pool
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "cw-lab.h"
#include "cw-pool.h"

G_BEGIN_DECLS

/* ---------------------------------------------------------------------- */
/* waiting on the main context */

gboolean cw_test_flag_cb (gpointer user_data);

/* Iterates the default main context until @cond holds; fails after
 * @seconds. WAIT_UNTIL takes the test file's own WAIT_TIMEOUT_S: no run
 * comes near it, it only turns a hang into a failure. */
#define WAIT_UNTIL_S(cond, seconds)                                           \
  G_STMT_START {                                                              \
    gboolean timed_out_ = FALSE;                                              \
    guint timeout_id_ = g_timeout_add_seconds ((seconds),                     \
                                               cw_test_flag_cb, &timed_out_); \
    while (!(cond) && !timed_out_)                                            \
      g_main_context_iteration (NULL, TRUE);                                  \
    if (timed_out_)                                                           \
      g_error ("timed out after %d s waiting for %s", (int) (seconds), #cond); \
    g_source_remove (timeout_id_);                                            \
  } G_STMT_END
#define WAIT_UNTIL(cond) WAIT_UNTIL_S (cond, WAIT_TIMEOUT_S)

/* ---------------------------------------------------------------------- */
/* files */

void     cw_test_write_sine           (const char *path,
                                       double      seconds,
                                       double      freq,
                                       int         channels);
char    *cw_test_make_tmp_dir         (void);
void     cw_test_rm_rf                (const char *path);
GBytes  *cw_test_read_bytes           (const char *path);
guint    cw_test_count_files          (const char *dir,
                                       const char *suffix);
void     cw_test_assert_no_part_files (const char *dir);

/* ---------------------------------------------------------------------- */
/* descriptors and children */

guint    cw_test_count_fds            (void);
guint    cw_test_count_fds_settled    (void);
void     cw_test_wait_for_fd_count    (guint       expected);
void     cw_test_assert_no_children   (void);
gboolean cw_test_trap_subprocess      (guint       seconds);

/* ---------------------------------------------------------------------- */
/* batches on a pool */

/* Tasks of one kind: the index (or @args) for the synthetic ones, each of
 * @inputs into @output_dir for CW_TASK_AUDIO. */
typedef struct
{
  guint        n;
  guint        given;
  CwTaskKind   kind;
  gint64      *args;         /* per task; NULL: the index */
  char       **inputs;       /* audio: per task */
  char        *output_dir;
  guint        n_results_seen_at_end;   /* results delivered when the source ran dry */
  guint       *n_results;    /* the run's counter, to sample */
} CwTestSource;

typedef void (*CwTestRunHook) (const CwResult *result,
                               gpointer        user_data);

typedef struct
{
  GPtrArray     *results;       /* CwResult*, in delivery order */
  GArray        *delivered_us;  /* gint64, when each was delivered */
  guint          n_results;
  GCancellable  *cancel_on_first;
  CwTestRunHook  hook;          /* called on each result */
  gpointer       hook_data;
  gboolean       done;
  gboolean       ok;
  GError        *error;
  CwBatchStats   stats;
} CwTestRun;

void             cw_test_run_init         (CwTestRun           *run);
void             cw_test_run_clear        (CwTestRun           *run);
void             cw_test_run_map          (CwPool              *pool,
                                           const CwJobSettings *settings,
                                           CwTestSource        *src,
                                           CwOrder              order,
                                           GCancellable        *cancellable,
                                           CwTestRun           *run);
const CwResult  *cw_test_run_result       (CwTestRun           *run,
                                           guint                i);
const CwResult **cw_test_assert_each_once (CwTestRun           *run,
                                           guint                n);
void             cw_test_close_pool       (CwPool              *pool);

/* Sine files in a new temporary folder, with an empty "out" beside them. */
typedef struct
{
  char  *dir;
  char  *out;
  char **inputs;
  guint  n;
} CwTestAudioSet;

void  cw_test_audio_set_init  (CwTestAudioSet     *set,
                               const char * const *names,
                               const double       *seconds);
void  cw_test_audio_set_clear (CwTestAudioSet     *set);
char *cw_test_output_of       (CwTestAudioSet     *set,
                               const char         *input);

/* ---------------------------------------------------------------------- */
/* corewave-cli ($CW_CLI_PATH) */

/* Runs corewave-cli with @args and an empty stdin; returns its exit status
 * (it must exit, not die of a signal) and what it printed (@out, @err may
 * be NULL). Fails the test after two minutes. */
int   cw_test_run_cli_argv    (const char * const *args,
                               char              **out,
                               char              **err);
#define cw_test_run_cli(out, err, ...) \
  cw_test_run_cli_argv ((const char * const[]) { __VA_ARGS__, NULL }, out, err)

/* ---------------------------------------------------------------------- */
/* lab reports: a cell by its column's name */

int                cw_test_column      (const CwLabReport *report,
                                        const char        *name);
const char        *cw_test_cell        (const CwLabReport *report,
                                        guint              row,
                                        const char        *name);
double             cw_test_cell_double (const CwLabReport *report,
                                        guint              row,
                                        const char        *name);
/* The row whose first column is @key (and, when not NULL, @name is @value). */
guint              cw_test_row         (const CwLabReport *report,
                                        const char        *key,
                                        const char        *name,
                                        const char        *value);
const CwLabSeries *cw_test_series      (const CwLabReport *report,
                                        const char        *name);

G_END_DECLS
