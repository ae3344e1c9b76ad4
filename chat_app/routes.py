"""Route constants shared by pages, states and tests."""

CHAT = "/"
# The chat with a conversation open: its own entry in the browser's history, so Back closes
# it (states/history_entry.py). The fragment alone changes: the page does not load again.
CHAT_WITH_CONVERSATION = "/#chat"
AUTH = "/auth"
# Administrators only: users, registration mode, invites, the audit log.
ADMIN = "/admin"
# The signed-in user's own account: nickname, devices, deleting the account.
ACCOUNT = "/account"
# Claiming the administrator role of a server that has users but none yet, with the code.
SETUP = "/setup"
# Links handed to people: `{INVITE_PREFIX}/{token}` and `{RESET_PREFIX}/{token}`.
INVITE_PREFIX = "/invite"
RESET_PREFIX = "/reset"
INVITE = f"{INVITE_PREFIX}/[token]"
RESET = f"{RESET_PREFIX}/[token]"
