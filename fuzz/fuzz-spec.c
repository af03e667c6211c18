/* fuzz-spec.c: libFuzzer target for the transform-spec parser
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Any string parses or fails with an error; what parses has a canonical form
 * that parses again to the same canonical form (the round trip holds).
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cw-spec.h"

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autofree char *spec = g_strndup ((const char *) data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(CwChain) chain = NULL;
  g_autoptr(CwChain) again = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *canonical_again = NULL;

  chain = cw_chain_parse (spec, &error);
  if (chain == NULL)
    {
      if (error == NULL || error->message == NULL)
        abort ();
      return 0;
    }
  if (error != NULL)
    abort ();
  canonical = cw_chain_to_string (chain);
  again = cw_chain_parse (canonical, NULL);
  if (again == NULL)
    abort ();
  canonical_again = cw_chain_to_string (again);
  if (strcmp (canonical, canonical_again) != 0)
    abort ();
  if (cw_chain_get_n_stages (again) != cw_chain_get_n_stages (chain))
    abort ();
  return 0;
}
