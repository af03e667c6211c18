/* test-fault.c: faults the pool must survive: a hanging task, a small disk,
 * a worker that dies mid-message, an output folder that disappears
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "cw-pool.h"
#include "cw-test-util.h"

/* It only turns a hang into a failure. */
#define WAIT_TIMEOUT_S 120

static const CwJobSettings noise_settings = {
  .spec = (char *) "noise:sigma=0.1",
  .format = CW_FORMAT_SAME,
  .seed = 1234,
};

static void
assert_ok_with_output (CwTestAudioSet *set,
                       const CwResult *r,
                       guint           i)
{
  g_autofree char *output = cw_test_output_of (set, set->inputs[i]);

  if (r->status != CW_STATUS_OK)
    g_error ("task %u (%s): status %d, error %s", i, set->inputs[i], r->status, r->error);
  g_assert_cmpstr (r->output_path, ==, output);
  g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));
}

/* CW_TEST_HANG_ON=hangme (main) makes that task hang forever: the timeout
 * fails it alone, without a retry, and the rest of its chunk goes on. */
static void
test_timeout (void)
{
  const char * const names[] = { "a.wav", "b-hangme.wav", "c.wav", "d.wav", "e.wav", "f.wav", NULL };
  g_autofree const CwResult **by_index = NULL;
  CwTestAudioSet set;
  CwPool *pool;
  CwTestSource src;
  CwTestRun run;
  gint64 start;

  g_assert_cmpstr (g_getenv ("CW_TEST_HANG_ON"), ==, "hangme");
  cw_test_audio_set_init (&set, names, NULL);
  pool = cw_pool_new (CW_MODE_PROCESSES, 2);
  g_assert_cmpuint (cw_pool_get_task_timeout (pool), ==, 0);
  cw_pool_set_chunk_size (pool, 3);
  cw_pool_set_task_timeout (pool, 1000);
  g_assert_cmpuint (cw_pool_get_task_timeout (pool), ==, 1000);

  src = (CwTestSource) { .kind = CW_TASK_AUDIO, .inputs = set.inputs, .output_dir = set.out, .n = set.n };
  cw_test_run_init (&run);
  start = g_get_monotonic_time ();
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  /* the hang cost one timeout, not the test's patience */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 30 * G_USEC_PER_SEC);

  by_index = cw_test_assert_each_once (&run, set.n);
  for (guint i = 0; i < set.n; i++)
    {
      const CwResult *r = by_index[i];

      if (i == 1)
        {
          g_autofree char *output = cw_test_output_of (&set, set.inputs[i]);

          g_assert_cmpint (r->status, ==, CW_STATUS_FAILED);
          g_assert_cmpstr (r->error, ==, "timed out after 1 s");
          g_assert_cmpuint (r->attempts, ==, 1);
          g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
          continue;
        }
      assert_ok_with_output (&set, r, i);
    }
  g_assert_cmpuint (run.stats.n_worker_deaths, ==, 1);
  cw_test_assert_no_part_files (set.out);
  cw_test_run_clear (&run);

  /* the slot respawned: a second batch on the same pool runs whole */
  cw_test_rm_rf (set.out);
  g_assert_cmpint (g_mkdir (set.out, 0755), ==, 0);
  g_free (set.inputs[1]);
  set.inputs[1] = g_build_filename (set.dir, "b.wav", NULL);
  cw_test_write_sine (set.inputs[1], 0.2, 440, 1);
  src = (CwTestSource) { .kind = CW_TASK_AUDIO, .inputs = set.inputs, .output_dir = set.out, .n = set.n };
  cw_test_run_init (&run);
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.stats.n_ok, ==, set.n);
  g_assert_cmpuint (run.stats.n_worker_deaths, ==, 0);
  cw_test_run_clear (&run);

  cw_test_close_pool (pool);
  cw_test_audio_set_clear (&set);
}

/* A worker that writes half a frame and closes its pipe is a crash: its
 * tasks are retried once, then failed with the protocol error. */
static void
test_closes_mid_message (void)
{
  const char * const names[] = { "a.wav", "b.wav", "c.wav", NULL };
  g_autofree const CwResult **by_index = NULL;
  CwTestAudioSet set;
  CwPool *pool;
  CwTestSource src;
  CwTestRun run;

  if (cw_test_trap_subprocess (2 * WAIT_TIMEOUT_S))
    return;

  g_setenv ("CW_TEST_GARBAGE", "half", TRUE);
  cw_test_audio_set_init (&set, names, NULL);
  pool = cw_pool_new (CW_MODE_PROCESSES, 2);
  cw_pool_set_chunk_size (pool, 1);
  src = (CwTestSource) { .kind = CW_TASK_AUDIO, .inputs = set.inputs, .output_dir = set.out, .n = set.n };
  cw_test_run_init (&run);
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_unsetenv ("CW_TEST_GARBAGE");

  g_assert_no_error (run.error);
  by_index = cw_test_assert_each_once (&run, set.n);
  for (guint i = 0; i < set.n; i++)
    {
      g_assert_cmpint (by_index[i]->status, ==, CW_STATUS_FAILED);
      g_assert_cmpstr (by_index[i]->error, ==, "Protocol error: truncated message");
      g_assert_cmpuint (by_index[i]->attempts, ==, 2);
    }
  g_assert_cmpuint (run.stats.n_worker_deaths, ==, 2 * set.n);
  cw_test_assert_no_part_files (set.out);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
  cw_test_audio_set_clear (&set);
}

/* RLIMIT_FSIZE on the workers (CW_TEST_FSIZE_LIMIT): a file that does not
 * fit is a per-file "File too large", with no partial output left; the
 * small ones are written. */
static void
test_file_too_large (void)
{
  const char * const names[] = { "big-a.wav", "small-b.wav", "big-c.wav", "small-d.wav", "small-e.wav", NULL };
  const double seconds[] = { 3.0, 0.2, 4.0, 0.3, 0.1 };
  g_autofree const CwResult **by_index = NULL;
  CwTestAudioSet set;
  CwPool *pool;
  CwTestSource src;
  CwTestRun run;

  if (cw_test_trap_subprocess (2 * WAIT_TIMEOUT_S))
    return;

  cw_test_audio_set_init (&set, names, seconds);
  /* 100 kB: the small files (< 60 kB out) fit, the big ones (> 250 kB) do not */
  g_setenv ("CW_TEST_FSIZE_LIMIT", "100000", TRUE);
  pool = cw_pool_new (CW_MODE_PROCESSES, 2);
  cw_pool_set_chunk_size (pool, 2);
  src = (CwTestSource) { .kind = CW_TASK_AUDIO, .inputs = set.inputs, .output_dir = set.out, .n = set.n };
  cw_test_run_init (&run);
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_unsetenv ("CW_TEST_FSIZE_LIMIT");

  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  by_index = cw_test_assert_each_once (&run, set.n);
  for (guint i = 0; i < set.n; i++)
    {
      const CwResult *r = by_index[i];
      g_autofree char *output = cw_test_output_of (&set, set.inputs[i]);

      if (g_str_has_prefix (names[i], "big"))
        {
          g_assert_cmpint (r->status, ==, CW_STATUS_FAILED);
          g_assert_nonnull (r->error);
          if (strstr (r->error, "File too large") == NULL)
            g_error ("%s: expected \"File too large\", got \"%s\"", names[i], r->error);
          /* a per-file error, not a dead worker */
          g_assert_cmpuint (r->attempts, ==, 1);
          g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
        }
      else
        assert_ok_with_output (&set, r, i);
    }
  g_assert_cmpuint (run.stats.n_worker_deaths, ==, 0);
  cw_test_assert_no_part_files (set.out);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
  cw_test_audio_set_clear (&set);
}

/* A full disk: the outputs go to a 256 kB tmpfs (mounted when we may, as
 * root in CI; skipped otherwise). One worker, so the files meet the disk
 * one at a time: those that do not fit fail with "No space left on device"
 * and leave nothing behind, so the small ones after them still fit. */
static void
test_disk_full (void)
{
  const char * const names[] = { "small-a.wav", "big-b.wav", "small-c.wav", "big-d.wav", "small-e.wav", NULL };
  const double seconds[] = { 0.3, 4.0, 0.2, 3.0, 0.4 };
  g_autofree const CwResult **by_index = NULL;
  g_autofree char *small_fs = NULL;
  CwTestAudioSet set;
  CwPool *pool;
  CwTestSource src;
  CwTestRun run;

  if (!g_test_subprocess ())
    {
      /* the child finds it by our pid: no setenv () with threads about */
      g_autofree char *mnt = g_strdup_printf ("%s/cw-test-small-fs-%d", g_get_tmp_dir (), (int) getpid ());
      g_autofree char *err = NULL;
      const char *mount_argv[] = { "mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", mnt, NULL };
      const char *umount_argv[] = { "umount", mnt, NULL };
      int status = -1;

      g_assert_cmpint (g_mkdir (mnt, 0755), ==, 0);
      if (getuid () != 0
          || !g_spawn_sync (NULL, (char **) mount_argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                            NULL, NULL, NULL, &err, &status, NULL)
          || !g_spawn_check_wait_status (status, NULL))
        {
          cw_test_rm_rf (mnt);
          g_test_skip ("cannot mount a small tmpfs here (CI runs as root)");
          return;
        }
      g_test_trap_subprocess (NULL, 2 * WAIT_TIMEOUT_S * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_assert_true (g_spawn_sync (NULL, (char **) umount_argv, NULL, G_SPAWN_SEARCH_PATH,
                                   NULL, NULL, NULL, NULL, &status, NULL));
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      cw_test_rm_rf (mnt);
      g_test_trap_assert_passed ();
      return;
    }

  small_fs = g_strdup_printf ("%s/cw-test-small-fs-%d", g_get_tmp_dir (), (int) getppid ());
  g_assert_true (g_file_test (small_fs, G_FILE_TEST_IS_DIR));
  cw_test_audio_set_init (&set, names, seconds);
  g_free (set.out);
  set.out = g_build_filename (small_fs, "out", NULL);
  g_assert_cmpint (g_mkdir (set.out, 0755), ==, 0);
  pool = cw_pool_new (CW_MODE_PROCESSES, 1);
  cw_pool_set_chunk_size (pool, 1);
  src = (CwTestSource) { .kind = CW_TASK_AUDIO, .inputs = set.inputs, .output_dir = set.out, .n = set.n };
  cw_test_run_init (&run);
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);

  by_index = cw_test_assert_each_once (&run, set.n);
  for (guint i = 0; i < set.n; i++)
    {
      const CwResult *r = by_index[i];
      g_autofree char *output = cw_test_output_of (&set, set.inputs[i]);

      if (g_str_has_prefix (names[i], "big"))
        {
          g_assert_cmpint (r->status, ==, CW_STATUS_FAILED);
          if (r->error == NULL || strstr (r->error, "No space left on device") == NULL)
            g_error ("%s: expected \"No space left on device\", got \"%s\"", names[i], r->error);
          g_assert_cmpuint (r->attempts, ==, 1);
          g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
        }
      else
        assert_ok_with_output (&set, r, i);
    }
  g_assert_cmpuint (run.stats.n_worker_deaths, ==, 0);
  cw_test_assert_no_part_files (set.out);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
  cw_test_rm_rf (set.out);
  cw_test_audio_set_clear (&set);
}

static void
remove_output_dir_cb (const CwResult *result,
                      gpointer        user_data)
{
  CwTestAudioSet *set = user_data;

  /* The other worker may publish its output between the listing and the
   * rmdir (ENOTEMPTY): then what it published goes on the next pass. */
  while (g_file_test (set->out, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (set->out, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (set->out, name, NULL);

          g_assert_true (g_unlink (child) == 0 || errno == ENOENT);
        }
      g_assert_true (g_rmdir (set->out) == 0 || errno == ENOTEMPTY || errno == ENOENT);
    }
}

/* The output folder disappears after the first result: the files still
 * running or to come fail with a clear error, the batch completes, and no
 * partial output turns up anywhere. */
static void
test_output_dir_gone (void)
{
  const char * const names[] = { "a.wav", "b.wav", "c.wav", "d.wav", "e.wav", "f.wav", "g.wav", "h.wav", NULL };
  g_autofree const CwResult **by_index = NULL;
  guint n_failed = 0;
  CwTestAudioSet set;
  CwPool *pool;
  CwTestSource src;
  CwTestRun run;

  cw_test_audio_set_init (&set, names, NULL);
  pool = cw_pool_new (CW_MODE_PROCESSES, 2);
  cw_pool_set_chunk_size (pool, 1);
  src = (CwTestSource) { .kind = CW_TASK_AUDIO, .inputs = set.inputs, .output_dir = set.out, .n = set.n };
  cw_test_run_init (&run);
  run.hook = remove_output_dir_cb;
  run.hook_data = &set;
  cw_test_run_map (pool, &noise_settings, &src, CW_ORDER_UNORDERED, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);

  by_index = cw_test_assert_each_once (&run, set.n);
  g_assert_cmpint (by_index[0] != NULL, ==, TRUE);
  for (guint i = 0; i < set.n; i++)
    {
      const CwResult *r = by_index[i];

      g_assert_cmpint (r->status, !=, CW_STATUS_CANCELLED);
      if (r->status == CW_STATUS_FAILED)
        {
          n_failed++;
          g_assert_nonnull (r->error);
          if (strstr (r->error, "No such file or directory") == NULL)
            g_error ("%s: expected \"No such file or directory\", got \"%s\"", names[i], r->error);
          g_assert_cmpuint (r->attempts, ==, 1);
        }
    }
  /* two workers, one result in: at least the six never started failed */
  g_assert_cmpuint (n_failed, >=, set.n - 2);
  g_assert_false (g_file_test (set.out, G_FILE_TEST_EXISTS));
  cw_test_assert_no_part_files (set.dir);
  g_assert_cmpuint (run.stats.n_worker_deaths, ==, 0);
  cw_test_run_clear (&run);
  cw_test_close_pool (pool);
  cw_test_audio_set_clear (&set);
}

/* The CLI's --task-timeout reaches the pool: the hanging file is reported
 * and the others are written. */
static void
test_cli_task_timeout (void)
{
  const char * const names[] = { "a.wav", "b-hangme.wav", "c.wav", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  CwTestAudioSet set;
  int status;

  cw_test_audio_set_init (&set, names, NULL);
  {
    const char *argv[] = { g_getenv ("CW_CLI_PATH"), "--json", "-j", "2", "--task-timeout", "1.5",
                           "-o", set.out, set.inputs[0], set.inputs[1], set.inputs[2], NULL };

    g_assert_nonnull (argv[0]);
    g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error);
  }
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  g_assert_nonnull (strstr (out, "\"error\":\"timed out after 1.5 s\""));
  g_assert_nonnull (strstr (out, "b-hangme.wav\",\"output\":null"));
  for (guint i = 0; i < set.n; i += 2)
    {
      g_autofree char *output = cw_test_output_of (&set, set.inputs[i]);

      g_assert_true (g_file_test (output, G_FILE_TEST_IS_REGULAR));
    }
  cw_test_assert_no_part_files (set.out);
  cw_test_audio_set_clear (&set);
}

int
main (int   argc,
      char *argv[])
{
  /* Before any thread: only the workers we spawn read it. */
  g_setenv ("CW_TEST_HANG_ON", "hangme", TRUE);
  g_unsetenv ("CW_TEST_GARBAGE");
  g_unsetenv ("CW_TEST_FSIZE_LIMIT");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/fault/timeout", test_timeout);
  g_test_add_func ("/cw/fault/closes-mid-message", test_closes_mid_message);
  g_test_add_func ("/cw/fault/file-too-large", test_file_too_large);
  g_test_add_func ("/cw/fault/disk-full", test_disk_full);
  g_test_add_func ("/cw/fault/output-dir-gone", test_output_dir_gone);
  g_test_add_func ("/cw/fault/cli-task-timeout", test_cli_task_timeout);

  return g_test_run ();
}
