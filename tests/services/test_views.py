"""Views: changing a message's delivery state keeps everything else about it; its time."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, timedelta, timezone

from chat_app.services.links import TextPart
from chat_app.services.reaction_views import ReactionView
from chat_app.services.reply_views import ReplyView
from chat_app.services.views import AttachmentView, MessageView, wire_time


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
        parts=(TextPart("https://x.org", "https://x.org"),),
        deleted=True,
        edited=True,
        reactions=(ReactionView("👍", (1,)),),
        reply=ReplyView(seq=3, sender_id=2, kind="text", text="see you"),
    )
    # Every field differs from its default, so a copy that drops one is caught.
    assert all(getattr(view, f.name) != f.default for f in fields(MessageView))
    failed = view.with_status("failed", "Not sent")
    assert (failed.status, failed.error) == ("failed", "Not sent")
    assert failed.with_status("sending").error == ""
    for field in fields(MessageView):
        if field.name not in ("status", "error"):
            assert getattr(failed, field.name) == getattr(view, field.name), field.name


def test_a_message_time_goes_out_in_utc_to_the_second():
    """What the page reads as the bubble's time and the chat row's, whatever the driver gives."""
    naive_utc = datetime(2026, 12, 3, 7, 54, 10, 999_999)
    assert wire_time(naive_utc) == "2026-12-03T07:54:10Z"
    assert wire_time(naive_utc.replace(tzinfo=UTC)) == "2026-12-03T07:54:10Z"
    beijing = timezone(timedelta(hours=8))
    assert wire_time(datetime(2026, 12, 3, 15, 54, 10, tzinfo=beijing)) == "2026-12-03T07:54:10Z"
    assert wire_time(datetime(2027, 1, 1, 0, 0, 0)) == "2027-01-01T00:00:00Z"
