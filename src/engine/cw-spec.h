/* cw-spec.h: the transform chain shared by the CLI, the window and the worker
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The spec is a comma-separated list of stages, each NAME[:KEY=VALUE[:KEY=VALUE…]]
 * e.g. "gain:db=-3,noise:sigma=0.05" or "fade:in=500:out=2000,mono".
 * The empty string and "copy" mean no change.
 *
 *   noise:sigma=S       additive Gaussian noise, S relative to full scale (default 0.1),
 *                       clipped to full scale
 *   gain:db=D           multiply by 10^(D/20)
 *   normalize:peak=P    scale so the peak is P dBFS (default -1); two passes
 *   fade:in=MS:out=MS   linear fade in and out (default 0 each)
 *   mono                mix all channels down to one (the mean)
 *   resample:rate=HZ    to HZ samples a second (default 48000), libsamplerate's
 *                       best sinc converter, streamed
 *   loudness:lufs=L:tp=T  gain to L LUFS integrated loudness (EBU R128, default
 *                       -23), less if the true peak would pass T dBTP (default
 *                       -1); two passes
 *   copy                nothing; measures the I/O floor
 */

#define CW_DEFAULT_SPEC "noise:sigma=0.1"

typedef enum
{
  CW_STAGE_COPY,
  CW_STAGE_NOISE,
  CW_STAGE_GAIN,
  CW_STAGE_NORMALIZE,
  CW_STAGE_FADE,
  CW_STAGE_MONO,
  CW_STAGE_RESAMPLE,
  CW_STAGE_LOUDNESS,
} CwStageKind;

typedef struct
{
  CwStageKind kind;
  double      a;  /* noise: sigma; gain: dB; normalize: peak dBFS; fade: in ms;
                   * resample: rate; loudness: LUFS */
  double      b;  /* fade: out ms; loudness: true-peak ceiling dBTP */
} CwStage;

typedef struct _CwChain CwChain;

CwChain       *cw_chain_parse         (const char     *spec,
                                       GError        **error);
CwChain       *cw_chain_copy          (const CwChain  *chain);
void           cw_chain_free          (CwChain        *chain);
/* Canonical form: parsing it again gives the same chain. */
char          *cw_chain_to_string     (const CwChain  *chain);
guint          cw_chain_get_n_stages  (const CwChain  *chain);
const CwStage *cw_chain_get_stage     (const CwChain  *chain,
                                       guint           i);
gboolean       cw_chain_is_identity   (const CwChain  *chain);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CwChain, cw_chain_free)

G_END_DECLS
