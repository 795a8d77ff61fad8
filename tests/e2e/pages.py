"""Page objects: one class per screen, so tests read as what a person does."""

from __future__ import annotations

from playwright.sync_api import Locator, Page


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

    @property
    def open_tickets(self) -> Locator:
        return self.page.get_by_test_id("open-tickets").locator("tbody tr")


class WorkspaceHome:
    def __init__(self, page: Page) -> None:
        self.page = page

    def count(self, name: str) -> int:
        return int(self.page.get_by_test_id(f"count-{name}").inner_text())
