"""Agentic trajectories: before it proposes, the model may look around in its own sandbox.

    prompt ─► model ─► tool call / `ACTION:` line ─► SandboxTools (a container of its own) ─┐
                 ▲                                                                         │
                 └──────────────────────── capped observation ◄────────────────────────────┘
    ... up to `steps` actions, then the answer (SEARCH/REPLACE blocks)

Actions run inside the trajectory's sandbox container only, on the pristine tree with the
trajectory's current patch applied; nothing runs on the host. Where the provider offers function
calling the tools go as functions; otherwise (or when the server refuses them) as a plain-text
format: one line `ACTION: <tool> <JSON arguments>`.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anyio

from solver.generators.llm.client import Completion, Message, ToolCall
from solver.generators.llm.errors import ModelCallFailed
from solver.generators.llm.prompts import clip, render

OBSERVATION_CHARS = 3000
COMMAND_TIMEOUT_S = 60.0
READ_LINES = 200
ACTION_RE = re.compile(r"^\s*ACTION:\s*(\w+)\s*(\{.*\})?\s*$", re.MULTILINE)
SEARCH_MARK = re.compile(r"^\s*<{5,9} ?SEARCH\b", re.MULTILINE)

Ask = Callable[[Sequence[Message], Sequence[Mapping[str, Any]] | None], Awaitable[Completion]]
"""One model call: messages and tools (None: none) → completion. Records and counts it."""
Note = Callable[..., None]
"""Records one event: note(kind, **fields)."""


def function(name: str, description: str, **params: tuple[str, str]) -> dict[str, Any]:
    """An OpenAI function tool; params: name=(JSON type, description), optional ones described
    as "optional: ..."."""
    properties = {
        k: {"type": t, "description": d} | ({"items": {"type": "string"}}
                                                        if t == "array" else {})
        for k, (t, d) in params.items()
    }
    required = [k for k, (_, d) in params.items() if not d.startswith("optional")]
    return {"type": "function", "function": {
        "name": name, "description": description,
        "parameters": {"type": "object", "properties": properties, "required": required}}}


TOOLS = [
    function(tool["name"], tool["description"],
             **{name: (kind, text) for name, (kind, text) in tool["parameters"].items()})
    for tool in json.loads(render("tools.json"))
]
"""The agent's tools as OpenAI functions (their descriptions: prompts/tools.json.j2)."""
TOOL_NAMES = tuple(t["function"]["name"] for t in TOOLS)


@dataclass(frozen=True)
class Action:
    name: str
    arguments: dict[str, Any]
    call_id: str = ""


class SandboxTools:
    """The tools of one trajectory, over a sandbox session of its own (opened on first use).

    `open_session` returns a started `sandbox.Session`; `diff` is the trajectory's current patch.
    """

    def __init__(self, open_session: Callable[[], Any]) -> None:
        self.open_session = open_session
        self.session: Any = None

    async def execute(self, action: Action, diff: str) -> str:
        """The capped observation of `action`; an unknown tool or bad arguments say so."""
        try:
            text = await self._execute(action, diff)
        except (KeyError, TypeError, ValueError) as exc:
            text = f"error: bad arguments for {action.name}: {exc}"
        return clip(text, OBSERVATION_CHARS)

    async def _execute(self, action: Action, diff: str) -> str:
        args = action.arguments
        if action.name == "run_tests":
            return await self._run_tests([str(i) for i in args["ids"]], diff)
        argv = self.argv(action.name, args)
        if argv is None:
            return f"error: unknown tool {action.name!r}; tools: {', '.join(TOOL_NAMES)}"
        session = await self._session()
        result = await anyio.to_thread.run_sync(
            lambda: session.run_command(argv, COMMAND_TIMEOUT_S, diff), abandon_on_cancel=True)
        if result.exit_code is None:
            return f"error: {result.reason or 'the command did not run'}"
        status = " (timed out)" if result.timed_out else ""
        return f"exit {result.exit_code}{status}\n{result.output}"

    @staticmethod
    def argv(name: str, args: Mapping[str, Any]) -> list[str] | None:
        if name == "read_file":
            start = max(1, int(args.get("start_line") or 1))
            end = int(args.get("end_line") or start + READ_LINES - 1)
            return ["sh", "-c", f"cat -n -- {shlex.quote(str(args['path']))} | sed -n "
                    f"'{start},{max(start, end)}p'"]
        if name == "search":
            return ["grep", "-rnIE", "--exclude-dir=.git", "-m", "50", "--", str(args["pattern"]),
                    str(args.get("path") or ".")]
        if name == "list_dir":
            return ["ls", "-la", "--", str(args.get("path") or ".")]
        if name == "run":
            return ["sh", "-c", str(args["command"])]
        return None

    async def _run_tests(self, ids: list[str], diff: str) -> str:
        session = await self._session()
        verdict = await anyio.to_thread.run_sync(
            lambda: session.verify(diff, ids), abandon_on_cancel=True)
        if not verdict.applied:
            return f"the patch did not apply: {verdict.reason}"
        lines = [f"{t}: {r.outcome}" for t, r in verdict.tests.items()]
        return "\n".join([*lines, "", verdict.log_tail])

    async def _session(self) -> Any:
        if self.session is None:
            self.session = await anyio.to_thread.run_sync(self.open_session)
        return self.session

    async def aclose(self) -> None:
        session, self.session = self.session, None
        if session is not None:
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.close)


def offers_functions(model: str, api_base: str | None) -> bool:
    """Whether to offer tools as functions: litellm knows the model supports them, or it is an
    OpenAI-compatible server of one's own (which mostly do; a 400 switches to text actions)."""
    if model.startswith("openai/") and api_base:
        return True
    from solver.generators.llm.client import load_litellm

    try:
        return bool(load_litellm().supports_function_calling(model=model))
    except Exception:  # litellm raises several types for a model it does not know
        return False


def parse_action(text: str) -> Action | None:
    """The first `ACTION: tool {json}` line of a plain-text answer that holds no edit blocks."""
    if SEARCH_MARK.search(text):
        return None
    match = ACTION_RE.search(text)
    if match is None:
        return None
    try:
        arguments = json.loads(match.group(2) or "{}")
    except json.JSONDecodeError:
        arguments = {}
    return Action(match.group(1), arguments if isinstance(arguments, dict) else {})


def from_tool_calls(calls: Sequence[ToolCall]) -> list[Action]:
    return [Action(c.name, dict(c.arguments), c.id) for c in calls]


class Agent:
    """Runs one trajectory's look-around loop; `functions` False means the text action format."""

    def __init__(self, tools: SandboxTools, steps: int, functions: bool = True) -> None:
        self.tools = tools
        self.steps = steps
        self.functions = functions

    async def answer(
        self, messages: list[Message], ask: Ask, note: Note, diff: str = ""
    ) -> tuple[str, list[Message]]:
        """The final answer after at most `steps` actions, and the conversation that led to it."""
        messages = [*messages[:-1], with_instructions(messages[-1], self.steps, self.functions)]
        for step in range(self.steps):
            completion = await self._ask(messages, ask)
            actions = self._actions(completion)
            if not actions:
                return completion.text, [*messages, assistant(completion)]
            messages.append(assistant(completion, actions if self.functions else ()))
            for action in actions:
                observation = await self.tools.execute(action, diff)
                note("action", step=step, tool=action.name, arguments=action.arguments,
                     observation=observation)
                messages.append(observe(action, observation, self.functions))
        messages.append({"role": "user", "content": render("answer_now").strip()})
        completion = await self._ask(messages, ask)
        return completion.text, [*messages, assistant(completion)]

    async def _ask(self, messages: list[Message], ask: Ask) -> Completion:
        if not self.functions:
            return await ask(messages, None)
        try:
            return await ask(messages, TOOLS)
        except ModelCallFailed as exc:
            if exc.status_code != 400:
                raise
            self.functions = False  # the server refuses tools: plain-text actions from here on
            messages[-1] = with_instructions(messages[-1], self.steps, False)
            return await ask(messages, None)

    def _actions(self, completion: Completion) -> list[Action]:
        if self.functions and completion.tool_calls:
            return from_tool_calls(completion.tool_calls)
        action = parse_action(completion.text)
        if action is not None:
            self.functions = False  # it speaks the text format; answer it in kind
        return [action] if action else []


def with_instructions(message: Message, steps: int, functions: bool) -> Message:
    content = str(message.get("content") or "").split("\n# Tools\n")[0]
    tools = [{"name": t["function"]["name"], "description": t["function"]["description"],
              "parameters": ", ".join(t["function"]["parameters"]["properties"])} for t in TOOLS]
    extra = render("agent", steps=steps, functions=functions, tools=tools)
    return {**message, "content": f"{content.rstrip()}\n\n{extra}"}


def assistant(completion: Completion, actions: Sequence[Action] = ()) -> Message:
    message: dict[str, Any] = {"role": "assistant", "content": completion.text or None}
    if actions:
        message["tool_calls"] = [
            {"id": a.call_id, "type": "function",
             "function": {"name": a.name, "arguments": json.dumps(a.arguments)}}
            for a in actions]
    elif not completion.text:
        message["content"] = ""
    return message


def observe(action: Action, observation: str, functions: bool) -> Message:
    if functions and action.call_id:
        return {"role": "tool", "tool_call_id": action.call_id, "content": observation}
    return {"role": "user",
            "content": render("observation", tool=action.name, observation=observation)}
