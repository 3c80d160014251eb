"""Figures and texts of the demo office, taken from the seed report (FY2025 Q1–Q3).

The counts are the seed report's rows; `builders.py` builds fictional records that add up to them.
Texts are anonymised summaries and event details as published, with people's names removed.
"""
from datetime import date, time

from coordination.clients.age_bands import AgeBand

OFFICE_NAME = "北区医療的ケア児等コーディネーター事業"
MUNICIPALITY = "北区"
FISCAL_YEAR = 2025
OPEN_WEEKDAYS = (0, 2, 4)  # 月・水・金
OPENS_AT, CLOSES_AT = time(9, 0), time(17, 0)

CLOSURES = [
    (date(2025, 5, 7), "職員研修のため休業"),
    (date(2025, 8, 13), "夏季休業"),
    (date(2025, 8, 15), "夏季休業"),
    (date(2025, 10, 10), "事務所移転作業のため休業"),
    (date(2025, 12, 26), "年末の業務整理のため休業"),
]

# (code, name) in report order, and how many clients live in each.
DISTRICTS = [("kita-oji", "王子地区", 13), ("kita-akabane", "赤羽地区", 14), ("kita-takinogawa", "滝野川地区", 2)]
CLIENTS_OUTSIDE_WARD = 3
OUTSIDE_MUNICIPALITIES = ["板橋区", "足立区", "川口市"]

# Section 1: band → (clients, contacts, clients with medical care).
AGE_BANDS = {
    AgeBand.PRESCHOOL: (19, 150, 15),
    AgeBand.ELEMENTARY: (3, 33, 2),
    AgeBand.JUNIOR_HIGH: (2, 2, 1),
    AgeBand.HIGH_SCHOOL: (2, 32, 2),
    AgeBand.UP_TO_19: (2, 22, 2),
    AgeBand.AGE_20S: (2, 9, 2),
    AgeBand.AGE_30S: (2, 34, 2),
}

# Section 3: counterpart category code → count.
COUNTERPARTS = {
    "party-self": 1, "party-parent-both": 2, "party-parent-mother": 124,
    "medical-hospital": 40, "medical-home-doctor": 11, "medical-visiting-nurse": 51,
    "medical-visiting-rehab": 2, "childcare-nursery": 7, "education-special-school": 6,
    "education-school": 2, "welfare-helper": 8, "welfare-day-service": 22, "welfare-employment": 1,
    "welfare-other": 3, "core-center": 11, "consultation-specialist": 34,
    "consultation-coordinator": 26, "support-center-core": 10, "support-center-regional": 3,
    "care-manager": 1, "government-staff": 38, "government-public-health-nurse": 8,
    "government-other": 7, "peer": 5, "other": 11,
}

# Section 4: method code → count.
METHODS = {
    "phone": 218, "mail": 35, "line": 26, "mcs": 14, "online": 14, "website": 1, "office-visit": 10,
    "visit-home": 21, "visit-other": 38, "accompany": 2, "post": 1, "meeting-case": 1,
    "meeting-council": 4, "meeting-other": 15, "other": 31,
}

# Section 5: activity type code → count.
ACTIVITY_TYPES = {
    "childcare": 13, "school-elementary": 2, "day-service-child-development": 22,
    "day-service-after-school": 4, "day-service-daily-life": 10, "respite": 1, "home-respite": 10,
    "welfare-service": 27, "medical-consultation": 2, "home-medical-doctor": 1,
    "home-medical-nursing": 61, "home-medical-rehab": 12, "coordination": 18, "medical-care": 13,
    "equipment": 5, "request": 3, "peer-information": 9, "service-adjustment": 6, "application": 1,
    "listening": 32, "government-window": 3, "complaint": 3, "case-conference": 2, "discharge": 3,
    "info-gathering-medical": 5, "info-gathering-welfare": 8, "info-gathering-childcare": 5,
    "info-gathering-education": 2, "info-gathering-other": 8, "info-providing-health": 1,
    "info-providing-medical": 3, "info-providing-welfare": 7, "info-providing-education": 1,
    "info-providing-other": 5, "info-sharing-health": 2, "info-sharing-medical": 15,
    "info-sharing-welfare": 7, "info-sharing-education": 1, "community-core-center": 4,
    "community-network": 3, "community-capacity": 15, "community-publicity": 11,
    "community-other": 14, "meeting-preparation": 20, "meeting-attendance": 14,
    "internal-meeting": 9, "lecturer": 8, "lecture-preparation": 11, "data-work": 9,
    "research-cooperation": 3, "office-work": 8, "other": 1,
}

# Header: activities (logs + events) starting outside opening hours or on a closed day.
OUT_OF_HOURS = 123

# Community work has no client: these activity types go to the 149 logs without one, in
# this order, matched one to one with NO_CLIENT_METHODS and NO_CLIENT_COUNTERPARTS.
NO_CLIENT_TYPES = [
    ("meeting-attendance", 14), ("community-core-center", 4), ("lecturer", 8), ("internal-meeting", 9),
    ("data-work", 9), ("office-work", 8), ("research-cooperation", 3), ("other", 1),
    ("community-network", 3), ("community-capacity", 15), ("community-publicity", 11),
    ("community-other", 14), ("meeting-preparation", 20), ("lecture-preparation", 11),
    ("info-gathering-other", 8), ("info-gathering-welfare", 8), ("info-gathering-medical", 3),
]
NO_CLIENT_METHODS = [
    ("meeting-council", 4), ("meeting-other", 15), ("visit-other", 8), ("other", 31), ("website", 1),
    ("post", 1), ("mail", 20), ("online", 8), ("phone", 61),
]
NO_CLIENT_COUNTERPARTS = [
    ("consultation-coordinator", 26), ("support-center-core", 10), ("support-center-regional", 3),
    ("core-center", 11), ("other", 11), ("peer", 5), ("care-manager", 1), ("education-school", 2),
    ("government-other", 7), ("government-staff", 38), ("welfare-other", 3), ("consultation-specialist", 32),
]
FAMILY_COUNTERPARTS = ("party-self", "party-parent-both", "party-parent-mother")
# Second activity types (重複あり) go on client logs of these busy types.
SECOND_TYPES = [("home-medical-nursing", 10), ("listening", 10), ("welfare-service", 6), ("info-sharing-medical", 6)]

# Section 5's 主な内容 as published: each is split at top-level 、 into one log summary each.
SUMMARIES = {
    "childcare": "医ケア児の親からの相談（入院2か月休園で退園を求められた件）、医ケア児の保育園復帰の相談、保育園が決まった報告、難病児（医ケアなし）の保育園探しの相談など",
    "respite": "退院予定の医ケア児の相談",
    "home-respite": "必要な母への情報提供や他区の情報収集しての提供、退院直後の医ケア児に利用紹介、支援学校でのレスパイトについての相談など",
    "welfare-service": "医ケア児のベビーシッター探し、医ケア児の在宅レスパイトなど",
    "medical-consultation": "医ケア者のセカンドオピニオンの相談",
    "home-medical-doctor": "訪問診療より重度訪問介護ヘルパーへの指示書についての相談",
    "home-medical-nursing": "訪問看護ステーション変更希望の相談や後任ステーション探し、他区に転居する医ケア児の訪問看護ステーション探し、相談支援専門員より医ケア児の訪問看護ステーションの入り方の相談、他区医ケア者の在宅レスパイト利用ができる訪問看護ステーション探しの相談、気になる病院外来通院児の紹介など",
    "home-medical-rehab": "医ケア児の母からPT・STの変更希望、他区へ訪問できるリハビリ資源の問い合わせ、他区リハビリステーションから小児の連携依頼、病院から退院する医ケア児の相談・訪問リハ探し、新たに小児訪問リハ開始したい訪看からの相談など",
    "coordination": "北療に置いていたリーフレットをみて他区の医ケア児の母から相談、医ケア児担当訪問看護師から相談支援専門員についての相談、医ケア児が18歳になるため相談支援専門員交代の相談、病院連携室より医ケア児のコーディネーター依頼、都内・他県の病院連携室より退院する医ケア児のコーディネーター依頼、医ケア児の母にコーディネーターの役割のご説明など",
    "medical-care": "医ケア児の母からの相談・通所先や支援学校との話し合い",
    "equipment": "介護職の医療的ケアの範疇に関する相談、母より気管カニューレ自己抜去防止策の相談、重度訪問介護事業所への医ケアの指示に関して、給電スポット開拓、医ケア者の入浴用具、肢体不自由以外の内部障害医ケア児の車椅子作成について",
    "request": "放デイ施設長からの相談、医ケア児の母から支援学校のレスパイトについて、相談支援専門員からの制度への要望",
    "peer-information": "医ケア者の母より医ケアや福祉用具等の工夫やお役立ち情報など",
    "service-adjustment": "母から依頼（転居に際して他区へ受給者証引き継ぎの相談）、病院からの退院児の相談、医ケア者の相談支援専門員へのサービス見直しのサポート",
    "application": "産科医療保障制度の分割支給年度ごとの提出書類についての相談（外国籍の障害児の母）",
    "listening": "入院中の医ケア児の母の不安傾聴、医ケア者の母より病状や予後などについて不安の傾聴",
    "government-window": "医ケア児母からの小児慢性特定疾患についての問い合わせ、障害相談係からの相談など",
    "complaint": "母からの通所施設に関すること、医ケア児の相談支援専門員について",
    "case-conference": "入院中の医ケア児",
    "discharge": "医ケア児の退院前カンファレンス参加",
    "info-gathering-welfare": "他区の実数調査方法について、相談支援事業所とさわ・ヘルパーサ責・障害児の会からの相談、福祉サービス事業所に関する情報",
    "info-gathering-childcare": "難病児の保育園について",
    "info-gathering-education": "入院中の医ケア児発生児に関する支援学校への情報収集",
    "info-gathering-other": "他区の生活介護施設の情報、区内療養通所閉鎖について、外国籍医ケア児のその後について、居宅訪問型児童発達支援「おこSUN」区内利用者の増加について、東京都福祉保健局医療政策部救急災害医療課小児救急医療係から「のびのび～NICU入院児支援手帳～」のご案内、他地域の自主活動の情報収集など",
    "info-providing-medical": "訪問診療に医ケア児の訪看指示書依頼、医ケア児母に小児慢性医療証に関して、医ケア者の母のメンタル科受診と訪看導入について",
    "info-providing-welfare": "地区担障害福祉係担当者に医ケアについて、障害児の家族会への情報提供、障害者実態・意向調査の医療的ケア児の項目について、区内の療養通所閉鎖について医ケア児基幹センターへ",
    "info-providing-education": "王子特別支援学校との情報共有",
    "info-providing-other": "板橋区「子ども発達支援センター 医療的ケア児相談窓口」看護師、他区からの相談（医療的ケア児コーディネーター事業の民間相談支援事業所委託について）",
    "info-sharing-health": "入院中の医ケア児について",
    "info-sharing-medical": "医ケア児の退院後の調整について",
    "info-sharing-welfare": "医ケア児の退院調整の進捗について",
    "info-sharing-education": "支援学校教員との医ケア発生児に関して",
    "community-core-center": "各基幹相談支援センターとの情報交換、北区主任相談支援専門員連絡会など",
    "community-network": "相談支援専門員の後方支援",
    "community-capacity": "医ケア児経験のない相談支援専門員への伴走支援、医ケア児経験の少ない訪看への研修開催やニーズリサーチ、医ケア児経験の少ない訪看事業所へのサポート、研修開催など",
    "community-publicity": "リーフレット完成にて配布と事業周知活動（病院、ケアマネサロンなど別表参照）",
    "community-other": "電力依存の医療的ケア者が災害時に近隣施設に協力を得られるよう仲介板橋区で開始となった医ケア児支援窓口との連携、スポーツ推進課の来年度のユニバーサルスポーツ教室（医ケア児含む）のサポートに関する相談、福祉職への研修事業の周知活動など",
    "meeting-preparation": "合同会議・区立保育園園長会・区立幼稚園園長会資料作成、東京都医療的ケア児等コーディネーター養成研修・企画会議（第二回）、医ケア児等コーディネーター交流会（有資格者・取得予定者など）準備、医療的ケア児等コーディネーター研修（多摩）企画会議の準備など",
    "meeting-attendance": "別表参照",
    "lecturer": "別表参照",
    "lecture-preparation": "医療的ケア児等コーディネーター研修の内容企画など",
    "data-work": "北区障害福祉課への提出のためのデータ集計作業など",
    "research-cooperation": "障害福祉課の障害者実態・意向調査、医ケア児実数調査への協力、医ケア児実数調査の確認など",
    "office-work": "年間計画表作成、記録ソフトの整備、データ収集作業上の項目整備、ブログ発信に関する財団への確認など",
}

M = "meeting"
# Sections 6–7: (kind, role, scope, name, held_on, started_at, method/venue, topic, audience, count, note)
EVENTS = [
    ("outreach", "", "in_ward", "放課後等デイサービス ぴーす", date(2025, 4, 14), time(10, 30), "対面", "リーフレット持参と面談", "職員", 1, ""),
    ("outreach", "", "in_ward", "ピアネット北", date(2025, 4, 14), time(14, 0), "対面", "「北区医療的ケア児コーディネーター事業」の宣伝のページ作成", "職員", 1, ""),
    ("outreach", "", "outside_ward", "都立大塚病院連携室 患者地域サポートセンター", date(2025, 4, 4), time(10, 0), "対面", "リーフレット持参と面談", "NICU・GCU担当看護師、小児病棟担当看護師、SW", 3, ""),
    ("outreach", "", "outside_ward", "区部医ケア児センター", date(2025, 4, 4), time(14, 0), "対面", "リーフレット持参と面談", "看護師、社会福祉士", 3, ""),
    ("outreach", "", "outside_ward", "東大病院 地域医療連携室", date(2025, 4, 11), time(13, 30), "対面", "リーフレット持参と面談", "副看護師長、看護師", 2, ""),
    (M, "参加", "", "合同報告会", date(2025, 5, 2), time(10, 0), "対面・北区役所", "合同報告会にて令和6年度の事業報告", "障害福祉課 保育課 就学相談係の医ケア児担当者", 14, "委員14名"),
    (M, "参加", "", "区立園長会", date(2025, 5, 8), time(10, 0), "対面・北とぴあ", "区立園長会にて令和6年度の事業報告 リーフレット配布", "", 30, "30名程度"),
    (M, "参加", "", "私立園長会", date(2025, 5, 8), time(14, 0), "対面・北とぴあ", "私立園長会にて令和6年度の事業報告 リーフレット配布", "", 50, "50名程度"),
    (M, "講師", "", "日本赤十字大学さいたま学部 地域看護学講義", date(2025, 5, 9), time(13, 0), "日本赤十字大学 さいたま学部", "「多職種連携の実際」の講義の中で、医ケア児等コーディネーター事業、活動内容についてお伝え", "学部生 教授・准教授・講師", 80, ""),
    (M, "参加", "", "東京都医療的ケア児等支援担当者連絡会", date(2025, 7, 4), time(14, 0), "ZOOM", "講演「地域の医ケアコーディネーターに期待すること」 取り組み紹介「医療的ケア児支援に係る庁内連携について」", "自治体設置医療的ケア児等コーディネーター 市区町村主管担当者", None, ""),
    (M, "参加", "", "東京都相談支援従事者研修の企画会議", date(2025, 8, 4), time(10, 0), "対面", "小児の相談支援の課題等", "都内相談支援専門員", 8, ""),
    (M, "参加", "", "第1回東京都医療的ケア児等コーディネーター養成研修企画会議", date(2025, 8, 25), time(18, 30), "ZOOM", "東京都医療的ケア児等コーディネーター養成研修（区部・多摩）の内容検討", "都内の医療的ケア児等コーディネーター研修希望者", 12, "12名程度"),
    (M, "司会進行と運営サポート", "", "東京都相談支援専門員ネットワーク 児童分野 相談支援専門員の情報交換会", date(2025, 9, 19), time(19, 0), "ZOOM", "小児の相談支援の課題等", "都内相談支援専門員", 19, "17～19名"),
    (M, "参加", "", "東京都医療的ケア児等支援担当者連絡会", date(2025, 9, 24), time(14, 0), "対面・都庁", "テーマ「学齢期の医療的ケア児に関連した支援や取組について」", "各区施策担当者と医療的ケア児等コーディネーターなど", 100, "100名程度"),
    (M, "参加", "", "第2回東京都医療的ケア児等コーディネーター養成研修企画会議", date(2025, 9, 30), time(18, 30), "ZOOM", "東京都医療的ケア児等コーディネーター養成研修（区部・多摩）の内容検討", "都内の医療的ケア児等コーディネーター研修希望者", 12, "12名程度"),
    (M, "参加", "", "第3回東京都医療的ケア児等コーディネーター養成研修企画会議", date(2025, 10, 7), time(18, 30), "オンライン 医療的ケア児等支援センター多摩", "企画会議", "医師 行政職員 看護師 病院SW 相談支援専門員", 20, ""),
    (M, "講師", "", "大学看護学部生の在宅看護の授業", date(2025, 11, 4), time(13, 0), "対面 東京医科大学", "テーマ「疾病や障がいのある小児とその家族の在宅看護」 北区医ケア児等コーディネーター事業での活動についてもお話した", "看護学部生と教員", 74, "学生70名 教員4名"),
    (M, "講師", "", "神奈川県子どもみらい局福祉部・障害サービス課（横浜市・川崎市共同事業）主催 小児訪問看護・重症心身障がい児者看護研修会", date(2025, 11, 13), time(13, 0), "対面 公益財団法人神奈川県産業振興センター", "テーマ「小児の家族への支援」 北区医ケア児等コーディネーター事業での活動についてもお話した", "神奈川県・横浜市・川崎市の訪問看護、病院や重心施設、小児に関わる事業所の看護師", 50, ""),
    (M, "運営 ファシリテーター", "", "東京都医療的ケア児等コーディネーター研修（多摩）", date(2025, 11, 18), time(9, 30), "対面 医療的ケア児等支援センター多摩", "医療的ケア児等コーディネーター養成研修演習ファシリテーター", "医療的ケア児コーディネーター養成研修受講者", 24, ""),
    (M, "運営 ファシリテーター", "", "東京都医療的ケア児等コーディネーター研修（多摩）", date(2025, 11, 19), time(9, 30), "対面 医療的ケア児等支援センター多摩", "医療的ケア児等コーディネーター養成研修演習ファシリテーター", "医療的ケア児コーディネーター養成研修受講者", 24, ""),
    (M, "参加", "", "第2回小児トータルケア講習会", date(2025, 11, 22), time(13, 0), "対面 慶應義塾大学病院", "小児の意思決定支援について", "看護師・訪問看護師・相談支援専門員・医療的ケア児等コーディネーターなど", 30, ""),
    (M, "参加", "", "北区自立支援協議会", date(2025, 12, 8), time(14, 0), "対面 北区役所", "", "", None, ""),
    (M, "運営 ファシリテーター", "", "東京都医療的ケア児等コーディネーター研修（多摩）", date(2025, 12, 14), time(9, 30), "対面 医療的ケア児等支援センター多摩", "医療的ケア児等コーディネーター養成研修演習ファシリテーター", "医療的ケア児コーディネーター養成研修受講者", 37, ""),
    (M, "運営 ファシリテーター", "", "東京都医療的ケア児等コーディネーター研修（多摩）", date(2025, 12, 15), time(9, 30), "対面 医療的ケア児等支援センター多摩", "医療的ケア児等コーディネーター養成研修演習ファシリテーター", "医療的ケア児コーディネーター養成研修受講者", 37, ""),
    (M, "参加", "", "北区健康政策課", date(2025, 11, 7), time(15, 0), "オンライン", "「北区在宅医療安心ブック」および「そのwebサイトの検索システム」についての改訂会議", "行政職員 医療機関看護師 高齢者あんしんセンター職員", 6, ""),
    ("training", "参加", "", "SUKU♡SUKU", date(2025, 5, 22), time(19, 0), "ZOOM", "事例検討会", "小児に関わる支援者", 10, ""),
    ("training", "参加", "", "令和7年度北区障害児通所支援事業所実務者会議（連絡会）", date(2025, 5, 30), time(14, 0), "対面 岸町ふれあい館", "「北区教育総合相談センター 概要および就学相談の流れ」 グループワークなど", "児童発達支援に関わる支援者・行政", 50, ""),
    ("training", "開催", "", "第1回北区医療的ケア児等コーディネーター交流会", date(2025, 10, 22), time(18, 30), "対面 J&L会議室B", "・北区医ケア児等コーディネーター事業について ・医療的ケア児等コーディネーター資格所持者の地域での活動について ・自己紹介と交流会", "北区基幹相談支援センター、区内の相談支援事業所など", 5, ""),
]
