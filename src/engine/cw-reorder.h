/* cw-reorder.h: a batch's results on their way out, in the batch's order
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "cw-pool.h"

G_BEGIN_DECLS

/* A ring indexed by submission number. Results come in as workers finish
 * them; how they go out is the batch's order: CW_ORDER_UNORDERED at once,
 * CW_ORDER_ORDERED the longest prefix that is ready, CW_ORDER_ALL nothing
 * until cw_reorder_flush (). Indices are compared modulo 2^64, so a ring may
 * start anywhere. Plain data: embed it, cw_reorder_init () it. */
typedef struct
{
  CwOrder   order;
  CwResult *items;
  guint8   *filled;
  gsize     cap;     /* a power of two, or 0 before the first result held */
  guint64   base;    /* the next index owed, in order */
  gsize     n_held;
} CwReorder;

void    cw_reorder_init     (CwReorder    *self,
                             CwOrder       order,
                             guint64       first_index,
                             guint64       n_expected);
void    cw_reorder_clear    (CwReorder    *self);
void    cw_reorder_hold     (CwReorder    *self,
                             CwResult     *result,
                             CwResultFunc  deliver,
                             gpointer      user_data);

/* Takes @result's contents (it is left cleared) and delivers what the
 * order lets out now. A result for an index already delivered or held is
 * refused with a critical: every index goes out exactly once. Inline for
 * CW_ORDER_UNORDERED, where a million results go straight out. */
static inline void
cw_reorder_add (CwReorder    *self,
                CwResult     *result,
                CwResultFunc  deliver,
                gpointer      user_data)
{
  if (self->order != CW_ORDER_UNORDERED)
    {
      cw_reorder_hold (self, result, deliver, user_data);
      return;
    }
  if (deliver != NULL)
    deliver (result, user_data);
  cw_result_clear (result);
}
/* Delivers everything still held, in order, passing over the indices below
 * @end that never came (tasks a cancelled or failed batch never sent). */
void    cw_reorder_flush    (CwReorder    *self,
                             guint64       end,
                             CwResultFunc  deliver,
                             gpointer      user_data);
/* The next index owed in order: how far ORDERED delivery has come. */
guint64 cw_reorder_get_next (const CwReorder *self);

G_END_DECLS
