"""A loopback fake of ZATCA's reporting and clearance APIs (`/invoices/reporting/single`,
`/invoices/clearance/single`) for the worker's tests: a real HTTP server on 127.0.0.1, in a thread.

Unscripted, it answers as ZATCA does: 200 the first time it gets a document (`REPORTED`, or `CLEARED` with the
invoice as `clearedInvoice`) and 409 `REPORTED_SUCCESSFULLY_EARLIER` for a hash it already accepted. `script(...)`
queues answers for the next calls, one per call: `(status, body)` or `DROP` (the connection closed unanswered).
Every request is kept (`received`); `hold()` makes answers wait until `release()`.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DROP = "drop"
REPORTING, CLEARANCE = "/invoices/reporting/single", "/invoices/clearance/single"


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


def validation(
    *, errors: Sequence[dict[str, str]] = (), warnings: Sequence[dict[str, str]] = ()
) -> dict[str, Any]:
    """ZATCA's `validationResults`."""
    return {
        "infoMessages": [
            {"type": "INFO", "code": "XSD_ZATCA_VALID", "category": "XSD validation", "status": "PASS"}
        ],
        "warningMessages": list(warnings),
        "errorMessages": list(errors),
        "status": "ERROR" if errors else "WARNING" if warnings else "PASS",
    }


def message(kind: str, code: str, text: str) -> dict[str, str]:
    return {"type": kind, "code": code, "category": "KSA", "message": text, "status": kind}


def reported(*, warnings: Sequence[dict[str, str]] = ()) -> tuple[int, dict[str, Any]]:
    return (202 if warnings else 200), {
        "validationResults": validation(warnings=warnings),
        "reportingStatus": "REPORTED",
    }


def not_reported(errors: Sequence[dict[str, str]]) -> tuple[int, dict[str, Any]]:
    return 400, {"validationResults": validation(errors=errors), "reportingStatus": "NOT_REPORTED"}


def reported_earlier() -> tuple[int, dict[str, Any]]:
    return 409, {
        "message": "Invoice Hash Previously Submitted",
        "reportingStatus": "REPORTED_SUCCESSFULLY_EARLIER",
    }


class FakeZatca:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.accepted: Counter[str] = Counter()  # invoiceHash: times answered 200 or 202
        self.got_request = threading.Event()
        self._script: deque[tuple[int, dict[str, Any]] | str] = deque()
        self._go = threading.Event()
        self._go.set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/e-invoicing/simulation"

    def start(self) -> FakeZatca:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._go.set()
        self._server.shutdown()
        self._server.server_close()

    def script(self, *answers: tuple[int, dict[str, Any]] | str) -> None:
        with self._lock:
            self._script.extend(answers)

    def hold(self) -> None:
        self._go.clear()

    def release(self) -> None:
        self._go.set()

    def answer(
        self, path: str, headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]] | str:
        with self._lock:
            self.received.append(Received(path, headers, body))
        self.got_request.set()
        self._go.wait(timeout=30)
        with self._lock:
            answer = self._script.popleft() if self._script else self._default(path, body)
            if isinstance(answer, tuple) and answer[0] in (200, 202):
                self.accepted[body.get("invoiceHash", "")] += 1
        return answer

    def _default(self, path: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if self.accepted[body.get("invoiceHash", "")]:
            return reported_earlier()
        if path.endswith(CLEARANCE):
            return 200, {
                "validationResults": validation(),
                "clearanceStatus": "CLEARED",
                "clearedInvoice": body.get("invoice", ""),
            }
        return reported()


def _handler(fake: FakeZatca) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body = json.loads(raw)
            except ValueError:
                body = {"unreadable": raw.decode("utf-8", "replace")}
            answer = fake.answer(self.path, dict(self.headers.items()), body)
            if answer == DROP:
                self.close_connection = True
                return
            status, payload = answer
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet in the test output
            pass

    return Handler
