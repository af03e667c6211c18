/* cw-replay.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The demo batch is over in a third of a second: too fast to watch. While
 * a batch runs the sampler runs faster, and every sample is kept here;
 * afterwards the batch can be played again at 1x, 1/4x or 1/10x, or sought
 * with a scrubber, and the Run page shows the meter and the timeline as
 * they were at that moment (the timeline keeps every task's times; this
 * keeps the CPU). The play head moves with a 30 ms timer against the
 * monotonic clock, so the film keeps time whatever the frame rate.
 *
 * A long batch is kept whole up to a memory budget, then every other
 * sample is dropped (a long batch needs no slow motion).
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-replay.h"

#define TICK_MS            30
/* about 32 MB of samples at most */
#define BUDGET_BYTES       (32 * 1024 * 1024)

struct _CwReplay
{
  GObject    parent_instance;

  GPtrArray *samples;      /* CwCpuSample*, in time order */
  gint64     start_us;
  gint64     end_us;
  gboolean   recording;
  guint      keep_every;   /* 1, 2, 4…: samples dropped to stay in budget */
  guint      n_seen;

  gboolean   active;
  gboolean   playing;
  double     speed;
  gint64     position_us;  /* from start_us */
  guint      next;         /* the next sample to emit */
  gint64     clock_us;     /* when the position was last moved */
  guint      tick_id;
};

G_DEFINE_FINAL_TYPE (CwReplay, cw_replay, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_AVAILABLE,
  PROP_PLAYING,
  PROP_ACTIVE,
  PROP_POSITION,
  PROP_SPEED,
  N_PROPS
};

enum {
  SIGNAL_SAMPLE,
  SIGNAL_REWOUND,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* recording */

static void
stop_clock (CwReplay *self)
{
  g_clear_handle_id (&self->tick_id, g_source_remove);
}

static void
set_playing (CwReplay *self,
             gboolean  playing)
{
  if (self->playing == playing)
    return;
  self->playing = playing;
  if (!playing)
    stop_clock (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PLAYING]);
}

void
cw_replay_record_start (CwReplay *self,
                        gint64    start_us)
{
  gboolean was_available;

  g_return_if_fail (CW_IS_REPLAY (self));

  was_available = cw_replay_get_available (self);
  cw_replay_leave (self);
  g_ptr_array_set_size (self->samples, 0);
  self->start_us = start_us;
  self->end_us = 0;
  self->recording = TRUE;
  self->keep_every = 1;
  self->n_seen = 0;
  if (was_available)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
}

void
cw_replay_record_sample (CwReplay          *self,
                         const CwCpuSample *sample)
{
  gsize bytes;

  g_return_if_fail (CW_IS_REPLAY (self));
  g_return_if_fail (sample != NULL);

  if (!self->recording || sample->time_us <= self->start_us)
    return;
  if (self->n_seen++ % self->keep_every != 0)
    return;
  g_ptr_array_add (self->samples, cw_cpu_sample_copy (sample));

  bytes = (gsize) self->samples->len * (sizeof (CwCpuSample) + sample->n_cpus * (sizeof (double) + 2 * sizeof (guint))
                                        + sample->n_procs * sizeof (CwCpuProc));
  if (bytes > BUDGET_BYTES)
    {
      /* keep every other one from now on, and thin what is there */
      GPtrArray *thin = g_ptr_array_new_full (self->samples->len / 2 + 1,
                                              (GDestroyNotify) cw_cpu_sample_free);

      for (guint i = 0; i < self->samples->len; i += 2)
        g_ptr_array_add (thin, g_steal_pointer (&self->samples->pdata[i]));
      g_ptr_array_unref (self->samples);
      self->samples = thin;
      self->keep_every *= 2;
    }
}

void
cw_replay_record_stop (CwReplay *self,
                       gint64    end_us)
{
  g_return_if_fail (CW_IS_REPLAY (self));

  if (!self->recording)
    return;
  self->recording = FALSE;
  end_us = MAX (end_us, self->start_us);
  /* Samples reach the main loop in groups, so some taken after the end
   * may be in: those begun after it are not the batch's; the one that
   * straddles it is, and the replay runs to its end, so that every
   * sample kept is played. */
  while (self->samples->len > 0)
    {
      const CwCpuSample *last = g_ptr_array_index (self->samples, self->samples->len - 1);

      if (last->time_us - last->interval_us < end_us)
        {
          end_us = MAX (end_us, last->time_us);
          break;
        }
      g_ptr_array_set_size (self->samples, self->samples->len - 1);
    }
  self->end_us = end_us;
  self->position_us = cw_replay_get_duration (self);
  self->next = self->samples->len;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AVAILABLE]);
  /* at the end: the scrubber and its time say so */
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

gboolean
cw_replay_get_recording (CwReplay *self)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), FALSE);
  return self->recording;
}

gboolean
cw_replay_get_available (CwReplay *self)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), FALSE);
  return !self->recording && self->end_us > self->start_us;
}

guint
cw_replay_get_n_samples (CwReplay *self)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), 0);
  return self->samples->len;
}

const CwCpuSample *
cw_replay_get_sample (CwReplay *self,
                      guint     index)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), NULL);
  g_return_val_if_fail (index < self->samples->len, NULL);
  return g_ptr_array_index (self->samples, index);
}

gint64
cw_replay_get_start (CwReplay *self)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), 0);
  return self->start_us;
}

gint64
cw_replay_get_duration (CwReplay *self)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), 0);
  if (self->end_us <= self->start_us)
    return 0;
  return self->end_us - self->start_us;
}

/* ---------------------------------------------------------------------- */
/* playing */

static void
set_active (CwReplay *self,
            gboolean  active)
{
  if (self->active == active)
    return;
  self->active = active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

/* Emits what lies between the last position and @position_us. */
static void
move_to (CwReplay *self,
         gint64    position_us)
{
  gint64 duration = cw_replay_get_duration (self);

  position_us = CLAMP (position_us, 0, duration);
  set_active (self, TRUE);
  if (position_us < self->position_us)
    {
      self->next = 0;
      g_signal_emit (self, signals[SIGNAL_REWOUND], 0);
    }
  self->position_us = position_us;
  while (self->next < self->samples->len)
    {
      const CwCpuSample *s = g_ptr_array_index (self->samples, self->next);

      if (s->time_us - self->start_us > position_us)
        break;
      self->next++;
      g_signal_emit (self, signals[SIGNAL_SAMPLE], 0, s);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}

static gboolean
tick_cb (gpointer user_data)
{
  CwReplay *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 position = self->position_us + (gint64) ((now - self->clock_us) * self->speed);

  self->clock_us = now;
  move_to (self, position);
  if (self->position_us >= cw_replay_get_duration (self))
    {
      self->tick_id = 0;
      set_playing (self, FALSE);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

void
cw_replay_play (CwReplay *self)
{
  g_return_if_fail (CW_IS_REPLAY (self));

  if (!cw_replay_get_available (self) || self->playing)
    return;
  /* from the start when at the end */
  if (!self->active || self->position_us >= cw_replay_get_duration (self))
    {
      self->position_us = 0;
      self->next = 0;
      set_active (self, TRUE);
      g_signal_emit (self, signals[SIGNAL_REWOUND], 0);
      move_to (self, 0);
    }
  self->clock_us = g_get_monotonic_time ();
  self->tick_id = g_timeout_add (TICK_MS, tick_cb, self);
  set_playing (self, TRUE);
}

void
cw_replay_pause (CwReplay *self)
{
  g_return_if_fail (CW_IS_REPLAY (self));
  set_playing (self, FALSE);
}

gboolean
cw_replay_get_playing (CwReplay *self)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), FALSE);
  return self->playing;
}

void
cw_replay_set_speed (CwReplay *self,
                     double    speed)
{
  g_return_if_fail (CW_IS_REPLAY (self));

  speed = CLAMP (speed, 0.01, 10.0);
  if (self->speed == speed)
    return;
  if (self->playing)
    tick_cb (self);  /* the time so far at the old speed */
  self->speed = speed;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SPEED]);
}

double
cw_replay_get_speed (CwReplay *self)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), 1.0);
  return self->speed;
}

void
cw_replay_seek (CwReplay *self,
                gint64    position_us)
{
  g_return_if_fail (CW_IS_REPLAY (self));

  if (!cw_replay_get_available (self))
    return;
  self->clock_us = g_get_monotonic_time ();
  if (!self->active)
    {
      /* the first look back starts from the batch's start */
      self->next = 0;
      self->position_us = 0;
      set_active (self, TRUE);
      g_signal_emit (self, signals[SIGNAL_REWOUND], 0);
    }
  move_to (self, position_us);
}

gint64
cw_replay_get_position (CwReplay *self)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), 0);
  return self->position_us;
}

void
cw_replay_leave (CwReplay *self)
{
  g_return_if_fail (CW_IS_REPLAY (self));

  set_playing (self, FALSE);
  if (!self->active)
    return;
  self->position_us = cw_replay_get_duration (self);
  self->next = self->samples->len;
  set_active (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

gboolean
cw_replay_get_active (CwReplay *self)
{
  g_return_val_if_fail (CW_IS_REPLAY (self), FALSE);
  return self->active;
}

/* ---------------------------------------------------------------------- */

CwReplay *
cw_replay_new (void)
{
  return g_object_new (CW_TYPE_REPLAY, NULL);
}

static void
cw_replay_dispose (GObject *object)
{
  stop_clock (CW_REPLAY (object));
  G_OBJECT_CLASS (cw_replay_parent_class)->dispose (object);
}

static void
cw_replay_finalize (GObject *object)
{
  CwReplay *self = CW_REPLAY (object);

  g_ptr_array_unref (self->samples);
  G_OBJECT_CLASS (cw_replay_parent_class)->finalize (object);
}

static void
cw_replay_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  CwReplay *self = CW_REPLAY (object);

  switch (prop_id)
    {
    case PROP_AVAILABLE:
      g_value_set_boolean (value, cw_replay_get_available (self));
      break;
    case PROP_PLAYING:
      g_value_set_boolean (value, self->playing);
      break;
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    case PROP_POSITION:
      g_value_set_int64 (value, self->position_us);
      break;
    case PROP_SPEED:
      g_value_set_double (value, self->speed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_replay_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  CwReplay *self = CW_REPLAY (object);

  switch (prop_id)
    {
    case PROP_SPEED:
      cw_replay_set_speed (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
cw_replay_class_init (CwReplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = cw_replay_dispose;
  object_class->finalize = cw_replay_finalize;
  object_class->get_property = cw_replay_get_property;
  object_class->set_property = cw_replay_set_property;

  properties[PROP_AVAILABLE] =
    g_param_spec_boolean ("available", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_PLAYING] =
    g_param_spec_boolean ("playing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_POSITION] =
    g_param_spec_int64 ("position", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SPEED] =
    g_param_spec_double ("speed", NULL, NULL, 0.01, 10.0, 0.25,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CwReplay::sample:
   * @sample: (type gpointer): a recorded CwCpuSample *, owned by the replay
   */
  signals[SIGNAL_SAMPLE] =
    g_signal_new ("sample", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  g_cclosure_marshal_VOID__POINTER, G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* The position went back to the start: what was shown is to be forgotten. */
  signals[SIGNAL_REWOUND] =
    g_signal_new ("rewound", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
  /* The replay was left: show the live state again. */
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
cw_replay_init (CwReplay *self)
{
  self->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) cw_cpu_sample_free);
  self->speed = 0.25;
  self->keep_every = 1;
}
