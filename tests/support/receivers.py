"""A local HTTP receiver on a thread: the alert webhook's far end, for the alert tests."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@pytest.fixture
def http_receiver():
    received: list[dict] = []
    # What to answer next (default 200): a status code, or (status, Location) for a redirect.
    answers: list[int | tuple[int, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            received.append(
                {
                    "method": "POST",
                    "path": self.path,
                    "headers": dict(self.headers),
                    "json": json.loads(body) if body else None,
                }
            )
            self._answer()

        def do_GET(self) -> None:
            received.append({"method": "GET", "path": self.path, "headers": dict(self.headers), "json": None})
            self._answer()

        def _answer(self) -> None:
            answer = answers.pop(0) if answers else 200
            code, location = answer if isinstance(answer, tuple) else (answer, None)
            self.send_response(code)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.received, server.answers = received, answers
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
