"""What every page shares: the frame, calling services, the live helper, i18n, formatting, jobs, widgets."""
