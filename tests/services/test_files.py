"""Files: sniffing, names, limits, quota, thumbnails, bombs, disk full, signed URLs."""

from __future__ import annotations

import errno
import io
import shutil
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import Session, func, select

from chat_app.models import Message, StoredFile
from chat_app.services import (
    conversations,
    file_access,
    file_inspection,
    file_uploads,
    friends,
    images,
)
from chat_app.services.errors import RateLimited, Refused
from chat_app.services.storage import LocalFileStorage
from chat_app.settings import load_settings
from tests.support.images import huge_png, png
from tests.support.users import make_friends, make_user

pytestmark = pytest.mark.both_databases


@pytest.fixture
def storage(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "private")


@pytest.fixture
def settings(tmp_path: Path):
    return load_settings(
        {
            "CHAT_DATA_DIR": str(tmp_path),
            "CHAT_MAX_UPLOAD_MB": "1",
            "CHAT_USER_QUOTA_MB": "2",
            "CHAT_MESSAGE_RATE_COUNT": "1000",
        }
    )


@pytest.fixture
def pair(session: Session) -> tuple[int, int]:
    ann, bob = make_user(session, "ann"), make_user(session, "bob")
    make_friends(session, ann, bob)
    return ann, bob


def send(session, pair, storage, settings, data: bytes, name="x.bin", client_id=None):
    return file_uploads.send_file(
        session=session,
        viewer_id=pair[0],
        conversation_id=conversations.direct_with(
            session=session, viewer_id=pair[0], friend_id=pair[1]
        ),
        client_id=client_id or uuid.uuid4().hex,
        source=io.BytesIO(data),
        name=name,
        settings=settings,
        storage=storage,
    )


def set_avatar(session, user_id, storage, settings, data: bytes, name="me.png"):
    return file_uploads.set_avatar(
        session=session,
        viewer_id=user_id,
        source=io.BytesIO(data),
        name=name,
        settings=settings,
        storage=storage,
    )


def rows(session: Session) -> tuple[int, int]:
    return (
        session.exec(select(func.count()).select_from(StoredFile)).one(),
        session.exec(select(func.count()).select_from(Message)).one(),
    )


def blobs(storage: LocalFileStorage) -> list[str]:
    return sorted(path.name for path in storage.root.iterdir())


def test_an_image_is_stored_with_a_bounded_thumbnail(session, pair, storage, settings):
    sent = send(session, pair, storage, settings, png(1600, 900), "photo.png")
    message = sent.message
    assert message.attachment is not None
    assert (message.kind, message.attachment.mime) == ("image", "image/png")
    assert message.attachment.has_thumbnail
    stored = session.get(StoredFile, message.attachment.file_id)
    assert stored is not None
    assert (stored.width, stored.height) == (1600, 900)
    # The page reserves the thumbnail's box from these before it loads.
    assert (message.attachment.width, message.attachment.height) == (1600, 900)
    with Image.open(storage.root / f"{stored.id}-thumb") as thumb:
        assert max(thumb.size) <= 360
    assert blobs(storage) == sorted([stored.id, f"{stored.id}-thumb"])
    assert stored.original_name == "photo.png"
    assert stored.storage_key == stored.id  # the name never reaches the disk


def test_html_disguised_as_an_image_is_a_plain_download(session, pair, storage, settings):
    sent = send(session, pair, storage, settings, b"<html><script>x</script></html>", "cat.png")
    assert sent.message.kind == "file"
    assert sent.message.attachment is not None
    assert sent.message.attachment.mime == "application/octet-stream"
    assert not sent.message.attachment.has_thumbnail


def test_a_decompression_bomb_is_sent_as_a_file_without_thumbnail(session, pair, storage, settings):
    bomb = huge_png(20_000, 20_000)  # 400 million pixels (1.6 GB decoded) in 1 KB
    assert file_inspection.sniff(bomb) == "image/png"
    sent = send(session, pair, storage, settings, bomb, "bomb.png")
    assert sent.message.kind == "file"
    assert sent.message.attachment is not None
    assert sent.message.attachment.mime == "image/png"
    assert not sent.message.attachment.has_thumbnail
    assert rows(session) == (1, 1)
    assert blobs(storage) == [sent.message.attachment.file_id]


def test_a_48_megapixel_phone_photo_gets_its_thumbnail(session, pair, storage, tmp_path):
    out = io.BytesIO()
    Image.new("RGB", (8000, 6000), (200, 120, 40)).save(out, format="JPEG", quality=80)
    roomy = load_settings({"CHAT_DATA_DIR": str(tmp_path), "CHAT_MESSAGE_RATE_COUNT": "1000"})
    sent = send(session, pair, storage, roomy, out.getvalue(), "IMG_0001.jpg")
    assert sent.message.kind == "image"
    assert sent.message.attachment is not None
    stored = session.get(StoredFile, sent.message.attachment.file_id)
    assert stored is not None
    assert (stored.width, stored.height) == (8000, 6000)
    with Image.open(storage.root / f"{stored.id}-thumb") as thumb:
        assert thumb.size == (360, 270)


def test_an_avatar_too_large_to_decode_is_refused_with_its_own_message(
    session, pair, storage, settings
):
    with pytest.raises(Refused, match="avatar_too_large"):
        set_avatar(session, pair[0], storage, settings, huge_png(20_000, 20_000), "me.png")
    assert blobs(storage) == []


def test_size_limit_empty_files_and_quota(session, pair, storage, settings):
    with pytest.raises(Refused, match="file_too_large"):
        send(session, pair, storage, settings, b"x" * (1024 * 1024 + 1))
    with pytest.raises(Refused, match="file_empty"):
        send(session, pair, storage, settings, b"")
    send(session, pair, storage, settings, b"a" * 1000_000)
    send(session, pair, storage, settings, b"b" * 1000_000)
    with pytest.raises(Refused, match="quota_exceeded"):
        send(session, pair, storage, settings, b"c" * 200_000)
    assert rows(session) == (2, 2)
    assert len(blobs(storage)) == 2


def test_only_friends_can_send_files(session, pair, storage, settings):
    ann, bob = pair
    ann_bob = conversations.direct_with(session=session, viewer_id=ann, friend_id=bob)
    friends.remove_friend(session=session, viewer_id=bob, friend_id=ann)
    with pytest.raises(Refused, match="not_friends"):
        file_uploads.send_file(
            session=session,
            viewer_id=ann,
            conversation_id=ann_bob,
            client_id="c1",
            source=io.BytesIO(b"hello"),
            name="a.txt",
            settings=settings,
            storage=storage,
        )
    assert rows(session) == (0, 0)
    assert blobs(storage) == []


def test_a_full_disk_leaves_no_row_and_no_partial_file(
    session, pair, storage, settings, monkeypatch: pytest.MonkeyPatch
):
    def full_disk(source, target, length=0):
        target.write(source.read(1000))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(shutil, "copyfileobj", full_disk)
    with pytest.raises(OSError, match="No space left"):
        send(session, pair, storage, settings, b"z" * 50_000)
    assert rows(session) == (0, 0)
    assert blobs(storage) == []


def test_a_retried_upload_is_stored_once(session, pair, storage, settings):
    first = send(session, pair, storage, settings, b"same bytes", client_id="retry-1")
    again = send(session, pair, storage, settings, b"same bytes", client_id="retry-1")
    assert not again.created
    assert again.message.attachment == first.message.attachment
    assert first.message.attachment is not None
    assert rows(session) == (1, 1)
    assert blobs(storage) == [first.message.attachment.file_id]


def test_downloads_are_for_the_two_participants_only(session, pair, storage, settings):
    sent = send(session, pair, storage, settings, b"secret notes", "notes.txt")
    cat = make_user(session, "cat")
    assert sent.message.attachment is not None
    file_id = sent.message.attachment.file_id
    assert file_access.downloadable(session=session, user_id=pair[0], file_id=file_id) is not None
    assert file_access.downloadable(session=session, user_id=pair[1], file_id=file_id) is not None
    assert file_access.downloadable(session=session, user_id=cat, file_id=file_id) is None
    assert file_access.downloadable(session=session, user_id=pair[0], file_id="0" * 32) is None


def test_avatar_replaces_the_old_one(session, pair, storage, settings):
    first = set_avatar(session, pair[0], storage, settings, png(500, 500), "me.png")
    second = set_avatar(session, pair[0], storage, settings, png(300, 300), "me2.png")
    assert blobs(storage) == [f"{second}-thumb"]
    assert session.get(StoredFile, first) is None
    assert file_access.downloadable(session=session, user_id=pair[1], file_id=second) is not None
    with pytest.raises(Refused, match="avatar_not_image"):
        set_avatar(session, pair[0], storage, settings, b"<html>", "x.png")


def test_the_decode_budget_is_shared_and_a_picture_over_it_is_never_decoded():
    budget = images.DecodeBudget(100)
    with pytest.raises(images.TooLarge):
        budget.hold(101, timeout=0).__enter__()
    with budget.hold(60, timeout=0), pytest.raises(images.TooLarge):
        # Only 40 are free while the first decode holds 60: no wait is long enough.
        budget.hold(50, timeout=0).__enter__()
    with budget.hold(100, timeout=0):
        pass  # all of it is free again


def jpeg(size: tuple[int, int], **options) -> io.BytesIO:
    out = io.BytesIO()
    Image.new("RGB", size, (1, 2, 3)).save(out, format="JPEG", **options)
    out.seek(0)
    return out


def test_a_progressive_jpeg_counts_the_whole_image_libjpeg_keeps():
    def cost(source: io.BytesIO) -> int:
        with Image.open(source) as image:
            return images.reduce_and_cost(image, source, (360, 360))

    baseline = cost(jpeg((4000, 3000)))
    progressive = cost(jpeg((4000, 3000), progressive=True))
    assert baseline == 1000 * 750 * 4  # decoded at 1/4 scale
    assert progressive > 4000 * 3000 * 2  # every coefficient of every block, full size
    exif = Image.Exif()
    exif[0x010F] = "phone"
    assert cost(jpeg((4000, 3000), exif=exif.tobytes())) == baseline


def test_a_jpeg_whose_scans_cannot_be_counted_is_costed_as_decoded_whole():
    header = jpeg((4000, 3000)).getvalue()
    sof = header.index(b"\xff\xc0")
    # A million empty comment segments before the frame: no camera writes that.
    padded = io.BytesIO(header[:sof] + b"\xff\xfe\x00\x02" * 1_000_000 + header[sof:])
    with Image.open(padded) as image:
        assert images.reduce_and_cost(image, padded, (360, 360)) > 4000 * 3000 * 2


def test_a_file_over_the_message_rate_is_refused_before_it_is_copied_or_decoded(
    session, pair, storage, tmp_path, monkeypatch
):
    strict = load_settings({"CHAT_DATA_DIR": str(tmp_path), "CHAT_MESSAGE_RATE_COUNT": "2"})
    for number in range(2):
        send(session, pair, storage, strict, png(40, 40), f"{number}.png")
    decoded: list[object] = []
    monkeypatch.setattr(images, "thumbnail", lambda *args, **_: decoded.append(args))
    before = (rows(session), blobs(storage))
    with pytest.raises(RateLimited, match="too_many_messages"):
        send(session, pair, storage, strict, huge_png(6_000, 6_000), "third.png")
    assert decoded == []
    assert (rows(session), blobs(storage)) == before


def test_new_pictures_are_limited_per_hour_and_refused_before_decoding(
    session, pair, storage, settings, monkeypatch
):
    monkeypatch.setattr(file_uploads, "PICTURES_PER_HOUR", 2)
    for size in (300, 200):
        set_avatar(session, pair[0], storage, settings, png(size, size), "me.png")
    decoded: list[object] = []
    thumbnail = images.thumbnail
    monkeypatch.setattr(images, "thumbnail", lambda *args, **_: decoded.append(args))
    kept = blobs(storage)
    with pytest.raises(RateLimited, match="too_many_pictures"):
        set_avatar(session, pair[0], storage, settings, png(100, 100), "me.png")
    assert decoded == []
    assert blobs(storage) == kept
    # Somebody else's pictures are theirs to count.
    monkeypatch.setattr(images, "thumbnail", thumbnail)
    set_avatar(session, pair[1], storage, settings, png(100, 100), "bob.png")
