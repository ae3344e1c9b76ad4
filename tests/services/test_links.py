"""Web addresses in a message become links; everything else stays the text it was."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_app.services.links import MAX_LINKS, TextPart, link_parts
from chat_app.services.views import MessageView


def links(body: str) -> list[tuple[str, str]]:
    return [(part.text, part.href) for part in link_parts(body) if part.href]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("see https://example.com/a?b=1&c=2#d now", [("https://example.com/a?b=1&c=2#d",) * 2]),
        ("http://lan-box:3000/chat", [("http://lan-box:3000/chat",) * 2]),
        ("www.example.org", [("www.example.org", "https://www.example.org")]),
        # The sentence's punctuation stays text; a bracket the address opened stays in it.
        ("Look: https://a.cn/x.", [("https://a.cn/x",) * 2]),
        ("(see https://a.cn/x)", [("https://a.cn/x",) * 2]),
        (
            "https://en.wikipedia.org/wiki/Up_(2009_film)!",
            [("https://en.wikipedia.org/wiki/Up_(2009_film)",) * 2],
        ),
        # Chinese around it, without spaces: the link is the address alone.
        ("看看https://a.cn/x吧\uff0c好吗", [("https://a.cn/x",) * 2]),
        # A bidi control ends the link: its text is the address it opens.
        ("https://evil.example/\u202emoc.elgoog", [("https://evil.example/",) * 2]),
        ("HTTPS://A.CN", [("HTTPS://A.CN",) * 2]),
    ],
)
def test_addresses_become_links(body: str, expected: list[tuple[str, str]]):
    assert links(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        "hello",
        "javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "https://",
        "https://.",
        "www.",
        "www.localhost",
        "ftp://example.com/file",
        "mail me at ann@example.com",
    ],
)
def test_other_text_has_no_parts(body: str):
    assert link_parts(body) == ()


def test_links_stop_at_the_limit_and_the_rest_stays_text():
    body = " ".join(f"https://a.cn/{n}" for n in range(MAX_LINKS + 5))
    parts = link_parts(body)
    assert len([p for p in parts if p.href]) == MAX_LINKS
    assert "".join(p.text for p in parts) == body


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=12),
            st.sampled_from(["https://a.cn/x", "www.b.org", "http://", "(", ")", ".", "看", " "]),
        ),
        max_size=12,
    ).map("".join)
)
def test_the_parts_are_the_text_and_every_link_is_a_web_address(body: str):
    parts = link_parts(body)
    if parts:
        assert "".join(part.text for part in parts) == body
    for part in parts:
        if part.href:
            assert part.href.lower().startswith(("http://", "https://"))
            assert part.text.isascii()
            assert not any(c.isspace() for c in part.text)


def test_only_a_stored_text_message_carries_parts():
    def view(body: str, kind: str = "text") -> MessageView:
        return MessageView.stored(
            seq=1,
            sender_id=1,
            client_id="c1",
            body=body,
            created_at=datetime.now(UTC),
            kind=kind,
        )

    assert view("hello").parts == ()
    assert view("at https://a.cn").parts == (
        TextPart("at "),
        TextPart("https://a.cn", "https://a.cn"),
    )
    # A file's name is its body: never a link.
    assert view("https://a.cn.pdf", kind="file").parts == ()
