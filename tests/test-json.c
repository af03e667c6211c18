/* test-json.c: JSON strings and numbers as every writer of JSON makes them
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include "cw-json.h"

static char *
json_string (const char *value)
{
  GString *out = g_string_new (NULL);

  cw_json_append_string (out, value);
  return g_string_free (out, FALSE);
}

static char *
json_double (double value,
             int    decimals)
{
  GString *out = g_string_new (NULL);

  cw_json_append_double (out, value, decimals);
  return g_string_free (out, FALSE);
}

static void
assert_string (const char *value,
               const char *expected)
{
  g_autofree char *text = json_string (value);

  g_assert_cmpstr (text, ==, expected);
}

static void
assert_double (double      value,
               int         decimals,
               const char *expected)
{
  g_autofree char *text = json_double (value, decimals);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_escapes (void)
{
  assert_string ("", "\"\"");
  assert_string ("plain.wav", "\"plain.wav\"");
  assert_string ("say \"hi\"", "\"say \\\"hi\\\"\"");
  assert_string ("C:\\out\\", "\"C:\\\\out\\\\\"");
  assert_string ("a\nb\tc\rd", "\"a\\nb\\tc\\rd\"");
  assert_string ("\x01\x08\x0c\x1b\x1f", "\"\\u0001\\u0008\\u000c\\u001b\\u001f\"");
  /* JSON leaves DEL and everything above U+001F as it is */
  assert_string ("\x7f ~", "\"\x7f ~\"");
  assert_string ("Chunk size · µs — “auto”", "\"Chunk size · µs — “auto”\"");
  assert_string (NULL, "null");
}

static void
test_invalid_utf8 (void)
{
  /* a Latin-1 name, a cut sequence at the end, an overlong slash */
  assert_string ("caf\xe9.wav", "\"caf\xef\xbf\xbd.wav\"");
  assert_string ("ok\xc3", "\"ok\xef\xbf\xbd\"");
  assert_string ("\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
  /* repaired first, then escaped */
  assert_string ("\xff\"\n", "\"\xef\xbf\xbd\\\"\\n\"");
}

static void
test_double (void)
{
  assert_double (1.5, 2, "1.50");
  assert_double (-0.25, 3, "-0.250");
  assert_double (0.0005, 3, "0.001");
  assert_double (1234567.891, 0, "1234568");
  assert_double (7, 0, "7");

  /* no exponent in fixed notation, however long it gets */
  {
    g_autofree char *huge = json_double (-1e300, 20);

    g_assert_cmpuint (strlen (huge), ==, 1 + 301 + 1 + 20);
    g_assert_cmpfloat (g_ascii_strtod (huge, NULL), ==, -1e300);
  }
}

static void
test_double_round_trip (void)
{
  static const double values[] = { 0.1, -2.5e-7, 1e300, 123456789.125, 0 };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text = json_double (values[i], -1);

      g_assert_cmpfloat (g_ascii_strtod (text, NULL), ==, values[i]);
      g_assert_null (strchr (text, ','));
    }
}

static void
test_not_a_number (void)
{
  assert_double (NAN, 3, "null");
  assert_double (INFINITY, -1, "null");
  assert_double (-INFINITY, 0, "null");
}

static void
test_integers (void)
{
  GString *out = g_string_new (NULL);

  cw_json_append_int64 (out, G_MININT64);
  g_string_append_c (out, ',');
  cw_json_append_uint64 (out, G_MAXUINT64);
  g_string_append_c (out, ',');
  cw_json_append_int64 (out, 0);
  g_assert_cmpstr (out->str, ==, "-9223372036854775808,18446744073709551615,0");
  g_string_free (out, TRUE);
}

/* A locale whose decimal separator is a comma, if this machine has one. */
static gboolean
set_comma_locale (void)
{
  static const char * const names[] = {
    "de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "fr_FR.utf8", "nl_NL.UTF-8", "ru_RU.UTF-8",
    "de_DE", "fr_FR",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (setlocale (LC_NUMERIC, names[i]) != NULL && g_str_equal (localeconv ()->decimal_point, ","))
      return TRUE;
  setlocale (LC_NUMERIC, "C");
  return FALSE;
}

/* Numbers read the same in every locale: with a comma locale in force
 * when there is one, else in this one (the formatting functions never ask
 * the locale, so the same answers are the check). */
static void
test_locale (void)
{
  g_autofree char *fixed = NULL;
  g_autofree char *shortest = NULL;
  g_autofree char *integer = NULL;
  GString *out = g_string_new (NULL);
  gboolean comma = set_comma_locale ();

  if (comma)
    g_test_message ("decimal separator of %s: \"%s\"", setlocale (LC_NUMERIC, NULL),
                    localeconv ()->decimal_point);
  else
    g_test_message ("no locale with a decimal comma here: checked in %s", setlocale (LC_NUMERIC, NULL));
  fixed = json_double (1234.5, 2);
  shortest = json_double (0.25, -1);
  cw_json_append_int64 (out, -1234567);
  integer = g_string_free (out, FALSE);
  setlocale (LC_NUMERIC, "C");

  g_assert_cmpstr (fixed, ==, "1234.50");
  g_assert_cmpstr (shortest, ==, "0.25");
  g_assert_cmpstr (integer, ==, "-1234567");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/json/escapes", test_escapes);
  g_test_add_func ("/cw/json/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/cw/json/double", test_double);
  g_test_add_func ("/cw/json/double-round-trip", test_double_round_trip);
  g_test_add_func ("/cw/json/not-a-number", test_not_a_number);
  g_test_add_func ("/cw/json/integers", test_integers);
  g_test_add_func ("/cw/json/locale", test_locale);

  return g_test_run ();
}
