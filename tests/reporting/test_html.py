"""The HTML report: table structure from a hand-built report, and the demo report against the seed."""

from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser

import pytest

from coordination.fiscal import FiscalPeriod
from reporting.quarterly import build_quarterly_report
from reporting.render import html
from reporting.tables import EventSection, EventTable, MonthlyCounts, Report, Row, Section

VOID = {"meta", "link", "br", "img", "input", "hr", "col", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)

    def all(self, tag: str, **attrs) -> list["Node"]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and all(child.attrs.get(k.rstrip("_")) == v for k, v in attrs.items()):
                    found.append(child)
                found += child.all(tag, **attrs)
        return found

    def one(self, tag: str, **attrs) -> "Node":
        [node] = self.all(tag, **attrs)
        return node

    @property
    def text(self) -> str:
        return self.raw_text.strip()

    @property
    def raw_text(self) -> str:
        return "".join(child if isinstance(child, str) else child.raw_text for child in self.children)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = [Node("root")]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag not in VOID:
            assert self.stack.pop().tag == tag, f"</{tag}> closes another element"

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(markup: str) -> Node:
    builder = TreeBuilder()
    builder.feed(markup)
    builder.close()
    assert len(builder.stack) == 1, "unclosed elements"
    return builder.stack[0]


def cells(tr: Node) -> list[Node]:
    return [child for child in tr.children if isinstance(child, Node) and child.tag in {"th", "td"}]


def section_table(page: Node, number: int) -> Node:
    section = page.one("section", **{"aria-labelledby": f"report-section-{number}"})
    return section.one("table")


def body_rows(table: Node) -> list[list[Node]]:
    return [cells(tr) for tbody in table.all("tbody") for tr in tbody.all("tr")]


def row_groups(table: Node) -> list[tuple[str, list[str]]]:
    """The table's <tbody> row groups: how print keeps it (with the heading row, on one page, or
    not), and its rows' first cells."""
    return [
        (tbody.attrs.get("class", ""), [cells(tr)[0].text for tr in tbody.all("tr")]) for tbody in table.all("tbody")
    ]


def unbroken_pieces(cell: Node) -> list[str]:
    """The pieces a cell's text never breaks inside: the whole text when the cell keeps it on one
    line, else its pieces that each do ([] when the text may wrap anywhere)."""
    if "nobr" in cell.classes():
        return [cell.text]
    return [span.text for span in cell.all("span", class_="nobr")]


AGE_HEADINGS = ("相談対象 (実人数)", "相談数 (延べ件数)", "医ケア 有", "医ケア 無")


def small_report(**changes) -> Report:
    sections = (
        Section(
            1,
            "相談対象者 (実人数)",
            ("clients", "contacts", "with_care", "without_care"),
            (
                Row(("未就学児",), {"clients": 3, "contacts": 10, "with_care": 2, "without_care": 1}, key="preschool"),
                Row(
                    ("就学児", "小学生"),
                    {"clients": 2, "contacts": 5, "with_care": 1, "without_care": 1},
                    key="elementary",
                ),
                Row(
                    ("就学児", "中学生"),
                    {"clients": 1, "contacts": 1, "with_care": 1, "without_care": 0},
                    key="junior_high",
                ),
                Row(("不明",), {"clients": 0, "contacts": 0, "with_care": 0, "without_care": 0}, key="unknown"),
            ),
            headings=AGE_HEADINGS,
        ),
        Section(
            3,
            "相談者および機関数 (延べ件数)",
            ("count",),
            (
                Row(("当事者", "本人"), {"count": 1}, "訪看訪問に同行", key="self"),
                Row(("当事者", "親", "両親"), {"count": 2}, key="parents"),
                Row(("当事者", "親", "母"), {"count": 1240}, key="mother"),
                Row(("家族その他",), {"count": 0}, key="family_other"),
                Row(("医療機関", "訪問看護"), {"count": 5}, "A訪看 <東>, B&C", key="visiting_nurse"),
            ),
            has_text=True,
            headings=("件数",),
            text_heading="相手先や主な内容",
        ),
    )
    events = (
        EventSection(
            6,
            "ネットワーク構築（情報収集・連絡・調整・会議等）",
            (EventTable("会議", ("会議参加", "会議名", "開催日"), (("参加", "合同報告会", "5月2日"),)),),
        ),
        EventSection(8, "その他", (EventTable("その他", ("課題・テーマ", "期間"), ()),)),
    )
    values = {
        "title": "業務報告書 ( 令和7年度 第1四半期：2025年4月1日～2025年6月30日現在 )",
        "office": "テスト区医療的ケア児等コーディネーター事業",
        "schedule": "月・水・金 9:00～17:00",
        "fiscal_year": 2025,
        "quarters": (1, 1),
        "start": date(2025, 4, 1),
        "end": date(2025, 6, 30),
        "business_days": 36,
        "out_of_hours": 4,
        "activities": 40,
        "sections": sections,
        "event_sections": events,
        "footnotes": ("年齢区分は年度初日（4月1日）時点",),
        "monthly_methods": MonthlyCounts(("4月", "5月", "6月"), (("電話", (5, 4, 3)),)),
    }
    return Report(**(values | changes))


def test_a_group_label_spans_its_rows_and_a_short_path_spans_the_label_columns():
    table = section_table(parse(html.body(small_report())), 3)
    header = cells(table.one("thead").one("tr"))
    assert (header[0].text, header[0].attrs["colspan"]) == ("区分", "3")
    labels = [
        [(c.text, c.attrs.get("rowspan", "1"), c.attrs.get("colspan", "1")) for c in row if c.tag == "th"]
        for row in body_rows(table)
    ]
    assert labels == [
        [("当事者", "3", "1"), ("本人", "1", "2")],
        [("親", "2", "1"), ("両親", "1", "1")],
        [("母", "1", "1")],
        [("家族その他", "1", "3")],
        [("医療機関", "1", "1"), ("訪問看護", "1", "2")],
        [("合計", "1", "3")],
    ]


def test_header_cells_have_scopes_and_every_table_a_caption_for_screen_readers_only():
    page = parse(html.body(small_report()))
    rows = body_rows(section_table(page, 1))
    assert [(c.text, c.attrs["scope"]) for c in rows[1] if c.tag == "th"] == [("就学児", "rowgroup"), ("小学生", "row")]
    assert all(th.attrs.get("scope") == "col" for th in section_table(page, 1).one("thead").all("th"))
    captions = [table.one("caption") for table in page.all("table")]
    assert [caption.text for caption in captions] == [
        "1. 相談対象者 (実人数)",
        "3. 相談者および機関数 (延べ件数)",
        "会議",
        "その他",
    ]
    assert all(caption.classes() == {"visually-hidden"} for caption in captions)


def test_rows_print_in_row_groups_a_group_kept_with_its_rows_and_the_total_with_the_last_rows():
    page = parse(html.body(small_report()))
    # 就学児's rows join the first leaf to make the first rows kept with the heading.
    assert row_groups(section_table(page, 1)) == [
        ("report-first", ["未就学児", "就学児", "中学生"]),
        ("report-keep", ["不明", "合計"]),
    ]
    assert row_groups(section_table(page, 3)) == [
        ("report-first", ["当事者", "親", "母"]),
        ("", ["家族その他"]),
        ("report-keep", ["医療機関", "合計"]),
    ]
    leaves = Section(
        5,
        "相談・活動の種別（延べ件数）",
        ("count",),
        tuple(Row((f"種別{n}",), {"count": n}) for n in range(1, 9)),
        has_text=True,
    )
    assert row_groups(section_table(parse(html.body(small_report(sections=(leaves,)))), 5)) == [
        ("report-first", ["種別1", "種別2", "種別3"]),
        ("", ["種別4", "種別5", "種別6"]),
        ("report-keep", ["種別7", "種別8", "合計"]),
    ]


def test_a_label_wraps_only_at_a_space_or_a_natural_break():
    section = Section(
        5,
        "相談・活動の種別（延べ件数）",
        ("count",),
        (
            Row(("地域づくり", "区内相談支援事業者等に対する人材育成支援"), {"count": 1}),
            Row(("オンライン（Zoom等）",), {"count": 1}),
            Row(("Medical Care Station",), {"count": 1}),
        ),
    )
    rows = body_rows(section_table(parse(html.body(small_report(sections=(section,)))), 5))
    assert [unbroken_pieces(cell) for row in rows[:3] for cell in row if cell.tag == "th"] == [
        ["地域づくり"],
        ["区内相談支援事業者等", "に対する", "人材育成支援"],
        ["オンライン", "（Zoom等）"],
        ["Medical", "Care", "Station"],
    ]


def test_label_columns_are_as_wide_as_their_labels_in_print():
    page = parse(html.body(small_report()))
    widths = [col.attrs["class"] for col in section_table(page, 3).one("colgroup").all("col")]
    # 医療機関 (4 characters and the padding); 親; 両親; 本人 and 訪問看護 span the last two.
    assert widths == ["report-w-6", "report-w-3", "report-w-4", "report-col-num", "report-col-text"]


def test_section_1_has_its_four_columns_and_right_aligned_numbers():
    table = section_table(parse(html.body(small_report())), 1)
    assert [th.text for th in table.one("thead").all("th")] == [
        "区分",
        "相談対象 (実人数)",
        "相談数 (延べ件数)",
        "医ケア 有",
        "医ケア 無",
    ]
    first = body_rows(table)[0]
    assert [c.text for c in first if c.tag == "td"] == ["3", "10", "2", "1"]
    assert all("num" in c.classes() for c in first if c.tag == "td")


def test_the_total_row_sums_each_column():
    page = parse(html.body(small_report()))
    total = body_rows(section_table(page, 1))[-1]
    assert [c.text for c in total] == ["合計", "6", "16", "4", "2"]
    assert "report-total" in section_table(page, 1).all("tbody")[-1].all("tr")[-1].classes()
    assert [c.text for c in body_rows(section_table(page, 3))[-1]] == ["合計", "1,248", ""]


def test_the_column_headings_are_the_reports_own():
    section = Section(
        2,
        "相談対象者の住所 (実人数)",
        ("clients",),
        (Row(("王子地区",), {"clients": 4}, key="oji"),),
        headings=("実人数 <区内>",),
    )
    notes = Section(
        5,
        "相談・活動の種別（延べ件数）",
        ("count",),
        (Row(("クレーム",), {"count": 1}, "電話で", key="c"),),
        has_text=True,
        headings=("件数",),
        text_heading="主な内容",
    )
    page = parse(html.body(small_report(sections=(section, notes))))
    assert [th.text for th in section_table(page, 2).one("thead").all("th")] == ["区分", "実人数 <区内>"]
    assert [th.text for th in section_table(page, 5).one("thead").all("th")] == ["区分", "件数", "主な内容"]


def test_text_columns_appear_only_where_the_section_has_text_and_are_escaped():
    markup = html.body(small_report())
    page = parse(markup)
    assert "相手先や主な内容" in [th.text for th in section_table(page, 3).one("thead").all("th")]
    assert not section_table(page, 1).all("td", class_="text")
    assert "A訪看 &lt;東&gt;, B&amp;C" in markup
    assert [td.text for td in section_table(page, 3).all("td", class_="text")][:1] == ["訪看訪問に同行"]


def test_the_previous_period_adds_a_column_after_each_number():
    before = small_report(
        sections=(
            Section(
                1,
                "相談対象者 (実人数)",
                ("clients", "contacts", "with_care", "without_care"),
                (
                    Row(
                        ("未就学児",),
                        {"clients": 7, "contacts": 70, "with_care": 6, "without_care": 1},
                        key="preschool",
                    ),
                    Row(
                        ("就学児(旧)", "小学生"),
                        {"clients": 4, "contacts": 9, "with_care": 4, "without_care": 0},
                        key="elementary",
                    ),
                ),
            ),
            Section(
                3,
                "相談者および機関数 (延べ件数)",
                ("count",),
                (
                    Row(("当事者", "親", "母"), {"count": 99}),  # no key: found by its path
                ),
                has_text=True,
            ),
        )
    )
    page = parse(html.body(small_report(), before))
    section_1 = section_table(page, 1)
    assert [th.text for th in section_1.one("thead").all("th")][1:3] == [
        "相談対象 (実人数)",
        "相談対象 (実人数) 前年同期",
    ]
    rows = body_rows(section_1)
    assert [c.text for c in rows[0] if c.tag == "td"] == ["3", "7", "10", "70", "2", "6", "1", "1"]
    assert [c.text for c in rows[1] if c.tag == "td"][:2] == ["2", "4"]  # matched by key despite the new label
    assert [c.text for c in rows[2] if c.tag == "td"][:2] == ["1", "—"]
    assert [c.text for c in rows[-1]][:3] == ["合計", "6", "11"]
    assert all("prior" in c.classes() for c in rows[0][2::2])
    mother = [row for row in body_rows(section_table(page, 3)) if row[0].text == "母"][0]
    assert [c.text for c in mother] == ["母", "1,240", "99", ""]


def test_a_missing_previous_section_shows_dashes():
    page = parse(html.body(small_report(), small_report(sections=())))
    assert [c.text for c in body_rows(section_table(page, 3))[-1]] == ["合計", "1,248", "—", ""]


def test_event_tables_take_their_columns_and_an_empty_one_is_its_heading_row():
    page = parse(html.body(small_report()))
    meetings, others = [t for t in page.all("table") if "report-table--events" in t.classes()]
    assert [th.text for th in meetings.one("thead").all("th")] == ["会議参加", "会議名", "開催日"]
    assert [td.text for td in meetings.one("tbody").all("td")] == ["参加", "合同報告会", "5月2日"]
    assert [th.text for th in others.one("thead").all("th")] == ["課題・テーマ", "期間"]
    assert not others.all("tbody") and "該当する記録はありません" not in html.body(small_report())


def test_a_sections_event_tables_read_as_one_with_a_grouped_column_merged():
    outreach = EventTable(
        "周知活動等",
        ("周知活動等", "実施機関", "参加者数"),
        (("区内", "A病院", "3名"), ("区内", "B園", "学生70名 教員4名"), ("区外", "C病院", "100名程度")),
        grouped=True,
    )
    meetings = EventTable("会議", ("会議参加", "会議名", "参加者数"), (("参加", "合同報告会", "委員14名"),))
    events = (EventSection(6, "ネットワーク構築（情報収集・連絡・調整・会議等）", (outreach, meetings)),)
    section = parse(html.body(small_report(event_sections=events))).one(
        "section", **{"aria-labelledby": "report-section-6"}
    )
    first, second = section.one("div", class_="report-table-wrap").all("table")
    assert [th.text for th in first.one("thead").all("th")] + [th.text for th in second.one("thead").all("th")] == [
        "周知活動等",
        "実施機関",
        "参加者数",
        "会議参加",
        "会議名",
        "参加者数",
    ]
    assert [len(table.one("colgroup").all("col")) for table in (first, second)] == [3, 3]
    scopes = [
        [(c.text, c.attrs.get("rowspan", "1")) for c in cells(tr) if c.tag == "th"]
        for tbody in first.all("tbody")
        for tr in tbody.all("tr")
    ]
    assert scopes == [[("区内", "2")], [], [("区外", "1")]]
    assert [len(tbody.all("tr")) for tbody in first.all("tbody")] == [2, 1]
    # A short value breaks between its words only: 「学生70名 / 教員4名」, never 「100名程 / 度」.
    assert [unbroken_pieces(td) for td in first.all("td")][-3:] == [["学生70名", "教員4名"], ["C病院"], ["100名程度"]]
    assert unbroken_pieces(cells(first.all("tr")[-1])[0]) == ["区外"]


def test_the_header_charts_and_footnotes():
    page = parse(html.body(small_report()))
    header = page.one("header", class_="report-header")
    assert header.one("h1").text.startswith("業務報告書")
    assert [li.text for li in header.all("li")] == ["36 営業日", "時間外の活動：4回 / 40回"]
    assert len(page.all("svg")) == 1  # no section 5, so no activity chart
    assert page.one("footer", class_="report-footnotes").text == "※ 年齢区分は年度初日（4月1日）時点"


def test_the_download_is_a_standalone_deterministic_document():
    document = html.render(small_report())
    text = document.decode("utf-8")
    page = parse(text)
    assert text.startswith("<!doctype html>") and page.one("html").attrs["lang"] == "ja"
    assert page.one("head").one("title").text == small_report().title
    assert ".report-table" in page.one("style").text and not page.all("link")
    assert document == html.render(small_report())


@pytest.mark.django_db
def test_the_demo_report_has_the_seed_header_and_totals(demo_office):
    report = build_quarterly_report(demo_office, FiscalPeriod(2025, 1, 3))
    page = parse(html.body(report))
    assert [li.text for li in page.one("header", class_="report-header").all("li")] == [
        "104 営業日",
        "時間外の活動：123回 / 459回",
    ]
    totals = {
        number: [c.text for c in body_rows(section_table(page, number))[-1] if c.tag == "td" and c.text]
        for number in range(1, 6)
    }
    assert totals == {1: ["32", "282", "26", "6"], 2: ["32"], 3: ["434"], 4: ["431"], 5: ["463"]}
    mother = [row for row in body_rows(section_table(page, 3)) if row[0].text == "母"][0]
    assert [c.text for c in mother][:2] == ["母", "124"]
    assert [svg.attrs["id"] for svg in page.all("svg")] == ["report-chart-methods", "report-chart-activities"]
    assert [h2.text for h2 in page.all("h2")][-3:] == [
        "6. ネットワーク構築（情報収集・連絡・調整・会議等）",
        "7. 人材育成（研修参加・研修開催等）",
        "8. その他",
    ]
    # §6 as the seed prints it: the outreach rows, 区内 first with its scope merged, then the meetings.
    outreach, meetings = page.one("section", **{"aria-labelledby": "report-section-6"}).all("table")
    assert [(th.text, th.attrs.get("rowspan")) for th in outreach.all("th") if "group" in th.classes()] == [
        ("区内", "2"),
        ("区外", "3"),
    ]
    assert meetings.one("thead").all("th")[0].text == "会議参加" and len(body_rows(meetings)) == 20
    assert not page.one("section", **{"aria-labelledby": "report-section-8"}).one("table").all("tbody")


def test_the_download_has_the_charts_only_when_asked():
    assert not parse(html.render(small_report()).decode("utf-8")).all("svg")
    assert len(parse(html.render(small_report(), charts=True).decode("utf-8")).all("svg")) == 1
