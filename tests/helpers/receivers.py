"""Real local receivers for outbound messages: an HTTP server and an SMTP server, on free ports."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller

from tests.e2e.harness import free_port


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookReceiver:
    """http.server in a thread, recording every POST; `status` and `delay_s` set its answer."""

    port: int = field(default_factory=free_port)
    status: int = 200
    delay_s: float = 0.0
    requests: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/siaga"

    def start(self) -> WebhookReceiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                with receiver._lock:
                    receiver.requests.append(Received(self.path, dict(self.headers), body))
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                self.send_response(receiver.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def deliveries(self) -> list[str]:
        with self._lock:
            return [r.headers.get("X-Siaga-Delivery", "") for r in self.requests]


class MailReceiver:
    """aiosmtpd's Controller on a free port, keeping every message it accepts."""

    def __init__(self) -> None:
        self.messages: list = []
        self.envelopes: list = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                receiver.envelopes.append(envelope)
                receiver.messages.append(
                    message_from_bytes(envelope.original_content, policy=policy.default)
                )
                return "250 Message accepted for delivery"

        self.port = free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> MailReceiver:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()
