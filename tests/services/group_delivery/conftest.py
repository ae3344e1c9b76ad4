"""The people and the group every test of delivery in groups starts from."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from tests.support.groups import make_group, make_people


@pytest.fixture
def users(session: Session) -> dict[str, int]:
    """ann is friends with bob, cat and dan; bob with cat; eve is nobody's friend."""
    return make_people(session, "ann bob cat dan eve", "ann-bob ann-cat ann-dan bob-cat")


@pytest.fixture
def group(session: Session, users: dict[str, int]) -> int:
    """ann's group with bob and cat (seq 1: "created")."""
    return make_group(session, users["ann"], users["bob"], users["cat"])
