"""Word search that behaves the same on SQLite and PostgreSQL.

Decision: a portable word match with a weighted rank, not each database's own full-text engine.
The services store every searchable field as normalised words (`document_of`: lower case, one
space around each word, hyphenated words also joined, so "Wi-Fi" is found as "wifi" too). A
query is cut into words the same way, common words dropped and light English endings removed
("passwords" → "password", "mapping" → "mapp"); each word must start a stored word, so "vpn"
does not match inside another word. The rank counts a word found in the heading (title and
keywords) three times as much as one found in the summary or body. One query on either
database; a knowledge base of a few thousand articles is scanned in milliseconds. Swapping in
PostgreSQL's SearchVector or SQLite's FTS5 later means replacing this module alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import Combinable

MAX_TERMS = 8
HEADING_WEIGHT = 3
BODY_WEIGHT = 1

_COMPOUND = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_PART = re.compile(r"[^\W_]+")
# Words that say nothing about the subject, including the service desk's own filler.
STOP_WORDS = frozenset(
    re.findall(
        r"\w+",
        """a an and are as at be been but by can cannot cant could do does doesnt dont for from get
    got has have having hello help hi how i im in into is isnt it its me my need no not of on or
    our please so some that the their them then there these this to too up us was wasnt we were
    what when where which while who why will with wont would you your issue problem working
    work works anymore thanks thank""",
    )
)
# Longest first: the first ending that leaves a stem of three letters or more is removed.
_ENDINGS = ("ment", "ing", "ies", "ed", "es", "s")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words_of(text: str) -> list[str]:
    """Every word of `text`, lower case; "Wi-Fi" gives "wi", "fi" and "wifi"."""
    found: list[str] = []
    for compound in _COMPOUND.findall(_plain(text)):
        parts = _PART.findall(compound)
        found.extend(parts)
        if len(parts) > 1:
            found.append("".join(parts))
    return found


def document_of(*fields: str) -> str:
    """The stored form of some fields: their words, each with a space before and after."""
    words = [word for field in fields for word in words_of(field)]
    return f" {' '.join(words)} " if words else ""


def _stem(word: str) -> str:
    if word.endswith("ss"):
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def terms_of(text: str) -> list[str]:
    """The words of a query worth searching for, stemmed, without repeats, at most MAX_TERMS."""
    terms: list[str] = []
    for compound in _COMPOUND.findall(_plain(text)):
        word = "".join(_PART.findall(compound))  # "wi-fi" → "wifi", "can't" → "cant"
        if word in STOP_WORDS or (len(word) < 2 and not word.isdigit()):
            continue
        stem = _stem(word)
        if stem not in terms:
            terms.append(stem)
    return terms[:MAX_TERMS]


@dataclass(frozen=True)
class WordMatch:
    """Filters and a rank over a model's `search_heading` and `search_body` columns."""

    terms: list[str]

    def _in_heading(self, term: str) -> Q:
        return Q(search_heading__contains=f" {term}")

    def _in_body(self, term: str) -> Q:
        return Q(search_body__contains=f" {term}")

    def every_term(self) -> Q:
        """Rows that contain every term somewhere (a search box's AND)."""
        found = Q()
        for term in self.terms:
            found &= self._in_heading(term) | self._in_body(term)
        return found

    def any_term(self) -> Q:
        found = Q()
        for term in self.terms:
            found |= self._in_heading(term) | self._in_body(term)
        return found

    def rank(self) -> Combinable:
        """3 for each term in the heading, plus 1 for each term in the body."""
        score: Combinable = Value(0)
        for term in self.terms:
            score = score + Case(
                When(self._in_heading(term), then=Value(HEADING_WEIGHT)),
                default=Value(0),
                output_field=IntegerField(),
            )
            score = score + Case(
                When(self._in_body(term), then=Value(BODY_WEIGHT)),
                default=Value(0),
                output_field=IntegerField(),
            )
        return score

    def terms_found(self) -> Combinable:
        """How many of the terms a row contains, wherever they stand."""
        found: Combinable = Value(0)
        for term in self.terms:
            found = found + Case(
                When(self._in_heading(term) | self._in_body(term), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        return found
