/* cw-reorder.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave-pool"

#include "config.h"

#include "cw-reorder.h"

#include <string.h>

/* Further ahead than any pool can have tasks out: such an index is one
 * that was delivered already (behind the base, so a huge distance mod 2^64). */
#define MAX_AHEAD (G_GUINT64_CONSTANT (1) << 40)

void
cw_reorder_init (CwReorder *self,
                 CwOrder    order,
                 guint64    first_index,
                 guint64    n_expected)
{
  memset (self, 0, sizeof *self);
  self->order = order;
  self->base = first_index;
  /* map keeps every result: size the ring once rather than doubling it
   * through a million results (but not beyond what a hint can promise) */
  if (order == CW_ORDER_ALL && n_expected > 0)
    {
      gsize cap = 64;

      while (cap < MIN (n_expected, 1 << 22))
        cap *= 2;
      self->items = g_new (CwResult, cap);
      self->filled = g_new0 (guint8, cap);
      self->cap = cap;
    }
}

void
cw_reorder_clear (CwReorder *self)
{
  for (gsize i = 0; i < self->cap; i++)
    if (self->filled[i])
      cw_result_clear (&self->items[i]);
  g_clear_pointer (&self->items, g_free);
  g_clear_pointer (&self->filled, g_free);
  self->cap = 0;
  self->n_held = 0;
}

guint64
cw_reorder_get_next (const CwReorder *self)
{
  return self->base;
}

/* Makes room for @index; the held results keep their indices, so each
 * moves to its place in the bigger ring (the old one may have wrapped). */
static void
reorder_grow (CwReorder *self,
              guint64    index)
{
  gsize cap = MAX (self->cap, 64);
  CwResult *items;
  guint8 *filled;

  while (index - self->base >= cap)
    cap *= 2;
  if (cap == self->cap)
    return;

  items = g_new (CwResult, cap);
  filled = g_new0 (guint8, cap);
  for (gsize i = 0; i < self->cap; i++)
    {
      guint64 idx = self->base + i;
      gsize from = idx & (self->cap - 1);

      if (self->filled[from])
        {
          items[idx & (cap - 1)] = self->items[from];
          filled[idx & (cap - 1)] = 1;
        }
    }
  g_free (self->items);
  g_free (self->filled);
  self->items = items;
  self->filled = filled;
  self->cap = cap;
}

static gboolean
reorder_put (CwReorder *self,
             CwResult  *result)
{
  gsize at;

  if (result->index - self->base >= MAX_AHEAD)
    {
      g_critical ("result %" G_GUINT64_FORMAT " was delivered already", result->index);
      return FALSE;
    }
  reorder_grow (self, result->index);
  at = result->index & (self->cap - 1);
  if (self->filled[at])
    {
      g_critical ("result %" G_GUINT64_FORMAT " came twice", result->index);
      return FALSE;
    }
  self->items[at] = *result;
  self->filled[at] = 1;
  self->n_held++;
  memset (result, 0, sizeof *result);
  return TRUE;
}

/* Pops the next result in order, if it has arrived. */
static gboolean
reorder_pop (CwReorder *self,
             CwResult  *out)
{
  gsize at;

  if (self->n_held == 0)
    return FALSE;
  at = self->base & (self->cap - 1);
  if (!self->filled[at])
    return FALSE;
  *out = self->items[at];
  self->filled[at] = 0;
  self->n_held--;
  self->base++;
  return TRUE;
}

static void
deliver_one (CwResult     *result,
             CwResultFunc  deliver,
             gpointer      user_data)
{
  if (deliver != NULL)
    deliver (result, user_data);
  cw_result_clear (result);
}

/* CW_ORDER_ORDERED and CW_ORDER_ALL: the ring (cw_reorder_add () lets
 * unordered results out itself). */
void
cw_reorder_hold (CwReorder    *self,
                 CwResult     *result,
                 CwResultFunc  deliver,
                 gpointer      user_data)
{
  CwResult next;

  switch (self->order)
    {
    case CW_ORDER_UNORDERED:
      deliver_one (result, deliver, user_data);
      break;

    case CW_ORDER_ORDERED:
      /* the next one owed goes out at once (and then what it held back),
       * without a round trip through the ring */
      if (result->index == self->base)
        {
          deliver_one (result, deliver, user_data);
          self->base++;
          while (reorder_pop (self, &next))
            deliver_one (&next, deliver, user_data);
          break;
        }
      if (!reorder_put (self, result))
        {
          cw_result_clear (result);
          break;
        }
      while (reorder_pop (self, &next))
        deliver_one (&next, deliver, user_data);
      break;

    case CW_ORDER_ALL:
    default:
      if (!reorder_put (self, result))
        cw_result_clear (result);
      break;
    }
}

void
cw_reorder_flush (CwReorder    *self,
                  guint64       end,
                  CwResultFunc  deliver,
                  gpointer      user_data)
{
  CwResult next;

  while (self->n_held > 0 && self->base != end)
    {
      if (reorder_pop (self, &next))
        deliver_one (&next, deliver, user_data);
      else
        self->base++;
    }
}
