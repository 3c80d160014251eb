"""Browser drafts of long forms: each form names its draft, and a save has the next page forget it."""

import pytest
from django.urls import reverse

from coordination.clients.models import Client
from coordination.events.models import Event
from directory.models import Provider
from tests.coordination.referral_factories import make_referral

pytestmark = pytest.mark.django_db


def draft_attribute(user, name: str) -> str:
    return f'data-form-draft="tsunagu:draft:{user.pk}:{name}"'


def test_each_long_form_names_its_draft_new_or_by_object(client, coordinator, demo_office):
    client.force_login(coordinator)
    person = Client.objects.for_office(demo_office).first()
    event = Event.objects.filter(office=demo_office).first()
    provider = Provider.objects.first()
    pages = {
        reverse("client_create"): "client:new",
        reverse("client_update", args=[person.pk]): f"client:{person.pk}",
        f"{reverse('event_create')}?kind=meeting": "event-meeting:new",
        reverse("event_update", args=[event.pk]): f"event-{event.kind}:{event.pk}",
        reverse("directory:provider_create"): "provider:new",
        reverse("directory:provider_update", args=[provider.pk]): f"provider:{provider.pk}",
    }
    for url, name in pages.items():
        page = client.get(url).content.decode()
        assert draft_attribute(coordinator, name) in page, url
        assert "data-form-draft-posted" not in page, url
        assert "js/form-draft.js" in page


def test_a_form_shown_again_after_a_post_does_not_restore_a_draft(client, coordinator):
    client.force_login(coordinator)
    page = client.post(reverse("directory:provider_create"), {"name": ""}).content.decode()
    assert draft_attribute(coordinator, "provider:new") in page
    assert "data-form-draft-posted" in page


def test_a_saved_form_has_the_next_page_forget_its_draft_once(client, coordinator):
    client.force_login(coordinator)
    data = {
        "name": "下書き 消える",
        "name_kana": "シタガキ キエル",
        "status": "active",
        "guardians-TOTAL_FORMS": "0",
        "guardians-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("client_create"), data)
    assert response.status_code == 302
    page = client.get(response.url)
    assert page.context["clear_drafts"] == ["client:new"]
    assert f'data-clear-drafts="tsunagu:draft:{coordinator.pk}:client:new ' in page.content.decode()
    assert "data-clear-drafts" not in client.get(response.url).content.decode()


def test_the_duplicate_tick_is_never_kept_in_a_draft(client, coordinator):
    client.force_login(coordinator)
    form = client.get(reverse("client_create")).context["form"]
    assert "data-form-draft-skip" in str(form["confirm_not_duplicate"])


def test_the_referral_form_names_its_draft_and_a_save_has_the_next_page_forget_it(client, coordinator, demo_office):
    referral = make_referral(demo_office, coordinator)
    client.force_login(coordinator)
    for url, name in (
        (reverse("referral_create"), "referral:new"),
        (reverse("referral_update", args=[referral.pk]), f"referral:{referral.pk}"),
    ):
        page = client.get(url).content.decode()
        assert draft_attribute(coordinator, name) in page, url
        assert "data-form-draft-posted" not in page, url
    assert "data-form-draft-posted" in client.post(reverse("referral_create"), {"purpose": ""}).content.decode()

    data = {
        "client": referral.client_id,
        "provider": referral.provider_id,
        "purpose": "下書きが消える",
        "coordinator": coordinator.pk,
    }
    response = client.post(reverse("referral_create"), data)
    assert response.status_code == 302
    assert client.get(response.url).context["clear_drafts"] == ["referral:new"]
    response = client.post(reverse("referral_update", args=[referral.pk]), {**data, "version": referral.version})
    assert response.status_code == 302
    assert client.get(response.url).context["clear_drafts"] == [f"referral:{referral.pk}"]
