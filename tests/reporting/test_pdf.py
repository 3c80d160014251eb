"""The PDF, read back with poppler: the seed's text, embedded Japanese fonts, numbered A4 pages."""

import re
import subprocess
from dataclasses import replace

import pdfplumber
import pytest

from accounts.models import Office
from coordination.fiscal import FiscalPeriod
from reporting.quarterly import build_quarterly_report
from reporting.render import pdf
from reporting.tables import EventSection, EventTable, Row, Section

from .test_html import small_report

pytestmark = pytest.mark.django_db
DEMO_OFFICE, PERIOD = "北区医療的ケア児等コーディネーター事業", FiscalPeriod(2025, 1, 3)


def poppler(*command) -> str:
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, check=True).stdout


def text(path, mode="-layout") -> str:
    return poppler("pdftotext", mode, path, "-")


def fonts(path) -> dict[str, str]:
    """pdffonts: font name → its "emb" column."""
    lines = poppler("pdffonts", path).splitlines()[2:]
    return {line.split()[0]: line.split()[-5] for line in lines}


@pytest.fixture(scope="module")
def demo_pdf(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo report's PDF, rendered once for the module (it takes about a second)."""
    with django_db_blocker.unblock():
        report = build_quarterly_report(Office.objects.get(name=DEMO_OFFICE), PERIOD)
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(pdf.render(report))
    return path


def write(tmp_path, report, name="report.pdf"):
    path = tmp_path / name
    path.write_bytes(pdf.render(report))
    return path


def test_the_pdf_reads_like_the_seed(demo_pdf):
    layout = text(demo_pdf)
    assert "業務報告書 ( 令和7年度 第1～3四半期：2025年4月1日～2025年12月31日現在 )" in layout
    assert DEMO_OFFICE in layout
    assert "104 営業日" in layout and "123回 / 459回" in layout
    for total in ("434", "431", "463"):
        assert re.search(rf"^\s*合計\s+{total}\s*$", layout, re.M)
    assert re.search(r"^\s*合計\s+32\s+282\s+26\s+6\s*$", layout, re.M)
    assert re.search(r"^\s*母\s+124\s*$", layout, re.M)
    assert re.search(r"^\s*電話\s+218\s*$", layout, re.M)
    assert "合同報告会" in layout and "SUKU♡SUKU" in layout


def test_the_pdf_embeds_a_subset_of_ipaexgothic(demo_pdf):
    embedded = fonts(demo_pdf)
    ipaex = [name for name in embedded if re.fullmatch(r"[A-Z]{6}\+IPAexGothic", name)]
    assert ipaex and all(embedded[name] == "yes" for name in ipaex)
    assert set(embedded.values()) == {"yes"}


def test_the_demo_pdf_has_one_font_family(demo_pdf):
    """IPAexGothic alone: no Noto for bold text, no DejaVu for a symbol, no synthetic-bold copy."""
    assert [name.split("+")[-1] for name in fonts(demo_pdf)] == ["IPAexGothic"]


def test_pages_are_a4_numbered_and_repeat_the_table_headers(demo_pdf):
    info = poppler("pdfinfo", demo_pdf)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M)[1])
    assert pages >= 2
    assert re.search(r"^Page size:\s+595\.\d* x 841\.\d* pts \(A4\)", info, re.M)
    raw = text(demo_pdf, "-raw")  # -layout squeezes the small page numbers to "1/8"
    assert f"1 / {pages}" in raw and f"{pages} / {pages}" in raw
    # Section 5 runs over several pages: its column headings start each of them.
    assert len(re.findall(r"^\s*区分\s+件数\s+主な内容\s*$", text(demo_pdf), re.M)) >= 2


def test_every_table_fits_between_the_page_margins(demo_pdf):
    """The label columns are as wide as their labels need and the text column takes the rest."""
    with pdfplumber.open(demo_pdf) as document:
        for page in document.pages:
            right = page.width - 12 / 25.4 * 72  # the 12 mm margin
            assert max(word["x1"] for word in page.extract_words()) <= right
            assert max(line["x1"] for line in page.lines + page.rects) <= right + 1


def test_the_event_sections_print_as_the_seed_does(demo_pdf):
    layout = text(demo_pdf)
    # §6: the outreach heading row, its rows, then the meetings' heading row; no captions.
    section_6 = layout[layout.index("6. ネットワーク構築") : layout.index("7. 人材育成")]
    assert re.search(r"^\s*周知活動等\s+実施機関\s+実施日\s+方法\s+内容\s+対象\s+参加者数\s*$", section_6, re.M)
    assert re.search(r"^\s*会議参加\s+会議名\s+開催日\s+方法・会場\s+主な議題\s+対象\s+参加者数\s*$", section_6, re.M)
    assert (
        section_6.index("周知活動等") < section_6.index("区内") < section_6.index("区外") < section_6.index("会議参加")
    )
    assert not re.search(r"^\s*(会議|研修|その他)\s*$", layout, re.M)
    # §8 is its heading row alone.
    section_8 = layout[layout.index("8. その他") :]
    assert re.search(r"課題・テーマ\s+期間\s+方法\s+内容・結果など\s+対象", section_8)
    assert "該当する記録はありません" not in layout


def test_the_charts_print_only_when_asked(tmp_path):
    with_charts = tmp_path / "charts.pdf"
    with_charts.write_bytes(pdf.render(small_report(), charts=True))
    assert "月別の相談・支援・活動方法" in text(with_charts)  # the monthly chart's title
    assert "月別の相談・支援・活動方法" not in text(write(tmp_path, small_report()))
    assert [name.split("+")[-1] for name in fonts(with_charts)] == ["IPAexGothic"]


def test_a_rare_kanji_falls_back_to_noto_sans_cjk(tmp_path):
    plain = small_report()
    rare = replace(
        plain,
        event_sections=(
            EventSection(
                6,
                "ネットワーク構築（情報収集・連絡・調整・会議等）",
                (EventTable("会議", ("会議参加", "会議名", "開催日"), (("参加", "𠮷田地区連絡会", "5月2日"),)),),
            ),
        ),
    )
    regular_noto = re.compile(r"[A-Z]{6}\+Noto-?Sans-?CJK-?JP(-Regular)?$")
    assert not any(regular_noto.match(name) for name in fonts(write(tmp_path, plain, "plain.pdf")))
    path = write(tmp_path, rare)
    noto = [name for name in fonts(path) if regular_noto.match(name)]
    assert noto and fonts(path)[noto[0]] == "yes"
    assert "𠮷田地区連絡会" in text(path)


def test_the_same_report_gives_the_same_bytes(demo_office, demo_pdf):
    assert pdf.render(build_quarterly_report(demo_office, PERIOD)) == demo_pdf.read_bytes()


def test_the_prior_period_column_prints_when_asked(tmp_path):
    before = small_report(
        sections=(
            Section(3, "相談者および機関数 (延べ件数)", ("count",), (Row(("当事者", "親", "母"), {"count": 99}),)),
        )
    )
    path = tmp_path / "compared.pdf"
    path.write_bytes(pdf.render(small_report(), before))
    layout = text(path)
    assert "前年同期" in layout
    assert re.search(r"^\s*母\s+1,240\s+99\s*$", layout, re.M)
    assert "前年同期" not in text(write(tmp_path, small_report()))
