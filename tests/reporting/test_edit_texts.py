"""The 文章を編集 page: rows with a count or a text in sight, the others one click away; what is
saved (§3, §4, §5, rows not posted kept) and a stale save refused."""

import json
import re

import pytest
from django.urls import reverse

from coordination.fiscal import FiscalPeriod
from reporting import services

pytestmark = pytest.mark.django_db
FY2025_Q1_3 = "fiscal_year=2025&quarters=1-3"
URL = f"{reverse('reporting:edit_texts')}?{FY2025_Q1_3}"


def sections_of(page: str) -> dict[str, tuple[str, str]]:
    """Each section's HTML by its heading: (the part in sight, the part behind 「件数が0の行」)."""
    parts = {}
    for chunk in page.split('<section class="text-section"')[1:]:
        chunk = chunk.split("</section>")[0]
        heading = re.search(r"<h2[^>]*>([^<]+)</h2>", chunk).group(1)
        shown, _, others = chunk.partition("<details")
        parts[heading] = (shown, others)
    return parts


def box(section: int, key: str) -> str:
    return f'name="text_{section}_{key}"'


def saved_report(client) -> dict:
    response = client.get(f"{reverse('reporting:download', args=['json'])}?{FY2025_Q1_3}")
    return json.loads(b"".join(response.streaming_content))


def row_of(report: dict, number: int, key: str) -> dict:
    section = next(s for s in report["sections"] if s["number"] == number)
    return next(row for row in section["rows"] if row["key"] == key)


def posted(form, *, only_in_sight: bool) -> dict:
    """The form's data as a browser posts it: every box, or only the boxes in sight (a page that had no others)."""
    data = {"schedule": form["schedule"].initial, "seen": form["seen"].initial}
    for group in form.text_sections:
        for item in group.shown + ([] if only_in_sight else group.others):
            data[item.field.html_name] = item.field.initial
    return data


@pytest.fixture
def signed_in(client, supervisor):
    client.force_login(supervisor)
    return client


def test_only_rows_with_a_count_or_a_text_get_a_box_in_sight(signed_in):
    response = signed_in.get(URL)
    sections = sections_of(response.content.decode())
    assert list(sections) == [
        "3. 相談者および機関数 (延べ件数)",
        "4. 相談・支援・活動方法（延べ件数）",
        "5. 相談・活動の種別（延べ件数）",
    ]
    shown, others = sections["3. 相談者および機関数 (延べ件数)"]
    assert box(3, "party-parent-mother") in shown and "124件" in shown  # the count beside the label
    assert "件数が0の行（12行）" in others
    for group in response.context["form"].text_sections:
        for item in group.others:
            assert item.count == 0 and not item.field.initial
        for item in group.shown:
            assert item.count or item.field.initial
        shown, others = sections[next(h for h in sections if h.startswith(f"{group.section.number}."))]
        assert all(box(group.section.number, item.row.key) in others for item in group.others)
        assert not any(box(group.section.number, item.row.key) in shown for item in group.others)
        if group.others:
            assert f"件数が0の行（{len(group.others)}行）" in others


def test_section_4_texts_are_editable(signed_in):
    form = signed_in.get(URL).context["form"]
    section_4 = next(group for group in form.text_sections if group.section.number == 4)
    key = (section_4.shown + section_4.others)[0].row.key
    data = posted(form, only_in_sight=False)
    data[f"text_4_{key}"] = "区内の小学校で説明会"
    response = signed_in.post(URL, data, follow=True)
    assert "下書きの文章を保存しました。" in response.content.decode()
    assert row_of(saved_report(signed_in), 4, key)["text"] == "区内の小学校で説明会"


def test_rows_not_posted_keep_their_texts(signed_in, supervisor, demo_office):
    form = signed_in.get(URL).context["form"]
    section_5 = next(group for group in form.text_sections if group.section.number == 5)
    quiet = section_5.others[0].row.key  # a row with no count and no text
    services.report_texts_update(
        office=demo_office,
        period=FiscalPeriod.parse_range(2025, "1-3"),
        user=supervisor,
        schedule=form["schedule"].initial,
        texts={"5": {quiet: "次期に向けた準備"}},
    )
    # Its text now brings it into sight; a form posted without its box (as a page that did not show
    # it) and a form posting every box both keep it.
    form = signed_in.get(URL).context["form"]
    assert quiet in [item.row.key for group in form.text_sections for item in group.shown]
    for only_in_sight in (True, False):
        data = posted(form, only_in_sight=only_in_sight)
        data.pop(f"text_5_{quiet}")
        data["text_3_party-parent-mother"] = f"区内の病院 {only_in_sight}"
        response = signed_in.post(URL, data, follow=True)
        assert "下書きの文章を保存しました。" in response.content.decode()
        report = saved_report(signed_in)
        assert row_of(report, 5, quiet)["text"] == "次期に向けた準備"
        assert row_of(report, 3, "party-parent-mother")["text"] == f"区内の病院 {only_in_sight}"
        form = signed_in.get(URL).context["form"]


def test_a_stale_save_is_refused_and_nothing_typed_is_lost(signed_in, supervisor, demo_office):
    form = signed_in.get(URL).context["form"]
    mine = posted(form, only_in_sight=True)
    mine["text_3_party-parent-mother"] = "わたしの文章"
    # Someone else saves the draft meanwhile.
    services.report_texts_update(
        office=demo_office,
        period=FiscalPeriod.parse_range(2025, "1-3"),
        user=supervisor,
        schedule="火・木 10:00～16:00",
        texts={"3": {"party-parent-mother": "ほかの人の文章"}},
    )
    response = signed_in.post(URL, mine)
    page = response.content.decode()
    assert response.status_code == 200
    assert "ほかの人が先にこの下書きを保存しました。" in page and "わたしの文章" in page
    report = saved_report(signed_in)
    assert row_of(report, 3, "party-parent-mother")["text"] == "ほかの人の文章"
    assert report["schedule"] == "火・木 10:00～16:00"
    # Saving again from the page that showed the conflict goes through.
    again = response.context["form"]
    mine["seen"] = again["seen"].value()
    assert "下書きの文章を保存しました。" in signed_in.post(URL, mine, follow=True).content.decode()
    assert row_of(saved_report(signed_in), 3, "party-parent-mother")["text"] == "わたしの文章"
