/* cw-cpus.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * sysconf (_SC_NPROCESSORS_ONLN) counts the machine's CPUs and
 * g_get_num_processors () the affinity mask: under taskset they disagree,
 * and in a container with --cpus both are wrong. A worker per CPU we may
 * not use only adds context switches, so every default worker count asks
 * here.
 */

#define G_LOG_DOMAIN "corewave-pool"

#include "config.h"

#include "cw-cpus.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

guint
cw_cpus_parse_cpu_max (const char *cpu_max)
{
  guint64 quota, period;
  char *end;

  if (cpu_max == NULL)
    return 0;
  while (g_ascii_isspace (*cpu_max))
    cpu_max++;
  if (g_str_has_prefix (cpu_max, "max"))
    return 0;
  errno = 0;
  quota = g_ascii_strtoull (cpu_max, &end, 10);
  if (errno != 0 || end == cpu_max || *end != ' ')
    return 0;
  cpu_max = end;
  period = g_ascii_strtoull (cpu_max, &end, 10);
  if (errno != 0 || end == cpu_max || (*end != '\0' && !g_ascii_isspace (*end))
      || period == 0 || quota == 0)
    return 0;
  /* half a CPU is still one worker's worth */
  return (guint) MIN ((quota + period - 1) / period, G_MAXUINT);
}

/* "0::/user.slice/x.scope" → "/user.slice/x.scope"; NULL without a v2 line. */
static char *
cgroup_v2_path (const char *proc_self_cgroup)
{
  g_auto(GStrv) lines = NULL;

  if (proc_self_cgroup == NULL)
    return NULL;
  lines = g_strsplit (proc_self_cgroup, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "0::/"))
      return g_strdup (lines[i] + 3);
  return NULL;
}

guint
cw_cpus_cgroup_quota (const char *cgroup_root,
                      const char *proc_self_cgroup)
{
  g_autofree char *path = cgroup_v2_path (proc_self_cgroup);
  g_autofree char *dir = NULL;
  guint limit = 0;

  if (path == NULL)
    return 0;
  /* a parent's quota caps its children's, so the smallest one holds */
  dir = g_build_filename (cgroup_root, path, NULL);
  for (;;)
    {
      g_autofree char *file = g_build_filename (dir, "cpu.max", NULL);
      g_autofree char *text = NULL;
      g_autofree char *parent = NULL;

      if (g_file_get_contents (file, &text, NULL, NULL))
        {
          guint n = cw_cpus_parse_cpu_max (text);

          if (n > 0)
            limit = limit == 0 ? n : MIN (limit, n);
        }
      if (strlen (dir) <= strlen (cgroup_root))
        break;
      parent = g_path_get_dirname (dir);
      if (g_strcmp0 (parent, dir) == 0)
        break;
      g_free (dir);
      dir = g_steal_pointer (&parent);
    }
  return limit;
}

static guint
affinity_cpus (void)
{
  /* a set big enough for any machine this may run on, grown if not */
  for (int n = 1024; n <= 1 << 16; n *= 4)
    {
      cpu_set_t *set = CPU_ALLOC (n);
      gsize size = CPU_ALLOC_SIZE (n);
      int count = 0;

      CPU_ZERO_S (size, set);
      if (sched_getaffinity (0, size, set) == 0)
        count = CPU_COUNT_S (size, set);
      CPU_FREE (set);
      if (count > 0)
        return (guint) count;
      if (errno != EINVAL)
        break;
    }
  return cw_cpus_online ();
}

guint
cw_cpus_usable (void)
{
  g_autofree char *cgroup = NULL;
  guint n = affinity_cpus ();
  guint quota = 0;

  if (g_file_get_contents ("/proc/self/cgroup", &cgroup, NULL, NULL))
    quota = cw_cpus_cgroup_quota ("/sys/fs/cgroup", cgroup);
  if (quota > 0)
    n = MIN (n, quota);
  return MAX (n, 1);
}

guint
cw_cpus_online (void)
{
  long n = sysconf (_SC_NPROCESSORS_ONLN);

  return n > 0 ? (guint) n : 1;
}
