"""郵便番号: the forms people type, Japan Post's data behind a code, the form, the import, the fill and the warning."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from demo.builders import KITA_POSTAL_CODES, OTHER_MUNICIPALITIES
from directory import postal
from directory.models import Provider

from .test_provider_import import confirm, errors_of, headers, import_dir, preview, row_of, signed_in, xlsx  # noqa: F401
from .test_provider_pages import _form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed", ["114-0002", "1140002", "〒114-0002", "１１４－０００２", " 114 0002 ", "114ー0002"])
def test_the_written_forms_people_type_are_one_code(typed):
    assert postal.normalize(typed) == "114-0002"


@pytest.mark.parametrize("typed", ["114-002", "11400021", "abc-defg", "114-0002-1"])
def test_a_malformed_code_gets_a_japanese_message(typed):
    with pytest.raises(ValidationError, match="7桁の数字"):
        postal.normalize(typed)


def test_a_code_names_its_prefecture_city_and_town():
    found = postal.area("114-0002")
    assert (found.prefecture, found.city, found.town) == ("東京都", "北区", "王子")
    assert postal.area("999-9999") is None
    # A code for "the rest of a city" names no town.
    assert postal.area("100-0000").town == ""


def test_an_unknown_code_is_refused_by_the_model():
    with pytest.raises(ValidationError, match="日本郵便のデータにありません"):
        postal.validate_postal_code("999-9999")


def test_the_warning_names_an_address_outside_the_codes_area():
    assert postal.disagreement("114-0002", "東京都北区王子1-2-3", "北区") == ""
    assert postal.disagreement("114-0002", "北区王子１－２－３") == ""  # no prefecture, full-width digits
    assert "住所が郵便番号 114-0002（東京都北区王子）の地域と合いません" in postal.disagreement(
        "114-0002", "東京都北区赤羽1-2-3"
    )
    assert "区市町村が郵便番号" in postal.disagreement("114-0002", "", "板橋区")


def test_the_demo_providers_have_real_codes_that_agree_with_their_addresses():
    for town, code in KITA_POSTAL_CODES.items():
        found = postal.area(code)
        assert (found.city, found.town) == ("北区", town)
    for municipality, prefix, code in OTHER_MUNICIPALITIES:
        found = postal.area(code)
        assert found.city == municipality and prefix == found.label
    with_address = Provider.objects.exclude(address="")
    assert with_address.exists() and not with_address.filter(postal_code="").exists()
    for provider in with_address:
        assert postal.disagreement(provider.postal_code, provider.address, provider.municipality) == "", provider


# --- the provider form -------------------------------------------------------------------------


def test_the_form_keeps_a_typed_code_written_the_standard_way(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("directory:provider_create"), _form_data(postal_code="１１５００４５"))
    assert response.status_code == 302
    provider = Provider.objects.get(name="ほしぞら児童発達支援教室")
    assert provider.postal_code == "115-0045"
    page = client.get(response["Location"]).text
    assert "〒115-0045 東京都北区赤羽1-1-1" in page


@pytest.mark.parametrize(
    ("typed", "message"),
    [("114-002", "7桁の数字で入力してください"), ("999-9999", "郵便番号 999-9999 は日本郵便のデータにありません")],
)
def test_a_wrong_or_unknown_code_gets_a_japanese_message_and_nothing_is_saved(client, coordinator, typed, message):
    client.force_login(coordinator)
    before = Provider.objects.count()
    response = client.post(reverse("directory:provider_create"), _form_data(postal_code=typed))
    assert response.status_code == 200
    assert message in response.text
    assert Provider.objects.count() == before


def test_an_address_outside_the_codes_area_is_saved_with_a_warning(client, coordinator):
    client.force_login(coordinator)
    response = client.post(reverse("directory:provider_create"), _form_data(postal_code="114-0002"), follow=True)
    assert Provider.objects.get(name="ほしぞら児童発達支援教室").postal_code == "114-0002"
    assert "住所が郵便番号 114-0002（東京都北区王子）の地域と合いません" in response.text


def test_the_lookup_answers_the_area_of_a_code(client, coordinator, ward_staff):
    client.force_login(coordinator)
    answer = client.get(reverse("directory:postal_lookup"), {"code": "１１４００２２"})
    assert answer.json() == {"code": "114-0022", "prefecture": "東京都", "city": "北区", "town": "王子本町"}
    missing = client.get(reverse("directory:postal_lookup"), {"code": "999-9999"})
    assert missing.status_code == 404 and "見つかりません" in missing.json()["error"]
    client.force_login(ward_staff)
    assert client.get(reverse("directory:postal_lookup"), {"code": "114-0002"}).status_code == 403


# --- the import --------------------------------------------------------------------------------


NEW = {"名称": "ゆうびん訪問看護", "種別": "訪問看護ステーション", "区市町村": "北区", "住所": "東京都北区王子1-1-1"}


@pytest.mark.parametrize("cell", ["114-0002", 1140002, "〒１１４－０００２"])
def test_the_import_takes_the_column_in_any_written_form(signed_in, headers, cell):  # noqa: F811
    response = preview(signed_in, xlsx([headers, row_of(headers, **NEW, 郵便番号=cell)]))
    assert not errors_of(response)
    assert confirm(signed_in, response).status_code == 302
    assert Provider.objects.get(name="ゆうびん訪問看護").postal_code == "114-0002"


@pytest.mark.parametrize(("cell", "message"), [("114-00", "7桁の数字"), ("999-9999", "日本郵便のデータにありません")])
def test_the_import_refuses_a_wrong_code_and_saves_nothing(signed_in, headers, cell, message):  # noqa: F811
    before = Provider.objects.count()
    response = preview(signed_in, xlsx([headers, row_of(headers, **NEW, 郵便番号=cell)]))
    errors = errors_of(response)
    assert errors and any(message in text for _, _, text in errors), errors
    assert Provider.objects.count() == before
