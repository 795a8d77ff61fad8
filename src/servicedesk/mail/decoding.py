"""Bytes and labels as mail clients really send them → text, never refused, never garbled whole.

- A charset label Python does not know is mapped (the labels browsers accept: iso-8859-8-i,
  windows-874, x-mac-roman, …) or, failing that, detected from the bytes (charset-normalizer).
- Latin-1 and US-ASCII labels are read as windows-1252, as browsers do: Outlook labels its
  windows-1252 text latin-1, and € and curly quotes live in the bytes latin-1 leaves to controls.
  Under those labels, bytes that are valid UTF-8 are read as UTF-8 (scripts and web forms).
- A byte the charset cannot decode is read on its own as windows-1252 (`_LOCAL_FALLBACK`): one
  stray byte costs one character, not the whole body.
- Raw 8-bit header values (no RFC 2047 encoding) are read as UTF-8, else windows-1252.
"""

from __future__ import annotations

import codecs
import html
import re

import charset_normalizer
import nh3

from servicedesk.core.text import postgres_safe

_LOCAL_FALLBACK = "servicedesk-byte-as-cp1252"
# Labels seen in the wild that name no real charset: the bytes alone must tell.
_NO_CHARSET = frozenset({"unknown-8bit", "x-unknown", "unknown", "x-user-defined", "8bit"})
# Labels Python does not know (or knows too narrowly), as web browsers map them.
_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "iso-8859-6-i": "iso-8859-6",
    "iso-8859-6-e": "iso-8859-6",
    "iso-8859-8-i": "iso-8859-8",
    "iso-8859-8-e": "iso-8859-8",
    "logical": "iso-8859-8",
    "visual": "iso-8859-8",
    "windows-874": "cp874",
    "x-windows-874": "cp874",
    "tis-620": "cp874",
    "iso-8859-11": "cp874",
    "x-mac-roman": "mac_roman",
    "x-mac-cyrillic": "mac_cyrillic",
    "x-mac-ukrainian": "mac_cyrillic",
    "x-sjis": "shift_jis",
    "ms_kanji": "shift_jis",
    "windows-31j": "cp932",
    "x-gbk": "gbk",
    "gb2312": "gb18030",
    "gb_2312-80": "gb18030",
    "x-euc-jp": "euc_jp",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "windows-949": "cp949",
    "x-cp1250": "cp1250",
    "x-cp1251": "cp1251",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "x-unicode20utf8": "utf-8",
}
_ENCODED_WORD = re.compile(r"=\?([^?*\s]+)(?:\*[^?]*)?\?([bBqQ])\?([^?\s]*)\?=")
_LINK = re.compile(r"(?is)<a\b[^>]*?\bhref\s*=\s*([\"'])(.*?)\1[^>]*>(.*?)</a\s*>")
_KEPT_SCHEMES = ("http://", "https://", "mailto:", "ftp://")
_HTML_BREAKS = re.compile(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</li\s*>|</tr\s*>|</h\d\s*>")


def _byte_as_cp1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return bytes(bad).decode("cp1252", errors="replace"), error.end


codecs.register_error(_LOCAL_FALLBACK, _byte_as_cp1252)


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label, or None when the bytes must tell."""
    name = (label or "").strip().strip("\"'").lower()
    if not name or name in _NO_CHARSET:
        return None
    name = _ALIASES.get(name, name)
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    # Never decode mail text with a codec that is not a charset (base64, rot13, …).
    return found if getattr(codecs.lookup(found), "_is_text_encoding", True) else None


def _detected(data: bytes) -> str:
    best = charset_normalizer.from_bytes(data[:65536]).best()
    return best.encoding if best is not None else "utf-8"


def decode_text(data: bytes, label: str | None) -> str:
    """Text of a body part: by its label when it names a charset we can map, else detected;
    what the charset cannot decode is read byte by byte, never the whole body at once."""
    if not data:
        return ""
    codec = codec_for(label)
    if codec is None:
        try:
            return postgres_safe(data.decode("utf-8"))
        except UnicodeDecodeError:
            codec = _detected(data)
    if codec == "cp1252" and not data.isascii():
        # UTF-8 labelled latin-1 or US-ASCII (web forms, scripts): valid UTF-8 with 8-bit bytes
        # is all but never real windows-1252 text, so it is read as what it is.
        try:
            return postgres_safe(data.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        text = data.decode(codec, errors=_LOCAL_FALLBACK)
    except LookupError:
        text = data.decode("utf-8", errors=_LOCAL_FALLBACK)
    return postgres_safe(text)


def _encoded_word_relabelled(match: re.Match[str]) -> str:
    label, encoding, text = match.group(1), match.group(2), match.group(3)
    codec = codec_for(label) or "utf-8"
    return f"=?{codec}?{encoding}?{text}?="


def decode_raw_header(value: str) -> str:
    """A header value as the parser should read it: raw 8-bit bytes (which it kept as surrogate
    escapes) read as UTF-8, and RFC 2047 words relabelled with the charsets we map."""
    if any("\udc80" <= character <= "\udcff" for character in value):
        data = value.encode("ascii", errors="surrogateescape")
        value = data.decode("utf-8", errors=_LOCAL_FALLBACK)
    if "=?" in value:
        value = _ENCODED_WORD.sub(_encoded_word_relabelled, value)
    return value


def _link_with_url(match: re.Match[str]) -> str:
    url, label = html.unescape(match.group(2)).strip(), match.group(3)
    label_text = html.unescape(nh3.clean(label, tags=set())).strip()
    if not url.lower().startswith(_KEPT_SCHEMES) or url in label_text:
        return label
    shown = url.removeprefix("mailto:")
    if shown == label_text:
        return label
    return f"{label} ({html.escape(url)})"


def html_to_text(markup: str) -> str:
    """Readable text of an HTML body: line breaks kept, links keep their address after the
    words ("the form (https://…)"), everything else — script, style, tags — gone."""
    with_links = _LINK.sub(_link_with_url, markup)
    with_breaks = _HTML_BREAKS.sub("\n", with_links)
    cleaned = nh3.clean(with_breaks, tags=set(), clean_content_tags={"script", "style", "title"})
    text = html.unescape(cleaned)
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
