"""The foundation module: sign-in and accounts, people and families, city announcements, the demo city."""
