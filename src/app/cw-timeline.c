/* cw-timeline.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A Gantt chart of the batch drawn with GtkSnapshot alone: a thin heat
 * strip per core on top (the CPU history), then one lane per worker with a
 * bar per task, both on one axis in seconds since the batch started. Bars
 * are small structs in one GArray per lane, kept in start order; drawing
 * merges neighbours of one status narrower than a pixel into one rectangle,
 * so 10,000 tasks cost about as many nodes as the widget has pixels across,
 * and nothing is allocated per bar. Tasks too short to time (mul10) carry
 * their chunk's time stamp: a run of them with the same times, one after
 * another on a lane, is kept as one bar, so the lab's 200,000 such results
 * cost an increment each, not a bar each.
 *
 * A lane is its worker's colour, as on the CPU meter (failed is red,
 * cancelled grey). While a batch runs, the task a worker is on is drawn
 * from its start and grows to "now" (cw_timeline_task_started (): the pool
 * says when a worker starts a task); the axis runs on with it. Redraws go
 * with the CPU samples (cw_timeline_push_cpu ()), or five times a second
 * without them. A replay sets a cursor: everything is drawn as it was at
 * that moment, tasks under way as running bars.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-timeline.h"

#include <inttypes.h>
#include <math.h>

#include <glib/gi18n.h>

#include "cw-colors.h"

#define MIN_SPAN_US      100000   /* the axis shows at least 0.1 s */
#define REDRAW_MS        200      /* while running without samples */
#define TICK_MIN_PX      56
#define PAD               4
#define CPU_ROW_PX        5
#define CPU_STRIP_MIN    10
#define CPU_STRIP_MAX    36
#define HIT_SLOP_PX       3
#define BAR_GAP_MIN_PX    4       /* bars this wide get a 1 px gap at their end */

typedef struct
{
  gint64      start_us;   /* from the batch's start */
  gint64      end_us;
  guint64     index;      /* the first task's */
  const char *name;       /* in names; NULL for synthetic tasks */
  guint32     n_tasks;    /* tasks index, index + 1, … with these times */
  guint8      attempts;
  guint8      status;
} Bar;

struct _CwTimeline
{
  GtkWidget     parent_instance;

  gint64        start_us;       /* monotonic time of the batch's start */
  gint64        last_us;        /* the latest end seen, from the start */
  GPtrArray    *lanes;          /* GArray of Bar, per worker slot */
  GStringChunk *names;          /* display names of the inputs */
  guint64       n_bars;

  guint         n_cpus;         /* of the first sample; 0 before it */
  GArray       *cpu_times;      /* gint64, from the start, end of each interval */
  GArray       *cpu_usage;      /* float, n_cpus per sample; < 0 offline */

  GArray       *running_tasks; /* Running, per lane; index G_MAXUINT64 when idle */
  gint64        cursor_us;      /* a replay's moment, from the start; -1 live */

  gboolean      running;
  guint         redraw_id;
  gint64        last_draw_us;

  PangoLayout  *small_layout;
};

/* The task a lane's worker is on now, as the pool last said. */
typedef struct
{
  guint64 index;
  gint64  start_us;   /* from the batch's start */
} Running;

#define NOT_RUNNING G_MAXUINT64

G_DEFINE_FINAL_TYPE (CwTimeline, cw_timeline, GTK_TYPE_WIDGET)

typedef struct
{
  double  plot_x;      /* where t = 0 is */
  double  plot_w;
  double  scale;       /* px per µs */
  double  cpu_y;
  double  cpu_h;       /* 0 without samples */
  double  lanes_y;
  double  lane_h;
  double  lanes_h;
  double  axis_y;
  int     text_h;
  gint64  span_us;
} Geometry;

typedef struct
{
  GdkRGBA  fg;
  GdkRGBA  dim;
  GdkRGBA  grid;
  GdkRGBA  lane;
  GdkRGBA  done;       /* the lane's worker's colour, set per lane */
  GdkRGBA  failed;
  GdkRGBA  cancelled;
  GdkRGBA  heat;
  GdkRGBA  trough;
  gboolean dark;
} Palette;

/* ---------------------------------------------------------------------- */
/* geometry */

static PangoLayout *
get_small_layout (CwTimeline *self)
{
  if (self->small_layout == NULL)
    {
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_scale_new (PANGO_SCALE_SMALL));
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
      self->small_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_attributes (self->small_layout, attrs);
    }

  return self->small_layout;
}

/* Now, from the batch's start: the replay's cursor, the clock while
 * running, else the end. */
static gint64
get_now (CwTimeline *self)
{
  if (self->cursor_us >= 0)
    return self->cursor_us;
  if (self->running && self->start_us > 0)
    return g_get_monotonic_time () - self->start_us;
  return G_MAXINT64;
}

static gint64
get_span (CwTimeline *self)
{
  gint64 span = self->last_us;

  if (self->cpu_times->len > 0)
    span = MAX (span, g_array_index (self->cpu_times, gint64, self->cpu_times->len - 1));
  if (self->running && self->start_us > 0 && self->cursor_us < 0)
    span = MAX (span, g_get_monotonic_time () - self->start_us);
  return MAX (span, MIN_SPAN_US);
}

static void
get_geometry (CwTimeline *self,
              Geometry   *g)
{
  PangoLayout *layout = get_small_layout (self);
  double width = gtk_widget_get_width (GTK_WIDGET (self));
  double height = gtk_widget_get_height (GTK_WIDGET (self));
  guint n_lanes = MAX (self->lanes->len, 1);
  g_autofree char *widest = g_strdup_printf ("%u", n_lanes);
  int label_w;

  pango_layout_set_text (layout, widest, -1);
  pango_layout_get_pixel_size (layout, &label_w, &g->text_h);

  g->plot_x = label_w + 2 * PAD;
  g->plot_w = MAX (width - g->plot_x - PAD, 1);
  g->span_us = get_span (self);
  g->scale = g->plot_w / g->span_us;

  g->cpu_y = 0;
  g->cpu_h = self->n_cpus > 0 ? CLAMP (self->n_cpus * CPU_ROW_PX, CPU_STRIP_MIN, CPU_STRIP_MAX) : 0;
  g->lanes_y = g->cpu_h > 0 ? g->cpu_h + PAD : 0;
  g->axis_y = height - g->text_h - PAD;
  g->lanes_h = MAX (g->axis_y - g->lanes_y, 1);
  g->lane_h = g->lanes_h / n_lanes;
}

/* The step between ticks, 1, 2 or 5 × 10ⁿ µs, at least TICK_MIN_PX apart. */
static gint64
tick_step (const Geometry *g)
{
  double wanted = TICK_MIN_PX / g->scale;
  gint64 step = 1000;   /* 1 ms */

  for (;;)
    {
      if (step >= wanted)
        return step;
      if (2 * step >= wanted)
        return 2 * step;
      if (5 * step >= wanted)
        return 5 * step;
      step *= 10;
    }
}

/* ---------------------------------------------------------------------- */
/* colours */

static void
get_palette (CwTimeline *self,
             Palette    *p)
{
  GtkWidget *widget = GTK_WIDGET (self);

  cw_colors_get_foreground (widget, &p->fg);
  p->dark = cw_colors_is_dark (&p->fg);
  cw_colors_lookup (widget, "accent_bg_color", "#3584e4", &p->heat);
  cw_colors_lookup (widget, "error_bg_color", "#e01b24", &p->failed);
  p->done = p->heat;
  p->dim = cw_colors_with_alpha (&p->fg, 0.7f);
  p->grid = cw_colors_with_alpha (&p->fg, 0.12f);
  p->lane = cw_colors_with_alpha (&p->fg, 0.05f);
  p->trough = cw_colors_with_alpha (&p->fg, 0.06f);
  p->cancelled = cw_colors_with_alpha (&p->fg, 0.3f);
}

static const GdkRGBA *
status_color (const Palette *p,
              guint8         status)
{
  switch (status)
    {
    case CW_STATUS_OK:
      return &p->done;
    case CW_STATUS_FAILED:
      return &p->failed;
    default:
      return &p->cancelled;
    }
}

/* ---------------------------------------------------------------------- */
/* drawing */

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *color,
             double         x,
             double         y,
             double         w,
             double         h)
{
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, w, h));
}

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             double         x,
             double         y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
snapshot_axis (CwTimeline     *self,
               GtkSnapshot    *snapshot,
               const Geometry *g,
               const Palette  *p)
{
  PangoLayout *layout = get_small_layout (self);
  gint64 step = tick_step (g);
  double right = g->plot_x + g->plot_w;

  for (gint64 t = 0; t <= g->span_us; t += step)
    {
      double x = round (g->plot_x + t * g->scale);
      char text[32];
      int w, h;

      append_rect (snapshot, &p->grid, x, g->lanes_y, 1, g->axis_y - g->lanes_y + 2);
      if (step >= 1000000)
        g_snprintf (text, sizeof text, "%.0f s", t / 1e6);
      else if (step >= 100000)
        g_snprintf (text, sizeof text, "%.1f s", t / 1e6);
      else if (step >= 10000)
        g_snprintf (text, sizeof text, "%.2f s", t / 1e6);
      else
        g_snprintf (text, sizeof text, "%.3f s", t / 1e6);
      pango_layout_set_text (layout, text, -1);
      pango_layout_get_pixel_size (layout, &w, &h);
      /* the first label starts at its tick; the others are centred, and
       * none sticks out on the right */
      append_text (snapshot, layout, t == 0 ? x : MIN (x - w / 2.0, right - w), g->axis_y + 2, &p->dim);
    }
}

static void
snapshot_cpu (CwTimeline     *self,
              GtkSnapshot    *snapshot,
              const Geometry *g,
              const Palette  *p)
{
  guint n = self->cpu_times->len;
  double row_h = g->cpu_h / self->n_cpus;
  gint64 now = get_now (self);

  /* a replay shows the samples taken up to its moment */
  while (n > 0 && g_array_index (self->cpu_times, gint64, n - 1) > now)
    n--;

  append_rect (snapshot, &p->trough, g->plot_x, g->cpu_y, g->plot_w, g->cpu_h);
  for (guint c = 0; c < self->n_cpus; c++)
    {
      double y = g->cpu_y + c * row_h;
      double h = MAX (row_h - (row_h >= 3 ? 1 : 0), 0.5);
      double run_x0 = g->plot_x;
      double sum = 0, weight = 0;
      gint64 prev = 0;

      /* average samples until the run is a pixel wide */
      for (guint i = 0; i < n; i++)
        {
          gint64 t = g_array_index (self->cpu_times, gint64, i);
          float usage = g_array_index (self->cpu_usage, float, i * self->n_cpus + c);
          double x1 = g->plot_x + t * g->scale;

          if (usage >= 0)
            {
              sum += usage * (t - prev);
              weight += t - prev;
            }
          prev = t;
          if (x1 - run_x0 < 1 && i + 1 < n)
            continue;
          if (weight > 0 && sum > 0)
            {
              GdkRGBA color = cw_colors_with_alpha (&p->heat, CLAMP (sum / weight, 0, 1));

              append_rect (snapshot, &color, run_x0, y, x1 - run_x0, h);
            }
          run_x0 = x1;
          sum = weight = 0;
        }
    }
}

/* A task under way: its worker's colour, lighter, with a solid leading
 * edge, from its start to now. */
static void
snapshot_running (GtkSnapshot    *snapshot,
                  const Geometry *g,
                  const Palette  *p,
                  gint64          start_us,
                  gint64          now_us,
                  double          y,
                  double          h)
{
  double x0 = g->plot_x + start_us * g->scale;
  double x1 = g->plot_x + MAX (now_us, start_us) * g->scale;
  GdkRGBA light = cw_colors_with_alpha (&p->done, 0.5f);
  double edge = MIN (2, MAX (x1 - x0, 1));

  x1 = MAX (x1, x0 + 1);
  append_rect (snapshot, &light, x0, y, x1 - x0, h);
  append_rect (snapshot, &p->done, x1 - edge, y, edge, h);
}

static void
snapshot_lane (GtkSnapshot    *snapshot,
               GArray         *bars,
               const Geometry *g,
               const Palette  *p,
               gint64          now_us,
               double          y,
               double          h)
{
  double run_x0 = 0, run_x1 = -G_MAXDOUBLE;
  int run_status = -1;

  for (guint i = 0; i < bars->len; i++)
    {
      const Bar *bar = &g_array_index (bars, Bar, i);
      double x0 = g->plot_x + bar->start_us * g->scale;
      double x1 = g->plot_x + bar->end_us * g->scale;
      double w = x1 - x0;

      if (bar->start_us > now_us)
        break;  /* a replay: not started yet (bars are in start order) */
      if (bar->end_us > now_us)
        {
          /* a replay: under way at this moment */
          snapshot_running (snapshot, g, p, bar->start_us, now_us, y, h);
          continue;
        }

      if (w < 1.5 && bar->status == run_status && x0 <= run_x1 + 1)
        {
          run_x1 = MAX (run_x1, MAX (x1, x0 + 1));
          continue;
        }
      if (run_status >= 0)
        append_rect (snapshot, status_color (p, run_status), run_x0, y, run_x1 - run_x0, h);
      run_status = -1;
      if (w < 1.5)
        {
          run_x0 = x0;
          run_x1 = MAX (x1, x0 + 1);
          run_status = bar->status;
        }
      else
        append_rect (snapshot, status_color (p, bar->status), x0, y, w >= BAR_GAP_MIN_PX ? w - 1 : w, h);
    }
  if (run_status >= 0)
    append_rect (snapshot, status_color (p, run_status), run_x0, y, run_x1 - run_x0, h);
}

static void
cw_timeline_snapshot (GtkWidget   *widget,
                      GtkSnapshot *snapshot)
{
  CwTimeline *self = CW_TIMELINE (widget);
  PangoLayout *layout = get_small_layout (self);
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  Geometry g;
  Palette p;
  gint64 now;

  if (width <= 0 || height <= 0)
    return;
  get_geometry (self, &g);
  get_palette (self, &p);

  gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));

  for (guint l = 0; l < MAX (self->lanes->len, 1); l++)
    if (l % 2 == 0)
      append_rect (snapshot, &p.lane, g.plot_x, g.lanes_y + l * g.lane_h, g.plot_w, g.lane_h);
  snapshot_axis (self, snapshot, &g, &p);
  if (g.cpu_h > 0)
    snapshot_cpu (self, snapshot, &g, &p);

  now = get_now (self);
  for (guint l = 0; l < self->lanes->len; l++)
    {
      double y = g.lanes_y + l * g.lane_h;
      double h = MAX (g.lane_h - (g.lane_h >= 6 ? 2 : 0), 0.5);

      cw_colors_get_worker (l, p.dark, &p.done);
      snapshot_lane (snapshot, g_ptr_array_index (self->lanes, l), &g, &p, now, y + (g.lane_h - h) / 2, h);
      if (self->cursor_us < 0 && l < self->running_tasks->len)
        {
          const Running *r = &g_array_index (self->running_tasks, Running, l);

          if (r->index != NOT_RUNNING && r->start_us <= now)
            snapshot_running (snapshot, &g, &p, r->start_us, now, y + (g.lane_h - h) / 2, h);
        }
      if (g.lane_h >= g.text_h)
        {
          char text[16];
          int w, th;

          /* the lane's number in its worker's colour */
          g_snprintf (text, sizeof text, "%u", l + 1);
          pango_layout_set_text (layout, text, -1);
          pango_layout_get_pixel_size (layout, &w, &th);
          append_text (snapshot, layout, g.plot_x - PAD - w, y + (g.lane_h - th) / 2, &p.done);
        }
    }

  if ((self->running && self->start_us > 0) || self->cursor_us >= 0)
    {
      double now_x = g.plot_x + (now == G_MAXINT64 ? 0 : now) * g.scale;

      append_rect (snapshot, self->cursor_us >= 0 ? &p.fg : &p.dim,
                   MIN (now_x, g.plot_x + g.plot_w - 1), g.lanes_y, self->cursor_us >= 0 ? 2 : 1,
                   g.lanes_h);
    }

  gtk_snapshot_pop (snapshot);
  self->last_draw_us = g_get_monotonic_time ();
}

static void
cw_timeline_measure (GtkWidget      *widget,
                     GtkOrientation  orientation,
                     int             for_size,
                     int            *minimum,
                     int            *natural,
                     int            *minimum_baseline,
                     int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 120;
      *natural = 480;
    }
  else
    {
      *minimum = 72;
      *natural = 160;
    }
}

static void
cw_timeline_css_changed (GtkWidget         *widget,
                         GtkCssStyleChange *change)
{
  CwTimeline *self = CW_TIMELINE (widget);

  GTK_WIDGET_CLASS (cw_timeline_parent_class)->css_changed (widget, change);
  /* fonts may have changed */
  g_clear_object (&self->small_layout);
  gtk_widget_queue_draw (widget);
}

/* ---------------------------------------------------------------------- */
/* hit testing */

static const Bar *
find_bar (CwTimeline     *self,
          const Geometry *g,
          guint           lane,
          double          x)
{
  GArray *bars;
  const Bar *best = NULL;
  double best_d = HIT_SLOP_PX;
  gint64 t = (x - g->plot_x) / g->scale;
  guint lo = 0, hi;

  if (lane >= self->lanes->len)
    return NULL;
  bars = g_ptr_array_index (self->lanes, lane);
  hi = bars->len;
  /* the first bar starting after t */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (g_array_index (bars, Bar, mid).start_us <= t)
        lo = mid + 1;
      else
        hi = mid;
    }
  for (guint i = lo > 2 ? lo - 2 : 0; i < MIN (lo + 2, bars->len); i++)
    {
      const Bar *bar = &g_array_index (bars, Bar, i);
      double x0 = g->plot_x + bar->start_us * g->scale;
      double x1 = g->plot_x + bar->end_us * g->scale;
      double d = x < x0 ? x0 - x : x > x1 ? x - x1 : -1;

      if (d < best_d)
        {
          best = bar;
          best_d = d;
        }
    }
  return best;
}

static const char *
status_name (guint8 status)
{
  switch (status)
    {
    case CW_STATUS_OK:
      return C_("task status", "done");
    case CW_STATUS_FAILED:
      return C_("task status", "failed");
    default:
      return C_("task status", "cancelled");
    }
}

char *
cw_timeline_describe_at (CwTimeline *self,
                         double      x,
                         double      y)
{
  Geometry g;

  g_return_val_if_fail (CW_IS_TIMELINE (self), NULL);

  get_geometry (self, &g);
  if (x < g.plot_x || x > g.plot_x + g.plot_w)
    return NULL;

  if (g.cpu_h > 0 && y >= g.cpu_y && y < g.cpu_y + g.cpu_h)
    {
      guint core = (y - g.cpu_y) / (g.cpu_h / self->n_cpus);
      gint64 t = (x - g.plot_x) / g.scale;

      for (guint i = 0; i < self->cpu_times->len && core < self->n_cpus; i++)
        if (g_array_index (self->cpu_times, gint64, i) >= t)
          {
            float usage = g_array_index (self->cpu_usage, float, i * self->n_cpus + core);

            if (usage < 0)
              return g_strdup_printf (_("Core %u: offline"), core);
            /* Translators: a core's use at a time since the batch started, e.g. "Core 3: 87 % at 1.2 s" */
            return g_strdup_printf (_("Core %u: %.0f %% at %.1f s"), core, usage * 100.0, t / 1e6);
          }
      return NULL;
    }

  if (y >= g.lanes_y && y < g.lanes_y + g.lanes_h)
    {
      guint lane = (y - g.lanes_y) / g.lane_h;
      const Bar *bar = find_bar (self, &g, lane, x);
      g_autofree char *task = NULL;
      g_autofree char *times = NULL;

      if (bar == NULL)
        return NULL;
      if (bar->n_tasks > 1)
        /* Translators: tasks too short to time, done in one go on a worker: the first and last
         * task's numbers and the worker, e.g. "Tasks #100–#199 · worker 3" */
        task = g_strdup_printf (_("Tasks #%'" PRIu64 "–#%'" PRIu64 " · worker %u"),
                                bar->index, bar->index + bar->n_tasks - 1, lane + 1);
      else
        /* Translators: a task's number and the worker that ran it, e.g. "Task #12 · worker 3" */
        task = g_strdup_printf (_("Task #%'" PRIu64 " · worker %u"), bar->index, lane + 1);
      /* Translators: start and end in seconds since the batch started, the task's time, its status,
       * e.g. "1.250–1.730 s (480 ms) · done" */
      times = g_strdup_printf (_("%.3f–%.3f s (%.0f ms) · %s"),
                               bar->start_us / 1e6, bar->end_us / 1e6,
                               (bar->end_us - bar->start_us) / 1e3, status_name (bar->status));
      if (bar->attempts > 1)
        {
          char *retried = g_strconcat (times, " · ", _("retried"), NULL);

          g_free (times);
          times = retried;
        }
      if (bar->name != NULL)
        return g_strdup_printf ("%s\n%s\n%s", bar->name, task, times);
      return g_strdup_printf ("%s\n%s", task, times);
    }

  return NULL;
}

static gboolean
cw_timeline_query_tooltip (GtkWidget  *widget,
                           int         x,
                           int         y,
                           gboolean    keyboard_tooltip,
                           GtkTooltip *tooltip)
{
  g_autofree char *text = NULL;

  if (keyboard_tooltip)
    return FALSE;
  text = cw_timeline_describe_at (CW_TIMELINE (widget), x, y);
  if (text == NULL)
    return FALSE;
  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* the data */

/* Without samples (the lab's timelines), the axis and the running tasks
 * move on five times a second; with them, at their rate. */
static gboolean
redraw_cb (gpointer user_data)
{
  CwTimeline *self = CW_TIMELINE (user_data);

  if (g_get_monotonic_time () - self->last_draw_us >= REDRAW_MS * 1000 * 3 / 4)
    gtk_widget_queue_draw (GTK_WIDGET (self));
  return G_SOURCE_CONTINUE;
}

void
cw_timeline_set_running (CwTimeline *self,
                         gboolean    running)
{
  g_return_if_fail (CW_IS_TIMELINE (self));

  running = !!running;
  if (self->running == running)
    return;
  self->running = running;
  if (running)
    self->redraw_id = g_timeout_add (REDRAW_MS, redraw_cb, self);
  else
    {
      g_clear_handle_id (&self->redraw_id, g_source_remove);
      /* nothing runs after the batch */
      for (guint l = 0; l < self->running_tasks->len; l++)
        g_array_index (self->running_tasks, Running, l).index = NOT_RUNNING;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static GArray *
new_lane (void)
{
  return g_array_new (FALSE, FALSE, sizeof (Bar));
}

void
cw_timeline_clear (CwTimeline *self,
                   gint64      batch_start_us,
                   guint       n_workers)
{
  g_return_if_fail (CW_IS_TIMELINE (self));

  self->start_us = batch_start_us;
  self->last_us = 0;
  self->n_bars = 0;
  g_ptr_array_set_size (self->lanes, 0);
  for (guint i = 0; i < n_workers; i++)
    g_ptr_array_add (self->lanes, new_lane ());
  g_array_set_size (self->running_tasks, 0);
  self->cursor_us = -1;
  g_string_chunk_clear (self->names);
  self->n_cpus = 0;
  g_array_set_size (self->cpu_times, 0);
  g_array_set_size (self->cpu_usage, 0);
  cw_timeline_set_running (self, TRUE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cw_timeline_add (CwTimeline     *self,
                 const CwResult *result)
{
  GArray *bars;
  Bar bar = { 0 };
  guint at;

  g_return_if_fail (CW_IS_TIMELINE (self));
  g_return_if_fail (result != NULL);

  /* cancelled before it started: no bar to draw */
  if (result->start_us <= 0 || result->end_us < result->start_us)
    return;

  while (self->lanes->len <= result->worker)
    g_ptr_array_add (self->lanes, new_lane ());
  bars = g_ptr_array_index (self->lanes, result->worker);
  /* its running bar becomes this one (a later task's start stays) */
  if (result->worker < self->running_tasks->len)
    {
      Running *r = &g_array_index (self->running_tasks, Running, result->worker);

      if (r->index != NOT_RUNNING && r->index <= result->index)
        r->index = NOT_RUNNING;
    }

  bar.start_us = result->start_us - self->start_us;
  bar.end_us = result->end_us - self->start_us;
  bar.index = result->index;
  bar.status = result->status;
  bar.attempts = MIN (result->attempts, G_MAXUINT8);
  bar.n_tasks = 1;

  /* the next task of a run stamped together (mul10): the same bar */
  if (bars->len > 0 && result->input_path == NULL)
    {
      Bar *last = &g_array_index (bars, Bar, bars->len - 1);

      if (last->start_us == bar.start_us && last->end_us == bar.end_us && last->name == NULL
          && last->status == bar.status && last->attempts == bar.attempts
          && last->index + last->n_tasks == bar.index && last->n_tasks < G_MAXUINT32)
        {
          last->n_tasks++;
          self->n_bars++;
          return;
        }
    }
  if (result->input_path != NULL)
    {
      g_autofree char *name = g_filename_display_basename (result->input_path);

      bar.name = g_string_chunk_insert_const (self->names, name);
    }

  /* a worker's tasks mostly arrive in start order: usually an append */
  at = bars->len;
  while (at > 0 && g_array_index (bars, Bar, at - 1).start_us > bar.start_us)
    at--;
  g_array_insert_val (bars, at, bar);

  self->n_bars++;
  self->last_us = MAX (self->last_us, bar.end_us);
  if (!self->running)
    gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cw_timeline_push_cpu (CwTimeline        *self,
                      const CwCpuSample *sample)
{
  gint64 t;

  g_return_if_fail (CW_IS_TIMELINE (self));
  g_return_if_fail (sample != NULL);

  /* the strip ends with the batch */
  t = sample->time_us - self->start_us;
  if (!self->running || self->start_us <= 0 || t <= 0 || sample->n_cpus == 0)
    return;
  if (self->n_cpus == 0)
    self->n_cpus = sample->n_cpus;
  if (self->cpu_times->len > 0 && g_array_index (self->cpu_times, gint64, self->cpu_times->len - 1) >= t)
    return;

  g_array_append_val (self->cpu_times, t);
  for (guint c = 0; c < self->n_cpus; c++)
    {
      float usage = c < sample->n_cpus ? sample->usage[c] : -1;

      g_array_append_val (self->cpu_usage, usage);
    }
  /* the running tasks and the axis move on with the samples */
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
cw_timeline_task_started (CwTimeline *self,
                          guint       lane,
                          guint64     index,
                          gint64      start_us)
{
  Running *r;

  g_return_if_fail (CW_IS_TIMELINE (self));

  if (!self->running || self->start_us <= 0)
    return;
  while (self->lanes->len <= lane)
    g_ptr_array_add (self->lanes, new_lane ());
  if (self->running_tasks->len <= lane)
    {
      guint old = self->running_tasks->len;

      g_array_set_size (self->running_tasks, lane + 1);
      for (guint l = old; l <= lane; l++)
        g_array_index (self->running_tasks, Running, l).index = NOT_RUNNING;
    }
  r = &g_array_index (self->running_tasks, Running, lane);
  r->index = index;
  r->start_us = MAX (start_us - self->start_us, 0);
  /* Not a frame of its own: tasks start every few milliseconds in a batch
   * of short files, and a frame for each (60 a second, a few ms of cairo
   * each at 1920x1080) took a core's worth of CPU from the workers. The
   * bar shows with the next sample or redraw_cb (at most REDRAW_MS). */
}

gboolean
cw_timeline_get_lane_busy (CwTimeline *self,
                           guint       lane,
                           gint64      at_us)
{
  GArray *bars;
  gint64 t;

  g_return_val_if_fail (CW_IS_TIMELINE (self), FALSE);

  if (lane >= self->lanes->len)
    return FALSE;
  t = at_us - self->start_us;
  if (self->cursor_us < 0 && lane < self->running_tasks->len)
    {
      const Running *r = &g_array_index (self->running_tasks, Running, lane);

      if (r->index != NOT_RUNNING && r->start_us <= t && t <= get_now (self))
        return TRUE;
    }
  bars = g_ptr_array_index (self->lanes, lane);
  for (guint i = 0; i < bars->len; i++)
    {
      const Bar *bar = &g_array_index (bars, Bar, i);

      if (bar->start_us <= t && t <= MIN (bar->end_us, get_now (self)))
        return TRUE;
    }
  return FALSE;
}

void
cw_timeline_set_cursor (CwTimeline *self,
                        gint64      cursor_us)
{
  g_return_if_fail (CW_IS_TIMELINE (self));

  cursor_us = cursor_us < 0 ? -1 : cursor_us;
  if (self->cursor_us == cursor_us)
    return;
  self->cursor_us = cursor_us;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gint64
cw_timeline_get_start (CwTimeline *self)
{
  g_return_val_if_fail (CW_IS_TIMELINE (self), 0);
  return self->start_us;
}

guint
cw_timeline_get_n_lanes (CwTimeline *self)
{
  g_return_val_if_fail (CW_IS_TIMELINE (self), 0);
  return self->lanes->len;
}

guint
cw_timeline_get_n_bars (CwTimeline *self,
                        guint       lane)
{
  GArray *bars;
  guint n = 0;

  g_return_val_if_fail (CW_IS_TIMELINE (self), 0);
  if (lane >= self->lanes->len)
    return 0;
  bars = g_ptr_array_index (self->lanes, lane);
  for (guint i = 0; i < bars->len; i++)
    n += g_array_index (bars, Bar, i).n_tasks;
  return n;
}

gboolean
cw_timeline_get_bar_area (CwTimeline      *self,
                          guint64          index,
                          graphene_rect_t *area)
{
  Geometry g;

  g_return_val_if_fail (CW_IS_TIMELINE (self), FALSE);
  g_return_val_if_fail (area != NULL, FALSE);

  if (gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    return FALSE;
  get_geometry (self, &g);
  for (guint l = 0; l < self->lanes->len; l++)
    {
      GArray *bars = g_ptr_array_index (self->lanes, l);

      for (guint i = 0; i < bars->len; i++)
        {
          const Bar *bar = &g_array_index (bars, Bar, i);

          if (index < bar->index || index - bar->index >= bar->n_tasks)
            continue;
          graphene_rect_init (area, g.plot_x + bar->start_us * g.scale, g.lanes_y + l * g.lane_h,
                              (bar->end_us - bar->start_us) * g.scale, g.lane_h);
          return TRUE;
        }
    }
  return FALSE;
}

GtkWidget *
cw_timeline_new (void)
{
  return g_object_new (CW_TYPE_TIMELINE, NULL);
}

/* ---------------------------------------------------------------------- */

static void
cw_timeline_dispose (GObject *object)
{
  CwTimeline *self = CW_TIMELINE (object);

  cw_timeline_set_running (self, FALSE);
  g_clear_object (&self->small_layout);
  G_OBJECT_CLASS (cw_timeline_parent_class)->dispose (object);
}

static void
cw_timeline_finalize (GObject *object)
{
  CwTimeline *self = CW_TIMELINE (object);

  g_ptr_array_unref (self->lanes);
  g_string_chunk_free (self->names);
  g_array_unref (self->cpu_times);
  g_array_unref (self->cpu_usage);
  g_array_unref (self->running_tasks);
  G_OBJECT_CLASS (cw_timeline_parent_class)->finalize (object);
}

static void
cw_timeline_class_init (CwTimelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_timeline_dispose;
  object_class->finalize = cw_timeline_finalize;
  widget_class->snapshot = cw_timeline_snapshot;
  widget_class->measure = cw_timeline_measure;
  widget_class->css_changed = cw_timeline_css_changed;
  widget_class->query_tooltip = cw_timeline_query_tooltip;

  gtk_widget_class_set_css_name (widget_class, "timeline");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
cw_timeline_init (CwTimeline *self)
{
  self->lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  self->names = g_string_chunk_new (4096);
  self->cpu_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->cpu_usage = g_array_new (FALSE, FALSE, sizeof (float));
  self->running_tasks = g_array_new (FALSE, FALSE, sizeof (Running));
  self->cursor_us = -1;
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Timeline of the batch: one lane per worker, one bar per task"),
                                  -1);
}
