"""Page objects: one class per screen, so tests read as what a person does."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import FilePayload, Locator, Page, expect

# Every browser test's people sign in with this (given by the `give_password` fixture).
E2E_PASSWORD = "e2e-password"
GivePassword = Callable[..., None]


class LoginPage:
    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def open(self) -> LoginPage:
        self.page.goto(f"{self.base_url}/")
        return self

    def sign_in(self, username: str, password: str) -> None:
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()

    @property
    def error(self) -> Locator:
        return self.page.get_by_role("alert")

    def sign_in_with(self, provider_name: str) -> None:
        self.page.get_by_role("button", name=f"Sign in with {provider_name}").click()


class OpenIdProviderLogin:
    """The OpenID provider's own sign-in page (oidc-provider's, in the tests)."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def sign_in(self, login: str, password: str) -> None:
        self.page.get_by_placeholder("Enter any login").fill(login)
        self.page.get_by_placeholder("and password").fill(password)
        self.page.get_by_role("button", name="Sign-in").click()


class TwoFactorPage:
    """Asks for the authenticator app's code after the password; also sets one up."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def code(self) -> Locator:
        return self.page.get_by_label(re.compile("^(Authenticator )?code$", re.I))

    def enter(self, code: str) -> None:
        self.code.fill(code)
        self.page.get_by_role("button", name=re.compile("^(Sign In|Activate)$")).click()

    @property
    def error(self) -> Locator:
        return self.page.get_by_role("alert")

    @property
    def notice(self) -> Locator:
        return self.page.get_by_test_id("two-factor-required")

    def start_authenticator_app_setup(self) -> None:
        self.page.get_by_role("link", name="Activate").first.click()

    @property
    def secret(self) -> str:
        return self.page.get_by_label("Authenticator secret").input_value()

    def add_security_key(self) -> None:
        self.page.get_by_role("link", name="Add").first.click()
        # The button does its work through the page's WebAuthn script: a click before the
        # script has run would do nothing (seen on a loaded machine).
        self.page.wait_for_load_state("load")
        self.page.get_by_role("button", name="Add").click()

    def use_security_key(self) -> None:
        self.page.get_by_role("button", name="Use a security key").click()


def offered(select: Locator) -> Locator:
    """A list's options the person can pick: not disabled (the browser hides those too)."""
    return select.locator("option:not([disabled])")


class Header:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def who_am_i(self) -> Locator:
        return self.page.get_by_test_id("whoami")

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()


class PortalHome:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str) -> PortalHome:
        self.page.goto(f"{base_url}/portal/")
        return self

    @property
    def open_tickets(self) -> Locator:
        return self.page.get_by_test_id("open-tickets").locator("tbody tr")

    @property
    def system_status(self) -> Locator:
        return self.page.get_by_test_id("system-status")

    @property
    def drafts(self) -> Locator:
        return self.page.get_by_test_id("drafts").locator("li")

    def _open_form(self, link: Locator) -> TicketForm:
        # Until the form's page has loaded, its type-ahead and suggestions ignore typing.
        with self.page.expect_navigation(wait_until="load"):
            link.click()
        return TicketForm(self.page)

    def something_broken(self) -> TicketForm:
        return self._open_form(self.page.get_by_role("link", name="Something broken?"))

    def request_assistance(self) -> CatalogPage:
        with self.page.expect_navigation(wait_until="load"):
            self.page.get_by_role("link", name="Request assistance").click()
        return CatalogPage(self.page)

    def resume_draft(self, short_description: str) -> TicketForm:
        drafts = self.page.get_by_test_id("drafts")
        return self._open_form(drafts.get_by_role("link", name=short_description))

    def open_ticket(self, number: str) -> TicketPage:
        self.page.get_by_role("link", name=number).click()
        return TicketPage(self.page)


class CatalogPage:
    """Request assistance: the catalog's request types by category, articles beside them."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def search(self, text: str) -> CatalogPage:
        self.page.get_by_label("Search requests and articles").fill(text)
        with self.page.expect_navigation(wait_until="load"):
            self.page.get_by_test_id("catalog-search").get_by_role("button", name="Search").click()
        return self

    @property
    def sections(self) -> Locator:
        return self.page.get_by_test_id("catalog-section")

    @property
    def request_types(self) -> Locator:
        return self.page.get_by_test_id("request-type")

    @property
    def articles(self) -> Locator:
        return self.page.get_by_test_id("catalog-articles").locator("li")

    def choose(self, name: str) -> TicketForm:
        with self.page.expect_navigation(wait_until="load"):
            self.request_types.filter(has_text=name).first.click()
        return TicketForm(self.page)

    def something_else(self) -> TicketForm:
        with self.page.expect_navigation(wait_until="load"):
            self.page.get_by_test_id("something-else").click()
        return TicketForm(self.page)


class TicketForm:
    """Either portal form: "Something broken?" (incident) or "Request assistance", the latter
    free text or a catalog request type's own form."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def short_description(self) -> Locator:
        return self.page.get_by_label("Short description")

    @property
    def description(self) -> Locator:
        # The incident and the request forms word this field differently (the state agency's filing
        # procedure).
        return self.page.locator("#id_description")

    @property
    def people_search(self) -> Locator:
        return self.page.get_by_label("Who does this issue affect?")

    @property
    def affected(self) -> Locator:
        return self.page.get_by_test_id("chosen-affected").locator("li")

    @property
    def file_input(self) -> Locator:
        return self.page.get_by_label("Add attachments")

    def add_affected(self, name: str) -> None:
        self.people_search.fill(name[:4])
        self.page.get_by_role("button", name=name).click()

    def pick_person(self, label: str, name: str) -> None:
        """Choose someone in a people picker ("Requested by", or a catalog question)."""
        search = self.page.get_by_label(label)
        search.fill(name[:4])
        search.locator("xpath=..").get_by_role("button", name=name).click()

    def question(self, key: str) -> Locator:
        return self.page.get_by_test_id(f"question-{key}")

    def attach(self, *files: FilePayload) -> None:
        self.file_input.set_input_files(list(files))

    def drop(self, name: str, content: str) -> None:
        """Drop one file on the drop zone, as dragging it from the desktop does."""
        self.page.locator("[data-drop-zone]").first.evaluate(
            """(zone, [name, content]) => {
                const data = new DataTransfer();
                data.items.add(new File([content], name, {type: "text/plain"}));
                zone.dispatchEvent(new DragEvent("drop", {bubbles: true, dataTransfer: data}));
            }""",
            [name, content],
        )

    def error(self, field: str) -> Locator:
        return self.page.get_by_test_id(f"error-{field}")

    def save_as_draft(self) -> None:
        self.page.get_by_role("button", name="Save as Draft").click()

    def submit(self) -> FiledPage:
        self.page.get_by_role("button", name="Submit", exact=True).click()
        return FiledPage(self.page)


class FiledPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def number(self) -> Locator:
        return self.page.get_by_test_id("filed-number")

    def follow(self) -> TicketPage:
        self.page.get_by_role("link", name="Follow").click()
        return TicketPage(self.page)


class TicketPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str, number: str) -> TicketPage:
        self.page.goto(f"{base_url}/portal/tickets/{number}/")
        return self

    @property
    def state(self) -> Locator:
        return self.page.get_by_test_id("ticket-state")

    @property
    def timeline(self) -> Locator:
        return self.page.get_by_test_id("timeline")

    def reply(self, text: str, *, urgent: bool = False) -> None:
        self.page.get_by_label("Your reply").fill(text)
        name = "Send as urgent" if urgent else "Send reply"
        self.page.get_by_role("button", name=name).click()

    def confirm(self) -> None:
        self.page.get_by_role("button", name="Yes, it is fixed").click()

    def dispute(self, reason: str) -> None:
        self.page.get_by_label("What is still wrong?").fill(reason)
        self.page.get_by_role("button", name="No, reopen it").click()

    def answer_survey(self, rating: int, comment: str) -> None:
        self.page.get_by_test_id("survey").get_by_label(f"{rating} –").check()
        self.page.get_by_label("Anything you would like to tell us?").fill(comment)
        self.page.get_by_role("button", name="Send my answer").click()


class WorkspaceHome:
    def __init__(self, page: Page) -> None:
        self.page = page

    def count(self, name: str) -> int:
        return int(self.page.get_by_test_id(f"count-{name}").inner_text())


class AgentTicketPage:
    """The workspace's ticket page: triage, SLA clocks, work forms (tiers, tasks, states)."""

    @property
    def answers(self) -> Locator:
        return self.page.get_by_test_id("answers")

    @property
    def files(self) -> Locator:
        return self.page.get_by_test_id("files")

    @property
    def urgent(self) -> Locator:
        return self.page.get_by_test_id("ticket-urgent")

    def reply(self, text: str, *files: FilePayload, internal: bool = False) -> None:
        form = self.page.get_by_test_id("form-comment")
        form.get_by_label("Reply or note").fill(text)
        if internal:
            form.get_by_label("Internal note").check()
        if files:
            form.get_by_label("Attach files").set_input_files(list(files))
        form.get_by_role("button", name="Send").click()

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str, number: str) -> AgentTicketPage:
        self.page.goto(f"{base_url}/workspace/tickets/{number}/")
        return self

    def _settled(self) -> None:
        """The page fills two panels after it loads: the diagnosis, and the triage preview. The
        diagnosis sits above the work forms, and a click aimed at a form as it landed hit what
        it had pushed down (the form never opened). Wait for both, as an agent's eye would."""
        diagnosis = self.page.get_by_test_id("diagnosis")
        expect(diagnosis.get_by_text("Looking for known errors")).to_have_count(0)
        if self.page.locator("#triage-preview").count():
            expect(self.preview).to_be_visible()

    def badge(self, name: str) -> Locator:
        """state, priority, group or assignee."""
        return self.page.get_by_test_id(f"ticket-{name}")

    @property
    def proposed_impact(self) -> Locator:
        return self.page.get_by_test_id("proposed-impact")

    @property
    def preview(self) -> Locator:
        return self.page.get_by_test_id("triage-preview")

    @property
    def clocks(self) -> Locator:
        return self.page.get_by_test_id("sla-clocks")

    @property
    def stale(self) -> Locator:
        return self.page.get_by_test_id("stale")

    @property
    def also_viewing(self) -> Locator:
        return self.page.get_by_test_id("also-viewing")

    def form(self, action: str) -> Locator:
        return self.page.get_by_test_id(f"form-{action}")

    def choose(self, label: str, option: str) -> None:
        """Pick an option of a triage field by the field's exact label."""
        self.form("triage").get_by_label(label, exact=True).select_option(label=option)

    def save_triage(self) -> None:
        self.page.get_by_role("button", name="Save triage").click()

    def offered(self, label: str) -> Locator:
        """The options a triage list offers (what the agent can pick), blank included."""
        return offered(self.form("triage").get_by_label(label, exact=True))

    def open_work_form(self, summary: str) -> None:
        """Unfold a work form by its summary, once the page has settled (`_settled`)."""
        self._settled()
        self.page.locator("summary", has_text=summary).first.click()

    def escalate(self, reason: str) -> None:
        self.open_work_form("Escalate to")
        self.form("escalate").get_by_label("Why escalate?").fill(reason)
        self.form("escalate").get_by_role("button", name="Escalate").click()

    def resolve_to_desk(self, note: str) -> None:
        self.open_work_form("Resolve back to the desk")
        self.form("resolve-to-desk").get_by_label("What fixed it?").fill(note)
        self.page.get_by_role("button", name="Resolve to the desk").click()

    def change_state(self, state: str, note: str = "") -> None:
        self.open_work_form("Change state")
        form = self.form("state")
        form.get_by_label("New state").select_option(label=state)
        if note:
            form.get_by_label("Note", exact=True).fill(note)
        form.get_by_role("button", name="Change state").click()

    def add_task(self, team: str, task: str) -> None:
        self.open_work_form("Task for another team")
        form = self.form("task")
        form.get_by_label("Team").select_option(label=team)
        form.get_by_label("Task", exact=True).fill(task)
        form.get_by_role("button", name="Create task").click()

    def error(self, field: str) -> Locator:
        return self.page.get_by_test_id(f"error-{field}")

    def convert(self, to: str, reason: str = "") -> None:
        """`to`: "a service request" or "an incident"."""
        self.open_work_form(f"Convert to {to}")
        if reason:
            self.form("convert").get_by_label("Why (kept in the history)").fill(reason)
        self.form("convert").get_by_role("button", name="Convert").click()

    @property
    def tasks(self) -> Locator:
        return self.page.get_by_test_id("tasks").locator("li")


class NotificationsPage:
    """A person's notifications and their e-mail preferences, reached from the nav's badge."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @staticmethod
    def badge(page: Page) -> Locator:
        """The unread count in the nav, on every page."""
        return page.get_by_test_id("unread-badge")

    @classmethod
    def from_nav(cls, page: Page) -> NotificationsPage:
        page.get_by_test_id("nav-notifications").click()
        return cls(page)

    @property
    def items(self) -> Locator:
        return self.page.get_by_test_id("notification")

    @property
    def unread(self) -> Locator:
        return self.page.locator("[data-testid=notification][data-unread]")

    def mail_for(self, label: str, *, exact: bool = True) -> Locator:
        return self.page.get_by_test_id("preferences").get_by_label(label, exact=exact)

    def save_preferences(self) -> None:
        self.page.get_by_role("button", name="Save preferences").click()

    @property
    def status(self) -> Locator:
        return self.page.get_by_role("status")


class KnowledgeBase:
    """The portal's knowledge base: search results, browsing, an article and "did this help?"."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def search_from_home(cls, home: PortalHome, text: str) -> KnowledgeBase:
        search = home.page.get_by_test_id("kb-search")
        search.get_by_label("Search the knowledge base").fill(text)
        search.get_by_role("button", name="Search").click()
        return cls(home.page)

    @property
    def results(self) -> Locator:
        return self.page.get_by_test_id("kb-results").locator("li")

    def open_article(self, title: str) -> KnowledgeBase:
        self.page.get_by_test_id("kb-results").get_by_role("link", name=title).click()
        return self

    @property
    def article(self) -> Locator:
        return self.page.get_by_test_id("kb-article")

    def answer(self, helped: bool) -> None:
        feedback = self.page.get_by_test_id("kb-feedback")
        feedback.get_by_role("button", name="Yes" if helped else "No", exact=True).click()

    @property
    def answer_given(self) -> Locator:
        return self.page.get_by_test_id("kb-feedback-answer")

    @property
    def file_an_incident(self) -> Locator:
        return self.page.get_by_role("link", name="File an incident")


class KnowledgeAuthoring:
    """The workspace's knowledge pages: write an article, save it as a draft, publish it."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def from_nav(cls, page: Page) -> KnowledgeAuthoring:
        page.get_by_test_id("nav-knowledge").click()
        return cls(page)

    def new_article(self) -> KnowledgeAuthoring:
        self.page.get_by_role("link", name="New article").click()
        return self

    def write(self, *, title: str, body: str, summary: str = "", keywords: str = "") -> None:
        form = self.page.get_by_test_id("kb-article-form")
        form.get_by_label("Title").fill(title)
        form.get_by_label("Summary").fill(summary)
        form.get_by_label("Body").fill(body)
        form.get_by_label("Keywords").fill(keywords)

    def save_draft(self) -> None:
        self.page.get_by_role("button", name="Save draft").click()

    def publish(self) -> None:
        self.page.get_by_role("button", name="Publish", exact=True).click()

    @property
    def state(self) -> Locator:
        return self.page.get_by_test_id("kb-state")


class AgentTicketWork:
    """The agent ticket page's other work forms: duplicate, redirect, take, plan, canned reply."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.ticket = AgentTicketPage(page)

    def mark_duplicate_of(self, first: str) -> None:
        self.ticket.open_work_form("Duplicate of the first report")
        form = self.ticket.form("duplicate")
        form.get_by_label("First report (number)").fill(first)
        form.get_by_role("button", name="Mark as duplicate").click()

    def redirect_to(self, help_desk: str, note: str = "") -> None:
        self.ticket.open_work_form("Belongs to another help desk")
        form = self.ticket.form("redirect")
        form.get_by_label("Help desk").select_option(label=help_desk)
        form.get_by_label("Note for the requester").fill(note)
        form.get_by_role("button", name="Redirect").click()

    def take(self, *, give_to: str = "", approval: str = "") -> None:
        self.ticket.open_work_form("Take it")
        form = self.ticket.form("take")
        if give_to:
            form.get_by_label("Give to (leads; empty: me)").select_option(label=give_to)
        if approval:
            form.get_by_label("Supervisor approval", exact=False).fill(approval)
        form.get_by_role("button", name="Take").click()

    def assign(self, *, assignee: str, approval: str = "") -> None:
        self.ticket.open_work_form("Assign")
        form = self.ticket.form("assign")
        form.get_by_label("Assignee").select_option(label=assignee)
        if approval:
            form.get_by_label("Supervisor approval", exact=False).fill(approval)
        form.get_by_role("button", name="Assign").click()

    def insert_canned(self, title: str) -> None:
        picker = self.page.get_by_label("Insert a canned response")
        option = picker.locator("option", has_text=title).first
        picker.select_option(value=option.get_attribute("value"))

    @property
    def reply_box(self) -> Locator:
        return self.ticket.form("comment").get_by_label("Reply or note")

    def send(self) -> None:
        self.ticket.form("comment").get_by_role("button", name="Send").click()


class QueuePage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str, queue: str) -> QueuePage:
        self.page.goto(f"{base_url}/workspace/queues/{queue}/")
        return self

    def search(self, text: str) -> None:
        self.page.get_by_label("Search").fill(text)
        self.page.get_by_role("button", name="Apply").first.click()

    @property
    def rows(self) -> Locator:
        return self.page.get_by_test_id("queue-row")

    def row(self, number: str) -> Locator:
        return self.rows.filter(has_text=number)

    def save_view(self, name: str) -> None:
        form = self.page.get_by_test_id("save-view")
        form.get_by_label("Save these filters as a view named").fill(name)
        form.get_by_role("button", name="Save view").click()

    def nav_view(self, name: str) -> Locator:
        return self.page.get_by_test_id("nav-view").filter(has_text=name)

    def rename_view(self, name: str) -> None:
        self.page.locator("summary", has_text="Rename or delete this view").click()
        self.page.get_by_label("New name").fill(name)
        self.page.get_by_role("button", name="Rename").click()

    def delete_view(self) -> None:
        self.page.locator("summary", has_text="Rename or delete this view").click()
        self.page.get_by_role("button", name="Delete this view").click()


class CannedResponsesPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str) -> CannedResponsesPage:
        self.page.goto(f"{base_url}/workspace/canned/")
        return self

    def add(self, title: str, text: str, audience: str = "Only me") -> None:
        form = self.page.get_by_test_id("canned-form")
        form.get_by_label("Title").fill(title)
        form.get_by_label("Text").fill(text)
        form.get_by_label("Who can use it").select_option(label=audience)
        form.get_by_role("button", name="Save response").click()

    @property
    def items(self) -> Locator:
        return self.page.get_by_test_id("canned-item")


class StatusPage:
    """The portal's system status: what is wrong now, planned maintenance, recent history."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str) -> StatusPage:
        self.page.goto(f"{base_url}/portal/status/")
        return self

    @property
    def current(self) -> Locator:
        return self.page.get_by_test_id("status-current")

    @property
    def planned(self) -> Locator:
        return self.page.get_by_test_id("status-planned")


class Deflection:
    """ "Is this your issue?" and suggested articles under a form's short description."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def panel(self) -> Locator:
        return self.page.get_by_test_id("deflection")

    @property
    def known_issues(self) -> Locator:
        return self.panel.get_by_test_id("known-issue")

    @property
    def suggested_articles(self) -> Locator:
        return self.panel.get_by_test_id("suggested-articles").get_by_role("link")

    def open_article(self, title: str) -> Page:
        """Suggestions open in a new tab, so that the half-typed form stays where it is."""
        with self.page.context.expect_page() as opened:
            self.suggested_articles.filter(has_text=title).click()
        return opened.value

    def add_me_as_affected(self) -> TicketPage:
        self.panel.get_by_role("button", name="Add me as affected").first.click()
        return TicketPage(self.page)


class QueueBulkForm:
    """The tick boxes of a queue page (`QueuePage`) and the bulk form under them."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def total(self) -> Locator:
        return self.page.get_by_test_id("queue-total")

    @property
    def messages(self) -> Locator:
        return self.page.get_by_role("status")

    def select(self, number: str) -> None:
        self.page.get_by_label(f"Select {number}").check()

    def select_as(self, shown: str, sent: str) -> None:
        """Tick `shown` but send `sent`: what a page left open while the ticket moved away, or
        a hand-made request, sends."""
        self.page.get_by_label(f"Select {shown}").evaluate(
            "(box, number) => { box.checked = true; box.value = number; }", sent
        )

    def apply(self, action: str, *, state: str = "", note: str = "", parent: str = "") -> None:
        form = self.page.get_by_test_id("queue")
        form.get_by_label("Action", exact=True).select_option(label=action)
        if state:
            form.get_by_label("New state").select_option(label=state)
        if note:
            form.get_by_label("Note", exact=True).fill(note)
        if parent:
            form.get_by_label("Parent", exact=True).fill(parent)
        form.get_by_role("button", name="Apply").click()


class NewQueueReviewBanner:
    """The uncategorized queue's odd-hour review banner (the school district's SLA procedure) and
    its "Mark queue reviewed" button."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str) -> NewQueueReviewBanner:
        self.page.goto(f"{base_url}/workspace/queues/uncategorized/")
        return self

    @property
    def rows(self) -> Locator:
        return self.page.get_by_test_id("queue-row")

    @property
    def banner(self) -> Locator:
        return self.page.get_by_role("region", name="Odd-hour review")

    def mark_reviewed(self) -> None:
        self.banner.get_by_role("button", name="Mark queue reviewed").click()


class ReportsDashboard:
    """The reports page: filters, a chart per figure and its table, a click on a bar."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str) -> ReportsDashboard:
        self.page.goto(f"{base_url}/workspace/reports/")
        return self

    def filter_by_group(self, name: str) -> None:
        filters = self.page.get_by_test_id("report-filters")
        filters.get_by_label("Group", exact=True).select_option(label=name)
        filters.get_by_role("button", name="Show").click()
        self.page.wait_for_load_state()

    def chart(self, figure: str) -> Locator:
        return self.page.get_by_test_id(f"chart-{figure}")

    def table(self, figure: str) -> Locator:
        return self.page.get_by_test_id(f"table-{figure}")

    def figure_in_table(self, figure: str, row: str, column: int = 0) -> int:
        cells = self.table(figure).get_by_role("row").filter(has_text=row).locator("td")
        text = cells.nth(column).inner_text().strip()
        return int(text) if text.isdigit() else 0

    def click_bar(self, figure: str, index: int, dataset: int = 0) -> None:
        """Click the middle of one bar, where Chart.js drew it."""
        canvas = self.chart(figure)
        canvas.and_(self.page.locator("[data-drawn=true]")).wait_for()
        where = canvas.evaluate(
            """(canvas, [dataset, index]) => {
                const bar = Chart.getChart(canvas).getDatasetMeta(dataset).data[index];
                return {x: bar.x, y: (bar.y + bar.base) / 2};
            }""",
            [dataset, index],
        )
        canvas.click(position=where)


class DrillDownList:
    def __init__(self, page: Page) -> None:
        self.page = page

    def numbers(self) -> set[str]:
        cells = self.page.get_by_test_id("drill-tickets").locator("td.ticket-number")
        return {text.strip() for text in cells.all_inner_texts()}


class PasswordResetPages:
    """Forgot your password? (the sign-in's own pages): ask for a link, then choose a new
    password where it leads."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def request_link(self, email: str) -> Locator:
        self.page.get_by_role("link", name="Forgot your password?").click()
        self.page.get_by_label("Email").fill(email)
        self.page.get_by_role("button", name="Reset My Password").click()
        return self.page.get_by_text("We have sent you an email.")

    def choose(self, password: str) -> None:
        self.page.get_by_label("New Password", exact=True).fill(password)
        self.page.get_by_label("New Password (again)").fill(password)
        self.page.get_by_role("button", name="Change Password").click()

    def error(self) -> Locator:
        return self.page.locator("form").filter(has_text="New Password")

    @property
    def complete(self) -> Locator:
        return self.page.get_by_text("Your password is now changed.")


class DeclareMajorIncidentPage:
    """Declaring an incident major: the status page's message and the related reports."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @classmethod
    def from_ticket(cls, ticket: AgentTicketPage) -> DeclareMajorIncidentPage:
        ticket.page.get_by_role("link", name="Declare a major incident…").click()
        return cls(ticket.page)

    @property
    def candidates(self) -> Locator:
        return self.page.get_by_test_id("candidates").locator("tbody tr")

    def declare(self, message: str, attach: list[str]) -> MajorIncidentPage:
        self.page.get_by_label("Message for the status page").fill(message)
        for number in attach:
            self.page.get_by_label(number, exact=True).check()
        self.page.get_by_role("button", name="Declare major incident").click()
        return MajorIncidentPage(self.page)


class MajorIncidentPage:
    """A major incident: scope, child incidents, the composer, corrections, resolution."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def state(self) -> Locator:
        return self.page.get_by_test_id("major-state")

    def scope(self, part: str) -> Locator:
        """tickets, people, users, channels, agencies or services."""
        return self.page.get_by_test_id(f"scope-{part}")

    @property
    def children(self) -> Locator:
        return self.page.get_by_test_id("children").locator("tbody tr")

    @property
    def communications(self) -> Locator:
        return self.page.get_by_test_id("communications").locator("> li")

    def error(self, field: str) -> Locator:
        return self.page.get_by_test_id(f"error-{field}")

    def send_update(self, stage: str, message: str, audiences: list[str]) -> None:
        form = self.page.get_by_test_id("form-major-update")
        form.get_by_label("Stage").select_option(label=stage)
        form.get_by_label("Update", exact=True).fill(message)
        for audience in form.get_by_role("checkbox").all():
            audience.uncheck()
        for label in audiences:
            form.get_by_label(label, exact=True).check()
        form.get_by_role("button", name="Send update").click()

    def correct(self, which: Locator, text: str) -> None:
        which.locator("summary", has_text="Correct or withdraw").click()
        which.get_by_label("Corrected text").fill(text)
        which.get_by_role("button", name="Send correction").click()

    def resolve(self, message: str) -> None:
        form = self.page.get_by_test_id("form-major-resolve")
        form.get_by_label("How was the service restored?").fill(message)
        form.get_by_role("button", name="Resolve everything").click()


class SlaChartAdmin:
    """The admin's SLA pages: which target wins for a described ticket, the rule form's lint,
    and a category's change form."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.page = page
        self.base_url = base_url

    def explain(self, **choices: str) -> Locator:
        """Describe a ticket by the chart form's labels → option labels; the verdicts table."""
        self.page.goto(f"{self.base_url}/admin/sla/slarule/chart/")
        for label, option in choices.items():
            field = self.page.get_by_label(_admin_label(label.replace("_", " ")))
            field.select_option(label=option)
        self.page.get_by_role("button", name="Show the targets").click()
        return self.page.get_by_test_id("chart-verdicts")

    def verdict(self, metric: str) -> Locator:
        return self.page.get_by_test_id(f"verdict-{metric}")

    def add_rule(self, *, metric: str, position: int, name: str, target: str, minutes: int) -> None:
        self.page.goto(f"{self.base_url}/admin/sla/slarule/add/")
        self.page.get_by_label("Metric").select_option(label=metric)
        self.page.get_by_label("Position").fill(str(position))
        self.page.get_by_label("Name").fill(name)
        self.page.get_by_label("Target kind").select_option(label=target)
        self.page.get_by_label("Minutes").fill(str(minutes))
        self.page.get_by_role("button", name="Save", exact=True).click()

    @property
    def errors(self) -> Locator:
        return self.page.locator(".errornote, .errorlist")

    def rename_category(self, pk: int, name: str) -> None:
        self.page.goto(f"{self.base_url}/admin/catalog/category/{pk}/change/")
        self.page.get_by_label(_admin_label("Name")).fill(name)
        self.page.get_by_role("button", name="Save", exact=True).click()


def _admin_label(text: str) -> re.Pattern[str]:
    """The admin's labels end in a colon."""
    return re.compile(rf"^{re.escape(text)}:?$")


class LogCallPage:
    """The workspace's Log a call: the caller found by name, the call prioritized on entry."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.form = page.get_by_test_id("call-form")

    def open(self, base_url: str) -> LogCallPage:
        self.page.goto(f"{base_url}/workspace/call/")
        return self

    def caller(self, name: str) -> None:
        self.page.get_by_label("Find the caller (name or e-mail)").fill(name)
        self.page.get_by_test_id("callers").get_by_label(re.compile(name)).check()

    def choose(self, label: str, option: str) -> None:
        self.form.get_by_label(label, exact=True).select_option(label=option)

    def offered(self, label: str) -> Locator:
        return offered(self.form.get_by_label(label, exact=True))

    def describe(self, text: str) -> None:
        self.form.get_by_label("Short description").fill(text)

    def submit(self) -> None:
        self.form.get_by_role("button", name="Log the call").click()

    def error(self, field: str) -> Locator:
        return self.page.get_by_test_id(f"error-{field}")


class SlaSimulator:
    """The admin's SLA simulator: a calendar, a target, a local start, pauses → due, and why."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.form = page.get_by_test_id("simulator")

    def open(self, base_url: str) -> SlaSimulator:
        self.page.goto(f"{base_url}/admin/sla/businesscalendar/simulator/")
        return self

    def fill(self, calendar: str, minutes: int, start: str, pauses: str = "") -> None:
        self.form.get_by_label("Calendar").select_option(label=calendar)
        self.form.get_by_label("Target kind").select_option(value="duration")
        self.form.get_by_label("Minutes").fill(str(minutes))
        self.form.get_by_label("Start").fill(start)
        self.form.get_by_label("Pauses").fill(pauses)

    def read_repeated_hour_as(self, which: str) -> None:
        """`which`: "The earlier instant" or "The later instant"."""
        self.form.get_by_label(re.compile(which)).check()

    def simulate(self) -> None:
        self.form.get_by_role("button", name="Simulate").click()

    @property
    def due(self) -> Locator:
        return self.page.get_by_test_id("due")

    @property
    def notes(self) -> Locator:
        return self.page.get_by_test_id("local-time-note")

    @property
    def errors(self) -> Locator:
        return self.page.locator(".errorlist")


class CalendarAdmin:
    """A business calendar's admin page: hours per weekday, closures, the 30-day preview."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str, pk: int) -> CalendarAdmin:
        self.page.goto(f"{base_url}/admin/sla/businesscalendar/{pk}/change/")
        return self

    def hours(self, weekday: str, text: str) -> None:
        self.page.get_by_label(re.compile(f"^{weekday}:?$")).fill(text)

    def add_closure(
        self, name: str, first: str, last: str = "", open_hours: str = "", row: int = 0
    ) -> None:
        """Fills the closure form of `row` (the first empty one when the calendar has `row`
        closures); dates as YYYY-MM-DD."""

        def field(name: str) -> Locator:
            return self.page.locator(f"input[name='closures-{row}-{name}']")

        field("date").fill(first)
        if last:
            field("last_day").fill(last)
        field("name").fill(name)
        if open_hours:
            field("open_hours").fill(open_hours)

    def save_and_continue(self) -> None:
        self.page.get_by_role("button", name="Save and continue editing").click()

    @property
    def preview_days(self) -> Locator:
        return self.page.get_by_test_id("preview-day")

    @property
    def errors(self) -> Locator:
        return self.page.locator(".errorlist")


class HolidayImportPage:
    def __init__(self, page: Page) -> None:
        self.page = page
        self.form = page.get_by_test_id("holiday-import")

    def open(self, base_url: str, pk: int) -> HolidayImportPage:
        self.page.goto(f"{base_url}/admin/sla/businesscalendar/{pk}/holidays/")
        return self

    def ask(self, country: str, subdivision: str, first_year: int, last_year: int) -> None:
        self.form.get_by_label("Country").fill(country)
        self.form.get_by_label("Subdivision").fill(subdivision)
        self.form.get_by_label("First year").fill(str(first_year))
        self.form.get_by_label("Last year").fill(str(last_year))
        self.form.get_by_role("button", name="Show the holidays").click()

    def holiday(self, name: str) -> Locator:
        return self.form.get_by_label(re.compile(f"{re.escape(name)} —"))

    def keep_ticked(self) -> None:
        self.form.get_by_role("button", name="Import the ticked holidays").click()


class MailboxAdminPage:
    """A mailbox in the admin, with its OAuth 2.0 connection."""

    def __init__(self, page: Page, base_url: str, pk: int) -> None:
        self.page = page
        self.url = f"{base_url}/admin/mail/mailbox/{pk}/change/"

    def open(self) -> MailboxAdminPage:
        self.page.goto(self.url)
        return self

    def connect(self) -> None:
        """Off to the provider's sign-in, and back to this page."""
        self.page.get_by_role("link", name="Connect", exact=True).click()
        self.page.wait_for_url(self.url)

    def disconnect(self) -> None:
        self.page.get_by_role("button", name="Disconnect").click()
        self.page.wait_for_url(self.url)

    @property
    def connection(self) -> Locator:
        return self.page.locator("#oauth-connection")

    @property
    def messages(self) -> Locator:
        return self.page.locator("ul.messagelist")


class PortalChat:
    """The employee's chat: started from the portal, then the live conversation."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def start_from_home(self, base_url: str, topic: str) -> PortalChat:
        self.page.goto(f"{base_url}/portal/")
        self.page.get_by_test_id("chat-link").click()
        self.page.get_by_label("What is it about? (optional)").fill(topic)
        self.page.get_by_role("button", name="Start the chat").click()
        return self

    @property
    def status(self) -> Locator:
        return self.page.get_by_test_id("chat-status")

    @property
    def lines(self) -> Locator:
        return self.page.get_by_test_id("chat-log").locator("li")

    def line(self, text: str) -> Locator:
        return self.page.get_by_test_id("chat-log").locator("li", has_text=text)

    def side_of(self, text: str) -> str:
        """Where the line shows in the conversation: "left" or "right"."""
        log = self.page.get_by_test_id("chat-log").bounding_box()
        line = self.line(text).bounding_box()
        assert log is not None and line is not None
        left_gap = line["x"] - log["x"]
        right_gap = (log["x"] + log["width"]) - (line["x"] + line["width"])
        return "right" if left_gap > right_gap else "left"

    def send(self, text: str, file: FilePayload | None = None) -> None:
        if file is not None:
            self.page.get_by_label("File").set_input_files(file)
        self.page.get_by_label("Message").fill(text)
        self.page.get_by_label("Message").press("Enter")


class ChatDesk:
    """The agents' chat desk and one chat held there."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, base_url: str) -> ChatDesk:
        self.page.goto(f"{base_url}/workspace/chat/")
        return self

    def take_chats(self) -> None:
        self.page.get_by_role("button", name="Take chats").click()

    @property
    def waiting_count(self) -> Locator:
        return self.page.get_by_test_id("waiting-count")

    def accept_oldest(self) -> PortalChat:
        self.page.get_by_test_id("accept-chat").first.click()
        return PortalChat(self.page)  # the same conversation, from the desk's side

    def make_ticket(self, short_description: str) -> None:
        form = self.page.get_by_test_id("chat-to-ticket")
        form.get_by_label("Make it a ticket").fill(short_description)
        form.get_by_role("button", name="Create ticket").click()

    @property
    def ticket(self) -> Locator:
        return self.page.get_by_test_id("chat-ticket")


class MailDesk:
    """The mail desk: held mail with why it was held, released or discarded, and the decisions."""

    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def nav_link(self) -> Locator:
        """The workspace nav's "Held mail" link, with the count; shown to reviewers only."""
        return self.page.get_by_test_id("nav-held-mail")

    def open_from_nav(self, base_url: str) -> MailDesk:
        self.page.goto(f"{base_url}/workspace/")
        self.nav_link.click()
        return self

    @property
    def held(self) -> Locator:
        return self.page.get_by_test_id("held-message")

    def held_from(self, sender: str) -> Locator:
        return self.held.filter(has_text=sender)

    def release(self, sender: str, note: str) -> None:
        message = self.held_from(sender)
        message.get_by_label("Why release it").fill(note)
        message.get_by_role("button", name="Release").click()

    def discard(self, sender: str, note: str) -> None:
        message = self.held_from(sender)
        message.get_by_label("Why discard it").fill(note)
        message.get_by_role("button", name="Discard").click()

    @property
    def decisions(self) -> Locator:
        return self.page.get_by_test_id("review-entry")

    def open_ticket_of_decision(self) -> None:
        self.decisions.first.get_by_test_id("review-ticket").click()
