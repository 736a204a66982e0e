"""A small OpenAI-compatible chat server on 127.0.0.1 that replays scripted answers.

The model endpoint is the one boundary the tests fake, and it still speaks real HTTP: litellm
(and the openai SDK under it) talk to this server exactly as they would to a provider.

    fake_llm.script(["plain answer", Status(429, retry_after=0), Slow(0.5, "late"), Malformed(),
                     ToolCall("run_tests", {"ids": ["t::a"]}), When("strategy b", "answer b")])

Every request body is recorded in `.requests` (parsed JSON), in arrival order. A request that
finds the script empty gets a 400, which the client does not retry.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

CHAT_PATHS = ("/v1/chat/completions", "/chat/completions")


@dataclass(frozen=True)
class Text:
    """A normal chat completion whose message content is `content`."""

    content: str
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Status:
    """An HTTP error answer (429 with Retry-After, 500, 503 ...)."""

    code: int
    retry_after: float | None = None
    message: str = "scripted error"


@dataclass(frozen=True)
class Slow:
    """Wait `delay` seconds, then answer `then`."""

    delay: float
    then: Text | str


@dataclass(frozen=True)
class Malformed:
    """A 200 answer whose body is not JSON."""

    body: str = '{"id": "chatcmpl-broken", "choices": [ {not json'


@dataclass(frozen=True)
class ToolCall:
    """A completion asking for one function call."""

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    content: str | None = None


@dataclass(frozen=True)
class When:
    """Answers `then` to the first request whose prompt text holds `contains`, wherever it is in
    the queue: concurrent requests (K trajectories at once) get their own answers."""

    contains: str
    then: Text | Status | Slow | Malformed | ToolCall | str


ScriptItem = Text | Status | Slow | Malformed | ToolCall | When | str


def count_tokens(text: str) -> int:
    """A rough token count: one token per four characters, at least one for non-empty text."""
    return (len(text) + 3) // 4


def prompt_text(body: dict[str, Any]) -> str:
    parts = [m.get("content") for m in body.get("messages", [])]
    return "\n".join(p if isinstance(p, str) else json.dumps(p) for p in parts if p)


def tool_message(item: ToolCall, index: int) -> dict[str, Any]:
    call = {
        "id": f"call_{index}",
        "type": "function",
        "function": {"name": item.name, "arguments": json.dumps(item.arguments)},
    }
    return {"role": "assistant", "content": item.content, "tool_calls": [call]}


def completion_body(body: dict[str, Any], items: list[Text | ToolCall], serial: int) -> bytes:
    choices, completion_tokens = [], 0
    for index, item in enumerate(items):
        if isinstance(item, ToolCall):
            message, reason = tool_message(item, index), "tool_calls"
            completion_tokens += count_tokens(item.name + json.dumps(item.arguments))
        else:
            message, reason = {"role": "assistant", "content": item.content}, item.finish_reason
            completion_tokens += count_tokens(item.content)
        choices.append({"index": index, "message": message, "finish_reason": reason})
    prompt_tokens = count_tokens(prompt_text(body))
    answer = {
        "id": f"chatcmpl-fake-{serial}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "choices": choices,
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }
    return json.dumps(answer).encode()


class FakeLLM:
    """The scripted queue, the recorded requests and the server thread."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._queue: deque[ScriptItem] = deque()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        assert isinstance(host, str)
        return f"http://{host}:{port}/v1"

    def script(self, items: list[ScriptItem]) -> None:
        """Append answers to the queue; each request consumes one (or `n` for n>1 texts)."""
        with self._lock:
            self._queue.extend(items)

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._queue)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def take(self, body: dict[str, Any]) -> list[ScriptItem]:
        """Record the request and pop what answers it: one item, or up to `n` plain answers."""
        with self._lock:
            self.requests.append(body)
            if not self._queue:
                return []
            keyed = self.keyed(body)
            if keyed is not None:
                return [keyed]
            unkeyed = [i for i in self._queue if not isinstance(i, When)]
            if not unkeyed:
                return []
            if unkeyed[0] is not self._queue[0]:
                self._queue.remove(unkeyed[0])
                self._queue.appendleft(unkeyed[0])
            taken = [self._queue.popleft()]
            wanted = max(1, int(body.get("n") or 1))
            while is_answer(taken[0]) and len(taken) < wanted and self._queue:
                if not is_answer(self._queue[0]):
                    break
                taken.append(self._queue.popleft())
            return taken


    def keyed(self, body: dict[str, Any]) -> ScriptItem | None:
        """The `then` of the first When whose text the request's last message holds (popped)."""
        messages = body.get("messages") or [{}]
        last = messages[-1].get("content")
        text = last if isinstance(last, str) else json.dumps(last)
        for item in self._queue:
            if isinstance(item, When) and item.contains in text:
                self._queue.remove(item)
                return item.then
        return None


def is_answer(item: ScriptItem) -> bool:
    return isinstance(item, Text | ToolCall | str)


def make_handler(fake: FakeLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Silence the per-request stderr line."""

        def do_POST(self) -> None:  # noqa: N802
            if self.path.split("?")[0] not in CHAT_PATHS:
                self.send_json(404, {"error": {"message": f"no route {self.path}"}})
                return
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            self.answer(body, fake.take(body), len(fake.requests))

        def answer(self, body: dict[str, Any], items: list[ScriptItem], serial: int) -> None:
            if not items:
                error = {"message": "fake llm: script exhausted", "type": "invalid_request_error"}
                self.send_json(400, {"error": error})
                return
            first = items[0]
            if isinstance(first, Slow):
                time.sleep(first.delay)
                items = [first.then]
                first = first.then
            if isinstance(first, Status):
                self.send_status(first)
            elif isinstance(first, Malformed):
                self.send_raw(200, first.body.encode())
            else:
                answers = [Text(i) if isinstance(i, str) else i for i in items]
                self.send_raw(200, completion_body(body, answers, serial))  # type: ignore[arg-type]

        def send_status(self, item: Status) -> None:
            headers = {}
            if item.retry_after is not None:
                headers["Retry-After"] = f"{item.retry_after:g}"
            error = {"message": item.message, "type": "server_error", "code": str(item.code)}
            self.send_json(item.code, {"error": error}, headers)

        def send_json(
            self, code: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            self.send_raw(code, json.dumps(payload).encode(), headers)

        def send_raw(self, code: int, data: bytes, headers: dict[str, str] | None = None) -> None:
            try:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test); nothing left to tell it

    return Handler


@pytest.fixture(name="fake_llm")
def fake_llm_fixture() -> Iterator[FakeLLM]:
    """A running fake server, closed after the test.

    Test modules import it (`from tests.fakellm import fake_llm_fixture  # noqa: F401`) and take
    `fake_llm` as an argument: no conftest needed, and no clash between the two names.
    """
    fake = FakeLLM()
    fake.start()
    try:
        yield fake
    finally:
        fake.close()
