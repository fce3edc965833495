"""Server-drawn SVG bar charts: a title and a description with the figures for screen
readers, bars in proportion, every label escaped, a message when there is nothing to draw."""

import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from shop.charts import _nice_ceiling, bar_chart
from shop.money import format_rupiah

SVG = "{http://www.w3.org/2000/svg}"
WEEK = [("Mon 2 Nov", 10000), ("Tue 3 Nov", 0), ("Wed 4 Nov", 25000), ("Thu 5 Nov", 5000)]


@pytest.fixture(autouse=True)
def english_words(in_english):
    """The charts' own words ("Nothing to show yet.", "Highest:") read in English here."""


def parsed(chart: Markup) -> ET.Element:
    return ET.fromstring(str(chart))  # also proves the SVG is well-formed XML


def bars_of(svg: ET.Element) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if rect.get("class") == "chart-bar"]


def texts_of(svg: ET.Element) -> list[str]:
    return [text.text for text in svg.iter(f"{SVG}text")]


def test_the_chart_is_an_image_named_by_its_title_and_description():
    chart = bar_chart(WEEK, "Sales per day", "Gross sales from 2 to 5 November.")

    svg = parsed(chart)
    assert isinstance(chart, Markup)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), title.text) == (title_id, "Sales per day")
    # The description says the figures: the total and the highest bar.
    assert (desc.get("id"), desc.text) == (
        desc_id,
        "Gross sales from 2 to 5 November. Total: Rp 40.000. Highest: Wed 4 Nov, Rp 25.000.",
    )
    assert "<script" not in chart and "style=" not in chart  # no JavaScript, CSP-safe


def test_the_chart_takes_its_containers_width_with_text_at_the_pages_size():
    svg = parsed(bar_chart(WEEK, "Sales", ""))

    assert svg.get("width") == "100%"
    assert svg.get("viewBox") is None  # a viewBox would shrink the text on a phone
    plot = svg.find(f"{SVG}svg")
    assert plot.get("width") == "100%" and plot.get("preserveAspectRatio") == "none"
    assert plot.get("viewBox") == "0 0 40 25000"  # 4 columns of 10 units; the top is 25.000


def test_bar_heights_are_the_values_on_one_scale():
    svg = parsed(bar_chart(WEEK, "Sales", ""))

    bars = bars_of(svg)
    # The zero bar is not drawn; the others stand on the baseline of the 25.000-high plot.
    assert [int(bar.get("height")) for bar in bars] == [10000, 25000, 5000]
    assert [int(bar.get("y")) + int(bar.get("height")) for bar in bars] == [25000] * 3
    assert [int(bar.get("x")) for bar in bars] == [1, 21, 31]
    assert [bar.find(f"{SVG}title").text for bar in bars] == [
        "Mon 2 Nov: Rp 10.000",
        "Wed 4 Nov: Rp 25.000",
        "Thu 5 Nov: Rp 5.000",
    ]


def test_the_grid_is_labelled_with_round_values():
    svg = parsed(bar_chart([("A", 1234), ("B", 17000)], "Sales", ""))

    assert svg.find(f"{SVG}svg").get("viewBox") == "0 0 20 20000"
    assert texts_of(svg)[:2] == ["Rp 20.000", "Rp 10.000"]


@pytest.mark.parametrize(
    "value, ceiling",
    [(0, 1), (1, 1), (3, 5), (7, 10), (15, 20), (21, 25), (26, 50), (45000, 50000)],
)
def test_the_top_of_the_scale_is_a_round_number(value, ceiling):
    assert _nice_ceiling(value) == ceiling


def test_horizontal_bar_widths_are_in_proportion_to_the_longest():
    products = [("Keripik Tempe 200 g", 45000), ("Sambal Roa", 15000), ("Tas Anyaman", 0)]

    svg = parsed(bar_chart(products, "Best sellers", "", horizontal=True))

    assert [bar.get("width") for bar in bars_of(svg)] == ["100%", "33.333%"]
    assert texts_of(svg) == [
        "Keripik Tempe 200 g",
        "Rp 45.000",
        "Sambal Roa",
        "Rp 15.000",
        "Tas Anyaman",
        "Rp 0",
    ]
    assert svg.get("height") == str(3 * 46)


def test_every_label_and_text_is_escaped():
    evil = '<script>alert("x")</script> & "quotes"'

    chart = bar_chart([(evil, 5)], f"{evil} title", f"{evil} desc", value_label=str)

    assert "<script>" not in chart
    svg = parsed(chart)
    assert svg.find(f"{SVG}title").text == f"{evil} title"
    assert svg.find(f"{SVG}desc").text.startswith(f"{evil} desc")
    assert bars_of(svg)[0].find(f"{SVG}title").text == f"{evil}: 5"
    horizontal = bar_chart([(evil, 5)], "t", "d", horizontal=True, chart_id='x" onload="y')
    assert "<script>" not in horizontal and 'onload="y' not in horizontal
    parsed(horizontal)


@pytest.mark.parametrize("bars", [[], [("1 Nov", 0), ("2 Nov", 0)]])
@pytest.mark.parametrize("horizontal", [False, True])
def test_nothing_to_draw_says_so_with_title_and_description(bars, horizontal):
    chart = bar_chart(bars, "Sales per day", "November.", horizontal=horizontal)

    svg = parsed(chart)
    assert bars_of(svg) == []
    assert "Nothing to show yet." in texts_of(svg)
    assert svg.find(f"{SVG}title").text == "Sales per day"
    assert svg.find(f"{SVG}desc").text == "November."
    assert svg.get("aria-labelledby")
    assert int(svg.get("height")) > 0


def test_the_empty_text_can_be_given():
    chart = bar_chart([], "Sales", "", empty_text="No sales in this period.")

    assert "No sales in this period." in texts_of(parsed(chart))


def test_many_columns_get_a_few_evenly_spread_labels_that_fit_a_phone():
    days = [(f"{day} November 2026", day * 1000) for day in range(1, 31)]

    svg = parsed(bar_chart(days, "Sales", "", axis_labels=[f"{d} Nov" for d in range(1, 31)]))

    labels = [t for t in svg.iter(f"{SVG}text") if t.text.endswith("Nov")]
    assert [label.text for label in labels] == ["1 Nov", "8 Nov", "15 Nov", "23 Nov", "30 Nov"]
    # The outer ones line up with the plot's edges, so neither is cut off.
    assert (labels[0].get("x"), labels[0].get("text-anchor")) == ("0%", "start")
    assert (labels[-1].get("x"), labels[-1].get("text-anchor")) == ("100%", "end")
    # Each bar keeps its full label for its tooltip.
    assert bars_of(svg)[0].find(f"{SVG}title").text == "1 November 2026: Rp 1.000"


def test_few_columns_label_every_one_and_long_labels_are_cut_short():
    bars = [("January 2026", 5), ("A very long month name indeed", 7)]

    svg = parsed(bar_chart(bars, "Orders", "", value_label=str))

    assert texts_of(svg)[-2:] == ["January 2026", "A very long…"]
    assert [t.get("x") for t in svg.iter(f"{SVG}text")][-2:] == ["25%", "75%"]


def test_two_charts_on_a_page_have_their_own_ids():
    first = bar_chart(WEEK, "Sales per day", "")
    second = bar_chart(WEEK, "Best-selling products", "", horizontal=True)

    ids = re.findall(r' id="([^"]+)"', str(first) + str(second))
    assert len(ids) == len(set(ids)) == 4


def test_values_can_be_counts():
    svg = parsed(bar_chart([("A", 3)], "Orders", "", value_label=lambda n: f"{n} orders"))

    assert svg.find(f"{SVG}desc").text == "Total: 3 orders. Highest: A, 3 orders."
    assert format_rupiah(3) not in str(ET.tostring(svg))


def test_axis_labels_go_one_per_bar():
    with pytest.raises(ValueError):
        bar_chart(WEEK, "Sales", "", axis_labels=["Mon"])
