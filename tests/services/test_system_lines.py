"""A group event's line in the timeline: in the reader's language, with today's names."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from chat_app.models import Message
from chat_app.services import group_members, groups, history
from chat_app.services.errors import NotFound
from chat_app.services.system_lines import preview_of, system_line, user_ids_in
from tests.support.groups import make_admin, make_group, make_people
from tests.support.users import send_text

NAMES = {1: "Ana", 2: "Li", 3: "Bo", 4: "Cy", 5: "Di", 6: "Ed"}


def line(language: str = "en", viewer: int | None = 9, **record: object) -> str:
    return system_line(json.dumps(record), language, NAMES.__getitem__, viewer)


@pytest.mark.parametrize(
    ("record", "english"),
    [
        ({"event": "created", "actor": 1, "users": [2], "name": "Team"},
         "Ana created the group “Team” with Li"),
        ({"event": "added", "actor": 1, "users": [2, 3]}, "Ana added Li and Bo"),
        ({"event": "removed", "actor": 1, "users": [2]}, "Ana removed Li"),
        ({"event": "left", "actor": 2, "users": [2]}, "Li left the group"),
        ({"event": "renamed", "actor": 1, "name": "家"}, "Ana renamed the group to “家”"),
        ({"event": "avatar", "actor": 1}, "Ana changed the group's picture"),
        ({"event": "role", "actor": 1, "users": [2], "role": "admin"}, "Ana made Li an admin"),
        ({"event": "role", "actor": 1, "users": [2], "role": "member"},
         "Ana removed Li as admin"),
        ({"event": "owner", "actor": 1, "users": [2]},
         "Ana handed ownership of the group to Li"),
    ],
)  # fmt: skip
def test_every_event_reads_as_a_sentence(record: dict[str, object], english: str):
    assert line(**record) == english  # type: ignore[arg-type]


def test_the_reader_is_you_and_the_line_is_in_their_language():
    assert line(viewer=1, event="added", actor=1, users=[2]) == "You added Li"
    assert line(viewer=2, event="added", actor=1, users=[2]) == "Ana added you"
    assert line("zh", viewer=2, event="added", actor=1, users=[2, 3]) == "Ana邀请你和Bo加入了群聊"
    assert line("zh", event="left", actor=2, users=[2]) == "Li退出了群聊"


def test_long_lists_name_three_and_count_the_rest():
    assert line(event="added", actor=1, users=[2, 3, 4]) == "Ana added Li, Bo and Cy"
    assert line(event="added", actor=1, users=[2, 3, 4, 5, 6]) == "Ana added Li, Bo, Cy and 2 more"
    many = line("zh", event="added", actor=1, users=[2, 3, 4, 5, 6])
    assert many == "Ana邀请Li、Bo、Cy及其他 2 人加入了群聊"


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[1, 2]",
        json.dumps({"event": "added"}),
        json.dumps({"event": "exploded", "actor": 1}),
        json.dumps({"event": "added", "actor": "1", "users": [2]}),
    ],
)
def test_a_body_it_cannot_read_gives_a_neutral_line(body: str):
    assert system_line(body, "en", NAMES.__getitem__, 1) == "The group was changed"
    assert system_line(body, "zh", NAMES.__getitem__, 1) == "群聊信息已更改"


def test_names_and_group_names_stay_literal_text():
    # Braces or Reflex's var marker in a name are shown as typed, never interpreted.
    names = {1: "{actor}", 2: "<reflex.Var>{x}</reflex.Var>"}
    body = json.dumps({"event": "renamed", "actor": 1, "name": "{users} {0}"})
    assert system_line(body, "en", names.__getitem__, None) == (
        "{actor} renamed the group to “{users} {0}”"
    )
    body = json.dumps({"event": "added", "actor": 1, "users": [2, "3", True]})
    assert system_line(body, "en", names.__getitem__, None) == (
        "{actor} added <reflex.Var>{x}</reflex.Var>"
    )


def test_the_users_to_look_up_are_the_actor_and_the_named_ones():
    assert user_ids_in(json.dumps({"event": "added", "actor": 1, "users": [2, 3]})) == {1, 2, 3}
    assert user_ids_in("garbage") == set()


def test_what_the_group_services_store_reads_back(session):
    people = make_people(session, "ann bob cat", "ann-bob ann-cat bob-cat")
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, name="Crew")
    make_admin(session, group, ann, bob)
    group_members.add_members(session=session, actor_id=bob, conversation_id=group, user_ids=[cat])
    groups.rename(session=session, actor_id=ann, conversation_id=group, name="Crew 2")
    group_members.leave(session=session, actor_id=cat, conversation_id=group)
    names = {ann: "Ann", bob: "Bob", cat: "Cat"}
    bodies = session.exec(
        select(Message.body)
        .where(Message.conversation_id == group, Message.kind == "system")
        .order_by(col(Message.seq))
    ).all()
    assert [system_line(body, "en", names.__getitem__, bob) for body in bodies] == [
        "Ann created the group “Crew” with you",
        "Ann made you an admin",
        "You added Cat",
        "Ann renamed the group to “Crew 2”",
        "Cat left the group",
    ]


def _events(session, viewer: int, group: object, seqs: object) -> list[tuple[int, str]]:
    """(seq, event) of the records a tab of `viewer` gets back to write its lines again."""
    found = history.system_records(
        session=session, viewer_id=viewer, conversation_id=group, seqs=seqs
    )
    assert all(view.kind == "system" for view in found)
    return [(view.seq, json.loads(view.body)["event"]) for view in found]


def test_a_tab_reads_back_the_records_of_the_lines_its_reader_may_see(session):
    people = make_people(session, "ann bob cat dan", "ann-bob ann-cat bob-cat")
    ann, bob, cat, dan = people["ann"], people["bob"], people["cat"], people["dan"]
    group = make_group(session, ann, bob, name="Crew")  # 1 created
    send_text(session, bob, group, "hello")  # 2
    group_members.add_members(  # 3 added
        session=session, actor_id=ann, conversation_id=group, user_ids=[cat]
    )
    group_members.leave(session=session, actor_id=bob, conversation_id=group)  # 4 left
    groups.rename(session=session, actor_id=ann, conversation_id=group, name="Crew 2")  # 5
    every = [1, 2, 3, 4, 5, 6, 99]

    # Only system messages, oldest first, whatever order the seqs come in.
    expected = [(1, "created"), (3, "added"), (4, "left"), (5, "renamed")]
    assert _events(session, ann, group, list(reversed(every))) == expected
    # A departed member: their lines up to their leaving, nothing after.
    assert _events(session, bob, group, every) == [(1, "created"), (3, "added"), (4, "left")]
    # A later member: from the line that added them on.
    assert _events(session, cat, group, every) == [(3, "added"), (4, "left"), (5, "renamed")]
    assert _events(session, ann, group, []) == []

    # An outsider, a forged conversation or malformed seqs: NotFound, nothing read.
    forged_calls: list[tuple[int, object, object]] = [
        (dan, group, [1]),
        (ann, group + 1000, [1]),
        (ann, str(group), [1]),
        (ann, True, [1]),
        (ann, group, "1"),
        (ann, group, [True]),
        (ann, group, [0]),
        (ann, group, ["1"]),
        (ann, group, [10**30]),
        (ann, group, {1: 1}),
        (ann, group, None),
        (ann, group, list(range(1, history.MOST_SEQS + 2))),
    ]
    for viewer, conversation, seqs in forged_calls:
        with pytest.raises(NotFound):
            history.system_records(
                session=session, viewer_id=viewer, conversation_id=conversation, seqs=seqs
            )


@pytest.mark.parametrize(
    ("record", "english", "chinese"),
    [
        ({"event": "created", "actor": 1, "users": list(range(2, 300)), "name": "Team"},
         "Group “Team” created", "群聊“Team”已创建"),
        ({"event": "added", "actor": 1, "users": [2, 3]}, "New members added", "有新成员加入"),
        ({"event": "removed", "actor": 1, "users": [2]}, "A member was removed",
         "有成员被移出群聊"),
        ({"event": "left", "actor": 2, "users": [2]}, "A member left", "有成员退出了群聊"),
        ({"event": "renamed", "actor": 1, "name": "{0} 家"}, "Group renamed to “{0} 家”",
         "群名已改为“{0} 家”"),
        ({"event": "avatar", "actor": 1}, "New group picture", "群头像已更换"),
        ({"event": "role", "actor": 1, "users": [2], "role": "admin"}, "Admins changed",
         "群管理员有变动"),
        ({"event": "owner", "actor": 1, "users": [2]}, "New group owner", "群主已转让"),
        ({"event": "exploded", "actor": 1}, "Group updated", "群聊有更新"),
    ],
)  # fmt: skip
def test_a_chat_row_previews_a_group_event_naming_no_one(record, english, chinese):
    body = json.dumps(record)
    assert (preview_of(body, "en"), preview_of(body, "zh")) == (english, chinese)


@pytest.mark.parametrize(
    ("record", "english", "chinese"),
    [
        ({"event": "added", "actor": 1, "users": [2, 7]}, "You were added to the group",
         "你被邀请加入了群聊"),
        ({"event": "removed", "actor": 1, "users": [7]}, "You were removed from the group",
         "你被移出了群聊"),
        ({"event": "removed", "actor": 7, "users": [2]}, "A member was removed",
         "有成员被移出群聊"),
        ({"event": "left", "actor": 7, "users": [7]}, "A member left", "有成员退出了群聊"),
        ({"event": "role", "actor": 1, "users": [7], "role": "admin"}, "Admins changed",
         "群管理员有变动"),
    ],
)  # fmt: skip
def test_a_row_says_you_to_the_member_an_addition_or_removal_names(record, english, chinese):
    body = json.dumps(record)
    assert (preview_of(body, "en", 7), preview_of(body, "zh", 7)) == (english, chinese)


@pytest.mark.parametrize("body", ["", "not json", "[1]", json.dumps({"event": ["added"]})])
def test_an_unreadable_event_previews_as_an_update(body):
    assert preview_of(body, "en") == "Group updated"
