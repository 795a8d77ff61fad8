"""Cut the quoted conversation and the signature from a reply; the original stays stored.

Heuristics for what mail clients put below a reply: our own "reply above this line" marker,
"On … wrote:", Outlook's "-----Original Message-----" or its "From:/Sent:" block, the RFC 3676
signature separator "-- ", and lines quoted with ">". If trimming would leave nothing, the
untrimmed text is kept: better a long comment than a lost one.
"""

from __future__ import annotations

import re

from servicedesk.notifications.message_ids import REPLY_MARKER

_ON_WROTE = re.compile(r"^\s*(On|Am|Le|El)\s.+(wrote|schrieb|a écrit|escribió)\s*:\s*$", re.I)
_WROTE_END = re.compile(r"(wrote|schrieb|a écrit|escribió)\s*:\s*$", re.I)
_SEPARATORS = (
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}\s*$", re.I),
    re.compile(r"^\s*_{20,}\s*$"),
    re.compile(r"^\s*Begin forwarded message:\s*$", re.I),
)
_MOBILE_SIGNATURES = re.compile(r"^\s*(Sent from my \w+|Get Outlook for \w+)", re.I)
_OUTLOOK_HEADER = re.compile(r"^\s*\*?(From|De|Von)\s*:\*?\s", re.I)
_OUTLOOK_NEXT = re.compile(r"^\s*\*?(Sent|Date|Envoyé|Gesendet)\s*:\*?\s", re.I)


def _quote_starts(lines: list[str], index: int) -> bool:
    line = lines[index]
    if REPLY_MARKER in line or line in ("-- ", "--"):
        return True
    if _ON_WROTE.match(line) or any(pattern.match(line) for pattern in _SEPARATORS):
        return True
    following = lines[index + 1] if index + 1 < len(lines) else ""
    # "On Mon, 3 Mar 2025 at 10:00, Service Desk <desk@…>\nwrote:" wraps in many clients.
    if line.lstrip().startswith("On ") and _WROTE_END.search(following):
        return True
    if _OUTLOOK_HEADER.match(line) and _OUTLOOK_NEXT.match(following):
        return True
    return bool(_MOBILE_SIGNATURES.match(line))


def trim_reply(text: str) -> str:
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _quote_starts(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    trimmed = "\n".join(kept).strip()
    return trimmed or text.strip()
