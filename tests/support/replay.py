"""Replay recorded HTTP exchanges from a real server on 127.0.0.1, for platforms that cannot run here.

Fixtures are JSON files shaped exactly like the platform's documented API:

    {"name": "statuses with a mention",
     "request":  {"method": "GET", "path": "/api/v1/timelines/home", "query": {"limit": "40"}},
     "response": {"status": 200, "headers": {"Link": "<…>; rel=\\"next\\""}, "json": [...]}}

`query` (and `json_body`/`form_body`, if given) must be contained in the request; `times` limits how often an
exchange answers (default: any number); exchanges are tried in the order given. Any request that matches
nothing gets HTTP 599 and is recorded in `unmatched`, so a test can fail with the exact request shown.
Every request received is kept in `received` (method, path, query, headers, body) for assertions about what
Kapwa sent to the platform.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "http"


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode()))


@dataclass
class Exchange:
    request: dict
    response: dict
    name: str = ""
    times: int | None = None
    used: int = 0

    def matches(self, r: Received) -> bool:
        req = self.request
        if req.get("method", "GET").upper() != r.method or req["path"] != r.path:
            return False
        if any(r.query.get(k) != str(v) for k, v in (req.get("query") or {}).items()):
            return False
        if "json_body" in req:
            try:
                body = r.json()
            except ValueError:
                return False
            if not isinstance(body, dict) or any(body.get(k) != v for k, v in req["json_body"].items()):
                return False
        if "form_body" in req and any(r.form().get(k) != str(v) for k, v in req["form_body"].items()):
            return False
        return self.times is None or self.used < self.times


def load(*names: str) -> list[Exchange]:
    """Load fixture files, e.g. load("mastodon/home_timeline.json"); a file may hold one exchange or a list."""
    out = []
    for name in names:
        data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
        for d in data if isinstance(data, list) else [data]:
            out.append(Exchange(request=d["request"], response=d["response"], name=d.get("name", name),
                                times=d.get("times")))
    return out


@dataclass
class ReplayServer:
    exchanges: list[Exchange] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    unmatched: list[Received] = field(default_factory=list)

    def __enter__(self) -> ReplayServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                r = Received(self.command, parts.path, dict(parse_qsl(parts.query, keep_blank_values=True)),
                             {k.lower(): v for k, v in self.headers.items()}, body)
                server.received.append(r)
                ex = next((e for e in server.exchanges if e.matches(r)), None)
                if ex is None:
                    server.unmatched.append(r)
                    self._send(599, {"Content-Type": "application/json"},
                               json.dumps({"error": f"no recorded exchange for {r.method} {r.path} {r.query}"}).encode())
                    return
                ex.used += 1
                resp = ex.response
                headers = dict(resp.get("headers") or {})
                if "json" in resp:
                    payload = json.dumps(resp["json"]).encode()
                    headers.setdefault("Content-Type", "application/json; charset=utf-8")
                else:
                    payload = (resp.get("body") or "").encode()
                    headers.setdefault("Content-Type", "text/plain; charset=utf-8")
                payload = payload.replace(b"{base_url}", server.base_url.encode())
                self._send(int(resp.get("status", 200)), headers, payload)

            def _send(self, status, headers, payload):
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, str(v).replace("{base_url}", server.base_url))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def add(self, *exchanges: Exchange) -> None:
        self.exchanges.extend(exchanges)

    def sent(self, method: str, path: str) -> list[Received]:
        return [r for r in self.received if r.method == method and r.path == path]
