"""The age bands of report section 1, fixed at 1 April of the fiscal year."""

from datetime import date

from django.db import models


class AgeBand(models.TextChoices):
    """In the report's row order."""

    PRESCHOOL = "preschool", "未就学児"
    ELEMENTARY = "elementary", "小学生"
    JUNIOR_HIGH = "junior_high", "中学生"
    HIGH_SCHOOL = "high_school", "高校生"
    UP_TO_19 = "up_to_19", "19歳以下"
    AGE_20S = "age_20s", "20～29歳"
    AGE_30S = "age_30s", "30～39歳"
    AGE_40S = "age_40s", "40～49歳"
    AGE_50S = "age_50s", "50～59歳"
    AGE_60_64 = "age_60_64", "60～64歳"
    AGE_65_PLUS = "age_65_plus", "65歳以上"
    UNKNOWN = "unknown", "不明"


SCHOOL_BANDS = (AgeBand.ELEMENTARY, AgeBand.JUNIOR_HIGH, AgeBand.HIGH_SCHOOL)


SCHOOL_GROUP_LABEL = "就学児"


def age_on(birth_date: date, day: date) -> int:
    """Completed years on a day (a 29 February birthday counts from 1 March in common years)."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def school_entry_year(birth_date: date) -> int:
    """The April a child enters elementary school: born 2 Apr Y – 1 Apr Y+1 → April Y+7."""
    if (birth_date.month, birth_date.day) <= (4, 1):
        return birth_date.year + 6
    return birth_date.year + 7


def school_grade(birth_date: date, fiscal_year: int) -> int:
    """Grade counted from elementary grade 1 (0 or less before school, 13 and up after)."""
    return fiscal_year - school_entry_year(birth_date) + 1


def age_band(birth_date: date | None, fiscal_year: int) -> AgeBand:
    """The band of report section 1 for the whole fiscal year, as of its 1 April."""
    if birth_date is None:
        return AgeBand.UNKNOWN
    grade = school_grade(birth_date, fiscal_year)
    if grade < 1:
        return AgeBand.PRESCHOOL
    if grade <= 6:
        return AgeBand.ELEMENTARY
    if grade <= 9:
        return AgeBand.JUNIOR_HIGH
    if grade <= 12:
        return AgeBand.HIGH_SCHOOL
    age = age_on(birth_date, date(fiscal_year, 4, 1))
    if age <= 19:
        return AgeBand.UP_TO_19
    if age >= 65:
        return AgeBand.AGE_65_PLUS
    if age >= 60:
        return AgeBand.AGE_60_64
    return {2: AgeBand.AGE_20S, 3: AgeBand.AGE_30S, 4: AgeBand.AGE_40S, 5: AgeBand.AGE_50S}[age // 10]


# Each band's birth dates relative to the fiscal year: (oldest, youngest) as (years before, month, day);
# None leaves that end open. They mirror age_band(): school cohorts turn on 2 April, adult ages on 1 April.
_BIRTH_DATE_BOUNDS = {
    AgeBand.PRESCHOOL: ((6, 4, 2), None),
    AgeBand.ELEMENTARY: ((12, 4, 2), (6, 4, 1)),
    AgeBand.JUNIOR_HIGH: ((15, 4, 2), (12, 4, 1)),
    AgeBand.HIGH_SCHOOL: ((18, 4, 2), (15, 4, 1)),
    AgeBand.UP_TO_19: ((20, 4, 2), (18, 4, 1)),
    AgeBand.AGE_20S: ((30, 4, 2), (20, 4, 1)),
    AgeBand.AGE_30S: ((40, 4, 2), (30, 4, 1)),
    AgeBand.AGE_40S: ((50, 4, 2), (40, 4, 1)),
    AgeBand.AGE_50S: ((60, 4, 2), (50, 4, 1)),
    AgeBand.AGE_60_64: ((65, 4, 2), (60, 4, 1)),
    AgeBand.AGE_65_PLUS: (None, (65, 4, 1)),
}


def birth_date_range(band: AgeBand, fiscal_year: int) -> tuple[date | None, date | None]:
    """The first and last birth dates that fall in a band in a fiscal year (None: open end).

    Lets a list filter by band in the database; UNKNOWN (no birth date) has no range.
    """
    if band == AgeBand.UNKNOWN:
        raise ValueError("不明 has no birth-date range")
    oldest, youngest = _BIRTH_DATE_BOUNDS[AgeBand(band)]
    first = date(fiscal_year - oldest[0], oldest[1], oldest[2]) if oldest else None
    last = date(fiscal_year - youngest[0], youngest[1], youngest[2]) if youngest else None
    return first, last
