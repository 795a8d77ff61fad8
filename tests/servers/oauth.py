"""A small OAuth 2.0 authorization server on a free loopback port, standing in for a mail
provider's (Microsoft's, Google's) sign-in, which cannot be reached from here.

It does what the desk relies on, as RFC 6749, 7636 (PKCE) and 7662 (introspection) say:
- `GET /authorize`: the admin "signs in" (as `account`, at once: the sign-in page itself is the
  provider's business) and is sent back to the redirect URI with a code, or with
  `error=access_denied` when `deny_next` is set;
- `POST /token`: a code for tokens, only with the right client secret, redirect URI and PKCE
  verifier (S256); a refresh token for a new access token, rotating the refresh token as
  Microsoft does;
- `POST /introspect`: what Dovecot's OAuth2 password database asks (is this token active, whose
  is it).
Its counters let tests see when the desk refreshed a token.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

CLIENT_ID = "servicedesk-mail"
CLIENT_SECRET = "mail-client-secret"
ACCOUNT = "desk@example.org"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    challenge: str
    scope: str


@dataclass
class AuthorizationServer:
    port: int = 0
    account: str = ACCOUNT
    access_lifetime: int = 3600
    deny_next: bool = False
    # Replayed as the token endpoint's next answer (a cloud provider's, in its documented shape).
    replay_next: dict[str, Any] | None = None
    codes: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, tuple[str, float]] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    calls: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def active_account(self, token: str) -> str | None:
        with self.lock:
            account, expires = self.access_tokens.get(token, ("", 0.0))
        return account if account and expires > time.time() else None

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            self.refresh_tokens.clear()

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens = {t: (a, 0.0) for t, (a, _) in self.access_tokens.items()}

    # --- endpoints ---------------------------------------------------------------------------

    def authorize(self, query: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != CLIENT_ID or not redirect_uri:
            return 400, {}, b"unknown client or no redirect_uri"
        if query.get("code_challenge_method") != "S256" or not query.get("code_challenge"):
            return 400, {}, b"PKCE (S256) is required"
        answer: dict[str, str] = {"state": query.get("state", "")}
        if self.deny_next:
            self.deny_next = False
            answer.update(error="access_denied", error_description="The user declined.")
        else:
            code = secrets.token_urlsafe(24)
            with self.lock:
                self.codes[code] = Grant(
                    CLIENT_ID, redirect_uri, query["code_challenge"], query.get("scope", "")
                )
            answer["code"] = code
        return 302, {"Location": f"{redirect_uri}?{urlencode(answer)}"}, b""

    def _issue(self, account: str, scope: str) -> dict[str, Any]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.lock:
            self.access_tokens[access] = (account, time.time() + self.access_lifetime)
            self.refresh_tokens[refresh] = account
        claims = base64.urlsafe_b64encode(json.dumps({"email": account}).encode()).decode()
        return {
            "token_type": "Bearer",
            "access_token": access,
            "expires_in": self.access_lifetime,
            "refresh_token": refresh,
            "scope": scope,
            "id_token": f"eyJhbGciOiJub25lIn0.{claims.rstrip('=')}.",
        }

    def token(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if (form.get("client_id"), form.get("client_secret")) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        grant_type = form.get("grant_type", "")
        self.calls[grant_type] += 1
        if self.replay_next is not None:
            answer, self.replay_next = self.replay_next, None
            return 200, answer
        if grant_type == "authorization_code":
            with self.lock:
                grant = self.codes.pop(form.get("code", ""), None)
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if (
                grant is None
                or grant.redirect_uri != form.get("redirect_uri")
                or grant.challenge.encode() != challenge
            ):
                return 400, {"error": "invalid_grant", "error_description": "bad code or PKCE"}
            return 200, self._issue(self.account, grant.scope)
        if grant_type == "refresh_token":
            with self.lock:
                account = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if account is None:
                return 400, {"error": "invalid_grant", "error_description": "token revoked"}
            return 200, self._issue(account, "mail")
        return 400, {"error": "unsupported_grant_type"}

    def introspect(self, form: dict[str, str]) -> dict[str, Any]:
        self.calls["introspect"] += 1
        account = self.active_account(form.get("token", ""))
        return {"active": True, "email": account} if account else {"active": False}


def _handler(server: AuthorizationServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            body = json.dumps(payload).encode()
            self._send(status, {"Content-Type": "application/json"}, body)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {key: values[0] for key, values in parse_qs(url.query).items()}
            if url.path == "/authorize":
                self._send(*server.authorize(query))
            else:
                self._send(404, {}, b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {
                key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()
            }
            path = urlsplit(self.path).path
            if path == "/token":
                self._json(*server.token(form))
            elif path == "/introspect":
                self._json(200, server.introspect(form))
            else:
                self._send(404, {}, b"")

    return Handler


def run_authorization_server() -> Iterator[AuthorizationServer]:
    state = AuthorizationServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = int(httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
