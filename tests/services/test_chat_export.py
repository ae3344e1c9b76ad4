"""A chat's export: what the archive holds for whom, safe to open, paced, flat in memory."""

from __future__ import annotations

import io
import json
import tracemalloc
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlmodel import Session

from chat_app.models import utc_now
from chat_app.services import (
    chat_export,
    file_uploads,
    friends,
    group_members,
    message_deletion,
    message_edits,
    reactions,
    sending,
)
from chat_app.services.errors import NotFound, RateLimited
from chat_app.services.export_pages import archive_name, archive_path
from chat_app.services.storage import LocalFileStorage
from chat_app.settings import load_settings
from tests.support.groups import direct_chat, make_group, make_people, three_friends
from tests.support.images import png
from tests.support.long_chat import long_direct_chat
from tests.support.users import UNLIMITED, send_text


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "private")


def export(
    session: Session, storage, viewer: int, conversation: int, language: str = "en"
) -> zipfile.ZipFile:
    plan = chat_export.plan_export(
        session=session, viewer_id=viewer, conversation_id=conversation, language=language
    )
    data = b"".join(chat_export.export_chunks(plan, storage))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    return archive


def messages_of(archive: zipfile.ZipFile) -> list[dict]:
    return json.loads(archive.read("messages.json"))["messages"]


def page_of(archive: zipfile.ZipFile) -> str:
    return archive.read("index.html").decode()


def send_file(session, storage, tmp_path, sender: int, conversation: int, name: str, data: bytes):
    settings = load_settings({"CHAT_DATA_DIR": str(tmp_path), "CHAT_MESSAGE_RATE_COUNT": "1000"})
    return file_uploads.send_file(
        session=session,
        viewer_id=sender,
        conversation_id=conversation,
        client_id=uuid.uuid4().hex,
        source=io.BytesIO(data),
        name=name,
        settings=settings,
        storage=storage,
    )


@pytest.mark.both_databases
def test_a_direct_chat_exports_as_data_a_page_and_its_files(session, storage, tmp_path):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    direct = direct_chat(session, ann, bob)
    send_text(session, ann, direct, "hello <script>alert(1)</script> & bye\nsecond line")
    typo = sending.send_message(
        session=session,
        viewer_id=bob,
        conversation_id=direct,
        client_id=uuid.uuid4().hex,
        body="see you tomorow",
        settings=UNLIMITED,
        reply_to=1,
    )
    message_edits.edit_message(
        session=session,
        viewer_id=bob,
        conversation_id=direct,
        seq=typo.message.seq,
        body="see you tomorrow",
    )
    gone = send_text(session, ann, direct, "my card number is 1234")
    message_deletion.delete_for_everyone(
        session=session,
        storage=storage,
        viewer_id=ann,
        conversation_id=direct,
        seq=gone.message.seq,
    )
    picture = send_file(session, storage, tmp_path, bob, direct, "beach #1.png", png(40, 30))
    send_file(session, storage, tmp_path, ann, direct, "../../report.pdf", b"%PDF-1.4 x")
    reactions.toggle_reaction(
        session=session,
        viewer_id=ann,
        conversation_id=direct,
        seq=picture.message.seq,
        emoji="❤️",
    )

    archive = export(session, storage, bob, direct)

    records = messages_of(archive)
    assert [r["seq"] for r in records] == [1, 2, 3, 4, 5]
    assert records[0]["text"] == "hello <script>alert(1)</script> & bye\nsecond line"
    assert records[0]["sender"] == {"id": ann, "name": "Ann"}
    assert records[1]["text"] == "see you tomorrow"
    assert records[1]["edited_at"]
    assert records[2]["deleted"]
    assert records[2]["text"] == ""
    assert records[3]["file"]["path"] == "files/000004-beach #1.png"
    assert records[3]["reactions"] == {"❤️": 1}
    assert records[4]["file"]["path"] == "files/000005-report.pdf"
    assert archive.read("files/000004-beach #1.png") == png(40, 30)
    assert archive.read("files/000005-report.pdf") == b"%PDF-1.4 x"
    assert sorted(archive.namelist()) == [
        "files/000004-beach #1.png",
        "files/000005-report.pdf",
        "index.html",
        "messages.json",
    ]
    page = page_of(archive)
    assert "<script" not in page.lower()
    assert "hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; bye\nsecond line" in page
    assert 'src="files/000004-beach%20%231.png"' in page
    assert "This message was deleted" in page
    assert "edited" in page
    assert "Content-Security-Policy" in page
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert b"1234" not in everything


@pytest.mark.both_databases
def test_a_group_member_exports_only_their_membership_in_their_language(session, storage):
    people = make_people(session, "ann bob cat dan", "ann-bob ann-cat ann-dan bob-dan")
    ann, bob, cat, dan = people["ann"], people["bob"], people["cat"], people["dan"]
    group = make_group(session, ann, bob)
    send_text(session, ann, group, "before cat")
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[cat])
    send_text(session, bob, group, "welcome cat")
    group_members.leave(session=session, actor_id=cat, conversation_id=group)
    send_text(session, ann, group, "after cat left")
    friends.block_user(session=session, viewer_id=dan, target_id=bob)
    group_members.add_members(session=session, actor_id=ann, conversation_id=group, user_ids=[dan])
    send_text(session, bob, group, "hello dan")

    texts = [r["text"] for r in messages_of(export(session, storage, cat, group, "zh"))]
    assert "before cat" not in texts
    assert "after cat left" not in texts
    assert "welcome cat" in texts
    assert any("你" in line for line in texts[:1])  # "ann added you": the system line in Chinese

    for_dan = messages_of(export(session, storage, dan, group))
    said = [r for r in for_dan if r["kind"] == "text"]
    assert [r["text"] for r in said] == ["hello dan"]
    assert said[0]["sender"]["name"] == "bob"  # the username: in a block with dan


@pytest.mark.both_databases
def test_nobody_exports_a_chat_they_cannot_read(session):
    people = three_friends(session)
    direct = direct_chat(session, people["ann"], people["bob"])
    for conversation in (direct, 999_999, "1 OR 1=1", -1, None):
        with pytest.raises(NotFound):
            chat_export.start_export(
                session=session, viewer_id=people["cat"], conversation_id=conversation
            )
        with pytest.raises(NotFound):
            chat_export.plan_export(
                session=session,
                viewer_id=people["cat"],
                conversation_id=conversation,
                language="en",
            )


def test_exports_are_paced_per_user(session):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    direct = direct_chat(session, ann, bob)
    for _ in range(chat_export.EXPORTS_PER_HOUR):
        assert chat_export.start_export(session=session, viewer_id=ann, conversation_id=direct)
    with pytest.raises(RateLimited) as refused:
        chat_export.start_export(session=session, viewer_id=ann, conversation_id=direct)
    assert refused.value.code == "too_many_exports"
    assert chat_export.start_export(session=session, viewer_id=bob, conversation_id=direct)


def test_a_file_whose_bytes_are_gone_is_left_out_and_the_archive_still_opens(
    session, storage, tmp_path
):
    people = three_friends(session)
    ann, bob = people["ann"], people["bob"]
    direct = direct_chat(session, ann, bob)
    sent = send_file(session, storage, tmp_path, ann, direct, "notes.txt", b"notes")
    for stored in storage.root.rglob("*"):
        if stored.is_file():
            stored.unlink()
    archive = export(session, storage, bob, direct)
    assert archive.namelist() == ["messages.json", "index.html"]
    assert messages_of(archive)[0]["file"]["name"] == "notes.txt"
    assert sent.message.seq == 1


def test_names_in_the_archive_cannot_leave_its_folders():
    assert archive_path(7, "../../etc/passwd") == "files/000007-_.._etc_passwd"
    assert archive_path(7, "...") == "files/000007-file"
    assert archive_path(7, 'a:b*c?"d<e>f|g\x00h\\i') == "files/000007-a_b_c__d_e_f_g_h_i"
    assert len(archive_path(7, "x" * 300)) == len("files/000007-") + 100
    moment = utc_now()
    assert archive_name("Team/Plans", moment) == f"Team_Plans {moment:%Y-%m-%d}.zip"


def _peak_while_exporting(session, storage, viewer: int, conversation: int) -> tuple[int, int]:
    plan = chat_export.plan_export(
        session=session, viewer_id=viewer, conversation_id=conversation, language="en"
    )
    written = 0
    tracemalloc.start()
    try:
        for piece in chat_export.export_chunks(plan, storage):
            written += len(piece)
        return tracemalloc.get_traced_memory()[1], written
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_however_long_the_chat(engine, storage):
    """Four times the messages, about the same peak: one batch is held at a time."""
    peaks = []
    for messages, names in ((2 * chat_export.BATCH, "ann bob"), (8 * chat_export.BATCH, "cat dan")):
        with Session(engine, expire_on_commit=False) as session:
            viewer, conversation = long_direct_chat(session, messages, names)
            peaks.append(_peak_while_exporting(session, storage, viewer, conversation))
    (short_peak, short_written), (long_peak, long_written) = peaks
    assert long_written > 3 * short_written
    assert long_peak < short_peak * 1.5
