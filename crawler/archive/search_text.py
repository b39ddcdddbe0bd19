"""The text the search index reads: one normalisation for documents and queries.

A reader of Arabic or Persian expects a word to be found however it is
written: with or without its short vowels or a stretched stroke, with any
form of alef, with the Arabic or the Persian yeh and kaf, with its digits in
any script, and with or without the article and the common endings. So both
an article's title and body and every query go through `index_text`, chosen
by the article's language, before either database sees them:

- everything: Unicode NFKC (presentation forms and ligatures become their
  letters, full-width forms ASCII) and every decimal digit as its ASCII digit
  (``٢٠١٦``, ``۲۰۱۶`` and ``2016`` are one number);
- Arabic-script words: diacritics (U+064B-U+065F, U+0670) and tatweel
  removed; ``أ إ آ ٱ`` as ``ا``, ``ة`` and ``ۀ`` as ``ه``, ``ى`` as ``ي``;
  the Persian yeh and kaf (``ی ک``) as the Arabic ones (``ي ك``);
- then, by the article's language: Arabic (and any language that is not
  one of those below) through Snowball's Arabic stemmer (snowballstemmer,
  pinned), which takes off the article al-, the prepositions fused with it
  and the common suffixes (``الرئيس`` and ``رئيس`` are one word), after the
  conjunctions ``و`` and ``ف`` before the article (``والرئيس``), which
  Snowball keeps, are taken off here; Persian
  (``fa``, ``prs``) through a light rule of our own, since Snowball has no
  Persian: the verbal prefixes and the suffixes written after a zero-width
  non-joiner (``می‌``, ``‌ها``, ``‌ترین``…) and a plural ``ها`` written
  joined are taken off; Urdu, Pashto, Kurdish, Sindhi and Uyghur are folded
  only (neither stemmer knows them).

Latin, Cyrillic and every other script's words are left as they are: the
engines go on stemming them as before (FTS5's Porter, PostgreSQL's
``english``), so English search is what it was. Those stemmers leave Arabic
script alone, which is what lets both databases index the same text.

A query has no language: a query word in Arabic script is searched in each
of its forms (`query_forms`: as Arabic, as Persian, folded), any of which
may match.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache

import snowballstemmer

ZWNJ = "\u200c"
_local = threading.local()
_DIACRITICS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, superscript alef, tatweel
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ۀ": "ه",
        "ى": "ي",
        "ی": "ي",
        "ک": "ك",
    }
)
# Format characters that carry no letter: joiner and bidi marks. The non-joiner
# is kept until a word is split, since in Persian it marks where a suffix begins.
_INVISIBLE = re.compile("[\u200d\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\ufeff]")
_OTHER_DIGIT = re.compile(r"(?![0-9])\d")  # a decimal digit of any script but ASCII's
_WORD = re.compile(r"[^\W\d_]+(?:\u200c[^\W\d_]+)*")
_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff]")

# Snowball leaves the conjunctions و and ف on a word with the article (والرئيس): they go
# here when four letters or more follow the article (so والدين, "the parents", stays).
_CONJOINED_ARTICLE = re.compile("^[وف](?=ال[^\\W\\d_]{4})")

ARABIC, PERSIAN, FOLD_ONLY = "arabic", "persian", "fold"
_PERSIAN_LANGUAGES = frozenset({"fa", "prs"})
_FOLD_ONLY_LANGUAGES = frozenset({"ur", "ps", "ku", "ckb", "sd", "ug"})

# Persian affixes, folded as the text is (so ی is ي). Written after a non-joiner
# they are never part of the stem; a joined ها is a plural on a stem of 3+ letters.
_PERSIAN_PREFIXES = frozenset({"مي", "نمي"})  # not بی‌: it negates (بی‌طرف)
_PERSIAN_SUFFIXES = frozenset(
    {"ها", "هاي", "هايي", "هاست", "اي", "ي", "تر", "ترين", "ام", "ات", "اش", "مان", "تان", "شان"}
)
_PERSIAN_PLURAL = re.compile("^(...+?)(?:ها|هاي|هايي)$")


def text_kind(language: str) -> str:
    """Which treatment Arabic-script words of an article in `language` get."""
    primary = language.split("-", 1)[0].lower()
    if primary in _PERSIAN_LANGUAGES:
        return PERSIAN
    if primary in _FOLD_ONLY_LANGUAGES:
        return FOLD_ONLY
    return ARABIC


def is_arabic_script(text: str) -> bool:
    return _ARABIC_SCRIPT.search(text) is not None


def fold(text: str) -> str:
    """NFKC, ASCII digits and the Arabic-script letter folding, without stemming."""
    if text.isascii():  # nothing to fold (the common case, kept cheap)
        return text
    text = unicodedata.normalize("NFKC", text)
    text = _OTHER_DIGIT.sub(lambda match: str(unicodedata.decimal(match.group())), text)
    text = _INVISIBLE.sub("", text)
    if not is_arabic_script(text):
        return text
    return _DIACRITICS.sub("", text).translate(_FOLD)


def index_text(text: str, language: str) -> str:
    """`text` as the search index reads it, for an article in `language`."""
    folded = fold(text)
    if not is_arabic_script(folded):
        return folded
    kind = text_kind(language)
    return _WORD.sub(lambda match: _index_word(match.group(), kind), folded)


def query_forms(text: str) -> list[str]:
    """The forms a query's word or phrase is searched in: one, or one a treatment."""
    if not is_arabic_script(text):
        return [index_text(text, "en")]
    forms: list[str] = []
    for kind in (ARABIC, PERSIAN, FOLD_ONLY):
        form = _WORD.sub(lambda match, kind=kind: _index_word(match.group(), kind), fold(text))
        if form not in forms:
            forms.append(form)
    return forms


# Words repeat (a news text is mostly a few thousand words), and a Snowball stem in
# pure Python costs tens of microseconds: each word's reading is remembered.
@lru_cache(maxsize=1 << 16)
def _index_word(word: str, kind: str) -> str:
    if not is_arabic_script(word):
        return word
    parts = word.split(ZWNJ)
    if kind == PERSIAN:
        return " ".join(_persian(parts))
    if kind == ARABIC:
        stemmer = _arabic_stemmer()
        return " ".join(stemmer.stemWord(_CONJOINED_ARTICLE.sub("", part)) for part in parts)
    return " ".join(parts)


def _persian(parts: list[str]) -> list[str]:
    while len(parts) > 1 and parts[0] in _PERSIAN_PREFIXES:
        parts = parts[1:]
    while len(parts) > 1 and parts[-1] in _PERSIAN_SUFFIXES:
        parts = parts[:-1]
    stem = _PERSIAN_PLURAL.sub(r"\1", parts[-1])
    return [*parts[:-1], stem]


def _arabic_stemmer() -> snowballstemmer.stemmer:
    # A Snowball stemmer keeps state while it works: one a thread.
    stemmer = getattr(_local, "arabic", None)
    if stemmer is None:
        stemmer = _local.arabic = snowballstemmer.stemmer("arabic")
    return stemmer
