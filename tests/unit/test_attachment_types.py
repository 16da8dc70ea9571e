"""What an attachment is, judged by its first bytes only (pure, no I/O)."""

from __future__ import annotations

import hashlib

import pytest

from alerts.attachments import check, clean_filename, sniff
from alerts.exceptions import AttachmentRejected, AttachmentTooLarge
from tests.files import ecg_image, one_page_pdf

PNG = ecg_image("png")
JPEG = ecg_image("jpeg")
PDF = one_page_pdf()


@pytest.mark.parametrize(
    ("content", "expected"),
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (PDF, "application/pdf")],
    ids=["png", "jpeg", "pdf"],
)
def test_each_accepted_type_is_recognised_by_its_magic_bytes(content: bytes, expected: str) -> None:
    """PNG, JPEG and PDF are told apart by their first bytes."""
    assert expected == sniff(content)


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a", b"\xff\xd8", b"%PDF", b"\x89", b"%"],
    ids=["png-7-bytes", "jpeg-2-bytes", "pdf-no-dash", "one-png-byte", "one-pdf-byte"],
)
def test_a_truncated_magic_number_is_not_recognised(content: bytes) -> None:
    """A file shorter than its type's whole magic number is none of the accepted types."""
    assert None is sniff(content)


def test_empty_content_is_not_recognised() -> None:
    """Zero bytes are no type at all."""
    assert None is sniff(b"")


def test_text_is_not_recognised() -> None:
    """A text file (even one that mentions PNG) is none of the accepted types."""
    assert None is sniff(b"ECG: sinus rhythm, ST elevation V1-V4; see PNG\n")


def test_gif_is_not_recognised() -> None:
    """A GIF image is an image, but not one we accept."""
    assert None is sniff(b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(8))


def test_magic_bytes_elsewhere_than_the_start_do_not_count() -> None:
    """Only the first bytes decide: a PDF header after a byte of junk is not a PDF."""
    assert None is sniff(b" " + PDF)


def test_check_gives_the_type_size_and_sha256() -> None:
    """An accepted file comes back with its sniffed type, its length and its sha256."""
    checked = check(PNG, limit=1024, filename="ecg.pdf")
    assert ("image/png", len(PNG), hashlib.sha256(PNG).hexdigest()) == (
        checked.content_type,
        checked.size,
        checked.sha256,
    )


def test_check_accepts_a_file_of_exactly_the_limit() -> None:
    """A file exactly as large as the limit is accepted."""
    content = PDF + bytes(1000 - len(PDF))
    assert 1000 == check(content, limit=1000).size


def test_check_refuses_one_byte_over_the_limit_as_too_large() -> None:
    """One byte over the limit is too large (a subclass of rejected, answered with a 413)."""
    content = PDF + bytes(1001 - len(PDF))
    with pytest.raises(AttachmentTooLarge, match="larger than the limit of 1000 bytes"):
        check(content, limit=1000)


def test_check_refuses_an_empty_file() -> None:
    """An empty file is refused as empty."""
    with pytest.raises(AttachmentRejected, match="is empty"):
        check(b"", limit=100, filename="ecg.png")


def test_check_says_what_a_refused_file_is_not() -> None:
    """A text file named ecg.png is refused, naming the file and the accepted types."""
    with pytest.raises(AttachmentRejected) as refused:
        check(b"not an image\n", limit=100, filename="ecg.png")
    assert not isinstance(refused.value, AttachmentTooLarge)
    assert (
        "'ecg.png' is not a PNG image, a JPEG image, a PDF document, a DICOM 12-lead ECG"
        " waveform or an HL7 aECG"
        " (judged by its content, not its name or declared type)"
    ) == str(refused.value)


def test_clean_filename_drops_nul_characters_and_bounds_the_length() -> None:
    """A file name is kept without NUL characters, trimmed, at most 255 characters long."""
    assert ("ecg.png", "", 255) == (
        clean_filename(" ec\x00g.png "),
        clean_filename(None),
        len(clean_filename("a" * 1000)),
    )


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "does not decode"),
        (PNG[: len(PNG) - 20], "does not decode"),
        (b"\xff\xd8\xff<html>a page</html>", "does not decode"),
        (b"%PDF-1.4\n<html>a page</html>", "does not decode"),
    ],
    ids=["png-header-html", "truncated-png", "jpeg-header-html", "pdf-header-html"],
)
def test_a_file_must_decode_as_what_it_starts_like(content: bytes, why: str) -> None:
    """Magic bytes are not enough: the whole file must decode as that image or PDF
    (issue 12, finding 6); the real files above pass (the controls)."""
    with pytest.raises(AttachmentRejected, match=why):
        check(content, limit=10_000)
    for real in (PNG, JPEG, PDF):
        assert check(real, limit=10_000)


def test_an_image_of_more_than_40_million_pixels_is_refused() -> None:
    """A decompression bomb (a small file of a huge image) is refused before it is decoded;
    the limit is 40 million pixels."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (8000, 5001)).save(buffer, format="PNG")  # 40,008,000 pixels, a few kB
    with pytest.raises(AttachmentRejected, match="pixels"):
        check(buffer.getvalue(), limit=10_000_000)
