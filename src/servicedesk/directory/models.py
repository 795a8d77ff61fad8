"""People, the organisations they belong to, where they work, and who supports them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from servicedesk.core.audit import audited
from servicedesk.core.text import without_invisible_controls
from servicedesk.directory.choices import (
    LEAD_ROLES,
    STAFF_ROLES,
    Network,
    Role,
    Tier,
    UnassignedNotice,
)


class Agency(models.Model):
    """An agency, department or campus whose employees file tickets."""

    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=40, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="locations")
    address = models.CharField(max_length=300, blank=True)
    network = models.CharField(max_length=20, choices=Network.choices, default=Network.STATE_FIBER)
    calendar = models.ForeignKey(
        "sla.BusinessCalendar",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text="Business hours that SLA clocks count for tickets from this location.",
    )

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="location_unique_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code})"


# People come and go all day; what is configuration about them is their role and standing.
@audited(fields=("role", "agency", "is_active", "is_staff", "is_superuser"), record_creation=False)
class Person(AbstractUser):
    """Anyone who signs in: employees who file tickets and the staff who work them."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REQUESTER)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    phone = models.CharField(max_length=40, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    time_zone = models.CharField(max_length=64, default="America/Chicago")

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = "person"
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Names come from the admin, mail and directories: shown as spelt, never disguised.
        self.first_name = without_invisible_controls(self.first_name)
        self.last_name = without_invisible_controls(self.last_name)
        super().save(*args, **kwargs)

    @property
    def is_staff_member(self) -> bool:
        """Works tickets (any role above requester)."""
        return self.role in STAFF_ROLES

    @property
    def is_lead(self) -> bool:
        return self.role in LEAD_ROLES


@audited()
class SupportGroup(models.Model):
    """A team that tickets are assigned to, at a tier of support."""

    name = models.CharField(max_length=120, unique=True)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    email = models.EmailField(blank=True)
    description = models.TextField(blank=True)
    lead = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="led_groups"
    )
    members = models.ManyToManyField(Person, blank=True, related_name="support_groups")
    agencies = models.ManyToManyField(
        Agency,
        blank=True,
        related_name="support_groups",
        help_text="Agencies this group serves; none means every agency",
    )
    is_active = models.BooleanField(default=True)
    unassigned_notice = models.CharField(
        max_length=10,
        choices=UnassignedNotice.choices,
        default=UnassignedNotice.MEMBERS,
        help_text="Who is told when a ticket or task lands here with nobody assigned.",
    )

    class Meta:
        ordering = ["tier", "name"]

    def __str__(self) -> str:
        return self.name


class ExternalHelpDesk(models.Model):
    """Another organisation's help desk that a ticket can be redirected to (the incident management
    procedure, 5.3)."""

    name = models.CharField(max_length=200, unique=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    portal_url = models.URLField(blank=True)
    hours = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "other help desk"

    def __str__(self) -> str:
        return self.name

    def contact_card(self) -> str:
        lines = [self.name]
        lines += [
            f"{label}: {value}"
            for label, value in (
                ("Phone", self.phone),
                ("Email", self.email),
                ("Portal", self.portal_url),
                ("Hours", self.hours),
            )
            if value
        ]
        return "\n".join(lines)


@audited()
class DistributionList(models.Model):
    """A named list of recipients: the desk's shift reports, outage advisories to business and
    data partners. People of ours and outside addresses."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Person, blank=True, related_name="distribution_lists")
    outside_addresses = models.TextField(
        blank=True, help_text="Addresses of people without an account here, one per line."
    )
    is_external = models.BooleanField(
        default=True, help_text="Outside the organisation: never receives internal notes."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        for line in self.outside_address_list():
            try:
                validate_email(line)
            except ValidationError as wrong:
                raise ValidationError(
                    {"outside_addresses": f"'{line}' is not an e-mail address."}
                ) from wrong

    def outside_address_list(self) -> list[str]:
        return [line.strip() for line in self.outside_addresses.splitlines() if line.strip()]

    def address_list(self) -> list[str]:
        """Every address of the list, members' and outside ones, lower case, each once."""
        seen: list[str] = []
        members = [p.email for p in self.members.all() if p.is_active and p.email]
        for line in [*members, *self.outside_address_list()]:
            address = line.strip().lower()
            if address and address not in seen:
                seen.append(address)
        return seen


@audited()
class DirectoryGroupRule(models.Model):
    """What membership of a group in the organisation's directory grants a person who signs in
    through it: a role, a support group, an agency. Applied at every directory sign-in."""

    source = models.CharField(
        max_length=60,
        blank=True,
        help_text="“ldap”, an OpenID provider's id, or blank for every directory",
    )
    directory_group = models.CharField(
        max_length=400,
        help_text=(
            "The group's name (cn) or full DN in LDAP / Active Directory, or a value of the "
            "OpenID “groups” claim (Entra ID sends the group's object ID)"
        ),
    )
    role = models.CharField(
        max_length=20,
        choices=Role.choices,
        blank=True,
        help_text="Members get the highest role any of their groups grants",
    )
    support_group = models.ForeignKey(
        SupportGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="directory_rules",
        help_text="Members join this group; people who leave the directory group leave it",
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="directory_rules"
    )

    class Meta:
        ordering = ["source", "directory_group"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="")
                | models.Q(support_group__isnull=False)
                | models.Q(agency__isnull=False),
                name="directory_rule_grants_something",
                violation_error_message="Choose what the group grants: a role, a support "
                "group or an agency.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.source or 'any directory'}: {self.directory_group}"


@audited()
class TwoFactorRequirement(models.Model):
    """A role whose members must sign in with a second factor (an authenticator app's code or
    a passkey) besides their password or directory sign-in."""

    role = models.CharField(max_length=20, choices=Role.choices, unique=True)

    class Meta:
        ordering = ["role"]

    def __str__(self) -> str:
        return self.get_role_display()


@audited()
class ContactRole(models.Model):
    """A named responsibility someone holds for the desk, an agency or a service: "Service Desk
    Lead", "Application Support Manager", "Sponsor", "Registrar", "Local administrator"."""

    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited()
class ContactRoleHolder(models.Model):
    """`person` holds `role`, for one agency or (no agency) for the whole organisation."""

    role = models.ForeignKey(ContactRole, on_delete=models.CASCADE, related_name="holders")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_roles")
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, null=True, blank=True, related_name="contact_roles"
    )

    class Meta:
        ordering = ["role__name", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "person", "agency"], name="contact_role_holder_unique"
            )
        ]

    def __str__(self) -> str:
        where = f" ({self.agency.code})" if self.agency else ""
        return f"{self.role}: {self.person}{where}"


@audited()
class OnCallRota(models.Model):
    """Who of a support group is on call: a weekly rotation through `slots` in order, from the
    week of `starts_on`, handed over at `handover_time` on that weekday; overrides win."""

    group = models.OneToOneField(SupportGroup, on_delete=models.CASCADE, related_name="rota")
    starts_on = models.DateField(help_text="The first rotation week begins on this day.")
    handover_time = models.TimeField(help_text="Local time of the weekly handover.")
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    meeting_time = models.TimeField(
        null=True, blank=True, help_text="The daily meeting of the desk with the on-call person."
    )

    def __str__(self) -> str:
        return f"On-call rota of {self.group}"


@audited()
class OnCallSlot(models.Model):
    rota = models.ForeignKey(OnCallRota, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveSmallIntegerField()
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["rota", "position"]
        constraints = [
            models.UniqueConstraint(fields=["rota", "position"], name="oncall_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.person}"


@audited()
class OnCallOverride(models.Model):
    """Someone covers the rota for a while (holiday, swap)."""

    rota = models.ForeignKey(OnCallRota, on_delete=models.CASCADE, related_name="overrides")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="oncall_override_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%Y-%m-%d %H:%M}"
