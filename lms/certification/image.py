"""The certificate as a portrait picture for a phone: saved to the photo gallery or sent by Zalo.

Pure: no Flask, no database. It prints what the PDF prints (pdf.py's labels and date format), laid
out for a 9:16 screen, plus the certificate's state on the day the picture was made: a picture
outlives the page it came from, so the state carries its date.
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from functools import cache

import font_source_sans_pro
import segno
from PIL import Image, ImageDraw, ImageFont

from lms.certification.pdf import INK, LABELS, CertificateSheet, format_date
from lms.certification.status import CertificateState

WIDTH, HEIGHT = 1080, 1920
SIDE = 90  # text margin inside the borders
MUTED = (70, 80, 100)  # labels: 7:1 on white
PAPER = (255, 255, 255)
QR_DARK = (0, 0, 0)  # the only pure black in the picture (text is INK)
QR_QUIET_MODULES = 4
# Badge colours by state, all with white text at 4.5:1 or more.
STATE_COLOURS = {CertificateState.VALID: (21, 115, 56),
                 CertificateState.EXPIRING: (150, 80, 0)}
BAD_STATE = (170, 30, 30)

EXTRA_LABELS = {
    "vi": {"state_on": "Tình trạng ngày {date}"},
    "en": {"state_on": "State on {date}"},
}


@dataclass(frozen=True)
class StateOnDay:
    """The certificate's state when the picture is made: its key, its words and the day."""

    key: str  # valid, expiring, expired, outdated, revoked
    label: str
    on: date


@cache
def _font(style: str, size: int) -> ImageFont.FreeTypeFont:
    name = {"": "SourceSansPro", "B": "SourceSansProBold", "S": "SourceSansProSemibold"}[style]
    return ImageFont.truetype(font_source_sans_pro.font_files_ttf[name], size)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Lines no wider than `width`, broken between words only (a name never breaks mid-word)."""
    lines: list[str] = []
    for word in text.split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _fits(lines: list[str], font: ImageFont.FreeTypeFont, width: int) -> bool:
    return all(font.getlength(line) <= width for line in lines)


def _fit(text: str, style: str, size: int, min_size: int, max_lines: int,
         width: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest size (down to min_size) at which the text fits, with its lines."""
    while True:
        font = _font(style, size)
        lines = _wrap(text, font, width)
        if (len(lines) <= max_lines and _fits(lines, font, width)) or size <= min_size:
            return font, _clip(lines, font, width, max_lines)
        size -= 2


def _clip(lines: list[str], font: ImageFont.FreeTypeFont, width: int,
          max_lines: int) -> list[str]:
    """Still too long at the smallest size: keep what fits and end with an ellipsis."""
    kept = lines[:max_lines]
    if len(lines) > max_lines or not _fits(kept, font, width):
        last = kept[-1]
        while last and font.getlength(f"{last}…") > width:
            last = last[:-1]
        kept[-1] = f"{last.rstrip()}…"
    return kept


class _Page:
    """A cursor down the picture that writes centred or two-column text."""

    def __init__(self, image: Image.Image) -> None:
        self.draw = ImageDraw.Draw(image)
        self.y = 0

    def centred(self, lines: list[str], font: ImageFont.FreeTypeFont, fill: tuple[int, ...],
                gap: float = 1.2) -> None:
        for line in lines:
            self.draw.text((WIDTH / 2, self.y), line, font=font, fill=fill, anchor="mt")
            self.y += round(font.size * gap)

    def row(self, label: str, value: str) -> None:
        label_font = _font("", 34)
        value_x = SIDE + 330
        font, lines = _fit(value, "B", 40, 28, 2, WIDTH - SIDE - value_x)
        self.draw.text((SIDE, self.y + 4), label, font=label_font, fill=MUTED)
        for line in lines:
            self.draw.text((value_x, self.y), line, font=font, fill=INK)
            self.y += round(font.size * 1.25)
        self.y += 14


def _borders(draw: ImageDraw.ImageDraw) -> None:
    draw.rectangle((24, 24, WIDTH - 25, HEIGHT - 25), outline=INK, width=8)
    draw.rectangle((44, 44, WIDTH - 45, HEIGHT - 45), outline=INK, width=3)


def _heading(page: _Page, sheet: CertificateSheet, labels: dict[str, str]) -> None:
    page.y = 110
    page.centred([labels["heading"]], _font("B", 84), INK)
    page.draw.line((WIDTH / 2 - 160, page.y + 4, WIDTH / 2 + 160, page.y + 4), fill=INK,
                   width=4)
    page.y += 50
    width = WIDTH - 2 * SIDE
    page.centred([labels["awarded_to"]], _font("", 40), MUTED)
    page.y += 6
    font, lines = _fit(sheet.holder_name, "B", 80, 48, 2, width)
    page.centred(lines, font, INK, gap=1.15)
    page.y += 24
    page.centred([labels["completed"]], _font("", 40), MUTED)
    page.y += 6
    font, lines = _fit(sheet.course_title, "B", 56, 36, 3, width)
    page.centred(lines, font, INK, gap=1.2)


def _state_badge(page: _Page, state: StateOnDay, language: str) -> None:
    page.y += 24
    font = _font("B", 44)
    _, lines = _fit(state.label, "B", 44, 32, 1, WIDTH - 2 * SIDE - 80)
    width = font.getlength(lines[0]) + 80
    colour = STATE_COLOURS.get(state.key, BAD_STATE)
    page.draw.rounded_rectangle((WIDTH / 2 - width / 2, page.y, WIDTH / 2 + width / 2,
                                 page.y + 80), radius=40, fill=colour)
    page.draw.text((WIDTH / 2, page.y + 40), lines[0], font=font, fill=PAPER, anchor="mm")
    page.y += 96
    labels = EXTRA_LABELS.get(language, EXTRA_LABELS["vi"])
    on = labels["state_on"].format(date=format_date(state.on, language))
    page.centred([on], _font("", 30), MUTED)


def _details(page: _Page, sheet: CertificateSheet, labels: dict[str, str]) -> None:
    page.y += 30
    page.row(labels["issued_on"], format_date(sheet.issued_on, sheet.language))
    page.row(labels["valid_until"], format_date(sheet.valid_until, sheet.language))
    if sheet.issuing_area:
        page.row(labels["area"], sheet.issuing_area)
    page.row(labels["code"], sheet.code)


def _qr(image: Image.Image, page: _Page, sheet: CertificateSheet,
        labels: dict[str, str]) -> None:
    """The QR code, as large as the room left allows, whole modules of whole pixels."""
    footer_top = HEIGHT - 110
    caption = _font("B", 36)
    url_font, url_lines = _url_lines(sheet.verify_url)
    below = 16 + round(caption.size * 1.3) + len(url_lines) * round(url_font.size * 1.25)
    qr = segno.make(sheet.verify_url, error="m")
    modules = qr.symbol_size(scale=1, border=QR_QUIET_MODULES)[0]
    room = min(560, footer_top - below - page.y - 10)
    scale = max(2, room // modules)
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale, border=QR_QUIET_MODULES, dark=QR_DARK, light=PAPER)
    symbol = Image.open(out).convert("RGB")
    top = page.y + max(0, (footer_top - below - page.y - symbol.height) // 2)
    image.paste(symbol, ((WIDTH - symbol.width) // 2, top))
    page.y = top + symbol.height
    page.centred([labels["scan"]], caption, INK, gap=1.3)
    page.centred(url_lines, url_font, MUTED, gap=1.25)


def _url_lines(url: str) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The link broken anywhere (it has no spaces), at most two lines."""
    font, width = _font("", 28), WIDTH - 2 * SIDE
    lines = [""]
    for ch in url:
        if font.getlength(lines[-1] + ch) > width:
            lines.append("")
        lines[-1] += ch
    return font, lines[:2]


def certificate_image(sheet: CertificateSheet, state: StateOnDay) -> bytes:
    """Render the certificate as a 1080 × 1920 PNG, for a phone's screen and photo gallery."""
    labels = LABELS.get(sheet.language, LABELS["vi"])
    # Composed (NFC) text: a decomposed mark may otherwise be drawn beside its letter.
    sheet = replace(sheet, **{field: unicodedata.normalize("NFC", getattr(sheet, field))
                              for field in ("holder_name", "course_title", "issuing_area")})
    state = replace(state, label=unicodedata.normalize("NFC", state.label))
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    page = _Page(image)
    _borders(page.draw)
    _heading(page, sheet, labels)
    _state_badge(page, state, sheet.language)
    _details(page, sheet, labels)
    _qr(image, page, sheet, labels)
    page.y = HEIGHT - 100
    page.centred([labels["author"]], _font("S", 32), INK)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()
