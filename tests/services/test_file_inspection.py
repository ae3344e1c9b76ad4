"""What an upload is: the type sniffed from its bytes, a safe display name, the download header."""

from __future__ import annotations

import pytest

from chat_app.services import content_headers, file_inspection


@pytest.mark.parametrize(
    ("head", "mime"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 12, "image/jpeg"),
        (b"GIF89a" + b"\0" * 10, "image/gif"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "image/webp"),
        (b"%PDF-1.7\n", "application/pdf"),
        (b"<html><script>alert(1)</script>", "application/octet-stream"),
        (b"", "application/octet-stream"),
    ],
)
def test_sniffing_looks_at_content_only(head: bytes, mime: str):
    assert file_inspection.sniff(head) == mime


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("photo\u202egnp.exe", "photognp.exe"),
        ("a\x00b\nc.txt", "abc.txt"),
        ("  ", "file"),
        ("...", "file"),
        (None, "file"),
        ('作业 "final" 报告.pdf', '作业 "final" 报告.pdf'),
        ("作业 %22final%22.pdf", '作业 "final".pdf'),
    ],
)
def test_display_names_are_neutralised(name, expected):
    assert file_inspection.display_name(name) == expected


def test_long_names_keep_their_extension():
    name = file_inspection.display_name("x" * 300 + ".tar.gz")
    assert len(name) == 255
    assert name.endswith(".gz")


def test_content_disposition_carries_the_exact_name():
    header = content_headers.content_disposition('作业 "final" 报告.pdf')
    assert header.startswith('attachment; filename="')
    assert "filename*=UTF-8''%E4%BD%9C%E4%B8%9A%20%22final%22%20%E6%8A%A5%E5%91%8A.pdf" in header
    assert content_headers.content_disposition("a.png", inline=True).startswith("inline;")
