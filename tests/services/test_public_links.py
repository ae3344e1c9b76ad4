"""Links handed to people use the configured public address, else the asking page's origin."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chat_app.services import public_links
from chat_app.settings import SETTINGS


def test_the_configured_public_address_wins_over_the_page_origin():
    settings = replace(SETTINGS, public_url="https://chat.example.org/team")
    link = public_links.link("/invite/abc", origin="http://10.0.0.5:3000", settings=settings)
    assert link == "https://chat.example.org/team/invite/abc"


def test_without_a_public_address_the_page_origin_is_used_or_the_bare_path():
    settings = replace(SETTINGS, public_url="")
    origin = public_links.page_origin("http://10.0.0.5:3000/admin?x=1#y")
    assert public_links.link("/reset/t", origin=origin, settings=settings) == (
        "http://10.0.0.5:3000/reset/t"
    )
    assert public_links.link("/reset/t", settings=settings) == "/reset/t"


@pytest.mark.parametrize(
    "url", ["", None, 5, "javascript:alert(1)", "ftp://x/y", "http://", "http://a@evil/x"]
)
def test_an_unusable_page_address_gives_no_origin(url):
    assert public_links.page_origin(url) == ""
