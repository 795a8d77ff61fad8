"""The loop brake's idea of a thread (the subject without tags and reply prefixes), and the
bounce marks it works with."""

from __future__ import annotations

import pytest

from servicedesk.conftest import Org
from servicedesk.core.models import ConfigChange
from servicedesk.mail.brakes import _same_thread, thread_key
from servicedesk.notifications.bounces import (
    address_clear,
    address_mark_undeliverable,
    undeliverable_among,
)


@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ("Re: AW: [INC0000001] Toner low", "toner low"),
        ("RE: Re: We received your request: Toner low", "we received your request: toner low"),
        ("Fwd: SV: (External) VPN", "vpn"),
        ("", ""),
    ],
)
def test_a_threads_key_drops_tags_and_reply_prefixes(subject: str, key: str) -> None:
    assert thread_key(subject) == key


def test_each_round_of_a_loop_is_the_same_thread_but_no_subject_is_its_own() -> None:
    first = thread_key("Toner low")
    later = thread_key("Re: We received your request: Re: We received your request: Toner low")
    assert _same_thread(first, later) and _same_thread(later, first)
    assert not _same_thread(thread_key(""), first)
    assert not _same_thread(first, thread_key("Paper jam"))


def test_a_second_bounce_marks_the_address_again_after_a_clear(org: Org) -> None:
    first = address_mark_undeliverable("Gone@Example.org", reason="5.1.1")
    address_clear(first, actor=org.desk)
    again = address_mark_undeliverable("gone@example.org", reason="5.2.2 mailbox full")
    assert again.pk == first.pk and again.is_marked and again.bounces == 2
    assert undeliverable_among(["GONE@example.org", "other@example.org"]) == {"gone@example.org"}
    changes = ConfigChange.objects.filter(
        model="notifications.undeliverableaddress", object_id=str(first.pk)
    ).count()
    assert changes == 3  # marked, cleared, marked again: each audited
