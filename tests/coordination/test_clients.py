"""相談対象者: the list with its filters, the client page, creating and editing with guardians."""

from datetime import date, timedelta

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from common.kana import fold_for_comparison
from coordination.clients import views as client_views
from coordination.clients.age_bands import AgeBand, age_band, birth_date_range
from coordination.clients.models import Client, ClientStatus, Guardian
from coordination.clients.selectors import (
    NEAR_BIRTH_DATE,
    SAME_KANA,
    SAME_NAME,
    SAME_PHONE,
    likely_duplicates,
)
from coordination.clients.services import consent_create
from coordination.fiscal import fiscal_year_of
from coordination.logs.models import ContactLog
from directory.models import ProviderCategory

from .client_factories import district, make_client, make_guardian, make_log, make_office, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
FISCAL_YEAR = fiscal_year_of(TODAY)


def born_in(band: AgeBand) -> date:
    """A birth date in the middle of the band's range this fiscal year."""
    first, last = birth_date_range(band, FISCAL_YEAR)
    first = first or last - timedelta(days=3650)
    last = last or TODAY - timedelta(days=200)
    return first + (last - first) / 2


@pytest.fixture
def office():
    return make_office()


@pytest.fixture
def tester(office):
    return make_user(office, "tester", last_name="試験")


@pytest.fixture
def signed_in(client, tester):
    client.force_login(tester)
    return client


def names(response) -> list[str]:
    return [row["client"].name for row in response.context["rows"]]


def list_page(client, **params):
    return client.get(reverse("client_list"), params)


# --- who may see what ---------------------------------------------------------------------------


def client_urls(pk):
    return [
        reverse("client_list"),
        reverse("client_create"),
        reverse("client_power_list"),
        reverse("client_detail", args=[pk]),
        reverse("client_update", args=[pk]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, demo_office):
    some_client = Client.objects.for_office(demo_office).first()
    for url in client_urls(some_client.pk):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_ward_staff_get_403_on_every_client_page(client, ward_staff, demo_office):
    some_client = Client.objects.for_office(demo_office).first()
    client.force_login(ward_staff)
    for url in client_urls(some_client.pk):
        response = client.get(url)
        assert response.status_code == 403, url
        assert some_client.name not in response.content.decode()


def test_a_coordinator_gets_404_for_another_offices_client(client, coordinator, office):
    stranger = make_client(office, "他区 太郎", "タク タロウ")
    client.force_login(coordinator)
    assert client.get(reverse("client_detail", args=[stranger.pk])).status_code == 404
    assert client.get(reverse("client_update", args=[stranger.pk])).status_code == 404
    response = client.post(reverse("client_update", args=[stranger.pk]), {"name": "書き換え"})
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.name == "他区 太郎"


def test_another_offices_clients_are_not_listed(client, coordinator, office):
    make_client(office, "他区 太郎", "タク タロウ")
    client.force_login(coordinator)
    assert "他区 太郎" not in list_page(client).content.decode()


def test_a_supervisor_reads_the_list_and_the_page_but_cannot_create_or_edit(client, supervisor, demo_office):
    some_client = Client.objects.for_office(demo_office).first()
    client.force_login(supervisor)
    assert client.get(reverse("client_list")).status_code == 200
    page = client.get(reverse("client_detail", args=[some_client.pk]))
    assert page.status_code == 200
    assert "編集する" not in page.content.decode()
    assert client.get(reverse("client_power_list")).status_code == 200
    assert client.get(reverse("client_create")).status_code == 403
    assert client.post(reverse("client_create"), {"name": "管理者 登録", "name_kana": "カンリシャ"}).status_code == 403
    assert client.get(reverse("client_update", args=[some_client.pk])).status_code == 403
    assert not Client.objects.filter(name="管理者 登録").exists()


def test_the_menu_offers_clients_to_coordinators_and_supervisors_only(client, coordinator, ward_staff):
    client.force_login(coordinator)
    assert 'href="/clients/"' in client.get(reverse("home")).content.decode()
    client.force_login(ward_staff)
    assert 'href="/clients/"' not in client.get(reverse("home")).content.decode()


# --- the list -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["アオヤマ", "あおやま", "ｱｵﾔﾏ", "アオヤマヒナタ", "あおやま　ひなた", "青山", "青山陽向", "ひなた"]
)
def test_the_name_filter_ignores_kana_width_script_and_spaces(signed_in, office, query):
    make_client(office, "青山 陽向", "アオヤマ ヒナタ")
    make_client(office, "石田 結衣", "イシダ ユイ")
    assert names(list_page(signed_in, q=query)) == ["青山 陽向"]


def test_the_district_filter_has_the_offices_districts_outside_and_unknown(signed_in, office):
    make_client(office, "東 一郎", "ヒガシ イチロウ", district=district(office, 1))
    make_client(office, "西 二郎", "ニシ ジロウ", district=district(office, 2))
    make_client(office, "外 三郎", "ソト サブロウ", municipality_outside="板橋区")
    make_client(office, "不明 四郎", "フメイ シロウ")
    assert names(list_page(signed_in, district=district(office, 1).code)) == ["東 一郎"]
    assert names(list_page(signed_in, district="outside")) == ["外 三郎"]
    assert names(list_page(signed_in, district="unknown")) == ["不明 四郎"]
    page = list_page(signed_in).content.decode()
    assert "区外（板橋区）" in page


def test_the_age_band_filter_uses_this_fiscal_year_and_honours_the_override(signed_in, office):
    make_client(office, "未就学 太郎", "ミシュウガク タロウ", birth_date=born_in(AgeBand.PRESCHOOL))
    make_client(office, "小学 花子", "ショウガク ハナコ", birth_date=born_in(AgeBand.ELEMENTARY))
    make_client(
        office,
        "猶予 次郎",
        "ユウヨ ジロウ",
        birth_date=born_in(AgeBand.ELEMENTARY),
        age_band_override=AgeBand.PRESCHOOL,
        age_band_override_reason="就学猶予",
    )
    make_client(office, "成人 三郎", "セイジン サブロウ", birth_date=born_in(AgeBand.AGE_30S))
    make_client(office, "生年 不明", "セイネン フメイ")
    assert names(list_page(signed_in, age_band="preschool")) == ["未就学 太郎", "猶予 次郎"]
    assert names(list_page(signed_in, age_band="elementary")) == ["小学 花子"]
    assert names(list_page(signed_in, age_band="age_30s")) == ["成人 三郎"]
    assert names(list_page(signed_in, age_band="unknown")) == ["生年 不明"]


def test_the_band_boundaries_in_the_database_match_the_report_rule(signed_in, office):
    # 1 April goes with the older school year, 2 April with the younger.
    elementary_first, elementary_last = birth_date_range(AgeBand.ELEMENTARY, FISCAL_YEAR)
    make_client(office, "一年 最年少", "イチネン サイネンショウ", birth_date=elementary_last)
    make_client(office, "未就学 最年長", "ミシュウガク サイネンチョウ", birth_date=elementary_last + timedelta(days=1))
    make_client(office, "六年 最年長", "ロクネン サイネンチョウ", birth_date=elementary_first)
    assert names(list_page(signed_in, age_band="elementary")) == ["一年 最年少", "六年 最年長"]
    assert names(list_page(signed_in, age_band="preschool")) == ["未就学 最年長"]


def test_every_birth_date_range_agrees_with_the_age_band_rule():
    for fiscal_year in (2019, 2024, 2025):
        day = date(fiscal_year - 70, 1, 1)
        while day < date(fiscal_year, 12, 31):
            expected = age_band(day, fiscal_year)
            first, last = birth_date_range(expected, fiscal_year)
            assert (first is None or first <= day) and (last is None or day <= last), (day, expected)
            day += timedelta(days=13)
        for band in AgeBand:
            if band == AgeBand.UNKNOWN:
                continue
            first, last = birth_date_range(band, fiscal_year)
            for edge in (first, last):
                if edge is not None:
                    assert age_band(edge, fiscal_year) == band, (band, edge)


def test_medical_care_procedure_status_and_coordinator_filters(signed_in, office, tester):
    other = make_user(office, "other-coordinator", last_name="別")
    make_client(
        office,
        "呼吸 器子",
        "コキュウ キコ",
        has_medical_care=True,
        procedures=["ventilator"],
        assigned_coordinator=tester,
    )
    make_client(
        office,
        "胃瘻 太郎",
        "イロウ タロウ",
        has_medical_care=True,
        procedures=["tube-feeding"],
        assigned_coordinator=other,
    )
    make_client(office, "ケア 無子", "ケア ナコ", status=ClientStatus.CLOSED)
    assert names(list_page(signed_in, medical_care="yes")) == ["胃瘻 太郎", "呼吸 器子"]
    assert names(list_page(signed_in, medical_care="no")) == ["ケア 無子"]
    ventilator = Client.objects.get(name="呼吸 器子").procedures.get().pk
    assert names(list_page(signed_in, procedure=ventilator)) == ["呼吸 器子"]
    assert names(list_page(signed_in, status="closed")) == ["ケア 無子"]
    assert names(list_page(signed_in, coordinator=tester.pk)) == ["呼吸 器子"]
    assert names(list_page(signed_in, coordinator="null")) == ["ケア 無子"]


def test_the_list_shows_band_age_district_care_coordinator_and_last_contact(signed_in, office, tester):
    person = make_client(
        office,
        "青山 陽向",
        "アオヤマ ヒナタ",
        birth_date=born_in(AgeBand.ELEMENTARY),
        district=district(office, 1),
        has_medical_care=True,
        procedures=["suction", "tube-feeding"],
        assigned_coordinator=tester,
    )
    make_log(person, tester, date(2025, 6, 2))
    make_log(person, tester, date(2025, 9, 30))
    page = list_page(signed_in).content.decode()
    for text in ["青山 陽向", "アオヤマ ヒナタ", "小学生", "東地区", "吸引、経管栄養", "試験", "2025年9月30日"]:
        assert text in page


def test_the_list_sorts_by_kana_birth_date_and_last_contact(signed_in, office, tester):
    a = make_client(office, "阿部 一", "アベ ハジメ", birth_date=date(2020, 5, 1))
    b = make_client(office, "馬場 二", "ババ ツギ", birth_date=date(2018, 5, 1))
    make_client(office, "和田 三", "ワダ ミツ")
    make_log(a, tester, date(2025, 5, 1))
    make_log(b, tester, date(2025, 7, 1))
    assert names(list_page(signed_in)) == ["阿部 一", "馬場 二", "和田 三"]
    assert names(list_page(signed_in, sort="-kana")) == ["和田 三", "馬場 二", "阿部 一"]
    assert names(list_page(signed_in, sort="birth_date")) == ["馬場 二", "阿部 一", "和田 三"]
    assert names(list_page(signed_in, sort="-birth_date")) == ["阿部 一", "馬場 二", "和田 三"]
    assert names(list_page(signed_in, sort="-last_contact")) == ["馬場 二", "阿部 一", "和田 三"]
    assert names(list_page(signed_in, sort="last_contact")) == ["和田 三", "阿部 一", "馬場 二"]


def test_the_list_shows_50_clients_a_page_and_keeps_the_filters_on_the_next(signed_in, office):
    Client.objects.bulk_create(
        Client(office=office, name=f"対象者{i:03d}", name_kana=f"タイショウシャ{i:03d}", has_medical_care=i % 2 == 0)
        for i in range(120)
    )
    first = list_page(signed_in, medical_care="yes")
    assert len(first.context["rows"]) == 50
    assert "60人（1～50人目を表示）" in first.content.decode()
    assert "medical_care=yes&amp;page=2" in first.content.decode()
    second = list_page(signed_in, medical_care="yes", page=2)
    assert names(second)[0] == "対象者100"
    assert len(list_page(signed_in, medical_care="yes", page=2).context["rows"]) == 10


def test_the_list_needs_the_same_few_queries_with_200_clients_on_the_page(
    signed_in, office, tester, monkeypatch, django_assert_max_num_queries
):
    monkeypatch.setattr(client_views, "PAGE_SIZE", 250)
    clients = Client.objects.bulk_create(
        Client(
            office=office,
            name=f"対象者{i:03d}",
            name_kana=f"タイショウシャ{i:03d}",
            birth_date=date(2015, 1, 1) + timedelta(days=i),
            district=district(office, 1 + i % 2),
            has_medical_care=True,
            assigned_coordinator=tester,
        )
        for i in range(200)
    )
    through = Client.procedures.through
    suction = Client.procedures.field.related_model.objects.get(code="suction")
    through.objects.bulk_create(through(client=c, medicalcareprocedure=suction) for c in clients)
    for person in clients[:20]:
        make_log(person, tester, date(2025, 6, 1))
    with django_assert_max_num_queries(14):  # 12 + 2: the access log's chain head and row
        response = list_page(signed_in, medical_care="yes", sort="-last_contact")
    assert len(response.context["rows"]) == 200
    assert response.content.decode().count("吸引") >= 200


# --- the client page ----------------------------------------------------------------------------


def test_the_client_page_shows_the_facts_guardians_and_consent(signed_in, office, tester):
    person = make_client(
        office,
        "青山 陽向",
        "アオヤマ ヒナタ",
        birth_date=date(2019, 5, 10),
        district=district(office, 2),
        has_medical_care=True,
        procedures=["ventilator", "tube-feeding"],
        assigned_coordinator=tester,
        consent_obtained_on=date(2025, 4, 10),
        consent_scope="主治医・訪問看護との情報共有",
        consent_taken_by=tester,
    )
    make_guardian(
        person, "青山 由美", relationship="母", phone="090-1111-2222", email="yumi@example.jp", is_primary=True
    )
    make_guardian(person, "青山 健", relationship="父", phone="090-3333-4444")
    page = signed_in.get(reverse("client_detail", args=[person.pk])).content.decode()
    for text in [
        "青山 陽向",
        "アオヤマ ヒナタ",
        "2019年5月10日（令和元年5月10日）",
        "西地区",
        "人工呼吸器",
        "経管栄養",
        "電源を要する",
        "青山 由美",
        "090-1111-2222",
        "yumi@example.jp",
        "主な連絡先",
        "青山 健",
        "2025年4月10日",
        "主治医・訪問看護との情報共有",
        "試験",
    ]:
        assert text in page
    assert page.index("青山 由美") < page.index("青山 健")


def test_the_client_page_shows_the_override_and_its_reason(signed_in, office):
    person = make_client(
        office,
        "猶予 次郎",
        "ユウヨ ジロウ",
        birth_date=born_in(AgeBand.ELEMENTARY),
        age_band_override=AgeBand.PRESCHOOL,
        age_band_override_reason="就学猶予（令和7年度）",
    )
    page = signed_in.get(reverse("client_detail", args=[person.pk])).content.decode()
    assert "上書き" in page
    assert "理由：就学猶予（令和7年度）" in page
    assert "生年月日からの区分：小学生" in page


def test_the_client_page_says_when_no_consent_was_recorded(signed_in, office):
    person = make_client(office)
    page = signed_in.get(reverse("client_detail", args=[person.pk])).content.decode()
    assert "情報共有の同意は記録されていません。" in page


def test_the_timeline_lists_every_log_and_follow_up_newest_first(signed_in, office, tester):
    person = make_client(office)
    make_log(person, tester, date(2025, 4, 3), report_summary="退院前の調整")
    overdue = make_log(
        person, tester, date(2025, 5, 1), follow_up_action="訪問看護に連絡", follow_up_due_on=TODAY - timedelta(days=3)
    )
    upcoming = make_log(
        person,
        tester,
        TODAY - timedelta(days=1),
        follow_up_action="保育課に確認",
        follow_up_due_on=TODAY + timedelta(days=10),
    )
    make_log(
        person,
        tester,
        date(2025, 4, 20),
        follow_up_action="書類を送る",
        follow_up_due_on=date(2025, 4, 25),
        follow_up_done_on=date(2025, 4, 24),
    )
    response = signed_in.get(reverse("client_detail", args=[person.pk]))
    timeline = response.context["timeline"]
    first_two = [(entry.kind, (entry.follow_up.contact_log if entry.follow_up else entry.log).pk) for entry in timeline]
    assert first_two[:2] == [("follow_up", upcoming.pk), ("log", upcoming.pk)]
    assert [entry.on for entry in timeline] == sorted((entry.on for entry in timeline), reverse=True)
    assert len([e for e in timeline if e.kind == "log"]) == 4
    assert [e.follow_up.contact_log_id for e in timeline if e.is_overdue] == [overdue.pk]
    page = response.content.decode()
    assert "期限切れ" in page and "訪問看護に連絡" in page
    assert "対応済み 4月24日" in page
    assert "退院前の調整" in page
    assert "未完了の次の対応 2件" in page


def test_the_timeline_shows_the_newest_50_logs_and_links_the_rest(signed_in, office, tester):
    person = make_client(office)
    oldest = make_log(
        person,
        tester,
        date(2025, 4, 1),
        follow_up_action="古い対応",
        follow_up_due_on=date(2025, 4, 2),
        follow_up_done_on=date(2025, 4, 2),
    )
    logs = [make_log(person, tester, date(2025, 4, 3) + timedelta(days=n)) for n in range(51)]
    response = signed_in.get(reverse("client_detail", args=[person.pk]))
    shown = [entry.log.pk for entry in response.context["timeline"] if entry.kind == "log"]
    assert shown == [log.pk for log in reversed(logs[1:])]
    page = response.content.decode()
    assert "記録 52件" in page
    assert "これより前の記録 2件は" in page
    assert f'href="{reverse("log_list")}?client={person.pk}&amp;sort=-date"' in page
    assert f'href="{reverse("log_detail", args=[oldest.pk])}"' not in page
    assert "古い対応" not in page  # a done follow-up before the oldest log shown goes with it


def test_open_follow_ups_before_the_newest_50_logs_are_still_listed(signed_in, office, tester):
    person = make_client(office)
    make_log(person, tester, date(2025, 4, 1), follow_up_action="古い未完了の対応", follow_up_due_on=date(2025, 4, 2))
    make_log(
        person,
        tester,
        date(2025, 4, 1),
        follow_up_action="古い済みの対応",
        follow_up_due_on=date(2025, 4, 2),
        follow_up_done_on=date(2025, 4, 2),
    )
    for n in range(50):
        make_log(person, tester, date(2025, 4, 3) + timedelta(days=n))
    page = signed_in.get(reverse("client_detail", args=[person.pk])).content.decode()
    assert "未完了の次の対応 1件" in page
    assert "古い未完了の対応" in page  # listed above the timeline, as every open one is
    assert "古い済みの対応" not in page


def test_the_timeline_links_each_log_to_its_page(signed_in, office, tester):
    person = make_client(office)
    log = make_log(person, tester, date(2025, 4, 3))
    page = signed_in.get(reverse("client_detail", args=[person.pk])).content.decode()
    assert f'href="{reverse("log_detail", args=[log.pk])}"' in page


def test_the_client_page_offers_a_new_log_for_this_client_and_the_edit(signed_in, office):
    person = make_client(office)
    page = signed_in.get(reverse("client_detail", args=[person.pk])).content.decode()
    assert f'href="{reverse("log_create")}?client={person.pk}"' in page
    assert "この対象者の記録を追加" in page
    assert f'href="{reverse("client_update", args=[person.pk])}"' in page


def test_the_client_page_needs_few_queries(signed_in, office, tester, django_assert_max_num_queries):
    person = make_client(office, has_medical_care=True, procedures=["suction"])
    make_guardian(person)
    for day in range(1, 21):
        make_log(person, tester, date(2025, 5, day), follow_up_action="確認", follow_up_due_on=date(2025, 6, day))
    for day in range(1, 4):
        consent_create(
            client=person,
            recorded_by=tester,
            given_on=date(2025, 4, day),
            categories=list(ProviderCategory.objects.all()[:day]),
            given_by="母",
            method="written",
        )
    # 12 + 1: the access log's insert, + 1: the providers that accept the child's procedures,
    # + 1: the change history of the client and its guardians (one UNION ALL), + 1: the follow-ups,
    # + 2: the consents and their kinds, however many, + 2: the referrals and their steps on the timeline.
    with django_assert_max_num_queries(21):  # 20 + 1: the access log's chain head
        signed_in.get(reverse("client_detail", args=[person.pk]))


# --- creating and editing -----------------------------------------------------------------------


def form_data(office, **overrides) -> dict:
    data = {
        "name": "岡野 芽依",
        "name_kana": "おかの めい",
        "birth_date": "R3.6.15",
        "status": "active",
        "assigned_coordinator": "",
        "district": str(district(office, 1).pk),
        "municipality_outside": "",
        "has_medical_care": "on",
        "procedures": [],
        "age_band_override": "",
        "age_band_override_reason": "",
        "consent_obtained_on": "",
        "consent_scope": "",
        "consent_taken_by": "",
        "notes": "",
        # The version an edit page was read at (a new client's form ignores it).
        "version": "1",
        "guardians-TOTAL_FORMS": "2",
        "guardians-INITIAL_FORMS": "0",
        "guardians-MIN_NUM_FORMS": "0",
        "guardians-MAX_NUM_FORMS": "1000",
    }
    for number in range(2):
        for field in ("name", "relationship", "phone", "email"):
            data[f"guardians-{number}-{field}"] = ""
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_coordinator_creates_a_client_with_guardians(signed_in, office, tester):
    from directory.models import MedicalCareProcedure

    procedures = [str(p.pk) for p in MedicalCareProcedure.objects.filter(code__in=["suction", "oxygen"])]
    data = form_data(
        office,
        procedures=procedures,
        assigned_coordinator=str(tester.pk),
        consent_obtained_on="令和7年4月1日",
        consent_scope="主治医との情報共有",
        consent_taken_by=str(tester.pk),
        **{
            "guardians-0-name": "岡野 直子",
            "guardians-0-relationship": "母",
            "guardians-0-phone": "090-0000-1111",
            "guardians-0-is_primary": "on",
            "guardians-1-name": "岡野 健",
            "guardians-1-relationship": "父",
            "guardians-1-email": "ken@example.jp",
        },
    )
    response = signed_in.post(reverse("client_create"), data)
    person = Client.objects.get(name="岡野 芽依")
    assert response.status_code == 302
    assert response["Location"] == reverse("client_detail", args=[person.pk])
    assert person.office == office
    assert person.name_kana == "オカノ メイ"
    assert person.birth_date == date(2021, 6, 15)
    assert person.consent_obtained_on == date(2025, 4, 1)
    assert sorted(person.procedures.values_list("code", flat=True)) == ["oxygen", "suction"]
    assert [(g.name, g.relationship, g.is_primary) for g in person.guardians.all()] == [
        ("岡野 直子", "母", True),
        ("岡野 健", "父", False),
    ]
    assert person.history.first().history_user == tester
    page = signed_in.get(response["Location"]).content.decode()
    assert "岡野 芽依 さんの情報を保存しました。" in page


def test_an_override_without_a_reason_is_refused_in_japanese(signed_in, office):
    response = signed_in.post(reverse("client_create"), form_data(office, age_band_override="elementary"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "年齢区分を上書きする場合は理由を入力してください。" in page
    assert "入力内容を確認してください。保存されていません。" in page
    assert "Constraint" not in page and "制約" not in page
    assert not Client.objects.filter(name="岡野 芽依").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_date": "令和7年2月30日"}, "という日付はありません"),
        ({"birth_date": "きのう"}, "日付として読み取れません"),
        ({"birth_date": (TODAY + timedelta(days=1)).isoformat()}, "未来の日付は入力できません"),
        ({"name": ""}, "氏名を入力してください。"),
        ({"name_kana": "岡野"}, "フリガナはカタカナかひらがなで入力してください。"),
        ({"has_medical_care": None, "procedures": ["1"]}, "「医療的ケアあり」に印を付けてください"),
        ({"municipality_outside": "板橋区"}, "どちらか一方だけ"),
        ({"consent_scope": "主治医"}, "同意日も入力してください"),
        (
            {
                "guardians-0-name": "母",
                "guardians-0-relationship": "母",
                "guardians-0-is_primary": "on",
                "guardians-1-name": "父",
                "guardians-1-relationship": "父",
                "guardians-1-is_primary": "on",
            },
            "主な連絡先は1人だけにしてください。",
        ),
        ({"guardians-0-name": "岡野 直子"}, "連絡先1の続柄：続柄を入力してください。"),
        (
            {"guardians-0-name": "岡野 直子", "guardians-0-relationship": "母", "guardians-0-email": "x@"},
            "メールアドレスを正しく入力してください。",
        ),
    ],
)
def test_bad_input_gets_a_japanese_message_and_saves_nothing(signed_in, office, overrides, message):
    from directory.models import MedicalCareProcedure

    if overrides.get("procedures") == ["1"]:
        overrides["procedures"] = [str(MedicalCareProcedure.objects.get(code="suction").pk)]
    response = signed_in.post(reverse("client_create"), form_data(office, **overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Client.objects.filter(office=office).exists()
    assert not Guardian.objects.filter(client__office=office).exists()


def test_creating_a_likely_duplicate_asks_for_confirmation_first(signed_in, office):
    existing = make_client(office, "岡野 芽衣", "オカノ メイ", birth_date=date(2021, 6, 15))
    response = signed_in.post(reverse("client_create"), form_data(office, name_kana="ｵｶﾉﾒｲ"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "同じ人がすでに登録されているかもしれません。" in page
    assert f'href="{reverse("client_detail", args=[existing.pk])}"' in page
    assert "フリガナが同じ" in page
    assert "重複ではないことを確認しました" in page
    assert f'name="duplicates_shown" value="{existing.pk}"' in page
    assert Client.objects.filter(office=office).count() == 1

    response = signed_in.post(
        reverse("client_create"),
        form_data(office, name_kana="ｵｶﾉﾒｲ", confirm_not_duplicate="on", duplicates_shown=str(existing.pk)),
    )
    assert response.status_code == 302
    assert Client.objects.filter(office=office).count() == 2


def test_without_the_tick_nothing_is_saved_and_the_candidates_stay_listed(signed_in, office):
    existing = make_client(office, "岡野 芽衣", "オカノ メイ")
    for _ in range(2):
        response = signed_in.post(reverse("client_create"), form_data(office, duplicates_shown=str(existing.pk)))
        assert response.status_code == 200
        assert [candidate.client for candidate in response.context["duplicates"]] == [existing]
    assert list(Client.objects.filter(office=office)) == [existing]
    assert not Guardian.objects.filter(client__office=office).exists()


def test_the_tick_is_recorded_in_the_new_clients_history(signed_in, office):
    first = make_client(office, "岡野 芽衣", "オカノ メイ")
    second = make_client(office, "岡野 めい", "ベツ ヨミ", birth_date=date(2021, 6, 16))
    data = form_data(office, confirm_not_duplicate="on", duplicates_shown=f"{first.pk},{second.pk}")
    response = signed_in.post(reverse("client_create"), data)
    assert response.status_code == 302
    saved = Client.objects.get(office=office, name="岡野 芽依")
    record = saved.history.get()
    assert record.history_change_reason == f"重複ではないことを確認しました（候補の番号：{first.pk}、{second.pk}）"
    page = signed_in.get(reverse("client_detail", args=[saved.pk])).content.decode()
    assert f"重複ではないことを確認しました（候補の番号：{first.pk}、{second.pk}）" in page


def test_a_save_with_no_candidates_records_no_reason(signed_in, office):
    assert signed_in.post(reverse("client_create"), form_data(office)).status_code == 302
    assert Client.objects.get(office=office).history.get().history_change_reason is None


def test_a_tick_does_not_cover_a_candidate_the_page_did_not_list(signed_in, office):
    shown = make_client(office, "岡野 芽衣", "オカノ メイ")
    later = make_client(office, "岡野 芽依", "ベツ ヨミ")
    data = form_data(office, confirm_not_duplicate="on", duplicates_shown=str(shown.pk))
    response = signed_in.post(reverse("client_create"), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "似ている相談対象者がほかにも見つかりました" in page
    assert f'name="duplicates_shown" value="{shown.pk},{later.pk}"' in page or (
        f'name="duplicates_shown" value="{later.pk},{shown.pk}"' in page
    )
    assert 'name="confirm_not_duplicate" id="id_confirm_not_duplicate" checked' not in page
    assert response.context["form"]["confirm_not_duplicate"].value() is False
    assert Client.objects.filter(office=office).count() == 2


def test_a_handmade_list_of_shown_candidates_is_only_ids(signed_in, office):
    make_client(office, "岡野 芽衣", "オカノ メイ")
    data = form_data(office, confirm_not_duplicate="on", duplicates_shown="9" * 5000 + ",x,-1")
    response = signed_in.post(reverse("client_create"), data)
    assert response.status_code == 200
    assert Client.objects.filter(office=office).count() == 1


def test_a_different_name_born_two_days_apart_is_no_duplicate(signed_in, office):
    make_client(office, "岡野 芽衣", "オカノ メイ", birth_date=date(2021, 6, 17))
    response = signed_in.post(reverse("client_create"), form_data(office, name_kana="おかの めいこ"))
    assert response.status_code == 302


# --- the rules of likely_duplicates --------------------------------------------------------------


def found(office, *, name="別人 太郎", name_kana="ベツジン タロウ", birth_date=None, phones=(), **kwargs):
    """The likely duplicates of a client typed so that only the rule under test can match."""
    duplicates = likely_duplicates(
        office, name=name, name_kana=name_kana, birth_date=birth_date, phones=phones, **kwargs
    )
    return {candidate.client.name: candidate.reasons for candidate in duplicates}


@pytest.mark.parametrize("typed", ["岡野 芽衣", "岡野　芽衣", "岡野芽衣", " 岡野  芽衣 "])
def test_the_same_name_is_a_likely_duplicate_without_a_birth_date(office, typed):
    make_client(office, "岡野 芽衣", "オカノ メイ")
    assert found(office, name=typed) == {"岡野 芽衣": (SAME_NAME,)}


def test_names_in_kana_are_folded_like_furigana(office):
    make_client(office, "おかの めい", "オカノ メイ")
    assert found(office, name="ｵｶﾉ ﾒｲ") == {"おかの めい": (SAME_NAME,)}
    assert found(office, name="オカノ メイ") == {"おかの めい": (SAME_NAME,)}


@pytest.mark.parametrize("typed", ["オカノ メイ", "おかの めい", "ｵｶﾉ ﾒｲ", "オカノメイ", "オカノ　メイ"])
def test_the_same_furigana_is_a_likely_duplicate_without_a_birth_date(office, typed):
    make_client(office, "岡野 芽衣", "オカノ メイ")
    make_client(office, "岡野 芽衣子", "オカノ メイコ")  # only similar: needs a birth date near
    assert found(office, name_kana=typed) == {"岡野 芽衣": (SAME_KANA,)}


@pytest.mark.parametrize("typed", ["090-1234-5678", "09012345678", "０９０（１２３４）５６７８", "090 1234 5678"])
def test_a_guardians_phone_is_compared_by_its_digits(office, typed):
    person = make_client(office, "岡野 芽衣", "オカノ メイ")
    make_guardian(person, "岡野 直子", phone="(090)1234-5678")
    other = make_client(office, "石田 唯", "イシダ ユイ")
    make_guardian(other, "石田 純", phone="090-1234-5679")
    make_client(office, "電話 なし", "デンワ ナシ")
    assert found(office, phones=["", typed]) == {"岡野 芽衣": (SAME_PHONE,)}


def test_a_short_phone_number_is_not_compared(office):
    person = make_client(office, "岡野 芽衣", "オカノ メイ")
    make_guardian(person, "岡野 直子", phone="1234-567")
    assert found(office, phones=["1234-567"]) == {}


@pytest.mark.parametrize(
    ("typed", "is_found"),
    [
        ("オカノ メイ", True),
        ("おかの めい", True),
        ("オカノ", True),  # the given name left out: a prefix
        ("オカノ メイコ", True),  # the other is a prefix of this
        ("オカノ メエ", True),  # a typo: ratio 0.8
        ("オガノ メイ", True),
        ("イシダ ユイ", False),
        ("", False),
    ],
)
@pytest.mark.parametrize("born", [date(2021, 6, 14), date(2021, 6, 15), date(2021, 6, 16)])
def test_a_birth_date_a_day_apart_with_similar_furigana_is_a_likely_duplicate(office, typed, is_found, born):
    make_client(office, "岡野 芽衣", "オカノ メイ", birth_date=date(2021, 6, 15))
    make_client(office, "岡野 恵子", "オカノ メエコ", birth_date=date(2021, 6, 18))  # two days or more from each
    expected = {"岡野 芽衣": (NEAR_BIRTH_DATE,)} if is_found else {}
    if typed and fold_for_comparison(typed) == "オカノメイ":
        expected = {"岡野 芽衣": (SAME_KANA, NEAR_BIRTH_DATE)}
    assert found(office, name="別人 太郎", name_kana=typed, birth_date=born) == expected


def test_the_same_surname_born_a_day_apart_is_a_likely_duplicate(office):
    make_client(office, "岡野 芽衣", "オカノ メイ", birth_date=date(2021, 6, 15))
    make_client(office, "石田 唯", "イシダ ユイ", birth_date=date(2021, 6, 15))
    assert found(office, name="岡野 健", name_kana="ケン", birth_date=date(2021, 6, 16)) == {
        "岡野 芽衣": (NEAR_BIRTH_DATE,)
    }
    assert found(office, name="別人 健", name_kana="イシダ ケン", birth_date=date(2021, 6, 14)) == {
        "石田 唯": (NEAR_BIRTH_DATE,)
    }
    assert found(office, name="岡野 健", name_kana="ケン", birth_date=date(2021, 6, 17)) == {}


def test_every_rule_at_once_lists_each_reason(office):
    person = make_client(office, "岡野 芽衣", "オカノ メイ", birth_date=date(2021, 6, 15))
    make_guardian(person, "岡野 直子", phone="090-1234-5678")
    assert found(
        office, name="岡野 芽衣", name_kana="おかの めい", birth_date=date(2021, 6, 15), phones=["09012345678"]
    ) == {"岡野 芽衣": (SAME_NAME, SAME_KANA, SAME_PHONE, NEAR_BIRTH_DATE)}


def test_likely_duplicates_stay_within_the_office(office, demo_office):
    other = make_client(demo_office, "岡野 芽衣", "オカノ メイ", birth_date=date(2021, 6, 15))
    make_guardian(other, "岡野 直子", phone="090-1234-5678")
    assert found(office, name="岡野 芽衣") == {}
    assert found(office, name_kana="オカノ メイ") == {}
    assert found(office, phones=["090-1234-5678"]) == {}
    assert found(office, name="岡野 健", name_kana="オカノ メイ", birth_date=date(2021, 6, 15)) == {}
    assert found(demo_office, name="岡野 芽衣", exclude_pk=other.pk) == {}


def test_nothing_typed_finds_nothing(office):
    make_client(office, "岡野 芽衣", "オカノ メイ")
    assert found(office, name="", name_kana="") == {}


def test_the_candidates_are_found_in_one_query(office, django_assert_num_queries):
    for number in range(30):
        person = make_client(office, f"岡野 芽衣{number}", "オカノ メイ", birth_date=date(2021, 6, 15))
        make_guardian(person, f"岡野 直子{number}", phone="090-1234-5678")
    with django_assert_num_queries(1):
        duplicates = likely_duplicates(
            office, name="岡野 芽衣", name_kana="オカノ メイ", birth_date=date(2021, 6, 16), phones=["09012345678"]
        )
        # The list shows each one's district.
        assert all(candidate.client.district is None for candidate in duplicates)
    assert len(duplicates) == 30


def test_a_coordinator_edits_a_client_and_their_guardians(signed_in, office, tester):
    person = make_client(office, "岡野 芽依", "オカノ メイ", birth_date=date(2021, 6, 15), district=district(office, 1))
    mother = make_guardian(person, "岡野 直子", phone="090-0000-1111", is_primary=True)
    father = make_guardian(person, "岡野 健", relationship="父")
    page = signed_in.get(reverse("client_update", args=[person.pk])).content.decode()
    assert 'value="2021/6/15"' in page and "岡野 直子" in page
    data = form_data(
        office,
        name="岡野 芽依",
        name_kana="オカノ メイ",
        birth_date="2021/6/15",
        status="watching",
        **{
            "guardians-TOTAL_FORMS": "4",
            "guardians-INITIAL_FORMS": "2",
            "guardians-0-id": str(mother.pk),
            "guardians-0-client": str(person.pk),
            "guardians-0-name": "岡野 直子",
            "guardians-0-relationship": "母",
            "guardians-0-phone": "080-9999-0000",
            "guardians-0-is_primary": "on",
            "guardians-1-id": str(father.pk),
            "guardians-1-client": str(person.pk),
            "guardians-1-name": "岡野 健",
            "guardians-1-relationship": "父",
            "guardians-1-DELETE": "on",
            "guardians-2-name": "岡野 ハル",
            "guardians-2-relationship": "祖母",
            "guardians-3-name": "",
            "guardians-3-relationship": "",
            "guardians-3-phone": "",
            "guardians-3-email": "",
        },
    )
    response = signed_in.post(reverse("client_update", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == ClientStatus.WATCHING
    assert [(g.name, g.phone) for g in person.guardians.all()] == [("岡野 直子", "080-9999-0000"), ("岡野 ハル", "")]


def test_editing_without_changing_name_kana_birth_date_or_phone_asks_nothing_about_duplicates(signed_in, office):
    make_client(office, "岡野 芽依", "オカノ メイ", birth_date=date(2021, 6, 15))
    person = make_client(office, "岡野 芽依", "オカノ メイ", birth_date=date(2021, 6, 15))
    data = form_data(office, name="岡野 芽依", name_kana="オカノ メイ", birth_date="2021/6/15", status="watching")
    response = signed_in.post(reverse("client_update", args=[person.pk]), data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.status == ClientStatus.WATCHING


def test_editing_the_name_into_anothers_asks_first_and_records_the_tick(signed_in, office):
    other = make_client(office, "岡野 芽衣", "オカノ メイ", birth_date=date(2021, 6, 15))
    person = make_client(office, "石田 唯", "イシダ ユイ", birth_date=date(2020, 1, 1))
    data = form_data(office, name="岡野 芽衣", name_kana="イシダ ユイ", birth_date="2020/1/1")
    response = signed_in.post(reverse("client_update", args=[person.pk]), data)
    assert response.status_code == 200
    assert [candidate.client for candidate in response.context["duplicates"]] == [other]
    person.refresh_from_db()
    assert person.name == "石田 唯"

    data.update(confirm_not_duplicate="on", duplicates_shown=str(other.pk))
    assert signed_in.post(reverse("client_update", args=[person.pk]), data).status_code == 302
    person.refresh_from_db()
    assert person.name == "岡野 芽衣"
    assert person.history.latest().history_change_reason == f"重複ではないことを確認しました（候補の番号：{other.pk}）"


def test_editing_a_guardians_phone_into_anothers_asks_first(signed_in, office):
    other = make_client(office, "岡野 芽衣", "オカノ メイ")
    make_guardian(other, "岡野 直子", phone="090-1234-5678")
    person = make_client(office, "石田 唯", "イシダ ユイ")
    data = form_data(office, name="石田 唯", name_kana="イシダ ユイ", birth_date="")
    data.update({"guardians-0-name": "石田 純", "guardians-0-relationship": "父", "guardians-0-phone": "09012345678"})
    response = signed_in.post(reverse("client_update", args=[person.pk]), data)
    assert response.status_code == 200
    assert [candidate.reasons for candidate in response.context["duplicates"]] == [(SAME_PHONE,)]
    assert not person.guardians.exists()


def test_a_log_of_the_client_still_counts_after_an_edit(signed_in, office, tester):
    person = make_client(office, "岡野 芽依", "オカノ メイ", birth_date=date(2021, 6, 15))
    make_log(person, tester, date(2025, 5, 1))
    data = form_data(office, name="岡野 芽依", name_kana="オカノ メイ", birth_date="2021/6/15")
    signed_in.post(reverse("client_update", args=[person.pk]), data)
    assert ContactLog.objects.filter(client=person).count() == 1


def test_only_coordinators_of_the_office_are_offered_as_assigned(signed_in, office, tester, coordinator):
    make_user(office, "boss", Role.SUPERVISOR, last_name="上司")
    form = signed_in.get(reverse("client_create")).context["form"]
    offered = list(form.fields["assigned_coordinator"].queryset)
    assert offered == [tester]
    assert coordinator not in form.fields["consent_taken_by"].queryset


# --- two people editing the same client ----------------------------------------------------------


def edit_data(office, person, mother, **overrides) -> dict:
    """What the edit page posts for the client as made below, its one guardian kept."""
    return form_data(
        office,
        name=person.name,
        name_kana=person.name_kana,
        birth_date="2021/6/15",
        **{
            "guardians-TOTAL_FORMS": "1",
            "guardians-INITIAL_FORMS": "1",
            "guardians-0-id": str(mother.pk),
            "guardians-0-client": str(person.pk),
            "guardians-0-name": mother.name,
            "guardians-0-relationship": mother.relationship,
            "guardians-0-phone": mother.phone,
            "guardians-0-is_primary": "on",
            **overrides,
        },
    )


def test_an_edit_saves_a_new_version(signed_in, office):
    person = make_client(office, "岡野 芽依", "オカノ メイ", birth_date=date(2021, 6, 15), district=district(office, 1))
    mother = make_guardian(person, "岡野 直子", is_primary=True)
    page = signed_in.get(reverse("client_update", args=[person.pk])).content.decode()
    assert 'name="version" value="1"' in page
    response = signed_in.post(
        reverse("client_update", args=[person.pk]), edit_data(office, person, mother, notes="面談")
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.version, person.notes) == (2, "面談")


def test_a_stale_save_of_a_client_is_refused_and_nothing_typed_is_lost(signed_in, office):
    person = make_client(office, "岡野 芽依", "オカノ メイ", birth_date=date(2021, 6, 15), district=district(office, 1))
    mother = make_guardian(person, "岡野 直子", phone="090-0000-1111", is_primary=True)
    colleague = Browser()
    colleague.force_login(make_user(office, "colleague", last_name="同僚"))
    url = reverse("client_update", args=[person.pk])
    # Both open the edit page at version 1; the colleague saves first.
    for browser in (colleague, signed_in):
        assert 'name="version" value="1"' in browser.get(url).content.decode()
    theirs = edit_data(office, person, mother, notes="同僚のメモ", **{"guardians-0-phone": "080-2222-3333"})
    assert colleague.post(url, theirs).status_code == 302

    mine = edit_data(office, person, mother, notes="わたしのメモ", status="watching")
    response = signed_in.post(url, mine)

    assert response.status_code == 409
    page = response.content.decode()
    assert "ほかの人がこの相談対象者の情報を先に更新しました" in page
    conflict = response.context["conflict"]
    assert "同僚" in conflict.who and conflict.when is not None
    changes = {change.label: (change.old, change.new) for change in conflict.changes}
    assert changes["メモ（要配慮）"] == ("同僚のメモ", "わたしのメモ")
    assert changes["状況"] == ("支援中", "見守り")
    assert "080-2222-3333" in changes["保護者・家族の連絡先"][0]
    assert "090-0000-1111" in changes["保護者・家族の連絡先"][1]
    # My typed values are still in the form, now based on the version that is saved.
    assert "わたしのメモ" in page and 'name="version" value="2"' in page
    person.refresh_from_db()
    assert (person.version, person.notes, person.status) == (2, "同僚のメモ", ClientStatus.ACTIVE)
    assert person.guardians.get().phone == "080-2222-3333"

    # Saving again from the refused page goes through, over the colleague's version.
    response = signed_in.post(url, {**mine, "version": "2"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.version, person.notes, person.status) == (3, "わたしのメモ", ClientStatus.WATCHING)
