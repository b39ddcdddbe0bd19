"""Links a page gives, resolved to URLs the archive can keep and a crawl could fetch,
and the one table of default ports by which every check of an origin (the
redirect check, crawler.middlewares.redirects; the discovery sources,
crawler.discovery.articles) tells ``example.org``, ``example.org:80`` and
``example.org:8080`` apart."""

from __future__ import annotations

import re
import string
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

if TYPE_CHECKING:
    from urllib.parse import SplitResult

_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}


def absolute_http_url(base: str, link: str) -> str | None:
    """`link` resolved against `base`; None unless it is an http(s) URL with a host.

    A page's links are hostile input: one that urllib cannot even split (an
    unclosed IPv6 bracket, ``http://[bad``) is no URL, not an error that
    would cost the page its record.
    """
    text = link.strip()
    if not text:
        return None
    try:
        absolute = urljoin(base, text)
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme not in _SCHEMES or not parts.hostname:
        return None
    return absolute


def reached_port(parts: SplitResult) -> tuple[int | None, bool]:
    """The port a URL reaches (the one it names, else its scheme's), and whether that is
    its scheme's default.

    Raises ValueError when the URL names a port that is not a number.
    """
    default = DEFAULT_PORTS.get(parts.scheme)
    named = parts.port
    port = default if named is None else named
    return port, port == default


def origin(url: str) -> tuple[str, str, int | None] | None:
    """A URL's origin: scheme, host (lower case) and the port it reaches; None if it has none."""
    try:
        parts = urlsplit(url)
        port, _ = reached_port(parts)
    except ValueError:  # an unclosed bracket, a port that is no number
        return None
    if parts.scheme not in _SCHEMES or not parts.hostname:
        return None
    return parts.scheme, parts.hostname.lower(), port


def same_origin(url: str, base: str) -> bool:
    """Whether `url` is on `base`'s origin (same scheme, host and port)."""
    reached = origin(url)
    return reached is not None and reached == origin(base)


# -- one form of every article URL ---------------------------------------------------------
#
# A page may write the same link percent-encoded (/news/%D8%B4%D8%B9%D8%B1-…) or as an IRI
# (/news/شعر-…), with lower- or upper-case hex, with a raw ’ or a doubled slash. The archive
# compares and keeps one form: the IRI (RFC 3987), read as a reader reads it:
# - a percent-encoded UTF-8 character that an IRI may hold (letters, marks, digits,
#   punctuation and symbols of any script, the ZWNJ and ZWJ of Persian spelling) is decoded;
# - what an IRI may not hold is percent-encoded, UTF-8, upper-case hex: ASCII outside RFC
#   3986's pchar (space, ", <, >, \, ^, `, {, |, }), white space, controls, bidi formatting
#   characters (RFC 3987, 4.1), and bytes that are no UTF-8 (a windows-1256 link stays %C8…);
# - unreserved ASCII written encoded (%41, %7E) is decoded, reserved ASCII left as written
#   (%2F is not /), a % that starts no escape is %25;
# - in a path, empty segments (//) are dropped and dot segments resolved.
# One character is one character of an id: an Arabic slug of 200 letters is 200 characters
# here and 1,200 percent-encoded (see README, Sites, `[article]`).

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
# pchar of RFC 3986 less the unreserved, and the separators of a path and a query.
_KEPT_ASCII = frozenset("!$&'()*+,;=:@/?%")
_JOINERS = frozenset("\u200c\u200d")
_REFUSED_CATEGORIES = frozenset(("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp"))


def canonical_url(url: str) -> str:
    """`url` in the archive's one form (above): scheme and host lower-case, no fragment."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc.lower() if parts.netloc.isascii() else parts.netloc
    return urlunsplit(
        (parts.scheme.lower(), netloc, canonical_path(parts.path), iri_text(parts.query), "")
    )


def canonical_path(path: str) -> str:
    """A URL path in the archive's one form: IRI characters, no empty or dot segments."""
    text = iri_text(path)
    segments: list[str] = []
    for segment in text.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    if not segments:
        return "/" if text.startswith("/") or not text else ""
    lead = "/" if text.startswith("/") else ""
    trail = "/" if text.endswith(("/", "/.", "/..")) else ""
    return lead + "/".join(segments) + trail


def iri_text(text: str, *, encode: bool = True) -> str:
    """Percent-escapes decoded where an IRI may hold the character, the rest encoded.

    With `encode` false, characters written raw are left as they are: an id
    read from a page's data is checked as written, not mended into one.
    """
    if not text:
        return text
    out: list[str] = []
    pending = bytearray()  # escaped bytes of a character not yet complete
    position = 0
    while position < len(text):
        match = _ESCAPE.match(text, position)
        if match:
            pending.append(int(match.group(1), 16))
            position = match.end()
            continue
        out.append(_decoded(pending))
        pending.clear()
        out.append(_encoded_char(text[position]) if encode else text[position])
        position += 1
    out.append(_decoded(pending))
    return "".join(out)


def _decoded(raw: bytearray) -> str:
    """Escaped bytes as IRI text: each UTF-8 character an IRI holds, decoded; the rest kept."""
    out: list[str] = []
    index = 0
    while index < len(raw):
        byte = raw[index]
        size = 1 if byte < 0x80 else 2 if byte >> 5 == 6 else 3 if byte >> 4 == 14 else 4
        chunk = bytes(raw[index : index + size])
        try:
            char = chunk.decode("utf-8")
        except UnicodeDecodeError:
            out.append(f"%{byte:02X}")
            index += 1
            continue
        if char in _UNRESERVED or (not char.isascii() and _iri_char(char)):
            out.append(char)
        else:
            out.append("".join(f"%{b:02X}" for b in chunk))
        index += size
    return "".join(out)


def _encoded_char(char: str) -> str:
    if char.isascii():
        if char in _UNRESERVED or char in _KEPT_ASCII - {"%"}:
            return char
        return f"%{ord(char):02X}"  # space, ", <, >, \, ^, `, {, |, }, controls, and a bare %
    if _iri_char(char):
        return char
    return "".join(f"%{b:02X}" for b in char.encode("utf-8", "surrogatepass"))


def is_iri_text(text: str) -> bool:
    """Whether every character beyond ASCII in `text` is one an IRI may hold (see above)."""
    return text.isascii() or all(_iri_char(char) for char in text if not char.isascii())


def _iri_char(char: str) -> bool:
    return char in _JOINERS or unicodedata.category(char) not in _REFUSED_CATEGORIES
