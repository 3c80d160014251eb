"""Opening hours as rows (weekdays, opens, closes): typed times, the free text people write, readable lines.

Weekdays are kept in HSDS's `byday` form ("MO,TU,WE,TH,FR"). The parser reads the usual ways a
Japanese entry writes its hours ("月～金 9:00～17:00", "平日 9時～17時", "月・水・金 9:00-12:00、
13:00-17:00", "(土日祝休み)") and gives up (no rows) on anything it does not fully understand: the
free text is always kept beside the rows, so a wrong guess would be worse than none.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import time

# HSDS byday codes in the week's order, with the Japanese day each stands for.
WEEKDAYS = (("MO", "月"), ("TU", "火"), ("WE", "水"), ("TH", "木"), ("FR", "金"), ("SA", "土"), ("SU", "日"))
WEEKDAY_CODES = tuple(code for code, _ in WEEKDAYS)
WEEKDAY_LABELS = dict(WEEKDAYS)
_CODE_OF_LABEL = {label: code for code, label in WEEKDAYS}


@dataclass(frozen=True)
class ScheduleEntry:
    """One row of opening hours as entered: the days it applies to and one opening span."""

    weekdays: tuple[str, ...]  # byday codes, in the week's order
    opens_at: time
    closes_at: time

    @property
    def byday(self) -> str:
        return ",".join(self.weekdays)

    @property
    def label(self) -> str:
        return schedule_label(self.weekdays, self.opens_at, self.closes_at)


def ordered_weekdays(codes) -> tuple[str, ...]:
    """The known codes among `codes`, once each, Monday first."""
    wanted = set(codes)
    return tuple(code for code in WEEKDAY_CODES if code in wanted)


def split_byday(byday: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in byday.split(",") if part.strip())


def days_label(weekdays) -> str:
    """月・火・水・木・金"""
    return "・".join(WEEKDAY_LABELS[code] for code in ordered_weekdays(weekdays))


def days_span_label(weekdays) -> str:
    """The days as a page shows them, three or more in a row as a span: 月～金, 月・水・金, 土・日."""
    indexes = [WEEKDAY_CODES.index(code) for code in ordered_weekdays(weekdays)]
    runs: list[list[int]] = []
    for index in indexes:
        if runs and index == runs[-1][-1] + 1:
            runs[-1].append(index)
        else:
            runs.append([index])
    parts = []
    for run in runs:
        labels = [WEEKDAYS[index][1] for index in run]
        parts.append(f"{labels[0]}～{labels[-1]}" if len(run) >= 3 else "・".join(labels))
    return "・".join(parts)


def time_label(value: time) -> str:
    """9:00, 17:15"""
    return f"{value.hour}:{value.minute:02d}"


def schedule_label(weekdays, opens_at: time, closes_at: time) -> str:
    """月・火・水・木・金 9:00～17:00"""
    return f"{days_label(weekdays)} {time_label(opens_at)}～{time_label(closes_at)}"


def _fold(text: str) -> str:
    """Full-width digits, colons and tildes as ASCII (９：００ → 9:00), spaces trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


_TIME_FORMS = (
    re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})"),
    re.compile(r"(?P<hour>\d{1,2})(?P<minute>\d{2})"),  # 0900, 900
    re.compile(r"(?P<hour>\d{1,2})時(?:(?P<minute>\d{1,2})分|(?P<half>半))?"),
    re.compile(r"(?P<hour>\d{1,2})"),
)


def parse_time(text: str) -> time | None:
    """A time as people type it (9:00, 09:00, 0900, 900, 9, 9時, 9時30分, 9時半, ９：００); None if not one."""
    folded = _fold(text).replace(" ", "")
    for form in _TIME_FORMS:
        match = form.fullmatch(folded)
        if match:
            return _time_of(match)
    return None


def _time_of(match: re.Match) -> time | None:
    parts = match.groupdict()
    hour = int(parts["hour"])
    minute = 30 if parts.get("half") else int(parts.get("minute") or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


# --- the free text ------------------------------------------------------------------------------

_DAY = r"[月火水木金土日](?:曜日|曜)?"
_HOLIDAY = r"祝日?|祭日"
_DAY_OR_HOLIDAY = rf"(?:{_DAY}|{_HOLIDAY})"
_DASH = r"(?:[~〜\-－―ー–—−]|から)"
_DAYSPEC = rf"(?:平日|毎日|{_DAY_OR_HOLIDAY}(?:\s*(?:{_DASH}|[・,、]|)\s*{_DAY_OR_HOLIDAY})*)"
_TIME = r"\d{1,2}(?::\d{2}|時(?:\d{1,2}分|半)?)"
_TOKENS = re.compile(
    rf"""
    (?P<closed>{_DAYSPEC}\s*(?:は)?\s*(?:定休日?|休み?|休業|休館))
    |(?P<span>(?P<opens>{_TIME})\s*{_DASH}\s*(?P<closes>{_TIME})(?:まで)?)
    |(?P<days>{_DAYSPEC})
    |(?P<skip>[\s、,・/／;；:]+|受付時間|営業時間|診療時間|開所時間|利用時間|受付|営業|は)
    """,
    re.VERBOSE,
)
_ASIDE = re.compile(r"\([^()]*\)|【[^【】]*】")


def _days(spec: str) -> tuple[str, ...] | None:
    """The days a spec opens on (月～水・金 → MO,TU,WE,FR); None when it names a holiday (not expressible)."""
    if spec == "平日":
        return WEEKDAY_CODES[:5]
    if spec == "毎日":
        return WEEKDAY_CODES
    if re.search(_HOLIDAY, spec):
        return None
    days: list[str] = []
    pieces = re.findall(rf"[月火水木金土日]|{_DASH}", re.sub(r"曜日|曜", "", spec))
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        if piece in _CODE_OF_LABEL and index + 2 < len(pieces) and pieces[index + 1] not in _CODE_OF_LABEL:
            start, end = (
                WEEKDAY_CODES.index(_CODE_OF_LABEL[piece]),
                WEEKDAY_CODES.index(_CODE_OF_LABEL[pieces[index + 2]]),
            )
            if end < start:
                return None
            days.extend(WEEKDAY_CODES[start : end + 1])
            index += 3
        elif piece in _CODE_OF_LABEL:
            days.append(_CODE_OF_LABEL[piece])
            index += 1
        else:
            return None
    return ordered_weekdays(days)


def parse_opening_hours(text: str) -> list[ScheduleEntry]:
    """The rows the free text describes, or [] when it is empty or not fully understood.

    Asides in brackets ("（土日祝休み）", "（祝日を除く）") are notes, not hours; "土日祝休み" says
    which days are closed, which the rows say by leaving them out.
    """
    folded = _ASIDE.sub(" ", _fold(text))
    if "(" in folded or ")" in folded:
        return []
    rows: list[ScheduleEntry] = []
    days: tuple[str, ...] | None = None
    after_span = False
    position = 0
    while position < len(folded):
        match = _TOKENS.match(folded, position)
        if match is None or match.end() == position:
            return []
        position = match.end()
        kind = match.lastgroup if match.lastgroup in ("closed", "days", "skip") else "span"
        if kind == "days":
            named = _days(match.group("days"))
            if not named:
                return []
            days = ordered_weekdays((*(days or ()), *named)) if days and not after_span else named
            after_span = False
        elif kind == "span":
            opens, closes = parse_time(match.group("opens")), parse_time(match.group("closes"))
            if days is None or opens is None or closes is None or opens >= closes:
                return []
            rows.append(ScheduleEntry(days, opens, closes))
            after_span = True
    return rows
