"""Every UI string exists in both languages, and components hold no literal UI text."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from chat_app.i18n import EN, TABLES, ZH

APP = Path(__file__).resolve().parents[1] / "chat_app"
TEXT_PROPS = {"placeholder", "aria_label", "title", "alt", "label"}


def test_both_tables_have_the_same_keys_and_placeholders():
    assert set(EN) == set(ZH)
    for key in EN:
        fields = {f for _, f, _, _ in string.Formatter().parse(EN[key]) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(ZH[key]) if f}, key
        assert ZH[key].strip(), key
    assert set(TABLES) == {"en", "zh"}


def _literal_ui_text(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", getattr(node.func, "id", ""))
        if name in {"tr", "icon", "get", "cond", "match", "replace"}:
            continue
        for arg in node.args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                value = arg.value
                # Words (several, or capitalised) are text a person reads; ids, keys and
                # punctuation like "@" are not.
                if re.search(r"[A-Za-z]{2,}\s+[A-Za-z]", value) or re.match(r"[A-Z][a-z]", value):
                    found.append(f"{path.name}:{node.lineno}: {value!r}")
                if re.search(r"[\u4e00-\u9fff]", value):
                    found.append(f"{path.name}:{node.lineno}: {value!r}")
        for keyword in node.keywords:
            value = keyword.value
            if (
                keyword.arg in TEXT_PROPS
                and isinstance(value, ast.Constant)
                and isinstance(value.value, str)
                and re.search(r"[A-Za-z\u4e00-\u9fff]", value.value)
            ):
                found.append(f"{path.name}:{node.lineno}: {keyword.arg}={value.value!r}")
    return found


def test_components_and_pages_take_every_text_from_the_tables():
    offenders = []
    for folder in ("components", "pages"):
        for path in sorted((APP / folder).glob("*.py")):
            offenders += _literal_ui_text(path)
    assert offenders == []


def test_the_check_would_catch_literal_text(tmp_path: Path):
    sample = tmp_path / "sample.py"
    sample.write_text('rx.button("Send now")\nrx.input(placeholder="Type here")\nrx.text("发送")\n')
    assert len(_literal_ui_text(sample)) == 3


def test_chinese_calls_a_group_chat_one_thing():
    # WeChat's word, 群聊, everywhere: the panel said 群聊 and its system lines 群组.
    assert [key for key, value in ZH.items() if "群组" in value] == []


def test_chinese_writes_its_own_colon():
    # "最近活动: 几秒前" read as a half-translated page: a label holds its colon (a full-width
    # one in Chinese), never one added after the text by a component.
    assert [key for key, value in ZH.items() if re.search(r"[\u4e00-\u9fff]: ", value)] == []
    added = [
        path.name
        for path in Path("chat_app/components").glob("*.py")
        if re.search(r"tr\([^)]*\) \+ \": \"", path.read_text(encoding="utf-8"))
    ]
    assert added == []
