/* test-settings.c: CwSettings, the one object every setting goes through
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No display: CwSettings is GIO only. GSETTINGS_BACKEND=memory and the
 * build's schema come from meson; the memory backend is shared by every
 * CwSettings of the process, so each case sets what it reads.
 */

#include "config.h"

#include "cw-cpus.h"
#include "cw-error.h"
#include "cw-settings.h"
#include "cw-test-util.h"

/* How many times each property was notified. */
typedef struct
{
  GHashTable *counts;  /* property name -> count */
} Notes;

static void
notify_cb (GObject    *object,
           GParamSpec *pspec,
           gpointer    user_data)
{
  Notes *notes = user_data;
  const char *name = g_param_spec_get_name (pspec);
  guint count = GPOINTER_TO_UINT (g_hash_table_lookup (notes->counts, name));

  g_hash_table_insert (notes->counts, (gpointer) name, GUINT_TO_POINTER (count + 1));
}

static guint
notes_count (Notes      *notes,
             const char *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (notes->counts, name));
}

static void
iterate (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
default_output_dir (void)
{
  const char *music = g_get_user_special_dir (G_USER_DIRECTORY_MUSIC);

  if (music == NULL)
    return g_build_filename (g_get_home_dir (), "Music", "Corewave", NULL);
  return g_build_filename (music, "Corewave", NULL);
}

/* The stage keys and the chain off, as the schema has them, but for noise. */
static void
set_stages (CwSettings *settings,
            gboolean    mono,
            gboolean    gain,
            gboolean    normalize,
            gboolean    noise,
            gboolean    fade)
{
  g_object_set (settings,
                CW_SETTINGS_KEY_MONO, mono,
                CW_SETTINGS_KEY_GAIN_ENABLED, gain,
                CW_SETTINGS_KEY_NORMALIZE_ENABLED, normalize,
                CW_SETTINGS_KEY_NOISE_ENABLED, noise,
                CW_SETTINGS_KEY_FADE_ENABLED, fade,
                NULL);
}

/* A fresh process, so nothing another case wrote is in the memory backend. */
static void
test_defaults (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(CwSettings) settings = cw_settings_new ();
      g_autofree char *dir = cw_settings_dup_output_dir (settings);
      g_autofree char *expected_dir = default_output_dir ();
      g_autofree char *spec = cw_settings_build_spec (settings);
      g_autofree char *output_dir = NULL;
      int workers, chunk_size, width, height;
      gboolean maximized;

      g_assert_cmpstr (dir, ==, expected_dir);
      g_assert_cmpuint (cw_settings_get_workers (settings), ==, cw_cpus_usable ());
      g_assert_cmpuint (cw_settings_get_chunk_size (settings), ==, 0);
      g_assert_cmpint (cw_settings_get_order (settings), ==, CW_ORDER_UNORDERED);
      g_assert_cmpint (cw_settings_get_mode (settings), ==, CW_MODE_PROCESSES);
      g_assert_cmpint (cw_settings_get_format (settings), ==, CW_FORMAT_SAME);
      g_assert_cmpint (cw_settings_get_existing (settings), ==, CW_EXISTING_CHOICE_ASK);
      g_assert_cmpuint (cw_settings_get_seed (settings), ==, 0);
      /* a person's own files are converted, not changed: the lesson's noise
       * (CW_DEFAULT_SPEC, the CLI's default) is the demo set's */
      g_assert_cmpstr (spec, ==, "copy");

      /* the properties hold the keys as they are: 0 is "one per core",
       * "" the default folder */
      g_object_get (settings,
                    CW_SETTINGS_KEY_OUTPUT_DIR, &output_dir,
                    CW_SETTINGS_KEY_WORKERS, &workers,
                    CW_SETTINGS_KEY_CHUNK_SIZE, &chunk_size,
                    CW_SETTINGS_KEY_WINDOW_WIDTH, &width,
                    CW_SETTINGS_KEY_WINDOW_HEIGHT, &height,
                    CW_SETTINGS_KEY_WINDOW_MAXIMIZED, &maximized,
                    NULL);
      g_assert_cmpstr (output_dir, ==, "");
      g_assert_cmpint (workers, ==, 0);
      g_assert_cmpint (chunk_size, ==, 0);
      g_assert_cmpint (width, ==, 980);
      g_assert_cmpint (height, ==, 720);
      g_assert_false (maximized);
      g_assert_finalize_object (g_steal_pointer (&settings));
      return;
    }
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
}

/* Each typed setter, read back through its getter and its property. */
static void
test_typed_round_trip (void)
{
  g_autoptr(CwSettings) settings = cw_settings_new ();
  g_autofree char *default_dir = default_output_dir ();
  const CwOrder orders[] = { CW_ORDER_ORDERED, CW_ORDER_ALL, CW_ORDER_UNORDERED };
  const CwMode modes[] = { CW_MODE_THREADS, CW_MODE_SEQUENTIAL, CW_MODE_PROCESSES };
  const CwFormat formats[] = { CW_FORMAT_WAV, CW_FORMAT_FLAC, CW_FORMAT_OGG, CW_FORMAT_OPUS,
                               CW_FORMAT_MP3, CW_FORMAT_SAME };
  int workers;

  cw_settings_set_output_dir (settings, "/srv/audio/out");
  {
    g_autofree char *dir = cw_settings_dup_output_dir (settings);

    g_assert_cmpstr (dir, ==, "/srv/audio/out");
  }
  cw_settings_set_output_dir (settings, NULL);
  {
    g_autofree char *dir = cw_settings_dup_output_dir (settings);

    g_assert_cmpstr (dir, ==, default_dir);
  }

  for (guint n = 1; n <= CW_POOL_MAX_WORKERS; n *= 2)
    {
      g_assert_true (cw_settings_set_workers (settings, n));
      g_assert_cmpuint (cw_settings_get_workers (settings), ==, n);
      g_object_get (settings, CW_SETTINGS_KEY_WORKERS, &workers, NULL);
      g_assert_cmpint (workers, ==, n);
    }
  g_assert_true (cw_settings_set_workers (settings, 0));
  g_assert_cmpuint (cw_settings_get_workers (settings), ==, cw_cpus_usable ());

  g_assert_true (cw_settings_set_chunk_size (settings, CW_POOL_MAX_CHUNK_SIZE));
  g_assert_cmpuint (cw_settings_get_chunk_size (settings), ==, CW_POOL_MAX_CHUNK_SIZE);
  g_assert_true (cw_settings_set_chunk_size (settings, 0));
  g_assert_cmpuint (cw_settings_get_chunk_size (settings), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (orders); i++)
    {
      g_autofree char *nick = NULL;

      cw_settings_set_order (settings, orders[i]);
      g_assert_cmpint (cw_settings_get_order (settings), ==, orders[i]);
      g_object_get (settings, CW_SETTINGS_KEY_ORDER, &nick, NULL);
      g_assert_cmpstr (nick, ==, cw_order_to_string (orders[i]));
    }
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    {
      cw_settings_set_mode (settings, modes[i]);
      g_assert_cmpint (cw_settings_get_mode (settings), ==, modes[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      cw_settings_set_format (settings, formats[i]);
      g_assert_cmpint (cw_settings_get_format (settings), ==, formats[i]);
    }

  for (CwExistingChoice choice = CW_EXISTING_CHOICE_SKIP; (int) choice >= 0; choice--)
    {
      static const char * const nicks[] = { "ask", "rename", "replace", "skip" };
      g_autofree char *nick = NULL;

      cw_settings_set_existing (settings, choice);
      g_assert_cmpint (cw_settings_get_existing (settings), ==, choice);
      g_object_get (settings, CW_SETTINGS_KEY_EXISTING, &nick, NULL);
      g_assert_cmpstr (nick, ==, nicks[choice]);
    }

  cw_settings_set_seed (settings, G_MAXUINT64);
  g_assert_cmpuint (cw_settings_get_seed (settings), ==, G_MAXUINT64);
  cw_settings_set_seed (settings, 0);
  g_assert_cmpuint (cw_settings_get_seed (settings), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&settings));
}

/* Every property is its key: a value set is read back, notified once, and
 * setting it again notifies nothing. */
static void
test_properties (void)
{
  g_autoptr(CwSettings) settings = cw_settings_new ();
  g_autofree GParamSpec **pspecs = NULL;
  Notes notes = { g_hash_table_new (g_str_hash, g_str_equal) };
  guint n_pspecs;

  g_signal_connect (settings, "notify", G_CALLBACK (notify_cb), &notes);
  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (settings), &n_pspecs);
  g_assert_cmpuint (n_pspecs, ==, 30);
  for (guint i = 0; i < n_pspecs; i++)
    {
      const char *name = g_param_spec_get_name (pspecs[i]);
      g_auto(GValue) old_value = G_VALUE_INIT;
      g_auto(GValue) new_value = G_VALUE_INIT;
      g_auto(GValue) read = G_VALUE_INIT;

      g_value_init (&old_value, G_PARAM_SPEC_VALUE_TYPE (pspecs[i]));
      g_value_init (&new_value, G_PARAM_SPEC_VALUE_TYPE (pspecs[i]));
      g_value_init (&read, G_PARAM_SPEC_VALUE_TYPE (pspecs[i]));
      g_object_get_property (G_OBJECT (settings), name, &old_value);

      /* a value in the key's range (or enum) that differs from the old one */
      switch (G_PARAM_SPEC_VALUE_TYPE (pspecs[i]))
        {
        case G_TYPE_BOOLEAN:
          g_value_set_boolean (&new_value, !g_value_get_boolean (&old_value));
          break;
        case G_TYPE_INT:
          g_value_set_int (&new_value, g_value_get_int (&old_value) == 7 ? 8 : 7);
          break;
        case G_TYPE_UINT64:
          g_value_set_uint64 (&new_value, g_value_get_uint64 (&old_value) + 1);
          break;
        case G_TYPE_DOUBLE:
          g_value_set_double (&new_value, g_value_get_double (&old_value) == -0.5 ? -0.25 : -0.5);
          if (g_str_has_prefix (name, "fade") || g_str_has_prefix (name, "noise")
              || g_str_equal (name, CW_SETTINGS_KEY_QUALITY))
            g_value_set_double (&new_value, g_value_get_double (&old_value) == 0.5 ? 0.25 : 0.5);
          if (g_str_equal (name, CW_SETTINGS_KEY_RESAMPLE_RATE))
            g_value_set_double (&new_value, g_value_get_double (&old_value) == 44100 ? 96000 : 44100);
          break;
        case G_TYPE_STRING:
          {
            /* two values each key holds */
            const char *values[2] = { "flac", "wav" };

            if (g_str_equal (name, CW_SETTINGS_KEY_OUTPUT_DIR))
              values[0] = "/srv/elsewhere", values[1] = "/srv/there";
            else if (g_str_equal (name, CW_SETTINGS_KEY_ORDER))
              values[0] = "all", values[1] = "ordered";
            else if (g_str_equal (name, CW_SETTINGS_KEY_MODE))
              values[0] = "threads", values[1] = "sequential";
            else if (g_str_equal (name, CW_SETTINGS_KEY_EXISTING))
              values[0] = "skip", values[1] = "replace";
            else if (g_str_equal (name, CW_SETTINGS_KEY_BITS))
              values[0] = "24", values[1] = "32f";
            if (g_strcmp0 (g_value_get_string (&old_value), values[0]) == 0)
              values[0] = values[1];
            g_value_set_string (&new_value, values[0]);
          }
          break;
        default:
          g_assert_not_reached ();
        }

      g_object_set_property (G_OBJECT (settings), name, &new_value);
      iterate ();
      g_object_get_property (G_OBJECT (settings), name, &read);
      g_assert_true (g_param_values_cmp (pspecs[i], &read, &new_value) == 0);
      g_assert_cmpuint (notes_count (&notes, name), ==, 1);

      g_object_set_property (G_OBJECT (settings), name, &new_value);
      iterate ();
      g_assert_cmpuint (notes_count (&notes, name), ==, 1);

      g_object_set_property (G_OBJECT (settings), name, &old_value);
      iterate ();
      g_assert_cmpuint (notes_count (&notes, name), ==, 2);
    }

  g_signal_handlers_disconnect_by_data (settings, &notes);
  g_hash_table_unref (notes.counts);
  g_assert_finalize_object (g_steal_pointer (&settings));
}

/* A key changed through another CwSettings (as by another window, or
 * dconf) is notified here too. */
static void
test_notify_changes_from_elsewhere (void)
{
  g_autoptr(CwSettings) settings = cw_settings_new ();
  g_autoptr(CwSettings) other = cw_settings_new ();
  Notes notes = { g_hash_table_new (g_str_hash, g_str_equal) };

  cw_settings_set_chunk_size (settings, 4);
  iterate ();
  g_signal_connect (settings, "notify", G_CALLBACK (notify_cb), &notes);
  cw_settings_set_chunk_size (other, 5);
  iterate ();
  g_assert_cmpuint (notes_count (&notes, CW_SETTINGS_KEY_CHUNK_SIZE), ==, 1);
  g_assert_cmpuint (cw_settings_get_chunk_size (settings), ==, 5);
  g_assert_cmpuint (g_hash_table_size (notes.counts), ==, 1);

  cw_settings_set_chunk_size (other, 0);
  g_signal_handlers_disconnect_by_data (settings, &notes);
  g_hash_table_unref (notes.counts);
  g_assert_finalize_object (g_steal_pointer (&settings));
  g_assert_finalize_object (g_steal_pointer (&other));
}

/* The stage keys make the spec in the window's fixed order, and a spec
 * parsed back sets them. */
static void
test_spec (void)
{
  g_autoptr(CwSettings) settings = cw_settings_new ();
  g_autoptr(GError) error = NULL;
  const char *full = "mono,gain:db=-6,normalize:peak=-1.5,noise:sigma=0.05,fade:in=100:out=2000";
  gboolean mono, gain, normalize, noise, fade;
  double gain_db, sigma;

  set_stages (settings, TRUE, TRUE, TRUE, TRUE, TRUE);
  g_object_set (settings,
                CW_SETTINGS_KEY_GAIN_DB, -6.0,
                CW_SETTINGS_KEY_NORMALIZE_PEAK, -1.5,
                CW_SETTINGS_KEY_NOISE_SIGMA, 0.05,
                CW_SETTINGS_KEY_FADE_IN_MS, 100.0,
                CW_SETTINGS_KEY_FADE_OUT_MS, 2000.0,
                NULL);
  {
    g_autofree char *spec = cw_settings_build_spec (settings);

    g_assert_cmpstr (spec, ==, full);
  }

  /* nothing on: a copy */
  set_stages (settings, FALSE, FALSE, FALSE, FALSE, FALSE);
  {
    g_autofree char *spec = cw_settings_build_spec (settings);

    g_assert_cmpstr (spec, ==, "copy");
  }

  /* parsed back: the same keys, the same spec */
  g_assert_true (cw_settings_apply_spec (settings, full, &error));
  g_assert_no_error (error);
  {
    g_autofree char *spec = cw_settings_build_spec (settings);

    g_assert_cmpstr (spec, ==, full);
  }

  /* the collection stages: resample first (after mono), loudness after
   * normalize, as the window runs them; parsed back the same */
  {
    const char *collection = "mono,resample:rate=44100,gain:db=-6,loudness:lufs=-16:tp=-1.5,fade:in=100:out=2000";
    g_autofree char *spec = NULL;

    g_assert_true (cw_settings_apply_spec (settings, "fade:in=100:out=2000,loudness:lufs=-16:tp=-1.5,"
                                                     "resample:rate=44100,gain:db=-6,mono", &error));
    g_assert_no_error (error);
    spec = cw_settings_build_spec (settings);
    g_assert_cmpstr (spec, ==, collection);
    g_assert_false (cw_settings_apply_spec (settings, "resample:rate=800", &error));
    g_assert_error (error, CW_ERROR, CW_ERROR_SPEC);
    g_clear_error (&error);
    g_object_set (settings, CW_SETTINGS_KEY_RESAMPLE_ENABLED, FALSE, CW_SETTINGS_KEY_LOUDNESS_ENABLED, FALSE, NULL);
  }

  /* stages in another order run in the window's; a stage left out is off,
   * a number is kept as written ("%g") */
  g_assert_true (cw_settings_apply_spec (settings, "fade:in=1:out=2,gain:db=0.125", &error));
  g_assert_no_error (error);
  g_object_get (settings,
                CW_SETTINGS_KEY_MONO, &mono,
                CW_SETTINGS_KEY_GAIN_ENABLED, &gain,
                CW_SETTINGS_KEY_NORMALIZE_ENABLED, &normalize,
                CW_SETTINGS_KEY_NOISE_ENABLED, &noise,
                CW_SETTINGS_KEY_FADE_ENABLED, &fade,
                CW_SETTINGS_KEY_GAIN_DB, &gain_db,
                CW_SETTINGS_KEY_NOISE_SIGMA, &sigma,
                NULL);
  g_assert_false (mono);
  g_assert_true (gain);
  g_assert_false (normalize);
  g_assert_false (noise);
  g_assert_true (fade);
  g_assert_cmpfloat (gain_db, ==, 0.125);
  /* a stage turned off keeps its number for when it is on again */
  g_assert_cmpfloat (sigma, ==, 0.05);
  {
    g_autofree char *spec = cw_settings_build_spec (settings);

    g_assert_cmpstr (spec, ==, "gain:db=0.125,fade:in=1:out=2");
  }

  g_assert_true (cw_settings_apply_spec (settings, "copy", &error));
  g_assert_no_error (error);
  {
    g_autofree char *spec = cw_settings_build_spec (settings);

    g_assert_cmpstr (spec, ==, "copy");
  }

  /* refused specs change nothing */
  g_assert_true (cw_settings_apply_spec (settings, "noise:sigma=0.2", &error));
  g_assert_false (cw_settings_apply_spec (settings, "gain:db=1,gain:db=2", &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_SPEC);
  g_clear_error (&error);
  g_assert_false (cw_settings_apply_spec (settings, "reverb:room=big", &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_SPEC);
  g_clear_error (&error);
  {
    g_autofree char *spec = cw_settings_build_spec (settings);

    g_assert_cmpstr (spec, ==, "noise:sigma=0.2");
  }

  g_assert_true (cw_settings_apply_spec (settings, CW_DEFAULT_SPEC, &error));
  g_assert_finalize_object (g_steal_pointer (&settings));
}

/* After cw_settings_keep_for_this_run () what changes is seen by this
 * object only: nothing reaches the backend, so the next start does not
 * see it. */
static void
test_keep_for_this_run (void)
{
  g_autoptr(CwSettings) saved = cw_settings_new ();
  g_autoptr(CwSettings) run = cw_settings_new ();
  g_autoptr(GError) error = NULL;

  cw_settings_set_workers (saved, 3);
  cw_settings_set_order (saved, CW_ORDER_ORDERED);
  g_assert_true (cw_settings_apply_spec (saved, CW_DEFAULT_SPEC, &error));

  cw_settings_keep_for_this_run (run);
  cw_settings_set_workers (run, 5);
  cw_settings_set_order (run, CW_ORDER_ALL);
  cw_settings_set_output_dir (run, "/srv/this-run");
  g_assert_true (cw_settings_apply_spec (run, "gain:db=-3", &error));
  g_assert_no_error (error);
  g_object_set (run, CW_SETTINGS_KEY_WINDOW_WIDTH, 640, NULL);

  /* this run sees its options */
  g_assert_cmpuint (cw_settings_get_workers (run), ==, 5);
  g_assert_cmpint (cw_settings_get_order (run), ==, CW_ORDER_ALL);
  {
    g_autofree char *spec = cw_settings_build_spec (run);

    g_assert_cmpstr (spec, ==, "gain:db=-3");
  }

  /* nothing was saved */
  g_clear_object (&run);
  run = cw_settings_new ();
  g_assert_cmpuint (cw_settings_get_workers (run), ==, 3);
  g_assert_cmpint (cw_settings_get_order (run), ==, CW_ORDER_ORDERED);
  {
    g_autofree char *spec = cw_settings_build_spec (run);
    g_autofree char *dir = cw_settings_dup_output_dir (run);
    g_autofree char *saved_dir = cw_settings_dup_output_dir (saved);
    int width;

    g_assert_cmpstr (spec, ==, CW_DEFAULT_SPEC);
    g_assert_cmpstr (dir, ==, saved_dir);
    g_object_get (run, CW_SETTINGS_KEY_WINDOW_WIDTH, &width, NULL);
    g_assert_cmpint (width, !=, 640);
  }

  cw_settings_set_workers (saved, 0);
  cw_settings_set_order (saved, CW_ORDER_UNORDERED);
  g_assert_finalize_object (g_steal_pointer (&run));
  g_assert_finalize_object (g_steal_pointer (&saved));
}

/* A value out of its key's range is refused and changes nothing: the typed
 * setters and cw_settings_apply_spec () say so, a property set warns (as
 * GObject does for a bad value). */
static void
test_out_of_range (void)
{
  g_autoptr(CwSettings) settings = cw_settings_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *order = NULL;
  double gain_db;

  g_assert_true (cw_settings_set_workers (settings, 4));
  g_assert_false (cw_settings_set_workers (settings, CW_POOL_MAX_WORKERS + 1));
  g_assert_false (cw_settings_set_workers (settings, G_MAXUINT));
  g_assert_cmpuint (cw_settings_get_workers (settings), ==, 4);

  g_assert_true (cw_settings_set_chunk_size (settings, 9));
  g_assert_false (cw_settings_set_chunk_size (settings, CW_POOL_MAX_CHUNK_SIZE + 1));
  g_assert_cmpuint (cw_settings_get_chunk_size (settings), ==, 9);

  g_object_set (settings, CW_SETTINGS_KEY_GAIN_DB, -3.0, NULL);
  g_test_expect_message ("corewave", G_LOG_LEVEL_WARNING, "*“gain-db” was refused*");
  g_object_set (settings, CW_SETTINGS_KEY_GAIN_DB, 100.0, NULL);
  g_test_assert_expected_messages ();
  g_object_get (settings, CW_SETTINGS_KEY_GAIN_DB, &gain_db, NULL);
  g_assert_cmpfloat (gain_db, ==, -3.0);

  /* an enum key holds its nicks only */
  cw_settings_set_order (settings, CW_ORDER_ORDERED);
  g_test_expect_message ("corewave", G_LOG_LEVEL_WARNING, "*“order” was refused*");
  g_object_set (settings, CW_SETTINGS_KEY_ORDER, "sideways", NULL);
  g_test_assert_expected_messages ();
  g_object_get (settings, CW_SETTINGS_KEY_ORDER, &order, NULL);
  g_assert_cmpstr (order, ==, "ordered");

  /* a spec the CLI takes (its limits are wider) may not fit the window's
   * keys: refused as a whole, with the key's range */
  g_assert_true (cw_settings_apply_spec (settings, "noise:sigma=0.2", &error));
  g_assert_false (cw_settings_apply_spec (settings, "noise:sigma=0.5,gain:db=100", &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_SPEC);
  g_assert_cmpstr (error->message, ==, "In the window, gain:db must be between -120 and 60");
  g_clear_error (&error);
  g_assert_false (cw_settings_apply_spec (settings, "fade:in=0:out=4000000", &error));
  g_assert_error (error, CW_ERROR, CW_ERROR_SPEC);
  g_assert_cmpstr (error->message, ==, "In the window, fade:out must be between 0 and 3600000");
  g_clear_error (&error);
  {
    g_autofree char *spec = cw_settings_build_spec (settings);

    g_assert_cmpstr (spec, ==, "noise:sigma=0.2");
  }

  g_assert_true (cw_settings_apply_spec (settings, CW_DEFAULT_SPEC, &error));
  cw_settings_set_workers (settings, 0);
  cw_settings_set_chunk_size (settings, 0);
  cw_settings_set_order (settings, CW_ORDER_UNORDERED);
  g_assert_finalize_object (g_steal_pointer (&settings));
}

/* The "overwrite" switch of older versions: on becomes "replace", off the
 * new default ("ask"), a choice made since is kept; the old key is reset
 * once read. Each in a fresh process, as a person upgrading. */
static void
test_carry_over_overwrite (void)
{
  if (g_test_subprocess ())
    {
      const char *how = g_getenv ("CW_TEST_OLD_OVERWRITE");
      g_autoptr(GSettings) raw = g_settings_new (APP_ID);
      g_autoptr(CwSettings) settings = NULL;
      g_autoptr(GVariant) left = NULL;
      CwExistingChoice want = CW_EXISTING_CHOICE_ASK;

      g_settings_set_boolean (raw, CW_SETTINGS_KEY_OLD_OVERWRITE, !g_str_equal (how, "off"));
      if (g_str_equal (how, "on"))
        want = CW_EXISTING_CHOICE_REPLACE;
      else if (g_str_equal (how, "on-then-skip"))
        {
          g_settings_set_string (raw, CW_SETTINGS_KEY_EXISTING, "skip");
          want = CW_EXISTING_CHOICE_SKIP;
        }
      settings = cw_settings_new ();
      g_assert_cmpint (cw_settings_get_existing (settings), ==, want);
      left = g_settings_get_user_value (raw, CW_SETTINGS_KEY_OLD_OVERWRITE);
      g_assert_null (left);
      return;
    }
  for (guint i = 0; i < 3; i++)
    {
      static const char * const hows[] = { "on", "off", "on-then-skip" };

      g_setenv ("CW_TEST_OLD_OVERWRITE", hows[i], TRUE);
      g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
    }
  g_unsetenv ("CW_TEST_OLD_OVERWRITE");
}

int
main (int   argc,
      char *argv[])
{
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/settings/defaults", test_defaults);
  g_test_add_func ("/cw/settings/typed-round-trip", test_typed_round_trip);
  g_test_add_func ("/cw/settings/properties", test_properties);
  g_test_add_func ("/cw/settings/notify-changes-from-elsewhere",
                   test_notify_changes_from_elsewhere);
  g_test_add_func ("/cw/settings/spec", test_spec);
  g_test_add_func ("/cw/settings/keep-for-this-run", test_keep_for_this_run);
  g_test_add_func ("/cw/settings/out-of-range", test_out_of_range);
  g_test_add_func ("/cw/settings/carry-over-overwrite", test_carry_over_overwrite);

  return g_test_run ();
}
