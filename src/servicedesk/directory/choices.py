from django.db import models


class Role(models.TextChoices):
    REQUESTER = "requester", "Requester"
    AGENT = "agent", "Agent"
    GROUP_LEAD = "group_lead", "Group lead"
    SERVICE_LEAD = "service_lead", "Service lead"
    MANAGER = "manager", "Manager"
    ADMIN = "admin", "Administrator"


# Everyone who works tickets rather than only files them.
STAFF_ROLES = frozenset({Role.AGENT, Role.GROUP_LEAD, Role.SERVICE_LEAD, Role.MANAGER, Role.ADMIN})
LEAD_ROLES = frozenset({Role.GROUP_LEAD, Role.SERVICE_LEAD, Role.MANAGER, Role.ADMIN})


class Network(models.TextChoices):
    STATE_FIBER = "state_fiber", "Local, on state fiber"
    REMOTE = "remote", "Remote or not on state fiber"


class Tier(models.TextChoices):
    SERVICE_DESK = "l1", "L1 service desk"
    L2 = "l2", "L2 team"
    SERVICE_LEAD = "lead", "Service lead"


class UnassignedNotice(models.TextChoices):
    """Who hears of a ticket or task that lands in a group with nobody assigned."""

    MEMBERS = "members", "Every member of the group"
    LEAD = "lead", "The group's lead"
    NOBODY = "nobody", "Nobody (the group watches its queue)"
