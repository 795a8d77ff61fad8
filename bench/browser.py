"""The page benchmarks' client: a signed-in visitor, and its timed requests."""

from __future__ import annotations

import http.cookiejar
import time
import urllib.parse
import urllib.request

REQUEST_TIMEOUT = 30  # seconds; a page slower than this is a finding in itself


class Browser:
    """A signed-in visitor with its own cookies; urllib only, so no extra dependency."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))

    def get(self, path: str) -> None:
        """Fetch and read a page; fail on an error or on being sent somewhere else (the login)."""
        with self.opener.open(self.base + path, timeout=REQUEST_TIMEOUT) as response:
            response.read()
            landed = urllib.parse.urlsplit(response.url).path
        if landed != urllib.parse.urlsplit(path).path:
            raise RuntimeError(f"{path} ended on {landed}: not signed in?")

    def sign_in(self, username: str, password: str) -> None:
        login = f"{self.base}/accounts/login/"
        with self.opener.open(login, timeout=REQUEST_TIMEOUT) as response:
            response.read()
        token = next(cookie.value for cookie in self.cookies if cookie.name == "csrftoken")
        # The sign-in form (django-allauth) names the account field "login".
        form = {"login": username, "password": password, "csrfmiddlewaretoken": token or ""}
        request = urllib.request.Request(
            login, data=urllib.parse.urlencode(form).encode(), headers={"Referer": login}
        )
        with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            response.read()
            if urllib.parse.urlsplit(response.url).path == "/accounts/login/":
                raise RuntimeError(f"could not sign in as {username}")


def time_requests(browser: Browser, path: str, warm_up: int, samples: int) -> list[float]:
    for _ in range(warm_up):
        browser.get(path)
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        browser.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return timings
