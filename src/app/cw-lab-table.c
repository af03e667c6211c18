/* cw-lab-table.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The table of a lab report: a heading per column, a label per cell, in a
 * grid that scrolls sideways when the page is narrower than the table, so
 * a table never widens the window. A GtkScrolledWindow alone would ask
 * for the grid's height at the grid's narrowest, where every heading
 * wraps letter by letter; this widget asks for the height at the width it
 * gets instead (the scroller's vertical policy is "external": the height
 * is ours to give).
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-lab-table.h"

#include <string.h>

#include <glib/gi18n.h>

struct _CwLabTable
{
  GtkWidget  parent_instance;

  GtkWidget *scroller;
  GtkWidget *grid;
};

G_DEFINE_FINAL_TYPE (CwLabTable, cw_lab_table, GTK_TYPE_WIDGET)

static GtkSizeRequestMode
cw_lab_table_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
cw_lab_table_measure (GtkWidget      *widget,
                      GtkOrientation  orientation,
                      int             for_size,
                      int            *minimum,
                      int            *natural,
                      int            *minimum_baseline,
                      int            *natural_baseline)
{
  CwLabTable *self = CW_LAB_TABLE (widget);
  int grid_min, grid_nat, scroller_min;

  gtk_widget_measure (self->grid, GTK_ORIENTATION_HORIZONTAL, -1, &grid_min, &grid_nat, NULL, NULL);
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      /* as narrow as the scroller goes; as wide as the table, by choice */
      gtk_widget_measure (self->scroller, GTK_ORIENTATION_HORIZONTAL, -1, &scroller_min, NULL, NULL, NULL);
      *minimum = scroller_min;
      *natural = MAX (scroller_min, grid_nat);
      return;
    }
  /* the grid gets the width we get, or its own least: its height there */
  gtk_widget_measure (self->grid, GTK_ORIENTATION_VERTICAL, for_size < 0 ? grid_nat : MAX (for_size, grid_min),
                      minimum, natural, NULL, NULL);
  *minimum = *natural;
}

static void
cw_lab_table_size_allocate (GtkWidget *widget,
                            int        width,
                            int        height,
                            int        baseline)
{
  CwLabTable *self = CW_LAB_TABLE (widget);

  gtk_widget_allocate (self->scroller, width, height, -1, NULL);
}

/* A number of the report's table as the reader writes it (the CSV's
 * point becomes the locale's mark, the decimals stay): the paragraph's
 * figures are written the same way. */
static char *
display_cell (const char *cell)
{
  const char *point;
  char *end = NULL;
  double v;

  if (cell == NULL || cell[0] == '\0')
    return g_strdup ("");
  v = g_ascii_strtod (cell, &end);
  if (end == cell || *end != '\0')
    return g_strdup (cell);
  point = strchr (cell, '.');
  return g_strdup_printf ("%.*f", point ? (int) strlen (point + 1) : 0, v);
}

static gboolean
is_number (const char *cell)
{
  char *end = NULL;

  if (cell == NULL || cell[0] == '\0')
    return FALSE;
  g_ascii_strtod (cell, &end);
  return end != cell && *end == '\0';
}

void
cw_lab_table_set_report (CwLabTable        *self,
                         const CwLabReport *report)
{
  GtkGrid *grid;
  GtkWidget *child;
  guint n_columns;

  g_return_if_fail (CW_IS_LAB_TABLE (self));

  grid = GTK_GRID (self->grid);
  while ((child = gtk_widget_get_first_child (self->grid)) != NULL)
    gtk_grid_remove (grid, child);
  if (report == NULL)
    return;
  n_columns = g_strv_length (report->columns);
  for (guint c = 0; c < n_columns; c++)
    {
      GtkWidget *label = gtk_label_new (report->headings[c]);

      /* by word: a heading is never narrower than its longest word */
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 14);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_yalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "caption-heading");
      gtk_grid_attach (grid, label, c, 0, 1, 1);
    }
  for (guint r = 0; r < report->rows->len; r++)
    {
      char **row = g_ptr_array_index (report->rows, r);

      for (guint c = 0; c < n_columns; c++)
        {
          g_autofree char *text = display_cell (row[c]);
          GtkWidget *label = gtk_label_new (text);

          gtk_label_set_selectable (GTK_LABEL (label), TRUE);
          gtk_widget_set_focusable (label, FALSE);
          if (is_number (row[c]))
            {
              gtk_label_set_xalign (GTK_LABEL (label), 1);
              gtk_widget_add_css_class (label, "numeric");
            }
          else
            {
              gtk_label_set_xalign (GTK_LABEL (label), 0);
              gtk_label_set_wrap (GTK_LABEL (label), TRUE);
              gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
            }
          gtk_grid_attach (grid, label, c, r + 1, 1, 1);
        }
    }
  gtk_widget_queue_resize (GTK_WIDGET (self));
}

GtkGrid *
cw_lab_table_get_grid (CwLabTable *self)
{
  g_return_val_if_fail (CW_IS_LAB_TABLE (self), NULL);
  return GTK_GRID (self->grid);
}

GtkWidget *
cw_lab_table_new (void)
{
  return g_object_new (CW_TYPE_LAB_TABLE, NULL);
}

static void
cw_lab_table_dispose (GObject *object)
{
  CwLabTable *self = CW_LAB_TABLE (object);

  g_clear_pointer (&self->scroller, gtk_widget_unparent);
  self->grid = NULL;
  G_OBJECT_CLASS (cw_lab_table_parent_class)->dispose (object);
}

static void
cw_lab_table_class_init (CwLabTableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_lab_table_dispose;
  widget_class->get_request_mode = cw_lab_table_get_request_mode;
  widget_class->measure = cw_lab_table_measure;
  widget_class->size_allocate = cw_lab_table_size_allocate;

  gtk_widget_class_set_css_name (widget_class, "cw-lab-table");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
cw_lab_table_init (CwLabTable *self)
{
  self->scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scroller), GTK_POLICY_AUTOMATIC, GTK_POLICY_EXTERNAL);
  gtk_widget_set_parent (self->scroller, GTK_WIDGET (self));

  self->grid = gtk_grid_new ();
  gtk_grid_set_column_spacing (GTK_GRID (self->grid), 16);
  gtk_grid_set_row_spacing (GTK_GRID (self->grid), 4);
  gtk_widget_set_margin_bottom (self->grid, 6);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scroller), self->grid);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("The measured table"), -1);
}
