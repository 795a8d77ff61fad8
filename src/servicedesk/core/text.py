"""Text that people read as names and titles: without the invisible characters that disguise it;
and text as every database stores it (`postgres_safe`: no NUL, no lone surrogate).

A right-to-left override turns "invoice_exe.pdf" around on screen, zero-width characters make two
names that look alike differ (or two that differ look alike). Titles and names are cleaned of
them on input, and a data migration cleaned what was stored before.
"""

from __future__ import annotations

import re

# Bidirectional embeddings, overrides and isolates (and the Arabic letter mark), the
# left-to-right and right-to-left marks, zero-width spaces and joiners, word joiner and
# invisible operators, and the byte order mark.
INVISIBLE_CONTROLS = re.compile(
    "[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]"
)


def without_invisible_controls(text: str) -> str:
    """`text` with every bidirectional control and zero-width character removed."""
    return INVISIBLE_CONTROLS.sub("", text)


# What PostgreSQL refuses in text and jsonb: the NUL character, and lone UTF-16 surrogates
# (no UTF-8 encoding exists for them; Python makes them of undecodable bytes).
POSTGRES_REFUSED = re.compile("[\x00\ud800-\udfff]")


def _replacement(match: re.Match[str]) -> str:
    return "" if match.group() == "\x00" else "\ufffd"


def postgres_safe(text: str) -> str:
    """`text` as every database stores it: NUL removed, a lone surrogate shown as U+FFFD."""
    return POSTGRES_REFUSED.sub(_replacement, text)


def postgres_safe_data(value: object) -> object:
    """The same for JSON-like data (dicts, lists, strings; keys too), as jsonb stores it."""
    if isinstance(value, str):
        return postgres_safe(value)
    if isinstance(value, dict):
        return {postgres_safe_data(key): postgres_safe_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [postgres_safe_data(item) for item in value]
    return value
