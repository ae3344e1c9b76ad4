"""Route constants shared by pages, states and tests."""

CHAT = "/"
AUTH = "/auth"
