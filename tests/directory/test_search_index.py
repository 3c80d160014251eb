"""The directory search's indexes find exactly what a scan would: SQLite's FTS5 trigram table,
Provider.accepts for the procedure filter, the municipality list — and they stay in step with
every way of writing providers and their acceptance matrix."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef
from django.urls import reverse

from directory import fts
from directory.models import ACCEPTING, MedicalCareProcedure, Provider, ProviderProcedure
from directory.search import query_keys
from directory.selectors import matching_query, provider_municipalities, provider_search
from directory.services import AcceptanceEntry, provider_update

from .factories import ACCEPTED, CONDITIONAL, REFUSED, make_provider, set_matrix

pytestmark = pytest.mark.django_db

only_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite's FTS5 table")

TRICKY_NAMES = [
    ("あおば訪問看護ステーション", "アオバホウモンカンゴステーション", "東京都北区王子1-2-3", "北区"),
    ("100%ケア訪問看護", "ヒャクパーセントケアホウモンカンゴ", "東京都港区芝1丁目2番3号", "港区"),
    ('"ひかり"クリニック', "ヒカリクリニック", "東京都板橋区大山町4-5", "板橋区"),
    ("O'Brien Kids Clinic", "オブライエンキッズクリニック", "東京都文京区本郷7-3-1", "文京区"),
    ("NEAR AND OR 保育園", "ニアアンドオアホイクエン", "東京都足立区千住1_2", "足立区"),
    ("(株)ソレイユ放課後等デイサービス", "ソレイユホウカゴトウデイサービス", "東京都荒川区町屋*3", "荒川区"),
    ("北の森クリニック", "キタノモリクリニック", "川口市本町4-1", "川口市"),
]
TRICKY_QUERIES = [
    "ｱｵﾊﾞ",
    "あおば",
    "aoba",
    "AOBA",
    "houmon",
    "ao",  # two letters: no romaji key, a LIKE
    "北",  # one character
    "王子",  # two characters
    "1-2-3",
    "1丁目2番3号",
    "100%",
    "%",
    "_",
    "1_2",
    '"ひかり"',
    '"',
    "o'brien",
    "O'Brien",
    "NEAR",
    "AND OR",
    "and",
    "*3",
    "町屋*",
    "㈱ソレイユ",
    "(株)",
    "-",
    "ｸﾘﾆｯｸ",
    "くりにっく",
    "キッズ クリニック",
    "zzz",
]


@pytest.fixture
def tricky(db):
    return [
        make_provider(name, name_kana=kana, address=address, municipality=municipality)
        for name, kana, address, municipality in TRICKY_NAMES
    ]


def found(query: str) -> set[int]:
    return set(Provider.objects.filter(matching_query(query)).values_list("pk", flat=True))


def scanned(query: str) -> set[int]:
    """What the search must find: every provider whose folded text contains one of the keys."""
    keys = query_keys(query)
    return {pk for pk, text in Provider.objects.values_list("pk", "search_text") if any(key in text for key in keys)}


@pytest.mark.parametrize("query", TRICKY_QUERIES)
def test_the_search_finds_exactly_the_providers_whose_text_contains_the_query(tricky, query):
    assert found(query) == scanned(query)


def test_the_tricky_queries_find_what_a_user_expects(tricky):
    aoba, percent, hikari, obrien, near, soleil, kita = tricky
    assert aoba.pk in found("ｱｵﾊﾞ") and aoba.pk in found("aoba")
    assert found("100%") == {percent.pk}
    assert found('"ひかり"') >= {hikari.pk}
    assert obrien.pk in found("o'brien")
    assert near.pk in found("AND OR")
    assert soleil.pk in found("㈱ソレイユ")
    assert kita.pk in found("北")


@only_sqlite
def test_on_sqlite_a_word_of_three_characters_is_looked_up_in_the_fts_table(tricky):
    sql = str(Provider.objects.filter(matching_query("あおば")).query)
    assert fts.TABLE in sql and "LIKE" not in sql
    short = str(Provider.objects.filter(matching_query("王子")).query)
    assert fts.BIGRAM_TABLE in short and "LIKE" not in short
    one = str(Provider.objects.filter(matching_query("北")).query)
    assert fts.TABLE not in one and fts.BIGRAM_TABLE not in one and "LIKE" in one


def test_a_word_of_two_characters_is_looked_up_among_the_bigrams_on_either_database(tricky):
    sql = str(Provider.objects.filter(matching_query("王子")).query)
    assert fts.BIGRAM_FUNCTION in sql or fts.BIGRAM_TABLE in sql
    assert "LIKE" not in sql.upper().replace("UNLIKE", "")
    assert tricky[0].pk in found("王子") and found("王子") == scanned("王子")


def integrity_check() -> None:
    """FTS5's own check that the index holds exactly the rows of directory_provider (raises if not),
    and that the bigram table holds one row per provider."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {fts.TABLE}({fts.TABLE}, rank) VALUES ('integrity-check', 1)")
        cursor.execute(f"INSERT INTO {fts.BIGRAM_TABLE}({fts.BIGRAM_TABLE}) VALUES ('integrity-check')")
        cursor.execute(f"SELECT COUNT(*) FROM {fts.BIGRAM_TABLE}")
        assert cursor.fetchone()[0] == Provider.objects.count()


def test_every_way_of_writing_providers_keeps_the_search_in_step(tricky):
    aoba, percent, *_ = tricky
    category = aoba.category
    # save()
    aoba.name = "ぽぷりん訪問看護ステーション"
    aoba.name_kana = "ポプリンホウモンカンゴステーション"
    aoba.save()
    # bulk_create()
    [bulk] = Provider.objects.bulk_create(
        [Provider(name="ひだまり保育園", name_kana="ヒダマリホイクエン", category=category)]
    )
    # bulk_update()
    percent.name = "ききょう訪問看護"
    Provider.objects.bulk_update([percent], ["name"])
    # update() then the repair it needs
    Provider.objects.filter(pk=bulk.pk).update(name="こもれび保育園", name_kana="コモレビホイクエン")
    Provider.objects.filter(pk=bulk.pk).refresh_search_text()
    # deletions, one and by queryset
    tricky[-1].delete()
    Provider.objects.filter(pk=tricky[-2].pk).delete()
    for query in [
        "ぽぷりん",
        "popurin",
        "ｱｵﾊﾞ",
        "ききょう",
        "100%",
        "ひだまり",
        "こもれび",
        "komorebi",
        "北の森",
        "ソレイユ",
        "クリニック",
        "ぽぷ",
        "ｱｵ",
        "きき",
        "だま",
        "こも",
        "北の",
        "ソレ",
    ]:
        assert found(query) == scanned(query), query
    assert found("ぽぷりん") == {aoba.pk} and aoba.pk not in found("ｱｵﾊﾞ") and bulk.pk in found("こもれび")
    assert bulk.pk not in found("ひだまり") and tricky[-1].pk not in found("北の森")
    assert found("ぽぷ") == {aoba.pk} and bulk.pk in found("こも") and bulk.pk not in found("だま")
    if fts.applies_to(connection):
        integrity_check()


@only_sqlite
def test_an_index_missing_its_triggers_is_restored_and_rebuilt(tricky):
    """Django rebuilds a SQLite table to alter it, dropping its triggers; post_migrate puts them back."""
    aoba = tricky[0]
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {fts.TABLE}_update")
    aoba.name = "ぷらりね訪問看護"
    aoba.save()
    assert fts.ensure_search_index(connection) is True
    assert found("ぷらりね") == {aoba.pk}
    assert aoba.pk in found("ぷら") and found("ぷら") == scanned("ぷら")
    integrity_check()
    assert fts.ensure_search_index(connection) is False  # complete: nothing to do


# --- the procedure filter: Provider.accepts ------------------------------------------------------


def accepting(codes: list[str]) -> set[int]:
    procedures = MedicalCareProcedure.objects.filter(code__in=codes)
    return set(Provider.objects.accepting(procedures).values_list("pk", flat=True))


def accepting_in_the_matrix(codes: list[str]) -> set[int]:
    """The same question asked of the matrix itself (one EXISTS per procedure)."""
    providers = Provider.objects.all()
    for procedure in MedicalCareProcedure.objects.filter(code__in=codes):
        cells = ProviderProcedure.objects.filter(provider=OuterRef("pk"), procedure=procedure, status__in=ACCEPTING)
        providers = providers.filter(Exists(cells))
    return set(providers.values_list("pk", flat=True))


FILTERS = [["ventilator"], ["suction"], ["ventilator", "suction"], ["suction", "tube-feeding", "ventilator"]]


def assert_filters_match_the_matrix():
    for codes in FILTERS:
        assert accepting(codes) == accepting_in_the_matrix(codes), codes


def test_the_procedure_filter_follows_every_way_of_writing_the_matrix(db, coordinator):
    one = make_provider("ひとつめ訪問看護", acceptances={"ventilator": ACCEPTED, "suction": CONDITIONAL})
    two = make_provider("ふたつめ訪問看護", acceptances={"ventilator": REFUSED, "suction": ACCEPTED})
    mine = {one.pk, two.pk}
    assert accepting(["ventilator", "suction"]) & mine == {one.pk}
    assert_filters_match_the_matrix()
    # save() of a cell (update_or_create)
    set_matrix(two, {"ventilator": CONDITIONAL})
    assert accepting(["ventilator", "suction"]) & mine == {one.pk, two.pk}
    # queryset update() and delete()
    ProviderProcedure.objects.filter(provider=one, procedure__code="suction").update(status=REFUSED)
    assert one.pk not in accepting(["suction"])
    ProviderProcedure.objects.filter(provider=two, procedure__code="ventilator").delete()
    assert two.pk not in accepting(["ventilator"])
    # bulk_create()
    three = make_provider("みっつめ訪問看護")
    ProviderProcedure.objects.bulk_create(
        ProviderProcedure(provider=three, procedure=procedure, status=ACCEPTED)
        for procedure in MedicalCareProcedure.objects.all()
    )
    assert three.pk in accepting(["ventilator", "suction", "tube-feeding"])
    # the service behind the edit form and the import (bulk_update with history, deletions)
    entries = [
        AcceptanceEntry(procedure=procedure, status=REFUSED if procedure.code == "suction" else ACCEPTED, note="")
        for procedure in MedicalCareProcedure.objects.all()
    ]
    three.refresh_from_db()
    provider_update(provider=three, user=coordinator, expected_version=three.version, acceptances=entries)
    assert three.pk in accepting(["ventilator"]) and three.pk not in accepting(["suction"])
    assert_filters_match_the_matrix()


def test_saving_a_provider_read_before_its_matrix_changed_keeps_the_filter_right(db):
    provider = make_provider("さくら訪問看護", acceptances={"ventilator": REFUSED})
    stale = Provider.objects.get(pk=provider.pk)
    set_matrix(provider, {"ventilator": ACCEPTED})
    stale.phone = "03-1111-2222"
    stale.save()
    assert provider.pk in accepting(["ventilator"])
    assert_filters_match_the_matrix()


def test_the_search_page_combines_a_word_and_procedures(client, ward_staff):
    wanted = make_provider("ぷらりね訪問看護", name_kana="プラリネホウモンカンゴ", acceptances={"ventilator": ACCEPTED})
    make_provider("ぷらりねクリニック", name_kana="プラリネクリニック", acceptances={"ventilator": REFUSED})
    make_provider("まかろん訪問看護", name_kana="マカロンホウモンカンゴ", acceptances={"ventilator": ACCEPTED})
    client.force_login(ward_staff)
    response = client.get(reverse("directory:provider_list"), {"q": "ﾌﾟﾗﾘﾈ", "procedure": ["ventilator"]})
    assert [provider.name for provider in response.context["providers"]] == [wanted.name]
    assert "1件" in response.content.decode()


# --- the area filter's choices --------------------------------------------------------------------


def test_the_municipality_list_is_every_distinct_municipality_in_order(db):
    make_provider("川口の訪問看護", municipality="川口市")
    make_provider("荒川の訪問看護", municipality="荒川区")
    make_provider("もうひとつの荒川", municipality="荒川区")
    make_provider("区市町村なし", municipality="")
    expected = list(
        Provider.objects.exclude(municipality="")
        .order_by("municipality")
        .values_list("municipality", flat=True)
        .distinct()
    )
    assert provider_municipalities() == expected
    assert {"川口市", "荒川区"} <= set(expected) and "" not in expected


def test_a_two_character_search_lists_its_matches_in_furigana_order_in_the_list_and_the_picker(
    client, ward_staff, tricky
):
    """On PostgreSQL such a search sorts its matches instead of walking the フリガナ index (selectors.kana_order)."""
    category = tricky[0].category
    for name, kana in [
        ("王子わかば園", "オウジワカバエン"),
        ("王子あさひ園", "オウジアサヒエン"),
        ("王子ん園", "ンオウジエン"),
    ]:
        make_provider(name, name_kana=kana, address="東京都北区王子本町1-1", municipality="北区", category=category)
    expected = list(
        Provider.objects.filter(is_active=True, pk__in=found("王子")).order_by("name_kana", "name", "pk")[:50]
    )
    picked = list(provider_search(query="王子"))
    assert [p.pk for p in picked] == [p.pk for p in expected][: len(picked)] and len(picked) >= 4
    client.force_login(ward_staff)
    page = client.get(reverse("directory:provider_list"), {"q": "王子"}).content.decode()
    positions = [page.find(f"/directory/{p.pk}/") for p in expected[:10]]
    assert all(position > 0 for position in positions) and positions == sorted(positions)
