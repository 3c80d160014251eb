"""The referral form's provider picker: the page lists only the chosen provider (its size does not grow
with the directory), and without JavaScript a typed name or フリガナ picks the one provider it names."""

import pytest
from django.urls import reverse

from coordination.referrals.models import Referral
from directory.models import Provider, ProviderCategory
from tests.directory.factories import make_provider

from .client_factories import make_client, make_office, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def office_and_user():
    office = make_office()
    make_client(office, name="山田 花子", name_kana="ヤマダ ハナコ")
    return office, make_user(office, "referral-picker")


def add_providers(count: int) -> None:
    category = ProviderCategory.objects.get(code="visiting-nurse")
    Provider.objects.bulk_create(
        Provider(name=f"ピッカー訪問看護ステーション{n}", name_kana=f"ピッカーホウモンカンゴ{n}", category=category)
        for n in range(count)
    )


def referral_data(user, **overrides) -> dict:
    data = {"client_name": "やまだ", "purpose": "受け入れの相談", "coordinator": user.pk, "provider": ""}
    data.update(overrides)
    return data


def test_the_form_is_the_same_size_with_a_small_or_a_large_directory(client, office_and_user):
    _, user = office_and_user
    chosen = make_provider("みどり訪問看護ステーション", name_kana="ミドリホウモンカンゴステーション")
    client.force_login(user)
    pages = [reverse("referral_create"), f"{reverse('referral_create')}?provider={chosen.pk}"]

    def sizes():
        return [len(client.get(url).content) for url in pages]

    before = sizes()
    add_providers(3000)
    after = sizes()
    for small, large in zip(before, after, strict=True):
        assert abs(large - small) <= small * 0.10, (before, after)
    page = client.get(pages[1]).text
    # The chosen provider is the one option besides the empty one, with its kind (the consent depends on it).
    assert f'<option value="{chosen.pk}" selected>みどり訪問看護ステーション（訪問看護ステーション）</option>' in page
    assert "ピッカー訪問看護ステーション1" not in page


def test_a_provider_picked_by_id_is_saved(client, office_and_user):
    _, user = office_and_user
    provider = make_provider("あおば訪問看護", name_kana="アオバホウモンカンゴ")
    client.force_login(user)
    response = client.post(reverse("referral_create"), referral_data(user, provider=str(provider.pk)))
    assert response.status_code == 302
    assert Referral.objects.latest("pk").provider == provider


@pytest.mark.parametrize("typed", ["あおば訪問看護", "ｱｵﾊﾞﾎｳﾓﾝｶﾝｺﾞ", "aobahoumonkango"])
def test_without_javascript_a_typed_name_picks_the_one_provider(client, office_and_user, typed):
    _, user = office_and_user
    provider = make_provider("あおば訪問看護", name_kana="アオバホウモンカンゴ")
    make_provider("あおば訪問看護 第二", name_kana="アオバホウモンカンゴダイニ")  # a partial match too
    client.force_login(user)
    response = client.post(reverse("referral_create"), referral_data(user, provider_name=typed))
    assert response.status_code == 302, response.text
    assert Referral.objects.latest("pk").provider == provider


def test_a_typed_name_naming_several_or_no_provider_is_refused_and_nothing_is_saved(client, office_and_user):
    _, user = office_and_user
    make_provider("ひかり訪問看護 北", name_kana="ヒカリホウモンカンゴキタ")
    make_provider("ひかり訪問看護 南", name_kana="ヒカリホウモンカンゴミナミ")
    client.force_login(user)
    before = Referral.objects.count()
    several = client.post(reverse("referral_create"), referral_data(user, provider_name="ひかり"))
    assert several.status_code == 200
    assert "「ひかり」に当てはまる機関が複数あります（ひかり訪問看護 北（訪問看護ステーション）、" in several.text
    nothing = client.post(reverse("referral_create"), referral_data(user, provider_name="存在しない機関ゼロ"))
    assert "「存在しない機関ゼロ」に当てはまる機関はディレクトリにありません。" in nothing.text
    assert Referral.objects.count() == before


def test_an_inactive_provider_cannot_be_chosen(client, office_and_user):
    _, user = office_and_user
    closed = make_provider("休止中訪問看護", name_kana="キュウシチュウホウモンカンゴ", is_active=False)
    client.force_login(user)
    response = client.post(reverse("referral_create"), referral_data(user, provider=str(closed.pk)))
    assert response.status_code == 200
    assert "ディレクトリに載っている（休止中でない）機関から選んでください。" in response.text
    assert not Referral.objects.filter(provider=closed).exists()
