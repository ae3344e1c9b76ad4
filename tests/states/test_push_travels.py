"""Every change a state pushes can travel to the worker holding the tab's socket.

With several workers a push is handed, pickled, to the worker that holds the tab's socket
(realtime/push_relay.py). A change that does not pickle is applied where it was queued, and
its update may then reach the tab out of order: each push the states make must pickle,
and come back as the same function with the same data.
"""

from __future__ import annotations

import functools
import pickle
from typing import Any

import pytest
import reflex as rx

from chat_app.realtime.push import _Queued
from chat_app.services.group_views import GroupChange
from chat_app.services.people_views import Notice
from chat_app.services.read_views import ReadReceipt
from chat_app.services.views import MessageView
from chat_app.states import (
    auth,
    chat_list,
    chime,
    composer,
    friends,
    group_changes,
    group_reads,
    group_timeline,
    group_typing,
    message_push,
    mute,
    presence,
    read_receipts,
)
from chat_app.states.mention_notices import MUTED_MENTION

MESSAGE = MessageView(seq=3, sender_id=1, client_id="c-1", body="hi", sent_at="now")

CHANGES: dict[str, Any] = {
    "message to the recipients": message_push._message_arrived(
        MESSAGE, 7, "Ann", chime.ChimeRound()
    ),
    "message to the sender's other tabs": message_push._message_arrived(MESSAGE, 7, "Ann", None),
    "mention in a muted chat": message_push._message_arrived(
        MESSAGE, 7, "Ann", chime.ChimeRound(), MUTED_MENTION
    ),
    "mute on the user's other tabs": mute._mute_changed(1, 7, True),
    "typing": composer._typing_changed(7, True),
    "presence": presence._changes_setter({2: (True, "")}),
    "sound setting": chime._setting_changed(1, False),
    "read receipt": read_receipts._receipt_arrived(ReadReceipt(7, 1, 2, 3), True),
    "read what is shown": functools.partial(read_receipts._read_if_looking, True, "sid-1"),
    "session ended": auth._clear_ended_session,
    "new group": chat_list.group_created(12),
    "a block made or lifted": group_timeline.blocks_changed((1, 2)),
    # Groups: typing and "read by" (slice c).
    "group typing": functools.partial(group_typing._typers_changed, 7, ((2, "Ann"),), (3,)),
    "group typing shown later": group_typing._refresh_typers,
    "group reads moved": functools.partial(group_reads._reads_moved, 7, 12),
    "group reads shown later": group_reads._refresh_reads,
    "group change": group_changes.group_changed(
        GroupChange(12, "removed", (1, 2), (3,), (MESSAGE,), ("k-thumb",)), "Ann", "Team"
    ),
}


def travelled(change: Any) -> Any:
    queued = _Queued(rx.State, change, ())
    back = pickle.loads(pickle.dumps(queued, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
    assert back.state_cls is rx.State
    return back.change


@pytest.mark.parametrize("name", CHANGES)
def test_a_push_arrives_as_the_same_function_with_the_same_data(name: str):
    change = CHANGES[name]
    back = travelled(change)
    if isinstance(change, functools.partial):
        assert back.func is change.func
        assert [type(arg) for arg in back.args] == [type(arg) for arg in change.args]
        plain = [arg for arg in change.args if not isinstance(arg, chime.ChimeRound)]
        assert [arg for arg in back.args if not isinstance(arg, chime.ChimeRound)] == plain
    else:
        assert back is change


def test_a_sound_round_starts_afresh_on_the_other_worker():
    # Its seats are futures of this event loop; which tab plays is decided in Redis anyway.
    change = CHANGES["message to the recipients"]
    round_here = change.args[-1]
    round_here._seats[1] = object()
    assert travelled(change).args[-1]._seats == {}


def test_the_friend_pane_push_keeps_its_user_and_notices_and_reads_the_pane_afresh():
    notices = [Notice(1, "notice_request_received", "Ann")]
    change = friends._snapshot_setter(1, notices)
    back = travelled(change)
    assert (back._viewer_id, back._notices) == (1, tuple(notices))
    assert back._snapshot is None
    assert isinstance(back._chime, chime.ChimeRound)
