"""情報共有の同意: recording a consent, withdrawing it, and the open referrals a withdrawal flags."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from common.services import EditConflict
from coordination.clients import services
from coordination.clients.models import Consent, ConsentMethod
from coordination.referrals.models import Referral
from coordination.referrals.states import ReferralState
from directory.models import ProviderCategory

from .client_factories import make_client, make_office, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def office():
    return make_office()


@pytest.fixture
def tester(office):
    return make_user(office, "tester", last_name="試験")


@pytest.fixture
def child(office):
    return make_client(office, procedures=["ventilator"], has_medical_care=True)


@pytest.fixture
def signed_in(client, tester):
    client.force_login(tester)
    return client


def kind(code: str) -> ProviderCategory:
    return ProviderCategory.objects.get(code=code)


def make_consent(child, tester, *codes, given_on=None, **fields) -> Consent:
    return services.consent_create(
        client=child,
        recorded_by=tester,
        given_on=given_on or TODAY - timedelta(days=30),
        expires_on=fields.pop("expires_on", None),
        categories=[kind(code) for code in codes or ("visiting-nurse",)],
        given_by=fields.pop("given_by", "母"),
        method=fields.pop("method", ConsentMethod.WRITTEN),
        scope_note=fields.pop("scope_note", ""),
    )


def make_referral(child, tester, consent, state=ReferralState.REQUESTED, code="visiting-nurse") -> Referral:
    return Referral.objects.create(
        office=child.office,
        client=child,
        organization_name=f"{state}の先",
        organization_category=kind(code),
        purpose="利用の相談",
        coordinator=tester,
        created_by=tester,
        state=state,
        state_changed_on=TODAY - timedelta(days=5),
        consent=consent,
    )


def create_url(child, **query):
    url = reverse("consent_create", args=[child.pk])
    return url + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def withdraw_url(consent):
    return reverse("consent_withdraw", args=[consent.client_id, consent.pk])


def form_data(**overrides) -> dict:
    data = {
        "given_on": f"{TODAY:%Y/%m/%d}",
        "expires_on": "",
        "categories": [kind("visiting-nurse").pk, kind("nursery").pk],
        "given_by": "母",
        "method": ConsentMethod.WRITTEN,
        "scope_note": "医療的ケアの内容と連絡先",
    }
    data.update(overrides)
    return data


# --- recording a consent ---------------------------------------------------------------------


def test_a_coordinator_records_a_consent_and_sees_it_on_the_client_page(signed_in, child, tester):
    response = signed_in.post(create_url(child), form_data())
    consent = Consent.objects.get(client=child)
    assert response.status_code == 302
    assert response["Location"] == reverse("client_detail", args=[child.pk]) + f"#consent-{consent.pk}"
    assert set(consent.categories.values_list("code", flat=True)) == {"visiting-nurse", "nursery"}
    assert consent.recorded_by == tester
    assert consent.given_on == TODAY
    assert consent.history.count() == 1
    assert set(consent.history.get().categories.values_list("providercategory__code", flat=True)) == {
        "visiting-nurse",
        "nursery",
    }
    page = signed_in.get(reverse("client_detail", args=[child.pk])).content.decode()
    assert f'id="consent-{consent.pk}"' in page
    assert "訪問看護ステーション・保育園" in page
    assert "有効" in page
    assert withdraw_url(consent) in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"given_on": ""}, "日付を入力してください。"),
        ({"given_on": "2025/13/40"}, "同意日"),
        ({"given_on": f"{TODAY + timedelta(days=1):%Y/%m/%d}"}, "未来の日付は入力できません"),
        ({"expires_on": f"{TODAY - timedelta(days=1):%Y/%m/%d}"}, "有効期限は同意日より後の日にしてください。"),
        ({"categories": []}, "情報を共有してよい機関の種別を1つ以上選んでください。"),
        ({"categories": ["999999"]}, "選べない種別が含まれています。"),
        ({"given_by": ""}, "同意した方"),
        ({"method": "email"}, "同意の方法"),
    ],
)
def test_bad_input_is_explained_in_japanese_and_nothing_is_saved(signed_in, child, overrides, message):
    response = signed_in.post(create_url(child), form_data(**overrides))
    assert response.status_code == 200
    page = response.content.decode()
    assert "入力内容を確認してください。保存されていません。" in page
    assert message in page
    assert not Consent.objects.filter(client=child).exists()


def test_the_service_refuses_a_consent_without_a_kind_or_from_the_future(child, tester):
    with pytest.raises(ValidationError) as refused:
        services.consent_create(
            client=child,
            recorded_by=tester,
            given_on=TODAY + timedelta(days=1),
            categories=[],
            given_by="",
            method=ConsentMethod.ORAL,
        )
    assert set(refused.value.message_dict) == {"given_on", "categories", "given_by"}
    assert not Consent.objects.filter(client=child).exists()


def test_the_category_in_the_link_is_ticked_and_next_brings_the_user_back(signed_in, child):
    back = reverse("client_detail", args=[child.pk]) + "?from=referral"
    response = signed_in.get(create_url(child, category="visiting-nurse", next=quote(back, safe="")))
    form = response.context["form"]
    assert [c.code for c in form.initial["categories"]] == ["visiting-nurse"]
    ticked = [box for _, boxes in form.category_groups() for box in boxes if "checked" in str(box.tag())]
    assert [box.choice_label for box in ticked] == ["訪問看護ステーション"]
    saved = signed_in.post(create_url(child, next=quote(back, safe="")), form_data())
    assert saved.status_code == 302
    assert saved["Location"] == back


def test_the_kinds_are_grouped_under_the_reports_headings(signed_in, child):
    form = signed_in.get(create_url(child)).context["form"]
    headings = [heading for heading, _ in form.category_groups()]
    assert "医療機関" in headings and "保育機関" in headings
    grouped = {heading: [box.choice_label for box in boxes] for heading, boxes in form.category_groups()}
    assert "訪問看護ステーション" in grouped["医療機関"]
    assert sum(len(boxes) for boxes in grouped.values()) == ProviderCategory.objects.count()


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_a_next_to_another_site_is_ignored(signed_in, child, next_url):
    response = signed_in.post(create_url(child, next=quote(next_url, safe="")), form_data())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("client_detail", args=[child.pk]))


# --- withdrawing it ------------------------------------------------------------------------------


def test_a_withdrawal_flags_the_open_referrals_it_covered_and_no_others(signed_in, child, tester):
    consent = make_consent(child, tester)
    other = make_consent(child, tester, "nursery")
    open_ones = [
        make_referral(child, tester, consent, state) for state in ("draft", "requested", "accepted", "started")
    ]
    closed = [make_referral(child, tester, consent, state) for state in ("declined", "cancelled", "ended")]
    untouched = make_referral(child, tester, other, code="nursery")

    page = signed_in.get(withdraw_url(consent))
    assert f'name="version" value="{consent.version}"' in page.content.decode()
    response = signed_in.post(
        withdraw_url(consent), {"withdrawn_on": f"{TODAY:%Y/%m/%d}", "note": "母から電話で", "version": consent.version}
    )
    assert response.status_code == 302
    assert response["Location"] == withdraw_url(consent)
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY
    assert consent.withdrawal_note == "母から電話で"
    assert consent.version == 2
    assert not consent.is_in_force_on(TODAY)
    assert set(Referral.objects.filter(client=child).consent_withdrawn()) == set(open_ones)
    for referral in closed + [untouched]:
        assert not Referral.objects.get(pk=referral.pk).consent_withdrawn

    confirmation = signed_in.get(withdraw_url(consent))
    assert list(confirmation.context["flagged"]) == sorted(open_ones, key=lambda r: r.pk)
    text = confirmation.content.decode()
    assert f"次の{len(open_ones)}件に「同意撤回」の印が付きました。" in text
    for referral in closed:
        assert referral.organization_name not in text


def test_the_service_returns_the_open_referrals_it_flags(child, tester):
    consent = make_consent(child, tester)
    requested = make_referral(child, tester, consent)
    make_referral(child, tester, consent, ReferralState.DECLINED)
    flagged = services.consent_withdraw(
        consent=consent, expected_version=consent.version, user=tester, withdrawn_on=TODAY, note=""
    )
    assert flagged == [requested]


def test_a_stale_withdrawal_is_refused_and_changes_nothing(signed_in, child, tester):
    consent = make_consent(child, tester)
    services.consent_withdraw(
        consent=consent, expected_version=consent.version, user=tester, withdrawn_on=TODAY - timedelta(days=1)
    )
    with pytest.raises(EditConflict):
        services.consent_withdraw(consent=consent, expected_version=1, user=tester, withdrawn_on=TODAY)
    response = signed_in.post(withdraw_url(consent), {"withdrawn_on": f"{TODAY:%Y/%m/%d}", "version": 1})
    # The page shows the consent as withdrawn by the other person; nothing changes.
    assert response.status_code == 200
    consent.refresh_from_db()
    assert consent.withdrawn_on == TODAY - timedelta(days=1)
    assert consent.version == 2


def test_two_people_withdrawing_at_once_the_second_gets_the_conflict_page(signed_in, child, tester):
    consent = make_consent(child, tester)
    # Someone else changed the consent (a later version) while the form was open.
    Consent.objects.filter(pk=consent.pk).update(version=5)
    response = signed_in.post(withdraw_url(consent), {"withdrawn_on": f"{TODAY:%Y/%m/%d}", "version": 1})
    assert response.status_code == 409
    assert "ほかの人がこの同意を先に更新しました" in response.content.decode()
    assert 'name="version" value="5"' in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("", "日付を入力してください。"),
        (f"{TODAY + timedelta(days=1):%Y/%m/%d}", "未来の日付は入力できません"),
        (f"{TODAY - timedelta(days=400):%Y/%m/%d}", "撤回日は同意日より後の日にしてください。"),
    ],
)
def test_a_bad_withdrawal_date_is_explained_and_nothing_changes(signed_in, child, tester, day, message):
    consent = make_consent(child, tester)
    response = signed_in.post(withdraw_url(consent), {"withdrawn_on": day, "version": consent.version})
    assert response.status_code == 200
    assert message in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_on is None and consent.version == 1


# --- who may do what ---------------------------------------------------------------------------


def test_a_supervisor_reads_consents_but_may_not_record_or_withdraw(client, office, child, tester):
    consent = make_consent(child, tester)
    client.force_login(make_user(office, "boss", Role.SUPERVISOR))
    page = client.get(reverse("client_detail", args=[child.pk])).content.decode()
    assert "訪問看護ステーション" in page
    assert reverse("consent_create", args=[child.pk]) not in page
    assert withdraw_url(consent) not in page
    assert client.get(create_url(child)).status_code == 403
    assert client.get(withdraw_url(consent)).status_code == 403
    assert client.post(create_url(child), form_data()).status_code == 403
    assert Consent.objects.filter(client=child).count() == 1


def test_ward_staff_are_refused(client, office, child, tester):
    consent = make_consent(child, tester)
    client.force_login(make_user(office, "ward1", Role.WARD_STAFF))
    assert client.get(create_url(child)).status_code == 403
    assert client.get(withdraw_url(consent)).status_code == 403


def test_another_offices_client_or_consent_is_not_found(signed_in, child, tester):
    elsewhere = make_office("別区医療的ケア児等コーディネーター事業")
    their_child = make_client(elsewhere, "別区 太郎", "ベツク タロウ")
    their_consent = make_consent(their_child, make_user(elsewhere, "theirs"))
    assert signed_in.get(create_url(their_child)).status_code == 404
    assert signed_in.post(create_url(their_child), form_data()).status_code == 404
    assert signed_in.get(withdraw_url(their_consent)).status_code == 404
    # A consent of another client under this client's URL.
    sibling = make_client(child.office, "山田 次郎", "ヤマダ ジロウ")
    mine = make_consent(sibling, tester)
    wrong = reverse("consent_withdraw", args=[child.pk, mine.pk])
    assert signed_in.get(wrong).status_code == 404
    assert signed_in.post(wrong, {"withdrawn_on": f"{TODAY:%Y/%m/%d}", "version": 1}).status_code == 404
    mine.refresh_from_db()
    assert mine.withdrawn_on is None
