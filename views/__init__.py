"""Pages. One package per module (`views/<module>/`, its `MODULE` registered by main.MODULES); `views/kit/` is
what every module's pages share: the frame, calling services, the live helper, text and time, widgets."""
