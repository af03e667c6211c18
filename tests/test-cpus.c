/* test-cpus.c: the CPU count that honours affinity and cgroup quotas
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <sched.h>

#include <glib/gstdio.h>

#include "cw-cpus.h"
#include "cw-test-util.h"

static void
test_cpu_max (void)
{
  static const struct { const char *text; guint cpus; } cases[] = {
    /* no quota, or nothing we understand: no limit */
    { "max 100000\n", 0 },
    { "max", 0 },
    { "", 0 },
    { "garbage", 0 },
    { "150000", 0 },
    { "150000 0\n", 0 },
    { "0 100000\n", 0 },
    { "-5 100000\n", 0 },
    { "150000 100000x", 0 },
    /* a quota: CPUs rounded up */
    { "150000 100000\n", 2 },
    { "100000 100000\n", 1 },
    { "100001 100000\n", 2 },
    { "5000 100000\n", 1 },
    { "800000 100000", 8 },
    { "50000 50000\n", 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (cw_cpus_parse_cpu_max (cases[i].text) != cases[i].cpus)
      g_error ("\"%s\": %u CPUs, not %u", g_strescape (cases[i].text, NULL),
               cw_cpus_parse_cpu_max (cases[i].text), cases[i].cpus);
  g_assert_cmpuint (cw_cpus_parse_cpu_max (NULL), ==, 0);
}

static void
write_cpu_max (const char *root,
               const char *dir,
               const char *text)
{
  g_autofree char *path = g_build_filename (root, dir, NULL);
  g_autofree char *file = g_build_filename (path, "cpu.max", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (path, 0755), ==, 0);
  g_file_set_contents (file, text, -1, &error);
  g_assert_no_error (error);
}

/* A fake /sys/fs/cgroup: the smallest quota on the way up holds. */
static void
test_cgroup_quota (void)
{
  g_autofree char *base = cw_test_make_tmp_dir ();
  g_autofree char *root = g_build_filename (base, "cgroup", NULL);
  const char *v1_and_v2 = "12:cpu,cpuacct:/old\n0::/outer/inner\n";

  /* none anywhere: no limit */
  g_assert_cmpint (g_mkdir (root, 0755), ==, 0);
  g_assert_cmpuint (cw_cpus_cgroup_quota (root, v1_and_v2), ==, 0);

  /* the parent's quota holds for its child */
  write_cpu_max (root, "outer", "300000 100000\n");
  write_cpu_max (root, "outer/inner", "max 100000\n");
  g_assert_cmpuint (cw_cpus_cgroup_quota (root, v1_and_v2), ==, 3);

  /* a smaller one on the child wins */
  write_cpu_max (root, "outer/inner", "150000 100000\n");
  g_assert_cmpuint (cw_cpus_cgroup_quota (root, v1_and_v2), ==, 2);

  /* ...and a smaller one on the parent too */
  write_cpu_max (root, "outer", "50000 100000\n");
  g_assert_cmpuint (cw_cpus_cgroup_quota (root, v1_and_v2), ==, 1);

  /* above the root nothing is read: a quota there is not ours */
  write_cpu_max (root, "..", "100000 100000\n");
  g_assert_cmpuint (cw_cpus_cgroup_quota (root, "0::/\n"), ==, 0);
  g_assert_cmpuint (cw_cpus_cgroup_quota (root, "0::/elsewhere\n"), ==, 0);

  /* cgroup v1 only, or nothing at all */
  g_assert_cmpuint (cw_cpus_cgroup_quota (root, "12:cpu,cpuacct:/outer/inner\n"), ==, 0);
  g_assert_cmpuint (cw_cpus_cgroup_quota (root, ""), ==, 0);
  g_assert_cmpuint (cw_cpus_cgroup_quota (root, NULL), ==, 0);
  cw_test_rm_rf (base);
}

/* Under `taskset -c N` there is one usable CPU, whatever the machine has:
 * a child of ours pins itself to one. */
static void
test_affinity (void)
{
  cpu_set_t mine, one;
  int first = -1;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
      g_test_trap_assert_passed ();
      return;
    }

  g_assert_cmpint (sched_getaffinity (0, sizeof mine, &mine), ==, 0);
  for (int i = 0; i < CPU_SETSIZE && first < 0; i++)
    if (CPU_ISSET (i, &mine))
      first = i;
  g_assert_cmpint (first, >=, 0);
  CPU_ZERO (&one);
  CPU_SET (first, &one);
  g_assert_cmpint (sched_setaffinity (0, sizeof one, &one), ==, 0);

  g_assert_cmpuint (cw_cpus_usable (), ==, 1);
  /* the meters still show every core */
  g_assert_cmpuint (cw_cpus_online (), >=, 1);
  g_assert_cmpuint (cw_cpus_online (), ==, (guint) sysconf (_SC_NPROCESSORS_ONLN));
}

static void
test_usable (void)
{
  guint usable = cw_cpus_usable ();

  g_assert_cmpuint (usable, >=, 1);
  /* never more than the affinity mask allows */
  g_assert_cmpuint (usable, <=, (guint) g_get_num_processors ());
  /* and a pool asked for "one per CPU" gets that many */
  {
    g_autoptr(CwPool) pool = cw_pool_new (CW_MODE_THREADS, 0);

    g_assert_cmpuint (cw_pool_get_n_workers (pool), ==, MIN (usable, CW_POOL_MAX_WORKERS));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cw/cpus/cpu-max", test_cpu_max);
  g_test_add_func ("/cw/cpus/cgroup-quota", test_cgroup_quota);
  g_test_add_func ("/cw/cpus/affinity", test_affinity);
  g_test_add_func ("/cw/cpus/usable", test_usable);

  return g_test_run ();
}
