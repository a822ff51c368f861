"""Reusable page components shared by several modules (the code scanner, …)."""
