"""Mail that no person wrote: auto-replies, bounces, mailing lists, and our own mail coming back.

Such mail is stored as ignored: it never becomes a ticket or a comment, never reopens anything,
and so is never answered (answering is what turns two robots into a loop).

And whether our own receiving server vouched for the sender (`sender_authenticated`): anyone can
write a staff member's address into From, so mail from a staff address counts as that staff
member's only when our server's Authentication-Results says the address passed DMARC.
"""

from __future__ import annotations

import re

from servicedesk.mail.parsing import ParsedMessage
from servicedesk.notifications.message_ids import is_our_message_id

_AUTOREPLY_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponder")
_BULK_PRECEDENCE = frozenset({"bulk", "junk", "list", "auto_reply"})
_LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post")
_ROBOT_SENDERS = frozenset({"mailer-daemon", "postmaster", "noreply", "no-reply"})
_REPORT_TYPES = frozenset(
    {"multipart/report", "message/delivery-status", "message/disposition-notification"}
)


def automatic_reason(parsed: ParsedMessage) -> str | None:
    """Why this message is automatic, or None when a person (probably) wrote it."""
    if parsed.message_id and is_our_message_id(parsed.message_id):
        return "our own mail came back"
    auto_submitted = parsed.header("Auto-Submitted").lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted} (RFC 3834)"
    for name in _AUTOREPLY_HEADERS:
        if parsed.header(name):
            return f"{name} header: an auto-reply"
    precedence = parsed.header("Precedence").lower()
    if precedence in _BULK_PRECEDENCE:
        return f"Precedence: {precedence}"
    for name in _LIST_HEADERS:
        if parsed.header(name):
            return f"{name} header: mailing-list mail"
    content_type = parsed.message.get_content_type()
    if content_type in _REPORT_TYPES:
        return f"{content_type}: a delivery or read report"
    if parsed.from_address.split("@", 1)[0] in _ROBOT_SENDERS:
        return f"sent by {parsed.from_address}"
    if parsed.header("Return-Path") == "<>":
        return "empty Return-Path: a bounce"
    return None


# Comments in a header value: "(p=reject dis=none)" and the like.
_COMMENT = re.compile(r"\([^()]*\)")


def _domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def _aligned(domain: str, from_domain: str) -> bool:
    """Relaxed alignment: the same domain, or one a subdomain of the other (never a bare TLD)."""
    if not domain or not from_domain:
        return False
    if domain == from_domain:
        return True
    shorter, longer = sorted((domain, from_domain), key=len)
    return "." in shorter and longer.endswith("." + shorter)


def _results(value: str) -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
    """(authserv-id, [(method, result, properties)]) of one Authentication-Results value."""
    parts = [part.strip() for part in _COMMENT.sub(" ", value).split(";")]
    authserv_id = parts[0].split()[0].lower() if parts and parts[0].split() else ""
    results = []
    for part in parts[1:]:
        words = part.split()
        if not words or "=" not in words[0]:
            continue
        method, _, result = words[0].partition("=")
        properties = dict(word.split("=", 1) for word in words[1:] if "=" in word)
        results.append(
            (method.lower(), result.lower(), {k.lower(): v for k, v in properties.items()})
        )
    return authserv_id, results


def _passes(results: list[tuple[str, str, dict[str, str]]], from_domain: str) -> bool:
    def aligned_pass(method: str, *properties: str) -> bool:
        return any(
            name == method
            and result == "pass"
            and any(_aligned(_domain_of(found.get(p, "")), from_domain) for p in properties)
            for name, result, found in results
        )

    dmarc = any(
        name == "dmarc"
        and result == "pass"
        and _aligned(_domain_of(found.get("header.from", from_domain)), from_domain)
        for name, result, found in results
    )
    spf = aligned_pass("spf", "smtp.mailfrom", "smtp.helo")
    dkim = aligned_pass("dkim", "header.d", "header.i")
    return dmarc or (spf and dkim)


def sender_authenticated(parsed: ParsedMessage, authserv_id: str) -> bool:
    """Did OUR receiving server confirm the From address (DMARC pass, or SPF and DKIM both
    passing aligned with the From domain)?

    Only an Authentication-Results header that names our server's authserv-id counts, and of
    those only the topmost: each server adds its header on top, so anything below ours came
    with the message and may be the sender's own forgery. No authserv-id configured: no.
    """
    if not authserv_id.strip():
        return False
    from_domain = _domain_of(parsed.from_address)
    for value in parsed.message.get_all("Authentication-Results") or []:
        server, results = _results(str(value))
        if server == authserv_id.strip().lower():
            return _passes(results, from_domain)
    return False
