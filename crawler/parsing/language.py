"""The language of an article its page does not declare, detected from its text.

py3langid (pinned; langid.py's model, 97 languages, shipped inside the
package: nothing is downloaded) reads the title and the start of the body.
A reading it is not sure of is no reading: the record keeps ``und``
(undetermined) rather than a guess. The model is loaded on first use, so a
page that declares its language, or a profile's, costs nothing.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

DETECTED = "detected"
UNDETERMINED = "und"  # BCP 47
MIN_CONFIDENCE = 0.9
"""The probability below which a detected language is ``und``."""
_SAMPLE = 2000  # characters of text: more does not change the reading, only its cost


def bcp47(code: str) -> str:
    """A declared language code in BCP 47's usual case: ``fa_ir`` and ``FA-IR`` are ``fa-IR``."""
    parts = code.strip().replace("_", "-").split("-")
    cased = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            cased.append(part.title())  # script: Latn, Arab
        elif (len(part) == 2 and part.isalpha()) or (len(part) == 3 and part.isdigit()):
            cased.append(part.upper())  # region: IR, 419
        else:
            cased.append(part.lower())
    return "-".join(cased)


@cache
def _identifier() -> LanguageIdentifier:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(
        MODEL_FILE, norm_probs=True, min_confidence=MIN_CONFIDENCE
    )


def detect_language(title: str, body: str) -> str:
    """The ISO 639-1 code of the language `title` and `body` are written in, or ``und``."""
    text = f"{title}\n{body}"[:_SAMPLE]
    if not any(char.isalpha() for char in text):
        return UNDETERMINED
    language, _ = _identifier().classify(text)
    return str(language)
