"""Folding names and フリガナ so that kana width, hiragana/katakana and spacing do not matter.

Four variants, each for one use; they differ on purpose:

- `fold_for_storage`: NFKC (half-width ｶﾅ → カナ, but also Ａ → A and （ → (), hiragana →
  katakana, single spaces. How a client's フリガナ is stored.
- `fold_for_comparison`: the same without any space, to compare two names (likely duplicates,
  a client's key in an import, the client list's name filter).
- `fold_kana_only`: only the kana change (half-width ｶﾅ → カナ, hiragana → katakana), single
  spaces; letters, digits and brackets stay as typed, so a provider's （クブ） keeps its
  full-width brackets. How a provider's フリガナ from a spreadsheet is stored.
- `fold_for_search`: `fold_kana_only` without any space, for the client picker's query.

The directory's search key (`directory.search.search_key`) folds much further (dashes, block
numbers of addresses, romaji) and lives with the directory.
"""

import re
import unicodedata

import jaconv

_SPACES = re.compile(r"\s+")


def fold_for_storage(text: str) -> str:
    """A client's フリガナ as stored: `あおやま　ひなた` → `アオヤマ ヒナタ`, `ｱｵﾔﾏ` → `アオヤマ`."""
    folded = jaconv.hira2kata(unicodedata.normalize("NFKC", text))
    return _SPACES.sub(" ", folded).strip()


def fold_for_comparison(text: str) -> str:
    """`fold_for_storage` without any space, for comparing names (`あおやま ひなた` → `アオヤマヒナタ`)."""
    return _SPACES.sub("", fold_for_storage(text))


def fold_kana_only(text: str) -> str:
    """Half-width ｶﾅ → カナ and hiragana → katakana, single spaces; everything else as typed."""
    folded = jaconv.hira2kata(jaconv.h2z(text, kana=True, ascii=False, digit=False))
    return _SPACES.sub(" ", folded).strip()


def fold_for_search(text: str) -> str:
    """`fold_kana_only` without any space: a query as the client picker compares it (`ｱｵ ﾔﾏ` → `アオヤマ`)."""
    return _SPACES.sub("", fold_kana_only(text))
