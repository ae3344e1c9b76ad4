"""A round avatar: the user's picture, or the first letter of the nickname."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex_base.vars.base import Var


def avatar(nickname: Var[str] | str, size: str = "3", src: Any = "") -> rx.Component:
    """The picture when `src` (a signed link relative to /_upload/) is set, else the initial."""
    source = Var.create(src).to(str)
    return rx.avatar(
        src=rx.cond(source != "", rx.get_upload_url(source), ""),
        fallback=Var.create(nickname).to(str)[0],  # type: ignore[arg-type]
        size=size,  # type: ignore[arg-type]
        radius="full",
    )


def avatar_with_corner(
    nickname: Var[str] | str, src: Any = "", corner: rx.Component | None = None
) -> rx.Component:
    """`avatar` with `corner` (a presence dot) on its lower right corner.

    Args:
        nickname: Whose initial shows without a picture.
        src: The picture's signed link ("" for none).
        corner: What sits on the corner (None: nothing).

    Returns:
        The avatar in a box that does not shrink in a row.
    """
    return rx.box(
        avatar(nickname, src=src),
        rx.box(corner, position="absolute", right="0", bottom="0")
        if corner is not None
        else rx.fragment(),
        position="relative",
        flex_shrink="0",
    )
