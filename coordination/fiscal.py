"""Fiscal years (1 April – 31 March) and quarter ranges, with their Japanese labels."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from tabular.wareki import era_year_of_calendar_year, format_date


def fiscal_year_of(day: date) -> int:
    """The fiscal year a day belongs to (2026-03-31 → 2025)."""
    return day.year if day.month >= 4 else day.year - 1


def quarter_of(day: date) -> int:
    """Fiscal quarter 1–4 (Apr–Jun = 1, Jan–Mar = 4)."""
    return (day.month - 4) % 12 // 3 + 1


def quarter_start(fiscal_year: int, quarter: int) -> date:
    month = 4 + 3 * (quarter - 1)
    return date(fiscal_year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def quarter_end(fiscal_year: int, quarter: int) -> date:
    if quarter == 4:
        return date(fiscal_year + 1, 3, 31)
    return quarter_start(fiscal_year, quarter + 1) - timedelta(days=1)


# A quarter range as URLs, the command line and file names write it: `2` or `1-3`.
_QUARTER_RANGE = re.compile(r"([1-4])(?:-([1-4]))?")


def fiscal_year_label(fiscal_year: int) -> str:
    """`令和7年度` (2019 → 令和元年度)."""
    return f"{era_year_of_calendar_year(fiscal_year)}度"


@dataclass(frozen=True, order=True)
class FiscalPeriod:
    """A fiscal year and a range of its quarters: a single quarter, Q1–Qn, or the whole year."""

    fiscal_year: int
    first_quarter: int = 1
    last_quarter: int = 4

    def __post_init__(self):
        if not 1 <= self.first_quarter <= self.last_quarter <= 4:
            raise ValueError(f"四半期の範囲が正しくありません: 第{self.first_quarter}～{self.last_quarter}四半期")

    @classmethod
    def finished_by(cls, today: date) -> "FiscalPeriod":
        """The current fiscal year up to its last finished quarter (or last year, in Q1)."""
        fiscal_year, quarter = fiscal_year_of(today), quarter_of(today)
        if quarter == 1:
            return cls(fiscal_year - 1, 1, 4)
        return cls(fiscal_year, 1, quarter - 1)

    @classmethod
    def parse_range(cls, fiscal_year: int, quarters: str) -> "FiscalPeriod":
        """The period of `quarters` written as `2` or `1-3` (see quarter_range); a ValueError in Japanese otherwise."""
        match = _QUARTER_RANGE.fullmatch(quarters)
        if not match:
            raise ValueError("四半期は 2 や 1-3 の形で指定してください。")
        return cls(fiscal_year, int(match[1]), int(match[2] or match[1]))

    @property
    def quarter_range(self) -> str:
        """`2` or `1-3`, as parse_range reads it: the `quarters` of the report's URLs and file names."""
        if self.first_quarter == self.last_quarter:
            return str(self.first_quarter)
        return f"{self.first_quarter}-{self.last_quarter}"

    @property
    def start(self) -> date:
        return quarter_start(self.fiscal_year, self.first_quarter)

    @property
    def end(self) -> date:
        return quarter_end(self.fiscal_year, self.last_quarter)

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def quarters(self) -> range:
        return range(self.first_quarter, self.last_quarter + 1)

    def months(self) -> list[date]:
        """The first day of each month of the period, in order."""
        first = self.start
        count = 3 * (self.last_quarter - self.first_quarter + 1)
        return [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(count)]

    def single_quarters(self) -> list["FiscalPeriod"]:
        return [FiscalPeriod(self.fiscal_year, q, q) for q in self.quarters]

    def previous_year(self) -> "FiscalPeriod":
        """The same quarters one fiscal year earlier."""
        return FiscalPeriod(self.fiscal_year - 1, self.first_quarter, self.last_quarter)

    @property
    def quarter_label(self) -> str:
        """`第2四半期` or `第1～3四半期`."""
        if self.first_quarter == self.last_quarter:
            return f"第{self.first_quarter}四半期"
        return f"第{self.first_quarter}～{self.last_quarter}四半期"

    @property
    def label(self) -> str:
        """`令和7年度 第1～3四半期`."""
        return f"{fiscal_year_label(self.fiscal_year)} {self.quarter_label}"

    @property
    def date_range_label(self) -> str:
        """`2025年4月1日～2025年12月31日`."""
        return f"{format_date(self.start)}～{format_date(self.end)}"

    @property
    def file_label(self) -> str:
        """`令和7年度_第1-3四半期`, for file names."""
        return f"{fiscal_year_label(self.fiscal_year)}_第{self.quarter_range}四半期"
