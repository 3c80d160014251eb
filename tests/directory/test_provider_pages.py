"""A provider's page, the coordinators' edits, and what each role may open."""

from datetime import date, timedelta

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from coordination.clients.models import Client
from coordination.fiscal import fiscal_year_of
from coordination.logs.models import ContactMethod, Counterpart
from directory.models import Acceptance, District, MedicalCareProcedure, Provider, ProviderCategory, ProviderProcedure
from tests.coordination.client_factories import make_log

from .factories import ACCEPTED, CONDITIONAL, REFUSED, make_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(db, coordinator):
    return make_provider(
        "こもれび訪問看護ステーション",
        name_kana="コモレビホウモンカンゴステーション",
        district=District.objects.get(code="kita-oji"),
        municipality="北区",
        address="東京都北区王子1-2-3",
        phone="03-1111-2222",
        fax="03-1111-3333",
        email="info@komorebi.example.jp",
        url="https://komorebi.example.jp/",
        opening_hours="月～金 9:00～18:00",
        ages_from=0,
        ages_to=18,
        services="小児訪問看護、入浴介助",
        has_coordinator=True,
        vacancy_note="月・水に空きあり",
        vacancy_noted_on=date(2026, 10, 1),
        public_note="駐車場あり",
        internal_note="管理者は折り返しが遅い（内部だけの情報）",
        verified_on=timezone.localdate() - timedelta(days=10),
        verified_by=coordinator,
        acceptances={"ventilator": (CONDITIONAL, "看護師在籍日のみ"), "suction": ACCEPTED, "dialysis": REFUSED},
    )


def _page(client, user, provider):
    client.force_login(user)
    response = client.get(reverse("directory:provider_detail", args=[provider.pk]))
    assert response.status_code == 200
    return response.content.decode()


# --- the page ------------------------------------------------------------------------------------


def test_the_page_shows_every_public_fact(client, ward_staff, provider):
    html = _page(client, ward_staff, provider)
    for text in [
        "こもれび訪問看護ステーション",
        "コモレビホウモンカンゴステーション",
        "訪問看護ステーション",
        "東京都北区王子1-2-3",
        "03-1111-2222",
        "03-1111-3333",
        "info@komorebi.example.jp",
        "https://komorebi.example.jp/",
        "月～金 9:00～18:00",
        "0～18歳",
        "小児訪問看護、入浴介助",
        "月・水に空きあり",
        "2026年10月1日時点",
        "駐車場あり",
        "医療的ケア児等コーディネーター在籍",
        "青木",
    ]:
        assert text in html, text


def test_the_matrix_lists_all_fourteen_procedures_with_unknown_where_nothing_was_said(client, ward_staff, provider):
    client.force_login(ward_staff)
    response = client.get(reverse("directory:provider_detail", args=[provider.pk]))
    rows = {row.procedure.code: (row.label, row.note) for row in response.context["matrix"]}
    assert len(rows) == MedicalCareProcedure.objects.count() == 14
    assert rows["ventilator"] == ("条件付き", "看護師在籍日のみ")
    assert rows["suction"] == ("可", "")
    assert rows["dialysis"] == ("不可", "")
    assert rows["oxygen"] == ("未確認", "")
    assert "看護師在籍日のみ" in response.content.decode()


def test_ward_staff_never_see_the_internal_note(client, ward_staff, provider):
    html = _page(client, ward_staff, provider)
    assert "管理者は折り返しが遅い" not in html
    assert "内部メモ" not in html


@pytest.mark.parametrize("username", ["coordinator", "supervisor"])
def test_the_office_team_sees_the_internal_note(client, username, provider):
    from accounts.models import User

    assert "管理者は折り返しが遅い" in _page(client, User.objects.get(username=username), provider)


def test_a_coordinator_sees_how_many_logs_this_fiscal_year_name_the_provider_and_a_link(
    client, coordinator, demo_office, provider
):
    today = timezone.localdate()
    this_year_start = date(fiscal_year_of(today), 4, 1)
    kid = Client.objects.for_office(demo_office).first()
    for day in (this_year_start, today, this_year_start - timedelta(days=1)):  # the last is last year's
        log = make_log(kid, coordinator, day, method=ContactMethod.objects.filter(children__isnull=True).first())
        Counterpart.objects.create(contact_log=log, category=provider.category.counterpart_category, provider=provider)
    # Two counterparts on one log still count one log.
    Counterpart.objects.create(contact_log=log, category=provider.category.counterpart_category, provider=provider)

    html = _page(client, coordinator, provider)
    assert "この機関を相手先とした記録は 2件 です。" in html
    link = f"{reverse('log_list')}?provider={provider.pk}&amp;quarter={fiscal_year_of(today)}"
    assert link in html

    listed = client.get(reverse("log_list"), {"provider": provider.pk, "quarter": fiscal_year_of(today)})
    assert listed.context["page"].paginator.count == 2


def test_the_log_count_says_none_yet_without_a_link(client, coordinator, provider):
    html = _page(client, coordinator, provider)
    assert "この機関を相手先とした記録はまだありません。" in html
    assert f"{reverse('log_list')}?provider={provider.pk}" not in html


def test_ward_staff_see_no_log_count(client, ward_staff, provider):
    html = _page(client, ward_staff, provider)
    assert "相手先とした記録" not in html


def test_an_unknown_provider_is_404(client, ward_staff):
    client.force_login(ward_staff)
    assert client.get(reverse("directory:provider_detail", args=[999_999])).status_code == 404


def test_the_page_flags_an_entry_not_verified_for_a_year(client, ward_staff, provider):
    Provider.objects.filter(pk=provider.pk).update(verified_on=timezone.localdate() - timedelta(days=400))
    html = _page(client, ward_staff, provider)
    assert "要再確認" in html
    assert "今日確認した" not in html  # ward staff cannot record it


# --- who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["client_list", "log_list", "event_list", "reporting:quarterly"])
def test_ward_staff_are_refused_every_client_log_event_and_report_page(client, ward_staff, url_name):
    client.force_login(ward_staff)
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "このページは表示できません" in response.content.decode()


@pytest.mark.parametrize("username", ["ward", "supervisor"])
def test_only_coordinators_may_add_edit_or_verify_providers(client, username, provider):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    assert client.get(reverse("directory:provider_create")).status_code == 403
    assert client.get(reverse("directory:provider_update", args=[provider.pk])).status_code == 403
    assert client.post(reverse("directory:provider_update", args=[provider.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("directory:provider_verify", args=[provider.pk])).status_code == 403
    provider.refresh_from_db()
    assert provider.name == "こもれび訪問看護ステーション"


@pytest.mark.parametrize(
    "url",
    [
        reverse("directory:provider_create"),
        reverse("directory:provider_reverify_list"),
        "/directory/1/",
        "/directory/1/edit/",
    ],
)
def test_anonymous_visitors_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- editing -------------------------------------------------------------------------------------


def _form_data(provider=None, **overrides) -> dict:
    """What the edit form posts: the fields and the 14 matrix rows."""
    procedures = list(MedicalCareProcedure.objects.order_by("position"))
    answers = (
        {cell.procedure_id: cell for cell in ProviderProcedure.objects.filter(provider=provider)} if provider else {}
    )
    data = {
        "name": provider.name if provider else "ほしぞら児童発達支援教室",
        "name_kana": provider.name_kana if provider else "ホシゾラジドウハッタツシエンキョウシツ",
        "category": (provider.category if provider else ProviderCategory.objects.get(code="child-development")).pk,
        "district": "",
        "municipality": "北区",
        "address": "東京都北区赤羽1-1-1",
        "phone": "03-2222-3333",
        "fax": "",
        "email": "",
        "url": "",
        "opening_hours": "月～金 9:30～15:00",
        "ages_from": "0",
        "ages_to": "6",
        "services": "",
        "vacancy_note": "",
        "vacancy_noted_on": "",
        "public_note": "",
        "internal_note": "",
        "is_active": "on",
        "version": str(provider.version) if provider else "",
        "acceptances-TOTAL_FORMS": str(len(procedures)),
        "acceptances-INITIAL_FORMS": str(len(procedures)),
        "acceptances-MIN_NUM_FORMS": "0",
        "acceptances-MAX_NUM_FORMS": "50",
        # Three empty opening-hour rows, as the form shows under the saved ones: ignored.
        "schedules-TOTAL_FORMS": "3",
        "schedules-INITIAL_FORMS": "0",
        "schedules-MIN_NUM_FORMS": "0",
        "schedules-MAX_NUM_FORMS": "14",
    }
    for index, procedure in enumerate(procedures):
        cell = answers.get(procedure.pk)
        data[f"acceptances-{index}-procedure"] = procedure.code
        data[f"acceptances-{index}-status"] = cell.status if cell else Acceptance.UNKNOWN
        data[f"acceptances-{index}-note"] = cell.note if cell else ""
    data.update(overrides)
    return data


def _row(code: str) -> int:
    return list(MedicalCareProcedure.objects.order_by("position").values_list("code", flat=True)).index(code)


def test_a_coordinator_adds_a_provider_with_its_matrix(client, coordinator):
    client.force_login(coordinator)
    data = _form_data(
        **{
            f"acceptances-{_row('tube-feeding')}-status": Acceptance.ACCEPTED,
            f"acceptances-{_row('ventilator')}-status": Acceptance.CONDITIONAL,
            f"acceptances-{_row('ventilator')}-note": "看護師在籍日のみ",
            "verified": "on",
        }
    )
    response = client.post(reverse("directory:provider_create"), data)
    provider = Provider.objects.get(name="ほしぞら児童発達支援教室")
    assert response.status_code == 302
    assert response["Location"] == reverse("directory:provider_detail", args=[provider.pk])
    cells = {cell.procedure.code: (cell.status, cell.note) for cell in provider.acceptances.select_related("procedure")}
    assert cells == {"tube-feeding": ("accepted", ""), "ventilator": ("conditional", "看護師在籍日のみ")}
    assert (provider.verified_on, provider.verified_by) == (timezone.localdate(), coordinator)
    assert (provider.ages_from, provider.ages_to) == (0, 6)
    assert "ホシゾラ" in provider.search_text


def test_editing_changes_the_matrix_and_unknown_without_a_note_removes_the_row(client, coordinator, provider):
    client.force_login(coordinator)
    data = _form_data(
        provider,
        **{
            f"acceptances-{_row('dialysis')}-status": Acceptance.UNKNOWN,
            f"acceptances-{_row('suction')}-status": Acceptance.CONDITIONAL,
            f"acceptances-{_row('suction')}-note": "日中のみ",
            "name": "こもれび訪問看護ステーション王子",
        },
    )
    verified_on = provider.verified_on
    response = client.post(reverse("directory:provider_update", args=[provider.pk]), data)
    assert response.status_code == 302
    provider.refresh_from_db()
    cells = {cell.procedure.code: (cell.status, cell.note) for cell in provider.acceptances.select_related("procedure")}
    assert cells == {"ventilator": ("conditional", "看護師在籍日のみ"), "suction": ("conditional", "日中のみ")}
    assert provider.name == "こもれび訪問看護ステーション王子"
    assert provider.verified_on == verified_on  # editing alone does not count as verifying
    assert provider.version == 2


def test_the_edit_form_shows_the_current_matrix(client, coordinator, provider):
    client.force_login(coordinator)
    response = client.get(reverse("directory:provider_update", args=[provider.pk]))
    rows = {form.procedure_object.code: form.initial for form in response.context["matrix_formset"]}
    assert len(rows) == 14
    assert rows["ventilator"]["status"] == "conditional" and rows["ventilator"]["note"] == "看護師在籍日のみ"
    assert rows["oxygen"]["status"] == "unknown"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "名称を入力してください。"),
        ({"ages_from": "10", "ages_to": "3"}, "対象年齢は「から」を「まで」以下にしてください。"),
        ({"email": "not-an-address"}, "メールアドレスの形が正しくありません。"),
        ({"vacancy_noted_on": "2026-13-40"}, "日付は 2025-04-01 の形で入力してください。"),
        ({"acceptances-0-status": "maybe"}, "受け入れは一覧から選んでください。"),
        ({"acceptances-1-note": "長" * 201}, "条件・備考は200文字以内で書いてください。"),
        ({"acceptances-0-procedure": "no-such-care"}, "医療的ケアの一覧が変わりました。"),
    ],
)
def test_bad_input_gets_a_japanese_message_and_nothing_is_saved(client, coordinator, provider, overrides, message):
    client.force_login(coordinator)
    cells = (
        ProviderProcedure.objects.filter(provider=provider)
        .order_by("procedure")
        .values_list("procedure", "status", "note")
    )
    before = list(cells)
    data = _form_data(provider, **{"address": "変わったはずの住所", **overrides})
    response = client.post(reverse("directory:provider_update", args=[provider.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "保存されていません" in html
    assert message in html
    provider.refresh_from_db()
    assert provider.address == "東京都北区王子1-2-3"
    assert list(cells) == before


# --- two people editing the same provider --------------------------------------------------------


def test_a_change_of_the_matrix_alone_is_a_new_version_and_no_change_is_none(client, coordinator, provider):
    client.force_login(coordinator)
    url = reverse("directory:provider_update", args=[provider.pk])
    assert client.post(url, _form_data(provider)).status_code == 302
    provider.refresh_from_db()
    assert provider.version == 2
    unchanged = _form_data(provider)
    assert client.post(url, unchanged).status_code == 302
    provider.refresh_from_db()
    assert provider.version == 2
    oxygen = {f"acceptances-{_row('oxygen')}-status": Acceptance.ACCEPTED}
    assert client.post(url, {**unchanged, **oxygen}).status_code == 302
    provider.refresh_from_db()
    assert provider.version == 3


def test_a_stale_save_of_a_provider_is_refused_and_nothing_typed_is_lost(client, coordinator, provider):
    colleague = Browser()
    colleague.force_login(User.objects.get(username="coordinator2"))
    client.force_login(coordinator)
    url = reverse("directory:provider_update", args=[provider.pk])
    # Both open the edit page at version 1; the colleague saves first.
    for browser in (colleague, client):
        assert 'name="version" value="1"' in browser.get(url).content.decode()
    oxygen = _row("oxygen")
    theirs = _form_data(
        provider,
        phone="03-9999-0000",
        public_note="同僚の備考",
        **{f"acceptances-{oxygen}-status": Acceptance.ACCEPTED},
    )
    mine = _form_data(provider, phone="03-5555-6666", public_note="わたしの備考")
    assert colleague.post(url, theirs).status_code == 302

    response = client.post(url, mine)

    assert response.status_code == 409
    page = response.content.decode()
    assert "ほかの人がこの機関・事業所の情報を先に更新しました" in page
    conflict = response.context["conflict"]
    assert "森川" in conflict.who
    changes = {change.label: (change.old, change.new) for change in conflict.changes}
    assert changes["電話"] == ("03-9999-0000", "03-5555-6666")
    assert changes["備考"] == ("同僚の備考", "わたしの備考")
    assert changes["医療的ケアの受け入れ：酸素療法"] == ("可", "未確認")
    assert "わたしの備考" in page and 'name="version" value="2"' in page
    provider.refresh_from_db()
    assert (provider.version, provider.phone, provider.public_note) == (2, "03-9999-0000", "同僚の備考")
    assert provider.acceptances.get(procedure__code="oxygen").status == Acceptance.ACCEPTED

    assert client.post(url, {**mine, "version": "2"}).status_code == 302
    provider.refresh_from_db()
    assert (provider.version, provider.phone, provider.public_note) == (3, "03-5555-6666", "わたしの備考")


@pytest.mark.parametrize("value", ["", "   ", None], ids=["blank", "spaces", "missing"])
@pytest.mark.parametrize("editing", [False, True], ids=["new", "edit"])
def test_a_row_without_its_procedure_is_refused_with_a_form_error_and_nothing_is_saved(
    client, coordinator, provider, value, editing
):
    client.force_login(coordinator)
    data = _form_data(provider if editing else None)
    if value is None:
        del data["acceptances-0-procedure"]
    else:
        data["acceptances-0-procedure"] = value
    url = reverse("directory:provider_update", args=[provider.pk]) if editing else reverse("directory:provider_create")
    before = list(ProviderProcedure.objects.order_by("pk").values_list("pk", "status", "note"))
    response = client.post(url, data)
    assert response.status_code == 200
    assert "医療的ケアの一覧が変わりました" in response.content.decode()
    assert list(ProviderProcedure.objects.order_by("pk").values_list("pk", "status", "note")) == before
    assert not Provider.objects.filter(name="ほしぞら児童発達支援教室").exists()
