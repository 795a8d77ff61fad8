"""What the desk offers and how requests are sorted: services, categories, the priority matrix."""

from __future__ import annotations

from django.db import models

from servicedesk.catalog.choices import Impact, Priority, Severity


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


class Category(models.Model):
    """A category of work, as in the district's categorization chart (seed 003)."""

    number = models.PositiveSmallIntegerField(unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.number} – {self.name}"


class PriorityCode(models.Model):
    """A priority code within a category: "1 – Emergency (4 hours)", "5 – Vendor dependent"."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="codes")
    code = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    target = models.CharField(
        max_length=60, blank=True, help_text='The target in words, e.g. "4 hours", "3 days".'
    )
    has_sla = models.BooleanField(
        default=True, help_text="Off for codes such as vendor dependent: the clock pauses."
    )
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["category__number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["category", "code"], name="priority_code_unique")
        ]

    def __str__(self) -> str:
        suffix = f" ({self.target})" if self.target else " (no defined SLA)"
        return f"{self.code} – {self.name}{suffix}"


class RequestType(models.Model):
    """A kind of service request: password reset, access, hardware, ..."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    default_priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P2)
    default_category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
