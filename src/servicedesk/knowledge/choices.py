from django.db import models


class ArticleState(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    RETIRED = "retired", "Retired"


class KnownErrorState(models.TextChoices):
    OPEN = "open", "Open"
    FIXED = "fixed", "Fixed"
    RETIRED = "retired", "Retired"


# What a known error may be closed as.
CLOSED_KNOWN_ERROR_STATES = frozenset({KnownErrorState.FIXED, KnownErrorState.RETIRED})
