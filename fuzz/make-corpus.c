/* make-corpus.c: writes the protocol seed corpus from the encoders
 * (build-aux/fuzz.sh --corpus); the files are committed in corpus/protocol
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "cw-protocol.h"

static void
save (const char *dir,
      const char *name,
      GByteArray *frame)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, (const char *) frame->data, frame->len, &error))
    g_error ("%s", error->message);
  g_byte_array_set_size (frame, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  CwJobSettings settings = { .spec = (char *) "gain:db=-3,noise:sigma=0.05", .format = CW_FORMAT_SAME, .seed = 7 };
  CwTask tasks[3] = {
    { .index = 0, .kind = CW_TASK_AUDIO, .input_path = (char *) "in/a.wav",
      .output_path = (char *) "out/a.wav", .seed_key = (char *) "a.wav" },
    { .index = 1, .kind = CW_TASK_MUL10, .arg = 12345 },
    { .index = 2, .kind = CW_TASK_SPIN, .arg = 5 },
  };
  CwResult results[3] = {
    { .index = 0, .status = CW_STATUS_OK, .pid = 42, .frames = 44100, .start_us = 1000,
      .end_us = 2000, .cpu_us = 900, .output_path = (char *) "out/a.wav" },
    { .index = 1, .status = CW_STATUS_OK, .pid = 42, .value = 123450, .start_us = 2000, .end_us = 2000 },
    { .index = 2, .status = CW_STATUS_FAILED, .pid = 42, .error = (char *) "not an audio file" },
  };
  CwTask trivial[8];
  CwResult answers[8];
  const char *dir = argc > 1 ? argv[1] : ".";

  /* a run of the lesson's trivial tasks: the compact encoding's fast paths */
  for (guint i = 0; i < G_N_ELEMENTS (trivial); i++)
    {
      trivial[i] = (CwTask) { .index = 1000 + i, .kind = CW_TASK_MUL10, .arg = 1000 + i };
      answers[i] = (CwResult) { .index = 1000 + i, .status = CW_STATUS_OK, .pid = 42,
                                .value = 10 * (1000 + i), .start_us = 5000, .end_us = 5000 };
    }

  cw_protocol_encode_hello (out, 4242);
  save (dir, "hello", out);
  cw_protocol_encode_chunk (out, 1, &settings, tasks, 1);
  save (dir, "chunk-audio", out);
  cw_protocol_encode_chunk (out, 2, &settings, tasks, 3);
  save (dir, "chunk-mixed", out);
  cw_protocol_encode_results (out, 1, 42, results, 1);
  save (dir, "results-audio", out);
  cw_protocol_encode_results (out, 2, 42, results, 3);
  save (dir, "results-mixed", out);
  cw_protocol_encode_chunk (out, 4, &settings, trivial, G_N_ELEMENTS (trivial));
  save (dir, "chunk-trivial", out);
  cw_protocol_encode_results (out, 4, 42, answers, G_N_ELEMENTS (answers));
  save (dir, "results-trivial", out);
  /* two frames back to back, as a pipe carries them */
  cw_protocol_encode_hello (out, 7);
  cw_protocol_encode_results (out, 3, 7, results + 1, 2);
  save (dir, "stream", out);
  return 0;
}
