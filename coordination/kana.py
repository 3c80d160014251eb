"""Folding names and フリガナ so that width, hiragana/katakana and spacing do not matter."""
import re
import unicodedata

import jaconv

_SPACES = re.compile(r"\s+")


def fold_kana(text: str) -> str:
    """NFKC (half-width ｶﾅ → full-width, full-width Ａ → A), hiragana → katakana, single spaces.

    This is how a client's フリガナ is stored: `あおやま　ひなた` → `アオヤマ ヒナタ`.
    """
    folded = jaconv.hira2kata(unicodedata.normalize("NFKC", text))
    return _SPACES.sub(" ", folded).strip()


def kana_key(text: str) -> str:
    """The folded text without any space, for comparing and searching names."""
    return _SPACES.sub("", fold_kana(text))
