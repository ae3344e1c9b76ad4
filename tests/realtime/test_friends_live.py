"""Friend requests travel live to every open tab of both users, over the real protocol."""

from __future__ import annotations

from tests.realtime.helpers import (
    AUTH,
    FRIENDS,
    find_user_id,
    open_chat,
    register,
    request_id_from,
    session_token,
    toasts,
    unique_username,
    usernames,
)


async def test_request_reaches_every_tab_and_answers_reach_the_requester(backend_url):
    ann_name, bob_name = unique_username("ann"), unique_username("bob")
    ann = await register(backend_url, ann_name)
    bob = await register(backend_url, bob_name)
    bob_tab1 = await open_chat(backend_url, session_token(bob))
    bob_tab2 = await open_chat(backend_url, session_token(bob))

    bob_id = await find_user_id(ann, bob_name)
    assert ann.var(FRIENDS, "search_relation") == "can_add"
    await ann.call(FRIENDS, "send_request", {"user_id": bob_id})
    await ann.wait_for(lambda c: usernames(c, "outgoing") == [bob_name])
    await ann.wait_for(lambda c: c.var(FRIENDS, "search_relation") == "request_sent")

    # Both of Bob's tabs get the request, the badge count and a toast, sending nothing.
    for tab in (bob, bob_tab1, bob_tab2):
        await tab.wait_for(lambda c: usernames(c, "incoming") == [ann_name])
        await tab.wait_for(lambda c: c.var(FRIENDS, "incoming_count") == 1)
        await tab.wait_for(lambda c: any("sent you a friend request" in t for t in toasts(c)))

    await bob_tab1.call(FRIENDS, "accept", {"request_id": request_id_from(bob_tab1, ann_name)})
    await ann.wait_for(lambda c: usernames(c, "friends") == [bob_name])
    await ann.wait_for(lambda c: usernames(c, "outgoing") == [])
    await ann.wait_for(lambda c: any("is now your friend" in t for t in toasts(c)))
    await ann.wait_for(lambda c: c.var(FRIENDS, "search_relation") == "friend")
    for tab in (bob, bob_tab1, bob_tab2):
        await tab.wait_for(lambda c: usernames(c, "friends") == [ann_name])
        await tab.wait_for(lambda c: c.var(FRIENDS, "incoming_count") == 0)

    # Removal shows on both sides at once.
    await bob_tab2.call(FRIENDS, "remove_friend", {"user_id": find_id(ann_name, bob_tab2)})
    await ann.wait_for(lambda c: usernames(c, "friends") == [])
    await bob_tab1.wait_for(lambda c: usernames(c, "friends") == [])
    for tab in (ann, bob, bob_tab1, bob_tab2):
        await tab.close()


def find_id(username: str, client) -> int:
    friends = client.var(FRIENDS, "friends") or []
    return next(item["user_id"] for item in friends if item["username"] == username)


async def test_rejection_and_block_reach_the_other_side_live(backend_url):
    cat_name, dan_name = unique_username("cat"), unique_username("dan")
    cat = await register(backend_url, cat_name)
    dan = await register(backend_url, dan_name)
    dan_id = await find_user_id(cat, dan_name)
    await cat.call(FRIENDS, "send_request", {"user_id": dan_id})
    await dan.wait_for(lambda c: usernames(c, "incoming") == [cat_name])
    await dan.call(FRIENDS, "reject", {"request_id": request_id_from(dan, cat_name)})
    await dan.wait_for(lambda c: usernames(c, "incoming") == [])
    await cat.wait_for(lambda c: usernames(c, "outgoing") == [])
    await cat.wait_for(lambda c: any("declined your friend request" in t for t in toasts(c)))

    # Friends again, then Dan blocks Cat: Cat's list loses Dan, with no word of a block.
    await cat.call(FRIENDS, "send_request", {"user_id": dan_id})
    await dan.wait_for(lambda c: usernames(c, "incoming") == [cat_name])
    await dan.call(FRIENDS, "accept", {"request_id": request_id_from(dan, cat_name)})
    await cat.wait_for(lambda c: usernames(c, "friends") == [dan_name])
    await dan.wait_for(lambda c: usernames(c, "friends") == [cat_name])
    await cat.wait_for(lambda c: any("is now your friend" in t for t in toasts(c)))
    toasts_before = len(toasts(cat))
    await dan.call(FRIENDS, "block", {"user_id": find_id(cat_name, dan)})
    await cat.wait_for(lambda c: usernames(c, "friends") == [])
    await dan.wait_for(lambda c: usernames(c, "blocked") == [cat_name])
    assert len(toasts(cat)) == toasts_before
    assert "block" not in str(cat.frames[-3:]).lower()
    await cat.close()
    await dan.close()


async def test_forged_friend_actions_change_nothing(backend_url):
    eve = await register(backend_url, unique_username("eve"))
    fay_name = unique_username("fay")
    fay = await register(backend_url, fay_name)
    gus = await register(backend_url, unique_username("gus"))
    fay_id = await find_user_id(gus, fay_name)
    await gus.call(FRIENDS, "send_request", {"user_id": fay_id})
    await fay.wait_for(lambda c: c.var(FRIENDS, "incoming_count") == 1)
    request_id = request_id_from(fay, gus.var(AUTH, "username"))

    # Eve tries to accept Gus's request to Fay, and sends junk ids and types.
    for handler, payload in [
        ("accept", {"request_id": request_id}),
        ("reject", {"request_id": request_id}),
        ("cancel", {"request_id": request_id}),
        ("send_request", {"user_id": "1 OR 1=1"}),
        ("send_request", {"user_id": None}),
        ("block", {"user_id": [fay_id]}),
        ("remove_friend", {"user_id": fay_id}),
    ]:
        await eve.call(FRIENDS, handler, {**payload})
    # Ids of the wrong type never reach a handler (states/event_arguments.py): the four
    # well-typed calls are refused like any id of someone else's.
    await eve.wait_for(lambda c: len([t for t in toasts(c) if "no longer available" in t]) >= 4)
    assert usernames(eve, "friends") == []
    # Fresh tabs load from the database: the request is still there, untouched.
    fay_again = await open_chat(backend_url, session_token(fay))
    gus_again = await open_chat(backend_url, session_token(gus))
    await fay_again.wait_for(lambda c: c.var(FRIENDS, "incoming_count") == 1)
    await gus_again.wait_for(lambda c: usernames(c, "outgoing") == [fay_name])
    for tab in (eve, fay, gus, fay_again, gus_again):
        await tab.close()
