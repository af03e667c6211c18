/* test-settings-page.c: the Settings page follows CwSettings and writes it
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The rows are driven as a person would change them (a switch's active, a
 * spin's value, a combo's selection), and the settings are read back
 * through their typed getters; then the other way round.
 */

#include "config.h"

#include "cw-cpus.h"
#include "cw-settings-page.h"
#include "cw-test-gtk-util.h"

typedef struct
{
  CwSettings     *settings;
  CwSettingsPage *page;
} Fixture;

static gpointer
child (Fixture    *f,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (f->page), CW_TYPE_SETTINGS_PAGE,
                                                   name);

  g_assert_nonnull (object);
  return object;
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->settings = cw_settings_new ();
  /* what each case starts from (the memory backend is shared) */
  g_assert_true (cw_settings_apply_spec (f->settings, CW_DEFAULT_SPEC, &error));
  cw_settings_set_output_dir (f->settings, "/srv/out");
  cw_settings_set_workers (f->settings, 0);
  cw_settings_set_chunk_size (f->settings, 0);
  cw_settings_set_order (f->settings, CW_ORDER_UNORDERED);
  cw_settings_set_mode (f->settings, CW_MODE_PROCESSES);
  cw_settings_set_format (f->settings, CW_FORMAT_SAME);
  cw_settings_set_existing (f->settings, CW_EXISTING_CHOICE_ASK);
  f->page = g_object_ref_sink (CW_SETTINGS_PAGE (cw_settings_page_new (f->settings)));
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_assert_finalize_object (g_steal_pointer (&f->page));
  g_assert_finalize_object (g_steal_pointer (&f->settings));
}

static double
spin_value (Fixture    *f,
            const char *name)
{
  return gtk_spin_button_get_value (child (f, name));
}

/* What the settings say is what the rows show. */
static void
test_rows_follow (Fixture       *f,
                  gconstpointer  data)
{
  const char *chain = "mono,gain:db=-6,fade:in=250:out=750";
  g_autoptr(GError) error = NULL;

  /* the schema's transform: noise on, its σ shown */
  g_assert_true (adw_expander_row_get_enable_expansion (child (f, "noise_row")));
  g_assert_false (adw_expander_row_get_enable_expansion (child (f, "gain_row")));
  g_assert_cmpfloat (spin_value (f, "noise_spin"), ==, 0.1);
  g_assert_cmpstr (adw_action_row_get_subtitle (child (f, "chain_row")), ==, CW_DEFAULT_SPEC);
  g_assert_cmpstr (adw_action_row_get_subtitle (child (f, "output_row")), ==, "/srv/out");

  g_assert_true (cw_settings_apply_spec (f->settings, chain, &error));
  g_assert_no_error (error);
  g_assert_true (gtk_switch_get_active (child (f, "mono_switch")));
  g_assert_true (adw_expander_row_get_enable_expansion (child (f, "gain_row")));
  g_assert_false (adw_expander_row_get_enable_expansion (child (f, "noise_row")));
  g_assert_cmpfloat (spin_value (f, "gain_spin"), ==, -6);
  g_assert_cmpfloat (spin_value (f, "fade_in_spin"), ==, 250);
  g_assert_cmpfloat (spin_value (f, "fade_out_spin"), ==, 750);
  g_assert_cmpstr (adw_action_row_get_subtitle (child (f, "chain_row")), ==, chain);

  cw_settings_set_format (f->settings, CW_FORMAT_FLAC);
  cw_settings_set_order (f->settings, CW_ORDER_ALL);
  cw_settings_set_mode (f->settings, CW_MODE_SEQUENTIAL);
  cw_settings_set_existing (f->settings, CW_EXISTING_CHOICE_SKIP);
  cw_settings_set_output_dir (f->settings, "/srv/elsewhere");
  g_assert_cmpuint (adw_combo_row_get_selected (child (f, "format_row")), ==, 2);
  g_assert_cmpuint (adw_combo_row_get_selected (child (f, "order_row")), ==, 2);
  g_assert_cmpuint (adw_combo_row_get_selected (child (f, "mode_row")), ==, 2);
  g_assert_cmpuint (adw_combo_row_get_selected (child (f, "existing_row")), ==, 3);
  g_assert_cmpstr (adw_action_row_get_subtitle (child (f, "output_row")), ==, "/srv/elsewhere");

  /* "one per core" shows the core count; auto chunks switch the size off */
  g_assert_cmpfloat (spin_value (f, "workers_spin"), ==, cw_cpus_usable ());
  g_assert_true (gtk_switch_get_active (child (f, "chunk_auto_switch")));
  g_assert_false (gtk_widget_get_sensitive (child (f, "chunk_row")));
  cw_settings_set_workers (f->settings, 3);
  cw_settings_set_chunk_size (f->settings, 12);
  g_assert_cmpfloat (spin_value (f, "workers_spin"), ==, 3);
  g_assert_false (gtk_switch_get_active (child (f, "chunk_auto_switch")));
  g_assert_true (gtk_widget_get_sensitive (child (f, "chunk_row")));
  g_assert_cmpfloat (spin_value (f, "chunk_spin"), ==, 12);
  /* back to auto: the spin keeps the last number it showed */
  cw_settings_set_chunk_size (f->settings, 0);
  g_assert_true (gtk_switch_get_active (child (f, "chunk_auto_switch")));
  g_assert_cmpfloat (spin_value (f, "chunk_spin"), ==, 12);
}

/* What a person changes in the rows is what the settings say. */
static void
test_rows_write (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *spec = NULL;
  int workers;

  adw_expander_row_set_enable_expansion (child (f, "normalize_row"), TRUE);
  gtk_spin_button_set_value (child (f, "normalize_spin"), -3);
  gtk_spin_button_set_value (child (f, "noise_spin"), 0.25);
  gtk_switch_set_active (child (f, "mono_switch"), TRUE);
  spec = cw_settings_build_spec (f->settings);
  g_assert_cmpstr (spec, ==, "mono,normalize:peak=-3,noise:sigma=0.25");
  g_assert_cmpstr (adw_action_row_get_subtitle (child (f, "chain_row")), ==, spec);

  /* the collection stages take their places in the chain */
  adw_expander_row_set_enable_expansion (child (f, "resample_row"), TRUE);
  gtk_spin_button_set_value (child (f, "resample_spin"), 44100);
  adw_expander_row_set_enable_expansion (child (f, "loudness_row"), TRUE);
  gtk_spin_button_set_value (child (f, "loudness_spin"), -16);
  gtk_spin_button_set_value (child (f, "loudness_tp_spin"), -2);
  {
    g_autofree char *with = cw_settings_build_spec (f->settings);

    g_assert_cmpstr (with, ==, "mono,resample:rate=44100,normalize:peak=-3,loudness:lufs=-16:tp=-2,noise:sigma=0.25");
    g_assert_cmpstr (adw_action_row_get_subtitle (child (f, "chain_row")), ==, with);
  }
  adw_expander_row_set_enable_expansion (child (f, "resample_row"), FALSE);
  adw_expander_row_set_enable_expansion (child (f, "loudness_row"), FALSE);

  adw_combo_row_set_selected (child (f, "format_row"), 4);
  adw_combo_row_set_selected (child (f, "order_row"), 1);
  adw_combo_row_set_selected (child (f, "mode_row"), 1);
  adw_combo_row_set_selected (child (f, "existing_row"), 2);
  g_assert_cmpint (cw_settings_get_format (f->settings), ==, CW_FORMAT_OPUS);
  g_assert_cmpint (cw_settings_get_order (f->settings), ==, CW_ORDER_ORDERED);
  g_assert_cmpint (cw_settings_get_mode (f->settings), ==, CW_MODE_THREADS);
  g_assert_cmpint (cw_settings_get_existing (f->settings), ==, CW_EXISTING_CHOICE_REPLACE);
  adw_combo_row_set_selected (child (f, "existing_row"), 0);
  g_assert_cmpint (cw_settings_get_existing (f->settings), ==, CW_EXISTING_CHOICE_ASK);

  /* the encoding rows: only those the format has, and what they say is
   * what a batch gets */
  {
    CwBits bits;
    gboolean has_quality, no_metadata;
    double quality;

    g_assert_false (gtk_widget_get_visible (child (f, "bits_row")));     /* Opus */
    g_assert_true (gtk_widget_get_visible (child (f, "quality_row")));
    adw_expander_row_set_enable_expansion (child (f, "quality_row"), TRUE);
    gtk_spin_button_set_value (child (f, "quality_spin"), 0.35);
    gtk_switch_set_active (child (f, "tags_switch"), FALSE);
    cw_settings_get_encoding (f->settings, CW_FORMAT_OPUS, &bits, &has_quality, &quality, &no_metadata);
    g_assert_true (has_quality);
    g_assert_cmpfloat_with_epsilon (quality, 0.35, 1e-9);
    g_assert_true (no_metadata);
    g_assert_cmpint (bits, ==, CW_BITS_SAME);

    adw_combo_row_set_selected (child (f, "format_row"), 2);              /* FLAC */
    g_assert_true (gtk_widget_get_visible (child (f, "bits_row")));
    g_assert_false (gtk_widget_get_visible (child (f, "quality_row")));
    adw_combo_row_set_selected (child (f, "bits_row"), 2);
    cw_settings_get_encoding (f->settings, CW_FORMAT_FLAC, &bits, &has_quality, &quality, &no_metadata);
    g_assert_cmpint (bits, ==, CW_BITS_24);
    g_assert_false (has_quality);     /* lossless: the quality row's value is not sent */
    adw_combo_row_set_selected (child (f, "format_row"), 0);              /* same as input: both */
    g_assert_true (gtk_widget_get_visible (child (f, "bits_row")));
    g_assert_true (gtk_widget_get_visible (child (f, "quality_row")));
    adw_combo_row_set_selected (child (f, "bits_row"), 0);
    adw_expander_row_set_enable_expansion (child (f, "quality_row"), FALSE);
    gtk_switch_set_active (child (f, "tags_switch"), TRUE);
    adw_combo_row_set_selected (child (f, "format_row"), 4);
  }

  /* the core count shown keeps "one per core"; another number is saved */
  gtk_spin_button_set_value (child (f, "workers_spin"), cw_cpus_usable () + 1);
  g_assert_cmpuint (cw_settings_get_workers (f->settings), ==, cw_cpus_usable () + 1);
  cw_settings_set_workers (f->settings, 0);
  gtk_spin_button_set_value (child (f, "workers_spin"), cw_cpus_usable ());
  g_object_get (f->settings, CW_SETTINGS_KEY_WORKERS, &workers, NULL);
  g_assert_cmpint (workers, ==, 0);

  /* automatic chunks off: the size shown is the size saved */
  gtk_spin_button_set_value (child (f, "chunk_spin"), 6);
  g_assert_cmpuint (cw_settings_get_chunk_size (f->settings), ==, 0);
  gtk_switch_set_active (child (f, "chunk_auto_switch"), FALSE);
  g_assert_cmpuint (cw_settings_get_chunk_size (f->settings), ==, 6);
  gtk_spin_button_set_value (child (f, "chunk_spin"), 8);
  g_assert_cmpuint (cw_settings_get_chunk_size (f->settings), ==, 8);
  gtk_switch_set_active (child (f, "chunk_auto_switch"), TRUE);
  g_assert_cmpuint (cw_settings_get_chunk_size (f->settings), ==, 0);
}

/* Another CwSettings takes over the rows; the first one is let go. */
static void
test_rebind (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(CwSettings) other = cw_settings_new ();

  cw_settings_keep_for_this_run (other);
  cw_settings_set_workers (other, 5);
  cw_settings_page_set_settings (f->page, other);
  g_assert_true (cw_settings_page_get_settings (f->page) == other);
  g_assert_cmpfloat (spin_value (f, "workers_spin"), ==, 5);

  /* the first one no longer moves the rows, nor they it */
  cw_settings_set_workers (f->settings, 7);
  g_assert_cmpfloat (spin_value (f, "workers_spin"), ==, 5);
  gtk_spin_button_set_value (child (f, "workers_spin"), 4);
  g_assert_cmpuint (cw_settings_get_workers (other), ==, 4);
  g_assert_cmpuint (cw_settings_get_workers (f->settings), ==, 7);

  cw_settings_page_set_settings (f->page, NULL);
  g_assert_finalize_object (g_steal_pointer (&other));
  cw_settings_set_workers (f->settings, 0);
}

int
main (int   argc,
      char *argv[])
{
  if (!cw_test_init_gtk (&argc, &argv))
    return 0;

  g_test_add ("/cw/settings-page/rows-follow", Fixture, NULL,
              fixture_setup, test_rows_follow, fixture_teardown);
  g_test_add ("/cw/settings-page/rows-write", Fixture, NULL,
              fixture_setup, test_rows_write, fixture_teardown);
  g_test_add ("/cw/settings-page/rebind", Fixture, NULL,
              fixture_setup, test_rebind, fixture_teardown);

  return g_test_run ();
}
