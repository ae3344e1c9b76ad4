"""Views: changing a message's delivery state keeps everything else about it."""

from __future__ import annotations

from dataclasses import fields

from chat_app.services.views import AttachmentView, MessageView


def test_with_status_keeps_every_other_field():
    view = MessageView(
        seq=7,
        sender_id=1,
        client_id="c1",
        body="holiday.png",
        sent_at="2026-01-01T00:00:00+00:00",
        status="failed",
        error="Offline",
        kind="image",
        attachment=AttachmentView("f" * 32, "3 KB", "image/png", True, "/file", "/thumb"),
        lead=True,
    )
    # Every field differs from its default, so a copy that drops one is caught.
    assert all(getattr(view, f.name) != f.default for f in fields(MessageView))
    failed = view.with_status("failed", "Not sent")
    assert (failed.status, failed.error) == ("failed", "Not sent")
    assert failed.with_status("sending").error == ""
    for field in fields(MessageView):
        if field.name not in ("status", "error"):
            assert getattr(failed, field.name) == getattr(view, field.name), field.name
