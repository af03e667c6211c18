/* test-options.c: the option checks the window and the CLI share; here the
 * worker commands a hosts file (GNU parallel's --sshloginfile) becomes
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>

#include "cw-error.h"
#include "cw-options.h"

static char *
write_hosts (const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("cw-hosts-XXXXXX", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Each line is N slots of its command, in order; comments and blank lines
 * are nothing; the worker path is quoted once for here and twice for the
 * remote shell; a line with its own ssh command keeps it. */
static void
test_sshloginfile (void)
{
  static const char *given[] = { "./wrap.sh --x 'a b'", NULL };
  g_autofree char *hosts = write_hosts ("# the cluster\n2/node1\n\n  user@node2  \n1/:\nssh -p 2222 node3\n");
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) commands = cw_options_worker_commands (given, hosts, "/opt/cw/libexec/corewave worker",
                                                      &error);
  const char *expected[] = {
    "./wrap.sh --x 'a b'",
    "ssh -T -o BatchMode=yes 'node1' ''\\''/opt/cw/libexec/corewave worker'\\'''",
    "ssh -T -o BatchMode=yes 'node1' ''\\''/opt/cw/libexec/corewave worker'\\'''",
    "ssh -T -o BatchMode=yes 'user@node2' ''\\''/opt/cw/libexec/corewave worker'\\'''",
    "'/opt/cw/libexec/corewave worker'",
    "ssh -p 2222 node3 ''\\''/opt/cw/libexec/corewave worker'\\'''",
    NULL,
  };

  g_assert_no_error (error);
  g_assert_nonnull (commands);
  for (guint i = 0; commands[i] != NULL; i++)
    g_test_message ("%u: %s", i, commands[i]);
  g_assert_true (g_strv_equal ((const char * const *) commands, expected));

  /* the remote shell gets the path back whole, spaces and all */
  {
    g_auto(GStrv) argv = NULL;
    g_auto(GStrv) remote = NULL;

    g_assert_true (g_shell_parse_argv (commands[1], NULL, &argv, NULL));
    g_assert_cmpuint (g_strv_length (argv), ==, 6);
    g_assert_true (g_shell_parse_argv (argv[5], NULL, &remote, NULL));
    g_assert_cmpuint (g_strv_length (remote), ==, 1);
    g_assert_cmpstr (remote[0], ==, "/opt/cw/libexec/corewave worker");
  }
  g_unlink (hosts);
}

/* What is wrong is a usage error naming the file and line. */
static void
test_sshloginfile_errors (void)
{
  static const struct { const char *text; const char *message; } cases[] = {
    { "node1\n0/node2\n", ":2: a host runs 1 to 256 workers, not 0" },
    { "300/node1\n", ":1: a host runs 1 to 256 workers, not 300" },
    { "4/\n", ":1: no host after “4/”" },
    { "# nobody\n\n", " names no host" },
    { "ssh 'node1\n", ":1: " },
    { "256/node1\n1/node2\n", "257 worker commands: at most 256 workers run at once" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *hosts = write_hosts (cases[i].text);
      g_autoptr(GError) error = NULL;
      g_auto(GStrv) commands = cw_options_worker_commands (NULL, hosts, "/w", &error);

      g_assert_null (commands);
      g_assert_error (error, CW_ERROR, CW_ERROR_USAGE);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, cases[i].message));
      g_unlink (hosts);
    }
  {
    static const char *bad[] = { "'unterminated", NULL };
    g_autoptr(GError) error = NULL;

    g_assert_null (cw_options_worker_commands (bad, NULL, "/w", &error));
    g_assert_error (error, CW_ERROR, CW_ERROR_USAGE);
    g_assert_null (cw_options_worker_commands (NULL, NULL, "/w", NULL));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cw/options/sshloginfile", test_sshloginfile);
  g_test_add_func ("/cw/options/sshloginfile-errors", test_sshloginfile_errors);
  return g_test_run ();
}
