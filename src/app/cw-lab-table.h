/* cw-lab-table.h: a lab report's table, as wide as the page allows
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "cw-lab.h"

G_BEGIN_DECLS

#define CW_TYPE_LAB_TABLE (cw_lab_table_get_type ())
G_DECLARE_FINAL_TYPE (CwLabTable, cw_lab_table, CW, LAB_TABLE, GtkWidget)

GtkWidget *cw_lab_table_new        (void);
/* Shows @report's headings and rows (NULL: nothing); @report is only
 * read during the call. */
void       cw_lab_table_set_report (CwLabTable        *self,
                                    const CwLabReport *report);
/* The cells: row 0 the headings, row r + 1 the report's row r. */
GtkGrid   *cw_lab_table_get_grid   (CwLabTable        *self);

G_END_DECLS
