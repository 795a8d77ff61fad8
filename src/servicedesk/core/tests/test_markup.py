"""Rows written by `core.markup` come out as Django's `format_html` writes them."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from servicedesk.core.markup import html_format, html_join

# What a requester may type, with the characters HTML gives a meaning to made likely.
typed = st.text(alphabet=st.sampled_from("<>&\"' =/aé漢\u202e\x00") | st.characters(), max_size=30)
values = st.one_of(typed, st.integers(), st.none(), typed.map(mark_safe))


@given(st.lists(values, min_size=1, max_size=6))
def test_a_row_is_escaped_as_format_html_escapes_it(row: list[object]) -> None:
    template = "<td>{}</td>" * len(row)
    written = html_format(template, *row)
    assert written == format_html(template, *row)
    assert isinstance(written, SafeString)


@given(st.lists(st.lists(values, min_size=2, max_size=2), max_size=4))
def test_rows_are_joined_as_format_html_join_joins_them(rows: list[list[object]]) -> None:
    template = '<tr title="{}">{}</tr>'
    assert html_join("\n", template, rows) == format_html_join("\n", template, rows)


def test_what_a_requester_wrote_cannot_open_a_tag_or_leave_an_attribute() -> None:
    written = html_format('<a title="{}">{}</a>', '" onmouseover="steal()', "<script>x</script>")
    assert written == (
        '<a title="&quot; onmouseover=&quot;steal()">&lt;script&gt;x&lt;/script&gt;</a>'
    )


def test_safe_markup_and_translated_words_are_written_as_they_are() -> None:
    badge = SafeString('<span class="badge">1</span>')
    assert html_format("{} {}", badge, gettext_lazy("Urgent")) == (
        '<span class="badge">1</span> Urgent'
    )
