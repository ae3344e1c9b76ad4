"""Every relative link in README.md and docs/*.md names a file of the repository, and every
`#anchor` a heading of its target, as GitHub renders them (the README's sections moved to
docs/, and a renamed heading would silently break the links into it).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def _prose(markdown: str) -> str:
    """The text outside fenced code blocks (a `# comment` in a bash block is no heading)."""
    return FENCE.sub("", markdown)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: plain text, lower case, punctuation out, '-' for ' '."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "")
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    """Every anchor of a document, duplicates numbered as GitHub does (`x`, `x-1`, …)."""
    seen: dict[str, int] = {}
    found = set()
    for heading in HEADING.findall(_prose(markdown)):
        slug = _slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def broken_links(document: Path, markdown: str) -> list[str]:
    """The relative links of `markdown` (the text of `document`) that lead nowhere."""
    broken = []
    for target in LINK.findall(INLINE_CODE.sub("", _prose(markdown))):
        if re.match(r"[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            continue  # https:, mailto:: not checked offline
        path_part, _, anchor = target.partition("#")
        path = (document.parent / path_part).resolve() if path_part else document
        if not path.is_relative_to(ROOT) or not path.exists():
            broken.append(f"{target}: no such file in the repository")
            continue
        if not anchor:
            continue
        if anchor not in anchors(path.read_text(encoding="utf-8") if path_part else markdown):
            broken.append(f"{target}: no heading with that anchor in {path.name}")
    return broken


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_every_relative_link_and_anchor_resolves() -> None:
    problems = [
        f"{document.relative_to(ROOT)}: {problem}"
        for document in documents()
        for problem in broken_links(document, document.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)


REPO_PATH = re.compile(r"`((?:chat_app|tests|deploy|docs|alembic)/[^`\s:]*)`")
TABLE_CELL_FILE = re.compile(r"`([^`/\s]+\.py)`")


def missing_paths(markdown: str) -> list[str]:
    """Repository paths named in code spans that do not exist.

    In a table row a bare `name.py` lives in the folder of the path named before it, as in
    docs/architecture.md's table.
    """
    missing = []
    for line in _prose(markdown).splitlines():
        folder = ""
        for span in re.findall(r"`[^`]+`", line):
            if named := REPO_PATH.fullmatch(span):
                path = named.group(1)
                folder = path if path.endswith("/") else path.rpartition("/")[0] + "/"
            elif line.startswith("|") and folder and (bare := TABLE_CELL_FILE.fullmatch(span)):
                path = folder + bare.group(1)
            else:
                continue
            if not (ROOT / path).exists():
                missing.append(path)
    return missing


def test_every_named_file_exists() -> None:
    """A file moved or renamed by a refactor is renamed in the docs too."""
    problems = [
        f"{document.relative_to(ROOT)}: {path}"
        for document in documents()
        for path in missing_paths(document.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)


def test_the_readme_links_to_every_doc() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = {target.partition("#")[0] for target in LINK.findall(_prose(readme))}
    missing = [f"docs/{doc.name}" for doc in documents()[1:] if f"docs/{doc.name}" not in linked]
    assert not missing, missing


def test_the_checker_sees_broken_links_and_ignores_code() -> None:
    readme = ROOT / "README.md"
    text = (
        "# Top\n\n## A `code` heading, twice\n\n## A `code` heading, twice\n\n"
        "[ok](#top) [ok](#a-code-heading-twice-1) [ok](docs/performance.md#targets)\n"
        "[bad](#nowhere) [bad](docs/missing.md) [bad](docs/performance.md#nowhere)\n"
        "[outside](../../etc/hosts) [web](https://example.org/#x) `[code](#nowhere)`\n"
        "```bash\n# Not a heading\n[code](#nowhere)\n```\n"
    )
    assert missing_paths(
        "`chat_app/states/auth.py` `chat_app/nowhere.py`\n"
        "| a | `chat_app/services/auth.py`, `passwords.py`, `gone.py` |\n"
        "not a table: `gone.py`\n"
    ) == ["chat_app/nowhere.py", "chat_app/services/gone.py"]
    assert anchors(text) == {"top", "a-code-heading-twice", "a-code-heading-twice-1"}
    assert [problem.split(":")[0] for problem in broken_links(readme, text)] == [
        "#nowhere",
        "docs/missing.md",
        "docs/performance.md#nowhere",
        "../../etc/hosts",
    ]
