"""Nothing acknowledged is lost across a backend crash; a push costs the same at any history."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

from tests.realtime.conftest import FAST_SENDING
from tests.realtime.helpers import (
    OPEN_FRIEND_KEY,
    TOKEN_KEY,
    befriend,
    open_chat,
    open_conversation,
    register,
    send_text,
    session_token,
    shown,
    shown_seqs,
    unique_username,
)
from tests.support.event_client import EventClient
from tests.support.history import seed_history
from tests.support.live_app import REFLEX, free_port, migrated_environment, server_process


async def test_acknowledged_messages_survive_a_backend_kill(tmp_path: Path):
    env, log = migrated_environment(tmp_path)
    env.update(FAST_SENDING)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    args = [REFLEX, "run", "--env", "prod", "--backend-only"]
    args += ["--backend-host", "127.0.0.1", "--backend-port", str(port)]

    with server_process(args, f"{url}/ping", env, log) as process:
        ann = await register(url, unique_username("ann"))
        bob = await register(url, unique_username("bob"))
        ann_id, bob_id = await befriend(ann, bob)
        bob_tab = await open_chat(url, session_token(bob))
        await open_conversation(ann, bob_id)
        await open_conversation(bob_tab, ann_id)
        for n in range(30):
            await send_text(ann, f"kept {n}")
        await ann.wait_for(
            lambda c: shown_seqs(c)[-1:] == [30] and shown(c)[-1]["status"] == "sent"
        )
        acknowledged = {m["seq"]: m["body"] for m in shown(ann) if m["status"] == "sent"}
        os.killpg(process.pid, signal.SIGKILL)  # a crash: no shutdown, no flush
        process.wait()

    with server_process(args, f"{url}/ping", env, log):
        # The tab comes back with what the browser kept: its token and the open chat, here
        # as the version before conversation ids kept it (the friend's id).
        bob_again = EventClient(
            url,
            local_storage={
                TOKEN_KEY: session_token(bob_tab),
                OPEN_FRIEND_KEY: str(ann_id),
            },
        )
        await bob_again.connect("/")
        await bob_again.wait_for(lambda c: shown_seqs(c)[-1:] == [30], timeout=20)
        shown_now = {m["seq"]: m["body"] for m in shown(bob_again)}
        assert {seq: shown_now.get(seq) for seq in acknowledged} == acknowledged
        assert shown_seqs(bob_again) == sorted(set(shown_seqs(bob_again)))
        await bob_again.close()


async def push_for_one_message(backend, history: int) -> str:
    ann = await register(backend.url, unique_username("ann"))
    bob = await register(backend.url, unique_username("bob"))
    ann_id, bob_id = await befriend(ann, bob)
    seed_history(backend.database_url, ann_id, bob_id, history)
    await open_conversation(ann, bob_id)
    await open_conversation(bob, ann_id)
    await bob.wait_for(lambda c: shown_seqs(c)[-1:] == [history])
    bob.frames.clear()
    await send_text(ann, "the same short message")
    await bob.wait_for(lambda c: shown_seqs(c)[-1:] == [history + 1])
    (frame,) = [f for f in bob.frames if "the same short message" in f]
    for tab in (ann, bob):
        await tab.close()
    return frame


async def test_a_new_message_push_does_not_grow_with_history(backend):
    frame = await push_for_one_message(backend, 10)
    small = len(frame.encode())
    large = len((await push_for_one_message(backend, 2000)).encode())
    # The time goes twice (the bubble, the chat row's last line), each to the second in UTC:
    # isoformat()'s microseconds and "+00:00" were 24 bytes more per frame.
    assert len(re.findall(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"', frame)) == 2, frame
    # Only the digits of seq and user ids may differ.
    assert abs(large - small) <= 16, (small, large)
    assert large < 1500
    print(f"push frame for one new message: {small} B at 10, {large} B at 2,000 of history")
