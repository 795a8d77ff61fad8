from django.db import models


class InboundState(models.TextChoices):
    RECEIVED = "received", "Received (not yet processed)"
    PROCESSED = "processed", "Processed"
    QUARANTINED = "quarantined", "Held for review (waits for an agent)"
    FAILED = "failed", "Failed (malformed)"
    IGNORED = "ignored", "Ignored (automatic mail)"
    DISCARDED = "discarded", "Discarded by a reviewer"


class HoldReason(models.TextChoices):
    """Why a message waits for a reviewer instead of being posted."""

    SPOOFED = "spoofed", "Our own domain, but failed sender authentication"
    UNVERIFIED_STAFF = "unverified_staff", "Staff address not confirmed by our mail server"
    FORGED_TOKEN = "forged_token", "Forged reply token"
    NOT_PARTICIPANT = "not_participant", "Sender does not take part in the ticket"
    UNKNOWN_SENDER = "unknown_sender", "Sender not in the directory"
    LOOP = "loop", "Mail loop braked"
    FLOOD = "flood", "Too many messages from this sender"
    REFUSED = "refused", "Refused by the desk's rules"


class ReviewAction(models.TextChoices):
    RELEASED = "released", "Released"
    DISCARDED = "discarded", "Discarded"
    PROCESSED_AGAIN = "processed_again", "Processed again"


class UnknownSenderPolicy(models.TextChoices):
    QUARANTINE = "quarantine", "Quarantine for an agent"
    CREATE = "create", "Create a requester"


class CcPolicy(models.TextChoices):
    """What people in a mail's Cc become on its ticket."""

    WATCHERS = "watchers", "Watchers (staff who may see the ticket follow it)"
    AFFECTED = "affected", "Affected people (they may see it and hear of it)"
    NOBODY = "nobody", "Nothing"


class TransportSecurity(models.TextChoices):
    TLS = "tls", "TLS from the first byte (IMAPS 993, SMTPS 465)"
    STARTTLS = "starttls", "STARTTLS (IMAP 143, submission 587)"
    NONE = "none", "None (only on a trusted local network)"


class OAuthProvider(models.TextChoices):
    MICROSOFT = "microsoft", "Microsoft 365 (Entra ID)"
    GOOGLE = "google", "Google Workspace / Gmail"
    OTHER = "other", "Other (give its addresses)"
