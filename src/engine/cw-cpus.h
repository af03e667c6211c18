/* cw-cpus.h: how many CPUs this process may use, and how many the machine has
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The CPUs this process may run on (its affinity mask: taskset, cpusets),
 * further limited by the cgroup v2 CPU quota of its cgroup and every
 * parent (cpu.max: a container's --cpus, a systemd CPUQuota=). At least 1.
 * The default worker count everywhere. */
guint cw_cpus_usable            (void);
/* The CPUs online (sysconf), whatever this process may use: for meters
 * that show every core. At least 1. */
guint cw_cpus_online            (void);

/* The CPUs a cgroup v2 cpu.max allows, rounded up: "150000 100000" is 2,
 * "max 100000" (no quota) and anything unreadable 0. */
guint cw_cpus_parse_cpu_max     (const char *cpu_max);
/* The quota of the cgroup named in @proc_self_cgroup (the text of
 * /proc/self/cgroup: "0::/PATH") under @cgroup_root (/sys/fs/cgroup): the
 * smallest limit of that cgroup and its parents, or 0 for none. */
guint cw_cpus_cgroup_quota      (const char *cgroup_root,
                                 const char *proc_self_cgroup);

G_END_DECLS
