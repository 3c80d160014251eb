"""The provider page's 変更履歴: who changed which field when, the matrix too, imports included."""

import re

import pytest
from django.urls import reverse

from directory import services
from directory.models import Acceptance, MedicalCareProcedure, Provider, ProviderCategory
from directory.resources import ProviderResource
from directory.services import AcceptanceEntry
from tabular.history import LATEST
from tests.directory.test_provider_import import confirm, csv_bytes, preview, row_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.TSUNAGU_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def provider(coordinator) -> Provider:
    return services.provider_create(
        user=coordinator,
        name="あおば訪問看護ステーション",
        category=ProviderCategory.objects.get(code="visiting-nurse"),
        municipality="北区",
        phone="03-1111-1111",
    )


def update(provider: Provider, user, **changes) -> Provider:
    """provider_update with the changes given; the fields not given stay as saved."""
    return services.provider_update(provider=provider, user=user, **changes)


def history_section(client, provider, query="") -> str:
    """The 変更履歴 card's text as a reader sees it."""
    html = client.get(reverse("directory:provider_detail", args=[provider.pk]) + query).content.decode()
    section = html[html.index('aria-labelledby="history-heading"') :]
    section = section[: section.index("</section>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", section))


def test_the_provider_page_shows_who_changed_which_field_from_what_to_what(client, coordinator, provider):
    update(provider, coordinator, phone="03-2222-2222", has_coordinator=True)
    client.force_login(coordinator)
    text = history_section(client, provider)
    assert "変更" in text and str(coordinator) in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d{1,2}:\d{2}", text)
    assert "電話 03-1111-1111 03-2222-2222" in text
    assert "医療的ケア児等コーディネーター在籍 いいえ はい" in text
    assert "作成" in text  # the entry's creation, oldest last


def test_saving_an_entry_unchanged_adds_no_history_row(coordinator, provider):
    values = {name: getattr(provider, name) for name in services.PROVIDER_FIELDS}
    update(provider, coordinator, **values)
    assert provider.history.count() == 1  # created only


def test_the_matrix_changes_show_the_procedure_and_its_answers(client, coordinator, provider):
    ventilator = MedicalCareProcedure.objects.get(code="ventilator")
    update(provider, coordinator, acceptances=[AcceptanceEntry(procedure=ventilator, status=Acceptance.ACCEPTED)])
    update(
        provider,
        coordinator,
        acceptances=[
            AcceptanceEntry(procedure=ventilator, status=Acceptance.CONDITIONAL, note="看護師在籍日のみ"),
        ],
    )
    update(provider, coordinator, acceptances=[AcceptanceEntry(procedure=ventilator, status=Acceptance.UNKNOWN)])
    client.force_login(coordinator)
    text = history_section(client, provider)
    assert "削除 医療的ケアの受け入れ：人工呼吸器" in text and "受け入れ 条件付き 未確認" in text
    assert "変更 医療的ケアの受け入れ：人工呼吸器" in text and "受け入れ 可 条件付き" in text
    assert "条件・備考 （なし） 看護師在籍日のみ" in text
    assert "追加 医療的ケアの受け入れ：人工呼吸器" in text and "受け入れ 未確認 可" in text


def test_ward_staff_never_see_changes_of_the_internal_note(client, coordinator, ward_staff, supervisor, provider):
    update(provider, coordinator, internal_note="担当者と連絡が取りにくい")
    update(provider, coordinator, internal_note="担当者と連絡が取りにくい（要電話）", phone="03-3333-3333")

    client.force_login(ward_staff)
    text = history_section(client, provider)
    assert "連絡が取りにくい" not in text and "内部メモ" not in text
    assert "電話 03-1111-1111 03-3333-3333" in text
    # The change of the note alone is no entry at all: only the phone change and the creation.
    assert text.count(str(coordinator)) == 2

    for user in (coordinator, supervisor):
        client.force_login(user)
        text = history_section(client, provider)
        assert "内部メモ（コーディネーターのみ） （なし） 担当者と連絡が取りにくい" in text
        assert "担当者と連絡が取りにくい（要電話）" in text


def test_verifying_an_entry_is_in_its_history(client, coordinator, provider):
    services.provider_verify(provider=provider, user=coordinator)
    client.force_login(coordinator)
    text = history_section(client, provider)
    assert "最終確認日 （なし） " in text and f"確認した職員 （なし） {coordinator}" in text


def test_an_import_records_one_history_row_per_changed_provider_and_none_for_unchanged(client, coordinator, provider):
    same = services.provider_create(
        user=coordinator,
        name="みどり療育センター",
        category=ProviderCategory.objects.get(code="visiting-nurse"),
        municipality="北区",
        phone="03-5555-5555",
    )
    client.force_login(coordinator)
    headers = list(ProviderResource.example())
    content = csv_bytes(
        [
            headers,
            row_of(
                headers,
                名称=provider.name,
                種別="訪問看護ステーション",
                区市町村="北区",
                電話="03-9999-9999",
                人工呼吸器="可",
                最終確認日="2025/4/1",
            ),
            row_of(headers, 名称=same.name, 種別="訪問看護ステーション", 区市町村="北区", 電話="03-5555-5555"),
        ]
    )
    confirm(client, preview(client, content, "p.csv"))

    assert provider.history.count() == 2  # created, then the import's one change
    assert same.history.count() == 1  # created only
    text = history_section(client, provider)
    assert "電話 03-1111-1111 03-9999-9999" in text
    assert f"確認した職員 （なし） {coordinator}" in text
    assert "追加 医療的ケアの受け入れ：人工呼吸器" in text and "受け入れ 未確認 可" in text


def test_a_long_history_shows_the_latest_with_a_link_and_few_queries(
    client, coordinator, provider, django_assert_max_num_queries
):
    for number in range(60):
        update(
            provider,
            coordinator,
            phone=f"03-0000-{number:04d}",
            acceptances=[
                AcceptanceEntry(
                    procedure=MedicalCareProcedure.objects.get(code="suction"),
                    status=[Acceptance.ACCEPTED, Acceptance.REFUSED][number % 2],
                )
            ],
        )
    client.force_login(coordinator)
    url = reverse("directory:provider_detail", args=[provider.pk])
    # The page's own 11 (with the provider's one-time link and proposals), one for the whole history, at
    # most one per kind of name shown (種別, 地区, 職員).
    with django_assert_max_num_queries(15):
        page = client.get(url)
    assert len(page.context["history"].entries) == LATEST
    assert "全121件" in page.content.decode()
    assert 'href="?history=all#history-heading"' in page.content.decode()
    with django_assert_max_num_queries(15):
        everything = client.get(url + "?history=all")
    assert len(everything.context["history"].entries) == 121
    assert "03-0000-0000" in everything.content.decode()
