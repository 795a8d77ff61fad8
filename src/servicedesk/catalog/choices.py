from django.db import models


class Impact(models.TextChoices):
    """How many people are affected (the state agency's filing procedure)."""

    MULTI_AGENCY = "multi_agency", "Multi agency"
    AGENCY = "agency", "Agency"
    INDIVIDUAL = "individual", "Individual"


class Severity(models.TextChoices):
    """How badly the issue stops people working (the state agency's filing procedure)."""

    OUTAGE = "outage", "Outage"
    DEGRADATION = "degradation", "Degradation"
    NO_IMPACT = "no_impact", "No impact"


class Priority(models.TextChoices):
    # Text values sort in urgency order: "p1" < "p2" < ...
    P1 = "p1", "Priority 1"
    P2 = "p2", "Priority 2"
    P3 = "p3", "Priority 3"
    P4 = "p4", "Priority 4"


class FieldKind(models.TextChoices):
    """What a request type's form field asks for, and so how its answer is stored."""

    TEXT = "text", "Text (one line)"
    LONG_TEXT = "long_text", "Long text"
    CHOICE = "choice", "Choice (one of a list)"
    MULTIPLE_CHOICE = "multiple_choice", "Several choices"
    DATE = "date", "Date"
    PERSON = "person", "Person"
    YES_NO = "yes_no", "Yes / no"


CHOICE_KINDS = frozenset({FieldKind.CHOICE, FieldKind.MULTIPLE_CHOICE})
