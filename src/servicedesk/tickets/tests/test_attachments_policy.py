import pytest

from servicedesk.tickets.attachments_policy import (
    display_name,
    served_content_type,
    upload_refusal,
)

FORBIDDEN = (".exe", ".js", ".bat")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("..\\..\\windows\\evil.exe", "evil.exe"),
        ("../../etc/passwd", "passwd"),
        ("", "attachment"),
        (None, "attachment"),
        ("a/", "attachment"),
    ],
)
def test_only_the_last_part_of_a_name_is_kept(name, expected) -> None:
    assert display_name(name) == expected


@pytest.mark.parametrize("name", ["run.exe", "RUN.EXE", "report.pdf.exe", "x.js", "x.bat. "])
def test_programs_are_refused_whatever_their_size(name: str) -> None:
    refusal = upload_refusal(name, 10, max_bytes=100, forbidden_extensions=FORBIDDEN)
    assert refusal is not None and "not attached" in refusal


@pytest.mark.parametrize("name", ["photo.png", "notes.exe.txt", "README", "json.jsonl"])
def test_ordinary_files_pass(name: str) -> None:
    assert upload_refusal(name, 100, max_bytes=100, forbidden_extensions=FORBIDDEN) is None


def test_a_file_over_the_limit_is_refused_with_its_size() -> None:
    refusal = upload_refusal(
        "dump.bin", 3 * 1_048_576, max_bytes=1_048_576, forbidden_extensions=()
    )
    assert refusal == ("dump.bin was not attached: it is 3.0 MB and files may be at most 1 MB.")


@pytest.mark.parametrize(
    ("stored", "served"),
    [
        ("image/png", ("image/png", True)),
        ("image/webp", ("image/webp", True)),
        ("image/svg+xml", ("application/octet-stream", False)),
        ("text/html", ("application/octet-stream", False)),
        ("application/pdf", ("application/octet-stream", False)),
    ],
)
def test_only_safe_images_are_shown_inline(stored: str, served) -> None:
    assert served_content_type(stored) == served
