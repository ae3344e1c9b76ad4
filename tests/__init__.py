"""The test suite.

Imported before any test module or conftest, so before chat_app.settings reads the
environment: tests run the app as a loopback-only server (as the e2e backends listen on
127.0.0.1), and a test database's first account needs no setup code. Tests of the code pass
their own settings; the app processes tests start get their host from their command line
(tests/support/live_app.py leaves this variable out of their environment).
"""

import os

os.environ.setdefault("REFLEX_BACKEND_HOST", "127.0.0.1")
