"""Domain logic of Spring City Cloud. Nothing here imports nicegui or views."""
