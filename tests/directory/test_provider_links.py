"""A provider keeps its own entry true through a one-time link (issue 19).

Signed, expiring, single use, a newer link ends the older; the page shows only the provider's public
fields; confirming without changes records 事業所が確認, with changes a proposal the office accepts or
rejects field by field, a change made by the office since shown as a 衝突; every use in the access log.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action, Outcome
from directory import services
from directory.models import (
    Acceptance,
    MedicalCareProcedure,
    ProposalStatus,
    Provider,
    ProviderLink,
    ProviderProcedure,
    ProviderProposal,
    VerifiedVia,
)

from .factories import make_provider

pytestmark = pytest.mark.django_db

SECRET_NOTE = "内部メモ：担当者が入院中のため要注意"


@pytest.fixture
def stale(db):
    return make_provider(
        "ゼットリンク訪問看護",
        name_kana="ゼットリンクホウモンカンゴ",
        email="office@zet-link.example.jp",
        phone="03-1111-2222",
        internal_note=SECRET_NOTE,
        verified_on=timezone.localdate() - timedelta(days=500),
        acceptances={"ventilator": Acceptance.REFUSED, "suction": (Acceptance.CONDITIONAL, "看護師在籍日のみ")},
    )


def send_link(client, coordinator, provider) -> str:
    """The coordinator sends the link from the provider's page; returns the link's path as the e-mail gives it."""
    client.force_login(coordinator)
    response = client.post(reverse("directory:provider_link_send", args=[provider.pk]))
    assert response.status_code == 302
    client.logout()
    found = re.search(r"https?://[^/\s]+(/directory/link/\S+/)", mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found.group(1)


def form_data(page_response, **changes) -> dict:
    """The provider page's form as shown, with `changes` (field name → value; `ventilator` → status)."""
    form = page_response.context["form"]
    formset = page_response.context["matrix_formset"]
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name)
        if isinstance(field.widget, type(form.fields["has_coordinator"].widget)):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    data.update(
        formset.management_form.initial and {f"acceptances-{k}": v for k, v in formset.management_form.initial.items()}
    )
    for index, row in enumerate(formset.forms):
        for name in ("procedure", "status", "note"):
            data[f"acceptances-{index}-{name}"] = row.initial[name]
    for name, value in changes.items():
        code_index = {row.procedure_object.code: i for i, row in enumerate(formset.forms)}
        if name in code_index:
            status, _, note = value.partition("|")
            data[f"acceptances-{code_index[name]}-status"] = status
            data[f"acceptances-{code_index[name]}-note"] = note
        elif value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def open_link(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("directory:provider_link_page")
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page


def confirm(client, page, **changes):
    return client.post(reverse("directory:provider_link_page"), form_data(page, **changes))


def reverify_list(client) -> list[Provider]:
    return list(
        client.get(reverse("directory:provider_reverify_list"), {"page": 1}).context["page"].paginator.object_list
    )


# --- sending ------------------------------------------------------------------------------------------


def test_the_email_is_japanese_with_the_link_its_expiry_and_the_sending_office_and_nothing_internal(
    client, coordinator, stale, settings
):
    settings.TSUNAGU_PROVIDER_LINK_DAYS = 14
    path = send_link(client, coordinator, stale)
    message = mail.outbox[-1]
    assert message.to == ["office@zet-link.example.jp"]
    assert "ゼットリンク訪問看護" in message.subject
    assert coordinator.office.name in message.body
    expires = timezone.localtime(ProviderLink.objects.get(provider=stale).expires_at)
    assert f"{expires:%Y}年{expires.month}月{expires.day}日" in message.body
    assert expires.date() == (timezone.localtime() + timedelta(days=14)).date()
    assert "1回だけ" in message.body
    assert SECRET_NOTE not in message.body and "03-1111-2222" not in message.body
    # Only a hash of the secret is stored: the link cannot be rebuilt from the database.
    token = path.split("/")[-2]
    link = ProviderLink.objects.get(provider=stale)
    assert token not in link.token_hash and len(link.token_hash) == 64
    assert link.created_by == coordinator and link.sent_to == "office@zet-link.example.jp"


def test_a_provider_without_an_email_address_gets_a_japanese_message_and_no_link(client, coordinator, stale):
    Provider.objects.filter(pk=stale.pk).update(email="")
    client.force_login(coordinator)
    response = client.post(reverse("directory:provider_link_send", args=[stale.pk]), follow=True)
    assert "メールアドレスが登録されていないため" in response.content.decode()
    assert not mail.outbox and not ProviderLink.objects.exists()


@pytest.mark.parametrize("username", ["ward", "supervisor"])
def test_only_whoever_may_change_a_provider_sends_links(client, username, stale):
    from accounts.models import User

    client.force_login(User.objects.get(username=username))
    assert client.post(reverse("directory:provider_link_send", args=[stale.pk])).status_code == 403
    assert client.get(reverse("directory:provider_link_send_all")).status_code == 403
    assert client.post(reverse("directory:provider_link_send_all")).status_code == 403
    assert not mail.outbox and not ProviderLink.objects.exists()


# --- signed, expiring, single use -------------------------------------------------------------------------


def test_an_altered_link_gets_a_japanese_404_page_and_changes_nothing(client, coordinator, stale):
    path = send_link(client, coordinator, stale)
    token = path.split("/")[-2]
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.get(reverse("directory:provider_link_open", kwargs={"token": altered}))
    assert response.status_code == 404
    html = response.content.decode()
    assert "このリンクは使えません" in html and "リンクが正しくありません" in html
    assert "ゼットリンク" not in html
    secret_altered = "X" + token[1:]
    assert client.get(reverse("directory:provider_link_open", kwargs={"token": secret_altered})).status_code == 404
    assert client.get(reverse("directory:provider_link_page")).status_code == 404
    assert ProviderLink.objects.get().opened_at is None


def test_a_link_expires(client, coordinator, stale):
    path = send_link(client, coordinator, stale)
    ProviderLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(path)
    assert response.status_code == 410
    assert "有効期限が切れています" in response.content.decode()
    assert client.get(reverse("directory:provider_link_page")).status_code == 404


def test_a_link_that_expires_while_the_page_is_open_refuses_the_confirmation(client, coordinator, stale):
    page = open_link(client, send_link(client, coordinator, stale))
    ProviderLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    response = confirm(client, page, phone="03-9999-0000")
    assert response.status_code == 410
    stale.refresh_from_db()
    assert stale.phone == "03-1111-2222" and not ProviderProposal.objects.exists()
    assert stale.verified_via == ""


def test_a_link_works_once(client, coordinator, stale):
    path = send_link(client, coordinator, stale)
    page = open_link(client, path)
    assert confirm(client, page).status_code == 302
    again = client.get(path)
    assert again.status_code == 410
    assert "すでに使われています" in again.content.decode()
    # Nor in another browser.
    client.cookies.clear()
    assert client.get(path).status_code == 410


def test_a_newer_link_ends_the_older(client, coordinator, stale):
    older = send_link(client, coordinator, stale)
    newer = send_link(client, coordinator, stale)
    response = client.get(older)
    assert response.status_code == 410
    assert "新しいリンクが送られた" in response.content.decode()
    assert client.get(newer).status_code == 302


def test_the_secret_leaves_the_url_before_the_page_is_shown_and_never_reaches_the_access_log(
    client, coordinator, stale
):
    path = send_link(client, coordinator, stale)
    token = path.split("/")[-2]
    page = open_link(client, path)
    assert token not in page.request["PATH_INFO"]
    confirm(client, page)
    client.get(path)  # used: refused
    assert AccessEvent.objects.exists()
    assert not [event.path for event in AccessEvent.objects.all() if token in event.path]
    assert not [event for event in AccessEvent.objects.all() if token in str(event.object_ids)]


# --- what the provider sees ---------------------------------------------------------------------------------


def test_the_page_shows_the_providers_public_fields_and_matrix_and_nothing_internal(client, coordinator, stale):
    page = open_link(client, send_link(client, coordinator, stale))
    html = page.content.decode()
    assert "ゼットリンク訪問看護" in html and "03-1111-2222" in html
    assert "人工呼吸器" in html and "看護師在籍日のみ" in html
    assert SECRET_NOTE not in html and "内部メモ" not in html
    # No contact logs, referrals, history or verifier: what other apps add to the provider page stays there.
    for internal in ("相手先とした記録", "つなぎ", "変更履歴", "最終確認日", str(coordinator), "site-nav"):
        assert internal not in html, internal
    # The provider has no account: the footer does not ask them to sign out as it asks the staff.
    assert "ログアウト" not in html and "確認ページです" in html
    assert set(page.context["form"].fields) == {
        "name", "name_kana", "postal_code", "address", "phone", "fax", "email", "url", "opening_hours",
        "ages_from", "ages_to", "services", "has_coordinator", "vacancy_note", "public_note",
    }  # fmt: skip


def test_a_posted_internal_field_is_ignored(client, coordinator, stale):
    page = open_link(client, send_link(client, coordinator, stale))
    data = form_data(page)
    data.update(internal_note="書き換え", is_active="", verified_on="2020-01-01", category="1")
    assert client.post(reverse("directory:provider_link_page"), data).status_code == 302
    stale.refresh_from_db()
    assert stale.internal_note == SECRET_NOTE and stale.is_active
    assert not ProviderProposal.objects.exists()


def test_bad_input_gets_a_japanese_message_and_uses_nothing_up(client, coordinator, stale):
    page = open_link(client, send_link(client, coordinator, stale))
    response = confirm(client, page, email="not-an-address", ages_from="9", ages_to="3")
    assert response.status_code == 400
    html = response.content.decode()
    assert "メールアドレスの形が正しくありません。" in html
    assert "対象年齢は「から」を「まで」以下にしてください。" in html
    assert ProviderLink.objects.get().used_at is None and not ProviderProposal.objects.exists()
    # Corrected, it goes through.
    assert confirm(client, page, email="new@zet-link.example.jp").status_code == 302


# --- confirming ---------------------------------------------------------------------------------------------


def test_confirming_without_changes_records_jigyosho_ga_kakunin_today_and_the_entry_leaves_the_list(
    client, coordinator, stale
):
    page = open_link(client, send_link(client, coordinator, stale))
    version = stale.version
    response = confirm(client, page)
    assert response["Location"] == reverse("directory:provider_link_done")
    done = client.get(response["Location"]).content.decode()
    assert "事業所が確認" in done
    stale.refresh_from_db()
    assert stale.verified_on == timezone.localdate()
    assert stale.verified_via == VerifiedVia.PROVIDER and stale.verified_by is None
    assert stale.version == version
    client.force_login(coordinator)
    assert stale not in reverify_list(client)
    detail = client.get(reverse("directory:provider_detail", args=[stale.pk])).content.decode()
    assert "事業所が確認" in detail


def test_changes_arrive_as_a_proposal_and_change_nothing_until_decided(client, coordinator, stale):
    page = open_link(client, send_link(client, coordinator, stale))
    response = confirm(client, page, phone="03-3333-4444", ventilator=Acceptance.CONDITIONAL + "|看護師2名の日のみ")
    assert response.status_code == 302
    assert "受け付けました" in client.get(response["Location"]).content.decode()
    stale.refresh_from_db()
    assert stale.phone == "03-1111-2222" and stale.verified_via == ""
    proposal = ProviderProposal.objects.get()
    assert proposal.status == ProposalStatus.PENDING and proposal.base_version == stale.version
    assert proposal.changes == {
        "phone": {"base": "03-1111-2222", "proposed": "03-3333-4444"},
        "acceptance:ventilator": {
            "base": {"status": "refused", "note": ""},
            "proposed": {"status": "conditional", "note": "看護師2名の日のみ"},
        },
    }
    client.force_login(coordinator)
    listed = reverify_list(client)
    assert stale in listed
    html = client.get(reverse("directory:provider_reverify_list")).content.decode()
    assert "提案あり" in html
    assert (
        "事業所から変更の提案が1件届いています"
        in client.get(reverse("directory:provider_detail", args=[stale.pk])).content.decode()
    )


def _propose(client, coordinator, stale, **changes) -> ProviderProposal:
    page = open_link(client, send_link(client, coordinator, stale))
    assert confirm(client, page, **changes).status_code == 302
    client.force_login(coordinator)
    return ProviderProposal.objects.get(provider=stale, status=ProposalStatus.PENDING)


def test_a_coordinator_accepts_and_rejects_field_by_field(client, coordinator, stale):
    proposal = _propose(
        client,
        coordinator,
        stale,
        phone="03-3333-4444",
        vacancy_note="火曜に空きあり",
        name="ゼットリンク訪問看護（改名）",
        ventilator=Acceptance.CONDITIONAL + "|看護師2名の日のみ",
    )
    url = reverse("directory:provider_proposals", args=[stale.pk])
    review = client.get(url)
    html = review.content.decode()
    assert "03-1111-2222" in html and "03-3333-4444" in html and "衝突" not in html
    version = Provider.objects.get(pk=stale.pk).version
    response = client.post(
        url,
        {
            "proposal": proposal.pk,
            "version": version,
            "decision:phone": "accepted",
            "decision:vacancy_note": "accepted",
            "decision:name": "rejected",
            "decision:acceptance:ventilator": "accepted",
        },
    )
    assert response.status_code == 302
    stale.refresh_from_db()
    assert stale.phone == "03-3333-4444" and stale.name == "ゼットリンク訪問看護"
    assert stale.vacancy_note == "火曜に空きあり" and stale.vacancy_noted_on == timezone.localdate()
    cell = ProviderProcedure.objects.get(provider=stale, procedure__code="ventilator")
    assert (cell.status, cell.note) == (Acceptance.CONDITIONAL, "看護師2名の日のみ")
    assert stale.version == version + 1
    assert stale.verified_on == timezone.localdate() and stale.verified_via == VerifiedVia.PROVIDER
    # The search finds it now by 人工呼吸器.
    ventilator = MedicalCareProcedure.objects.get(code="ventilator")
    assert Provider.objects.accepting([ventilator]).filter(pk=stale.pk).exists()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DECIDED and proposal.decided_by == coordinator
    assert proposal.decisions["name"] == "rejected"
    # The change history names the coordinator who accepted; the list no longer holds the entry.
    latest = stale.history.order_by("-history_date").first()
    assert latest.history_user == coordinator
    assert stale not in reverify_list(client)
    detail = client.get(reverse("directory:provider_detail", args=[stale.pk])).content.decode()
    assert "事業所が確認" in detail and "提案あり" not in detail


def test_every_change_needs_a_decision(client, coordinator, stale):
    proposal = _propose(client, coordinator, stale, phone="03-3333-4444", fax="03-5555-6666")
    url = reverse("directory:provider_proposals", args=[stale.pk])
    version = Provider.objects.get(pk=stale.pk).version
    response = client.post(url, {"proposal": proposal.pk, "version": version, "decision:phone": "accepted"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "すべての項目で「反映する」か「反映しない」を選んでください。" in html
    assert 'name="decision:phone" value="accepted" required checked' in html  # the choice made stays
    stale.refresh_from_db()
    assert stale.phone == "03-1111-2222" and stale.version == version
    assert ProviderProposal.objects.get().status == ProposalStatus.PENDING


def test_a_proposal_on_a_provider_edited_since_shows_the_conflict_and_is_not_applied_blindly(
    client, coordinator, stale
):
    from accounts.models import User

    coordinator2 = User.objects.get(username="coordinator2")
    page = open_link(client, send_link(client, coordinator, stale))
    # Meanwhile a colleague corrects the phone number on the office's side.
    services.provider_update(provider=stale, user=coordinator2, expected_version=stale.version, phone="03-7777-8888")
    # The provider's page, opened again, still shows what it saw first: its proposal is measured against that.
    page = client.get(reverse("directory:provider_link_page"))
    assert 'value="03-1111-2222"' in page.content.decode()
    assert confirm(client, page, phone="03-3333-4444", fax="03-5555-6666").status_code == 302
    client.force_login(coordinator)
    url = reverse("directory:provider_proposals", args=[stale.pk])
    review = client.get(url)
    rows = {row.key: row for row in review.context["reviews"][0].rows}
    assert rows["phone"].conflict and not rows["fax"].conflict
    html = review.content.decode()
    assert "衝突" in html and "03-7777-8888" in html
    # A decision on a page older than the entry is refused and changes nothing.
    proposal = ProviderProposal.objects.get()
    current = Provider.objects.get(pk=stale.pk)
    decisions = {"proposal": proposal.pk, "decision:phone": "rejected", "decision:fax": "accepted"}
    stale_page = client.post(url, {**decisions, "version": current.version - 1})
    assert stale_page.status_code == 409
    assert "ほかの人が変更しました" in stale_page.content.decode()
    assert Provider.objects.get(pk=stale.pk).fax == ""
    # Decided knowingly: the colleague's phone stays, the fax is taken.
    assert client.post(url, {**decisions, "version": current.version}).status_code == 302
    stale.refresh_from_db()
    assert stale.phone == "03-7777-8888" and stale.fax == "03-5555-6666"


def test_a_proposal_of_another_provider_is_not_decided_from_this_ones_page(client, coordinator, stale):
    proposal = _propose(client, coordinator, stale, phone="03-3333-4444")
    other = make_provider("ゼット別の事業所")
    response = client.post(
        reverse("directory:provider_proposals", args=[other.pk]),
        {"proposal": proposal.pk, "version": other.version, "decision:phone": "accepted"},
    )
    assert response.status_code == 400
    assert ProviderProposal.objects.get().status == ProposalStatus.PENDING


# --- the access log ---------------------------------------------------------------------------------------------


def test_every_use_of_the_link_is_in_the_access_log(client, coordinator, stale):
    path = send_link(client, coordinator, stale)
    page = open_link(client, path)
    confirm(client, page, email="bad")
    confirm(client, page, phone="03-3333-4444")
    client.get(path)
    rows = list(AccessEvent.objects.filter(username__startswith="事業所リンク").order_by("pk"))
    assert [(row.action, row.outcome, row.status_code) for row in rows] == [
        (Action.PROVIDER_LINK_OPEN, Outcome.SUCCESS, 302),
        (Action.VIEW, Outcome.SUCCESS, 200),
        (Action.PROVIDER_LINK_CONFIRM, Outcome.REFUSED, 400),
        (Action.PROVIDER_LINK_CONFIRM, Outcome.SUCCESS, 302),
        (Action.REFUSED, Outcome.REFUSED, 410),
    ]
    link = ProviderLink.objects.get()
    assert all(row.object_ids["provider"] == stale.pk and row.object_ids["link"] == link.pk for row in rows)
    assert rows[3].object_ids["proposal"] == ProviderProposal.objects.get().pk
    assert all(row.user_id is None and "office@zet-link.example.jp" in row.username for row in rows)


def test_the_offices_supervisor_reads_the_uses_of_the_links_its_coordinators_sent(
    client, coordinator, supervisor, stale
):
    path = send_link(client, coordinator, stale)
    confirm(client, open_link(client, path))
    client.get(path)
    client.force_login(supervisor)
    html = client.get(reverse("access_log")).content.decode()
    assert "事業所の確認リンク（掲載内容の確認）" in html
    assert "office@zet-link.example.jp" in html  # the visitor: the address the link was sent to
    # Not another office's supervisor.
    from accounts.roles import Role
    from tests.coordination.client_factories import make_office, make_user

    other = make_office("板橋区医療的ケア児等コーディネーター事業")
    client.force_login(make_user(other, "b-supervisor", Role.SUPERVISOR))
    other_html = client.get(reverse("access_log")).content.decode()
    assert "事業所の確認リンク（掲載内容の確認）" not in other_html and "office@zet-link.example.jp" not in other_html


def test_an_altered_link_is_in_the_access_log_as_refused(client):
    client.get(reverse("directory:provider_link_open", kwargs={"token": "made-up:signature"}))
    row = AccessEvent.objects.latest("pk")
    assert (row.action, row.outcome, row.status_code) == (Action.REFUSED, Outcome.REFUSED, 404)
    assert "made-up" not in row.path


# --- the re-verify page's 確認依頼を一括送信 -----------------------------------------------------------------------


def test_links_go_to_every_stale_entry_with_an_email_and_those_without_are_listed(client, coordinator, stale):
    old = timezone.localdate() - timedelta(days=800)
    without = make_provider("ゼットメールなし", verified_on=old)
    fresh = make_provider("ゼット新しい", email="fresh@example.jp", verified_on=timezone.localdate())
    client.force_login(coordinator)
    url = reverse("directory:provider_link_send_all")
    confirmation = client.get(url).content.decode()
    assert "ゼットリンク訪問看護" in confirmation and "ゼットメールなし" in confirmation
    assert "ゼット新しい" not in confirmation
    response = client.post(url)
    assert response.status_code == 200
    html = response.content.decode()
    recipients = {address for message in mail.outbox for address in message.to}
    stale_with_email = Provider.objects.active().needing_reverification(timezone.localdate()).exclude(email="")
    assert recipients == set(stale_with_email.values_list("email", flat=True))
    assert "office@zet-link.example.jp" in recipients and "fresh@example.jp" not in recipients
    assert "メールアドレスがないため送れなかった機関" in html and "ゼットメールなし" in html
    assert not ProviderLink.objects.filter(provider__in=[without, fresh]).exists()
    # The list shows which entries have a link pending; a second click sends nothing again.
    assert "リンク送信済み" in client.get(reverse("directory:provider_reverify_list")).content.decode()
    sent = len(mail.outbox)
    client.post(url)
    assert len(mail.outbox) == sent


def test_the_bulk_send_is_a_post(client, coordinator, stale):
    client.force_login(coordinator)
    client.get(reverse("directory:provider_link_send_all"))
    assert not mail.outbox
