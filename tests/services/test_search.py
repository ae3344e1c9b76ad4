"""Message search: what it finds, in which order, and only what the viewer may read."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col

from chat_app.models import Conversation, Message
from chat_app.services import friends, group_members, groups, search, snippets
from chat_app.services.errors import NotFound, RateLimited, ValidationFailed
from chat_app.services.search_index import SEARCHED_KINDS
from chat_app.services.snippets import SnippetPart
from tests.support.groups import direct_chat, make_group, three_friends
from tests.support.users import send_text

pytestmark = pytest.mark.both_databases


@pytest.fixture
def people(session: Session) -> dict[str, int]:
    return three_friends(session)


chat = direct_chat


def found(session: Session, viewer: int, query: object, **kw) -> list[str]:
    """The texts of what `viewer` finds, newest first."""
    results = search.search_messages(session=session, viewer_id=viewer, query=query, **kw)
    return [line(hit) for hit in results.hits]


def line(hit: search.SearchHit) -> str:
    return "".join(part.text for part in hit.parts)


def test_a_word_is_found_anywhere_in_a_message_whatever_its_case(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    send_text(session, ann, direct, "The Report is ready")
    send_text(session, bob, direct, "nothing here")
    send_text(session, bob, direct, "see report.pdf")
    assert found(session, ann, "REPORT") == ["see report.pdf", "The Report is ready"]
    assert found(session, bob, "port") == ["see report.pdf", "The Report is ready"]
    assert found(session, ann, "absent") == []


def test_chinese_is_found_by_three_characters_and_by_one_or_two(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    send_text(session, ann, direct, "我们明天学习小组见")
    send_text(session, bob, direct, "好的")
    assert found(session, bob, "学习小组") == ["我们明天学习小组见"]
    assert found(session, bob, "明天") == ["我们明天学习小组见"]
    assert found(session, bob, "好") == ["好的"]
    assert found(session, bob, "明天 好") == []


def test_every_word_must_be_in_the_message(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    send_text(session, ann, direct, "lunch at noon")
    send_text(session, ann, direct, "lunch at one")
    assert found(session, bob, "lunch noon") == ["lunch at noon"]
    assert found(session, bob, "noon lunch") == ["lunch at noon"]
    # A short word (no index) only narrows what the long ones found.
    assert found(session, bob, "lunch on") == ["lunch at one", "lunch at noon"]
    assert found(session, bob, "lunch at") == ["lunch at one", "lunch at noon"]


def test_the_hit_shows_the_text_around_the_first_match(session, people):
    ann, bob = people["ann"], people["bob"]
    body = "x" * 60 + " the needle\nin " + "y" * 200
    send_text(session, ann, chat(session, ann, bob), body)
    (hit,) = search.search_messages(session=session, viewer_id=bob, query="NEEDLE").hits
    before, needle, after = hit.parts
    assert needle == SnippetPart("needle", marked=True)
    assert before == SnippetPart("…" + ("x" * 60 + " the ")[-snippets.BEFORE_MATCH :])
    assert after.text.startswith(" in yyy")
    assert after.text.endswith("…")
    assert not after.marked
    assert len(line(hit)) == snippets.SNIPPET_MAX + 2
    assert (hit.mine, hit.sender_name, hit.kind, hit.title) == (False, "Ann", "direct", "Ann")
    assert hit.seq == 1


def _shown(parts: tuple[SnippetPart, ...]) -> str:
    return "".join(f"[{part.text}]" if part.marked else part.text for part in parts)


def test_a_result_line_starts_with_the_message_or_between_two_words():
    # A word found near the start: the message from its start ("…ead can you approve").
    assert (
        _shown(snippets.snippet("@Lena Lead can you approve the budget?", ("budget",)))
        == "@Lena Lead can you approve the [budget]?"
    )
    # Further in: a little before it, from a word's start, and cut between two words.
    words = "word " * 40 + "target " + "more words here " * 20
    shown = _shown(snippets.snippet(words, ("target",)))
    assert shown.startswith("…word word word word [target] more")
    assert shown.endswith(" words…") or shown.endswith(" here…") or shown.endswith(" more…")
    # Chinese is twice as wide: 30 characters before the word are not "near the start".
    chinese = "中" * 30 + "熊猫" + "好" * 10
    assert _shown(snippets.snippet(chinese, ("熊猫",))) == "…" + "中" * 24 + "[熊猫]" + "好" * 10
    assert _shown(snippets.snippet("中" * 20 + "熊猫", ("熊猫",))) == "中" * 20 + "[熊猫]"


def test_every_occurrence_of_every_word_is_marked():
    marked = snippets.snippet("Lunch? lunch at noon, LUNCHBOX", ("lunch", "noon", "lunchbox"))
    assert [(part.text, part.marked) for part in marked] == [
        ("Lunch", True),
        ("? ", False),
        ("lunch", True),
        (" at ", False),
        ("noon", True),
        (", ", False),
        ("LUNCHBOX", True),  # the longer word wins where both match
    ]
    # Matched by the index's own case folding only: the line from its start, unmarked.
    assert snippets.snippet("x" * 200, ("y",)) == (SnippetPart("x" * 120 + "…"),)


def test_a_search_finds_only_what_the_viewer_may_read(session, people):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    send_text(session, ann, chat(session, ann, bob), "secret plan for bob")
    assert found(session, cat, "secret") == []
    group = make_group(session, ann, bob, name="Team")
    send_text(session, ann, group, "secret before cat joined")
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[cat])
    send_text(session, bob, group, "secret after cat joined")
    assert found(session, cat, "secret") == ["secret after cat joined"]
    group_members.remove_member(session=session, actor_id=ann, conversation_id=group, user_id=cat)
    send_text(session, ann, group, "secret after cat left")
    assert found(session, cat, "secret") == ["secret after cat joined"]
    # A group left and removed from the list is not searched either.
    groups.hide(session=session, viewer_id=cat, conversation_id=group)
    assert found(session, cat, "secret") == []
    assert found(session, bob, "secret") == [
        "secret after cat left",
        "secret after cat joined",
        "secret before cat joined",
        "secret plan for bob",
    ]


def test_messages_of_someone_in_a_block_are_not_found(session, people):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    group = make_group(session, ann, bob, cat)
    for sender in (ann, bob, cat):
        send_text(session, sender, group, f"hello from {sender}")
    friends.block_user(session=session, viewer_id=ann, target_id=bob)
    assert found(session, ann, "hello") == [f"hello from {cat}", f"hello from {ann}"]
    assert found(session, bob, "hello") == [f"hello from {cat}", f"hello from {bob}"]
    assert len(found(session, cat, "hello")) == 3


def test_a_group_is_named_and_its_records_are_not_searched(session, people):
    ann, bob = people["ann"], people["bob"]
    group = make_group(session, ann, bob, name="Study group 学习小组")
    assert found(session, bob, "Study") == []  # the creation's system line is a record
    send_text(session, ann, group, "study hard")
    (hit,) = search.search_messages(session=session, viewer_id=bob, query="study").hits
    assert (hit.kind, hit.title, hit.conversation_id) == ("group", "Study group 学习小组", group)


def test_wildcards_and_quotes_are_plain_characters(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    for body in ("100% sure", "100 sure", "a_b", "ab", 'say "hi" now', "say hi now"):
        send_text(session, ann, direct, body)
    assert found(session, bob, "%") == ["100% sure"]
    assert found(session, bob, "0%") == ["100% sure"]
    assert found(session, bob, "_") == ["a_b"]
    assert found(session, bob, '"hi"') == ['say "hi" now']
    assert found(session, bob, "\\") == []


def test_results_come_a_page_at_a_time_newest_first(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    for n in range(25):
        send_text(session, ann, direct, f"item {n:02d}")
    first = search.search_messages(session=session, viewer_id=bob, query="item")
    assert [hit.seq for hit in first.hits] == list(range(25, 5, -1))
    assert first.more
    rest = search.search_messages(
        session=session, viewer_id=bob, query="item", before_id=first.hits[-1].message_id
    )
    assert [hit.seq for hit in rest.hits] == [5, 4, 3, 2, 1]
    assert not rest.more


def test_short_words_alone_read_only_the_newest_messages(session, people, monkeypatch):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    for body in ("ok one", "ok two", "ok three"):
        send_text(session, ann, direct, body)
    whole = search.search_messages(session=session, viewer_id=bob, query="ok")
    assert (len(whole.hits), whole.shallow) == (3, False)
    monkeypatch.setattr(search, "SHORT_SCAN", 2)
    part = search.search_messages(session=session, viewer_id=bob, query="ok")
    assert ([line(hit) for hit in part.hits], part.shallow) == (["ok three", "ok two"], True)
    # A long word uses the index: every message, whatever SHORT_SCAN says.
    assert found(session, bob, "ok one") == ["ok one"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (None, "search_invalid"),
        (["report"], "search_invalid"),
        ("lone \ud800 surrogate", "search_invalid"),
        ("x" * (search.QUERY_MAX + 1), "search_too_long"),
        ("a b c d e f g", "search_too_many_words"),
    ],
)
def test_a_query_it_cannot_take_is_refused_with_a_reason(session, people, query, code):
    with pytest.raises(ValidationFailed) as refused:
        search.search_messages(session=session, viewer_id=people["ann"], query=query)
    assert refused.value.field_errors == {"query": code}


def test_a_blank_query_finds_nothing_and_a_forged_page_id_is_not_found(session, people):
    ann, bob = people["ann"], people["bob"]
    send_text(session, ann, chat(session, ann, bob), "anything")
    assert search.search_messages(session=session, viewer_id=bob, query="  \n ").hits == ()
    for forged in ("1", -1, True, 2**70):
        with pytest.raises(NotFound):
            search.search_messages(session=session, viewer_id=bob, query="any", before_id=forged)


def test_the_index_follows_deleted_and_changed_rows(session, people):
    ann, bob = people["ann"], people["bob"]
    direct = chat(session, ann, bob)
    gone = send_text(session, ann, direct, "remove me later").message.seq
    send_text(session, ann, direct, "keep me")
    connection = session.connection()
    table = Message.__table__  # type: ignore[attr-defined]
    place = sa.and_(table.c.conversation_id == direct, table.c.seq == gone)
    connection.execute(sa.update(table).where(place).values(body="changed text"))
    assert found(session, bob, "remove") == []
    assert found(session, bob, "changed") == ["changed text"]
    connection.execute(sa.delete(table).where(place))
    assert found(session, bob, "changed") == []
    assert found(session, bob, "keep") == ["keep me"]
    # A conversation deleted takes its messages with it (a cascade): out of the index too.
    conversations_table = Conversation.__table__  # type: ignore[attr-defined]
    connection.execute(sa.delete(conversations_table).where(conversations_table.c.id == direct))
    assert found(session, bob, "keep") == []
    if connection.dialect.name == "sqlite":
        # The index agrees with the messages (rank 1: checked against the content table;
        # without the delete trigger this raises "database disk image is malformed").
        connection.exec_driver_sql(
            "INSERT INTO message_search(message_search, rank) VALUES ('integrity-check', 1)"
        )


def test_a_user_searching_too_often_is_asked_to_wait():
    pace = search.SearchPace()
    for n in range(search.SEARCHES_PER_WINDOW):
        pace.check(1, now=100.0 + n * 0.01)
    with pytest.raises(RateLimited, match="too_many_searches"):
        pace.check(1, now=101.0)
    pace.check(2, now=101.0)  # another user is not held back
    pace.check(1, now=100.0 + search.PACE_WINDOW_SECONDS + 0.5)
    pace.check(3, now=1000.0)
    assert set(pace._times) == {3}  # quiet users are forgotten


def test_long_words_are_looked_up_in_the_index(session, people):
    ann, bob = people["ann"], people["bob"]
    send_text(session, ann, chat(session, ann, bob), "indexed words")
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        statement, _ = search._statement(session, bob, ("indexed", "wo"), ["indexed"], None, True)
        explain = "EXPLAIN QUERY PLAN"
        used = "VIRTUAL TABLE INDEX"
    else:
        # The words and kinds as the search states them, alone: the planner may read a
        # user's few conversations instead, but the partial trigram index must fit them.
        kinds = sa.select(col(Message.id)).where(col(Message.kind).in_(SEARCHED_KINDS))
        statement = search._containing(kinds, ["indexed"], ilike=True)
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        explain = "EXPLAIN"
        used = "ix_message_body_trgm"
    compiled = statement.compile(connection, compile_kwargs={"literal_binds": True})
    plan = " ".join(str(row) for row in connection.exec_driver_sql(f"{explain} {compiled}"))
    assert used in plan


def test_a_search_in_one_conversation_finds_only_there(session, people, monkeypatch):
    ann, bob, cat = people["ann"], people["bob"], people["cat"]
    with_bob, with_cat = chat(session, ann, bob), chat(session, ann, cat)
    for conversation in (with_bob, with_cat, with_bob):
        send_text(session, ann, conversation, f"plan ok {conversation}")
    assert len(found(session, ann, "plan")) == 3
    assert found(session, ann, "plan", conversation_id=with_cat) == [f"plan ok {with_cat}"]
    assert len(found(session, ann, "ok", conversation_id=with_bob)) == 2
    # A short word alone reads the conversation's own newest messages.
    monkeypatch.setattr(search, "SHORT_SCAN", 1)
    only = search.search_messages(
        session=session, viewer_id=ann, query="ok", conversation_id=with_bob
    )
    assert ([hit.seq for hit in only.hits], only.shallow) == ([2], True)
    # Another's conversation finds nothing, and cannot be named.
    assert found(session, cat, "plan", conversation_id=with_bob) == []
    assert search.scope_title(session=session, viewer_id=ann, conversation_id=with_bob) == "Bob"
    for forged in (with_bob, "1", 10**6):
        with pytest.raises(NotFound):
            search.scope_title(session=session, viewer_id=cat, conversation_id=forged)
