"""What the desk offers and how requests are sorted: services, categories, the priority matrix,
and the request types of the portal's catalog with the form fields an admin gives each."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from servicedesk.catalog.choices import CHOICE_KINDS, FieldKind, Impact, Priority, Severity
from servicedesk.core.audit import audited
from servicedesk.sla.choices import NO_SLA_KINDS, Metric, TargetKind


@audited()
class Service(models.Model):
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    default_group = models.ForeignKey(
        "directory.SupportGroup",
        on_delete=models.PROTECT,
        related_name="services",
        help_text="Proposed assignment group when a ticket names this service.",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited()
class Category(models.Model):
    """A category of work, as in the school district's categorization chart."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    is_scheduled_work = models.BooleanField(
        "scheduled work",
        default=False,
        help_text="Planned project work: it carries a planned date, its assignee is reminded "
        "weekly to add a status note, and it waits behind overdue work unless a supervisor "
        "approves. The name plays no part.",
    )

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.number} – {self.name}"


@audited()
class PriorityCode(models.Model):
    """A priority code within a category: "1 – Emergency (4 hours)", "5 – Vendor dependent".

    The code carries its SLA: one `PriorityCodeTarget` per metric it sets (see `sla.rules`
    for how a code's target and the SLA rules combine)."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="codes")
    code = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["category__number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="priority_code_unique")
        ]

    def __str__(self) -> str:
        return (
            f"{self.category.number}-{self.code} – {self.name} ({self.target or 'no defined SLA'})"
        )

    def resolution_target(self) -> PriorityCodeTarget | None:
        # Through `targets.all()`, so a prefetch of the targets is used.
        return next((row for row in self.targets.all() if row.metric == "resolution"), None)

    @property
    def target(self) -> str:
        """The resolution target in words ("4 hours", "3 business days"); empty without one."""
        from servicedesk.sla.rules import describe_target

        found = self.resolution_target()
        return describe_target(found) if found is not None and found.gives_target else ""

    @property
    def has_sla(self) -> bool:
        found = self.resolution_target()
        return found is not None and found.gives_target


@audited()
class PriorityCodeTarget(models.Model):
    """What a priority code promises for one metric: a target, or no SLA (the clock pauses, or
    no clock runs at all)."""

    priority_code = models.ForeignKey(
        PriorityCode, on_delete=models.CASCADE, related_name="targets"
    )
    metric = models.CharField(max_length=20, choices=Metric.choices)
    target_kind = models.CharField(max_length=30, choices=TargetKind.choices)
    minutes = models.PositiveIntegerField(null=True, blank=True, help_text="For a duration.")
    days = models.PositiveIntegerField(
        null=True, blank=True, help_text="For business days, or the n of end of next business day."
    )
    cutoff = models.TimeField(
        null=True,
        blank=True,
        help_text="End of next business day: later arrivals count as next day.",
    )
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: the calendar of the ticket's location.",
    )

    class Meta:
        ordering = ["priority_code", "metric"]
        verbose_name = "SLA target"
        constraints = [
            models.UniqueConstraint(
                fields=["priority_code", "metric"], name="one_code_target_per_metric"
            )
        ]

    def __str__(self) -> str:
        from servicedesk.sla.rules import describe_target

        return f"{self.priority_code}: {self.get_metric_display()} {describe_target(self)}"

    @property
    def gives_target(self) -> bool:
        return self.target_kind not in NO_SLA_KINDS

    def clean(self) -> None:
        from servicedesk.sla.rules import check_target_fields

        check_target_fields(self)


@audited()
class RequestType(models.Model):
    """A kind of service request: password reset, access, hardware, ...

    Its SLA targets are the SLA rules that name it (see `sla.rules`): the password reset's
    10-minute response and 20-minute completion are two such rules.
    """

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    keywords = models.CharField(
        max_length=300, blank=True, help_text="Other words people search for, e.g. 'login locked'."
    )
    is_offered = models.BooleanField(
        default=True, help_text="Offered in the portal's catalog under Request assistance."
    )
    default_priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P2)
    default_category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True)
    default_priority_code = models.ForeignKey(
        PriorityCode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The priority code a request of this type starts with.",
    )
    default_group = models.ForeignKey(
        "directory.SupportGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The group a request of this type is assigned to when filed.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        code = self.default_priority_code
        if code is not None and self.default_category_id not in (None, code.category_id):
            raise ValidationError(
                {"default_priority_code": "Choose a priority code of the default category."}
            )


@audited()
class RequestTypeField(models.Model):
    """One question on a request type's form, defined in the admin without code."""

    request_type = models.ForeignKey(RequestType, on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    key = models.SlugField(
        max_length=40, help_text="A short name for the API and searches, e.g. 'account'."
    )
    label = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=FieldKind.choices, default=FieldKind.TEXT)
    required = models.BooleanField(default=False)
    help_text = models.CharField(max_length=300, blank=True)
    options = models.TextField(
        blank=True, help_text="For a choice or several choices: one option per line."
    )
    shown_when = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Show this field only when that field of the same form has the value below.",
    )
    shown_when_value = models.CharField(
        max_length=200, blank=True, help_text="An option of that field, or 'yes' / 'no'."
    )

    class Meta:
        ordering = ["request_type", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request_type", "key"], name="request_field_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.request_type}: {self.label}"

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def clean(self) -> None:
        if self.kind in CHOICE_KINDS and not self.option_list:
            raise ValidationError({"options": "List the options, one per line."})
        condition = self.shown_when
        if condition is None:
            return
        if condition.pk == self.pk or condition.request_type_id != self.request_type_id:
            raise ValidationError({"shown_when": "Choose another field of the same request type."})
        if not self.shown_when_value.strip():
            raise ValidationError(
                {"shown_when_value": "Say which value of that field shows this one."}
            )


@audited()
class PriorityMatrixCell(models.Model):
    """One cell of the impact × severity → priority matrix, editable by an admin."""

    impact = models.CharField(max_length=20, choices=Impact.choices)
    severity = models.CharField(max_length=20, choices=Severity.choices)
    priority = models.CharField(max_length=2, choices=Priority.choices)

    class Meta:
        ordering = ["severity", "impact"]
        verbose_name = "priority matrix cell"
        constraints = [
            models.UniqueConstraint(fields=["impact", "severity"], name="matrix_cell_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} × {self.get_impact_display()} → {self.priority}"


class ServiceDependency(models.Model):
    """`service` depends on `depends_on`: when the latter is down, the former is affected."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="dependencies")
    depends_on = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="dependents")

    class Meta:
        verbose_name_plural = "service dependencies"
        constraints = [
            models.UniqueConstraint(fields=["service", "depends_on"], name="dependency_unique"),
            models.CheckConstraint(
                condition=~models.Q(service=models.F("depends_on")), name="dependency_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} depends on {self.depends_on}"
