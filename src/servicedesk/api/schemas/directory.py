"""People, support groups, services and categories, read-only."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from servicedesk.api.schemas.common import PersonRef, Ref, Text
from servicedesk.directory.choices import Role, Tier

Search = Annotated[Text, Field(max_length=100)]


class PersonOut(PersonRef):
    email: str
    role: Role
    agency: Ref | None
    job_title: str


class PeopleFilters(Schema):
    search: Search | None = Field(None, description="Words in the name, username or e-mail.")
    limit: int = Field(20, ge=1, le=100)


class GroupOut(Schema):
    id: int
    name: str
    tier: Tier
    email: str
    description: str


class ServiceOut(Schema):
    id: int
    name: str
    description: str
    default_group: Ref


class PriorityCodeOut(Schema):
    id: int
    code: int
    name: str
    target: str
    has_sla: bool


class CategoryOut(Schema):
    id: int
    number: int
    name: str
    description: str
    is_scheduled_work: bool
    priority_codes: list[PriorityCodeOut]

    @staticmethod
    def resolve_priority_codes(obj: Any) -> list[Any]:
        return list(obj.codes.all())


class NameFilter(Schema):
    search: Search | None = Field(None, description="Part of the name.")
