/* cw-result-view.c
 *
 * Copyright 2026 The Corewave Authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "corewave"

#include "config.h"

#include "cw-result-view.h"

#include <glib/gi18n.h>
#include <string.h>

/* Results are queued and spliced into the store this often: ten model
 * updates a second look live, and a flood of results costs one
 * items-changed per tick instead of one per result. */
#define FLUSH_INTERVAL_MS 100

/* Adding rows costs GTK about half a microsecond per row and column: cap
 * one splice near 10 ms, and add the rest a frame later, so that even a
 * million trivial results arriving at once never freeze the window. */
#define MAX_ROWS_PER_FLUSH 16384
#define CATCH_UP_INTERVAL_MS 16

/* GTK 4.8 keeps up to 200 row widgets around the visible ones, and makes
 * them as rows appear, inside the splice: into an empty or short list, add
 * rows a dozen at a time, or the first flush builds all 200 rows (1,200
 * cells) at once. Measured under Xvfb with the cairo renderer: a splice of
 * 32 new rows took 17-28 ms, of 12 rows 4-11 ms; once the widgets exist, a
 * splice of 170 rows takes about 1 ms. */
#define SHORT_LIST_ROWS 256
#define MAX_ROWS_PER_FLUSH_SHORT 12

/* How close (in pixels) to the end counts as "at the bottom": the list
 * estimates the height of rows it has not measured, so the upper bound
 * moves a little. */
#define FOLLOW_SLACK_PX 4.0

/* The D-Bus call may start a file manager: give it time, it is async. */
#define SHOW_ITEMS_TIMEOUT_MS 10000

struct _CwResultView
{
  GtkWidget           parent_instance;

  /* template */
  GtkScrolledWindow  *scrolled_window;
  GtkColumnView      *column_view;
  GtkSingleSelection *selection;
  GListStore         *store;

  GPtrArray          *pending;          /* of CwResultItem, not in the store yet */
  guint               flush_id;
  guint               follow_id;        /* an idle moving the view to the end */
  guint64             n_arrived;
  gint64              batch_start_us;
  char               *output_dir;       /* outputs are named below it */

  GtkAdjustment      *vadjustment;      /* unowned: the scrolled window's */
  gboolean            follow;           /* at the bottom: keep the newest row in view */

  GCancellable       *cancellable;      /* open requests; cancelled in dispose */
};

G_DEFINE_FINAL_TYPE (CwResultView, cw_result_view, GTK_TYPE_WIDGET)

enum {
  OPEN_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---------------------------------------------------------------------- */
/* cells
 *
 * Every cell is a GtkInscription (or a small box holding one): its size
 * comes from min/nat-chars, not from the text, so binding a row never
 * re-measures a column and the list does not jitter while it grows. The
 * numbers are formatted into stack buffers; tooltips are computed when
 * they are asked for, not at bind. Minimum widths are small enough for a
 * 360 px window; the full text is in the tooltips. */

static GtkWidget *
make_inscription (float  xalign,
                  guint  min_chars,
                  guint  nat_chars)
{
  return g_object_new (GTK_TYPE_INSCRIPTION,
                       "xalign", xalign,
                       "min-chars", min_chars,
                       "nat-chars", nat_chars,
                       "min-lines", 1,
                       "nat-lines", 1,
                       "text-overflow", GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END,
                       NULL);
}

static CwResultItem *
list_item_get_result (GtkListItem *list_item)
{
  return CW_RESULT_ITEM (gtk_list_item_get_item (list_item));
}

static void
setup_number_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 CwResultView             *self)
{
  GtkWidget *inscription = make_inscription (1.0f, 3, 6);

  gtk_widget_add_css_class (inscription, "numeric");
  gtk_list_item_set_child (list_item, inscription);
}

static void
bind_arrival_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 CwResultView             *self)
{
  CwResultItem *item = list_item_get_result (list_item);
  char text[24];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, cw_result_item_get_arrival (item));
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
}

static void
bind_submission_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item,
                    CwResultView             *self)
{
  CwResultItem *item = list_item_get_result (list_item);
  char text[24];

  g_snprintf (text, sizeof text, "%" G_GUINT64_FORMAT, cw_result_item_get_submission (item));
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
}

/* A file name's whole path, readable, as a tooltip; FALSE without one. */
static gboolean
set_path_tooltip (GtkTooltip *tooltip,
                  const char *path)
{
  g_autofree char *display = NULL;

  if (path == NULL)
    return FALSE;
  display = g_filename_display_name (path);
  gtk_tooltip_set_text (tooltip, display);
  return TRUE;
}

/* A cell for a file name, cut in its middle, its path in a tooltip. */
static void
setup_path_cell (GtkListItem *list_item,
                 GCallback    query_tooltip)
{
  GtkWidget *inscription = make_inscription (0.0f, 2, 28);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (inscription),
                                     GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_MIDDLE);
  gtk_widget_set_has_tooltip (inscription, TRUE);
  /* The list item owns the inscription, so it outlives the handler. */
  g_signal_connect (inscription, "query-tooltip", query_tooltip, list_item);
  gtk_list_item_set_child (list_item, inscription);
}

static gboolean
file_query_tooltip_cb (GtkWidget  *widget,
                       int         x,
                       int         y,
                       gboolean    keyboard_mode,
                       GtkTooltip *tooltip,
                       gpointer    user_data)
{
  GtkListItem *list_item = user_data;
  CwResultItem *item = list_item_get_result (list_item);

  return item != NULL && set_path_tooltip (tooltip, cw_result_item_get_input_path (item));
}

static void
setup_file_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               CwResultView             *self)
{
  setup_path_cell (list_item, G_CALLBACK (file_query_tooltip_cb));
}

static void
bind_file_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              CwResultView             *self)
{
  CwResultItem *item = list_item_get_result (list_item);
  g_autofree char *name = cw_result_item_dup_display_name (item);

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), name);
}

/* A finished row's output, below the output folder ("Album A/01.flac",
 * "take (1).wav"), so its folder and a numbered name show; the whole path
 * is in the tooltip. Nothing was written for a failed or cancelled row. */
static char *
dup_output_name (CwResultView *self,
                 CwResultItem *item)
{
  const char *output = cw_result_item_get_output_path (item);
  gsize n = self->output_dir != NULL ? strlen (self->output_dir) : 0;

  if (cw_result_item_get_status (item) != CW_STATUS_OK || output == NULL)
    return g_strdup ("—");
  if (n > 0 && strncmp (output, self->output_dir, n) == 0 && output[n] == '/' && output[n + 1] != '\0')
    return g_filename_display_name (output + n + 1);
  return g_filename_display_basename (output);
}

static gboolean
output_query_tooltip_cb (GtkWidget  *widget,
                         int         x,
                         int         y,
                         gboolean    keyboard_mode,
                         GtkTooltip *tooltip,
                         gpointer    user_data)
{
  GtkListItem *list_item = user_data;
  CwResultItem *item = list_item_get_result (list_item);

  return item != NULL && cw_result_item_get_status (item) == CW_STATUS_OK
         && set_path_tooltip (tooltip, cw_result_item_get_output_path (item));
}

static void
setup_output_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 CwResultView             *self)
{
  setup_path_cell (list_item, G_CALLBACK (output_query_tooltip_cb));
}

static void
bind_output_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                CwResultView             *self)
{
  g_autofree char *name = dup_output_name (self, list_item_get_result (list_item));

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), name);
}

static void
setup_worker_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 CwResultView             *self)
{
  GtkWidget *inscription = make_inscription (0.0f, 3, 13);

  gtk_widget_add_css_class (inscription, "numeric");
  gtk_list_item_set_child (list_item, inscription);
}

static void
bind_worker_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                CwResultView             *self)
{
  CwResultItem *item = list_item_get_result (list_item);
  gint32 pid = cw_result_item_get_pid (item);
  char text[64];

  /* Slots count from 0 in the engine; people count workers from 1, like tasks. */
  if (pid > 0)
    /* Translators: the Worker column: the worker's number and its process id */
    g_snprintf (text, sizeof text, _("%u · pid %d"), cw_result_item_get_worker (item) + 1, pid);
  else
    g_snprintf (text, sizeof text, "%u", cw_result_item_get_worker (item) + 1);
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
}

static void
setup_time_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               CwResultView             *self)
{
  GtkWidget *inscription = make_inscription (1.0f, 4, 8);

  gtk_widget_add_css_class (inscription, "numeric");
  gtk_list_item_set_child (list_item, inscription);
}

static void
bind_time_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              CwResultView             *self)
{
  CwResultItem *item = list_item_get_result (list_item);
  double seconds = cw_result_item_get_seconds (item);
  char text[48];

  /* A task cancelled before it ran has no time: say so, not "0.00 s". */
  if (seconds == 0.0 && cw_result_item_get_status (item) == CW_STATUS_CANCELLED)
    g_strlcpy (text, "—", sizeof text);
  else
    /* Translators: a task's time in seconds (the SI symbol, no plural) */
    g_snprintf (text, sizeof text, _("%.2f s"), seconds);
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
}

/* The status cell: [icon] [text...........]. A retry is said in the text
 * rather than in a label of its own: one widget fewer in each of the 200
 * rows GTK keeps, and the note stays next to the word it qualifies. */
typedef struct
{
  GtkImage       *icon;
  GtkInscription *text;
} StatusCell;

static StatusCell
status_cell_get (GtkWidget *box)
{
  StatusCell cell;

  cell.icon = GTK_IMAGE (gtk_widget_get_first_child (box));
  cell.text = GTK_INSCRIPTION (gtk_widget_get_next_sibling (GTK_WIDGET (cell.icon)));
  return cell;
}

static gboolean
status_query_tooltip_cb (GtkWidget  *widget,
                         int         x,
                         int         y,
                         gboolean    keyboard_mode,
                         GtkTooltip *tooltip,
                         gpointer    user_data)
{
  GtkListItem *list_item = user_data;
  CwResultItem *item = list_item_get_result (list_item);
  g_autoptr(GString) text = NULL;

  if (item == NULL)
    return FALSE;

  text = g_string_new (NULL);
  if (cw_result_item_get_status (item) == CW_STATUS_FAILED)
    g_string_append (text, cw_result_item_get_error (item) != NULL
                             ? cw_result_item_get_error (item) : _("Failed"));
  if (cw_result_item_get_attempts (item) > 1)
    {
      if (text->len > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, _("Retried after its worker stopped"));
    }
  if (text->len == 0)
    return FALSE;

  gtk_tooltip_set_text (tooltip, text->str);
  return TRUE;
}

static void
setup_status_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 CwResultView             *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *text = make_inscription (0.0f, 3, 22);

  gtk_widget_add_css_class (box, "cw-status");
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), text);

  gtk_widget_set_has_tooltip (box, TRUE);
  g_signal_connect (box, "query-tooltip", G_CALLBACK (status_query_tooltip_cb), list_item);
  gtk_list_item_set_child (list_item, box);
}

static void
bind_status_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                CwResultView             *self)
{
  CwResultItem *item = list_item_get_result (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  StatusCell cell = status_cell_get (box);
  CwStatus status = cw_result_item_get_status (item);
  gboolean retried = cw_result_item_get_attempts (item) > 1;
  const char *error;

  switch (status)
    {
    case CW_STATUS_OK:
      gtk_image_set_from_icon_name (cell.icon, "emblem-ok-symbolic");
      /* Translators: the task succeeded after its first worker stopped */
      gtk_inscription_set_text (cell.text, retried ? _("Done · retried") : _("Done"));
      break;

    case CW_STATUS_FAILED:
      gtk_image_set_from_icon_name (cell.icon, "dialog-error-symbolic");
      error = cw_result_item_get_error (item);
      if (error != NULL)
        {
          /* Translators: %s is why the task failed */
          g_autofree char *text = g_strdup_printf (retried ? _("Failed after a retry: %s")
                                                           : _("Failed: %s"),
                                                   error);

          /* One line in the row; the tooltip has the whole message. */
          g_strdelimit (text, "\r\n", ' ');
          gtk_inscription_set_text (cell.text, text);
        }
      else
        gtk_inscription_set_text (cell.text, retried ? _("Failed after a retry") : _("Failed"));
      break;

    case CW_STATUS_CANCELLED:
    default:
      gtk_image_set_from_icon_name (cell.icon, "process-stop-symbolic");
      gtk_inscription_set_text (cell.text, _("Cancelled"));
      break;
    }

  if (status == CW_STATUS_FAILED)
    gtk_widget_add_css_class (box, "error");
  else
    gtk_widget_remove_css_class (box, "error");
  if (status == CW_STATUS_OK)
    gtk_widget_add_css_class (GTK_WIDGET (cell.icon), "success");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (cell.icon), "success");
  if (status == CW_STATUS_CANCELLED)
    gtk_widget_add_css_class (box, "dim-label");
  else
    gtk_widget_remove_css_class (box, "dim-label");
}

/* ---------------------------------------------------------------------- */
/* opening a row's folder
 *
 * org.freedesktop.FileManager1.ShowItems opens the folder with the file
 * selected (Files, Dolphin, Nemo...); without a file manager service on
 * the bus, the folder itself is opened with its default handler. Both
 * steps are async; failures are reported with ::open-failed, never with a
 * warning (a missing file manager is not a bug). */

typedef struct
{
  GWeakRef          view;
  GCancellable     *cancellable;
  GAppLaunchContext *context;
  char             *item_uri;
  char             *folder_uri;
} OpenRequest;

static void
open_request_free (OpenRequest *request)
{
  g_weak_ref_clear (&request->view);
  g_clear_object (&request->cancellable);
  g_clear_object (&request->context);
  g_free (request->item_uri);
  g_free (request->folder_uri);
  g_free (request);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpenRequest, open_request_free)

static void
open_request_fail (OpenRequest  *request,
                   const GError *error)
{
  g_autoptr(CwResultView) self = NULL;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_debug ("Could not open %s: %s", request->folder_uri, error->message);
  self = g_weak_ref_get (&request->view);
  if (self != NULL)
    g_signal_emit (self, signals[OPEN_FAILED], 0, error->message);
}

static void
launch_folder_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(OpenRequest) request = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error))
    open_request_fail (request, error);
}

static void
open_request_launch_folder (OpenRequest *request)
{
  g_app_info_launch_default_for_uri_async (request->folder_uri,
                                           request->context,
                                           request->cancellable,
                                           launch_folder_cb,
                                           request);
}

static void
show_items_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(OpenRequest) request = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL)
    return;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_debug ("FileManager1.ShowItems failed (%s); opening the folder instead", error->message);
  open_request_launch_folder (g_steal_pointer (&request));
}

static void
session_bus_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OpenRequest) request = user_data;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  const char *uris[] = { request->item_uri, NULL };

  bus = g_bus_get_finish (result, &error);
  if (bus == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      g_debug ("No session bus (%s); opening the folder instead", error->message);
      open_request_launch_folder (g_steal_pointer (&request));
      return;
    }

  g_dbus_connection_call (bus,
                          "org.freedesktop.FileManager1",
                          "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1",
                          "ShowItems",
                          g_variant_new ("(^ass)", uris, ""),
                          NULL,
                          G_DBUS_CALL_FLAGS_NONE,
                          SHOW_ITEMS_TIMEOUT_MS,
                          request->cancellable,
                          show_items_cb,
                          request);
  g_steal_pointer (&request);
}

/* A finished row opens its output; a failed or cancelled one (or one with
 * no output) its input, which is what the user will want to look at. */
static const char *
item_path_to_show (CwResultItem *item)
{
  const char *output = cw_result_item_get_output_path (item);
  const char *input = cw_result_item_get_input_path (item);

  if (cw_result_item_get_status (item) == CW_STATUS_OK && output != NULL)
    return output;
  return input != NULL ? input : output;
}

static void
cw_result_view_open_item (CwResultView *self,
                          CwResultItem *item)
{
  const char *path = item_path_to_show (item);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  OpenRequest *request;

  if (path == NULL)  /* a synthetic task: nothing on disk */
    return;

  file = g_file_new_for_path (path);
  folder = g_file_get_parent (file);
  if (folder == NULL)
    return;

  request = g_new0 (OpenRequest, 1);
  g_weak_ref_init (&request->view, self);
  request->cancellable = g_object_ref (self->cancellable);
  request->context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self))));
  request->item_uri = g_file_get_uri (file);
  request->folder_uri = g_file_get_uri (folder);

  g_bus_get (G_BUS_TYPE_SESSION, self->cancellable, session_bus_cb, request);
}

static void
column_view_activate_cb (GtkColumnView *column_view,
                         guint          position,
                         CwResultView  *self)
{
  g_autoptr(CwResultItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), position);

  if (item != NULL)
    cw_result_view_open_item (self, item);
}

/* ---------------------------------------------------------------------- */
/* following the newest row
 *
 * GTK 4.8 has no gtk_list_view_scroll_to (): while the view sits at the
 * bottom, every growth of the adjustment (rows added, window resized) moves
 * it back to the bottom. Scrolling up anywhere stops following; scrolling
 * back down to the end resumes it, as in a terminal. */

static gboolean
adjustment_is_at_bottom (GtkAdjustment *adjustment)
{
  double bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);

  return gtk_adjustment_get_value (adjustment) >= bottom - FOLLOW_SLACK_PX;
}

static void
vadjustment_value_changed_cb (GtkAdjustment *adjustment,
                              CwResultView  *self)
{
  self->follow = adjustment_is_at_bottom (adjustment);
}

static gboolean
follow_idle_cb (gpointer user_data)
{
  CwResultView *self = user_data;
  GtkAdjustment *adjustment = self->vadjustment;

  self->follow_id = 0;
  if (self->follow)
    gtk_adjustment_set_value (adjustment,
                              gtk_adjustment_get_upper (adjustment)
                              - gtk_adjustment_get_page_size (adjustment));
  return G_SOURCE_REMOVE;
}

/* The list view configures its adjustment while it allocates, with its own
 * value-changed handler blocked: a value set from here would move the
 * scrollbar but not the rows. So move it from an idle, right after. */
static void
vadjustment_changed_cb (GtkAdjustment *adjustment,
                        CwResultView  *self)
{
  double bottom;

  if (!self->follow || self->follow_id != 0)
    return;

  bottom = gtk_adjustment_get_upper (adjustment) - gtk_adjustment_get_page_size (adjustment);
  if (gtk_adjustment_get_value (adjustment) < bottom)
    self->follow_id = g_idle_add_full (G_PRIORITY_HIGH_IDLE, follow_idle_cb, self, NULL);
}

/* ---------------------------------------------------------------------- */
/* batching */

static void
cw_result_view_splice_pending (CwResultView *self,
                               guint         n_rows)
{
  g_list_store_splice (self->store,
                       g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       0,
                       self->pending->pdata,
                       n_rows);
  g_ptr_array_remove_range (self->pending, 0, n_rows);
}

static gboolean
flush_timeout_cb (gpointer user_data)
{
  CwResultView *self = user_data;
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint max_rows = n_rows < SHORT_LIST_ROWS ? MAX_ROWS_PER_FLUSH_SHORT : MAX_ROWS_PER_FLUSH;

  self->flush_id = 0;
  cw_result_view_splice_pending (self, MIN (self->pending->len, max_rows));
  if (self->pending->len > 0)
    self->flush_id = g_timeout_add (CATCH_UP_INTERVAL_MS, flush_timeout_cb, self);
  return G_SOURCE_REMOVE;
}

/* ---------------------------------------------------------------------- */
/* GObject */

static void
cw_result_view_dispose (GObject *object)
{
  CwResultView *self = CW_RESULT_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_clear_handle_id (&self->follow_id, g_source_remove);
  if (self->vadjustment != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->vadjustment, self);
      self->vadjustment = NULL;
    }
  if (self->pending != NULL)
    g_ptr_array_set_size (self->pending, 0);

  gtk_widget_dispose_template (GTK_WIDGET (self), CW_TYPE_RESULT_VIEW);

  G_OBJECT_CLASS (cw_result_view_parent_class)->dispose (object);
}

static void
cw_result_view_finalize (GObject *object)
{
  CwResultView *self = CW_RESULT_VIEW (object);

  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_free (self->output_dir);

  G_OBJECT_CLASS (cw_result_view_parent_class)->finalize (object);
}

static void
cw_result_view_class_init (CwResultViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = cw_result_view_dispose;
  object_class->finalize = cw_result_view_finalize;

  /**
   * CwResultView::open-failed:
   * @self: the view
   * @message: why the folder could not be shown, for a toast
   *
   * Activating a row could not show its folder (no file manager, no
   * handler for folders, the folder is gone...).
   */
  signals[OPEN_FAILED] =
    g_signal_new ("open-failed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0,
                  NULL, NULL,
                  NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  /* The template's GListStore names its item type. */
  g_type_ensure (CW_TYPE_RESULT_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/corewave/Corewave/cw-result-view.ui");
  gtk_widget_class_bind_template_child (widget_class, CwResultView, scrolled_window);
  gtk_widget_class_bind_template_child (widget_class, CwResultView, column_view);
  gtk_widget_class_bind_template_child (widget_class, CwResultView, selection);
  gtk_widget_class_bind_template_child (widget_class, CwResultView, store);
  gtk_widget_class_bind_template_callback (widget_class, column_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_number_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_arrival_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_submission_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_file_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_output_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_worker_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_worker_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_time_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_time_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_status_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_status_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "cw-result-view");
}

static void
cw_result_view_init (CwResultView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  self->cancellable = g_cancellable_new ();
  self->follow = TRUE;

  self->vadjustment = gtk_scrolled_window_get_vadjustment (self->scrolled_window);
  g_signal_connect (self->vadjustment, "value-changed",
                    G_CALLBACK (vadjustment_value_changed_cb), self);
  g_signal_connect (self->vadjustment, "changed",
                    G_CALLBACK (vadjustment_changed_cb), self);
}

/* ---------------------------------------------------------------------- */
/* public */

GtkWidget *
cw_result_view_new (void)
{
  return g_object_new (CW_TYPE_RESULT_VIEW, NULL);
}

void
cw_result_view_clear (CwResultView *self,
                      gint64        batch_start_us)
{
  g_return_if_fail (CW_IS_RESULT_VIEW (self));

  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_ptr_array_set_size (self->pending, 0);
  g_list_store_remove_all (self->store);
  self->n_arrived = 0;
  self->batch_start_us = batch_start_us;
  self->follow = TRUE;
}

void
cw_result_view_set_output_dir (CwResultView *self,
                               const char   *output_dir)
{
  g_return_if_fail (CW_IS_RESULT_VIEW (self));

  g_free (self->output_dir);
  self->output_dir = g_strdup (output_dir);
}

void
cw_result_view_add (CwResultView   *self,
                    const CwResult *result)
{
  g_return_if_fail (CW_IS_RESULT_VIEW (self));
  g_return_if_fail (result != NULL);

  g_ptr_array_add (self->pending,
                   cw_result_item_new (result, ++self->n_arrived, self->batch_start_us));
  if (self->flush_id == 0)
    self->flush_id = g_timeout_add (FLUSH_INTERVAL_MS, flush_timeout_cb, self);
}

void
cw_result_view_flush (CwResultView *self)
{
  g_return_if_fail (CW_IS_RESULT_VIEW (self));

  g_clear_handle_id (&self->flush_id, g_source_remove);
  if (self->pending->len == 0)
    return;

  cw_result_view_splice_pending (self, self->pending->len);
}

GListModel *
cw_result_view_get_model (CwResultView *self)
{
  g_return_val_if_fail (CW_IS_RESULT_VIEW (self), NULL);

  return G_LIST_MODEL (self->store);
}
