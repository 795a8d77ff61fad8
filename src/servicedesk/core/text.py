"""Text that people read as names and titles: without the invisible characters that disguise it.

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
