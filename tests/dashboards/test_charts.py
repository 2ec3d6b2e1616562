import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from lms.dashboards.charts import STATUS_ORDER, ChartRow, percentages, stacked_bar_chart

SVG = "{http://www.w3.org/2000/svg}"
LABELS = {
    "certified": "Đạt chứng nhận",
    "expiring": "Sắp hết hạn",
    "expired": "Đã hết hạn",
    "outdated": "Cần học lại",
    "never": "Chưa hoàn thành",
}


def chart(*rows: ChartRow, width: int = 640) -> Markup:
    return stacked_bar_chart(list(rows), title="Tình trạng theo xã", status_labels=LABELS,
                             width=width)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(f"<div>{svg}</div>").find(f"{SVG}svg")


def texts(root: ET.Element) -> list[str]:
    return [el.text for el in root.iter(f"{SVG}text")]


def test_chart_is_valid_accessible_scalable_svg() -> None:
    svg = chart(ChartRow("Xã Như Xuân", {"certified": 3, "expired": 1}))
    assert isinstance(svg, Markup)
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert re.fullmatch(r"0 0 640 \d+(\.\d+)?", root.get("viewBox"))
    title_id, desc_id = root.get("aria-labelledby").split()
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Tình trạng theo xã")
    assert desc.get("id") == desc_id
    assert desc.text == "Xã Như Xuân (4): Đạt chứng nhận 3 (75%), Đã hết hạn 1 (25%)."


def test_segments_show_shares_and_the_bar_its_total() -> None:
    root = parse(chart(ChartRow("Xã Như Xuân", {"certified": 3, "expired": 1})))
    shown = texts(root)
    assert "75%" in shown and "25%" in shown
    assert "4" in shown
    assert "Xã Như Xuân" in shown
    # The legend names every status it is given a word for, in order.
    expected = [LABELS[s] for s in STATUS_ORDER if s in LABELS]
    assert [t for t in shown if t in LABELS.values()] == expected


def test_fonts_are_large_enough() -> None:
    root = parse(chart(ChartRow("A", {"certified": 1, "never": 1})))
    assert min(float(el.get("font-size")) for el in root.iter(f"{SVG}text")) >= 14


def test_each_status_has_its_own_fill() -> None:
    root = parse(chart(ChartRow("A", dict.fromkeys(STATUS_ORDER, 1))))
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert len(fills) == len(set(fills)) == len(STATUS_ORDER) == 6
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert {f[len("url(#"):-1] for f in fills} <= patterns


def test_labels_are_escaped() -> None:
    svg = chart(ChartRow('<script>alert("x")</script>', {"certified": 1}))
    assert "<script>" not in svg
    root = parse(svg)
    assert '<script>alert("x")</script>' in texts(root)
    assert not list(root.iter("script")) and not list(root.iter(f"{SVG}script"))


def test_escapes_title_and_status_labels() -> None:
    svg = stacked_bar_chart([ChartRow("A", {"never": 2})], title="<b>T</b>",
                            status_labels={"never": "<img src=x>"})
    assert "<b>" not in svg and "<img" not in svg
    parse(svg)


def test_long_label_is_cut_in_the_drawing_only() -> None:
    label = "Xã Thanh Quân, huyện Như Xuân, tỉnh Thanh Hóa, tổ công nghệ số cộng đồng thôn 3"
    root = parse(chart(ChartRow(label, {"certified": 1}), width=360))
    assert any(t.endswith("…") and label.startswith(t[:-1]) for t in texts(root))
    assert label in [el.text for el in root.iter(f"{SVG}title")]


def test_zero_counts_draw_an_empty_bar() -> None:
    root = parse(chart(ChartRow("Xã trống", {}), ChartRow("60+", {"certified": 0})))
    assert texts(root).count("0") == 2
    assert not [t for t in texts(root) if t and t.endswith("%")]
    assert "Xã trống (0)." in root.find(f"{SVG}desc").text


def test_no_rows_draws_only_the_legend() -> None:
    root = parse(chart())
    assert root.get("role") == "img"
    assert set(texts(root)) == set(LABELS.values())


def test_narrow_segments_keep_their_share_in_the_tooltip() -> None:
    root = parse(chart(ChartRow("A", {"certified": 99, "never": 1})))
    assert "1%" not in texts(root)
    assert "Chưa hoàn thành: 1 (1%)" in [el.text for el in root.iter(f"{SVG}title")]


def test_rejects_unknown_status_and_negative_counts() -> None:
    with pytest.raises(ValueError, match="unknown"):
        chart(ChartRow("A", {"passed": 1}))
    with pytest.raises(ValueError, match="negative"):
        chart(ChartRow("A", {"certified": -1}))


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ([3, 0, 1, 0, 0], [75, 0, 25, 0, 0]),
        ([1, 1, 1, 0, 0], [34, 33, 33, 0, 0]),
        ([0, 0, 0, 0, 0], [0, 0, 0, 0, 0]),
        ([1, 0, 0, 0, 999], [0, 0, 0, 0, 100]),
    ],
)
def test_percentages_add_up_to_100(counts: list[int], expected: list[int]) -> None:
    assert percentages(counts) == expected


def test_tiny_share_reads_less_than_one_percent() -> None:
    root = parse(chart(ChartRow("A", {"certified": 1, "never": 999})))
    assert "Đạt chứng nhận 1 (<1%)" in root.find(f"{SVG}desc").text
