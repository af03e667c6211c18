/* cw-lab.c: the lesson's experiments, measured on this machine
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An experiment is a list of steps run one after another on the caller's
 * main context: a batch through a fresh CwPool (so every setting starts
 * with fresh workers and its own peak memory), or a piece of local work on
 * a GTask thread (writing files, the sequential baselines, the duplicate
 * check). Nothing waits on the main loop. Once the last step is done the
 * report is built from the numbers the steps recorded.
 */

#include "config.h"

#include "cw-lab.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sndfile.h>

#include "cw-audio.h"
#include "cw-demo.h"
#include "cw-protocol.h"
#include "cw-spec.h"

/* what one inline task may carry: the protocol limit less room for the rest */
#define MAX_INLINE_BYTES (CW_PROTOCOL_MAX_PAYLOAD - 1024 * 1024)

static const char * const experiment_names[CW_LAB_N_EXPERIMENTS] = {
  [CW_LAB_MODES] = "modes",
  [CW_LAB_CHUNKS] = "chunks",
  [CW_LAB_OVERHEAD] = "overhead",
  [CW_LAB_BIG_DATA] = "big-data",
  [CW_LAB_SHARED_WORK] = "shared-work",
  [CW_LAB_ORDER] = "order",
  [CW_LAB_RANDOM_STATE] = "random-state",
};

const char *
cw_lab_experiment_to_string (CwLabExperiment experiment)
{
  if (experiment < CW_LAB_N_EXPERIMENTS)
    return experiment_names[experiment];
  return "unknown";
}

gboolean
cw_lab_experiment_from_string (const char      *name,
                               CwLabExperiment *experiment)
{
  for (guint i = 0; i < CW_LAB_N_EXPERIMENTS; i++)
    if (g_strcmp0 (name, experiment_names[i]) == 0)
      {
        *experiment = i;
        return TRUE;
      }
  return FALSE;
}

const char *
cw_lab_experiment_title (CwLabExperiment experiment)
{
  switch (experiment)
    {
    case CW_LAB_MODES:
      return _("Sequential, threads and processes");
    case CW_LAB_CHUNKS:
      return _("Chunk size");
    case CW_LAB_OVERHEAD:
      return _("The cost of a trip to a process");
    case CW_LAB_BIG_DATA:
      return _("Sending file names, not samples");
    case CW_LAB_SHARED_WORK:
      return _("Shared computation");
    case CW_LAB_ORDER:
      return _("Results as submitted or as completed");
    case CW_LAB_RANDOM_STATE:
      return _("Shared random state");
    case CW_LAB_N_EXPERIMENTS:
    default:
      return "";
    }
}

/* ---- the report ---------------------------------------------------------- */

static void
series_free (CwLabSeries *series)
{
  for (guint i = 0; i < series->points->len; i++)
    g_free (g_array_index (series->points, CwLabPoint, i).label);
  g_array_unref (series->points);
  g_free (series->name);
  g_free (series);
}

void
cw_lab_report_free (CwLabReport *report)
{
  if (report == NULL)
    return;
  g_free (report->title);
  g_free (report->x_label);
  g_free (report->y_label);
  g_clear_pointer (&report->series, g_ptr_array_unref);
  g_strfreev (report->columns);
  g_clear_pointer (&report->rows, g_ptr_array_unref);
  g_free (report->explanation);
  g_free (report);
}

static void
csv_field (GString    *out,
           const char *field)
{
  if (field == NULL)
    field = "";
  if (strpbrk (field, ",\"\n\r") == NULL)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = field; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
csv_line (GString     *out,
          char *const *fields)
{
  for (guint i = 0; fields[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      csv_field (out, fields[i]);
    }
  g_string_append_c (out, '\n');
}

char *
cw_lab_report_to_csv (const CwLabReport *report)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (report != NULL, NULL);

  csv_line (out, report->columns);
  for (guint i = 0; i < report->rows->len; i++)
    csv_line (out, g_ptr_array_index (report->rows, i));
  return g_string_free (out, FALSE);
}

CwLabReport *
cw_lab_report_new (CwLabExperiment  experiment,
                   const char      *x_label,
                   const char      *y_label,
                   const char      *first_column,
                   ...)
{
  CwLabReport *report = g_new0 (CwLabReport, 1);
  g_autoptr(GStrvBuilder) columns = g_strv_builder_new ();
  va_list ap;

  report->experiment = experiment;
  report->title = g_strdup (cw_lab_experiment_title (experiment));
  report->x_label = g_strdup (x_label);
  report->y_label = g_strdup (y_label);
  report->series = g_ptr_array_new_with_free_func ((GDestroyNotify) series_free);
  report->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  va_start (ap, first_column);
  for (const char *c = first_column; c != NULL; c = va_arg (ap, const char *))
    g_strv_builder_add (columns, c);
  va_end (ap);
  report->columns = g_strv_builder_end (columns);
  return report;
}

CwLabSeries *
cw_lab_report_add_series (CwLabReport *report,
                          const char  *name,
                          gboolean     dashed)
{
  CwLabSeries *series = g_new0 (CwLabSeries, 1);

  series->name = g_strdup (name);
  series->dashed = dashed;
  series->points = g_array_new (FALSE, TRUE, sizeof (CwLabPoint));
  g_ptr_array_add (report->series, series);
  return series;
}

void
cw_lab_series_add_point (CwLabSeries *series,
                         const char  *label,
                         double       x,
                         double       y)
{
  CwLabPoint point = { g_strdup (label), x, y };

  g_array_append_val (series->points, point);
}

/* Adds a row of printf-formatted fields, as many as the report's columns. */
static void
report_add_row (CwLabReport *report,
                ...)
{
  guint n = g_strv_length (report->columns);
  char **row = g_new0 (char *, n + 1);
  va_list ap;

  va_start (ap, report);
  for (guint i = 0; i < n; i++)
    row[i] = g_strdup (va_arg (ap, const char *));
  va_end (ap);
  g_ptr_array_add (report->rows, row);
}

/* Numbers for rows: "C" locale, so a CSV reads the same everywhere. */
static char *
fmt_double (double v,
            int    decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree char *format = g_strdup_printf ("%%.%df", decimals);

  return g_strdup (g_ascii_formatd (buf, sizeof buf, format, v));
}

/* ---- steps ---------------------------------------------------------------- */

typedef struct _LabRun LabRun;

typedef enum
{
  STEP_BATCH,   /* a batch through a fresh pool */
  STEP_LOCAL,   /* local_func on a GTask thread */
} StepKind;

typedef void (*LocalFunc) (LabRun *run,
                           guint   step_index);

typedef struct
{
  LabRun      *run;
  StepKind     kind;
  char        *description;
  /* batch */
  CwMode       mode;
  guint        n_workers;
  guint        chunk_size;
  CwOrder      order;
  CwTaskKind   task_kind;
  guint        n_tasks;
  gint64       arg;          /* synthetic tasks' argument */
  gint64       slow_arg;     /* order: task 0's argument */
  gboolean     fib_series;   /* shared work: task i is fib (i) */
  gboolean     naive_seed;
  gboolean     warm_up;      /* start every worker before the batch that counts */
  gboolean     warming;
  guint        repeats;      /* run this many times, keep the fastest (a busy machine) */
  guint        runs_done;
  char        *out_dir;
  LocalFunc    after;        /* run on a thread after the batch (the duplicate check) */
  /* local */
  LocalFunc    local_func;

  /* measured */
  gint64       start_us;
  gint64       wall_us;
  CwBatchStats stats;
  guint        next_task;
  GArray      *visible_us;   /* per task index: delivered, from start_us */
  GArray      *finished_us;  /* per task index: the task's end, from start_us */
  GPtrArray   *outputs;      /* output paths */
  GPtrArray   *output_inputs;/* their inputs */
  guint        n_failed;
  char        *first_error;
  /* the duplicate check */
  guint        dup_groups;
  guint        dup_files;
  char        *dup_text;
} LabStep;

struct _LabRun
{
  CwLabExperiment  experiment;
  gboolean         quick;
  guint            max_workers;
  char            *scratch;       /* removed at the end */
  char           **user_inputs;
  GPtrArray       *inputs;        /* char*: the files used */
  GPtrArray       *samples;       /* GBytes* per input: big data */
  GArray          *sample_args;   /* gint64 per input: rate | channels << 32 */
  gint64           read_us;       /* big data: the parent's reading */
  guint            demo_count;
  double           demo_seconds;
  gboolean         use_audio;     /* the experiment needs audio files */
  GPtrArray       *steps;         /* LabStep* */
  guint            current;
  CwLabBatchFunc   on_batch;
  gpointer         batch_data;
  CwLabObserver    observer;      /* all NULL without one */
  gpointer         observer_data;
  GCancellable    *cancellable;
  CwPool          *pool;
  /* the sequential and memoised baselines */
  gint64           local_us;
  guint64          local_count;
};

static void
step_free (LabStep *step)
{
  g_free (step->description);
  g_free (step->out_dir);
  g_clear_pointer (&step->visible_us, g_array_unref);
  g_clear_pointer (&step->finished_us, g_array_unref);
  g_clear_pointer (&step->outputs, g_ptr_array_unref);
  g_clear_pointer (&step->output_inputs, g_ptr_array_unref);
  g_free (step->first_error);
  g_free (step->dup_text);
  g_free (step);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      rm_rf (child);
    }
  g_rmdir (path);
}

static void
lab_run_free (LabRun *run)
{
  g_clear_object (&run->pool);
  if (run->scratch != NULL)
    rm_rf (run->scratch);
  g_free (run->scratch);
  g_strfreev (run->user_inputs);
  g_clear_pointer (&run->inputs, g_ptr_array_unref);
  g_clear_pointer (&run->samples, g_ptr_array_unref);
  g_clear_pointer (&run->sample_args, g_array_unref);
  g_clear_pointer (&run->steps, g_ptr_array_unref);
  g_clear_object (&run->cancellable);
  g_free (run);
}

static LabStep *
add_step (LabRun     *run,
          StepKind    kind,
          const char *description)
{
  LabStep *step = g_new0 (LabStep, 1);

  step->run = run;
  step->kind = kind;
  step->description = g_strdup (description);
  step->mode = CW_MODE_PROCESSES;
  step->n_workers = run->max_workers;
  step->order = CW_ORDER_UNORDERED;
  step->chunk_size = 1;
  step->repeats = 1;
  step->visible_us = g_array_new (FALSE, TRUE, sizeof (gint64));
  step->finished_us = g_array_new (FALSE, TRUE, sizeof (gint64));
  step->outputs = g_ptr_array_new_with_free_func (g_free);
  step->output_inputs = g_ptr_array_new_with_free_func (g_free);
  step->out_dir = g_strdup_printf ("%s/out%02u", run->scratch, run->steps->len);
  g_ptr_array_add (run->steps, step);
  return step;
}

static LabStep *
add_batch (LabRun     *run,
           const char *description,
           CwMode      mode,
           guint       n_workers,
           CwTaskKind  task_kind,
           guint       n_tasks,
           gint64      arg)
{
  LabStep *step = add_step (run, STEP_BATCH, description);

  step->mode = mode;
  step->n_workers = n_workers;
  step->task_kind = task_kind;
  step->n_tasks = n_tasks;
  step->arg = arg;
  return step;
}

static LabStep *
find_step (LabRun     *run,
           const char *description)
{
  for (guint i = 0; i < run->steps->len; i++)
    {
      LabStep *step = g_ptr_array_index (run->steps, i);

      if (g_strcmp0 (step->description, description) == 0)
        return step;
    }
  g_assert_not_reached ();
}

static int
strcmp_ptr (gconstpointer a,
            gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* ---- local work ------------------------------------------------------------ */

static void
local_mul10 (LabRun *run,
             guint   step_index)
{
  LabStep *step = g_ptr_array_index (run->steps, step_index);
  volatile gint64 sink = 0;
  gint64 t0 = g_get_monotonic_time ();

  /* the same task, one after another in this process, through the same
   * function the workers run */
  for (guint i = 0; i < step->n_tasks; i++)
    {
      CwTask task = { .index = i, .kind = CW_TASK_MUL10, .arg = i };
      CwResult result;

      cw_task_run (NULL, NULL, &task, &result, NULL);
      sink += result.value;
    }
  (void) sink;
  step->wall_us = g_get_monotonic_time () - t0;
}

static void
local_fib_memo (LabRun *run,
                guint   step_index)
{
  LabStep *step = g_ptr_array_index (run->steps, step_index);
  gint64 t0 = g_get_monotonic_time ();
  g_autofree gint64 *memo = g_new0 (gint64, MAX (step->n_tasks, 2));
  volatile gint64 sink = 0;

  /* fib (i) for every i, each from the two before it: the work the naive
   * tasks repeat in every worker is done once */
  memo[0] = 0;
  memo[1] = 1;
  for (guint i = 2; i < step->n_tasks; i++)
    memo[i] = memo[i - 1] + memo[i - 2];
  for (guint i = 0; i < step->n_tasks; i++)
    sink += memo[i];
  (void) sink;
  step->wall_us = MAX (g_get_monotonic_time () - t0, 1);
}

/* The check of the lesson's check_output.py (docs/benchmarks.md): the noise a file got
 * is output minus input; two files whose noise agrees over their first
 * 64 K samples got it from the same random state. "Agrees" allows one step
 * of rounding: the PCM_16 kernel rounds input plus noise, so the same noise
 * on two different sines can land one LSB apart now and then, while
 * independent noise of sigma 3277 LSB agrees that closely almost never. */
#define CHECK_SAMPLES 65536

static gboolean
same_noise (const gint32 *a,
            const gint32 *b)
{
  for (guint k = 0; k < CHECK_SAMPLES; k++)
    if (ABS (a[k] - b[k]) > 1)
      return FALSE;
  return TRUE;
}

static guint
group_root (guint *parent,
            guint  i)
{
  while (parent[i] != i)
    i = parent[i] = parent[parent[i]];
  return i;
}

static void
find_duplicate_noise (LabRun *run,
                      guint   step_index)
{
  LabStep *step = g_ptr_array_index (run->steps, step_index);
  guint n = step->outputs->len;
  g_autofree gint32 *noise = g_new0 (gint32, (gsize) MAX (n, 1) * CHECK_SAMPLES);
  g_autofree gboolean *usable = g_new0 (gboolean, MAX (n, 1));
  g_autofree guint *parent = g_new (guint, MAX (n, 1));
  g_autofree short *a = g_new0 (short, CHECK_SAMPLES);
  g_autofree short *b = g_new0 (short, CHECK_SAMPLES);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      const char *out_path = g_ptr_array_index (step->outputs, i);
      const char *in_path = g_ptr_array_index (step->output_inputs, i);
      SF_INFO ia = { 0 }, ib = { 0 };
      SNDFILE *fa = sf_open (in_path, SFM_READ, &ia);
      SNDFILE *fb = sf_open (out_path, SFM_READ, &ib);

      parent[i] = i;
      if (fa != NULL && fb != NULL
          && sf_read_short (fa, a, CHECK_SAMPLES) == CHECK_SAMPLES
          && sf_read_short (fb, b, CHECK_SAMPLES) == CHECK_SAMPLES)
        {
          for (guint k = 0; k < CHECK_SAMPLES; k++)
            noise[(gsize) i * CHECK_SAMPLES + k] = (gint32) b[k] - (gint32) a[k];
          usable[i] = TRUE;
        }
      if (fa != NULL)
        sf_close (fa);
      if (fb != NULL)
        sf_close (fb);
    }

  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      if (usable[i] && usable[j] && group_root (parent, i) != group_root (parent, j)
          && same_noise (noise + (gsize) i * CHECK_SAMPLES, noise + (gsize) j * CHECK_SAMPLES))
        parent[group_root (parent, j)] = group_root (parent, i);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GPtrArray) members = NULL;

      if (group_root (parent, i) != i)
        continue;
      members = g_ptr_array_new_with_free_func (g_free);
      for (guint j = 0; j < n; j++)
        if (group_root (parent, j) == i)
          g_ptr_array_add (members, g_path_get_basename (g_ptr_array_index (step->output_inputs, j)));
      if (members->len < 2)
        continue;
      step->dup_groups++;
      step->dup_files += members->len;
      g_ptr_array_sort (members, (GCompareFunc) strcmp_ptr);
      if (text->len > 0)
        g_string_append (text, "; ");
      for (guint k = 0; k < members->len; k++)
        g_string_append_printf (text, "%s%s", k > 0 ? " = " : "",
                                (const char *) g_ptr_array_index (members, k));
    }
  step->dup_text = g_string_free (g_steal_pointer (&text), FALSE);
}

/* ---- preparing the files ------------------------------------------------- */

static gboolean
prepare_inputs (LabRun  *run,
                GError **error)
{
  if (run->user_inputs != NULL && run->user_inputs[0] != NULL)
    {
      for (guint i = 0; run->user_inputs[i] != NULL; i++)
        g_ptr_array_add (run->inputs, g_strdup (run->user_inputs[i]));
    }
  else
    {
      g_autofree char *dir = NULL;

      /* The full-size demo set is the window's, kept in the cache; the
       * quick one is cheaper to write than to look after. */
      if (run->quick)
        {
          dir = g_build_filename (run->scratch, "demo", NULL);
          if (!cw_demo_write (dir, run->demo_count, run->demo_seconds, error))
            return FALSE;
        }
      else
        {
          dir = cw_demo_set_ensure (run->demo_count, run->demo_seconds, NULL, error);
          if (dir == NULL)
            return FALSE;
        }
      for (guint i = 0; i < run->demo_count; i++)
        g_ptr_array_add (run->inputs, g_strdup_printf ("%s/example%02u.wav", dir, i));
    }

  if (run->experiment == CW_LAB_BIG_DATA)
    {
      gint64 t0 = g_get_monotonic_time ();

      /* what the lesson's pitfall does in the parent: read every file's
       * samples, to send them through the pipe */
      for (guint i = 0; i < run->inputs->len; i++)
        {
          const char *path = g_ptr_array_index (run->inputs, i);
          SF_INFO info = { 0 };
          SNDFILE *sf = sf_open (path, SFM_READ, &info);
          gint16 *buf;
          gint64 arg;
          gsize n;

          if (sf == NULL)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "%s: not an audio file", path);
              return FALSE;
            }
          n = (gsize) info.frames * info.channels;
          /* one frame's worth stays under the protocol's limit */
          if (n * sizeof (gint16) > MAX_INLINE_BYTES)
            n = MAX_INLINE_BYTES / sizeof (gint16) / info.channels * info.channels;
          buf = g_new (gint16, MAX (n, 1));
          n = (gsize) sf_readf_short (sf, buf, n / info.channels) * info.channels;
          sf_close (sf);
          g_ptr_array_add (run->samples, g_bytes_new_take (buf, n * sizeof (gint16)));
          arg = (gint64) info.samplerate | ((gint64) info.channels << 32);
          g_array_append_val (run->sample_args, arg);
        }
      run->read_us = g_get_monotonic_time () - t0;
    }
  return TRUE;
}

static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  LabRun *run = task_data;
  GError *error = NULL;

  for (guint i = 0; i < run->steps->len; i++)
    {
      LabStep *step = g_ptr_array_index (run->steps, i);

      if (g_mkdir_with_parents (step->out_dir, 0777) != 0)
        {
          int errsv = errno;

          g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                                   "Cannot create %s: %s", step->out_dir, g_strerror (errsv));
          return;
        }
    }
  if (run->use_audio && !prepare_inputs (run, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* ---- running the steps ----------------------------------------------------- */

static void run_next_step (GTask *task);

static gboolean
task_source (gpointer  user_data,
             CwTask   *task)
{
  GTask *gtask = user_data;
  LabRun *run = g_task_get_task_data (gtask);
  LabStep *step = g_ptr_array_index (run->steps, run->current);
  guint i = step->next_task;

  if (i >= step->n_tasks)
    return FALSE;
  step->next_task++;
  task->kind = step->task_kind;
  task->arg = step->arg;
  if (step->fib_series)
    task->arg = i;
  if (i == 0 && step->slow_arg > 0)
    task->arg = step->slow_arg;
  if (step->task_kind == CW_TASK_AUDIO || step->task_kind == CW_TASK_AUDIO_INLINE)
    {
      const char *input = g_ptr_array_index (run->inputs, i % run->inputs->len);
      g_autofree char *base = g_path_get_basename (input);
      g_autofree char *name = g_strdup_printf ("%03u-%s", i, base);

      task->input_path = g_strdup (input);
      task->output_path = g_build_filename (step->out_dir, name, NULL);
      task->seed_key = g_strdup (name);
      /* the lab's own scratch folder: each measured batch writes it again */
      task->replace = CW_REPLACE_ALWAYS;
      if (step->task_kind == CW_TASK_AUDIO_INLINE)
        {
          task->data = g_bytes_ref (g_ptr_array_index (run->samples, i % run->inputs->len));
          task->arg = g_array_index (run->sample_args, gint64, i % run->inputs->len);
          /* the inline task writes a WAV */
          g_free (task->output_path);
          task->output_path = g_strdup_printf ("%s/%03u.wav", step->out_dir, i);
        }
    }
  return TRUE;
}

/* A few short spin tasks, one per trip, so every worker is running when
 * the batch that counts starts. */
static gboolean
warm_up_source (gpointer  user_data,
                CwTask   *task)
{
  GTask *gtask = user_data;
  LabRun *run = g_task_get_task_data (gtask);
  LabStep *step = g_ptr_array_index (run->steps, run->current);

  if (step->next_task >= 2 * step->n_workers)
    return FALSE;
  step->next_task++;
  task->kind = CW_TASK_SPIN;
  task->arg = 50;
  return TRUE;
}

static void
set_at (GArray *array,
        guint64 index,
        gint64  value)
{
  if (index >= array->len)
    g_array_set_size (array, index + 1);
  g_array_index (array, gint64, index) = value;
}

static void
on_result (const CwResult *result,
           gpointer        user_data)
{
  LabStep *step = user_data;

  set_at (step->visible_us, result->index, g_get_monotonic_time () - step->start_us);
  set_at (step->finished_us, result->index, MAX (result->end_us - step->start_us, 0));
  if (result->status != CW_STATUS_OK)
    {
      step->n_failed++;
      if (step->first_error == NULL)
        step->first_error = g_strdup (result->error);
    }
  if (result->output_path != NULL && result->input_path != NULL)
    {
      g_ptr_array_add (step->outputs, g_strdup (result->output_path));
      g_ptr_array_add (step->output_inputs, g_strdup (result->input_path));
    }
  /* the overhead experiment passes 200,000 results through here: one test
   * and, with an observer, one call */
  if (step->run->observer.result != NULL)
    step->run->observer.result (result, step->run->observer_data);
}

static void
step_done (GTask   *task,
           GError  *error)
{
  LabRun *run = g_task_get_task_data (task);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  run->current++;
  run_next_step (task);
}

static void
local_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LabRun *run = task_data;
  LabStep *step = g_ptr_array_index (run->steps, run->current);

  if (step->kind == STEP_LOCAL)
    step->local_func (run, run->current);
  else
    {
      if (step->after != NULL)
        step->after (run, run->current);
      /* a full-size batch writes hundreds of MB: free them now */
      rm_rf (step->out_dir);
    }
  g_task_return_boolean (task, TRUE);
}

static void
local_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  step_done (task, error);
}

static void
run_on_thread (GTask *task)
{
  LabRun *run = g_task_get_task_data (task);
  g_autoptr(GTask) thread_task = g_task_new (NULL, run->cancellable, local_done_cb, task);

  g_task_set_task_data (thread_task, run, NULL);
  g_task_run_in_thread (thread_task, local_thread);
}

static void run_batch (GTask   *task,
                       LabStep *step);

static void
pool_closed_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  LabRun *run = g_task_get_task_data (task);
  LabStep *step = g_ptr_array_index (run->steps, run->current);
  GError *error = NULL;

  cw_pool_close_finish (CW_POOL (source), result, &error);
  g_clear_object (&run->pool);
  if (error == NULL && step->runs_done < step->repeats)
    run_batch (task, step);
  else if (error == NULL)
    run_on_thread (task);
  else
    step_done (task, error);
}

static void start_batch (GTask   *task,
                         LabStep *step);

static void
batch_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  LabRun *run = g_task_get_task_data (task);
  LabStep *step = g_ptr_array_index (run->steps, run->current);
  g_autoptr(GError) error = NULL;
  CwBatchStats stats;

  if (step->warming)
    {
      CwBatchStats ignored;

      step->warming = FALSE;
      if (!cw_pool_map_finish (CW_POOL (source), result, &ignored, &error))
        {
          g_clear_object (&run->pool);
          step_done (task, g_steal_pointer (&error));
          return;
        }
      start_batch (task, step);
      return;
    }
  if (!cw_pool_map_finish (CW_POOL (source), result, &stats, &error))
    {
      g_clear_object (&run->pool);
      step_done (task, g_steal_pointer (&error));
      return;
    }
  step->runs_done++;
  if (step->runs_done == 1 || stats.wall_us < step->wall_us)
    {
      step->stats = stats;
      step->wall_us = stats.wall_us;
    }
  if (step->n_failed > 0)
    {
      g_clear_object (&run->pool);
      step_done (task, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %u tasks failed: %s",
                                    step->description, step->n_failed,
                                    step->first_error ? step->first_error : ""));
      return;
    }
  if (run->observer.batch_finished != NULL)
    run->observer.batch_finished (step->description, stats.wall_us, run->observer_data);
  cw_pool_close_async (run->pool, NULL, pool_closed_cb, task);
}

static void
start_batch (GTask   *task,
             LabStep *step)
{
  LabRun *run = g_task_get_task_data (task);
  CwJobSettings settings = {
    .spec = (char *) CW_DEFAULT_SPEC,
    .format = CW_FORMAT_SAME,
    .seed = 20260101,
    .naive_seed = step->naive_seed,
  };

  if (step->warming)
    {
      cw_pool_set_chunk_size (run->pool, 1);
      cw_pool_map_async (run->pool, &settings, warm_up_source, task, NULL, 2 * step->n_workers,
                         CW_ORDER_UNORDERED, NULL, NULL, run->cancellable, batch_done_cb, task);
      return;
    }
  cw_pool_set_chunk_size (run->pool, step->chunk_size);
  step->next_task = 0;
  step->start_us = g_get_monotonic_time ();
  /* before the pool can hand out a task: the observer sees every result */
  if (run->observer.batch_started != NULL)
    run->observer.batch_started (run->pool, step->description, step->n_workers, step->start_us,
                                 run->observer_data);
  cw_pool_map_async (run->pool, &settings, task_source, task, NULL, step->n_tasks,
                     step->order, on_result, step, run->cancellable, batch_done_cb, task);
}

static void
run_batch (GTask   *task,
           LabStep *step)
{
  LabRun *run = g_task_get_task_data (task);

  run->pool = cw_pool_new (step->mode, step->n_workers);
  if (run->on_batch != NULL)
    run->on_batch (run->pool, step->description, run->batch_data);
  step->warming = step->warm_up;
  start_batch (task, step);
}

static CwLabReport *build_report (LabRun *run);

static void
finish_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LabRun *run = task_data;

  rm_rf (run->scratch);
  g_clear_pointer (&run->scratch, g_free);
  g_task_return_boolean (task, TRUE);
}

static void
finished_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  LabRun *run = g_task_get_task_data (task);

  g_task_return_pointer (task, build_report (run), (GDestroyNotify) cw_lab_report_free);
  g_object_unref (task);
}

static void
run_next_step (GTask *task)
{
  LabRun *run = g_task_get_task_data (task);
  LabStep *step;

  if (g_cancellable_is_cancelled (run->cancellable))
    {
      GError *error = NULL;

      g_cancellable_set_error_if_cancelled (run->cancellable, &error);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (run->current >= run->steps->len)
    {
      g_autoptr(GTask) thread_task = g_task_new (NULL, NULL, finished_cb, task);

      /* removing the scratch folder is file system work: not here */
      g_task_set_task_data (thread_task, run, NULL);
      g_task_run_in_thread (thread_task, finish_thread);
      return;
    }
  step = g_ptr_array_index (run->steps, run->current);
  if (step->kind == STEP_LOCAL)
    run_on_thread (task);
  else
    run_batch (task, step);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  run_next_step (task);
}

/* ---- the experiments' plans ------------------------------------------------ */

static void
plan (LabRun *run)
{
  guint n = run->max_workers;
  guint n_files = run->inputs->len;

  switch (run->experiment)
    {
    case CW_LAB_MODES:
      {
        /* the quick run burns CPU in spin tasks: the same shape, in seconds */
        CwTaskKind kind = run->quick ? CW_TASK_SPIN : CW_TASK_AUDIO;
        guint n_tasks = run->quick ? 12 : n_files;
        gint64 arg = run->quick ? 40 : 0;

        /* the fastest of a few runs: other programs on a busy machine
         * slow a run down, never speed it up */
        guint repeats = run->quick ? 3 : 2;

        add_batch (run, "sequential", CW_MODE_SEQUENTIAL, 1, kind, n_tasks, arg)->repeats = repeats;
        for (guint w = 1; w <= n; w++)
          {
            g_autofree char *t = g_strdup_printf ("threads, %u", w);
            g_autofree char *p = g_strdup_printf ("processes, %u", w);

            add_batch (run, t, CW_MODE_THREADS, w, kind, n_tasks, arg)->repeats = repeats;
            add_batch (run, p, CW_MODE_PROCESSES, w, kind, n_tasks, arg)->repeats = repeats;
          }
      }
      break;

    case CW_LAB_CHUNKS:
      {
        guint top = MAX (n_files / n, 1);

        for (guint k = 1; k <= top; k *= 2)
          {
            g_autofree char *d = g_strdup_printf ("chunk size %u", k);

            add_batch (run, d, CW_MODE_PROCESSES, n, CW_TASK_AUDIO, n_files, 0)->chunk_size = k;
          }
        add_batch (run, "chunk size auto", CW_MODE_PROCESSES, n, CW_TASK_AUDIO, n_files, 0)->chunk_size = 0;
      }
      break;

    case CW_LAB_OVERHEAD:
      {
        guint n_tasks = run->quick ? 20000 : 200000;
        static const guint sizes[] = { 1, 10, 100, 1000, 10000 };

        add_step (run, STEP_LOCAL, "sequential")->local_func = local_mul10;
        find_step (run, "sequential")->n_tasks = n_tasks;
        for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
          {
            g_autofree char *d = g_strdup_printf ("pool, chunk size %u", sizes[i]);

            if (run->quick && sizes[i] > 1000)
              break;
            add_batch (run, d, CW_MODE_PROCESSES, n, CW_TASK_MUL10, n_tasks, 7)->chunk_size = sizes[i];
          }
        add_batch (run, "pool, chunk size auto", CW_MODE_PROCESSES, n, CW_TASK_MUL10, n_tasks, 7)->chunk_size = 0;
      }
      break;

    case CW_LAB_BIG_DATA:
      add_batch (run, "file name", CW_MODE_PROCESSES, n, CW_TASK_AUDIO, n_files, 0);
      add_batch (run, "samples", CW_MODE_PROCESSES, n, CW_TASK_AUDIO_INLINE, n_files, 0);
      break;

    case CW_LAB_SHARED_WORK:
      {
        guint n_tasks = run->quick ? 30 : 40;
        LabStep *step;

        step = add_batch (run, "naive, each task on its own", CW_MODE_PROCESSES, n,
                          CW_TASK_FIB, n_tasks, 0);
        step->fib_series = TRUE;
        step->chunk_size = 0;
        step = add_step (run, STEP_LOCAL, "memoised, one pass");
        step->local_func = local_fib_memo;
        step->n_tasks = n_tasks;
      }
      break;

    case CW_LAB_ORDER:
      {
        guint n_tasks = run->quick ? 8 : 16;
        gint64 fast = run->quick ? 40 : 100;
        LabStep *step;

        step = add_batch (run, "as submitted", CW_MODE_PROCESSES, n, CW_TASK_SPIN, n_tasks, fast);
        step->order = CW_ORDER_ORDERED;
        step->slow_arg = fast * 10;
        step = add_batch (run, "as completed", CW_MODE_PROCESSES, n, CW_TASK_SPIN, n_tasks, fast);
        step->order = CW_ORDER_UNORDERED;
        step->slow_arg = fast * 10;
      }
      break;

    case CW_LAB_RANDOM_STATE:
      {
        LabStep *step;

        step = add_batch (run, "seed once in the parent", CW_MODE_PROCESSES, MAX (n, 2),
                          CW_TASK_AUDIO, n_files, 0);
        step->naive_seed = TRUE;
        step->warm_up = TRUE;
        step->after = find_duplicate_noise;
        step = add_batch (run, "per-file seeds", CW_MODE_PROCESSES, MAX (n, 2),
                          CW_TASK_AUDIO, n_files, 0);
        step->warm_up = TRUE;
        step->after = find_duplicate_noise;
      }
      break;

    case CW_LAB_N_EXPERIMENTS:
    default:
      g_assert_not_reached ();
    }
}

void
cw_lab_run_async (CwLabExperiment      experiment,
                  const CwLabOptions  *options,
                  CwLabBatchFunc       on_batch,
                  gpointer             batch_data,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  cw_lab_run_full_async (experiment, options, on_batch, batch_data, NULL, NULL,
                         cancellable, callback, user_data);
}

void
cw_lab_run_full_async (CwLabExperiment      experiment,
                       const CwLabOptions  *options,
                       CwLabBatchFunc       on_batch,
                       gpointer             batch_data,
                       const CwLabObserver *observer,
                       gpointer             observer_data,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) prepare = NULL;
  g_autoptr(GError) error = NULL;
  LabRun *run;
  g_autofree char *tmpl = NULL;

  g_return_if_fail (experiment < CW_LAB_N_EXPERIMENTS);
  g_return_if_fail (options != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, cw_lab_run_async);

  run = g_new0 (LabRun, 1);
  run->experiment = experiment;
  run->quick = options->quick;
  run->max_workers = options->max_workers > 0 ? options->max_workers : g_get_num_processors ();
  run->max_workers = MIN (run->max_workers, CW_POOL_MAX_WORKERS);
  run->user_inputs = g_strdupv (options->inputs);
  run->inputs = g_ptr_array_new_with_free_func (g_free);
  run->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  run->sample_args = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->steps = g_ptr_array_new_with_free_func ((GDestroyNotify) step_free);
  run->on_batch = on_batch;
  run->batch_data = batch_data;
  if (observer != NULL)
    {
      run->observer = *observer;
      run->observer_data = observer_data;
    }
  run->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  run->demo_count = run->quick ? 8 : 24;
  /* the full set is the lesson's own: 24 files of 4 minutes */
  run->demo_seconds = run->quick ? 2.0 : 240.0;
  run->use_audio = !(experiment == CW_LAB_OVERHEAD || experiment == CW_LAB_SHARED_WORK
                     || experiment == CW_LAB_ORDER || (experiment == CW_LAB_MODES && run->quick));
  g_task_set_task_data (task, run, (GDestroyNotify) lab_run_free);

  tmpl = g_build_filename (options->work_dir ? options->work_dir : g_get_tmp_dir (),
                           "corewave-lab-XXXXXX", NULL);
  run->scratch = g_mkdtemp (g_steal_pointer (&tmpl));
  if (run->scratch == NULL)
    {
      int errsv = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (errsv),
                               "Cannot create a scratch folder: %s", g_strerror (errsv));
      g_object_unref (task);
      return;
    }

  /* the plan needs the number of files: user files are known now, the
   * demo set's count is fixed */
  if (run->user_inputs != NULL && run->user_inputs[0] != NULL)
    run->demo_count = g_strv_length (run->user_inputs);
  g_ptr_array_set_size (run->inputs, run->demo_count);
  plan (run);
  g_ptr_array_set_size (run->inputs, 0);

  prepare = g_task_new (NULL, cancellable, prepared_cb, task);
  g_task_set_task_data (prepare, run, NULL);
  g_task_run_in_thread (prepare, prepare_thread);
}

CwLabReport *
cw_lab_run_finish (GAsyncResult  *result,
                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, cw_lab_run_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the reports ----------------------------------------------------------- */

static double
secs (gint64 us)
{
  return us / 1e6;
}

static CwLabReport *
report_modes (LabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_MODES, _("Workers"), _("Speed-up over sequential"),
                                    "mode", "workers", "wall_s", "speedup", NULL);
  LabStep *seq = find_step (run, "sequential");
  CwLabSeries *s_seq = cw_lab_report_add_series (report, _("Sequential"), FALSE);
  CwLabSeries *s_thr = cw_lab_report_add_series (report, _("Threads"), FALSE);
  CwLabSeries *s_proc = cw_lab_report_add_series (report, _("Processes"), FALSE);
  CwLabSeries *s_ideal = cw_lab_report_add_series (report, _("Ideal"), TRUE);
  guint n = run->max_workers;
  double best_thr = 0, best_proc = 0;
  LabStep *top_thr = NULL, *top_proc = NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < run->steps->len; i++)
    {
      LabStep *step = g_ptr_array_index (run->steps, i);
      double speedup = (double) seq->wall_us / MAX (step->wall_us, 1);
      g_autofree char *w = g_strdup_printf ("%u", step->n_workers);
      g_autofree char *wall = fmt_double (secs (step->wall_us), 3);
      g_autofree char *sp = fmt_double (speedup, 2);
      CwLabSeries *series = step->mode == CW_MODE_SEQUENTIAL ? s_seq
                            : step->mode == CW_MODE_THREADS ? s_thr : s_proc;

      cw_lab_series_add_point (series, step->description, step->n_workers, speedup);
      report_add_row (report, cw_mode_to_string (step->mode), w, wall, sp);
      if (step->mode == CW_MODE_THREADS && step->n_workers == n)
        best_thr = speedup, top_thr = step;
      if (step->mode == CW_MODE_PROCESSES && step->n_workers == n)
        best_proc = speedup, top_proc = step;
    }
  for (guint w = 1; w <= n; w++)
    cw_lab_series_add_point (s_ideal, NULL, w, w);

  /* every run has a processes step at the top worker count (it would be a
   * NULL dereference below; scan-build in CI checks for one) */
  g_assert (top_proc != NULL);
  g_string_append_printf (text,
                          _("With %u worker processes the batch of %u %s took %.2f s instead of %.2f s one after another: "),
                          n, seq->n_tasks, seq->task_kind == CW_TASK_SPIN ? _("CPU-bound tasks") : _("files"),
                          secs (top_proc->wall_us), secs (seq->wall_us));
  if (best_proc >= 0.85 * n)
    g_string_append_printf (text, _("%.2f× faster, close to the ideal %u×. "), best_proc, n);
  else if (best_proc > 1.05)
    g_string_append_printf (text, _("%.2f× faster, short of the ideal %u×: reading and writing files, starting the workers "
                                    "and other programs on this machine do not shrink with more workers. "), best_proc, n);
  else
    g_string_append_printf (text, _("no faster (%.2f×). The batch is too short, or this machine too busy, for more workers to help: "
                                    "starting them and moving results cost more than they save. "), best_proc);
  if (top_thr != NULL && best_thr >= 0.85 * best_proc)
    g_string_append_printf (text,
                            _("Threads reached %.2f×: C threads are not held back by a global lock as Python's are, so they scale as "
                              "processes do; processes cost a start-up and a pipe per trip, but a crash in one file cannot take the others down."),
                            best_thr);
  else
    g_string_append_printf (text,
                            _("Threads reached %.2f× here, behind processes. C threads have no global lock to wait for, as "
                              "Python's do, so the gap comes from this run (other programs, the page cache, the threads' shared "
                              "memory allocator), not from the language: run it again to see how much it moves."),
                            best_thr);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}

static CwLabReport *
report_chunks (LabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_CHUNKS, _("Chunk size (files per trip)"), _("Seconds / MiB"),
                                    "chunk_size", "wall_s", "peak_worker_rss_mib", "trips", NULL);
  CwLabSeries *s_wall = cw_lab_report_add_series (report, _("Wall time (s)"), FALSE);
  CwLabSeries *s_mem = cw_lab_report_add_series (report, _("Peak worker memory (MiB)"), FALSE);
  CwLabSeries *s_auto = cw_lab_report_add_series (report, _("Auto"), FALSE);
  LabStep *best = NULL, *autostep = NULL;
  double mem_min = G_MAXDOUBLE, mem_max = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < run->steps->len; i++)
    {
      LabStep *step = g_ptr_array_index (run->steps, i);
      g_autofree char *k = step->chunk_size ? g_strdup_printf ("%u", step->chunk_size) : g_strdup ("auto");
      g_autofree char *wall = fmt_double (secs (step->wall_us), 3);
      g_autofree char *mem = fmt_double (step->stats.worker_peak_rss_kb / 1024.0, 1);
      g_autofree char *trips = g_strdup_printf ("%" G_GUINT64_FORMAT, step->stats.n_trips);

      report_add_row (report, k, wall, mem, trips);
      if (step->chunk_size == 0)
        {
          autostep = step;
          cw_lab_series_add_point (s_auto, "auto", MAX (step->stats.max_chunk_size, 1), secs (step->wall_us));
          continue;
        }
      cw_lab_series_add_point (s_wall, k, step->chunk_size, secs (step->wall_us));
      cw_lab_series_add_point (s_mem, k, step->chunk_size, step->stats.worker_peak_rss_kb / 1024.0);
      mem_min = MIN (mem_min, step->stats.worker_peak_rss_kb / 1024.0);
      mem_max = MAX (mem_max, step->stats.worker_peak_rss_kb / 1024.0);
      if (best == NULL || step->wall_us < best->wall_us)
        best = step;
    }
  report->log_x = TRUE;

  /* every chunk run has fixed sizes and an auto step (scan-build in CI) */
  g_assert (best != NULL && autostep != NULL);
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "The fastest fixed chunk size was %u file per trip (%.2f s). ",
                                             "The fastest fixed chunk size was %u files per trip (%.2f s). ", best->chunk_size),
                          best->chunk_size, secs (best->wall_us));
  g_string_append_printf (text,
                          _("Auto measured %.0f ms a file and sent at most %u at a time, aiming at trips of about %.1f s: it took %.2f s, %s the best fixed size. "),
                          MAX (autostep->stats.auto_task_us, 0) / 1000.0, autostep->stats.max_chunk_size,
                          autostep->stats.auto_target_trip_us / 1e6, secs (autostep->wall_us),
                          autostep->wall_us <= best->wall_us * 1.1 ? _("within 10% of") : _("slower than"));
  g_string_append (text, _("Big chunks save trips, which matters only when tasks are short; with files that take tens of milliseconds "
                           "the end of the batch decides: a worker still busy with a big last chunk while the other has nothing left. "));
  if (mem_max <= 1.2 * mem_min)
    g_string_append_printf (text, _("Worker memory stayed between %.1f and %.1f MiB: a worker streams one file at a time, whatever the chunk."),
                            mem_min, mem_max);
  else
    g_string_append_printf (text, _("Worker memory went from %.1f to %.1f MiB across the settings."), mem_min, mem_max);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}

static CwLabReport *
report_overhead (LabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_OVERHEAD, _("Chunk size (tasks per trip)"), _("µs per task"),
                                    "setting", "chunk_size", "wall_s", "us_per_task", NULL);
  LabStep *seq = find_step (run, "sequential");
  CwLabSeries *s_pool = cw_lab_report_add_series (report, _("Pool (processes)"), FALSE);
  CwLabSeries *s_seq = cw_lab_report_add_series (report, _("Sequential"), TRUE);
  double seq_us = (double) MAX (seq->wall_us, 1) / seq->n_tasks;
  double k1_us = 0, best_us = G_MAXDOUBLE, auto_us = 0;
  guint best_k = 0, auto_k = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < run->steps->len; i++)
    {
      LabStep *step = g_ptr_array_index (run->steps, i);
      double per = (double) MAX (step->wall_us, 1) / step->n_tasks;
      g_autofree char *k = step->kind == STEP_LOCAL ? g_strdup ("")
                           : step->chunk_size ? g_strdup_printf ("%u", step->chunk_size) : g_strdup ("auto");
      g_autofree char *wall = fmt_double (secs (step->wall_us), 4);
      g_autofree char *us = fmt_double (per, 3);

      report_add_row (report, step->description, k, wall, us);
      if (step->kind == STEP_LOCAL)
        continue;
      if (step->chunk_size == 0)
        {
          auto_us = per;
          auto_k = step->stats.max_chunk_size;
          cw_lab_series_add_point (s_pool, "auto", MAX (auto_k, 1), per);
          continue;
        }
      cw_lab_series_add_point (s_pool, k, step->chunk_size, per);
      if (step->chunk_size == 1)
        k1_us = per;
      if (per < best_us)
        best_us = per, best_k = step->chunk_size;
    }
  cw_lab_series_add_point (s_seq, NULL, 1, seq_us);
  cw_lab_series_add_point (s_seq, NULL, MAX (best_k, auto_k) * 10.0, seq_us);
  report->log_x = TRUE;

  g_string_append_printf (text,
                          _("Multiplying %u numbers by 10 one after another costs %.3f µs a task. Through a pool of %u processes, one task per trip, "
                            "each costs %.1f µs: the message to the worker, the answer back and waking both sides take %.0f times longer than the work. "),
                          seq->n_tasks, seq_us, run->max_workers, k1_us, k1_us / MAX (seq_us, 0.001));
  g_string_append_printf (text,
                          _("Chunks spread that cost: with %u tasks per trip it falls to %.3f µs, and auto (up to %u per trip) reached %.3f µs. "
                            "Even so, work this small is faster done in place: a pool pays off only when a task takes much longer than the trip."),
                          best_k, best_us, auto_k, auto_us);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}

static char *
fmt_mib (guint64 bytes)
{
  return fmt_double (bytes / 1048576.0, 3);
}

static CwLabReport *
report_big_data (LabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_BIG_DATA, NULL, _("Seconds / MiB through pipes"),
                                    "method", "wall_s", "bytes_to_workers", "bytes_from_workers", "parent_read_s", NULL);
  LabStep *names = find_step (run, "file name");
  LabStep *samples = find_step (run, "samples");
  CwLabSeries *s_wall = cw_lab_report_add_series (report, _("Wall time (s)"), FALSE);
  CwLabSeries *s_bytes = cw_lab_report_add_series (report, _("MiB through pipes"), FALSE);
  LabStep *both[] = { names, samples };
  guint64 b_names = names->stats.bytes_to_workers + names->stats.bytes_from_workers;
  guint64 b_samples = samples->stats.bytes_to_workers + samples->stats.bytes_from_workers;
  double total_samples = secs (samples->wall_us + run->read_us);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      LabStep *step = both[i];
      g_autofree char *wall = fmt_double (secs (step->wall_us), 3);
      g_autofree char *to = g_strdup_printf ("%" G_GUINT64_FORMAT, step->stats.bytes_to_workers);
      g_autofree char *from = g_strdup_printf ("%" G_GUINT64_FORMAT, step->stats.bytes_from_workers);
      g_autofree char *rd = fmt_double (step == samples ? secs (run->read_us) : 0, 3);
      g_autofree char *mib = fmt_mib (step->stats.bytes_to_workers + step->stats.bytes_from_workers);

      cw_lab_series_add_point (s_wall, step->description, i, secs (step->wall_us + (step == samples ? run->read_us : 0)));
      cw_lab_series_add_point (s_bytes, step->description, i, (step->stats.bytes_to_workers + step->stats.bytes_from_workers) / 1048576.0);
      report_add_row (report, step->description, wall, to, from, rd);
    }

  g_string_append_printf (text,
                          _("Sending each worker only the file's name moved %.1f KiB through the pipes for %u files and took %.2f s. "
                            "Reading the samples in the parent and sending them moved %.1f MiB (%.0f times more) and took %.2f s, "
                            "%.2f s of it the parent reading files one after another while the workers waited. "
                            "Every byte through a pipe is copied twice by the kernel and once more by each side: let the workers open the files themselves."),
                          b_names / 1024.0, names->n_tasks, secs (names->wall_us),
                          b_samples / 1048576.0, (double) b_samples / MAX (b_names, 1),
                          total_samples, secs (run->read_us));
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}

static CwLabReport *
report_shared_work (LabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_SHARED_WORK, NULL, _("Seconds"),
                                    "method", "workers", "tasks", "wall_s", "cpu_s", NULL);
  LabStep *naive = find_step (run, "naive, each task on its own");
  LabStep *memo = find_step (run, "memoised, one pass");
  CwLabSeries *s_wall = cw_lab_report_add_series (report, _("Wall time (s)"), FALSE);
  g_autofree char *nw = g_strdup_printf ("%u", naive->n_workers);
  g_autofree char *nt = g_strdup_printf ("%u", naive->n_tasks);
  g_autofree char *w1 = fmt_double (secs (naive->wall_us), 4);
  g_autofree char *c1 = fmt_double (secs (naive->stats.cpu_us), 4);
  g_autofree char *w2 = fmt_double (secs (memo->wall_us), 6);
  g_autofree char *c2 = fmt_double (secs (memo->wall_us), 6);
  g_autoptr(GString) text = g_string_new (NULL);

  cw_lab_series_add_point (s_wall, naive->description, 0, secs (naive->wall_us));
  cw_lab_series_add_point (s_wall, memo->description, 1, secs (memo->wall_us));
  report_add_row (report, naive->description, nw, nt, w1, c1);
  report_add_row (report, memo->description, "1", nt, w2, c2);

  g_string_append_printf (text,
                          _("Computing fib (0) … fib (%u) naively, one task per number on %u worker processes, took %.3f s and %.3f s of CPU: "
                            "every task recomputes all the numbers below its own, and the workers cannot share what the others found. "
                            "One process that keeps each number and adds the two before it took %.1f µs, %.0f times faster. "
                            "Before spreading work over cores, make sure it is not the same work many times."),
                          naive->n_tasks - 1, naive->n_workers, secs (naive->wall_us), secs (naive->stats.cpu_us),
                          (double) memo->wall_us, (double) naive->wall_us / MAX (memo->wall_us, 1));
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}

static CwLabReport *
report_order (LabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_ORDER, _("Task"), _("Seconds until the result was visible"),
                                    "order", "task", "slow", "finished_s", "visible_s", NULL);
  LabStep *ordered = find_step (run, "as submitted");
  LabStep *unordered = find_step (run, "as completed");
  LabStep *both[] = { ordered, unordered };
  double first_fast[2] = { G_MAXDOUBLE, G_MAXDOUBLE };
  double slow_visible[2] = { 0, 0 };
  guint done_behind = 0;
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint s = 0; s < G_N_ELEMENTS (both); s++)
    {
      LabStep *step = both[s];
      CwLabSeries *series = cw_lab_report_add_series (report, step->description, FALSE);

      for (guint i = 0; i < step->visible_us->len; i++)
        {
          double vis = secs (g_array_index (step->visible_us, gint64, i));
          double fin = secs (g_array_index (step->finished_us, gint64, i));
          g_autofree char *idx = g_strdup_printf ("%u", i);
          g_autofree char *v = fmt_double (vis, 3);
          g_autofree char *f = fmt_double (fin, 3);

          cw_lab_series_add_point (series, NULL, i, vis);
          report_add_row (report, cw_order_to_string (step->order), idx, i == 0 ? "yes" : "no", f, v);
          if (s == 0 && i > 0 && fin < secs (g_array_index (ordered->visible_us, gint64, 0)))
            done_behind++;
          if (i == 0)
            slow_visible[s] = vis;
          else
            first_fast[s] = MIN (first_fast[s], vis);
        }
    }

  g_string_append_printf (text,
                          _("The first task was made %u times slower than the others. As completed (like imap_unordered), the first quick result "
                            "showed after %.2f s and the slow one at %.2f s, when it was done. As submitted (like imap), nothing after the slow "
                            "task could be shown before it: the first result came at %.2f s, the moment the slow task ended, though %u of the "
                            "others were done by then. Keep the submission order only when the next step needs it."),
                          (guint) (ordered->slow_arg / MAX (ordered->arg, 1)),
                          first_fast[1], slow_visible[1], MIN (slow_visible[0], first_fast[0]), done_behind);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}

static CwLabReport *
report_random_state (LabRun *run)
{
  CwLabReport *report = cw_lab_report_new (CW_LAB_RANDOM_STATE, NULL, _("Files that share their noise"),
                                    "seeding", "workers", "files", "duplicate_groups", "files_in_groups", "groups", NULL);
  LabStep *naive = find_step (run, "seed once in the parent");
  LabStep *per_file = find_step (run, "per-file seeds");
  LabStep *both[] = { naive, per_file };
  CwLabSeries *series = cw_lab_report_add_series (report, _("Files with a twin"), FALSE);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      LabStep *step = both[i];
      g_autofree char *w = g_strdup_printf ("%u", step->n_workers);
      g_autofree char *f = g_strdup_printf ("%u", step->outputs->len);
      g_autofree char *g = g_strdup_printf ("%u", step->dup_groups);
      g_autofree char *d = g_strdup_printf ("%u", step->dup_files);

      cw_lab_series_add_point (series, step->description, i, step->dup_files);
      report_add_row (report, step->description, w, f, g, d, step->dup_text ? step->dup_text : "");
    }

  g_string_append_printf (text,
                          _("When the parent seeds one random generator and the workers inherit copies of it, as the lesson's Pool code does with "
                            "fork, every worker starts from the same state: the first file each worker handles gets the same noise, and so does "
                            "the second. With %u workers, %u of %u files fell into %u groups of identical noise. "
                            "Corewave seeds each file from the batch seed and the file's own name instead: %u duplicates, and the "
                            "output no longer depends on which worker ran which file."),
                          naive->n_workers, naive->dup_files, naive->outputs->len, naive->dup_groups,
                          per_file->dup_files);
  report->explanation = g_string_free (g_steal_pointer (&text), FALSE);
  return report;
}

static CwLabReport *
build_report (LabRun *run)
{
  switch (run->experiment)
    {
    case CW_LAB_MODES:
      return report_modes (run);
    case CW_LAB_CHUNKS:
      return report_chunks (run);
    case CW_LAB_OVERHEAD:
      return report_overhead (run);
    case CW_LAB_BIG_DATA:
      return report_big_data (run);
    case CW_LAB_SHARED_WORK:
      return report_shared_work (run);
    case CW_LAB_ORDER:
      return report_order (run);
    case CW_LAB_RANDOM_STATE:
      return report_random_state (run);
    case CW_LAB_N_EXPERIMENTS:
    default:
      g_assert_not_reached ();
    }
}
