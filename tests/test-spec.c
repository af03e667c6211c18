/* test-spec.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <locale.h>

#include "cw-error.h"
#include "cw-spec.h"

static void
test_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwChain) chain = cw_chain_parse ("gain:db=-3,noise:sigma=0.05", &error);
  const CwStage *stage;

  g_assert_no_error (error);
  g_assert_cmpuint (cw_chain_get_n_stages (chain), ==, 2);
  stage = cw_chain_get_stage (chain, 0);
  g_assert_cmpint (stage->kind, ==, CW_STAGE_GAIN);
  g_assert_cmpfloat (stage->a, ==, -3.0);
  stage = cw_chain_get_stage (chain, 1);
  g_assert_cmpint (stage->kind, ==, CW_STAGE_NOISE);
  g_assert_cmpfloat (stage->a, ==, 0.05);
  g_assert_false (cw_chain_is_identity (chain));
}

static void
test_parse_more (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwChain) fade = cw_chain_parse ("fade:in=500:out=2000,mono", &error);
  g_autoptr(CwChain) norm = NULL;
  g_autoptr(CwChain) defaults = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (cw_chain_get_n_stages (fade), ==, 2);
  g_assert_cmpint (cw_chain_get_stage (fade, 0)->kind, ==, CW_STAGE_FADE);
  g_assert_cmpfloat (cw_chain_get_stage (fade, 0)->a, ==, 500.0);
  g_assert_cmpfloat (cw_chain_get_stage (fade, 0)->b, ==, 2000.0);
  g_assert_cmpint (cw_chain_get_stage (fade, 1)->kind, ==, CW_STAGE_MONO);

  norm = cw_chain_parse ("normalize:peak=-1", &error);
  g_assert_no_error (error);
  g_assert_cmpint (cw_chain_get_stage (norm, 0)->kind, ==, CW_STAGE_NORMALIZE);
  g_assert_cmpfloat (cw_chain_get_stage (norm, 0)->a, ==, -1.0);

  defaults = cw_chain_parse ("noise,normalize,fade:out=10", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (cw_chain_get_stage (defaults, 0)->a, ==, 0.1);
  g_assert_cmpfloat (cw_chain_get_stage (defaults, 1)->a, ==, -1.0);
  g_assert_cmpfloat (cw_chain_get_stage (defaults, 2)->a, ==, 0.0);
  g_assert_cmpfloat (cw_chain_get_stage (defaults, 2)->b, ==, 10.0);
}

static void
test_identity (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwChain) empty = cw_chain_parse ("", &error);
  g_autoptr(CwChain) copy = NULL;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (cw_chain_get_n_stages (empty), ==, 0);
  g_assert_true (cw_chain_is_identity (empty));
  text = cw_chain_to_string (empty);
  g_assert_cmpstr (text, ==, "");

  copy = cw_chain_parse ("copy", &error);
  g_assert_no_error (error);
  g_assert_true (cw_chain_is_identity (copy));
}

static void
test_default_spec (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwChain) chain = cw_chain_parse (CW_DEFAULT_SPEC, &error);

  g_assert_no_error (error);
  g_assert_cmpint (cw_chain_get_stage (chain, 0)->kind, ==, CW_STAGE_NOISE);
  g_assert_cmpfloat (cw_chain_get_stage (chain, 0)->a, ==, 0.1);
}

static void
assert_round_trip (const char *spec,
                   const char *canonical)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwChain) chain = cw_chain_parse (spec, &error);
  g_autoptr(CwChain) again = NULL;
  g_autoptr(CwChain) copy = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;

  g_assert_no_error (error);
  text = cw_chain_to_string (chain);
  if (canonical)
    g_assert_cmpstr (text, ==, canonical);
  again = cw_chain_parse (text, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (cw_chain_get_n_stages (again), ==, cw_chain_get_n_stages (chain));
  for (guint i = 0; i < cw_chain_get_n_stages (chain); i++)
    {
      g_assert_cmpint (cw_chain_get_stage (again, i)->kind, ==, cw_chain_get_stage (chain, i)->kind);
      g_assert_cmpfloat (cw_chain_get_stage (again, i)->a, ==, cw_chain_get_stage (chain, i)->a);
      g_assert_cmpfloat (cw_chain_get_stage (again, i)->b, ==, cw_chain_get_stage (chain, i)->b);
    }
  copy = cw_chain_copy (chain);
  text2 = cw_chain_to_string (copy);
  g_assert_cmpstr (text, ==, text2);
}

static void
test_round_trip (void)
{
  assert_round_trip ("gain:db=-3,noise:sigma=0.05", "gain:db=-3,noise:sigma=0.05");
  assert_round_trip ("fade:in=500:out=2000,mono", "fade:in=500:out=2000,mono");
  assert_round_trip ("fade:out=20", "fade:in=0:out=20");
  assert_round_trip ("noise", "noise:sigma=0.1");
  assert_round_trip ("normalize", "normalize:peak=-1");
  assert_round_trip ("copy", "copy");
  assert_round_trip (" gain:db=1e-3 , copy", "gain:db=0.001,copy");
  assert_round_trip ("gain:db=0.1234567890123456789", NULL);
  assert_round_trip ("noise:sigma=0.30000000000000004", "noise:sigma=0.30000000000000004");
}

static void
test_locale (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwChain) chain = NULL;
  g_autofree char *text = NULL;

  /* a comma locale must not change parsing or printing */
  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("no de_DE.UTF-8 locale");
      return;
    }
  chain = cw_chain_parse ("gain:db=-3.5", &error);
  setlocale (LC_NUMERIC, "C");
  g_assert_no_error (error);
  g_assert_cmpfloat (cw_chain_get_stage (chain, 0)->a, ==, -3.5);
  setlocale (LC_NUMERIC, "de_DE.UTF-8");
  text = cw_chain_to_string (chain);
  setlocale (LC_NUMERIC, "C");
  g_assert_cmpstr (text, ==, "gain:db=-3.5");
}

static void
assert_spec_error (const char *spec,
                   const char *must_contain)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CwChain) chain = cw_chain_parse (spec, &error);

  g_assert_null (chain);
  g_assert_error (error, CW_ERROR, CW_ERROR_SPEC);
  if (strstr (error->message, must_contain) == NULL)
    g_error ("spec “%s”: message “%s” lacks “%s”", spec, error->message, must_contain);
}

static void
test_errors (void)
{
  assert_spec_error ("nois", "unknown stage “nois”");
  assert_spec_error ("nois", "noise, gain, normalize, fade, mono, resample, loudness, copy");
  assert_spec_error ("gain:dB=3", "unknown key “dB”");
  assert_spec_error ("mono:x=1", "unknown key “x”");
  assert_spec_error ("gain:db=abc", "db=abc");
  assert_spec_error ("gain:db=3dB", "db=3dB");
  assert_spec_error ("gain:db=", "missing value");
  assert_spec_error ("gain:db", "db");
  assert_spec_error ("noise:sigma=-0.1", "sigma=-0.1");
  assert_spec_error ("noise:sigma=11", "out of range");
  assert_spec_error ("noise:sigma=nan", "out of range");
  assert_spec_error ("gain:db=inf", "out of range");
  assert_spec_error ("gain:db=1e400", "out of range");
  assert_spec_error ("fade:in=-1", "in=-1");
  assert_spec_error ("normalize:peak=3", "out of range");
  assert_spec_error ("gain:db=1,,noise", "empty stage");
  assert_spec_error ("gain:db=1,", "empty stage");
  assert_spec_error (",", "empty stage");
  assert_spec_error ("fade:in=1:in=2", "twice");
  assert_spec_error ("GAIN:db=1", "unknown stage");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/spec/parse", test_parse);
  g_test_add_func ("/cw/spec/parse-more", test_parse_more);
  g_test_add_func ("/cw/spec/identity", test_identity);
  g_test_add_func ("/cw/spec/default", test_default_spec);
  g_test_add_func ("/cw/spec/round-trip", test_round_trip);
  g_test_add_func ("/cw/spec/locale", test_locale);
  g_test_add_func ("/cw/spec/errors", test_errors);

  return g_test_run ();
}
