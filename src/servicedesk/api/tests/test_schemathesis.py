"""schemathesis against the live server: no 5xx, and every response matches the schema.

Covers every GET endpoint and ticket creation, with positive and negative (invalid) data, on a
small organisation so that lists have items to validate. Bounded to stay well under a minute.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import Case
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from servicedesk.api.services import token_create
from servicedesk.catalog.models import Category, PriorityCode
from servicedesk.conftest import Org
from servicedesk.knowledge.services import article_create, article_publish, known_error_record
from servicedesk.outages.choices import StatusKind, UpdateStage
from servicedesk.outages.services import status_entry_declare, status_entry_update
from servicedesk.tickets.choices import TicketKind
from servicedesk.tickets.services import comment_add, ticket_create

EXAMPLES_PER_OPERATION = 20


def seed(org: Org) -> None:
    category = Category.objects.create(number=1, name="Service request")
    PriorityCode.objects.create(category=category, code=1, name="Emergency")
    for n in range(3):
        ticket = ticket_create(
            actor=org.desk,
            requester=org.employee,
            kind=TicketKind.INCIDENT,
            short_description=f"Seeded {n}",
            service=org.service,
        )
        comment_add(ticket, actor=org.desk, body="Looking", internal=n == 0)
    # Knowledge lists with items, so that their schema is checked too.
    vpn = article_create(
        actor=org.desk, title="Reset your VPN password", body="Steps", keywords="a"
    )
    article_publish(vpn, actor=org.desk)
    known_error_record(actor=org.desk, title="VPN drops", symptoms="Drops", workaround="Reconnect")
    # An outage in force with an update, so /status has entries to validate.
    entry = status_entry_declare(
        actor=org.desk,
        service=org.service,
        kind=StatusKind.OUTAGE,
        title="Seeded outage",
        message="Down",
        incident=ticket,
    )
    status_entry_update(entry, actor=org.desk, stage=UpdateStage.IDENTIFIED, message="Found it")


def is_covered(method: str, path: str) -> bool:
    return method.upper() == "GET" or (method.upper() == "POST" and path == "/api/v1/tickets")


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_failure(live_server, org: Org) -> None:
    seed(org)
    _token, plaintext = token_create(org.desk, "schemathesis")
    auth = {"Authorization": f"Bearer {plaintext}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the document itself must be valid
        operations.append(result.ok())
    covered = [op for op in operations if is_covered(op.method, op.path)]
    assert len(covered) >= 10

    for operation in covered:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis.settings(
                max_examples=EXAMPLES_PER_OPERATION,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def run(case: Case[Any]) -> None:
                response = case.call(base_url=live_server.url, headers=auth)
                case.validate_response(
                    response, checks=[not_a_server_error, response_schema_conformance]
                )

            run()
