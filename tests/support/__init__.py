"""What tests share, in one place: actors and factories (`actors`), simulated-user pages (`pages`), the browser kit
(`browser`), and waits on events or on the page instead of wall-clock limits (`waits`). No test imports another
test module; a module's own factories live in `tests/support/<module>.py`."""
