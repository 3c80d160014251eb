"""Life-stage transitions (ライフステージの節目), where support for a child tends to break down.

Dates come from the birth date alone:
- nursery: 1 April of the year the child is 1 on 1 April — the usual April intake of a nursery's
  1歳児クラス (class ages are fixed at 1 April, like school years; applications close in the autumn
  before). It is the first April after the first birthday, or the birthday itself for a child born
  on 1 April;
- elementary, junior high and high school: 1 April of the year of entry, from the school-year
  cohort rule in `age_bands.school_entry_year` (born 2 April – 1 April of the next year);
- 18 and 20: the birthdays (a 29 February birthday counts on 1 March in common years, as in
  `age_bands.age_on`).
"""

import calendar
from dataclasses import dataclass
from datetime import date

from django.db import models

from coordination.clients.age_bands import school_entry_year


class TransitionKind(models.TextChoices):
    NURSERY = "nursery", "保育園の入園年齢（1歳児クラス）"
    ELEMENTARY = "elementary", "小学校入学"
    JUNIOR_HIGH = "junior_high", "中学校入学"
    HIGH_SCHOOL = "high_school", "高校入学"
    AGE_18 = "age_18", "18歳"
    AGE_20 = "age_20", "20歳"


WHAT_CHANGES = {
    TransitionKind.NURSERY: "4月1日時点で1歳のため、保育園の1歳児クラスに入れる4月です。申込みは前年の秋から。"
    "園の看護師配置と医療的ケアの受入れを保育課・園と調整します。",
    TransitionKind.ELEMENTARY: "小学校（特別支援学校小学部）に入学します。就学相談と就学先の決定、"
    "学校での医療的ケアの体制、放課後の過ごし方を確認します。",
    TransitionKind.JUNIOR_HIGH: "中学校（特別支援学校中学部）に進学します。通学手段と学校での医療的ケア、"
    "放課後等デイサービスを確認します。",
    TransitionKind.HIGH_SCHOOL: "高校（特別支援学校高等部）に進学します。通学と医療的ケアの体制、"
    "卒業後の進路を見据えた支援を確認します。",
    TransitionKind.AGE_18: "18歳になります。児童福祉法の支援（障害児通所支援、小児慢性特定疾病の医療費助成など）は"
    "原則18歳までのため、障害者総合支援法のサービスと成人の医療への移行を準備します。",
    TransitionKind.AGE_20: "20歳になります。特別児童扶養手当が終わり、障害基礎年金（20歳前障害）の請求ができます。"
    "成人の福祉サービスと医療への移行を確認します。",
}


@dataclass(frozen=True)
class Transition:
    kind: TransitionKind
    on: date

    @property
    def label(self) -> str:
        return TransitionKind(self.kind).label

    @property
    def what_changes(self) -> str:
        return WHAT_CHANGES[self.kind]


def birthday(birth_date: date, years: int) -> date:
    """The day a person turns `years` (29 February → 1 March in common years)."""
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def transitions_of(birth_date: date) -> list[Transition]:
    """Every transition of a life, in date order."""
    entry = school_entry_year(birth_date)
    return [
        Transition(TransitionKind.NURSERY, date(entry - 5, 4, 1)),
        Transition(TransitionKind.ELEMENTARY, date(entry, 4, 1)),
        Transition(TransitionKind.JUNIOR_HIGH, date(entry + 6, 4, 1)),
        Transition(TransitionKind.HIGH_SCHOOL, date(entry + 9, 4, 1)),
        Transition(TransitionKind.AGE_18, birthday(birth_date, 18)),
        Transition(TransitionKind.AGE_20, birthday(birth_date, 20)),
    ]


def transitions_between(birth_date: date, start: date, end: date) -> list[Transition]:
    """The transitions dated from `start` to `end`, both included."""
    return [t for t in transitions_of(birth_date) if start <= t.on <= end]
