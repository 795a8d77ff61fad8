"""The school district's odd-hour review in the browser: the desk opens the uncategorized queue,
sees the odd-hour review due, marks the queue reviewed and sees who reviewed it, at desktop and
phone width; a ticket assigned before anyone categorized it stays in the review."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from servicedesk.conftest import Org
from servicedesk.conftest import org as org  # the fixture, shared with src/ tests
from servicedesk.tickets.services import ticket_assign
from servicedesk.workspace.models import NewQueueReview
from tests.e2e.pages import NewQueueReviewBanner
from tests.e2e.test_workspace import people as people  # the fixture
from tests.e2e.test_workspace import portal_incident, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_the_desk_marks_the_new_queue_reviewed(
    live_server, page: Page, people: Org, width: int
) -> None:
    """No business calendar is reachable here, so the desk's zone counts round the clock and
    an odd-hour slot is always open: the review is due whenever the test runs."""
    portal_incident(people)
    sign_in(page, live_server.url, people.desk)
    page.set_viewport_size({"width": width, "height": 900})  # signed in: the header's check
    review = NewQueueReviewBanner(page).open(live_server.url)
    expect(review.banner).to_contain_text("Review due at")
    expect(review.banner).to_contain_text("never reviewed yet")

    review.mark_reviewed()
    expect(page.get_by_role("status")).to_contain_text("Marked the queue reviewed: 1 waiting.")
    expect(review.banner).to_contain_text("last reviewed")
    expect(review.banner).to_contain_text("by Desk (1 waiting)")
    expect(review.banner).not_to_contain_text("not done yet")
    assert NewQueueReview.objects.get().reviewer == people.desk


def test_an_assigned_uncategorized_ticket_stays_in_the_review(
    live_server, page: Page, people: Org
) -> None:
    incident = portal_incident(people)
    ticket_assign(
        incident, actor=people.desk, version=None, group=people.desk_group, assignee=people.desk
    )
    sign_in(page, live_server.url, people.desk)
    review = NewQueueReviewBanner(page).open(live_server.url)
    expect(review.rows).to_have_count(1)
    expect(review.rows.first).to_contain_text(incident.number)
    expect(review.rows.first).to_contain_text("Assigned")
    review.mark_reviewed()
    expect(page.get_by_role("status")).to_contain_text("Marked the queue reviewed: 1 waiting.")
