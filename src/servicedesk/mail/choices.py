from django.db import models


class InboundState(models.TextChoices):
    RECEIVED = "received", "Received (not yet processed)"
    PROCESSED = "processed", "Processed"
    QUARANTINED = "quarantined", "Quarantined (waits for an agent)"
    FAILED = "failed", "Failed (malformed)"
    IGNORED = "ignored", "Ignored (automatic mail)"


class UnknownSenderPolicy(models.TextChoices):
    QUARANTINE = "quarantine", "Quarantine for an agent"
    CREATE = "create", "Create a requester"


class TransportSecurity(models.TextChoices):
    TLS = "tls", "TLS from the first byte (IMAPS 993, SMTPS 465)"
    STARTTLS = "starttls", "STARTTLS (IMAP 143, submission 587)"
    NONE = "none", "None (only on a trusted local network)"


class OAuthProvider(models.TextChoices):
    MICROSOFT = "microsoft", "Microsoft 365 (Entra ID)"
    GOOGLE = "google", "Google Workspace / Gmail"
    OTHER = "other", "Other (give its addresses)"
