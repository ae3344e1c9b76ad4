"""`python -m chat_app.admin …`: see chat_app/admin/cli.py."""

import sys

try:
    from chat_app.admin.cli import main
except ValueError as error:  # SettingsError: an environment variable the app cannot use
    sys.exit(f"error: {error}")

sys.exit(main())
