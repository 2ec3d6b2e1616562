"""Download names: Vietnamese for browsers that read `filename*`, folded to ASCII for the rest."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from lms.downloads import ascii_filename, attachment, display_filename


def names(header: str) -> tuple[str, str]:
    """The (filename, filename*) pair of a Content-Disposition header, the second decoded."""
    match = re.fullmatch(r'attachment; filename="([ -~]*)"; filename\*=UTF-8\'\'([^\s;]+)', header)
    assert match, header
    return match[1], unquote(match[2], encoding="utf-8", errors="strict")


def test_vietnamese_name_and_its_ascii_fold() -> None:
    header = attachment("Chứng nhận VNeID - Nguyễn Thị Hằng", "png")
    assert names(header) == ("chung-nhan-vneid-nguyen-thi-hang.png",
                             "Chứng nhận VNeID - Nguyễn Thị Hằng.png")


def test_d_with_stroke_is_folded_not_dropped() -> None:
    assert ascii_filename("Đặng Văn Đức", "pdf") == "dang-van-duc.pdf"


def test_decomposed_input_comes_out_composed() -> None:
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed with combining marks
    assert display_filename(decomposed, "png") == "Nguyễn.png"
    assert ascii_filename(decomposed, "png") == "nguyen.png"


@pytest.mark.parametrize("stem", ['Kỹ năng số: "Dịch vụ" công/tư\r\nX-Evil: 1',
                                  "a\\b*c?d<e>f|g\x00h"])
def test_characters_a_file_system_or_a_header_refuses_are_dropped(stem: str) -> None:
    header = attachment(stem, "png")
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    plain, real = names(header)
    assert not set('\\/:*?"<>|\r\n\x00') & set(real)
    assert re.fullmatch(r"[a-z0-9-]+\.png", plain)


def test_nothing_left_still_names_the_file() -> None:
    assert names(attachment("///", "pdf")) == ("download.pdf", "download.pdf")


def test_very_long_names_are_shortened() -> None:
    plain, real = names(attachment("Nguyễn Thị Hằng " * 40, "png"))
    assert len(plain) <= 124 and len(real) <= 124
    assert real.endswith(".png") and plain.endswith(".png")
