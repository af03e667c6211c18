/* test-soak.c: a batch of 300 files while workers are killed with SIGKILL at
 * random moments; every input must be accounted for
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cw-pool.h"
#include "cw-test-util.h"

#define N_FILES   300
#define MIN_KILLS 20

static const CwJobSettings noise_settings = {
  .spec = (char *) "gain:db=-1,noise:sigma=0.05",
  .format = CW_FORMAT_SAME,
  .seed = 42,
};

typedef struct
{
  CwPool *pool;
  guint   n_results;
  guint   next_kill_at;  /* result count that arms the next kill */
  guint   kill_source;
  guint   n_kills;
  guint   n_misses;      /* the chosen worker had already gone */
} Killer;

/* Fires a few ms after it was armed, at a random moment: kills one live
 * worker picked at random. */
static gboolean
kill_random_worker_cb (gpointer user_data)
{
  Killer *k = user_data;
  g_autoptr(GArray) pids = cw_pool_get_worker_pids (k->pool);
  gint32 pid;

  if (pids->len == 0)
    return G_SOURCE_CONTINUE;  /* all respawning: try on the next tick */
  k->kill_source = 0;
  pid = g_array_index (pids, gint32, g_test_rand_int_range (0, pids->len));
  if (kill (pid, SIGKILL) == 0)
    k->n_kills++;
  else
    k->n_misses++;
  return G_SOURCE_REMOVE;
}

static void
soak_result_cb (const CwResult *result,
                gpointer        user_data)
{
  Killer *k = user_data;

  k->n_results++;
  /* one kill every 2 to 10 results (at least 30 in 300), each after a
   * random delay of a few ms so it lands anywhere in a task, not only just
   * after an answer (a task takes 2-10 ms here) */
  if (k->kill_source == 0 && k->n_results >= k->next_kill_at)
    {
      k->next_kill_at = k->n_results + g_test_rand_int_range (2, 11);
      k->kill_source = g_timeout_add (g_test_rand_int_range (0, 5), kill_random_worker_cb, k);
    }
}

static void
write_figures (guint n_workers,
               guint n_kills,
               guint n_done,
               guint n_failed)
{
  const char *dir = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *path = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  /* beside the test in the build tree (meson sets it), for docs/reliability.md */
  if (dir == NULL)
    return;
  path = g_build_filename (dir, "reliability-soak.txt", NULL);
  text = g_strdup_printf ("workers %u\nfiles %u\nkills %u\ndone %u\nfailed %u\nlost 0\n",
                          n_workers, N_FILES, n_kills, n_done, n_failed);

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
test_kill_soak (void)
{
  g_autofree char *dir = cw_test_make_tmp_dir ();
  g_autofree char *in_dir = g_build_filename (dir, "in", NULL);
  g_autofree char *ref_dir = g_build_filename (dir, "ref", NULL);
  g_autofree char *out_dir = g_build_filename (dir, "out", NULL);
  g_autofree char *small_dir = g_build_filename (dir, "small", NULL);
  g_autofree const CwResult **by_index = NULL;
  g_auto(GStrv) inputs = g_new0 (char *, N_FILES + 1);
  g_autoptr(GArray) pids = NULL;
  guint n_workers = g_test_rand_int_range (2, 5);
  guint n_done = 0, n_failed = 0, n_published = 0, fds_before;
  Killer k = { 0 };
  CwPool *pool;
  CwTestSource src;
  CwTestRun run;

  g_assert_cmpint (g_mkdir (in_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (ref_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (out_dir, 0755), ==, 0);
  g_assert_cmpint (g_mkdir (small_dir, 0755), ==, 0);
  for (guint i = 0; i < N_FILES; i++)
    {
      g_autofree char *name = g_strdup_printf ("take-%03u.wav", i);

      inputs[i] = g_build_filename (in_dir, name, NULL);
      cw_test_write_sine (inputs[i], 0.2 + 0.8 * g_test_rand_double (), 110 + 7 * i, 1 + i % 2);
    }

  /* the reference: the same batch, undisturbed */
  pool = cw_pool_new (CW_MODE_PROCESSES, n_workers);
  src = (CwTestSource) { .kind = CW_TASK_AUDIO, .inputs = inputs, .output_dir = ref_dir, .n = N_FILES };
  cw_test_run_init (&run);
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.stats.n_ok, ==, N_FILES);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);

  /* the soak */
  fds_before = cw_test_count_fds ();
  pool = cw_pool_new (CW_MODE_PROCESSES, n_workers);
  k = (Killer) { .pool = pool, .next_kill_at = 1 };
  src = (CwTestSource) { .kind = CW_TASK_AUDIO, .inputs = inputs, .output_dir = out_dir, .n = N_FILES };
  cw_test_run_init (&run);
  run.hook = soak_result_cb;
  run.hook_data = &k;
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_clear_handle_id (&k.kill_source, g_source_remove);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpuint (k.n_kills, >=, MIN_KILLS);
  /* every kill of a live worker is a death the pool saw (a kill may land
   * on a worker that was already going away: never more deaths than kills) */
  g_assert_cmpuint (run.stats.n_worker_deaths, <=, k.n_kills);

  /* done (byte-identical to the reference) or failed with a reason */
  by_index = cw_test_assert_each_once (&run, N_FILES);
  for (guint i = 0; i < N_FILES; i++)
    {
      const CwResult *r = by_index[i];
      g_autofree char *base = g_path_get_basename (inputs[i]);
      g_autofree char *ref = g_build_filename (ref_dir, base, NULL);
      g_autofree char *out = g_build_filename (out_dir, base, NULL);

      g_assert_cmpstr (r->input_path, ==, inputs[i]);
      if (r->status == CW_STATUS_OK)
        {
          g_autoptr(GBytes) a = cw_test_read_bytes (ref);
          g_autoptr(GBytes) b = cw_test_read_bytes (out);

          g_assert_cmpstr (r->output_path, ==, out);
          if (!g_bytes_equal (a, b))
            g_error ("%s differs from the undisturbed run", out);
          n_done++;
          continue;
        }
      g_assert_cmpint (r->status, ==, CW_STATUS_FAILED);
      g_assert_nonnull (r->error);
      g_assert_cmpstr (r->error, !=, "");
      g_test_message ("failed: %s: %s (attempts %u)", base, r->error, r->attempts);
      /* Killed twice: the only way to fail here. A retry replaces what a
       * killed attempt may have published, so never "output exists"; an
       * output that is there (the second attempt published it, then its
       * worker was killed before it answered) is complete and right. */
      if (strstr (r->error, "signal 9") == NULL)
        g_error ("%s: unexpected failure: %s", base, r->error);
      if (g_file_test (out, G_FILE_TEST_EXISTS))
        {
          g_autoptr(GBytes) a = cw_test_read_bytes (ref);
          g_autoptr(GBytes) b = cw_test_read_bytes (out);

          if (!g_bytes_equal (a, b))
            g_error ("%s differs from the undisturbed run", out);
          n_published++;
        }
      n_failed++;
    }
  g_assert_cmpuint (n_done + n_failed, ==, N_FILES);
  cw_test_assert_no_part_files (out_dir);
  cw_test_run_clear (&run);

  /* the pool is whole again: a small batch brings all N workers up */
  {
    g_auto(GStrv) small = g_new0 (char *, 4 * n_workers + 1);

    for (guint i = 0; i < 4 * n_workers; i++)
      small[i] = g_strdup (inputs[i]);
    cw_pool_set_chunk_size (pool, 1);
    src = (CwTestSource) { .kind = CW_TASK_AUDIO, .inputs = small, .output_dir = small_dir, .n = 4 * n_workers };
    cw_test_run_init (&run);
    cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
    g_assert_true (run.ok);
    g_assert_cmpuint (run.stats.n_ok, ==, 4 * n_workers);
    cw_test_run_clear (&run);
  }
  pids = cw_pool_get_worker_pids (pool);
  g_assert_cmpuint (pids->len, ==, n_workers);
  for (guint i = 0; i < pids->len; i++)
    {
      g_assert_cmpint (kill (g_array_index (pids, gint32, i), 0), ==, 0);
      for (guint j = 0; j < i; j++)
        g_assert_cmpint (g_array_index (pids, gint32, i), !=, g_array_index (pids, gint32, j));
    }

  /* no zombie (cw_test_close_pool checks ECHILD), no fd left open */
  cw_test_close_pool (pool);
  cw_test_wait_for_fd_count (fds_before);

  g_test_message ("figures: %u workers, %u kills survived (%u missed), %u files: %u done, "
                  "%u failed with a reason (%u of them with a complete output), 0 lost",
                  n_workers, k.n_kills, k.n_misses, N_FILES, n_done, n_failed, n_published);
  write_figures (n_workers, k.n_kills, n_done, n_failed);
  cw_test_rm_rf (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_unsetenv ("CW_TEST_CRASH_ON");
  g_unsetenv ("CW_TEST_HANG_ON");
  g_unsetenv ("CW_TEST_GARBAGE");
  g_unsetenv ("CW_TEST_FSIZE_LIMIT");

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cw/fault/kill-soak", test_kill_soak);
  return g_test_run ();
}
