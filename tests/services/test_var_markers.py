"""Names never carry Reflex's Var marker: nicknames refuse it, file names neutralise it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from chat_app.models import User
from chat_app.services import auth, file_inspection, validation
from chat_app.services.errors import ValidationFailed

OPEN, CLOSE = validation.VAR_MARKER_TAGS
MARKER_NICKNAMES = [
    "<reflex.Var>x</reflex.Var>",
    "<reflex.Var>1</reflex.Var>",
    "Ann <reflex.Var>",
    "</reflex.Var>",
    "<REFLEX.var>x",
    "<reflex.State>",
]


@pytest.mark.parametrize("nickname", MARKER_NICKNAMES)
def test_a_nickname_with_the_marker_is_refused_like_any_invalid_one(
    session: Session, nickname: str
):
    assert validation.check_nickname(nickname) == "nickname_invalid"
    with pytest.raises(ValidationFailed) as raised:
        auth.register(
            session=session,
            username="mal",
            nickname=nickname,
            password="correct horse",
            password_confirm="correct horse",
        )
    assert raised.value.field_errors == {"nickname": "nickname_invalid"}
    assert session.exec(select(func.count()).select_from(User)).one() == 0


@pytest.mark.parametrize("nickname", ["Reflex fan", "a < b > c", "reflex.Var", "<b>Ann</b>"])
def test_nicknames_near_the_marker_stay_valid(nickname: str):
    assert validation.check_nickname(nickname) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a<reflex.Var>x</reflex.Var>.png", "reflex.Var>.png"),  # "/" splits the path
        ("<reflex.Var>1.txt", "\uff1creflex.Var\uff1e1.txt"),
        ("C:\\up\\<reflex.Var>y.pdf", "\uff1creflex.Var\uff1ey.pdf"),
        ("<b>bold</b>.html", "b>.html"),
        ("x <reflex.State> y.txt", "x <reflex.State> y.txt"),
    ],
)
def test_file_display_names_never_hold_the_marker(name: str, expected: str):
    assert file_inspection.display_name(name) == expected


_near_markers = st.lists(
    st.sampled_from([OPEN, CLOSE, "<", ">", "reflex.Var", "/", "x", "1", "\uff1c"]), max_size=12
).map("".join)


@given(st.one_of(_near_markers, st.text(max_size=40)))
def test_neutralising_removes_every_tag_keeps_the_length_and_is_idempotent(text: str):
    neutral = validation.neutralize_var_markers(text)
    assert OPEN not in neutral
    assert CLOSE not in neutral
    assert len(neutral) == len(text)
    assert validation.neutralize_var_markers(neutral) == neutral
    assert OPEN not in file_inspection.display_name(text)
