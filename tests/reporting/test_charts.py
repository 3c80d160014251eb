"""The report's SVG charts: well-formed, labelled, escaped, and honest about empty data."""

import xml.etree.ElementTree as ET

from reporting.render.charts import monthly_methods_svg, top_activities_svg
from reporting.tables import MonthlyCounts, Row, Section

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[str]:
    return [element.text for element in ET.fromstring(svg).iter(f"{SVG}text")]


def activities(*rows) -> Section:
    return Section(
        5,
        "相談・活動の種別（延べ件数）",
        ("count",),
        tuple(Row(path=path, values={"count": count}, key=f"t{index}") for index, (path, count) in enumerate(rows)),
        has_text=True,
    )


def test_monthly_bars_show_each_months_total_the_months_and_the_legend():
    svg = monthly_methods_svg(MonthlyCounts(("4月", "5月", "6月"), (("電話", (30, 20, 10)), ("Mail", (5, 0, 7)))))
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "月別の相談・支援・活動方法（延べ件数）"
    assert root.find(f"{SVG}title").text == "月別の相談・支援・活動方法（延べ件数）"
    labels = texts(svg)
    assert {"4月", "5月", "6月", "電話", "Mail", "35", "20", "17"} <= set(labels)
    assert "電話 60件" in root.find(f"{SVG}desc").text


def test_the_y_axis_has_round_ticks_above_the_highest_bar():
    svg = monthly_methods_svg(MonthlyCounts(("4月", "5月"), (("電話", (67, 12)),)))
    assert [label for label in texts(svg) if label in {"0", "20", "40", "60", "80", "100"}] == [
        "0",
        "20",
        "40",
        "60",
        "80",
    ]


def test_the_biggest_five_methods_are_shown_and_the_rest_merged_under_a_name_of_their_own():
    # Not "その他": §4 has an その他 row of its own, and the merged series holds more than that row.
    series = tuple((f"方法{n}", (n, n)) for n in range(1, 9)) + (("その他", (1, 0)),)
    svg = monthly_methods_svg(MonthlyCounts(("4月", "5月"), series))
    legend = [label for label in texts(svg) if label.startswith("方法") or "その他" in label or "以外" in label]
    assert legend == ["方法8", "方法7", "方法6", "方法5", "方法4", "上記以外の方法"]
    assert "上記以外の方法 13件" in ET.fromstring(svg).find(f"{SVG}desc").text  # 1+2+3 twice, plus その他's 1


def test_a_single_leftover_method_keeps_its_own_name():
    series = tuple((f"方法{n}", (n,)) for n in range(1, 7))
    legend = [
        label for label in texts(monthly_methods_svg(MonthlyCounts(("4月",), series))) if label.startswith("方法")
    ]
    assert sorted(legend) == [f"方法{n}" for n in range(1, 7)]


def test_every_other_series_is_hatched_so_neighbours_differ_without_colour():
    series = tuple((f"方法{n}", (n,)) for n in range(1, 5))
    svg = monthly_methods_svg(MonthlyCounts(("4月",), series))
    assert svg.count("<pattern ") == 2 and 'fill="url(#report-chart-methods-hatch-1)"' in svg


def test_top_activities_are_the_biggest_rows_first_named_with_their_group():
    section = activities(
        (("保育園・幼稚園等関係",), 13),
        (("情報提供", "保健"), 1),
        (("情報提供", "医療"), 30),
        (("虐待・DV相談",), 0),
        (("在宅医療", "訪問看護"), 61),
    )
    svg = top_activities_svg(section, limit=3)
    assert texts(svg)[1:] == ["在宅医療＞訪問看護", "61", "情報提供＞医療", "30", "保育園・幼稚園等関係", "13"]
    assert ET.fromstring(svg).get("role") == "img"


def test_rows_with_nothing_are_left_out_of_the_top_activities():
    svg = top_activities_svg(activities((("クレーム",), 3), (("虐待・DV相談",), 0)))
    assert "虐待・DV相談" not in svg and "上位1項目" in svg


def test_no_logs_give_a_clear_message_instead_of_a_chart():
    for svg in (
        monthly_methods_svg(MonthlyCounts(("4月", "5月"), (("電話", (0, 0)),))),
        monthly_methods_svg(MonthlyCounts((), ())),
        top_activities_svg(activities((("クレーム",), 0))),
    ):
        assert "該当する記録はありません" in texts(svg)
        assert len(list(ET.fromstring(svg).iter(f"{SVG}rect"))) == 1  # the message's frame, no bars


def test_labels_are_escaped():
    monthly = monthly_methods_svg(MonthlyCounts(("4月",), (("<&>", (3,)),)))
    top = top_activities_svg(activities((("a<b>", "&c"), 2)))
    assert "&lt;&amp;&gt;" in monthly and "<&>" in texts(monthly)
    assert "a&lt;b&gt;＞&amp;c" in top and "a<b>＞&c" in texts(top)
