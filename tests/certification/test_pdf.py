"""Certificate PDF and QR rendering (pure: no app, no database)."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from lms.certification.pdf import CertificateSheet, certificate_pdf, qr_png, qr_svg

SHEET = CertificateSheet(
    holder_name="Nguyễn Thị Hằng",
    course_title="Kỹ năng số cơ bản: Dịch vụ công trực tuyến",
    issued_on=date(2025, 11, 28),
    valid_until=date(2026, 11, 28),
    issuing_area="Xã Như Xuân, Tỉnh Thanh Hóa",
    code="K7QM-X2PD-94HT",
    verify_url="https://lms.example.vn/verify/K7QMX2PD94HT",
    course_version="2025.1",
    in_person=False,
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def read(sheet: CertificateSheet) -> tuple[PdfReader, str]:
    data = certificate_pdf(sheet)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    return reader, nfc(reader.pages[0].extract_text())


def squash(text: str) -> str:
    """Drop whitespace: text extraction may split wrapped lines anywhere."""
    return "".join(text.split())


def test_one_landscape_a4_page() -> None:
    reader, _ = read(SHEET)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(841.89, abs=1)
    assert float(box.height) == pytest.approx(595.28, abs=1)


def test_vietnamese_text_and_details() -> None:
    _, text = read(SHEET)
    for expected in ["GIẤY CHỨNG NHẬN", "Hoàn thành khóa học", "Nguyễn Thị Hằng",
                     "Kỹ năng số cơ bản: Dịch vụ công trực tuyến", "K7QM-X2PD-94HT",
                     "28/11/2025", "28/11/2026", "Xã Như Xuân, Tỉnh Thanh Hóa",
                     "học trực tuyến", "2025.1", "Quét mã để kiểm tra"]:
        assert nfc(expected) in text


def test_english_labels() -> None:
    _, text = read(replace(SHEET, language="en", in_person=True))
    for expected in ["CERTIFICATE", "Course completed", "In person", "Scan to verify",
                     "28 Nov 2025", "28 Nov 2026", "Nguyễn Thị Hằng"]:
        assert nfc(expected) in text
    assert "GIẤY CHỨNG NHẬN" not in text


@pytest.mark.parametrize(("language", "label"), [("vi", "Không thời hạn"),
                                                 ("en", "Does not expire")])
def test_no_expiry_label(language: str, label: str) -> None:
    _, text = read(replace(SHEET, valid_until=None, language=language))
    assert nfc(label) in text


def test_optional_fields_left_out() -> None:
    _, text = read(replace(SHEET, issuing_area="", course_version=""))
    assert "Nơi cấp" not in text
    assert "Phiên bản" not in text


def test_long_name_and_title_stay_on_one_page() -> None:
    name = "Nguyễn Thị Hằng Phương Thảo Ngọc Bích " * 4
    title = "Ứng dụng công nghệ số trong chuyển đổi số cộng đồng cấp xã và thôn bản " * 3
    assert len(name) > 120 and len(title) > 120
    reader, text = read(replace(SHEET, holder_name=name.strip(), course_title=title.strip()))
    assert len(reader.pages) == 1
    assert squash("Nguyễn Thị Hằng Phương Thảo") in squash(text)
    assert "K7QM-X2PD-94HT" in text


def test_decomposed_input_is_normalised() -> None:
    _, text = read(replace(SHEET, holder_name=unicodedata.normalize("NFD", SHEET.holder_name)))
    assert nfc("Nguyễn Thị Hằng") in text


def test_verify_url_printed() -> None:
    _, text = read(SHEET)
    assert squash(SHEET.verify_url) in squash(text)


def test_output_is_deterministic() -> None:
    assert certificate_pdf(SHEET) == certificate_pdf(SHEET)


def test_qr_svg_is_inline_markup() -> None:
    svg = qr_svg(SHEET.verify_url)
    assert svg.startswith("<svg")
    assert "<script" not in svg.lower()
    assert "<title>QR</title>" in svg
    assert "#000" in svg


def test_qr_png_signature() -> None:
    assert qr_png(SHEET.verify_url).startswith(b"\x89PNG\r\n\x1a\n")
