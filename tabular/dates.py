"""Dates as people type them: `2025-04-01`, `2025/4/1`, `R7.4.1`, `令和7年4月1日`, `令和元年5月1日`."""

import re
import unicodedata
from datetime import date, timedelta

from django.core.exceptions import ValidationError

from .wareki import ERAS, Era, format_date, format_wareki

FORMATS_HINT = "2025/4/1、2025-04-01、R7.4.1、令和7年4月1日"
INVALID = f"日付として読み取れません。{FORMATS_HINT} のように入力してください。"

# After NFKC: full-width digits, letters and ／．－ are half-width, and 〜 like separators are
# plain ASCII. Spaces are removed before matching.
_SEPARATOR = r"[./\-]"
_WESTERN = re.compile(
    rf"^(?P<year>\d{{4}})(?:{_SEPARATOR}|年)(?P<month>\d{{1,2}})(?:{_SEPARATOR}|月)(?P<day>\d{{1,2}})日?$"
)
_COMPACT = re.compile(r"^(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})$")
_ERA = re.compile(
    rf"^(?P<era>[A-Za-z]|[^\d\s./\-年月日]+?)(?P<year>\d{{1,2}}|元)(?:{_SEPARATOR}|年)"
    rf"(?P<month>\d{{1,2}})(?:{_SEPARATOR}|月)(?P<day>\d{{1,2}})日?$"
)


def _era_named(name: str) -> Era:
    for era in ERAS:
        if name in (era.name, era.letter, era.letter.lower()):
            return era
    known = "・".join(f"{era.name}（{era.letter}）" for era in ERAS)
    raise ValidationError(f"「{name}」という元号はわかりません。{known}で入力してください。", code="unknown_era")


def _era_end(era: Era) -> date | None:
    """The last day of an era, or None for the current one."""
    newer = ERAS[: ERAS.index(era)]
    return newer[-1].start - timedelta(days=1) if newer else None


def _make_date(year: int, month: int, day: int, label: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(f"{label}という日付はありません。", code="no_such_day") from None


def parse_date(text: str) -> date:
    """The date a person typed, in Western or Japanese-era form; a Japanese ValidationError otherwise."""
    normalized = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    if not normalized:
        raise ValidationError("日付を入力してください。", code="required")
    normalized = normalized.replace("ー", "-").replace("−", "-")

    match = _WESTERN.match(normalized) or _COMPACT.match(normalized)
    if match:
        year, month, day = (int(match[part]) for part in ("year", "month", "day"))
        return _make_date(year, month, day, f"{year}年{month}月{day}日")

    match = _ERA.match(normalized)
    if not match:
        raise ValidationError(INVALID, code="invalid")
    era = _era_named(match["era"])
    era_year = 1 if match["year"] == "元" else int(match["year"])
    month, day = int(match["month"]), int(match["day"])
    label = f"{era.name}{'元' if era_year == 1 else era_year}年{month}月{day}日"
    if era_year < 1:
        raise ValidationError(f"{label}という日付はありません。", code="no_such_day")
    result = _make_date(era.start.year + era_year - 1, month, day, label)
    end = _era_end(era)
    if result < era.start or (end is not None and result > end):
        span = f"{format_date(era.start)}～{format_date(end) if end else ''}"
        raise ValidationError(
            f"{label}は{era.name}の期間（{span}）にありません。{format_wareki(result)}のことですか。"
            if result >= ERAS[-1].start
            else f"{label}は{era.name}の期間（{span}）にありません。",
            code="outside_era",
        )
    return result


def refuse_future(day: date, today: date) -> None:
    """Raises the form's message for a day after today."""
    if day > today:
        raise ValidationError(f"未来の日付は入力できません（今日は{format_date(today)}です）。", code="future")
