"""The certificate as a portrait picture (pure: no app, no database)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import font_source_sans_pro
import pytest
import segno
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from lms.certification.image import (
    BAD_STATE,
    HEIGHT,
    QR_DARK,
    QR_QUIET_MODULES,
    STATE_COLOURS,
    WIDTH,
    StateOnDay,
    certificate_image,
)
from tests.certification.test_pdf import SHEET

VALID = StateOnDay("valid", "Còn hiệu lực", date(2026, 3, 1))


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.load()
    return image.convert("RGB")


def qr_encodes(data: bytes, url: str) -> bool:
    """True when the picture's QR code is, module for module, the one for `url`.

    The QR code is the only pure black in the picture: its bounding box is the symbol, and the
    centre of each module must be dark exactly where segno's matrix for the URL is dark, with
    a white quiet zone around it, so any reader decodes it to that URL.
    """
    image = open_png(data)
    red, green, blue = image.split()
    brightest = ImageChops.lighter(ImageChops.lighter(red, green), blue)
    left, top, right, bottom = brightest.point(lambda v: 255 if v == 0 else 0).getbbox()
    matrix = segno.make(url, error="m").matrix
    module, rest = divmod(right - left, len(matrix))
    if rest or bottom - top != right - left:
        return False
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            pixel = image.getpixel((left + col * module + module // 2,
                                    top + row * module + module // 2))
            if (pixel == QR_DARK) != bool(dark):
                return False
    quiet = QR_QUIET_MODULES * module
    zone = image.crop((left - quiet, top - quiet, right + quiet, bottom + quiet))
    zone.paste((255, 255, 255), (quiet, quiet, quiet + right - left, quiet + bottom - top))
    return zone.getextrema() == ((255, 255),) * 3


def test_a_portrait_png_for_a_phone_screen() -> None:
    image = open_png(certificate_image(SHEET, VALID))
    assert image.size == (WIDTH, HEIGHT) == (1080, 1920)


def test_the_qr_code_opens_the_verification_page() -> None:
    data = certificate_image(SHEET, VALID)
    assert qr_encodes(data, SHEET.verify_url)
    # A link of the same length (the same symbol size) that differs in one letter does not match.
    assert not qr_encodes(data, SHEET.verify_url[:-1] + "X")


def test_long_names_titles_and_links_keep_the_picture_whole() -> None:
    long = replace(SHEET, holder_name="Tôn Nữ Thị Phương Thảo Ngọc Bích Hoàng Lê " * 3,
                   course_title="Ứng dụng công nghệ số trong chuyển đổi số cộng đồng " * 4,
                   issuing_area="Phường Điện Biên Phủ, Thành phố Đà Nẵng, Quảng Nam",
                   verify_url="https://dao-tao.thanhhoa.gov.vn/hoc-tap/lms/verify/K7QMX2PD94HT")
    data = certificate_image(long, VALID)
    assert open_png(data).size == (1080, 1920)
    assert qr_encodes(data, long.verify_url)


@pytest.mark.parametrize(("key", "colour"), [("valid", STATE_COLOURS["valid"]),
                                             ("expiring", STATE_COLOURS["expiring"]),
                                             ("expired", BAD_STATE), ("revoked", BAD_STATE)])
def test_the_state_badge_has_the_state_colour(key: str, colour: tuple[int, int, int]) -> None:
    image = open_png(certificate_image(SHEET, StateOnDay(key, key, date(2026, 3, 1))))
    assert colour in {rgb for _, rgb in image.getcolors(maxcolors=1 << 20)}


def test_output_is_deterministic() -> None:
    assert certificate_image(SHEET, VALID) == certificate_image(SHEET, VALID)


@pytest.mark.parametrize("style", ["SourceSansPro", "SourceSansProBold",
                                   "SourceSansProSemibold"])
def test_the_font_draws_every_vietnamese_letter(style: str) -> None:
    """No empty boxes: every letter of the Vietnamese alphabet, in both cases, has a glyph."""
    cmap = TTFont(font_source_sans_pro.font_files_ttf[style]).getBestCmap()
    letters = ("aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrs"
               "tuùúủũụưừứửữựvxyỳýỷỹỵ")
    missing = [ch for ch in letters + letters.upper() if ord(ch) not in cmap]
    assert missing == []
