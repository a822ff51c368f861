"""Cloud performances (M4): the show state machine, the organizer's edits, comments, reminders, figures, feeds.

Modules: `events` (the typed events), `common` (loading, history, venue time), `lifecycle` (state machine),
`editing` (create/edit, links, times), `team` (owner and co-organizers: who may change a show), `posters`
(images), `comments`, `reminders`, `figures` (viewer figures),
`feeds` (.ics and JSON), `schedule` (what residents see), `viewers` (in-app concurrent viewers, counted in memory).
"""

from services.shows.events import (
    SHOW_CHANGED,
    SHOW_COMMENT,
    SHOW_REMINDER,
    SHOW_VIEWERS,
    CommentChanged,
    ReminderDue,
    ShowChanged,
    ViewerCounts,
)

__all__ = ['SHOW_CHANGED', 'SHOW_COMMENT', 'SHOW_REMINDER', 'SHOW_VIEWERS', 'CommentChanged', 'ReminderDue',
           'ShowChanged', 'ViewerCounts']  # fmt: skip
