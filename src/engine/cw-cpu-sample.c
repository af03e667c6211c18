/* cw-cpu-sample.c: a sample of the cores, parsed from /proc, and which
 * worker ran where
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /proc/stat says how busy each core was; it does not say by whom. Each
 * watched process's own CPU time (/proc/PID/schedstat, in nanoseconds) and
 * the core it ran on (/proc/PID/stat, field 39), read between samples,
 * say where its time went. A core cannot run more than the interval: when
 * the processes seen on one core add up to more, the rest ran on another
 * core, the busiest one nobody accounts for. The sampler's thread does
 * the reading (cw-cpu-sampler.c); this file is plain arithmetic, so tests
 * can feed it made-up numbers.
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-cpu-sampler.h"

#include <string.h>

/* Linux's NR_CPUS is at most 8192; a larger number is garbage, not a core. */
#define MAX_CPUS 8192

/* ---------------------------------------------------------------------- */
/* samples */

CwCpuSample *
cw_cpu_sample_new (guint n_cpus)
{
  CwCpuSample *sample = g_new0 (CwCpuSample, 1);

  sample->n_cpus = n_cpus;
  sample->usage = g_new (double, MAX (n_cpus, 1));
  sample->workers = g_new0 (guint, MAX (n_cpus, 1));
  sample->worker = g_new0 (guint, MAX (n_cpus, 1));
  for (guint i = 0; i < n_cpus; i++)
    sample->usage[i] = -1;

  return sample;
}

void
cw_cpu_sample_free (CwCpuSample *sample)
{
  if (sample == NULL)
    return;

  g_free (sample->usage);
  g_free (sample->workers);
  g_free (sample->worker);
  g_free (sample->procs);
  g_free (sample);
}

CwCpuSample *
cw_cpu_sample_copy (const CwCpuSample *sample)
{
  CwCpuSample *copy;

  g_return_val_if_fail (sample != NULL, NULL);

  copy = cw_cpu_sample_new (sample->n_cpus);
  copy->time_us = sample->time_us;
  copy->interval_us = sample->interval_us;
  copy->total = sample->total;
  if (sample->n_cpus > 0)
    {
      memcpy (copy->usage, sample->usage, sample->n_cpus * sizeof (double));
      if (sample->workers != NULL)
        memcpy (copy->workers, sample->workers, sample->n_cpus * sizeof (guint));
      if (sample->worker != NULL)
        memcpy (copy->worker, sample->worker, sample->n_cpus * sizeof (guint));
    }
  if (sample->n_procs > 0 && sample->procs != NULL)
    {
      copy->n_procs = sample->n_procs;
      copy->procs = g_memdup2 (sample->procs, sample->n_procs * sizeof (CwCpuProc));
    }

  return copy;
}

/* ---------------------------------------------------------------------- */
/* parsing */

enum {
  F_USER, F_NICE, F_SYSTEM, F_IDLE, F_IOWAIT, F_IRQ, F_SOFTIRQ, F_STEAL,
  N_FIELDS  /* guest and guest_nice are already inside user and nice */
};

typedef struct
{
  gboolean present;
  guint64  f[N_FIELDS];
} StatLine;

typedef struct
{
  StatLine  all;
  GArray   *cpus;  /* StatLine, indexed by the core's number */
} StatText;

static void
stat_text_clear (StatText *st)
{
  g_clear_pointer (&st->cpus, g_array_unref);
}

/* Reads up to N_FIELDS numbers after "cpu" / "cpuN"; missing ones (old
 * kernels) stay 0. */
static void
parse_fields (const char *p,
              StatLine   *line)
{
  line->present = TRUE;
  for (guint i = 0; i < N_FIELDS; i++)
    {
      char *end;
      guint64 v;

      while (*p == ' ' || *p == '\t')
        p++;
      if (!g_ascii_isdigit (*p))
        break;
      v = g_ascii_strtoull (p, &end, 10);
      if (end == p)
        break;
      line->f[i] = v;
      p = end;
    }
}

static void
stat_text_parse (const char *text,
                 StatText   *st)
{
  const char *line = text;

  memset (st, 0, sizeof *st);
  st->cpus = g_array_new (FALSE, TRUE, sizeof (StatLine));

  while (line != NULL && *line != '\0')
    {
      const char *next = strchr (line, '\n');

      if (strncmp (line, "cpu", 3) == 0)
        {
          if (line[3] == ' ' || line[3] == '\t')
            {
              parse_fields (line + 3, &st->all);
            }
          else if (g_ascii_isdigit (line[3]))
            {
              char *end;
              guint64 n = g_ascii_strtoull (line + 3, &end, 10);

              if (n < MAX_CPUS && (*end == ' ' || *end == '\t'))
                {
                  if (n >= st->cpus->len)
                    g_array_set_size (st->cpus, n + 1);
                  parse_fields (end, &g_array_index (st->cpus, StatLine, n));
                }
            }
        }

      line = next != NULL ? next + 1 : NULL;
    }
}

/* A counter that went backwards (a reset, a wrap, or iowait, which the
 * kernel does not keep monotonic) adds nothing, so usage stays in 0..1. */
static double
usage_between (const StatLine *a,
               const StatLine *b)
{
  guint64 d[N_FIELDS];
  guint64 busy, total;

  for (guint i = 0; i < N_FIELDS; i++)
    d[i] = b->f[i] >= a->f[i] ? b->f[i] - a->f[i] : 0;

  busy = d[F_USER] + d[F_NICE] + d[F_SYSTEM] + d[F_IRQ] + d[F_SOFTIRQ] + d[F_STEAL];
  total = busy + d[F_IDLE] + d[F_IOWAIT];

  if (total == 0)
    return 0.0;

  return CLAMP ((double) busy / (double) total, 0.0, 1.0);
}

CwCpuSample *
cw_cpu_sample_from_stat (const char *before,
                         const char *after)
{
  StatText a, b;
  CwCpuSample *sample;

  g_return_val_if_fail (before != NULL, NULL);
  g_return_val_if_fail (after != NULL, NULL);

  stat_text_parse (before, &a);
  stat_text_parse (after, &b);

  sample = cw_cpu_sample_new (b.cpus->len);
  sample->time_us = g_get_monotonic_time ();
  sample->total = a.all.present && b.all.present ? usage_between (&a.all, &b.all) : 0.0;

  for (guint i = 0; i < b.cpus->len; i++)
    {
      const StatLine *lb = &g_array_index (b.cpus, StatLine, i);

      if (!lb->present)
        continue;  /* offline: stays -1 */

      /* A core that just came online has no earlier count yet. */
      if (i < a.cpus->len && g_array_index (a.cpus, StatLine, i).present)
        sample->usage[i] = usage_between (&g_array_index (a.cpus, StatLine, i), lb);
      else
        sample->usage[i] = 0.0;
    }

  stat_text_clear (&a);
  stat_text_clear (&b);

  return sample;
}

gboolean
cw_cpu_parse_pid_stat (const char *pid_stat,
                       int        *last_cpu,
                       guint64    *ticks)
{
  const char *p;
  guint64 utime = 0, stime = 0;

  g_return_val_if_fail (pid_stat != NULL, FALSE);

  /* Field 2 is "(comm)" and comm may hold spaces and ')': the last ')' ends it. */
  p = strrchr (pid_stat, ')');
  if (p == NULL)
    return FALSE;
  p++;

  /* After ")" comes field 3; walk to field 39. */
  for (guint field = 3; ; field++)
    {
      const char *start;
      char *end;

      while (*p == ' ')
        p++;
      if (*p == '\0' || *p == '\n')
        return FALSE;

      start = p;
      while (*p != '\0' && *p != ' ' && *p != '\n')
        p++;

      if (field == 14 || field == 15)
        {
          guint64 v;

          if (!g_ascii_isdigit (*start))
            return FALSE;
          v = g_ascii_strtoull (start, &end, 10);
          if (end != p)
            return FALSE;
          if (field == 14)
            utime = v;
          else
            stime = v;
        }
      else if (field == 39)
        {
          gint64 cpu;

          if (!g_ascii_isdigit (*start))
            return FALSE;
          cpu = g_ascii_strtoll (start, &end, 10);
          if (end != p || cpu < 0 || cpu >= MAX_CPUS)
            return FALSE;
          if (last_cpu != NULL)
            *last_cpu = (int) cpu;
          if (ticks != NULL)
            *ticks = utime + stime;
          return TRUE;
        }
    }
}

int
cw_cpu_parse_last_cpu (const char *pid_stat)
{
  int cpu = -1;

  g_return_val_if_fail (pid_stat != NULL, -1);

  if (!cw_cpu_parse_pid_stat (pid_stat, &cpu, NULL))
    return -1;
  return cpu;
}

gint64
cw_cpu_parse_schedstat (const char *schedstat)
{
  char *end;
  guint64 ns;

  g_return_val_if_fail (schedstat != NULL, -1);

  if (!g_ascii_isdigit (*schedstat))
    return -1;
  ns = g_ascii_strtoull (schedstat, &end, 10);
  if (end == schedstat || (*end != ' ' && *end != '\n' && *end != '\0') || ns > G_MAXINT64)
    return -1;
  return (gint64) ns;
}

/* ---------------------------------------------------------------------- */
/* which worker ran where */

void
cw_cpu_account_add (CwCpuAccount *account,
                    guint         core,
                    gint64        ns)
{
  g_return_if_fail (account != NULL);

  if (ns <= 0)
    return;
  for (guint i = 0; i < account->n_cores; i++)
    if (account->cores[i] == core)
      {
        account->ns[i] += ns;
        return;
      }
  if (account->n_cores == CW_CPU_ACCOUNT_CORES)
    {
      /* a process seen on more cores than that in one interval: the
       * newest core takes the last place, its time included */
      account->cores[CW_CPU_ACCOUNT_CORES - 1] = core;
      account->ns[CW_CPU_ACCOUNT_CORES - 1] += ns;
      return;
    }
  account->cores[account->n_cores] = core;
  account->ns[account->n_cores] = ns;
  account->n_cores++;
}

/* One process's share of one core, as a fraction of the interval. */
typedef struct
{
  guint  proc;
  guint  core;
  double share;
} Share;

static int
compare_shares (gconstpointer a,
                gconstpointer b)
{
  const Share *sa = a, *sb = b;

  if (sa->proc != sb->proc)
    return sa->proc < sb->proc ? -1 : 1;
  if (sa->core != sb->core)
    return sa->core < sb->core ? -1 : 1;
  return 0;
}

/* A core holds at most the whole interval; a little more is the slack of
 * reading the counters at slightly different moments. */
#define CORE_FULL 1.05

void
cw_cpu_sample_attribute (CwCpuSample        *sample,
                         const CwCpuAccount *accounts,
                         guint               n_accounts,
                         gint64              interval_ns)
{
  g_autoptr(GArray) shares = NULL;
  g_autofree double *load = NULL;
  g_autofree double *best = NULL;
  g_autofree double *most = NULL;

  g_return_if_fail (sample != NULL);
  g_return_if_fail (accounts != NULL || n_accounts == 0);

  memset (sample->workers, 0, MAX (sample->n_cpus, 1) * sizeof (guint));
  memset (sample->worker, 0, MAX (sample->n_cpus, 1) * sizeof (guint));
  g_clear_pointer (&sample->procs, g_free);
  sample->n_procs = n_accounts;
  if (n_accounts == 0)
    return;
  sample->procs = g_new0 (CwCpuProc, n_accounts);

  shares = g_array_new (FALSE, FALSE, sizeof (Share));
  load = g_new0 (double, MAX (sample->n_cpus, 1));
  for (guint p = 0; p < n_accounts; p++)
    {
      const CwCpuAccount *a = &accounts[p];

      sample->procs[p].pid = a->pid;
      sample->procs[p].slot = a->slot;
      sample->procs[p].core = -1;
      for (guint i = 0; i < a->n_cores; i++)
        {
          Share s = { p, a->cores[i], interval_ns > 0 ? (double) a->ns[i] / interval_ns : 0 };

          if (s.core >= sample->n_cpus || s.share <= 0)
            continue;
          sample->procs[p].use += s.share;
          load[s.core] += s.share;
          g_array_append_val (shares, s);
        }
    }

  /* A core that would hold more than the interval: the processes on it
   * ran elsewhere part of the time. Move the excess, from the smallest
   * share there first, to the core with the most busy time no watched
   * process accounts for. */
  for (guint c = 0; c < sample->n_cpus; c++)
    {
      while (load[c] > CORE_FULL)
        {
          double excess = load[c] - 1.0;
          double room = 0;
          Share *from = NULL;
          int to = -1;

          for (guint t = 0; t < sample->n_cpus; t++)
            if (t != c && sample->usage[t] - load[t] > room)
              {
                room = sample->usage[t] - load[t];
                to = t;
              }
          for (guint i = 0; i < shares->len; i++)
            {
              Share *s = &g_array_index (shares, Share, i);

              if (s->core == c && s->share > 0 && (from == NULL || s->share < from->share))
                from = s;
            }
          if (to < 0 || from == NULL || room < 0.01)
            break;  /* nowhere to go: leave it (the counters disagree) */
          {
            Share moved = { from->proc, (guint) to, MIN (MIN (excess, room), from->share) };

            from->share -= moved.share;
            load[c] -= moved.share;
            load[to] += moved.share;
            g_array_append_val (shares, moved);
          }
        }
    }

  /* Moves may have given a process several shares of one core: sort by
   * process and core and merge them. */
  g_array_sort (shares, compare_shares);
  {
    guint kept = 0;

    for (guint i = 0; i < shares->len; i++)
      {
        const Share *s = &g_array_index (shares, Share, i);
        Share *last = kept > 0 ? &g_array_index (shares, Share, kept - 1) : NULL;

        if (s->share <= 0)
          continue;
        if (last != NULL && last->proc == s->proc && last->core == s->core)
          last->share += s->share;
        else
          g_array_index (shares, Share, kept++) = *s;
      }
    g_array_set_size (shares, kept);
  }

  /* Per core: how many processes ran there, and which one most; per
   * process: its main core. */
  best = g_new0 (double, MAX (sample->n_cpus, 1));
  most = g_new0 (double, n_accounts);
  for (guint i = 0; i < shares->len; i++)
    {
      const Share *s = &g_array_index (shares, Share, i);

      if (s->share >= CW_CPU_MARK_MIN)
        sample->workers[s->core]++;
      if (s->share > best[s->core])
        {
          best[s->core] = s->share;
          if (s->share >= CW_CPU_MARK_MIN)
            sample->worker[s->core] = accounts[s->proc].slot + 1;
        }
      if (s->share > most[s->proc])
        {
          most[s->proc] = s->share;
          sample->procs[s->proc].core = s->core;
        }
    }

  /* One that was busy but spread thin over several cores still marks
   * its main one. */
  for (guint p = 0; p < n_accounts; p++)
    if (sample->procs[p].core >= 0 && most[p] < CW_CPU_MARK_MIN
        && sample->procs[p].use >= CW_CPU_MARK_MIN)
      {
        guint c = sample->procs[p].core;

        sample->workers[c]++;
        if (sample->worker[c] == 0)
          sample->worker[c] = accounts[p].slot + 1;
      }
}
