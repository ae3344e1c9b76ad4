"""Over the real protocol: user ids do not enumerate, and a block stops every live leak.

Item 3 of issue 14: ids are sequential, so a client looping over 1..N must learn nothing
about users it has no relation with. Item 8: after a block, neither side hears of the
other's reading, typing, presence or picture, on both profiles.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import sqlalchemy as sa

from chat_app.states.profile import ProfileState
from tests.realtime.helpers import (
    AUTH,
    COMPOSER,
    CONVERSATION,
    FRIENDS,
    PRESENCE,
    befriend,
    find_user_id,
    open_chat,
    open_conversation,
    register,
    sees_online,
    send_text,
    session_token,
    toasts,
    unique_username,
    unread_in,
    usernames,
)
from tests.support.images import png

# Tables whose rows tie two users together.
PAIR_TABLES = {
    "friendrequest": ("from_user_id", "to_user_id"),
    "friendship": ("user_low_id", "user_high_id"),
    "block": ("blocker_id", "blocked_id"),
    "founduser": ("viewer_id", "user_id"),
    "conversation": ("user_low_id", "user_high_id"),
}


def query(database_url: str, sql: str, **params: Any) -> list[Any]:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text(sql), params).all()
    engine.dispose()
    return list(rows)


def rows_touching(database_url: str, user_id: int) -> dict[str, int]:
    return {
        table: query(
            database_url,
            f"select count(*) from {table} where {a} = :u or {b} = :u",  # noqa: S608
            u=user_id,
        )[0][0]
        for table, (a, b) in PAIR_TABLES.items()
    }


def mentions(frame: str, word: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(word)}(?![A-Za-z0-9_])", frame) is not None


async def test_looping_over_every_user_id_reveals_no_one(backend):
    # Users the attacker has no relation with, one of them with a picture.
    hidden = [await register(backend.url, f"hidden_{uuid.uuid4().hex[:10]}") for _ in range(3)]
    response = await upload_avatar(backend.url, hidden[0].token)
    assert response.status_code == 200
    # Two of them have a pending request between them: a request id to aim at.
    target_id = await find_user_id(hidden[1], hidden[2].var(AUTH, "username"))
    await hidden[1].call(FRIENDS, "send_request", {"user_id": target_id})
    await hidden[2].wait_for(lambda c: c.var(FRIENDS, "incoming_count") == 1)
    mallory = await register(backend.url, unique_username("mallory"))
    mallory_name = mallory.var(AUTH, "username")
    (mallory_id,) = query(
        backend.database_url, 'select id from "user" where username = :n', n=mallory_name
    )[0]
    others = query(
        backend.database_url,
        'select id, username, nickname, avatar_file_id from "user" where id != :m',
        m=mallory_id,
    )
    before = {other.id: rows_touching(backend.database_url, other.id) for other in others}
    (last_request,) = query(backend.database_url, "select max(id) from friendrequest")[0]
    highest = max(*(other.id for other in others), last_request)

    swept = range(1, highest + 3)
    if backend.profile == "scaled":
        # The refusals are the same code on both profiles, and the embedded run sweeps every
        # id of its (shared) database; the scaled one, whose database the other scaled tests
        # fill too, aims at the hidden users, their request and past the last id.
        hidden_names = [tab.var(AUTH, "username") for tab in hidden]
        hidden_ids = [other.id for other in others if other.username in hidden_names]
        swept = sorted({1, 2, *hidden_ids, last_request, highest + 1, highest + 2})
    calls = 0
    for user_id in swept:
        if user_id == mallory_id:
            continue
        for state, handler, payload in [
            (FRIENDS, "send_request", {"user_id": user_id}),
            (FRIENDS, "block", {"user_id": user_id}),
            (FRIENDS, "unblock", {"user_id": user_id}),
            (FRIENDS, "remove_friend", {"user_id": user_id}),
            # Request ids are sequential too: others' requests are not Mallory's to answer.
            (FRIENDS, "accept", {"request_id": user_id}),
            (FRIENDS, "cancel", {"request_id": user_id}),
            # Conversation ids are sequential as well.
            (CONVERSATION, "open_conversation", {"conversation_id": user_id}),
        ]:
            await mallory.call(state, handler, payload)
            calls += 1
        # A forged confirmation with a made-up name: nothing to confirm, nothing shown.
        await mallory.call(
            FRIENDS, "ask_confirm", {"kind": "block", "user_id": user_id, "nickname": "Victim"}
        )
        await mallory.call(FRIENDS, "confirm", {})
    # A tab's events run in order: once this search has answered, every call was handled.
    barrier = f"zz_{uuid.uuid4().hex[:12]}"
    await mallory.call(FRIENDS, "search", {"form_data": {"username": barrier}})
    await mallory.wait_for(lambda c: c.var(FRIENDS, "search_query") == barrier, timeout=120)

    leaks = [
        (other.username, frame[:200])
        for frame in mallory.frames
        for other in others
        if mentions(frame.lower(), other.username.lower())
        # A deleted account's nickname is blank: nothing of it to find.
        or (other.nickname and mentions(frame, other.nickname))
        or (other.avatar_file_id and other.avatar_file_id in frame)
    ]
    assert leaks == []
    # Every call was refused, each with the same "no such user" toast as for a missing id.
    assert len(toasts(mallory)) >= calls
    assert mallory.var(FRIENDS, "confirm_nickname") in ("", None)
    for key in ("outgoing", "blocked", "friends", "incoming"):
        assert usernames(mallory, key) == []
    assert (mallory.var(PRESENCE, "online") or {}) == {}
    # Not a row changed for anyone, and none ties Mallory to anyone.
    assert {other.id: rows_touching(backend.database_url, other.id) for other in others} == before
    assert set(rows_touching(backend.database_url, mallory_id).values()) == {0}
    for tab in (*hidden, mallory):
        await tab.close()


async def upload_avatar(backend_url: str, tab_token: str):
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"{backend_url}/_upload",
            headers={
                "reflex-client-token": tab_token,
                "reflex-event-handler": f"{ProfileState.get_full_name()}.upload_avatar",
            },
            files={"files": ("me.png", png(64, 64), "application/octet-stream")},
            timeout=20,
        )


def avatar_of(database_url: str, user_id: int) -> str:
    return query(database_url, 'select avatar_file_id from "user" where id = :u', u=user_id)[0][0]


async def test_after_a_block_neither_side_hears_of_the_other(backend):
    url = backend.url
    ann_reg = await register(url, unique_username("ann"))
    bob_reg = await register(url, unique_username("bob"))
    cat_reg = await register(url, unique_username("cat"))
    ann_id, bob_id = await befriend(ann_reg, bob_reg)
    await befriend(cat_reg, bob_reg)
    bob_name, bob_nickname = bob_reg.var(AUTH, "username"), bob_reg.var(AUTH, "nickname")
    for tab in (ann_reg, bob_reg, cat_reg):
        await tab.close()
    ann = await open_chat(url, session_token(ann_reg))
    bob = await open_chat(url, session_token(bob_reg))
    bob2 = await open_chat(url, session_token(bob_reg))
    cat = await open_chat(url, session_token(cat_reg))
    for viewer, other_id in ((ann, bob_id), (bob, ann_id), (cat, bob_id)):
        await viewer.wait_for(lambda c, o=other_id: sees_online(c, o) is True)

    # Ann writes while Bob's conversation with her is closed: two unread in Bob's tabs.
    ann_bob = await open_conversation(ann, bob_id)
    await open_conversation(cat, bob_id)
    for body in ("one", "two"):
        await send_text(ann, body)
    await bob2.wait_for(lambda c: unread_in(c, ann_bob) == 2)

    await bob.call(FRIENDS, "block", {"user_id": ann_id})
    await bob.wait_for(lambda c: usernames(c, "blocked") == [ann_reg.var(AUTH, "username")])
    await ann.wait_for(lambda c: usernames(c, "friends") == [])
    # Presence ends both ways in the tabs already open.
    await ann.wait_for(lambda c: sees_online(c, bob_id) is None)
    await bob.wait_for(lambda c: sees_online(c, ann_id) is None)

    # From here on, record everything Ann's and Bob's tabs are told.
    ann_from, bob_from = len(ann.frames), len(bob.frames)
    ann_read = ann.var(CONVERSATION, "friend_read_seq")
    ann_saw: list[tuple[Any, Any]] = []
    bob_saw: list[Any] = []
    ann.observers.append(
        lambda c: ann_saw.append(
            (c.var(CONVERSATION, "friend_read_seq"), c.var(CONVERSATION, "friend_typing"))
        )
    )
    bob.observers.append(lambda c: bob_saw.append(c.var(CONVERSATION, "friend_typing")))

    # 1. Bob opens the old conversation and reads it: his other tab hears of it (sent
    # after the receipt to Ann would have been), Ann does not.
    await open_conversation(bob, conversation_id=ann_bob)
    # It opens at the first unread message; both fit, and the page says so (its probe).
    await bob.call(CONVERSATION, "reader_at_bottom", {})
    bob_header = (
        bob.var(CONVERSATION, "open_friend_nickname"),
        bob.var(CONVERSATION, "open_friend_avatar_url"),
    )
    await bob2.wait_for(lambda c: unread_in(c, ann_bob) == 0)

    # 2. Bob types to Ann, then to Cat: Cat sees it, Ann does not.
    await bob.call(COMPOSER, "set_draft", {"value": "are you there?"})
    await bob.wait_for(lambda c: c.var(COMPOSER, "draft") == "are you there?")
    await open_conversation(bob2, await cat_id_of(bob2))
    await bob2.call(COMPOSER, "set_draft", {"value": "hi cat"})
    await cat.wait_for(lambda c: c.var(CONVERSATION, "friend_typing") is True)

    # 3. Ann types to Bob: nothing reaches Bob.
    await ann.call(COMPOSER, "set_draft", {"value": "why?"})
    await ann.wait_for(lambda c: c.var(COMPOSER, "draft") == "why?")

    # 4. Bob changes his picture: his friend Cat sees it, Ann gets nothing about it.
    assert (await upload_avatar(url, bob.token)).status_code == 200
    new_avatar = avatar_of(backend.database_url, bob_id)
    assert new_avatar
    await cat.wait_for(
        lambda c: any(f["user_id"] == bob_id and f["avatar_url"] for f in c.var(FRIENDS, "friends"))
    )

    # 5. Bob leaves: Cat sees him go offline, Ann hears nothing of it.
    for tab in (bob, bob2):
        await tab.close()
    await cat.wait_for(lambda c: sees_online(c, bob_id) is False, timeout=15)

    assert all(seq == ann_read for seq, _typing in ann_saw), ann_saw
    assert not any(typing for _seq, typing in ann_saw)
    assert not any(bob_saw)
    after_block = ann.frames[ann_from:]
    assert [f for f in after_block if new_avatar in f or mentions(f, bob_nickname)] == []
    assert [f for f in after_block if PRESENCE in f and f'"{bob_id}"' in f] == []
    assert str(bob_id) not in (ann.var(PRESENCE, "last_seen") or {})
    assert [f for f in bob.frames[bob_from:] if PRESENCE in f and f'"{ann_id}"' in f] == []

    # Bob's header shows Ann as he knew her: her username, no picture.
    assert bob_header == (ann_reg.var(AUTH, "username"), "")

    # 6. A fresh tab of Ann's shows Bob as she knew him: his username, no picture, and
    # the read position from before the block.
    ann_again = await open_chat(url, session_token(ann_reg))
    await open_conversation(ann_again, conversation_id=ann_bob)
    assert ann_again.var(CONVERSATION, "open_friend_nickname") == bob_name
    assert ann_again.var(CONVERSATION, "open_friend_avatar_url") == ""
    assert ann_again.var(CONVERSATION, "friend_read_seq") == ann_read
    assert not any(new_avatar in f for f in ann_again.frames)
    for tab in (ann, ann_again, cat):
        await tab.close()


async def cat_id_of(tab) -> int:
    friends = tab.var(FRIENDS, "friends") or []
    return next(f["user_id"] for f in friends if f["username"].startswith("cat_"))
