"""The HTTP side: a threaded server on 127.0.0.1 speaking the live API's wire format."""

from __future__ import annotations

import json
import logging
import socket
import sys
import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from .config import SandboxConfig
from .engine import Engine, Prepared
from .faults import FaultInjector
from .schema import build_sandbox_schema
from .state import SandboxState
from .stats import ServerStats
from .throttle import LeakyBucket
from .world import build_state

log = logging.getLogger(__name__)
ENDPOINT_PATHS = ("/v1/graphql", "/graphql")
BAD_GATEWAY_HTML = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    sandbox: SandboxServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (timeout, cancelled sync) is normal here, not a traceback on stderr."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            log.debug("client %s went away", client_address)
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall
    server_version = "OrderchampSandbox/1.0"
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    # ------------------------------------------------------------------ writing

    def _send(
        self, status: int, body: bytes, content_type: str | None, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8", headers)

    def _drop(self) -> None:
        """Close the connection without a byte of response (the client cannot know the outcome)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ------------------------------------------------------------------ verbs

    def do_GET(self) -> None:
        self._send_json(405, {"errors": [{"message": "Use POST with a JSON body."}]}, {"Allow": "POST"})

    def do_POST(self) -> None:
        sandbox = self.server.sandbox
        sandbox.stats.count_request()
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?")[0] not in ENDPOINT_PATHS:
            self._send_json(404, {"errors": [{"message": f"No endpoint at {self.path}."}]})
            return
        fault = sandbox.faults.next_fault()
        if fault == "slow":
            sandbox.stats.count_fault(fault)
            time.sleep(sandbox.faults.slow_seconds)
        elif fault is not None:
            sandbox.stats.count_fault(fault)
            self._fault(fault)
            return
        if self.headers.get("Authorization", "") != f"Bearer {sandbox.token}":
            sandbox.stats.count("unauthorized")
            self._send_json(
                401,
                {"errors": [{"message": "Unauthenticated.", "extensions": {"code": "UNAUTHENTICATED"}}]},
                {"WWW-Authenticate": "Bearer"},
            )
            return
        self._graphql(sandbox, raw)

    def _graphql(self, sandbox: SandboxServer, raw: bytes) -> None:
        try:
            body = json.loads(raw.decode("utf-8"), parse_float=Decimal)
        except (UnicodeDecodeError, ValueError):
            self._send_json(400, {"errors": [{"message": "The request body is not valid JSON."}]})
            return
        prepared = sandbox.engine.prepare(body)
        if not isinstance(prepared, Prepared):
            self._send_json(*prepared)
            return
        sandbox.stats.count_received(prepared.operation_name, prepared.root_fields)
        status, payload = sandbox.engine.run(prepared)
        executed = "data" in payload  # a throttled or too-expensive mutation did not run: answer it
        if prepared.is_mutation and executed and sandbox.faults.take_drop_after(prepared.root_fields):
            sandbox.stats.count_fault("drop_response_after")
            self._drop()
            return
        if executed and (failed := sandbox.faults.fail_fields(prepared.operation_name, payload["data"])):
            sandbox.stats.count_fault("field_failed")
            payload = {**payload, "errors": [*payload.get("errors", []), *failed]}
        self._send_json(status, payload)

    def _fault(self, kind: str) -> None:
        if kind == "drop":
            self._drop()
        elif kind == "429":
            self._send(429, b"", None)
        elif kind == "429_retry_after":
            self._send(429, b"", None, {"Retry-After": str(self.server.sandbox.faults.retry_after)})
        elif kind == "500":
            self._send_json(500, {"message": "Server Error"})
        elif kind == "502_html":
            self._send(502, BAD_GATEWAY_HTML.encode(), "text/html")
        elif kind == "malformed_json":
            self._send(200, b'{"data": {"orders": {"nodes": [{"id": "T3JkZXI6', "application/json")


class SandboxServer:
    """A local Orderchamp-shaped GraphQL server on 127.0.0.1, serving from a background thread.

    ``SandboxServer(config).start()`` (or ``with SandboxServer(config) as server:``), then point a
    client at ``server.url`` with ``server.token``. ``state`` is the live world, ``faults`` the
    fault injector, ``stats`` the counters, ``bucket`` the throttle.
    """

    def __init__(
        self, config: SandboxConfig | None = None, *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.config = config or SandboxConfig()
        self.host = host
        self.requested_port = port
        self.state: SandboxState = build_state(self.config)
        self.schema = build_sandbox_schema(self.config)
        self.bucket = LeakyBucket(self.config.bucket_size, self.config.restore_rate, self.config.clock)
        self.stats = ServerStats()
        self.faults = FaultInjector()
        self.engine = Engine(self.config, self.state, self.schema, self.bucket, self.stats)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the sandbox server is not running")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The full endpoint, e.g. http://127.0.0.1:54321/v1/graphql."""
        return f"http://{self.host}:{self.port}/v1/graphql"

    def start(self) -> SandboxServer:
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.requested_port), _Handler)
        httpd.sandbox = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="orderchamp-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def run_standalone(port: int, config: SandboxConfig | None = None) -> None:
    """Serve until Ctrl+C, printing the URL and token (``orderchamp-desktop sandbox --port N``)."""
    server = SandboxServer(config or SandboxConfig(), port=port).start()
    state = server.state
    print(f"Orderchamp sandbox listening on {server.url}", flush=True)
    print(f"Token: {server.token}", flush=True)
    print(
        f"{len(state.products)} products, {len(state.variants)} variants, {len(state.orders)} orders. "
        "Press Ctrl+C to stop.",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("Stopping the sandbox.", flush=True)
    finally:
        server.stop()
