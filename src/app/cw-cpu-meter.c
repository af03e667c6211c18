/* cw-cpu-meter.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drawn with GtkSnapshot alone. Up to COMPACT_ABOVE cores each core is a
 * card with its number, its use and a short history (an area chart) beside a
 * live bar; above that each core is a small square whose strength is its
 * use (a heat map, no history), in rows of a power of two so a core is easy
 * to find; the tooltip names it. Rows wrap with the width (height-for-width),
 * so the meter fits from 300 px up to a full screen at 1 to 256 cores and
 * more. Colours come from the theme's named colours, so dark mode and the
 * accent follow the system. Nothing is allocated per sample once the core
 * count is known.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-cpu-meter.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "cw-colors.h"
#include "cw-cpus.h"

#define HISTORY          30   /* samples: 7.5 s at 4 Hz */
#define COMPACT_ABOVE    32   /* cores */

#define CARD_MIN_W       64
#define CARD_TARGET_W    80   /* picks the columns; cards then fill the row */
#define CARD_NAT_W      112
#define CARD_MAX_W      320
#define CARD_GAP          6
#define CARD_PAD          5
#define CARD_CHART_MIN   26
#define CARD_BAR_W        6
#define CARD_RADIUS       6

#define SQUARE_MIN       12
#define SQUARE_NAT       20
#define SQUARE_MAX       28
#define SQUARE_GAP        2
#define ROW_LABEL_GAP     6

#define HEADER_GAP       10
#define HEADER_SPACING   12
#define HEADER_BAR_MIN   40
#define HEADER_BAR_H      8

struct _CwCpuMeter
{
  GtkWidget  parent_instance;

  guint      n_cpus;        /* of the samples; 0 before the first */
  guint      capacity;      /* cores allocated in history and workers */
  float     *history;       /* capacity × HISTORY, core-major, a ring */
  guint     *workers;       /* capacity */
  guint      head;          /* where the next sample goes */
  guint      count;         /* samples in the ring, ≤ HISTORY */
  double     total;
  guint      n_marked;

  /* What the accessible label says, to update it only on change. */
  int        a11y_percent;
  guint      a11y_cpus;
  guint      a11y_marked;

  PangoLayout *title_layout;  /* bold: "Total 87 %" */
  PangoLayout *small_layout;  /* core numbers, percentages, the legend */
};

G_DEFINE_FINAL_TYPE (CwCpuMeter, cw_cpu_meter, GTK_TYPE_WIDGET)

typedef struct
{
  gboolean compact;
  guint    n;
  int      cols;
  int      rows;
  int      cell_w;
  int      cell_h;
  int      gap;
  int      grid_x;   /* compact: after the row labels */
  int      grid_y;
  int      grid_w;   /* from 0, labels included */
  int      height;
} Layout;

typedef struct
{
  GdkRGBA fg;
  GdkRGBA dim;          /* secondary text */
  GdkRGBA trough;
  GdkRGBA card;
  GdkRGBA bar;
  GdkRGBA area;
  GdkRGBA area_line;
  GdkRGBA accent_bg;    /* fills */
  GdkRGBA accent;       /* text-strength accent: outlines, dots */
  GdkRGBA accent_card;
  GdkRGBA accent_area;
  gboolean dark;
} Palette;

/* ---------------------------------------------------------------------- */
/* text */

static PangoLayout *
get_title_layout (CwCpuMeter *self)
{
  if (self->title_layout == NULL)
    {
      g_autoptr(PangoAttrList) attrs = pango_attr_list_new ();

      pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
      self->title_layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      pango_layout_set_attributes (self->title_layout, attrs);
    }

  return self->title_layout;
}

static PangoLayout *
get_small_layout (CwCpuMeter *self)
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

static void
text_size (PangoLayout *layout,
           const char  *text,
           int         *width,
           int         *height)
{
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, width, height);
}

static void
format_title (char   *buf,
              gsize   size,
              double  total)
{
  /* Translators: the whole machine's CPU use, e.g. "Total 87 %" */
  g_snprintf (buf, size, _("Total %d %%"), (int) lround (CLAMP (total, 0, 1) * 100));
}

static void
drop_layouts (CwCpuMeter *self)
{
  g_clear_object (&self->title_layout);
  g_clear_object (&self->small_layout);
}

/* ---------------------------------------------------------------------- */
/* geometry */

static guint
shown_cpus (CwCpuMeter *self)
{
  /* Before the first sample, lay out this machine's cores, so the meter
   * does not change size when the first sample arrives. */
  if (self->n_cpus > 0)
    return self->n_cpus;

  return cw_cpus_online ();
}

static int
header_height (CwCpuMeter *self)
{
  char buf[64];
  int w, h;

  format_title (buf, sizeof buf, 1.0);
  text_size (get_title_layout (self), buf, &w, &h);

  return MAX (h, HEADER_BAR_H);
}

static int
header_min_width (CwCpuMeter *self)
{
  char buf[64];
  int w, h;

  format_title (buf, sizeof buf, 1.0);
  text_size (get_title_layout (self), buf, &w, &h);

  return w + HEADER_SPACING + HEADER_BAR_MIN;
}

static int
card_height (CwCpuMeter *self)
{
  int w, h;

  text_size (get_small_layout (self), "100 %", &w, &h);

  return 2 * CARD_PAD + h + 2 + CARD_CHART_MIN;
}

/* Compact rows start with the number of their first core. */
static int
row_label_width (CwCpuMeter *self,
                 guint       n)
{
  char buf[16];
  int w, h;

  g_snprintf (buf, sizeof buf, "%u", n - 1);
  text_size (get_small_layout (self), buf, &w, &h);

  return w + ROW_LABEL_GAP;
}

static void
compute_layout (CwCpuMeter *self,
                int         width,
                Layout     *l)
{
  int target_w, max_w;

  l->n = shown_cpus (self);
  l->compact = l->n > COMPACT_ABOVE;
  l->gap = l->compact ? SQUARE_GAP : CARD_GAP;
  l->grid_x = l->compact ? row_label_width (self, l->n) : 0;
  target_w = l->compact ? SQUARE_MIN : CARD_TARGET_W;
  max_w = l->compact ? SQUARE_MAX : CARD_MAX_W;
  width = MAX (width - l->grid_x, 1);

  l->cols = MAX ((width + l->gap) / (target_w + l->gap), 1);
  if ((guint) l->cols >= l->n)
    {
      l->cols = l->n;
    }
  else if (l->compact)
    {
      /* Rows of 8, 16, 32… cores: core 37 is row 2, place 5. */
      int pow2 = 1;

      while (pow2 * 2 <= l->cols)
        pow2 *= 2;
      l->cols = pow2;
    }
  else
    {
      /* Balance the rows: 8 cores that fit 7 a row go 4 + 4, not 7 + 1. */
      int rows = (l->n + l->cols - 1) / l->cols;

      l->cols = (l->n + rows - 1) / rows;
    }

  l->rows = (l->n + l->cols - 1) / l->cols;
  l->cell_w = CLAMP ((width - l->gap * (l->cols - 1)) / l->cols, 1, max_w);
  l->cell_h = l->compact ? l->cell_w : card_height (self);
  l->grid_y = header_height (self) + HEADER_GAP;
  l->grid_w = l->grid_x + l->cols * l->cell_w + (l->cols - 1) * l->gap;
  l->height = l->grid_y + l->rows * l->cell_h + (l->rows - 1) * l->gap;
}

static void
cell_origin (const Layout *l,
             guint         core,
             int          *x,
             int          *y)
{
  *x = l->grid_x + (int) (core % l->cols) * (l->cell_w + l->gap);
  *y = l->grid_y + (int) (core / l->cols) * (l->cell_h + l->gap);
}

/* ---------------------------------------------------------------------- */
/* colours */

static void
get_palette (CwCpuMeter *self,
             Palette    *p)
{
  GtkWidget *widget = GTK_WIDGET (self);

  cw_colors_get_foreground (widget, &p->fg);
  p->dark = cw_colors_is_dark (&p->fg);

  cw_colors_lookup (widget, "accent_bg_color", "#3584e4", &p->accent_bg);
  cw_colors_lookup (widget, "accent_color", p->dark ? "#78aeed" : "#1c71d8", &p->accent);

  p->dim = cw_colors_with_alpha (&p->fg, 0.7f);
  p->trough = cw_colors_with_alpha (&p->fg, 0.1f);
  p->card = cw_colors_with_alpha (&p->fg, p->dark ? 0.06f : 0.045f);
  p->bar = cw_colors_with_alpha (&p->fg, 0.6f);
  p->area = cw_colors_with_alpha (&p->fg, 0.16f);
  p->area_line = cw_colors_with_alpha (&p->fg, 0.45f);
  p->accent_card = cw_colors_with_alpha (&p->accent_bg, p->dark ? 0.2f : 0.12f);
  p->accent_area = cw_colors_with_alpha (&p->accent_bg, 0.4f);
}

/* ---------------------------------------------------------------------- */
/* drawing */

static void
append_text (GtkSnapshot   *snapshot,
             PangoLayout   *layout,
             float          x,
             float          y,
             const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
append_rounded (GtkSnapshot   *snapshot,
                float          x,
                float          y,
                float          w,
                float          h,
                float          radius,
                const GdkRGBA *color)
{
  GskRoundedRect rect;

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, w, h), radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, color, &rect.bounds);
  gtk_snapshot_pop (snapshot);
}

static void
append_outline (GtkSnapshot   *snapshot,
                float          x,
                float          y,
                float          w,
                float          h,
                float          radius,
                float          width,
                const GdkRGBA *color)
{
  GskRoundedRect rect;
  const float widths[4] = { width, width, width, width };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, w, h), radius);
  gtk_snapshot_append_border (snapshot, &rect, widths, colors);
}

/* A bar filled from the left (horizontal) or from the bottom. */
static void
append_bar (GtkSnapshot   *snapshot,
            float          x,
            float          y,
            float          w,
            float          h,
            double         value,
            gboolean       horizontal,
            const GdkRGBA *trough,
            const GdkRGBA *fill)
{
  GskRoundedRect rect;
  float radius = MIN (w, h) / 2;

  gsk_rounded_rect_init_from_rect (&rect, &GRAPHENE_RECT_INIT (x, y, w, h), radius);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, trough, &rect.bounds);
  if (value > 0)
    {
      value = MIN (value, 1.0);
      if (horizontal)
        gtk_snapshot_append_color (snapshot, fill,
                                   &GRAPHENE_RECT_INIT (x, y, w * value, h));
      else
        gtk_snapshot_append_color (snapshot, fill,
                                   &GRAPHENE_RECT_INIT (x, y + h * (1 - value), w, h * value));
    }
  gtk_snapshot_pop (snapshot);
}

static float
history_at (CwCpuMeter *self,
            guint       core,
            guint       age)   /* 0 = newest */
{
  guint slot = (self->head + HISTORY - 1 - age) % HISTORY;

  return self->history[core * HISTORY + slot];
}

static double
current_usage (CwCpuMeter *self,
               guint       core)
{
  if (core >= self->n_cpus || self->count == 0)
    return 0.0;

  return history_at (self, core, 0);
}

static void
snapshot_header (CwCpuMeter    *self,
                 GtkSnapshot   *snapshot,
                 int            width,
                 const Palette *p)
{
  PangoLayout *title = get_title_layout (self);
  PangoLayout *small = get_small_layout (self);
  int header_h = header_height (self);
  char buf[64];
  g_autofree char *cores = NULL;
  g_autofree char *marked = NULL;
  int title_w, title_h, cores_w = 0, cores_h = 0, marked_w = 0, marked_h = 0;
  int dot = 8;
  int right, bar_x;
  gboolean show_cores, show_marked;

  format_title (buf, sizeof buf, self->total);
  text_size (title, buf, &title_w, &title_h);
  append_text (snapshot, title, 0, (header_h - title_h) / 2, &p->fg);

  cores = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u core", "%u cores", shown_cpus (self)),
                           shown_cpus (self));
  text_size (small, cores, &cores_w, &cores_h);
  if (self->n_marked > 0)
    {
      marked = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u with a worker", "%u with workers",
                                             self->n_marked),
                                self->n_marked);
      text_size (small, marked, &marked_w, &marked_h);
    }

  /* The bar keeps at least HEADER_BAR_MIN; the legend goes first, then the
   * core count. */
  bar_x = title_w + HEADER_SPACING;
  show_cores = bar_x + HEADER_BAR_MIN + HEADER_SPACING + cores_w <= width;
  show_marked = marked != NULL && show_cores &&
                bar_x + HEADER_BAR_MIN + HEADER_SPACING + cores_w +
                HEADER_SPACING + dot + 4 + marked_w <= width;

  right = width;
  if (show_cores)
    {
      right -= cores_w;
      pango_layout_set_text (small, cores, -1);
      append_text (snapshot, small, right, (header_h - cores_h) / 2, &p->dim);
      right -= HEADER_SPACING;
    }
  if (show_marked)
    {
      right -= marked_w;
      pango_layout_set_text (small, marked, -1);
      append_text (snapshot, small, right, (header_h - marked_h) / 2, &p->dim);
      right -= 4 + dot;
      append_rounded (snapshot, right, (header_h - dot) / 2.f, dot, dot, dot / 2.f, &p->accent_bg);
      right -= HEADER_SPACING;
    }

  if (right - bar_x >= HEADER_BAR_MIN / 2)
    append_bar (snapshot, bar_x, (header_h - HEADER_BAR_H) / 2.f,
                right - bar_x, HEADER_BAR_H, self->total, TRUE, &p->trough, &p->bar);
}

static void
snapshot_card (CwCpuMeter    *self,
               GtkSnapshot   *snapshot,
               const Layout  *l,
               guint          core,
               const Palette *p)
{
  PangoLayout *small = get_small_layout (self);
  gboolean marked = core < self->n_cpus && self->workers[core] > 0;
  double now = current_usage (self, core);
  gboolean offline = now < 0;
  const GdkRGBA *bar = marked ? &p->accent_bg : &p->bar;
  const GdkRGBA *area = marked ? &p->accent_area : &p->area;
  const GdkRGBA *line = marked ? &p->accent_bg : &p->area_line;
  char buf[32];
  int x, y, label_w, label_h, text_w, text_h;
  int chart_y, chart_h, hist_x, hist_w, bar_x;

  cell_origin (l, core, &x, &y);

  append_rounded (snapshot, x, y, l->cell_w, l->cell_h, CARD_RADIUS,
                  marked ? &p->accent_card : &p->card);
  if (marked)
    append_outline (snapshot, x, y, l->cell_w, l->cell_h, CARD_RADIUS, 1.5f, &p->accent);

  g_snprintf (buf, sizeof buf, "%u", core);
  text_size (small, buf, &label_w, &label_h);
  append_text (snapshot, small, x + CARD_PAD, y + CARD_PAD - 1,
               offline ? &p->dim : &p->fg);

  if (marked)
    {
      int dot = 6;

      append_rounded (snapshot, x + CARD_PAD + label_w + 4, y + CARD_PAD - 1 + (label_h - dot) / 2.f,
                      dot, dot, dot / 2.f, &p->accent);
    }

  /* Its use in words when there is room beside the number. */
  if (offline)
    g_snprintf (buf, sizeof buf, "%s", C_("cpu core", "off"));
  else
    g_snprintf (buf, sizeof buf, "%d %%", (int) lround (now * 100));
  text_size (small, buf, &text_w, &text_h);
  if (CARD_PAD + label_w + 4 + 6 + 6 + text_w + CARD_PAD <= l->cell_w)
    append_text (snapshot, small, x + l->cell_w - CARD_PAD - text_w, y + CARD_PAD - 1,
                 marked ? &p->accent : &p->dim);

  chart_y = y + CARD_PAD + label_h + 2;
  chart_h = y + l->cell_h - CARD_PAD - chart_y;
  bar_x = x + l->cell_w - CARD_PAD - CARD_BAR_W;
  hist_x = x + CARD_PAD;
  hist_w = bar_x - 4 - hist_x;

  if (offline)
    {
      append_bar (snapshot, bar_x, chart_y, CARD_BAR_W, chart_h, 0, FALSE, &p->card, bar);
      return;
    }

  /* History: one column a sample, newest at the right, beside the bar. */
  gtk_snapshot_append_color (snapshot, &p->trough,
                             &GRAPHENE_RECT_INIT (hist_x, chart_y + chart_h - 1, hist_w, 1));
  for (guint i = 0; i < HISTORY && hist_w > 0; i++)
    {
      guint age = HISTORY - 1 - i;
      int x0 = hist_x + (int) i * hist_w / HISTORY;
      int x1 = hist_x + ((int) i + 1) * hist_w / HISTORY;
      float v, h;

      if (age >= self->count || core >= self->n_cpus)
        continue;
      v = history_at (self, core, age);
      if (v <= 0)
        continue;
      h = MAX (v * chart_h, 1.f);
      gtk_snapshot_append_color (snapshot, area,
                                 &GRAPHENE_RECT_INIT (x0, chart_y + chart_h - h, x1 - x0, h));
      gtk_snapshot_append_color (snapshot, line,
                                 &GRAPHENE_RECT_INIT (x0, chart_y + chart_h - h, x1 - x0, MIN (h, 1.5f)));
    }

  append_bar (snapshot, bar_x, chart_y, CARD_BAR_W, chart_h, now, FALSE, &p->trough, bar);
}

static void
snapshot_square (CwCpuMeter    *self,
                 GtkSnapshot   *snapshot,
                 const Layout  *l,
                 guint          core,
                 const Palette *p)
{
  gboolean marked = core < self->n_cpus && self->workers[core] > 0;
  double now = current_usage (self, core);
  float radius = l->cell_w >= 16 ? 3 : 2;
  GdkRGBA fill;
  int x, y;

  cell_origin (l, core, &x, &y);

  if (now < 0)
    {
      append_outline (snapshot, x + .5f, y + .5f, l->cell_w - 1, l->cell_h - 1, radius, 1, &p->trough);
      return;
    }

  /* Strength is use: faint when idle, solid when busy. */
  if (marked)
    fill = cw_colors_with_alpha (&p->accent_bg, 0.3f + 0.7f * (float) now);
  else
    fill = cw_colors_with_alpha (&p->fg, 0.08f + 0.77f * (float) now);
  append_rounded (snapshot, x, y, l->cell_w, l->cell_h, radius, &fill);

  if (marked)
    append_outline (snapshot, x, y, l->cell_w, l->cell_h, radius,
                    l->cell_w >= 16 ? 2 : 1.5f, &p->accent);
}

static void
cw_cpu_meter_snapshot (GtkWidget   *widget,
                       GtkSnapshot *snapshot)
{
  CwCpuMeter *self = CW_CPU_METER (widget);
  int width = gtk_widget_get_width (widget);
  Palette p;
  Layout l;

  if (width <= 0)
    return;

  get_palette (self, &p);
  compute_layout (self, width, &l);

  /* The header spans the grid, not an empty rest of a wide window. */
  snapshot_header (self, snapshot, CLAMP (l.grid_w, header_min_width (self), width), &p);

  if (l.compact)
    {
      PangoLayout *small = get_small_layout (self);

      for (int row = 0; row < l.rows; row++)
        {
          char buf[16];
          int w, h;

          g_snprintf (buf, sizeof buf, "%u", row * l.cols);
          text_size (small, buf, &w, &h);
          append_text (snapshot, small, l.grid_x - ROW_LABEL_GAP - w,
                       l.grid_y + row * (l.cell_h + l.gap) + (l.cell_h - h) / 2, &p.dim);
        }
    }

  for (guint core = 0; core < l.n; core++)
    {
      if (l.compact)
        snapshot_square (self, snapshot, &l, core, &p);
      else
        snapshot_card (self, snapshot, &l, core, &p);
    }
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
  guint n = shown_cpus (self);
  gboolean compact = n > COMPACT_ABOVE;
  int cell_min = compact ? SQUARE_MIN : CARD_MIN_W;
  int cell_nat = compact ? SQUARE_NAT : CARD_NAT_W;
  int gap = compact ? SQUARE_GAP : CARD_GAP;
  int labels_w = compact ? row_label_width (self, n) : 0;
  /* At least a few columns, or a narrow window would be very tall. */
  int min_cols = MIN (n, compact ? 16 : 4);
  int nat_cols = min_cols;
  int nat_w = labels_w + nat_cols * cell_nat + (nat_cols - 1) * gap;

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = MAX (labels_w + min_cols * cell_min + (min_cols - 1) * gap,
                      header_min_width (self));
      *natural = MAX (*minimum, nat_w);
    }
  else
    {
      Layout l;

      compute_layout (self, for_size >= 0 ? for_size : nat_w, &l);
      *minimum = *natural = l.height;
    }
}

/* ---------------------------------------------------------------------- */

static gboolean
cw_cpu_meter_query_tooltip (GtkWidget  *widget,
                            int         x,
                            int         y,
                            gboolean    keyboard_tooltip,
                            GtkTooltip *tooltip)
{
  CwCpuMeter *self = CW_CPU_METER (widget);
  g_autofree char *text = NULL;
  Layout l;
  int col, row;
  guint core;
  double now;

  compute_layout (self, gtk_widget_get_width (widget), &l);
  if (keyboard_tooltip || y < l.grid_y || x < l.grid_x)
    return FALSE;

  col = (x - l.grid_x) / (l.cell_w + l.gap);
  row = (y - l.grid_y) / (l.cell_h + l.gap);
  core = row * l.cols + col;
  if (col >= l.cols || core >= l.n || core >= self->n_cpus)
    return FALSE;

  now = current_usage (self, core);
  if (now < 0)
    text = g_strdup_printf (_("Core %u: offline"), core);
  else if (self->workers[core] > 0)
    text = g_strdup_printf (_("Core %u: %d %%, runs a worker"), core, (int) lround (now * 100));
  else
    text = g_strdup_printf (_("Core %u: %d %%"), core, (int) lround (now * 100));

  gtk_tooltip_set_text (tooltip, text);
  return TRUE;
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
          self->history = g_renew (float, self->history, (gsize) self->capacity * HISTORY);
          self->workers = g_renew (guint, self->workers, self->capacity);
        }
      self->n_cpus = sample->n_cpus;
      self->head = 0;
      self->count = 0;
      gtk_widget_queue_resize (GTK_WIDGET (self));
    }

  self->n_marked = 0;
  for (guint i = 0; i < self->n_cpus; i++)
    {
      double u = sample->usage[i];

      self->history[i * HISTORY + self->head] = u < 0 ? -1.f : (float) MIN (u, 1.0);
      self->workers[i] = sample->workers[i];
      if (sample->workers[i] > 0)
        self->n_marked++;
    }
  self->head = (self->head + 1) % HISTORY;
  self->count = MIN (self->count + 1, HISTORY);
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
  if (self->workers != NULL)
    memset (self->workers, 0, self->capacity * sizeof (guint));

  update_accessible (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

GtkWidget *
cw_cpu_meter_new (void)
{
  return g_object_new (CW_TYPE_CPU_METER, NULL);
}

static void
cw_cpu_meter_css_changed (GtkWidget         *widget,
                          GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (cw_cpu_meter_parent_class)->css_changed (widget, change);

  /* The font may have changed: measure the text again. */
  drop_layouts (CW_CPU_METER (widget));
}

static void
cw_cpu_meter_system_setting_changed (GtkWidget        *widget,
                                     GtkSystemSetting  setting)
{
  GTK_WIDGET_CLASS (cw_cpu_meter_parent_class)->system_setting_changed (widget, setting);

  drop_layouts (CW_CPU_METER (widget));
  gtk_widget_queue_resize (widget);
}

static void
cw_cpu_meter_finalize (GObject *object)
{
  CwCpuMeter *self = CW_CPU_METER (object);

  drop_layouts (self);
  g_clear_pointer (&self->history, g_free);
  g_clear_pointer (&self->workers, g_free);

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
  self->a11y_percent = -1;

  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 100.0,
                                  -1);
  update_accessible (self);
}
