"""Message search over raw `/_event` clients, on both profiles (SQLite; PostgreSQL with two
workers and Redis): a message is found at once, by its reader and its writer only, and the
result opens its conversation at it. The search runs as a background event: the tab gets
its results while it goes on receiving messages."""

from __future__ import annotations

import asyncio

from chat_app.i18n import text
from tests.realtime.helpers import (
    CONVERSATION,
    chat_pair,
    open_chat,
    register,
    search_messages,
    send_text,
    session_token,
    shown,
    toasts,
    unique_username,
)


async def test_a_message_is_found_by_its_two_readers_and_opens_there(backend_url):
    ann, bob, _ann_id, _bob_id = await chat_pair(backend_url)
    await send_text(ann, "the quarterly report 季度报告")
    await bob.wait_for(lambda c: any("quarterly" in m["body"] for m in shown(c)))
    for tab in (ann, bob):
        (hit,) = await search_messages(tab, "REPORT")
        assert [(part["text"], part["marked"]) for part in hit["parts"]] == [
            ("the quarterly ", False),
            ("report", True),
            (" 季度报告", False),
        ]
        assert hit["mine"] is (tab is ann)
    (hit,) = await search_messages(bob, "季度")
    assert [part["text"] for part in hit["parts"] if part["marked"]] == ["季度"]

    # Bob closes the chat; the result opens it at the message, marked.
    await bob.call(CONVERSATION, "close_conversation", {})
    await bob.wait_for(lambda c: c.var(CONVERSATION, "conversation_id") == 0)
    await bob.call(
        CONVERSATION,
        "open_at_message",
        {"conversation_id": hit["conversation_id"], "seq": hit["seq"]},
    )
    await bob.wait_for(lambda c: c.var(CONVERSATION, "found_seq") == hit["seq"])
    assert bob.var(CONVERSATION, "conversation_id") == hit["conversation_id"]

    # A message sent while a search runs arrives as usual, and both answers come.
    await asyncio.gather(search_messages(bob, "quarterly"), send_text(ann, "one more"))
    await bob.wait_for(lambda c: any(m["body"] == "one more" for m in shown(c)))

    # Someone else finds nothing of it, and cannot open it either.
    cat_reg = await register(backend_url, unique_username("cat"))
    cat = await open_chat(backend_url, session_token(cat_reg))
    await cat_reg.close()
    assert await search_messages(cat, "quarterly") == []
    await cat.call(
        CONVERSATION,
        "open_at_message",
        {"conversation_id": hit["conversation_id"], "seq": hit["seq"]},
    )
    not_found = text("not_found")
    await cat.wait_for(lambda c: any(not_found in toast for toast in toasts(c)))
    assert cat.var(CONVERSATION, "conversation_id") in (0, None)
    for tab in (ann, bob, cat):
        await tab.close()
