"""Which message this is, and who else it concerns.

- "Already received" is decided by the Message-ID *and* the content (`fingerprint`): the same
  message fetched twice, retried by a sending server, or addressed to two desk addresses is one
  message (one ticket); a different message that reuses an old Message-ID is a new one. Trace
  headers that servers add on the way (Received, Authentication-Results, Delivered-To, …) are
  left out, so the route a copy took does not make it another message.
- The people a mail was copied to (`copied_people`): directory people in Cc, never the sender,
  never a desk address.
"""

from __future__ import annotations

import hashlib
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from django.db.models import Q

from servicedesk.directory.models import Person
from servicedesk.mail.parsing import ParsedMessage, header_block_size

# The headers the sender wrote that tell one message from another.
_IDENTITY_HEADERS = (
    "Message-ID",
    "From",
    "To",
    "Cc",
    "Subject",
    "Date",
    "In-Reply-To",
    "References",
    "Content-Type",
)


def fingerprint(raw: bytes) -> str:
    """SHA-256 of the Message-ID, the sender's own headers and the body (see module doc)."""
    digest = hashlib.sha256()
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        for name in _IDENTITY_HEADERS:
            for value in headers.get_all(name) or []:
                folded = " ".join(str(value).split())
                digest.update(f"{name.lower()}:{folded}\n".encode("utf-8", "surrogateescape"))
    except Exception:
        digest.update(raw)  # headers nobody can read: the bytes themselves are the identity
        return digest.hexdigest()
    # Line ends and trailing blanks differ by route (CRLF on the wire, LF on disk, a final
    # line end added by SMTP): they do not make another message.
    body = raw[header_block_size(raw) :].replace(b"\r\n", b"\n").strip()
    digest.update(b"\n\n" + b"\n".join(line.rstrip() for line in body.split(b"\n")))
    return digest.hexdigest()


def addresses_in(parsed: ParsedMessage, *names: str) -> list[str]:
    """Lower-cased addresses of these headers, in order, each once."""
    values = [str(value) for name in names for value in parsed.message.get_all(name) or []]
    found: list[str] = []
    for _, address in getaddresses(values):
        address = address.strip().lower()
        if "@" in address and address not in found:
            found.append(address)
    return found


def copied_people(parsed: ParsedMessage, *, exclude: set[str]) -> list[Person]:
    """Active directory people in Cc, other than `exclude` (the sender, the desk addresses)."""
    wanted = [address for address in addresses_in(parsed, "Cc") if address not in exclude]
    if not wanted:
        return []
    any_of = Q()
    for address in wanted[:50]:
        any_of |= Q(email__iexact=address)
    people = Person.objects.filter(any_of, is_active=True).order_by("pk")
    return list({person.email.lower(): person for person in people}.values())


def referenced_message_ids(parsed: ParsedMessage) -> list[str]:
    """The Message-IDs this mail answers, nearest first: In-Reply-To, then References from the
    end (a References header lists the thread oldest first)."""
    found: list[str] = []
    references = parsed.references.split()
    for value in [*parsed.in_reply_to.split(), *reversed(references)]:
        value = value.strip()
        if value.startswith("<") and value.endswith(">") and value not in found:
            found.append(value[:255])
    return found[:50]
