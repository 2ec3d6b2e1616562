"""Printable certificate sheets: a one-page A4 PDF and the QR code that links to verification.

Pure: no Flask, no database. Labels live here (not in the translation catalogue) so the module can
render a certificate in either language without a request context.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

import font_source_sans_pro
import segno
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "heading": "GIẤY CHỨNG NHẬN",
        "awarded_to": "Chứng nhận",
        "completed": "Hoàn thành khóa học",
        "mode": "Hình thức",
        "online": "học trực tuyến",
        "in_person": "học trực tiếp",
        "issued_on": "Ngày cấp",
        "valid_until": "Có giá trị đến",
        "no_expiry": "Không thời hạn",
        "area": "Nơi cấp",
        "version": "Phiên bản khóa học",
        "code": "Mã chứng nhận",
        "scan": "Quét mã để kiểm tra",
        "author": "Tổ công nghệ số cộng đồng",
        "subject": "Giấy chứng nhận hoàn thành khóa học",
    },
    "en": {
        "heading": "CERTIFICATE",
        "awarded_to": "This certifies that",
        "completed": "Course completed",
        "mode": "Mode",
        "online": "Online",
        "in_person": "In person",
        "issued_on": "Issued on",
        "valid_until": "Valid until",
        "no_expiry": "Does not expire",
        "area": "Issued in",
        "version": "Course version",
        "code": "Certificate code",
        "scan": "Scan to verify",
        "author": "Community digital technology teams",
        "subject": "Certificate of course completion",
    },
}

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

FONT = "SourceSans"
INK = (20, 40, 80)  # dark blue: prints well in colour and in greyscale
PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, mm
MARGIN = 30.0  # text starts inside the double border
QR_SIZE = 40.0
LINE_H = 0.45  # mm of line height per pt of font size


@dataclass(frozen=True)
class CertificateSheet:
    """Everything printed on one certificate."""

    holder_name: str
    course_title: str
    issued_on: date
    valid_until: date | None  # None = never expires
    issuing_area: str  # "" if unknown
    code: str  # display form, e.g. "K7QM-X2PD-94HT"
    verify_url: str  # absolute URL of the public verification page
    course_version: str  # may be ""
    in_person: bool
    language: str = "vi"


def qr_svg(url: str) -> str:
    """Inline SVG markup (about 200 px wide) of a QR code for the URL."""
    qr = segno.make(url, error="m")
    width, _ = qr.symbol_size(scale=1)
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=200 / width, dark="#000", light="#fff",
            xmldecl=False, svgns=True, title="QR", nl=False)
    return out.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 8) -> bytes:
    """PNG image of a QR code for the URL."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, dark="#000", light="#fff")
    return out.getvalue()


def format_date(value: date | None, language: str) -> str:
    """DD/MM/YYYY in Vietnamese, "28 Nov 2026" in English; the no-expiry label for None."""
    labels = LABELS.get(language, LABELS["vi"])
    if value is None:
        return labels["no_expiry"]
    if language == "en":
        return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"
    return value.strftime("%d/%m/%Y")


def _new_document(sheet: CertificateSheet, labels: dict[str, str]) -> FPDF:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", font_source_sans_pro.font_files_ttf["SourceSansPro"])
    pdf.add_font(FONT, "B", font_source_sans_pro.font_files_ttf["SourceSansProBold"])
    pdf.set_title(f"{labels['heading']} {sheet.code}: {sheet.holder_name}")
    pdf.set_author(labels["author"])
    pdf.set_subject(f"{labels['subject']}: {sheet.course_title}")
    pdf.set_creator("lms")
    pdf.set_lang("en" if sheet.language == "en" else "vi")
    # A fixed timestamp keeps the bytes (and the file ID hashed from them) reproducible.
    issued = datetime(sheet.issued_on.year, sheet.issued_on.month, sheet.issued_on.day,
                      tzinfo=UTC)
    pdf.set_creation_date(issued)
    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*INK)
    return pdf


def _borders(pdf: FPDF) -> None:
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, PAGE_W - 28, PAGE_H - 28)


def _fit(pdf: FPDF, text: str, width: float, size: float, style: str, max_lines: int,
         min_size: float) -> tuple[float, list[str]]:
    """Largest size (down to min_size) at which the text fits max_lines, with its lines."""
    while True:
        pdf.set_font(FONT, style, size)
        lines = pdf.multi_cell(width, text=text, dry_run=True, output="LINES")
        if len(lines) <= max_lines or size <= min_size:
            # Still too long at the minimum size: keep the first lines rather than overflow.
            return size, lines[:max_lines]
        size -= 1


def _centre_block(pdf: FPDF, sheet: CertificateSheet, labels: dict[str, str]) -> None:
    width = PAGE_W - 2 * MARGIN
    pdf.set_y(24)
    pdf.set_font(FONT, "B", 30)
    pdf.cell(width, 13, text=labels["heading"], align=Align.C, new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    pdf.set_line_width(0.4)
    pdf.line(PAGE_W / 2 - 30, pdf.get_y() + 2, PAGE_W / 2 + 30, pdf.get_y() + 2)
    # (text, size, style, max lines, min size, gap after in mm)
    items = [
        (labels["awarded_to"], 13, "", 1, 9, 2),
        (sheet.holder_name, 32, "B", 2, 14, 6),
        (labels["completed"], 13, "", 1, 9, 2),
        (sheet.course_title, 22, "B", 2, 11, 0),
    ]
    fitted = [(_fit(pdf, text, width, size, style, lines, low), style, gap)
              for text, size, style, lines, low, gap in items]
    height = sum(len(lines) * size * LINE_H + gap for (size, lines), _, gap in fitted)
    # Centre the block between the heading rule and the details table.
    top, bottom = pdf.get_y() + 4, PAGE_H - 66
    pdf.set_y(top + max(0, (bottom - top - height) / 2))
    for (size, lines), style, gap in fitted:
        pdf.set_font(FONT, style, size)
        pdf.multi_cell(width, size * LINE_H, text="\n".join(lines), align=Align.C,
                       new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(gap)


def _details(pdf: FPDF, sheet: CertificateSheet, labels: dict[str, str]) -> None:
    lang = sheet.language
    rows = [
        (labels["mode"], labels["in_person"] if sheet.in_person else labels["online"]),
        (labels["issued_on"], format_date(sheet.issued_on, lang)),
        (labels["valid_until"], format_date(sheet.valid_until, lang)),
    ]
    if sheet.issuing_area:
        rows.append((labels["area"], sheet.issuing_area))
    if sheet.course_version:
        rows.append((labels["version"], sheet.course_version))
    rows.append((labels["code"], sheet.code))
    label_w, value_w, row_h = 42.0, 130.0, 6.5
    pdf.set_y(PAGE_H - 24 - row_h * len(rows))
    for label, value in rows:
        pdf.set_x(MARGIN)
        pdf.set_font(FONT, "", 11)
        pdf.cell(label_w, row_h, text=f"{label}:")
        size = 11.0
        pdf.set_font(FONT, "B", size)
        while pdf.get_string_width(value) > value_w and size > 7:
            size -= 0.5
            pdf.set_font(FONT, "B", size)
        pdf.cell(value_w, row_h, text=value, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _qr_block(pdf: FPDF, sheet: CertificateSheet, labels: dict[str, str]) -> None:
    caption_w = 64.0
    centre_x = PAGE_W - 22 - caption_w / 2
    top = PAGE_H - 22 - 14 - QR_SIZE
    pdf.image(io.BytesIO(qr_png(sheet.verify_url)), x=centre_x - QR_SIZE / 2, y=top,
              w=QR_SIZE, h=QR_SIZE)
    pdf.set_xy(centre_x - caption_w / 2, top + QR_SIZE + 0.5)
    pdf.set_font(FONT, "B", 10)
    pdf.cell(caption_w, 5, text=labels["scan"], align=Align.C)
    pdf.set_xy(centre_x - caption_w / 2, top + QR_SIZE + 5.5)
    pdf.set_font(FONT, "", 7)
    pdf.multi_cell(caption_w, 3.2, text=sheet.verify_url, align=Align.C,
                   wrapmode="CHAR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _composed(sheet: CertificateSheet) -> CertificateSheet:
    # Without text shaping, decomposed (NFD) marks would print beside their letters.
    return replace(sheet, **{field: unicodedata.normalize("NFC", getattr(sheet, field))
                             for field in ("holder_name", "course_title", "issuing_area")})


def _sheet_page(pdf: FPDF, sheet: CertificateSheet, labels: dict[str, str]) -> None:
    _borders(pdf)
    _centre_block(pdf, sheet, labels)
    _details(pdf, sheet, labels)
    _qr_block(pdf, sheet, labels)


def certificate_pdf(sheet: CertificateSheet) -> bytes:
    """Render the certificate as a one-page A4 landscape PDF."""
    labels = LABELS.get(sheet.language, LABELS["vi"])
    sheet = _composed(sheet)
    pdf = _new_document(sheet, labels)
    _sheet_page(pdf, sheet, labels)
    return bytes(pdf.output())


def certificates_pdf(sheets: Iterable[CertificateSheet], title: str,
                     on_page: Callable[[], None] | None = None) -> bytes:
    """Several certificates in one PDF, one page each (a class's, to print at once); the font
    is embedded once. `on_page` is called after each page."""
    pdf: FPDF | None = None
    labels = LABELS["vi"]
    for sheet in sheets:
        labels = LABELS.get(sheet.language, LABELS["vi"])
        sheet = _composed(sheet)
        if pdf is None:
            pdf = _new_document(sheet, labels)
            pdf.set_title(unicodedata.normalize("NFC", title))
        else:
            pdf.add_page()
        _sheet_page(pdf, sheet, labels)
        if on_page is not None:
            on_page()
    if pdf is None:
        raise ValueError("no certificate to print")
    return bytes(pdf.output())
