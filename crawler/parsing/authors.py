"""A byline as the people who wrote the article.

``By Samya Kullab and Vasilisa Stepanenko`` is two authors; ``Deutsche Welle
(www.dw.com)``, ``毎日新聞`` or ``CNN`` at the end of a byline is the
publisher, not a person; an e-mail address, a number or a time is nobody. A byline is
split on the separators of its language (``and``, ``und``, ``et``, ``y``,
``og``, ``و``, and the commas and ampersands of every script), its role words
(``By``, ``Von``, ``Par``, ``بقلم``, ``بواسطة``) dropped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

# "and" in the languages of the sites archived; a language not listed splits on all of them.
_CONJUNCTIONS = {
    "en": ("and",),
    "de": ("und",),
    "fr": ("et",),
    "es": ("y", "e"),
    "pt": ("e",),
    "it": ("e", "ed"),
    "nl": ("en",),
    "da": ("og",),
    "nb": ("og",),
    "no": ("og",),
    "nn": ("og",),
    "sv": ("och",),
    "fi": ("ja",),
    "pl": ("i",),
    "ru": ("и",),
    "tr": ("ve",),
    "ar": ("و",),
    "fa": ("و",),
    "ur": ("اور",),
}
_EVERY_CONJUNCTION = sorted({word for words in _CONJUNCTIONS.values() for word in words})
# Commas, semicolons, ampersands and slashes of every script: Arabic comma, ideographic comma…
_PUNCTUATION = r"[,;&|/\u060c\u061b\u3001\uff0c\uff1b\u30fb]"
# Role words a byline opens with, in the languages above (matched case-insensitively).
_ROLES = (
    "written by",
    "reported by",
    "reporting by",
    "story by",
    "posted by",
    "submitted by",
    "by",
    "von",
    "par",
    "por",
    "بقلم",
    "بواسطة",
    "كتب",
    "نویسنده",
    "submitted",
    "author",
)
_ROLE = re.compile(
    r"^(?:" + "|".join(re.escape(role) for role in sorted(_ROLES, key=len, reverse=True)) + r")"
    r"(?:\s*:\s*|\s+|$)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|de|ir|fr|uk)\b")
_DIGIT = re.compile(r"\d")
_BRACKETS = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")
_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_MAX_WORDS = 8  # a longer "name" is a sentence the byline rule caught


def people(
    bylines: Iterable[str],
    language: str | None,
    publishers: Iterable[str | None],
    host: str | None = None,
) -> list[str]:
    """The authors in `bylines`, in order, each once.

    None of them one of `publishers` (og:site_name, JSON-LD publisher), nor a
    name given with the site's own `host` (``Deutsche Welle (www.dw.com)``).
    """
    separators = _separators(language)
    publisher_names = [_folded(name) for name in publishers if name and _folded(name)]
    site = (host or "").casefold().removeprefix("www.")
    names: list[str] = []
    for byline in bylines:
        for part in separators.split(byline):
            if site and site in (part or "").casefold():
                continue
            name = _name(part or "")
            if name and not _is_publisher(name, publisher_names) and name not in names:
                names.append(name)
    return names


def _separators(language: str | None) -> re.Pattern[str]:
    primary = (language or "").split("-")[0].split("_")[0].lower()
    words = _CONJUNCTIONS.get(primary, _EVERY_CONJUNCTION)
    conjunctions = "|".join(re.escape(word) for word in words)
    # A conjunction only as a word of its own, so "Andrea" or "Yusuf" stay whole; after a
    # comma too (the serial comma of "A, B, and C").
    # A dash between spaces parts a name from its agency ("Ana Lima - Reuters"); one
    # inside a word is part of the name ("Chien-Ming").
    return re.compile(
        rf"\s*{_PUNCTUATION}\s*(?:(?:{conjunctions})\s+)?|\s+(?:{conjunctions})\s+"
        r"|\s+[-\u2013\u2014]\s+"
    )


def _name(part: str) -> str:
    text = _EMAIL.sub(" ", part)
    text = _URL.sub(" ", text)
    text = " ".join(text.split()).strip(" .:-\u2013\u2014")
    while (stripped := _ROLE.sub("", text, count=1)) != text:
        text = stripped.strip(" .:-\u2013\u2014")
    # A name has no digits: "12345", "Updated 12:30", "16 August 2016" are not people.
    if not any(char.isalpha() for char in text) or _DIGIT.search(text):
        return ""
    if len(text.split()) > _MAX_WORDS:
        return ""
    return text


def _is_publisher(name: str, publishers: list[str]) -> bool:
    """`name` is the site: its name, or a name it holds as a word (``CNN`` of ``CNN Wire``)."""
    folded = _folded(name)
    bare = _folded(_BRACKETS.sub(" ", name))
    for publisher in publishers:
        if publisher in (folded, bare):
            return True
        if _holds_word(publisher, bare) or _holds_word(bare, publisher):
            return True
    return False


def _holds_word(text: str, word: str) -> bool:
    if not word:
        return False
    if _UNSPACED.search(word):
        return word in text  # Chinese, Japanese: written without spaces between words
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())
