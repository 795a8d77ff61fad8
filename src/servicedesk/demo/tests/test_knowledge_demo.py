from io import StringIO

import pytest
from django.core.management import call_command

from servicedesk.directory.models import Person
from servicedesk.knowledge.choices import ArticleState, KnownErrorState
from servicedesk.knowledge.models import Article, KnownError
from servicedesk.knowledge.selectors import articles_matching, articles_search


@pytest.mark.django_db
def test_the_demo_knowledge_base_loads_once_and_answers_common_questions() -> None:
    call_command("load_demo", stdout=StringIO())
    call_command("load_demo", stdout=StringIO())
    assert Article.objects.filter(state=ArticleState.PUBLISHED).count() >= 10
    assert Article.objects.count() == Article.objects.values("title").distinct().count()
    assert KnownError.objects.filter(state=KnownErrorState.OPEN).count() == 2
    employee = Person.objects.filter(role="requester").first()
    assert employee is not None
    found = articles_search("vpn password", viewer=employee)
    assert found[0].title == "Reset your VPN password"
    assert all("printer" not in article.title.lower() for article in found)
    assert articles_matching("outlook keeps crashing")[0].title == "Rebuild your Outlook profile"
