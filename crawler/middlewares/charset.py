"""Reading a page in the charset it is really written in.

Scrapy decodes with the charset the server or the page declares, else it
tries UTF-8 and then cp1252, which turns an undeclared Arabic or Cyrillic page
into mojibake. Here an undeclared charset is detected with charset-normalizer
(Scrapy's own dependency), and a page declared Latin-1 whose bytes are valid,
non-ASCII UTF-8 (a common server mislabel) is read as UTF-8. Either decision
is noted on the page, for the archive's record of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from charset_normalizer import from_bytes
from scrapy.http import TextResponse
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

from crawler.items import FETCH_WARNINGS

_LATIN = frozenset(
    {"cp1252", "latin-1", "iso8859-1", "iso-8859-1", "iso8859-15", "ascii", "windows-1252"}
)
_SAMPLE = 64 * 1024  # detection needs a sample, not a whole page


class CharsetMiddleware:
    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        body = response.body
        if read_bom(body)[0] is not None:
            return response
        content_type = response.headers.get("Content-Type", b"").decode("latin-1")
        declared = http_content_type_encoding(content_type) or html_body_declared_encoding(body)
        if declared is None:
            guess = from_bytes(body[:_SAMPLE]).best()
            encoding = "utf-8" if guess is None or guess.encoding == "ascii" else guess.encoding
            note = f"charset_detected: {encoding} (none declared)"
        elif declared.lower() in _LATIN and _is_multibyte_utf8(body):
            encoding = "utf-8"
            note = f"charset_mislabelled: declared {declared}, the bytes are UTF-8"
        else:
            return response
        assert note.startswith(FETCH_WARNINGS)
        request.meta["fetch_warnings"] = [note]
        return response.replace(encoding=encoding)


def _is_multibyte_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True
