"""The three category trees of report sections 3–5 are data: exact labels, parents and order."""

import json

import pytest

from coordination.logs.models import ActivityType, ContactMethod
from coordination.reference import REFERENCE_FIXTURES, fixture_path, reference_lists_load
from directory.models import CounterpartCategory, MedicalCareProcedure, ProviderCategory

# Transcribed from shared/spec/report.md, in the report's order: each leaf as its path.
SECTION_3 = [
    ("当事者", "本人"),
    ("当事者", "親", "両親"),
    ("当事者", "親", "母"),
    ("当事者", "親", "父"),
    ("当事者", "家族", "きょうだい"),
    ("当事者", "家族", "祖父母"),
    ("家族その他",),
    ("医療機関", "病院 職員"),
    ("医療機関", "療育センター"),
    ("医療機関", "訪問診療 職員"),
    ("医療機関", "訪問看護"),
    ("医療機関", "訪問リハビリ"),
    ("医療機関", "産後ケア・助産師"),
    ("その他(薬局・医療機器メーカー等)",),
    ("保育機関", "保育園 保育士等"),
    ("保育機関", "幼稚園 保育士等"),
    ("教育機関", "特別支援学校 教員等"),
    ("教育機関", "看護師"),
    ("教育機関", "学校・大学教員等"),
    ("障害福祉サービス提供事業所", "ヘルパー事業所等"),
    ("障害福祉サービス提供事業所", "児発・放デイ・通所・SS施設"),
    ("障害福祉サービス提供事業所", "就労・就労支援関係"),
    ("障害福祉サービス提供事業所", "その他"),
    ("基幹相談支援センターと委託3事業所",),
    ("相談支援事業所", "相談支援専門員"),
    ("相談支援事業所", "医ケア児等CD"),
    ("医ケア児等支援センター", "基幹"),
    ("医ケア児等支援センター", "地域"),
    ("ケアマネジャー・地域包括",),
    ("行政機関", "職員"),
    ("行政機関", "保健師"),
    ("行政機関", "子ども家庭支援センター"),
    ("行政機関", "児童相談所"),
    ("行政その他(保育課・子ども未来課・教育相談・他区行政等)",),
    ("ピアサポート・家族会",),
    ("一般市民",),
    ("その他（財団・業者・企業など）",),
]

SECTION_4 = [
    ("電話",),
    ("FAX",),
    ("Mail",),
    ("LINE",),
    ("Medical Care Station",),
    ("オンライン（Zoom等）",),
    ("WEBサイト",),
    ("来訪",),
    ("訪問", "自宅"),
    ("訪問", "その他"),
    ("同行",),
    ("郵送",),
    ("会議参加", "個別支援会議"),
    ("会議参加", "協議会"),
    ("会議参加", "その他会議"),
    ("その他",),
]

SECTION_5 = [
    ("保育園・幼稚園等関係",),
    ("就学", "小学校"),
    ("就学", "中学校"),
    ("就学", "高等学校等"),
    ("通所", "児童発達支援(訪問含む)"),
    ("通所", "放課後等デイサービス"),
    ("通所", "生活介護"),
    ("療育機関その他",),
    ("就労・就労移行支援(本人の)",),
    ("レスパイト（入所・入院など）",),
    ("在宅レスパイト制度利用",),
    ("障害福祉サービス(ヘルパー・その他)",),
    ("受診・入院相談・セカンドオピニオン",),
    ("在宅医療", "訪問診療"),
    ("在宅医療", "訪問看護"),
    ("在宅医療", "訪問リハ"),
    ("相談支援・医ケア児等コーディネーター関係",),
    ("医療的ケア・医療機器",),
    ("福祉用具・補装具等",),
    ("制度やサービスへの要望・意見",),
    ("当事者からの情報発信",),
    ("サービス調整（全般）",),
    ("申請支援（代行や記入支援など）",),
    ("生活上の相談・不安の傾聴",),
    ("行政相談窓口（相談・紹介）",),
    ("虐待・DV相談",),
    ("クレーム",),
    ("担当者会議",),
    ("退院前カンファレンス・退院前訪問",),
    ("情報収集", "保健 区内"),
    ("情報収集", "医療 区内"),
    ("情報収集", "障害福祉 区内"),
    ("情報収集", "保育 区内"),
    ("情報収集", "教育 区内"),
    ("情報収集", "その他"),
    ("情報提供", "保健"),
    ("情報提供", "医療"),
    ("情報提供", "障害福祉"),
    ("情報提供", "保育"),
    ("情報提供", "教育"),
    ("情報提供", "その他"),
    ("情報共有", "保健"),
    ("情報共有", "医療"),
    ("情報共有", "障害福祉"),
    ("情報共有", "保育"),
    ("情報共有", "教育"),
    ("情報共有", "その他"),
    ("地域づくり", "北区障害者基幹相談支援センターとの連携"),
    ("地域づくり", "相談支援事業者とのネットワーク構築"),
    ("地域づくり", "区内相談支援事業者等に対する人材育成支援"),
    ("地域づくり", "事業周知活動"),
    ("地域づくり", "その他"),
    ("会議・勉強会開催",),
    ("会議・勉強会開催 準備活動",),
    ("会議・勉強会参加",),
    ("所内会議",),
    ("研修会講師",),
    ("講師・会議等の準備活動",),
    ("データ整理・調査・研究",),
    ("調査・研究への協力(他機関等)",),
    ("業務整備活動(通信・記録関係など)",),
    ("準備・調査",),
    ("その他",),
]

TREES = [
    ("reference/counterpart_categories.json", CounterpartCategory, SECTION_3, 37),
    ("reference/contact_methods.json", ContactMethod, SECTION_4, 16),
    ("reference/activity_types.json", ActivityType, SECTION_5, 63),
]


def leaf_paths_from_fixture(name: str) -> list[tuple[str, ...]]:
    """Leaves of a fixture tree in position order, each as its label path."""
    rows = json.loads(fixture_path(name).read_text(encoding="utf-8"))
    by_code = {row["fields"]["code"]: row["fields"] for row in rows}
    parents = {(f["parent"] or [None])[0] for f in by_code.values()}

    def path(fields):
        parent = (fields["parent"] or [None])[0]
        return (path(by_code[parent]) if parent else ()) + (fields["label"],)

    ordered = sorted(by_code.values(), key=lambda f: f["position"])
    return [path(f) for f in ordered if f["code"] not in parents]


@pytest.mark.parametrize(
    ("fixture", "model", "expected", "leaf_count"), TREES, ids=["section3", "section4", "section5"]
)
def test_fixture_tree_has_the_reports_rows_in_order(fixture, model, expected, leaf_count):
    assert len(expected) == leaf_count
    assert leaf_paths_from_fixture(fixture) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fixture", "model", "expected", "leaf_count"), TREES, ids=["section3", "section4", "section5"]
)
def test_loaded_tree_has_every_label_and_parent(fixture, model, expected, leaf_count):
    leaves = model.objects.leaves().select_related("parent__parent").order_by("position")
    assert [tuple(leaf.path) for leaf in leaves] == expected


@pytest.mark.django_db
def test_groups_come_before_their_children_in_report_order():
    for model in (CounterpartCategory, ContactMethod, ActivityType):
        for node in model.objects.exclude(parent=None).select_related("parent"):
            assert node.parent.position < node.position, node


@pytest.mark.django_db
def test_the_fourteen_procedures_of_the_mhlw_score_are_listed_in_order():
    assert list(MedicalCareProcedure.objects.values_list("name", flat=True)) == [
        "人工呼吸器",
        "気管切開",
        "鼻咽頭エアウェイ",
        "酸素療法",
        "吸引",
        "ネブライザー",
        "経管栄養",
        "中心静脈カテーテル",
        "皮下注射",
        "血糖測定",
        "継続的な透析",
        "導尿",
        "排便管理",
        "痙攣時の坐剤挿入等",
    ]


@pytest.mark.django_db
def test_every_provider_category_counts_under_a_leaf_of_section_3():
    for category in ProviderCategory.objects.select_related("counterpart_category"):
        assert not category.counterpart_category.children.exists(), category


@pytest.mark.django_db
def test_loading_again_adds_nothing_and_keeps_an_admins_edit():
    mother = CounterpartCategory.objects.get(code="party-parent-mother")
    mother.label = "母（編集済み）"
    mother.save()

    added = reference_lists_load()

    assert set(added) == set(REFERENCE_FIXTURES)
    assert sum(added.values()) == 0
    mother.refresh_from_db()
    assert mother.label == "母（編集済み）"


@pytest.mark.django_db
def test_a_missing_entry_is_added_back():
    ActivityType.objects.get(code="other").delete()

    added = reference_lists_load()

    assert added["reference/activity_types.json"] == 1
    assert ActivityType.objects.leaves().count() == 63
