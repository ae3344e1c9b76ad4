"""A round placeholder avatar with the first letter of the nickname."""

from __future__ import annotations

import reflex as rx
from reflex_base.vars.base import Var


def avatar(nickname: Var[str] | str, size: str = "3") -> rx.Component:
    """The user's initial in a circle (real pictures come with file uploads)."""
    return rx.avatar(fallback=Var.create(nickname).to(str)[0], size=size, radius="full")  # type: ignore[arg-type]
