/* cw-cpu-meter.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Run page's hero: a history graph per core (60 s, in the manner of
 * GNOME System Monitor), its use in large figures and the worker that ran
 * there, in that worker's colour and number, as on the timeline. It takes
 * the height it is given and its type grows with it, so a class can read
 * it from the back of the room. When the cards would be too small to read
 * a graph (many cores in a small window, 256 cores anywhere), each core is
 * a tile of a heat map coloured by its use, with the colour scale beside
 * it and the figures on the tiles, on hover or on keyboard focus (arrows
 * move between cores).
 *
 * This file keeps the data (a ring of samples per core, nothing allocated
 * per sample once the core count is known), sizes, input and the
 * accessible label; cw-cpu-meter-draw.c draws.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-cpu-meter-private.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cw-cpus.h"

G_DEFINE_FINAL_TYPE (CwCpuMeter, cw_cpu_meter, GTK_TYPE_WIDGET)

/* ---------------------------------------------------------------------- */
/* what it shows */

guint
_cw_cpu_meter_shown_cpus (CwCpuMeter *self)
{
  /* Before the first sample, lay out this machine's cores, so the meter
   * does not change size when the first sample arrives. */
  if (self->n_cpus > 0)
    return self->n_cpus;

  return cw_cpus_online ();
}

double
_cw_cpu_meter_smoothed (CwCpuMeter *self,
                        guint       core,
                        guint       age,
                        gint64      span_us)
{
  guint slot;
  gint64 newest;
  double sum = 0;
  guint n = 0;

  if (core >= self->n_cpus || age >= self->count)
    return 0.0;
  slot = (self->head + CW_METER_HISTORY - 1 - age) % CW_METER_HISTORY;
  newest = self->times[slot];
  if (self->usage[(gsize) core * CW_METER_HISTORY + slot] < 0)
    return -1;
  /* /proc/stat counts in 10 ms ticks: a 50 ms sample is a fifth of a
   * core either way; the figures a person reads average a little more */
  for (; age < self->count; age++)
    {
      float v;

      slot = (self->head + CW_METER_HISTORY - 1 - age) % CW_METER_HISTORY;
      if (n > 0 && newest - self->times[slot] >= span_us)
        break;
      v = self->usage[(gsize) core * CW_METER_HISTORY + slot];
      sum += MAX (v, 0);
      n++;
    }
  return n > 0 ? sum / n : 0.0;
}

double
_cw_cpu_meter_current (CwCpuMeter *self,
                       guint       core)
{
  return _cw_cpu_meter_smoothed (self, core, 0, CW_METER_SMOOTH_US);
}

char *
_cw_cpu_meter_describe_core (CwCpuMeter *self,
                             guint       core)
{
  double now = _cw_cpu_meter_current (self, core);

  if (core >= self->n_cpus)
    /* Translators: a core before any sample */
    return g_strdup_printf (_("Core %u"), core);
  if (now < 0)
    return g_strdup_printf (_("Core %u: offline"), core);
  if (self->marks_shown && self->workers[core] > 1)
    /* Translators: a core's use, the worker that ran there most and how many shared it,
     * e.g. "Core 3: 87 % · worker 2 and 3 more" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Core %u: %d %% · worker %u and %u more",
                                         "Core %u: %d %% · worker %u and %u more",
                                         self->workers[core] - 1),
                            core, (int) lround (now * 100), self->worker[core],
                            self->workers[core] - 1);
  if (self->marks_shown && self->worker[core] > 0)
    /* Translators: a core's use and the worker on it, e.g. "Core 3: 87 % · worker 2" */
    return g_strdup_printf (_("Core %u: %d %% · worker %u"), core, (int) lround (now * 100),
                            self->worker[core]);
  /* Translators: a core's use, e.g. "Core 3: 87 %" */
  return g_strdup_printf (_("Core %u: %d %%"), core, (int) lround (now * 100));
}

static void
update_accessible (CwCpuMeter *self)
{
  int percent = (int) lround (CLAMP (self->total, 0, 1) * 100);
  g_autofree char *label = NULL;
  g_autofree char *cores = NULL;

  if (percent == self->a11y_percent &&
      self->n_cpus == self->a11y_cpus &&
      self->n_marked == self->a11y_marked)
    return;

  self->a11y_percent = percent;
  self->a11y_cpus = self->n_cpus;
  self->a11y_marked = self->n_marked;

  cores = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", self->n_cpus),
                           self->n_cpus);
  if (self->n_marked > 0)
    {
      g_autofree char *marked = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u with a worker",
                                                              "%u with workers", self->n_marked),
                                                 self->n_marked);

      /* Translators: the meter's accessible name: the CPU use in percent,
       * "8 cores", "2 with workers" */
      label = g_strdup_printf (_("CPU use %d %%, %s, %s"), percent, cores, marked);
    }
  else
    /* Translators: the meter's accessible name: the CPU use in percent, "8 cores" */
    label = g_strdup_printf (_("CPU use %d %%, %s"), percent, cores);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, (double) percent,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_TEXT, label,
                                  -1);
}

static void
count_marks (CwCpuMeter *self)
{
  self->n_marked = 0;
  for (guint i = 0; i < self->n_cpus; i++)
    if (self->workers[i] > 0)
      self->n_marked++;
}

void
cw_cpu_meter_push_sample (CwCpuMeter        *self,
                          const CwCpuSample *sample)
{
  g_return_if_fail (CW_IS_CPU_METER (self));
  g_return_if_fail (sample != NULL);

  if (sample->n_cpus != self->n_cpus)
    {
      /* Cores came or went: a new grid and a fresh history. */
      if (sample->n_cpus > self->capacity)
        {
          self->capacity = sample->n_cpus;
          self->usage = g_renew (float, self->usage, (gsize) self->capacity * CW_METER_HISTORY);
          self->owner = g_renew (guint16, self->owner, (gsize) self->capacity * CW_METER_HISTORY);
          self->workers = g_renew (guint, self->workers, self->capacity);
          self->worker = g_renew (guint, self->worker, self->capacity);
        }
      self->n_cpus = sample->n_cpus;
      self->head = 0;
      self->count = 0;
      memset (self->workers, 0, self->capacity * sizeof (guint));
      memset (self->worker, 0, self->capacity * sizeof (guint));
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }

  self->times[self->head] = sample->time_us;
  self->n_running = 0;
  for (guint i = 0; i < self->n_cpus; i++)
    {
      double u = sample->usage[i];
      gsize at = (gsize) i * CW_METER_HISTORY + self->head;
      guint count = self->marks_shown && sample->workers != NULL ? sample->workers[i] : 0;
      guint who = self->marks_shown && sample->worker != NULL ? sample->worker[i] : 0;

      /* samples of old (the worker count alone) name no worker: the first */
      if (count > 0 && who == 0)
        who = 1;
      self->usage[at] = u < 0 ? -1.f : (float) MIN (u, 1.0);
      self->owner[at] = MIN (who, G_MAXUINT16);
      self->workers[i] = count;
      self->worker[i] = who;
    }
  if (self->marks_shown && sample->procs != NULL)
    for (guint p = 0; p < sample->n_procs; p++)
      if (sample->procs[p].use >= CW_CPU_MARK_MIN)
        self->n_running++;
  count_marks (self);
  self->head = (self->head + 1) % CW_METER_HISTORY;
  self->count = MIN (self->count + 1, CW_METER_HISTORY);
  self->total = sample->total;

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cw_cpu_meter_reset (CwCpuMeter *self)
{
  g_return_if_fail (CW_IS_CPU_METER (self));

  self->head = 0;
  self->count = 0;
  self->total = 0;
  self->n_marked = 0;
  self->n_running = 0;
  if (self->workers != NULL)
    {
      memset (self->workers, 0, self->capacity * sizeof (guint));
      memset (self->worker, 0, self->capacity * sizeof (guint));
    }

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cw_cpu_meter_set_marks_shown (CwCpuMeter *self,
                              gboolean    shown)
{
  g_return_if_fail (CW_IS_CPU_METER (self));

  shown = !!shown;
  if (self->marks_shown == shown)
    return;
  self->marks_shown = shown;
  if (!shown && self->workers != NULL)
    {
      /* the batch is over: no core runs a worker now (the history keeps
       * who ran where) */
      memset (self->workers, 0, self->capacity * sizeof (guint));
      memset (self->worker, 0, self->capacity * sizeof (guint));
      self->n_running = 0;
      count_marks (self);
      update_accessible (self);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cw_cpu_meter_set_large (CwCpuMeter *self,
                        gboolean    large)
{
  g_return_if_fail (CW_IS_CPU_METER (self));

  large = !!large;
  if (self->large == large)
    return;
  self->large = large;
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

guint
cw_cpu_meter_get_n_cpus (CwCpuMeter *self)
{
  g_return_val_if_fail (CW_IS_CPU_METER (self), 0);
  return self->n_cpus;
}

guint
cw_cpu_meter_get_n_samples (CwCpuMeter *self)
{
  g_return_val_if_fail (CW_IS_CPU_METER (self), 0);
  return self->count;
}

guint
cw_cpu_meter_get_n_marked (CwCpuMeter *self)
{
  g_return_val_if_fail (CW_IS_CPU_METER (self), 0);
  return self->n_marked;
}

guint
cw_cpu_meter_get_worker (CwCpuMeter *self,
                         guint       core)
{
  g_return_val_if_fail (CW_IS_CPU_METER (self), 0);
  return core < self->n_cpus ? self->worker[core] : 0;
}

const char *
cw_cpu_meter_get_mode_name (CwCpuMeter *self)
{
  CwMeterLayout l;

  g_return_val_if_fail (CW_IS_CPU_METER (self), NULL);

  _cw_cpu_meter_compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                                gtk_widget_get_height (GTK_WIDGET (self)), &l);
  return l.mode == CW_METER_HEAT ? "heat map" : "graphs";
}

GtkWidget *
cw_cpu_meter_new (void)
{
  return g_object_new (CW_TYPE_CPU_METER, NULL);
}

/* ---------------------------------------------------------------------- */
/* size */

static GtkSizeRequestMode
cw_cpu_meter_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cw_cpu_meter_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  CwCpuMeter *self = CW_CPU_METER (widget);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 280;
      *natural = 720;
    }
  else
    {
      int min = _cw_cpu_meter_min_height (self, for_size >= 0 ? for_size : 720);

      /* it grows with what it is given: ask for a little more than the least */
      *minimum = min;
      *natural = min + min / 2;
    }
}

static void
cw_cpu_meter_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  _cw_cpu_meter_snapshot (CW_CPU_METER (widget), snapshot);
}

/* ---------------------------------------------------------------------- */
/* input: a core under the pointer or the keyboard focus is described */

static gboolean
cw_cpu_meter_query_tooltip (GtkWidget  *widget,
                            int         x,
                            int         y,
                            gboolean    keyboard_tooltip,
                            GtkTooltip *tooltip)
{
  CwCpuMeter *self = CW_CPU_METER (widget);
  g_autofree char *text = NULL;
  int core;

  core = keyboard_tooltip ? self->focus_core : _cw_cpu_meter_core_at (self, x, y);
  if (core < 0 || (guint) core >= self->n_cpus)
    return FALSE;

  text = _cw_cpu_meter_describe_core (self, core);
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

static void
motion_cb (GtkEventControllerMotion *motion,
           double                    x,
           double                    y,
           CwCpuMeter               *self)
{
  int core = _cw_cpu_meter_core_at (self, x, y);

  if (core != self->hover_core)
    {
      self->hover_core = core;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
leave_cb (GtkEventControllerMotion *motion,
          CwCpuMeter               *self)
{
  if (self->hover_core >= 0)
    {
      self->hover_core = -1;
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static gboolean
key_pressed_cb (GtkEventControllerKey *key,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                CwCpuMeter            *self)
{
  CwMeterLayout l;
  int n = _cw_cpu_meter_shown_cpus (self);
  int core = self->focus_core < 0 ? 0 : self->focus_core;

  if (state & (GDK_CONTROL_MASK | GDK_ALT_MASK | GDK_SHIFT_MASK))
    return FALSE;
  _cw_cpu_meter_compute_layout (self, gtk_widget_get_width (GTK_WIDGET (self)),
                                gtk_widget_get_height (GTK_WIDGET (self)), &l);
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      core--;
      break;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      core++;
      break;
    case GDK_KEY_Up:
    case GDK_KEY_KP_Up:
      core -= l.cols;
      break;
    case GDK_KEY_Down:
    case GDK_KEY_KP_Down:
      core += l.cols;
      break;
    case GDK_KEY_Home:
      core = 0;
      break;
    case GDK_KEY_End:
      core = n - 1;
      break;
    default:
      return FALSE;
    }
  if (self->focus_core >= 0 && (core < 0 || core >= n))
    return FALSE;  /* off the edge: let focus move on */
  self->focus_core = CLAMP (core, 0, n - 1);
  gtk_widget_trigger_tooltip_query (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  return TRUE;
}

static void
focus_leave_cb (GtkEventControllerFocus *focus,
                CwCpuMeter              *self)
{
  self->focus_core = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* ---------------------------------------------------------------------- */

static void
cw_cpu_meter_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (cw_cpu_meter_parent_class)->css_changed (widget, change);

  /* The font may have changed: measure the text again. */
  _cw_cpu_meter_drop_layouts (CW_CPU_METER (widget));
  gtk_widget_queue_resize (widget);
}

static void
cw_cpu_meter_system_setting_changed (GtkWidget        *widget,
                                     GtkSystemSetting  setting)
{
  GTK_WIDGET_CLASS (cw_cpu_meter_parent_class)->system_setting_changed (widget, setting);

  _cw_cpu_meter_drop_layouts (CW_CPU_METER (widget));
  gtk_widget_queue_resize (widget);
}

static void
cw_cpu_meter_finalize (GObject *object)
{
  CwCpuMeter *self = CW_CPU_METER (object);

  _cw_cpu_meter_drop_layouts (self);
  g_clear_pointer (&self->times, g_free);
  g_clear_pointer (&self->usage, g_free);
  g_clear_pointer (&self->owner, g_free);
  g_clear_pointer (&self->workers, g_free);
  g_clear_pointer (&self->worker, g_free);

  G_OBJECT_CLASS (cw_cpu_meter_parent_class)->finalize (object);
}

static void
cw_cpu_meter_class_init (CwCpuMeterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = cw_cpu_meter_finalize;

  widget_class->get_request_mode = cw_cpu_meter_get_request_mode;
  widget_class->measure = cw_cpu_meter_measure;
  widget_class->snapshot = cw_cpu_meter_snapshot;
  widget_class->query_tooltip = cw_cpu_meter_query_tooltip;
  widget_class->css_changed = cw_cpu_meter_css_changed;
  widget_class->system_setting_changed = cw_cpu_meter_system_setting_changed;

  gtk_widget_class_set_css_name (widget_class, "cpumeter");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_METER);
}

static void
cw_cpu_meter_init (CwCpuMeter *self)
{
  GtkEventController *controller;

  self->a11y_percent = -1;
  self->focus_core = -1;
  self->hover_core = -1;
  self->marks_shown = TRUE;
  self->times = g_new0 (gint64, CW_METER_HISTORY);

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_key_new ();
  g_signal_connect (controller, "key-pressed", G_CALLBACK (key_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_focus_new ();
  g_signal_connect (controller, "leave", G_CALLBACK (focus_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 100.0,
                                  -1);
  update_accessible (self);
}
