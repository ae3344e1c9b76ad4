"""Every icon button is made by `components/icon_button.py`, so its icon keeps its size.

`rx.icon_button` sizes its icon from the button's size over what the icon asked for (36 px
icons beside a 24 px bell in the header); a new button made with it directly would bring
that back. The browser test `test_the_toolbars_icons_have_one_size_and_fit_their_buttons`
checks what the sizes look like.
"""

from __future__ import annotations

from pathlib import Path

from chat_app.components.icon_button import ICON_PX, icon_button

SOURCE = Path(__file__).resolve().parents[1] / "chat_app"


def test_only_the_helper_calls_reflexs_icon_button():
    offenders = [
        f"{path.relative_to(SOURCE)}:{number}"
        for path in SOURCE.rglob("*.py")
        if path.name != "icon_button.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "rx.icon_button(" in line
    ]
    assert offenders == []


def test_the_icon_keeps_the_size_of_its_button_size_or_the_one_asked_for():
    for size in ("1", "2", "3", "4"):
        side = ICON_PX[size]
        rendered = icon_button("search", size=size).render()
        assert rendered["children"][0]["props"] == [f"size:{side}"]
    asked = icon_button("ellipsis", size="1", icon_size=18).render()
    assert asked["children"][0]["props"] == ["size:18"]
