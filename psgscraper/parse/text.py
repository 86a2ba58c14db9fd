"""Decoding pages and folding their text into the archive's plain-text form."""

from __future__ import annotations

import re

from w3lib.encoding import html_to_unicode, resolve_encoding

from .records import BINARY, EMPTY_BODY, NOT_HTML

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_MARKUP = re.compile(
    r"<(?:!doctype|html|head|body|title|div|p|ul|ol|li|h[1-6]|table|a)\b", re.I
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def fold(text: str) -> str:
    """Fold every run of white space (non-breaking spaces included) to one space."""
    return " ".join(text.split())


def fold_key(text: str) -> str:
    """The form two texts share when they differ only in case and spacing."""
    return fold(text).casefold()


def decode(
    body: bytes | str, content_type: str | None = None, encoding: str | None = None
) -> str:
    """Decode a page the way a browser does.

    The encoding comes from `encoding` if given, else the byte-order mark, the
    Content-Type header or the page's own meta tag, mapped by the WHATWG rule
    (a page labelled iso-8859-1 is decoded as windows-1252, as browsers and
    Scrapy do). An undeclared page is UTF-8 when it is valid UTF-8, else
    windows-1252.
    """
    if isinstance(body, str):
        return body
    if encoding:
        codec = resolve_encoding(encoding)
        if codec is None:
            raise LookupError(f"unknown encoding: {encoding}")
        return body.decode(codec, errors="replace")
    _, text = html_to_unicode(content_type, body, auto_detect_fun=_utf8_or_cp1252)
    return text


def page_text(
    body: bytes | str, content_type: str | None = None, encoding: str | None = None
) -> tuple[str | None, str | None]:
    """A page's text to parse, or None and why it is no page (binary, empty...)."""
    if isinstance(body, bytes) and looks_binary(body):
        return None, BINARY
    text = decode(body, content_type, encoding)
    if not text.strip():
        return None, EMPTY_BODY
    if isinstance(body, str) and looks_binary(text):
        return None, BINARY
    if not looks_like_html(text):
        return None, NOT_HTML
    return text, None


def _utf8_or_cp1252(body: bytes) -> str:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def looks_binary(body: bytes | str) -> bool:
    """True for bytes that no web server would send as a page: NULs or control codes."""
    head = body[:4096]
    if isinstance(head, bytes):
        if head.startswith(_BOMS):
            return False
        head = head.decode("latin-1")
    return len(_CONTROL.findall(head)) > max(2, len(head) // 100)


def looks_like_html(text: str) -> bool:
    return _MARKUP.search(text) is not None
