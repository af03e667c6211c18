/* cw-run-page.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What a class watches: the CPU meter takes most of the page, the
 * timeline and the progress sit under it, a replay bar plays the last
 * batch again slower, and the results fold away. The window drives it
 * (cw-window-batch.c): it hands over the sampler's samples, the pool's
 * task starts and the results, and the summary at the end.
 *
 * While a batch runs every sample is recorded (CwReplay); a replay then
 * feeds the recorded samples to the meter and moves the timeline's
 * cursor, and live samples wait until the person goes back to Live.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-run-page.h"

#include <inttypes.h>

#include <glib/gi18n.h>

struct _CwRunPage
{
  GtkWidget        parent_instance;

  /* template */
  GtkScrolledWindow *scroller;
  GtkBox          *page_box;
  CwCpuMeter      *meter;
  GtkBox          *progress_box;
  GtkProgressBar  *progress_bar;
  GtkLabel        *status_label;
  CwTimeline      *timeline;
  GtkRevealer     *replay_revealer;
  GtkButton       *play_button;
  GtkToggleButton *speed_1;
  GtkToggleButton *speed_quarter;
  GtkToggleButton *speed_tenth;
  GtkScale        *replay_scale;
  GtkAdjustment   *replay_adjustment;
  GtkLabel        *replay_time;
  GtkExpander     *results_expander;
  GtkLabel        *results_label;
  CwResultView    *result_view;

  CwReplay        *replay;
  gboolean         presentation;
  gboolean         running;
  gboolean         results_touched;   /* the person opened or closed them */
  guint64          n_results;
  guint64          n_failed;
};

G_DEFINE_FINAL_TYPE (CwRunPage, cw_run_page, GTK_TYPE_WIDGET)

/* ---------------------------------------------------------------------- */
/* the replay */

static void
update_replay_actions (CwRunPage *self)
{
  gboolean available = cw_replay_get_available (self->replay);
  gboolean playing = cw_replay_get_playing (self->replay);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "run.play", available && !self->running);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "run.live", cw_replay_get_active (self->replay));
  gtk_button_set_icon_name (self->play_button,
                            playing ? "media-playback-pause-symbolic" : "media-playback-start-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->play_button),
                               playing ? _("Pause the replay (Ctrl+R)") : _("Replay the last batch (Ctrl+R)"));
  /* Once there has been a batch to replay, the bar stays, insensitive
   * while the next batch runs (and records): hiding it at Start moved the
   * meter and the timeline, and its slide, a frame every 16 ms for a
   * quarter of a second, took CPU a short batch's workers needed. */
  gtk_revealer_set_reveal_child (self->replay_revealer,
                                 available || gtk_revealer_get_reveal_child (self->replay_revealer));
  gtk_widget_set_sensitive (gtk_revealer_get_child (self->replay_revealer), available && !self->running);
}

static void
update_replay_time (CwRunPage *self)
{
  double position = cw_replay_get_position (self->replay) / 1e6;
  double duration = cw_replay_get_duration (self->replay) / 1e6;
  g_autofree char *text = NULL;

  /* a batch recording: the last one's length would read as this one's */
  if (!cw_replay_get_available (self->replay))
    {
      gtk_adjustment_set_value (self->replay_adjustment, 0);
      gtk_label_set_label (self->replay_time, "");
      return;
    }
  gtk_adjustment_set_upper (self->replay_adjustment, MAX (duration, 0.001));
  gtk_adjustment_set_value (self->replay_adjustment, position);
  /* Translators: where the replay is and the batch's length, in seconds, e.g. "0.12 / 0.31 s" */
  text = g_strdup_printf (duration < 10 ? _("%.2f / %.2f s") : _("%.1f / %.1f s"), position, duration);
  gtk_label_set_label (self->replay_time, text);
}

static void
replay_sample_cb (CwRunPage         *self,
                  const CwCpuSample *sample)
{
  cw_cpu_meter_push_sample (self->meter, sample);
}

static void
replay_rewound_cb (CwRunPage *self)
{
  cw_cpu_meter_reset (self->meter);
  cw_cpu_meter_set_marks_shown (self->meter, TRUE);
  cw_timeline_set_cursor (self->timeline, 0);
}

static void
replay_position_cb (CwRunPage *self)
{
  if (cw_replay_get_active (self->replay))
    cw_timeline_set_cursor (self->timeline, cw_replay_get_position (self->replay));
  update_replay_time (self);
}

static void
replay_finished_cb (CwRunPage *self)
{
  /* back to live: the meter starts its history again */
  cw_cpu_meter_reset (self->meter);
  cw_cpu_meter_set_marks_shown (self->meter, self->running);
  cw_timeline_set_cursor (self->timeline, -1);
  update_replay_time (self);
  update_replay_actions (self);
}

static void
speed_toggled_cb (CwRunPage       *self,
                  GtkToggleButton *button)
{
  if (!gtk_toggle_button_get_active (button))
    return;
  if (button == self->speed_1)
    cw_replay_set_speed (self->replay, 1.0);
  else if (button == self->speed_quarter)
    cw_replay_set_speed (self->replay, 0.25);
  else
    cw_replay_set_speed (self->replay, 0.1);
}

static gboolean
scale_change_value_cb (CwRunPage     *self,
                       GtkScrollType  scroll,
                       double         value,
                       GtkRange      *range)
{
  cw_replay_seek (self->replay, (gint64) (value * 1e6));
  update_replay_actions (self);
  return TRUE;
}

static void
play_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CwRunPage *self = CW_RUN_PAGE (widget);

  if (cw_replay_get_playing (self->replay))
    cw_replay_pause (self->replay);
  else
    cw_replay_play (self->replay);
  update_replay_actions (self);
}

static void
live_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  cw_replay_leave (CW_RUN_PAGE (widget)->replay);
}

/* ---------------------------------------------------------------------- */
/* a batch */

static void
update_results_label (CwRunPage *self)
{
  g_autofree char *text = NULL;

  if (self->n_results == 0)
    text = g_strdup (_("Results"));
  else if (self->n_failed > 0)
    /* Translators: the result list's heading: results so far and how many failed, e.g. "Results: 24, 1 failed" */
    text = g_strdup_printf (_("Results: %'" PRIu64 ", %'" PRIu64 " failed"),
                            (guint64) self->n_results, (guint64) self->n_failed);
  else
    /* Translators: the result list's heading with how many there are, e.g. "Results: 24" */
    text = g_strdup_printf (_("Results: %'" PRIu64), (guint64) self->n_results);
  gtk_label_set_label (self->results_label, text);
}

void
cw_run_page_push_sample (CwRunPage         *self,
                         const CwCpuSample *sample)
{
  g_return_if_fail (CW_IS_RUN_PAGE (self));
  g_return_if_fail (sample != NULL);

  if (cw_replay_get_recording (self->replay))
    cw_replay_record_sample (self->replay, sample);
  if (cw_replay_get_active (self->replay))
    return;
  cw_cpu_meter_push_sample (self->meter, sample);
  cw_timeline_push_cpu (self->timeline, sample);
}

void
cw_run_page_batch_planning (CwRunPage  *self,
                            const char *status)
{
  g_return_if_fail (CW_IS_RUN_PAGE (self));

  cw_replay_leave (self->replay);
  self->running = TRUE;
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_label (self->status_label, status);
  update_replay_actions (self);
}

void
cw_run_page_batch_started (CwRunPage *self,
                           gint64     start_us,
                           guint      n_workers)
{
  g_return_if_fail (CW_IS_RUN_PAGE (self));

  self->running = TRUE;
  self->n_results = self->n_failed = 0;
  update_results_label (self);
  cw_replay_record_start (self->replay, start_us);
  /* the meter's history goes on; its marks are this batch's */
  cw_cpu_meter_set_marks_shown (self->meter, TRUE);
  cw_result_view_clear (self->result_view, start_us);
  cw_timeline_clear (self->timeline, start_us, n_workers);
  update_replay_actions (self);
}

void
cw_run_page_task_started (CwRunPage *self,
                          guint      slot,
                          guint64    index,
                          gint64     start_us)
{
  g_return_if_fail (CW_IS_RUN_PAGE (self));

  cw_timeline_task_started (self->timeline, slot, index, start_us);
}

void
cw_run_page_add_result (CwRunPage      *self,
                        const CwResult *result)
{
  g_return_if_fail (CW_IS_RUN_PAGE (self));

  self->n_results++;
  if (result->status == CW_STATUS_FAILED)
    self->n_failed++;
  cw_result_view_add (self->result_view, result);
  cw_timeline_add (self->timeline, result);
}

void
cw_run_page_set_progress (CwRunPage  *self,
                          double      fraction,
                          const char *text,
                          const char *status)
{
  g_return_if_fail (CW_IS_RUN_PAGE (self));

  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  if (text != NULL)
    gtk_progress_bar_set_text (self->progress_bar, text);
  if (status != NULL)
    gtk_label_set_label (self->status_label, status);
  update_results_label (self);
}

void
cw_run_page_set_status (CwRunPage  *self,
                        const char *status)
{
  g_return_if_fail (CW_IS_RUN_PAGE (self));

  gtk_label_set_label (self->status_label, status);
}

void
cw_run_page_batch_finished (CwRunPage  *self,
                            gint64      end_us,
                            const char *summary,
                            gboolean    failures)
{
  g_return_if_fail (CW_IS_RUN_PAGE (self));

  self->running = FALSE;
  cw_result_view_flush (self->result_view);
  cw_timeline_set_running (self->timeline, FALSE);
  /* nothing runs now: every mark goes at once */
  cw_cpu_meter_set_marks_shown (self->meter, FALSE);
  cw_replay_record_stop (self->replay, end_us);
  if (summary != NULL)
    gtk_label_set_label (self->status_label, summary);
  update_results_label (self);
  if (failures && !self->results_touched)
    gtk_expander_set_expanded (self->results_expander, TRUE);
  update_replay_actions (self);
}

/* ---------------------------------------------------------------------- */

void
cw_run_page_set_presentation (CwRunPage *self,
                              gboolean   presentation)
{
  g_return_if_fail (CW_IS_RUN_PAGE (self));

  presentation = !!presentation;
  if (self->presentation == presentation)
    return;
  self->presentation = presentation;
  cw_cpu_meter_set_large (self->meter, presentation);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_box), !presentation);
  gtk_widget_set_visible (GTK_WIDGET (self->results_expander), !presentation);
  /* the timeline gets room enough to read from afar */
  gtk_widget_set_size_request (GTK_WIDGET (self->timeline), -1, presentation ? 260 : -1);
  if (presentation)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "presentation");
      gtk_widget_grab_focus (GTK_WIDGET (self->meter));
    }
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self), "presentation");
}

CwCpuMeter *
cw_run_page_get_meter (CwRunPage *self)
{
  g_return_val_if_fail (CW_IS_RUN_PAGE (self), NULL);
  return self->meter;
}

CwTimeline *
cw_run_page_get_timeline (CwRunPage *self)
{
  g_return_val_if_fail (CW_IS_RUN_PAGE (self), NULL);
  return self->timeline;
}

CwResultView *
cw_run_page_get_result_view (CwRunPage *self)
{
  g_return_val_if_fail (CW_IS_RUN_PAGE (self), NULL);
  return self->result_view;
}

CwReplay *
cw_run_page_get_replay (CwRunPage *self)
{
  g_return_val_if_fail (CW_IS_RUN_PAGE (self), NULL);
  return self->replay;
}

static void
expanded_cb (CwRunPage *self)
{
  self->results_touched = TRUE;
}

static void
cw_run_page_dispose (GObject *object)
{
  CwRunPage *self = CW_RUN_PAGE (object);

  if (self->replay != NULL)
    {
      cw_replay_pause (self->replay);
      g_signal_handlers_disconnect_by_data (self->replay, self);
    }
  g_clear_object (&self->replay);
  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_RUN_PAGE);
  G_OBJECT_CLASS (cw_run_page_parent_class)->dispose (object);
}

static void
cw_run_page_class_init (CwRunPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_run_page_dispose;

  g_type_ensure (CW_TYPE_CPU_METER);
  g_type_ensure (CW_TYPE_TIMELINE);
  g_type_ensure (CW_TYPE_RESULT_VIEW);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/corewave/Corewave/cw-run-page.ui");
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, scroller);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, page_box);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, meter);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, progress_box);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, timeline);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, replay_revealer);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, play_button);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, speed_1);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, speed_quarter);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, speed_tenth);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, replay_scale);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, replay_adjustment);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, replay_time);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, results_expander);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, results_label);
  gtk_widget_class_bind_template_child (widget_class, CwRunPage, result_view);
  gtk_widget_class_bind_template_callback (widget_class, speed_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, scale_change_value_cb);

  gtk_widget_class_install_action (widget_class, "run.play", NULL, play_action);
  gtk_widget_class_install_action (widget_class, "run.live", NULL, live_action);

  gtk_widget_class_set_css_name (widget_class, "runpage");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
cw_run_page_init (CwRunPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->replay = cw_replay_new ();
  g_signal_connect_swapped (self->replay, "sample", G_CALLBACK (replay_sample_cb), self);
  g_signal_connect_swapped (self->replay, "rewound", G_CALLBACK (replay_rewound_cb), self);
  g_signal_connect_swapped (self->replay, "notify::position", G_CALLBACK (replay_position_cb), self);
  g_signal_connect_swapped (self->replay, "notify::playing", G_CALLBACK (update_replay_actions), self);
  g_signal_connect_swapped (self->replay, "notify::active", G_CALLBACK (update_replay_actions), self);
  g_signal_connect_swapped (self->replay, "notify::available", G_CALLBACK (update_replay_time), self);
  g_signal_connect_swapped (self->replay, "finished", G_CALLBACK (replay_finished_cb), self);
  g_signal_connect_swapped (self->results_expander, "notify::expanded", G_CALLBACK (expanded_cb), self);
  update_replay_actions (self);
  update_replay_time (self);
}
