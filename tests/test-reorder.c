/* test-reorder.c: the ring that puts a batch's results in its order
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cw-reorder.h"

typedef struct
{
  GArray *indices;   /* guint64, in delivery order */
} Delivered;

static void
delivered_cb (const CwResult *result,
              gpointer        user_data)
{
  Delivered *d = user_data;
  g_autofree char *expected = g_strdup_printf ("r%" G_GUINT64_FORMAT, result->index);

  /* the result arrives whole: its owned strings travelled with it */
  g_assert_cmpstr (result->error, ==, expected);
  g_array_append_val (d->indices, result->index);
}

/* A result that owns memory, so a leak or a double free shows under ASan. */
static void
add (CwReorder *r,
     guint64    index,
     Delivered *d)
{
  CwResult result = { .index = index, .status = CW_STATUS_OK };

  result.error = g_strdup_printf ("r%" G_GUINT64_FORMAT, index);
  cw_reorder_add (r, &result, delivered_cb, d);
  g_assert_null (result.error);
}

static guint64
delivered_at (Delivered *d,
              guint      i)
{
  return g_array_index (d->indices, guint64, i);
}

/* 0 .. n-1 in a fixed shuffle: the slow ones late, like workers. */
static guint64 *
shuffled (guint n)
{
  guint64 *order = g_new (guint64, n);
  GRand *rand = g_rand_new_with_seed (n);

  for (guint i = 0; i < n; i++)
    order[i] = i;
  for (guint i = n - 1; i > 0; i--)
    {
      guint j = g_rand_int_range (rand, 0, i + 1);
      guint64 t = order[i];

      order[i] = order[j];
      order[j] = t;
    }
  g_rand_free (rand);
  return order;
}

static void
init_both (CwReorder *r,
           Delivered *d,
           CwOrder    order,
           guint64    first_index,
           guint64    n_expected)
{
  d->indices = g_array_new (FALSE, FALSE, sizeof (guint64));
  cw_reorder_init (r, order, first_index, n_expected);
}

/* Every result was delivered, @n of them from @first, in order. */
static void
assert_in_order (Delivered *d,
                 guint64    first,
                 guint      n)
{
  g_assert_cmpuint (d->indices->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (delivered_at (d, i), ==, first + i);
}

static void
clear_both (CwReorder *r,
            Delivered *d)
{
  cw_reorder_clear (r);
  g_array_unref (d->indices);
}

static void
test_unordered (void)
{
  const guint n = 500;
  g_autofree guint64 *order = shuffled (n);
  CwReorder r;
  Delivered d;

  init_both (&r, &d, CW_ORDER_UNORDERED, 0, n);
  for (guint i = 0; i < n; i++)
    {
      add (&r, order[i], &d);
      /* at once, as they come */
      g_assert_cmpuint (d.indices->len, ==, i + 1);
      g_assert_cmpuint (delivered_at (&d, i), ==, order[i]);
    }
  /* nothing was held */
  g_assert_cmpuint (r.cap, ==, 0);
  cw_reorder_flush (&r, n, delivered_cb, &d);
  g_assert_cmpuint (d.indices->len, ==, n);
  clear_both (&r, &d);
}

static void
test_ordered (void)
{
  const guint n = 500;
  g_autofree guint64 *order = shuffled (n);
  g_autofree gboolean *seen = g_new0 (gboolean, n);
  guint prefix = 0;
  CwReorder r;
  Delivered d;

  init_both (&r, &d, CW_ORDER_ORDERED, 0, n);
  for (guint i = 0; i < n; i++)
    {
      add (&r, order[i], &d);
      seen[order[i]] = TRUE;
      /* the longest ready prefix, no more, no less */
      while (prefix < n && seen[prefix])
        prefix++;
      g_assert_cmpuint (d.indices->len, ==, prefix);
      g_assert_cmpuint (cw_reorder_get_next (&r), ==, prefix);
    }
  assert_in_order (&d, 0, n);
  clear_both (&r, &d);
}

static void
test_all (void)
{
  const guint n = 500;
  g_autofree guint64 *order = shuffled (n);
  guint64 expected = 0;
  CwReorder r;
  Delivered d;

  init_both (&r, &d, CW_ORDER_ALL, 0, n);
  /* sized once from the hint */
  g_assert_cmpuint (r.cap, ==, 512);
  for (guint i = 0; i < n; i++)
    {
      /* a batch cut short never sent some: they leave gaps */
      if (order[i] % 7 == 3)
        continue;
      add (&r, order[i], &d);
    }
  g_assert_cmpuint (d.indices->len, ==, 0);
  g_assert_cmpuint (r.cap, ==, 512);

  cw_reorder_flush (&r, n, delivered_cb, &d);
  for (guint i = 0; i < d.indices->len; i++, expected++)
    {
      if (expected % 7 == 3)
        expected++;
      g_assert_cmpuint (delivered_at (&d, i), ==, expected);
    }
  g_assert_cmpuint (expected, ==, n);
  clear_both (&r, &d);
}

/* A result far ahead grows the ring; those held keep their places, also
 * when the old ring had wrapped around its end. (Results that come in
 * order go straight out: the ring is made for the first one held.) */
static void
test_growth (void)
{
  CwReorder r;
  Delivered d;

  init_both (&r, &d, CW_ORDER_ORDERED, 0, 0);
  for (guint64 i = 0; i < 50; i++)
    add (&r, i, &d);
  g_assert_cmpuint (r.cap, ==, 0);
  g_assert_cmpuint (d.indices->len, ==, 50);

  /* 51 .. 113 fill the ring past its end (positions 51..63, then 0..49) */
  for (guint64 i = 51; i < 114; i++)
    add (&r, i, &d);
  g_assert_cmpuint (r.cap, ==, 64);
  g_assert_cmpuint (d.indices->len, ==, 50);

  /* 50 + 1000 needs 1024 places */
  add (&r, 1050, &d);
  g_assert_cmpuint (r.cap, ==, 1024);
  g_assert_cmpuint (d.indices->len, ==, 50);

  add (&r, 50, &d);
  assert_in_order (&d, 0, 114);

  for (guint64 i = 114; i < 1050; i++)
    add (&r, i, &d);
  assert_in_order (&d, 0, 1051);
  clear_both (&r, &d);
}

/* A window of results out at a time goes round and round a small ring
 * without growing it. */
static void
test_wrap_around (void)
{
  const guint64 n = 10000;
  const guint window = 40;
  CwReorder r;
  Delivered d;

  init_both (&r, &d, CW_ORDER_ORDERED, 0, 0);
  /* each window arrives back to front: all held until its first comes */
  for (guint64 start = 0; start < n; start += window)
    {
      for (guint64 i = start + window - 1; i > start; i--)
        add (&r, i, &d);
      g_assert_cmpuint (d.indices->len, ==, start);
      add (&r, start, &d);
      g_assert_cmpuint (d.indices->len, ==, start + window);
    }
  g_assert_cmpuint (r.cap, ==, 64);
  assert_in_order (&d, 0, n);
  clear_both (&r, &d);
}

/* Indices are counted modulo 2^64: a ring that starts just below it goes
 * on through zero, in every order. */
static void
test_near_2_64 (void)
{
  const guint n = 200;
  const guint64 first = G_MAXUINT64 - 70;
  g_autofree guint64 *order = shuffled (n);

  for (CwOrder o = CW_ORDER_ORDERED; o <= CW_ORDER_ALL; o++)
    {
      CwReorder r;
      Delivered d;

      init_both (&r, &d, o, first, o == CW_ORDER_ALL ? n : 0);
      for (guint i = 0; i < n; i++)
        add (&r, first + order[i], &d);
      cw_reorder_flush (&r, first + n, delivered_cb, &d);
      g_assert_cmpuint (d.indices->len, ==, n);
      if (o != CW_ORDER_UNORDERED)
        {
          assert_in_order (&d, first, n);
          /* it went through zero */
          g_assert_cmpuint (delivered_at (&d, 70), ==, G_MAXUINT64);
          g_assert_cmpuint (delivered_at (&d, 71), ==, 0);
          g_assert_cmpuint (cw_reorder_get_next (&r), ==, first + n);
        }
      clear_both (&r, &d);
    }
}

/* Every index goes out exactly once, in every order, and a result left in
 * the ring at the end is freed with it. */
static void
test_once (void)
{
  const guint n = 1000;
  g_autofree guint64 *order = shuffled (n);

  for (CwOrder o = CW_ORDER_ORDERED; o <= CW_ORDER_ALL; o++)
    {
      g_autofree guint *count = g_new0 (guint, n);
      CwReorder r;
      Delivered d;

      init_both (&r, &d, o, 0, n);
      for (guint i = 0; i < n; i++)
        add (&r, order[i], &d);
      cw_reorder_flush (&r, n, delivered_cb, &d);
      /* a second flush has nothing left */
      cw_reorder_flush (&r, n, delivered_cb, &d);
      g_assert_cmpuint (d.indices->len, ==, n);
      for (guint i = 0; i < n; i++)
        count[delivered_at (&d, i)]++;
      for (guint i = 0; i < n; i++)
        g_assert_cmpuint (count[i], ==, 1);
      clear_both (&r, &d);
    }

  /* held when the batch is dropped: freed, never delivered */
  {
    CwReorder r;
    Delivered d;

    init_both (&r, &d, CW_ORDER_ORDERED, 0, 0);
    add (&r, 3, &d);
    add (&r, 9, &d);
    g_assert_cmpuint (d.indices->len, ==, 0);
    clear_both (&r, &d);
  }
}

/* The same index twice is a bug of the pool's: refused, not delivered again. */
static void
test_twice (gconstpointer data)
{
  CwOrder order = GPOINTER_TO_INT (data);
  CwReorder r;
  Delivered d;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 10 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_failed ();
      g_test_trap_assert_stderr (order == CW_ORDER_ORDERED ? "*result 1 was delivered already*"
                                                           : "*result 1 came twice*");
      return;
    }

  init_both (&r, &d, order, 0, 0);
  add (&r, 0, &d);
  add (&r, 1, &d);
  add (&r, 1, &d);
  g_assert_not_reached ();
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/reorder/unordered", test_unordered);
  g_test_add_func ("/cw/reorder/ordered", test_ordered);
  g_test_add_func ("/cw/reorder/all", test_all);
  g_test_add_func ("/cw/reorder/growth", test_growth);
  g_test_add_func ("/cw/reorder/wrap-around", test_wrap_around);
  g_test_add_func ("/cw/reorder/near-2-64", test_near_2_64);
  g_test_add_func ("/cw/reorder/once", test_once);
  g_test_add_data_func ("/cw/reorder/twice/ordered", GINT_TO_POINTER (CW_ORDER_ORDERED),
                        test_twice);
  g_test_add_data_func ("/cw/reorder/twice/all", GINT_TO_POINTER (CW_ORDER_ALL), test_twice);

  return g_test_run ();
}
