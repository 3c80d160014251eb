"""Japanese era (和暦) labels computed from the date."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    start: date


# Newest first. Meiji is counted from the Gregorian calendar's adoption (1873-01-01 = 明治6年).
ERAS = (
    Era("令和", "R", date(2019, 5, 1)),
    Era("平成", "H", date(1989, 1, 8)),
    Era("昭和", "S", date(1926, 12, 25)),
    Era("大正", "T", date(1912, 7, 30)),
    Era("明治", "M", date(1868, 1, 25)),
)


@dataclass(frozen=True)
class EraYear:
    era: Era
    year: int

    def __str__(self):
        return f"{self.era.name}{'元' if self.year == 1 else self.year}年"


def era_of(day: date) -> Era:
    """The era in effect on the given day."""
    for era in ERAS:
        if day >= era.start:
            return era
    raise ValueError(f"{day} is before the Meiji era")


def era_year(day: date) -> EraYear:
    """The era and year of the era on a given day (2019-04-30 → 平成31年, 2019-05-01 → 令和元年)."""
    era = era_of(day)
    return EraYear(era, day.year - era.start.year + 1)


def era_year_of_calendar_year(year: int) -> EraYear:
    """A calendar or fiscal year's label: the era in effect by its end (2019 → 令和元年)."""
    return era_year(date(year, 12, 31))


def format_wareki(day: date) -> str:
    """`令和7年4月1日`."""
    return f"{era_year(day)}{day.month}月{day.day}日"


def format_date(day: date) -> str:
    """`2025年4月1日`, the Western form used in the report's title."""
    return f"{day.year}年{day.month}月{day.day}日"
