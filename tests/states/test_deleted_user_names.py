"""A deleted account reads "Deleted user" where the others still see its messages."""

from __future__ import annotations

import json

from sqlmodel import Session

from chat_app.components.name_text import name_text
from chat_app.services import account_status
from chat_app.states.ui import UiState
from tests.support.accounts import make_admin_user
from tests.support.groups import make_group
from tests.support.tabs import named_tabs, run
from tests.support.users import make_friends, send_text


async def test_a_group_names_a_deleted_member_deleted_user(tab_factory, engine):
    (ann, ann_id), (_bob, bob_id), (_cat, cat_id) = await named_tabs(
        tab_factory, "ann", "bob", "cat"
    )
    with Session(engine) as db:
        admin = make_admin_user(db, "root")
        for friend in (bob_id, cat_id):
            make_friends(db, ann_id, friend)
        group = make_group(db, ann_id, bob_id, cat_id)
        send_text(db, bob_id, group, "from bob")
        account_status.delete_account(session=db, actor_id=admin, target_id=bob_id)
    for language, name in (("en", "Deleted user"), ("zh", "已注销用户")):
        (await ann.get_state(UiState)).language = language
        await run(ann.open_conversation, group)
        lines = [m.body for m in [*ann._buffer().window] if m.kind == "system"]
        assert lines[-1].startswith(name)
        texts = [m.body for m in ann._buffer().window if m.kind == "text"]
        assert texts == ["from bob"]


def test_an_empty_name_is_shown_as_deleted_user_but_a_preview_line_is_not():
    person = str(name_text(""))
    assert "deleted_user" not in person  # the texts themselves, in both languages
    assert "Deleted user" in person
    assert json.dumps("已注销用户")[1:-1] in person
    line = str(name_text("", person=False))
    assert "Deleted user" not in line
