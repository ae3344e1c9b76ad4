"""A group's picture from an upload: who may set it, and what is stored or deleted."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlmodel import Session, select

from chat_app.models import Conversation, StoredFile
from chat_app.services import group_pictures
from chat_app.services.errors import Forbidden, NotFound, Refused
from chat_app.services.storage import LocalFileStorage
from tests.support.groups import events, make_admin, make_group, make_people, stored
from tests.support.images import png


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "private")


def _set(session: Session, storage, actor: int, group: object, data: bytes):
    return group_pictures.set_picture(
        session=session,
        actor_id=actor,
        conversation_id=group,
        source=io.BytesIO(data),
        name="p.png",
        storage=storage,
    )


def _picture(session: Session, group: int) -> str | None:
    session.rollback()
    return session.exec(select(Conversation.avatar_file_id).where(Conversation.id == group)).one()


def test_an_admin_sets_a_picture_and_the_replaced_one_is_deleted(session, storage):
    users = make_people(session, "ann bob", "ann-bob")
    group = make_group(session, users["ann"], users["bob"])
    make_admin(session, group, users["ann"], users["bob"])
    first = _set(session, storage, users["ann"], group, png(300, 200))
    assert first.event == "avatar"
    assert first.member_ids == (users["ann"], users["bob"])
    first_picture = _picture(session, group)
    assert first_picture is not None
    assert storage.path(f"{first_picture}-thumb").exists()  # type: ignore[union-attr]
    change = _set(session, storage, users["bob"], group, png(50, 50))
    assert change.storage_keys == (f"{first_picture}-thumb",)
    second_picture = _picture(session, group)
    assert second_picture not in (None, first_picture)
    assert session.get(StoredFile, first_picture) is None
    assert [e["event"] for e in events(session, group)][-2:] == ["avatar", "avatar"]


@pytest.mark.parametrize(
    ("who", "group_of", "error", "code", "data"),
    [
        ("bob", "group", Forbidden, "group_admins_only", png(20, 20)),
        ("cat", "group", NotFound, "conversation_gone", png(20, 20)),
        ("ann", "forged", NotFound, "conversation_gone", png(20, 20)),
        ("ann", "group", Refused, "avatar_not_image", b"plain text"),
        ("ann", "group", Refused, "file_empty", b""),
    ],
)
def test_a_refused_picture_stores_nothing(session, storage, who, group_of, error, code, data):
    users = make_people(session, "ann bob cat", "ann-bob ann-cat")
    group = make_group(session, users["ann"], users["bob"])
    before = stored(session)
    target = group if group_of == "group" else {"id": group}
    with pytest.raises(error) as raised:
        _set(session, storage, users[who], target, data)
    assert raised.value.code == code
    assert stored(session) == before
    assert not list(storage.root.glob("*-thumb"))
