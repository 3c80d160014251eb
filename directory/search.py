"""Japanese search keys for the directory: one folding for the stored text and for the query.

`search_key` makes text typed in any of the usual ways compare equal:

- NFKC: half-width ｶﾅ → full-width カナ, full-width ＡＢＣ１２３ → ABC123, ㈱ → (株);
- lower case (ＡＯＢＡ, AOBA → aoba);
- hiragana → katakana (あおば → アオバ), and the small ヶ/ヵ of place names → ケ/カ (桐ヶ丘 = 桐ケ丘);
- every dash, hyphen, minus and the katakana prolonged sound mark → "-". The mark ー is folded
  too, not only the dashes, because addresses are typed with ー as often as with a hyphen
  (1ー2ー3) while a katakana word is typed with a dash by mistake (ステ―ション): folding all of
  them to one character on both sides keeps ステーション = ステ―ション = ｽﾃｰｼｮﾝ and
  1-2-3 = １－２－３ = 1ー2ー3;
- 一 between two digits (a typo for a dash) → "-", and the block numbers of an address written
  out, 1丁目2番3号, 1丁目2番地の3 or 1丁目2の3 → 1-2-3;
- spaces and the middle dot ・ removed (訪問看護・リハビリ = 訪問看護 リハビリ = 訪問看護リハビリ).

The stored text also carries a Hepburn romaji reading of the フリガナ (`romaji_key`), so that
"aoba" and ＡＯＢＡ find アオバ. Romaji is folded further, the same way for the reading and the
query: long vowels collapse (ou, oo → o; uu → u; ー adds nothing), so houmon, homon and hōmon
all match ホウモン; a romaji query is first read back into kana (jaconv), so the Kunrei and
wāpuro spellings (sinbasi, shimbashi, tyuu) meet the Hepburn reading (shinbashi, chuu).
"""

import re
import unicodedata

import jaconv

# Dashes and hyphens as typed in addresses, after NFKC (which maps ｰ to ー and － to -).
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2500\u2501\u30fc\ufe58\ufe63\uff0d\uff70"
_DASH_RE = re.compile(f"[{re.escape(_DASHES)}]")
_IGNORED_RE = re.compile(r"[\s・]+")
_KANJI_ONE_AS_DASH = re.compile(r"(?<=\d)一(?=\d)")
# 1丁目2番3号, 1丁目2番地の3, 2の3 → 1-2-3, 2-3 (only between digits: 番, 号 and の occur in
# names too). Matched after hiragana → katakana, hence ノ.
_BLOCK_MARKS = re.compile(r"(\d)(?:丁目|番地ノ?|番ノ?|号|ノ)(?=\d)")
_TRAILING_MARKS = re.compile(r"(\d)(?:番地|番|号)(?!\d)")
_SMALL_KE = str.maketrans({"ヶ": "ケ", "ヵ": "カ"})


def search_key(text: str) -> str:
    """The folded form of a name, フリガナ, address or query (see the module's docstring)."""
    folded = jaconv.hira2kata(unicodedata.normalize("NFKC", text or "").lower()).translate(_SMALL_KE)
    folded = _DASH_RE.sub("-", folded)
    folded = _KANJI_ONE_AS_DASH.sub("-", folded)
    folded = _BLOCK_MARKS.sub(r"\1-", folded)
    folded = _TRAILING_MARKS.sub(r"\1", folded)
    return _IGNORED_RE.sub("", folded)


# --- romaji ------------------------------------------------------------------------------------

_KANA_ROMAJI = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヰヱヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴァィゥェォャュョヮ",
        "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho "
        "ma mi mu me mo ya yu yo ra ri ru re ro wa i e o n ga gi gu ge go za ji zu ze zo da ji zu de do "
        "ba bi bu be bo pa pi pu pe po vu a i u e o ya yu yo wa".split(),
        strict=True,
    )
)
_SMALL_Y = {"ャ": "a", "ュ": "u", "ョ": "o"}
_SMALL_VOWELS = {"ァ": "a", "ィ": "i", "ゥ": "u", "ェ": "e", "ォ": "o"}
_LONG_VOWELS = re.compile(r"ou|oo|uu|aa|ii|ee")
_NOT_LETTER = re.compile(r"[^a-z]+")
_LATIN_QUERY = re.compile(r"[a-z'\-.]+")


def romaji(kana: str) -> str:
    """Hepburn romaji of katakana or hiragana (キョウイク → kyouiku, マッチャ → matcha).

    Anything that is not kana (kanji, letters, digits, brackets) is dropped; ン is always n and
    long vowels are spelt out (ou), as for a search key rather than for a passport.
    """
    kana = jaconv.hira2kata(unicodedata.normalize("NFKC", kana))
    out: list[str] = []
    double_next = False
    for index, char in enumerate(kana):
        if char == "ッ":
            double_next = True
            continue
        if char in _SMALL_Y and out and out[-1].endswith("i") and len(out[-1]) > 1:
            stem = out[-1][:-1]  # キ → k, シ → sh, チ → ch, ジ → j
            out[-1] = stem + _SMALL_Y[char] if stem.endswith(("sh", "ch", "j")) else stem + "y" + _SMALL_Y[char]
            continue
        if char in _SMALL_VOWELS and out and index and kana[index - 1] in _KANA_ROMAJI:
            previous = kana[index - 1]
            stem = {"ウ": "w", "イ": "y"}.get(previous, out[-1][:-1])  # ファ fa, ティ ti, ウィ wi, イェ ye
            out[-1] = stem + _SMALL_VOWELS[char]
            continue
        syllable = _KANA_ROMAJI.get(char)
        if syllable is None:
            double_next = False
            if char in "ー-" and out:
                out.append(out[-1][-1])  # the prolonged sound repeats the vowel
            continue
        if double_next and syllable[0] not in "aiueon":
            syllable = ("t" if syllable.startswith("ch") else syllable[0]) + syllable
        double_next = False
        out.append(syllable)
    return "".join(out)


def _fold_romaji(text: str) -> str:
    folded = _NOT_LETTER.sub("", text.lower())
    while True:  # ooo → oo → o
        shorter = _LONG_VOWELS.sub(lambda match: match.group()[0], folded)
        if shorter == folded:
            return folded
        folded = shorter


def romaji_key(kana: str) -> str:
    """The folded romaji of a フリガナ, as stored (ホウモンカンゴ → homonkango)."""
    return _fold_romaji(romaji(kana))


def romaji_query_key(text: str) -> str | None:
    """The folded romaji of a query typed in Latin letters (hōmon, houmon, homon → homon), else None."""
    plain = "".join(
        char
        for char in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", text).lower())
        if not unicodedata.combining(char)
    )
    plain = _IGNORED_RE.sub("", plain)
    if not _LATIN_QUERY.fullmatch(plain):
        return None
    return _fold_romaji(romaji(jaconv.alphabet2kata(plain.replace("'", "")))) or None


# --- what the directory stores and asks --------------------------------------------------------

# Sections are joined by a newline, which no key contains, so a query never matches across two.
_SEPARATOR = "\n"
# A romaji query shorter than this would match most readings (ko, a).
ROMAJI_MIN_LENGTH = 3


def provider_search_text(*, name: str, name_kana: str, address: str, municipality: str) -> str:
    """What Provider.search_text holds: the folded name, フリガナ, address, and romaji reading."""
    sections = [search_key(name), search_key(name_kana), search_key(municipality), search_key(address)]
    sections.append(romaji_key(name_kana))
    return _SEPARATOR.join(section for section in sections if section)


def query_keys(query: str) -> list[str]:
    """The keys a provider's search_text must contain one of (the folded query, its romaji)."""
    key = search_key(query)
    if not key:
        return []
    keys = [key]
    reading = romaji_query_key(query)
    if reading and len(reading) >= ROMAJI_MIN_LENGTH and reading != key:
        keys.append(reading)
    return keys
