"""Japanese search: the folding of stored text and queries, and what the search box finds."""

import pytest
from django.urls import reverse

from directory.models import Provider
from directory.search import provider_search_text, query_keys, romaji, romaji_key, search_key
from directory.selectors import provider_search

from .factories import make_provider

# --- the folding, without a database -----------------------------------------------------------


@pytest.mark.parametrize("typed", ["ｱｵﾊﾞ", "アオバ", "あおば", "ｱｵバ", "ア オ バ", "アオバ　"])
def test_every_way_of_typing_aoba_in_kana_folds_to_katakana(typed):
    assert search_key(typed) == "アオバ"


@pytest.mark.parametrize("typed", ["ＡＯＢＡ", "AOBA", "aoba", "Aoba", "ａｏｂａ"])
def test_latin_letters_fold_to_half_width_lower_case(typed):
    assert search_key(typed) == "aoba"


@pytest.mark.parametrize(
    "typed",
    [
        "1-2-3",
        "１－２－３",
        "1ー2ー3",
        "1－2－3",
        "1‐2‐3",
        "1―2―3",
        "1−2−3",
        "1–2–3",
        "1—2—3",
        "1ｰ2ｰ3",
        "1一2一3",
        "1丁目2番3号",
        "１丁目２番地３",
        "1丁目2番地の3",
        "1丁目2の3",
        "１丁目２番３号",
    ],
)
def test_every_way_of_writing_an_address_block_number_folds_to_one(typed):
    assert search_key(f"東京都北区王子{typed}") == "東京都北区王子1-2-3"


@pytest.mark.parametrize(
    "typed", ["ステーション", "ｽﾃｰｼｮﾝ", "ステ―ション", "ステ－ション", "すてーしょん", "ステ-ション"]
)
def test_the_prolonged_sound_mark_and_its_look_alikes_fold_the_same(typed):
    assert search_key(typed) == search_key("ステーション")


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("訪問看護・リハビリ", "訪問看護リハビリ"),
        ("訪問看護 リハビリ", "訪問看護リハビリ"),
        ("訪問看護　リハビリ", "訪問看護リハビリ"),
        ("桐ヶ丘", "桐ケ丘"),
        ("桐ケ丘", "桐ケ丘"),
        ("㈱つばさ", "(株)ツバサ"),
        ("（医）さくら会", "(医)サクラ会"),
        ("港区", "港区"),
        ("北", "北"),
        ("", ""),
    ],
)
def test_other_foldings(typed, folded):
    assert search_key(typed) == folded


def test_numbers_in_names_are_left_alone_unless_between_digits():
    assert search_key("第2号館") == search_key("第２号館")
    assert search_key("あの1の会") == "アノ1ノ会"


@pytest.mark.parametrize(
    ("kana", "reading"),
    [
        ("アオバ", "aoba"),
        ("あおば", "aoba"),
        ("ホウモンカンゴステーション", "houmonkangosuteeshon"),
        ("キョウイクソウダン", "kyouikusoudan"),
        ("ジュウジョウ", "juujou"),
        ("シンバシ", "shinbashi"),
        ("マッチャ", "matcha"),
        ("ガッコウ", "gakkou"),
        ("チュウガッコウ", "chuugakkou"),
        ("ファミリー", "famirii"),
        ("ウィング", "wingu"),
        ("ヴァイオリン", "vaiorin"),
        ("チェック", "chekku"),
        ("ティー", "tii"),
        ("ツバサ", "tsubasa"),
        ("フクシ", "fukushi"),
        ("ヂャ", "ja"),
        ("キタク ショウガイフクシカ", "kitakushougaifukushika"),
        ("イリョウテキケアジシエンセンター（クブ）", "iryoutekikeajishiensentaakubu"),
    ],
)
def test_kana_reads_as_hepburn_romaji(kana, reading):
    assert romaji(kana) == reading


@pytest.mark.parametrize(
    ("kana", "key"),
    [
        ("ホウモンカンゴステーション", "homonkangosuteshon"),
        ("オオカワ", "okawa"),
        ("ジュウジョウ", "jujo"),
        ("アオバ", "aoba"),
    ],
)
def test_the_stored_romaji_collapses_long_vowels(kana, key):
    assert romaji_key(kana) == key


@pytest.mark.parametrize("typed", ["houmon", "homon", "hōmon", "HOUMON", "ｈｏｕｍｏｎ", "hoomon"])
def test_a_romaji_query_meets_the_reading_however_long_vowels_are_spelt(typed):
    assert "homon" in query_keys(typed)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("sinbasi", "shinbashi"),
        ("shimbashi", "shinbashi"),
        ("tyuugakkou", "chugakko"),
        ("hukusi", "fukushi"),
        ("tubasa", "tsubasa"),
        ("jyuujou", "jujo"),
    ],
)
def test_kunrei_and_wapuro_spellings_meet_the_hepburn_reading(typed, key):
    assert key in query_keys(typed)


def test_a_kana_or_kanji_query_has_no_romaji_key():
    assert query_keys("あおば") == ["アオバ"]
    assert query_keys("港区") == ["港区"]
    assert query_keys("1-2-3") == ["1-2-3"]


def test_a_blank_query_has_no_key():
    assert query_keys("   ") == []
    assert query_keys("") == []


def test_short_latin_queries_do_not_match_every_reading():
    assert query_keys("ko") == ["ko"]


def test_the_stored_text_holds_name_kana_place_and_reading_without_crossing_sections():
    text = provider_search_text(
        name="あおば訪問看護ステーション",
        name_kana="アオバ ホウモンカンゴステーション",
        address="東京都北区王子１－２－３",
        municipality="北区",
    )
    assert text.split("\n") == [
        "アオバ訪問看護ステ-ション",
        "アオバホウモンカンゴステ-ション",
        "北区",
        "東京都北区王子1-2-3",
        "aobahomonkangosuteshon",
    ]
    assert all("\n" not in key for key in query_keys("ション 北区"))


# --- what the search finds -----------------------------------------------------------------------


@pytest.fixture
def aoba(db):
    return make_provider(
        "あおば訪問看護ステーション 港",
        name_kana="アオバホウモンカンゴステーション ミナト",
        municipality="港区",
        address="東京都港区芝公園1-2-3",
    )


def _names(query: str) -> set[str]:
    return {provider.name for provider in provider_search(query=query, limit=1000)}


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["ｱｵﾊﾞ", "アオバ", "あおば", "ＡＯＢＡ", "aoba", "AOBA"])
def test_aoba_is_found_whichever_way_it_is_typed(aoba, typed):
    assert aoba.name in _names(typed)


@pytest.mark.django_db
def test_the_five_spellings_find_the_same_entries(aoba):
    results = [_names(typed) for typed in ["ｱｵﾊﾞ", "アオバ", "あおば", "ＡＯＢＡ", "aoba"]]
    assert all(result == results[0] for result in results)
    assert aoba.name in results[0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed", ["港区", "港", "芝公園", "1-2-3", "１－２－３", "1ー2ー3", "1丁目2番3号", "芝公園１丁目２"]
)
def test_an_address_is_found_by_ward_town_or_block_number_however_written(aoba, typed):
    assert aoba.name in _names(typed)


@pytest.mark.django_db
def test_a_one_character_query_finds_names_and_addresses_with_it(aoba):
    kita = make_provider("北の森クリニック", name_kana="キタノモリクリニック", category_code="hospital")
    found = list(provider_search(query="北", limit=1000))
    assert kita in found
    assert all("北" in f"{provider.name}{provider.municipality}{provider.address}" for provider in found)
    assert aoba not in found


@pytest.mark.django_db
def test_a_romaji_query_finds_the_reading_of_the_furigana(aoba):
    assert aoba.name in _names("houmonkango")
    assert aoba.name in _names("homonkango")
    assert aoba.name in _names("minato")


@pytest.mark.django_db
def test_the_search_text_follows_edits_made_through_save(aoba):
    aoba.name = "わかば訪問看護ステーション"
    aoba.name_kana = "ワカバホウモンカンゴステーション"
    aoba.save(update_fields=["name", "name_kana"])
    assert aoba.name in _names("ﾜｶﾊﾞ")
    assert aoba.name not in _names("あおば")


@pytest.mark.django_db
def test_bulk_created_providers_are_searchable(aoba):
    [bulk] = Provider.objects.bulk_create(
        [Provider(name="ひだまり保育園", name_kana="ヒダマリホイクエン", category=aoba.category)]
    )
    assert bulk.name in _names("ﾋﾀﾞﾏﾘ")


@pytest.mark.django_db
def test_bulk_updating_a_name_updates_what_the_search_finds(aoba):
    aoba.name = "ききょう訪問看護"
    Provider.objects.bulk_update([aoba], ["name"])
    assert aoba.name in _names("ｷｷｮｳ")


@pytest.mark.django_db
def test_refresh_search_text_repairs_rows_changed_by_update(aoba):
    Provider.objects.filter(pk=aoba.pk).update(name="こもれび訪問看護", name_kana="コモレビホウモンカンゴ")
    assert "こもれび訪問看護" not in _names("こもれび訪問")
    assert Provider.objects.filter(pk=aoba.pk).refresh_search_text() == 1
    assert "こもれび訪問看護" in _names("こもれび訪問")


@pytest.mark.django_db
def test_every_demo_provider_has_its_search_text():
    assert not Provider.objects.filter(search_text="").exists()


@pytest.mark.django_db
def test_the_search_box_on_the_list_finds_half_width_kana(client, ward_staff, aoba):
    client.force_login(ward_staff)
    response = client.get(reverse("directory:provider_list"), {"q": "ｱｵﾊﾞ"})
    names = [provider.name for provider in response.context["providers"]]
    assert aoba.name in names
    assert all(search_key("アオバ") in provider.search_text for provider in response.context["providers"])
