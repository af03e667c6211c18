/* cw-lab-page.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The lesson's experiments (cw-lab.h) with a Run button: one experiment
 * runs at a time, on the queued files or the demo set. Each experiment
 * has its own pane in a stack, so a result stays when another experiment
 * is looked at or run: whether this machine agreed with the lesson, the
 * chart with each setting's timeline under it, the table of medians and
 * spreads, and under the table the paragraph built from its figures.
 *
 * While an experiment measures, the page draws nothing that costs CPU:
 * no spinner, no timer, no live timeline. It changes only between steps
 * (a progress bar, what runs, the bytes through the pipes so far), and
 * the experiment runs on a thread and main context of its own, as the
 * CLI's runs on its own loop: a measurement here agrees with the same one
 * in "corewave-cli lab".
 * Nothing here touches files on the main loop: the engine prepares inputs
 * on its threads and exports (cw-lab-page-export.c) are written with
 * GIO's async calls.
 */

#define G_LOG_DOMAIN "corewave-lab"

#include "config.h"

#include "cw-lab-page-private.h"

#include <glib/gi18n.h>
#include <string.h>

#include "cw-lab-table.h"
#include "cw-queue-item.h"


G_DEFINE_FINAL_TYPE (CwLabPage, cw_lab_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_BLOCKED,
  PROP_MAX_WORKERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* What each experiment runs and shows, for someone who has not read the
 * lesson (the table of docs/lab.md, in the window). */
static const char *
experiment_about (CwLabExperiment experiment)
{
  switch (experiment)
    {
    case CW_LAB_MODES:
      return _("The batch one after another, then on 1 to N threads and on 1 to N worker processes, five "
               "runs of each in turn. The chart shows how much faster each is than one after another, with "
               "the runs’ range, beside the ideal line. Quick runs CPU-bound tasks instead of files.");
    case CW_LAB_CHUNKS:
      return _("The batch at chunk sizes 1, 2, 4, … tasks per trip to a worker, always more tasks than "
               "workers times the biggest chunk, and with the automatic size. The chart shows the wall time "
               "and the workers’ own peak memory at each size; the timelines show the worker left idle "
               "behind a big last chunk. Quick runs uneven CPU-bound tasks instead of files.");
    case CW_LAB_OVERHEAD:
      return _("Tiny tasks (multiply a number by 10) done in place, then sent through the pool at chunk "
               "sizes 1, 10, 100, … and auto. The chart shows what a trip to a process costs per task.");
    case CW_LAB_BIG_DATA:
      return _("The batch twice a round: once sending each worker only the file’s name, once reading the "
               "samples here and sending them through the pipe. The chart shows the time and the bytes that "
               "crossed the pipes.");
    case CW_LAB_SHARED_WORK:
      return _("Naive Fibonacci numbers one after another in one process, then one task each on the worker "
               "processes, then one memoised pass. The chart shows the wall and CPU time of all three, on a "
               "log scale so the memoised pass shows at all.");
    case CW_LAB_ORDER:
      return _("A few CPU-bound tasks, the first ten times slower than the rest, with results delivered "
               "as submitted (imap) and as completed (imap_unordered). The chart shows when each "
               "result became visible.");
    case CW_LAB_RANDOM_STATE:
      return _("The batch with the noise generator seeded once in the parent, as forked workers inherit "
               "it, then with Corewave’s per-file seeds. The chart shows how many files got the same "
               "noise as another.");
    case CW_LAB_N_EXPERIMENTS:
    default:
      return "";
    }
}

/* Whether @experiment reads audio files; the others run synthetic tasks
 * (the engine decides the same in cw_lab_run_async ()). */
static gboolean
uses_files (CwLabExperiment experiment,
            gboolean        quick)
{
  return !(experiment == CW_LAB_OVERHEAD || experiment == CW_LAB_SHARED_WORK || experiment == CW_LAB_ORDER
           || (quick && (experiment == CW_LAB_MODES || experiment == CW_LAB_CHUNKS)));
}

static const char *
verdict_text (CwLabVerdict verdict)
{
  switch (verdict)
    {
    case CW_LAB_VERDICT_AGREED:
      return _("This machine agreed with the lesson.");
    case CW_LAB_VERDICT_DISAGREED:
      return _("This machine did not agree with the lesson.");
    case CW_LAB_VERDICT_WITHIN_NOISE:
      return _("Within noise on this machine: it neither agreed nor disagreed.");
    case CW_LAB_VERDICT_UNTESTED:
    default:
      return _("This machine could not test it.");
    }
}

static guint
n_queued (CwLabPage *self)
{
  return self->queue != NULL ? g_list_model_get_n_items (self->queue) : 0;
}

/* The queued files, or NULL for the demo set. */
static char **
queued_paths (CwLabPage *self)
{
  g_autoptr(GStrvBuilder) builder = NULL;
  guint n = n_queued (self);

  if (n == 0)
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(CwQueueItem) item = g_list_model_get_item (self->queue, i);

      g_strv_builder_add (builder, cw_queue_item_get_path (item));
    }
  return g_strv_builder_end (builder);
}

void
cw_lab_page_toast (CwLabPage  *self,
                   const char *text)
{
  AdwToast *t = adw_toast_new (text);

  adw_toast_set_timeout (t, 5);
  adw_toast_overlay_add_toast (self->toast_overlay, t);
}

gboolean
cw_lab_page_has_report (CwLabPage       *self,
                        CwLabExperiment  experiment)
{
  return cw_lab_chart_get_report (self->charts[experiment]) != NULL;
}

static void
update_actions (CwLabPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  if (self->disposed)
    return;
  gtk_widget_action_set_enabled (widget, "lab.run", !self->running && !self->blocked);
  gtk_widget_action_set_enabled (widget, "lab.cancel", self->running);
  gtk_widget_action_set_enabled (widget, "lab.export-csv", cw_lab_page_has_report (self, self->selected));
  gtk_widget_action_set_enabled (widget, "lab.export-png", cw_lab_page_has_report (self, self->selected));
  gtk_widget_action_set_enabled (widget, "lab.export-svg", cw_lab_page_has_report (self, self->selected));
  gtk_widget_set_sensitive (self->export_button, cw_lab_page_has_report (self, self->selected));
  gtk_stack_set_visible_child_name (self->run_stack, self->running ? "cancel" : "run");
}

static void
update_inputs (CwLabPage *self)
{
  gboolean quick = gtk_switch_get_active (self->quick_switch);
  guint n = n_queued (self);
  g_autofree char *text = NULL;

  if (self->disposed)
    return;
  if (self->blocked && !self->running)
    text = g_strdup (_("A batch is running: the lab waits until it is done, so the two do not measure each other."));
  else if (!uses_files (self->selected, quick))
    text = g_strdup (_("Runs synthetic tasks: no audio files needed."));
  else if (n > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Runs on the %'u queued file.",
                                         "Runs on the %'u queued files.", n), n);
  else if (quick && self->selected == CW_LAB_BIG_DATA)
    text = g_strdup (_("Runs on a small demo set: 8 sine waves of a minute, written to a scratch folder. "
                       "Queue files to use your own."));
  else if (quick)
    text = g_strdup (_("Runs on a small demo set: 8 sine waves of 2 seconds, written to a scratch folder. "
                       "Queue files to use your own."));
  else
    text = g_strdup (_("Runs on the lesson’s demo set: 24 sine waves of 4 minutes, written once to the cache "
                       "folder. Queue files to use your own."));
  gtk_label_set_label (self->inputs_label, text);
}

/* The selected experiment's status: its own, never another's. */
static void
show_status (CwLabPage *self)
{
  CwLabExperiment e = self->selected;
  gboolean mine = self->running && self->running_experiment == e;

  gtk_widget_set_visible (self->status_box, self->statuses[e] != NULL);
  gtk_label_set_label (self->status_label, self->statuses[e] ? self->statuses[e] : "");
  gtk_label_set_label (self->pipe_label, self->pipe_texts[e] ? self->pipe_texts[e] : "");
  gtk_widget_set_visible (GTK_WIDGET (self->pipe_label), self->pipe_texts[e] != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), mine);
  if (mine)
    gtk_progress_bar_set_fraction (self->progress_bar, self->progress);
}

static void
show_selected (CwLabPage *self)
{
  CwLabExperiment e = self->selected;
  g_autofree char *claim = g_markup_printf_escaped ("<b>%s</b> %s", _("The lesson:"), cw_lab_experiment_claim (e));

  gtk_label_set_label (self->title_label, cw_lab_experiment_title (e));
  gtk_label_set_label (self->about_label, experiment_about (e));
  gtk_label_set_label (self->claim_label, claim);
  gtk_stack_set_visible_child_name (self->result_stack,
                                    cw_lab_page_has_report (self, e) ? cw_lab_experiment_to_string (e) : "empty");
  show_status (self);
  update_inputs (self);
  update_actions (self);
}

void
cw_lab_page_select (CwLabPage       *self,
                    CwLabExperiment  experiment)
{
  GtkListBoxRow *row;

  g_return_if_fail (CW_IS_LAB_PAGE (self));
  g_return_if_fail (experiment < CW_LAB_N_EXPERIMENTS);

  /* the list and the drop-down call back here: only the first call acts */
  if (self->selected == experiment && gtk_drop_down_get_selected (self->experiment_dropdown) == experiment)
    return;
  self->selected = experiment;
  row = gtk_list_box_get_row_at_index (self->experiment_list, experiment);
  if (gtk_list_box_get_selected_row (self->experiment_list) != row)
    gtk_list_box_select_row (self->experiment_list, row);
  if (gtk_drop_down_get_selected (self->experiment_dropdown) != experiment)
    gtk_drop_down_set_selected (self->experiment_dropdown, experiment);
  show_selected (self);
}

static void
row_selected_cb (CwLabPage     *self,
                 GtkListBoxRow *row)
{
  if (row != NULL)
    cw_lab_page_select (self, gtk_list_box_row_get_index (row));
}

static void
dropdown_selected_cb (CwLabPage *self)
{
  guint i = gtk_drop_down_get_selected (self->experiment_dropdown);

  if (i < CW_LAB_N_EXPERIMENTS)
    cw_lab_page_select (self, i);
}

/* ---------------------------------------------------------------------- */
/* the run */

static void
set_status (CwLabPage       *self,
            CwLabExperiment  experiment,
            char            *text)   /* (transfer full) */
{
  g_free (self->statuses[experiment]);
  self->statuses[experiment] = text;
  if (experiment == self->selected)
    show_status (self);
}

/* ---- the lab's own thread --------------------------------------------- */

/* An experiment runs on a thread of its own with its own main context:
 * its pools' pipes are watched there, as in "corewave-cli lab", not in
 * the window's loop, whose every turn also asks the display for events
 * (a few µs a trip that the CLI does not pay). What the page shows comes
 * back as messages to the main context, between steps. */
typedef struct
{
  CwLabPage       *page;          /* a reference, dropped on the main context */
  CwLabExperiment  experiment;
  char           **inputs;
  CwLabOptions     options;
  GCancellable    *cancellable;
  /* the window has drawn the latest message (lock, painted_cond) */
  GMutex           lock;
  GCond            painted_cond;
  gboolean         painted;
  GdkFrameClock   *paint_clock;   /* main thread: waiting for its next paint */
  gulong           paint_handler;
  /* the lab thread's */
  GMainContext    *context;
  CwPool          *pool;          /* the batch running now */
  guint64          pipe_before;   /* the earlier pools' bytes */
  gboolean         finished;
  /* the outcome, read on the main context */
  CwLabReport     *report;
  GError          *error;
} LabRun;

typedef struct
{
  LabRun  *run;
  char    *status;      /* NULL: unchanged */
  double   progress;    /* < 0: unchanged */
  guint64  pipe_bytes;
} LabMessage;

static void
lab_message_free (LabMessage *message)
{
  g_free (message->status);
  g_free (message);
}

static guint64
lab_pipe_bytes (LabRun *run)
{
  guint64 to = 0, from = 0;

  if (run->pool != NULL)
    cw_pool_get_pipe_bytes (run->pool, &to, &from);
  return run->pipe_before + to + from;
}

/* Between steps only: a label that changes while a batch measures costs
 * the window a layout and a frame. */
static void
set_pipe_bytes (CwLabPage *self,
                guint64    bytes)
{
  CwLabExperiment e = self->running_experiment;
  g_autofree char *size = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS | G_FORMAT_SIZE_LONG_FORMAT);

  g_free (self->pipe_texts[e]);
  /* Translators: bytes that crossed the pipes to and from the workers, e.g. "Through the pipes: 2.8 MiB
   * (2,949,120 bytes)" */
  self->pipe_texts[e] = g_strdup_printf (_("Through the pipes: %s"), size);
  if (e == self->selected)
    show_status (self);
}

/* Main thread: the lab thread may go on. */
static void
lab_signal_painted (LabRun *run)
{
  if (run->paint_handler != 0)
    {
      g_signal_handler_disconnect (run->paint_clock, run->paint_handler);
      run->paint_handler = 0;
    }
  g_clear_object (&run->paint_clock);
  g_mutex_lock (&run->lock);
  run->painted = TRUE;
  g_cond_signal (&run->painted_cond);
  g_mutex_unlock (&run->lock);
}

static void
after_paint_cb (GdkFrameClock *clock,
                LabRun        *run)
{
  lab_signal_painted (run);
}

static gboolean
lab_message_cb (gpointer user_data)
{
  LabMessage *message = user_data;
  LabRun *run = message->run;
  CwLabPage *self = run->page;
  GdkFrameClock *clock = NULL;

  if (!self->disposed)
    {
      if (message->progress >= 0)
        self->progress = message->progress;
      if (message->status != NULL)
        set_status (self, self->running_experiment, g_steal_pointer (&message->status));
      set_pipe_bytes (self, message->pipe_bytes);
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        clock = gtk_widget_get_frame_clock (GTK_WIDGET (self));
    }
  /* the next step waits until the window has drawn this: the frame is
   * never drawn while a step measures */
  if (clock == NULL)
    lab_signal_painted (run);
  else if (run->paint_handler == 0)
    {
      run->paint_clock = g_object_ref (clock);
      run->paint_handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), run);
      gtk_widget_queue_draw (self->status_box);
    }
  return G_SOURCE_REMOVE;
}

/* On the lab thread, before each step: what the page should show, sent
 * to the main context; then the step waits until the window has drawn it
 * (at most PAINT_WAIT_US, should no frame come), so the window's drawing
 * lands between steps and never on a measurement. */
#define PAINT_WAIT_US (500 * 1000)

static void
lab_send (LabRun     *run,
          const char *description,
          double      progress)
{
  LabMessage *message = g_new0 (LabMessage, 1);
  gint64 deadline;

  message->run = run;
  /* Translators: the experiment's title, then the engine's name for the step, e.g.
   * "Running “Chunk size”: chunk size 4" */
  message->status = g_strdup_printf (_("Running “%s”: %s"), cw_lab_experiment_title (run->experiment), description);
  message->progress = progress;
  message->pipe_bytes = lab_pipe_bytes (run);
  g_mutex_lock (&run->lock);
  run->painted = FALSE;
  g_mutex_unlock (&run->lock);
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, lab_message_cb, message,
                              (GDestroyNotify) lab_message_free);

  deadline = g_get_monotonic_time () + PAINT_WAIT_US;
  g_mutex_lock (&run->lock);
  while (!run->painted)
    if (!g_cond_wait_until (&run->painted_cond, &run->lock, deadline))
      break;
  g_mutex_unlock (&run->lock);
}

/* No message here: the step has just been drawn (lab_step_started), and
 * a second frame would land on the batch. */
static void
lab_on_batch (CwPool     *pool,
              const char *description,
              gpointer    user_data)
{
  LabRun *run = user_data;

  /* a fresh pool per batch: what the last one counted stays in the total */
  run->pipe_before = lab_pipe_bytes (run);
  g_set_object (&run->pool, pool);
}

static void
lab_step_started (guint       index,
                  guint       n_steps,
                  const char *description,
                  gpointer    user_data)
{
  lab_send (user_data, description, (double) index / MAX (n_steps, 1));
}

static const CwLabObserver lab_observer = {
  .step_started = lab_step_started,
};

static void
lab_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  LabRun *run = user_data;

  run->report = cw_lab_run_finish (result, &run->error);
  run->finished = TRUE;
}

static void
set_running (CwLabPage *self,
             gboolean   running)
{
  if (self->running == running)
    return;
  self->running = running;
  update_inputs (self);
  update_actions (self);
  show_status (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
}

static void
show_report (CwLabPage       *self,
             CwLabExperiment  e,
             CwLabReport     *report)   /* (transfer full) */
{
  GtkLabel *verdict = self->verdicts[e];

  gtk_label_set_label (verdict, verdict_text (report->verdict));
  gtk_widget_remove_css_class (GTK_WIDGET (verdict), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (verdict), "warning");
  if (report->verdict == CW_LAB_VERDICT_AGREED)
    gtk_widget_add_css_class (GTK_WIDGET (verdict), "success");
  else if (report->verdict == CW_LAB_VERDICT_DISAGREED)
    gtk_widget_add_css_class (GTK_WIDGET (verdict), "warning");
  gtk_label_set_label (self->explanations[e], report->explanation ? report->explanation : "");
  cw_lab_table_set_report (self->tables[e], report);
  cw_lab_chart_take_report (self->charts[e], report);
  gtk_widget_set_visible (self->done_icons[e], TRUE);
}

/* On the main context, once the lab thread has ended. */
static gboolean
lab_finished_cb (gpointer user_data)
{
  LabRun *run = user_data;
  g_autoptr(CwLabPage) self = g_steal_pointer (&run->page);
  CwLabReport *report = g_steal_pointer (&run->report);
  CwLabExperiment e = run->experiment;
  const char *title = cw_lab_experiment_title (e);
  guint64 bytes = run->pipe_before;
  GError *error = run->error;
  char *text = NULL;

  g_clear_object (&self->cancellable);
  if (self->disposed)
    {
      g_clear_pointer (&report, cw_lab_report_free);
      self->running = FALSE;
      return G_SOURCE_REMOVE;
    }
  set_pipe_bytes (self, bytes);
  if (report != NULL)
    {
      double seconds = (g_get_monotonic_time () - self->start_us) / 1e6;

      text = report->quick
        /* Translators: the experiment's title and how long it ran, e.g. "“Chunk size” took 3.2 s at the quick sizes." */
        ? g_strdup_printf (_("“%s” took %.1f s at the quick sizes."), title, seconds)
        /* Translators: the experiment's title and how long it ran, e.g. "“Chunk size” took 23.2 s at the full sizes." */
        : g_strdup_printf (_("“%s” took %.1f s at the full sizes."), title, seconds);
      show_report (self, e, report);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    text = g_strdup_printf (_("“%s” was cancelled."), title);
  else
    {
      /* Translators: the experiment's title and what went wrong */
      text = g_strdup_printf (_("“%s” failed: %s"), title, error->message);
      cw_lab_page_toast (self, text);
    }
  set_status (self, e, text);
  set_running (self, FALSE);
  if (e == self->selected)
    show_selected (self);
  return G_SOURCE_REMOVE;
}

static void
lab_run_free (LabRun *run)
{
  if (run->paint_handler != 0)
    g_signal_handler_disconnect (run->paint_clock, run->paint_handler);
  g_clear_object (&run->paint_clock);
  g_mutex_clear (&run->lock);
  g_cond_clear (&run->painted_cond);
  g_clear_object (&run->page);
  g_clear_pointer (&run->report, cw_lab_report_free);
  g_clear_error (&run->error);
  g_clear_object (&run->cancellable);
  g_strfreev (run->inputs);
  g_free (run);
}

static gpointer
lab_thread (gpointer user_data)
{
  LabRun *run = user_data;

  g_main_context_push_thread_default (run->context);
  cw_lab_run_full_async (run->experiment, &run->options, lab_on_batch, run, &lab_observer, run,
                         run->cancellable, lab_done_cb, run);
  while (!run->finished)
    g_main_context_iteration (run->context, TRUE);
  /* what the last pool counted, then nothing of the run left here */
  run->pipe_before = lab_pipe_bytes (run);
  g_clear_object (&run->pool);
  while (g_main_context_pending (run->context))
    g_main_context_iteration (run->context, FALSE);
  g_main_context_pop_thread_default (run->context);
  g_main_context_unref (run->context);
  run->context = NULL;
  g_main_context_invoke_full (NULL, G_PRIORITY_DEFAULT, lab_finished_cb, run, (GDestroyNotify) lab_run_free);
  return NULL;
}

static void
run_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  CwLabPage *self = CW_LAB_PAGE (widget);
  LabRun *run;

  if (self->running || self->blocked)
    return;

  run = g_new0 (LabRun, 1);
  run->page = g_object_ref (self);
  run->experiment = self->selected;
  run->inputs = queued_paths (self);
  run->options.inputs = run->inputs;
  run->options.max_workers = self->max_workers > 0 ? (guint) self->max_workers : 0;
  run->options.quick = gtk_switch_get_active (self->quick_switch);
  run->cancellable = g_cancellable_new ();
  run->context = g_main_context_new ();
  g_mutex_init (&run->lock);
  g_cond_init (&run->painted_cond);

  self->running_experiment = self->selected;
  self->cancellable = g_object_ref (run->cancellable);
  self->progress = 0;
  self->start_us = g_get_monotonic_time ();
  /* Translators: the experiment's title */
  set_status (self, self->selected, g_strdup_printf (_("Preparing “%s”…"), cw_lab_experiment_title (self->selected)));
  set_pipe_bytes (self, 0);
  set_running (self, TRUE);

  g_thread_unref (g_thread_new ("corewave-lab", lab_thread, run));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CwLabPage *self = CW_LAB_PAGE (widget);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/* ---------------------------------------------------------------------- */

static void
queue_changed_cb (CwLabPage *self)
{
  update_inputs (self);
}

void
cw_lab_page_set_queue (CwLabPage  *self,
                       GListModel *queue)
{
  g_return_if_fail (CW_IS_LAB_PAGE (self));
  g_return_if_fail (queue == NULL || G_IS_LIST_MODEL (queue));

  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_func (self->queue, queue_changed_cb, self);
  g_set_object (&self->queue, queue);
  if (queue != NULL)
    g_signal_connect_swapped (queue, "items-changed", G_CALLBACK (queue_changed_cb), self);
  update_inputs (self);
}

CwLabExperiment
cw_lab_page_get_selected (CwLabPage *self)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), 0);
  return self->selected;
}

gboolean
cw_lab_page_get_running (CwLabPage *self)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), FALSE);
  return self->running;
}

CwLabChart *
cw_lab_page_get_chart (CwLabPage       *self,
                       CwLabExperiment  experiment)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), NULL);
  g_return_val_if_fail (experiment < CW_LAB_N_EXPERIMENTS, NULL);
  return self->charts[experiment];
}

const char *
cw_lab_page_get_verdict (CwLabPage       *self,
                         CwLabExperiment  experiment)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), NULL);
  g_return_val_if_fail (experiment < CW_LAB_N_EXPERIMENTS, NULL);
  return gtk_label_get_label (self->verdicts[experiment]);
}

CwLabTable *
cw_lab_page_get_table (CwLabPage       *self,
                       CwLabExperiment  experiment)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), NULL);
  g_return_val_if_fail (experiment < CW_LAB_N_EXPERIMENTS, NULL);
  return self->tables[experiment];
}

const char *
cw_lab_page_get_explanation (CwLabPage       *self,
                             CwLabExperiment  experiment)
{
  g_return_val_if_fail (CW_IS_LAB_PAGE (self), NULL);
  g_return_val_if_fail (experiment < CW_LAB_N_EXPERIMENTS, NULL);
  return gtk_label_get_label (self->explanations[experiment]);
}

GtkWidget *
cw_lab_page_new (void)
{
  return g_object_new (CW_TYPE_LAB_PAGE, NULL);
}

/* The drop-down's labels: the button's ellipsized (a long title must not
 * widen a phone's window), the list's wrapped (every title whole). */
static void
title_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (user_data))
    {
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 30);
    }
  else
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
title_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), gtk_string_object_get_string (string));
}

static GtkListItemFactory *
title_factory_new (gboolean in_list)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (title_setup_cb), GINT_TO_POINTER (in_list));
  g_signal_connect (factory, "bind", G_CALLBACK (title_bind_cb), NULL);
  return factory;
}

static void
build_experiments (CwLabPage *self)
{
  g_autoptr(GtkListItemFactory) button_factory = title_factory_new (FALSE);
  g_autoptr(GtkListItemFactory) list_factory = title_factory_new (TRUE);
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

  for (CwLabExperiment e = 0; e < CW_LAB_N_EXPERIMENTS; e++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *pane = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
      GtkWidget *label;
      /* Translators: the command that runs the same experiment without the window */
      g_autofree char *command = g_strdup_printf (_("In a terminal: corewave-cli lab %s"),
                                                  cw_lab_experiment_to_string (e));

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), cw_lab_experiment_title (e));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), cw_lab_experiment_to_string (e));
      gtk_widget_set_tooltip_text (row, command);
      self->done_icons[e] = gtk_image_new_from_icon_name ("object-select-symbolic");
      gtk_widget_set_visible (self->done_icons[e], FALSE);
      gtk_widget_set_tooltip_text (self->done_icons[e], _("Measured"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), self->done_icons[e]);
      gtk_list_box_append (self->experiment_list, row);
      gtk_string_list_append (titles, cw_lab_experiment_title (e));

      /* the pane: the verdict, the chart and timelines, the table and,
       * under it, the paragraph made from the table's figures */
      label = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 90);
      gtk_widget_add_css_class (label, "title-4");
      self->verdicts[e] = GTK_LABEL (label);
      gtk_box_append (GTK_BOX (pane), label);

      self->charts[e] = CW_LAB_CHART (cw_lab_chart_new ());
      gtk_box_append (GTK_BOX (pane), GTK_WIDGET (self->charts[e]));

      /* a table wider than the page scrolls: it never widens the window */
      self->tables[e] = CW_LAB_TABLE (cw_lab_table_new ());
      gtk_box_append (GTK_BOX (pane), GTK_WIDGET (self->tables[e]));

      label = gtk_label_new (NULL);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 90);
      gtk_widget_add_css_class (label, "body");
      self->explanations[e] = GTK_LABEL (label);
      gtk_box_append (GTK_BOX (pane), label);
      gtk_stack_add_named (self->result_stack, pane, cw_lab_experiment_to_string (e));
    }
  gtk_drop_down_set_factory (self->experiment_dropdown, button_factory);
  gtk_drop_down_set_list_factory (self->experiment_dropdown, list_factory);
  gtk_drop_down_set_model (self->experiment_dropdown, G_LIST_MODEL (titles));
}

static void
cw_lab_page_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  CwLabPage *self = CW_LAB_PAGE (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_BLOCKED:
      g_value_set_boolean (value, self->blocked);
      break;
    case PROP_MAX_WORKERS:
      g_value_set_int (value, self->max_workers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_lab_page_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  CwLabPage *self = CW_LAB_PAGE (object);

  switch (prop_id)
    {
    case PROP_BLOCKED:
      if (self->blocked != g_value_get_boolean (value))
        {
          self->blocked = g_value_get_boolean (value);
          update_inputs (self);
          update_actions (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MAX_WORKERS:
      if (self->max_workers != g_value_get_int (value))
        {
          self->max_workers = g_value_get_int (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_lab_page_dispose (GObject *object)
{
  CwLabPage *self = CW_LAB_PAGE (object);

  /* A run still going ends soon after (its callback holds a reference to
   * the page and only frees what it gets); its pools reap their workers. */
  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->queue != NULL)
    g_signal_handlers_disconnect_by_func (self->queue, queue_changed_cb, self);
  g_clear_object (&self->queue);
  memset (self->verdicts, 0, sizeof self->verdicts);
  memset (self->charts, 0, sizeof self->charts);
  memset (self->tables, 0, sizeof self->tables);
  memset (self->explanations, 0, sizeof self->explanations);
  memset (self->done_icons, 0, sizeof self->done_icons);

  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_LAB_PAGE);
  G_OBJECT_CLASS (cw_lab_page_parent_class)->dispose (object);
}

static void
cw_lab_page_finalize (GObject *object)
{
  CwLabPage *self = CW_LAB_PAGE (object);

  g_clear_object (&self->cancellable);
  for (guint e = 0; e < CW_LAB_N_EXPERIMENTS; e++)
    {
      g_free (self->statuses[e]);
      g_free (self->pipe_texts[e]);
    }
  G_OBJECT_CLASS (cw_lab_page_parent_class)->finalize (object);
}

/* Focus goes to the choice of experiment: the sidebar's row, or the
 * drop-down when folded (arrows pick, Ctrl+Enter runs). */
static gboolean
cw_lab_page_grab_focus (GtkWidget *widget)
{
  CwLabPage *self = CW_LAB_PAGE (widget);
  GtkListBoxRow *row;

  if (adw_leaflet_get_folded (self->leaflet))
    return gtk_widget_grab_focus (GTK_WIDGET (self->experiment_dropdown));
  row = gtk_list_box_get_row_at_index (self->experiment_list, self->selected);
  return row != NULL && gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
cw_lab_page_class_init (CwLabPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = cw_lab_page_get_property;
  object_class->set_property = cw_lab_page_set_property;
  object_class->dispose = cw_lab_page_dispose;
  object_class->finalize = cw_lab_page_finalize;
  widget_class->grab_focus = cw_lab_page_grab_focus;

  /**
   * CwLabPage:running:
   *
   * An experiment runs (until its workers are reaped).
   */
  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * CwLabPage:blocked:
   *
   * Something else uses the cores (the window's batch): Run waits.
   */
  properties[PROP_BLOCKED] =
    g_param_spec_boolean ("blocked", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * CwLabPage:max-workers:
   *
   * The most workers an experiment uses; 0: one per CPU.
   */
  properties[PROP_MAX_WORKERS] =
    g_param_spec_int ("max-workers", NULL, NULL, 0, CW_POOL_MAX_WORKERS, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/corewave/Corewave/cw-lab-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, experiment_list);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, experiment_dropdown);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, about_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, claim_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, inputs_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, run_stack);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, quick_switch);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, status_box);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, pipe_label);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, result_stack);
  gtk_widget_class_bind_template_child (widget_class, CwLabPage, export_button);
  /* not kept, but reachable with gtk_widget_get_template_child () (the tests) */
  gtk_widget_class_bind_template_child_full (widget_class, "run_button", FALSE, 0);
  gtk_widget_class_bind_template_child_full (widget_class, "cancel_button", FALSE, 0);

  gtk_widget_class_install_action (widget_class, "lab.run", NULL, run_action);
  gtk_widget_class_install_action (widget_class, "lab.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "lab.export-csv", NULL, cw_lab_page_export_action);
  gtk_widget_class_install_action (widget_class, "lab.export-png", NULL, cw_lab_page_export_action);
  gtk_widget_class_install_action (widget_class, "lab.export-svg", NULL, cw_lab_page_export_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "lab.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "lab.run", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "lab.cancel", NULL);
}

static void
cw_lab_page_init (CwLabPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  build_experiments (self);
  /* folded, the content shows; the drop-down picks the experiment and
   * names it, in place of the title */
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
  g_object_bind_property (self->leaflet, "folded", self->title_label, "visible",
                          G_BINDING_SYNC_CREATE | G_BINDING_INVERT_BOOLEAN);
  self->selected = CW_LAB_N_EXPERIMENTS;   /* so the first select acts */
  g_signal_connect_swapped (self->experiment_list, "row-selected", G_CALLBACK (row_selected_cb), self);
  g_signal_connect_swapped (self->experiment_dropdown, "notify::selected", G_CALLBACK (dropdown_selected_cb), self);
  g_signal_connect_swapped (self->quick_switch, "notify::active", G_CALLBACK (update_inputs), self);
  cw_lab_page_select (self, CW_LAB_MODES);
}
