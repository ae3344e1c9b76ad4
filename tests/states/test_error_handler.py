"""Unexpected failures reach the browser as a generic message only."""

from __future__ import annotations

from chat_app.states.error_handler import backend_error_toast


def test_the_toast_reveals_nothing_about_the_exception():
    event = backend_error_toast(ValueError("secret path /srv/chat.db at line 42"))
    rendered = repr(event)
    assert "Something went wrong" in rendered
    assert "secret" not in rendered
    assert "ValueError" not in rendered
