"""Opening hours as rows: the free-text reader, the form's rows, refusals, a stale save, the import and the page."""

from datetime import time

import pytest
from django.test import Client as Browser
from django.urls import reverse

from accounts.models import User
from directory.models import Provider, ProviderSchedule
from directory.schedules import days_span_label, parse_opening_hours, parse_time

from .factories import make_provider
from .test_provider_import import confirm, errors_of, headers, preview, row_of, signed_in, xlsx  # noqa: F401
from .test_provider_pages import _form_data

pytestmark = pytest.mark.django_db

WEEK = "MO,TU,WE,TH,FR"


def rows_of(text: str) -> list[tuple[str, str, str]]:
    return [
        (entry.byday, entry.opens_at.strftime("%H:%M"), entry.closes_at.strftime("%H:%M"))
        for entry in parse_opening_hours(text)
    ]


# --- the free text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        ("月～金 9:00～17:00", [(WEEK, "09:00", "17:00")]),
        ("月・水・金 9:00-12:00", [("MO,WE,FR", "09:00", "12:00")]),
        ("平日 9時～17時", [(WEEK, "09:00", "17:00")]),
        ("土 9:00～12:00", [("SA", "09:00", "12:00")]),
        ("月～金 9:00～12:00、13:00～17:00", [(WEEK, "09:00", "12:00"), (WEEK, "13:00", "17:00")]),
        ("(土日祝休み)", []),
        # Tricky ones: asides, closed days, full-width text, 半, several groups, days run together.
        ("月～金 8:30～17:15（土日祝・年末年始を除く）", [(WEEK, "08:30", "17:15")]),
        ("月～金 9:00～18:00 土日祝休み", [(WEEK, "09:00", "18:00")]),
        ("月〜金　９：００〜１７：００", [(WEEK, "09:00", "17:00")]),
        ("受付時間：平日 9時半～17時", [(WEEK, "09:30", "17:00")]),
        ("月～金 9:00～17:00、土 9:00～12:00", [(WEEK, "09:00", "17:00"), ("SA", "09:00", "12:00")]),
        ("月水金 10:00-15:00", [("MO,WE,FR", "10:00", "15:00")]),
        ("火曜日～木曜日 9:00～16:00", [("TU,WE,TH", "09:00", "16:00")]),
        ("毎日 8:00～20:00", [("MO,TU,WE,TH,FR,SA,SU", "08:00", "20:00")]),
        ("月～金 13時30分～17時", [(WEEK, "13:30", "17:00")]),
    ],
)
def test_the_usual_ways_of_writing_hours_become_rows(text, rows):
    assert rows_of(text) == rows


@pytest.mark.parametrize(
    "text",
    [
        "",
        "随時",
        "24時間対応",
        "9:00～17:00",  # no days
        "月～金 17:00～9:00",  # overnight: not one span of a day
        "金～月 9:00-17:00",  # a range backwards
        "土日・祝日 9:00～17:00",  # holidays cannot be said in HSDS's byday
        "月～金 放課後～18:00",
        "月～金 9:00～25:00",
        "(月～金 9:00～17:00",
    ],
)
def test_text_not_fully_understood_gives_no_rows(text):
    assert parse_opening_hours(text) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("9:00", time(9)), ("0900", time(9)), ("９：００", time(9)), ("17:15", time(17, 15)), ("9時半", time(9, 30))],
)
def test_times_are_read_as_people_type_them(typed, expected):
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["abc", "25:00", "12:60", "9:0", ""])
def test_junk_is_no_time(typed):
    assert parse_time(typed) is None


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (WEEK, "月～金"),
        ("MO,WE,FR", "月・水・金"),
        ("SA,SU", "土・日"),
        ("MO,TU,WE,FR,SA,SU", "月～水・金～日"),
        ("MO,TU,TH", "月・火・木"),
    ],
)
def test_the_page_shows_three_days_in_a_row_as_a_span(days, label):
    assert days_span_label(days.split(",")) == label


# --- the provider form ---------------------------------------------------------------------------


def hours(*rows, total: int | None = None, initial: int = 0) -> dict:
    """Posted rows of the form: (weekday codes, opens, closes)."""
    data = {
        "schedules-TOTAL_FORMS": str(total if total is not None else len(rows) + 3),
        "schedules-INITIAL_FORMS": str(initial),
    }
    for index, (days, opens, closes) in enumerate(rows):
        data[f"schedules-{index}-weekdays"] = days
        data[f"schedules-{index}-opens_at"] = opens
        data[f"schedules-{index}-closes_at"] = closes
    return data


def saved_rows(provider: Provider) -> list[tuple[str, time, time]]:
    return [(row.byday, row.opens_at, row.closes_at) for row in provider.schedules.order_by("position")]


@pytest.fixture
def provider(db):
    return make_provider(
        "あさひ訪問看護ステーション", municipality="北区", opening_hours="月～金 9:00～17:00（土日祝休み）"
    )


def test_the_edit_form_offers_rows_read_from_the_text_when_there_are_none(client, coordinator, provider):
    client.force_login(coordinator)
    response = client.get(reverse("directory:provider_update", args=[provider.pk]))
    page = response.content.decode()
    assert "文章から読み取りました" in page
    first = response.context["hours_formset"].forms[0]
    assert first.initial == {"weekdays": ["MO", "TU", "WE", "TH", "FR"], "opens_at": "9:00", "closes_at": "17:00"}
    assert len(response.context["hours_formset"].forms) == 4  # the row read and three empty ones
    assert 'name="schedules-0-weekdays" value="MO"' in page and 'name="schedules-0-opens_at" value="9:00"' in page


def test_rows_typed_in_any_form_are_saved_with_the_provider_and_empty_rows_ignored(client, coordinator, provider):
    client.force_login(coordinator)
    url = reverse("directory:provider_update", args=[provider.pk])
    data = _form_data(
        provider,
        opening_hours="月～金 9:00～17:00（土日祝休み）",
        **hours((["MO", "TU", "WE", "TH", "FR"], "0900", "１２：００"), (["FR", "MO"], "13:00", "17:30"), ([], "", "")),
    )
    response = client.post(url, data)
    assert response.status_code == 302
    provider.refresh_from_db()
    assert saved_rows(provider) == [(WEEK, time(9), time(12)), ("MO,FR", time(13), time(17, 30))]
    assert provider.opening_hours == "月～金 9:00～17:00（土日祝休み）"  # the note stays
    assert provider.version == 2

    page = client.get(reverse("directory:provider_detail", args=[provider.pk])).content.decode()
    assert "月～金" in page and "9:00～12:00" in page and "月・金" in page and "13:00～17:30" in page
    assert page.index("13:00～17:30") < page.index("月～金 9:00～17:00（土日祝休み）")

    # The same rows again change nothing: no new version.
    data["version"] = "2"
    assert (
        client.post(
            url, {**data, **hours((["MO", "TU", "WE", "TH", "FR"], "9:00", "12:00"), (["MO", "FR"], "13:00", "17:30"))}
        ).status_code
        == 302
    )
    provider.refresh_from_db()
    assert provider.version == 2


def test_a_new_provider_is_saved_with_its_rows(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("directory:provider_create"), _form_data(**hours((["SA"], "9:00", "12:00"))))
    assert response.status_code == 302
    provider = Provider.objects.get(name="ほしぞら児童発達支援教室")
    assert saved_rows(provider) == [("SA", time(9), time(12))]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ((["MO"], "17:00", "9:00"), "終了の時刻は開始より後にしてください。"),
        ((["MO"], "9:00", "9:00"), "終了の時刻は開始より後にしてください。"),
        (([], "9:00", "17:00"), "曜日を選んでください。"),
        ((["MO"], "あさ", "17:00"), "開始の時刻は9:00 の形で"),
        ((["MO"], "9:00", "25:00"), "終了の時刻は9:00 の形で"),
        ((["MO"], "9:00", ""), "終了の時刻を入力してください。"),
        ((["XX"], "9:00", "17:00"), "曜日は月～日から選んでください。"),
    ],
)
def test_bad_rows_are_refused_with_a_message_and_nothing_is_saved(client, coordinator, provider, row, message):
    client.force_login(coordinator)
    url = reverse("directory:provider_update", args=[provider.pk])
    response = client.post(url, _form_data(provider, phone="03-7777-8888", **hours((["TU"], "9:00", "12:00"), row)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "保存されていません" in page
    assert message in page
    assert "受付・営業時間 2行目の" in page
    provider.refresh_from_db()
    assert (provider.version, provider.phone, saved_rows(provider)) == (1, "", [])


def test_a_stale_save_keeps_the_typed_rows_and_lists_the_difference(client, coordinator, provider):
    colleague = Browser()
    colleague.force_login(User.objects.get(username="coordinator2"))
    client.force_login(coordinator)
    url = reverse("directory:provider_update", args=[provider.pk])
    theirs = _form_data(provider, **hours((["MO", "TU", "WE", "TH", "FR"], "9:00", "17:00")))
    mine = _form_data(provider, **hours((["SA"], "9:00", "12:00"), (["SU"], "10:00", "11:00")))
    assert colleague.post(url, theirs).status_code == 302

    response = client.post(url, mine)

    assert response.status_code == 409
    changes = {change.label: (change.old, change.new) for change in response.context["conflict"].changes}
    assert changes["受付・営業時間（曜日・時刻）"] == (
        "月・火・水・木・金 9:00～17:00",
        "土 9:00～12:00、日 10:00～11:00",
    )
    typed = response.context["hours_formset"]
    assert [(form["weekdays"].value(), form["opens_at"].value()) for form in typed.forms[:2]] == [
        (["SA"], "9:00"),
        (["SU"], "10:00"),
    ]
    provider.refresh_from_db()
    assert saved_rows(provider) == [(WEEK, time(9), time(17))]

    assert client.post(url, {**mine, "version": "2"}).status_code == 302
    provider.refresh_from_db()
    assert saved_rows(provider) == [("SA", time(9), time(12)), ("SU", time(10), time(11))]
    assert provider.version == 3


def test_row_changes_are_in_the_history(client, coordinator, provider):
    client.force_login(coordinator)
    url = reverse("directory:provider_update", args=[provider.pk])
    assert client.post(url, _form_data(provider, **hours((["SA"], "9:00", "12:00")))).status_code == 302
    record = ProviderSchedule.history.get()
    assert (record.history_type, record.history_user, record.byday) == ("+", coordinator, "SA")


# --- the import ----------------------------------------------------------------------------------

NEW = {"名称": "じかん訪問看護", "種別": "訪問看護ステーション", "区市町村": "北区"}


def test_the_import_fills_rows_from_the_hours_column_and_keeps_the_text(signed_in, headers):  # noqa: F811
    text = "月～金 9:00～12:00、13:00～17:00（土日祝休み）"
    response = preview(signed_in, xlsx([headers, row_of(headers, **NEW, **{"受付・営業時間": text})]))
    assert not errors_of(response)
    assert confirm(signed_in, response).status_code == 302
    provider = Provider.objects.get(name="じかん訪問看護")
    assert provider.opening_hours == text
    assert saved_rows(provider) == [(WEEK, time(9), time(12)), (WEEK, time(13), time(17))]


def test_text_the_import_cannot_read_is_kept_without_rows_or_error(signed_in, headers):  # noqa: F811
    provider = make_provider("じかん訪問看護", municipality="北区", opening_hours="月～金 9:00～17:00")
    ProviderSchedule.objects.create(provider=provider, byday=WEEK, opens_at="09:00", closes_at="17:00", position=1)
    response = preview(signed_in, xlsx([headers, row_of(headers, **NEW, **{"受付・営業時間": "随時（要予約）"})]))
    assert not errors_of(response)
    assert confirm(signed_in, response).status_code == 302
    provider.refresh_from_db()
    assert provider.opening_hours == "随時（要予約）"
    assert saved_rows(provider) == []  # rows that would contradict the new text are gone


def test_an_import_that_leaves_the_text_alone_keeps_the_rows(signed_in, headers):  # noqa: F811
    provider = make_provider("じかん訪問看護", municipality="北区", opening_hours="月～金 9:00～17:00", phone="03-1")
    ProviderSchedule.objects.create(provider=provider, byday="SA", opens_at="09:00", closes_at="12:00", position=1)
    response = preview(signed_in, xlsx([headers, row_of(headers, **NEW, **{"電話": "03-2"})]))
    assert not errors_of(response)
    assert confirm(signed_in, response).status_code == 302
    provider.refresh_from_db()
    assert provider.phone == "03-2"
    assert saved_rows(provider) == [("SA", time(9), time(12))]


def test_demo_providers_have_rows_read_from_their_text():
    provider = Provider.objects.filter(opening_hours="月～金 9:00～17:00").first()
    assert provider is not None
    assert saved_rows(provider) == [(WEEK, time(9), time(17))]


def test_the_provider_page_lists_row_changes_in_its_history(client, coordinator, provider):
    client.force_login(coordinator)
    url = reverse("directory:provider_update", args=[provider.pk])
    assert client.post(url, _form_data(provider, **hours((["SA", "SU"], "9:00", "12:00")))).status_code == 302
    page = client.get(reverse("directory:provider_detail", args=[provider.pk])).content.decode()
    history = page[page.index("変更履歴") :]
    assert "受付・営業時間" in history and "土・日" in history and "12:00" in history


def test_the_service_refuses_bad_rows_and_saves_nothing(provider, coordinator):
    from django.core.exceptions import ValidationError

    from directory.schedules import ScheduleEntry
    from directory.services import provider_update

    bad = [ScheduleEntry(("MO",), time(9), time(12)), ScheduleEntry(("TU",), time(17), time(9))]
    with pytest.raises(ValidationError) as refused:
        provider_update(provider=provider, user=coordinator, expected_version=1, phone="03-1", schedules=bad)
    assert refused.value.message_dict == {"schedules": ["2行目：終了時刻は開始時刻より後にしてください。"]}
    with pytest.raises(ValidationError) as refused:
        provider_update(provider=provider, user=coordinator, schedules=[ScheduleEntry((), time(9), time(12))])
    assert refused.value.message_dict == {"schedules": ["1行目：曜日を選んでください。"]}
    provider.refresh_from_db()
    assert (provider.version, provider.phone, saved_rows(provider)) == (1, "", [])
