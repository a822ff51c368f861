"""The foundation module: sign-in and accounts, people and families, city announcements, the demo city.

Other modules use it through this package: `from services.foundation import people` (and auth, notices, demo).
"""

from services.foundation import auth, demo, events, notices, people, sessions

__all__ = ['auth', 'demo', 'events', 'notices', 'people', 'sessions']
