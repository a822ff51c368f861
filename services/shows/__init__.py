"""Cloud performances (M4): the show state machine, the organizer's edits, comments, reminders, figures, feeds.

Modules: `common` (events, loading, history), `lifecycle` (state machine), `editing` (create/edit, links, times),
`posters` (images), `comments`, `reminders`, `figures` (viewer figures), `feeds` (.ics and JSON), `schedule`
(what residents see), `viewers` (in-app concurrent viewers, counted live in memory).
"""
