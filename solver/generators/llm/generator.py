"""The LLM generator: K trajectories a round, refined by their verdicts, seeded by a distilled note.

    round 0:  trajectory i ─ propose.j2 (strategy i, hypothesis i first) ─► answer ─► edits ─► diff
    round r:  distill.j2 over round r-1's K attempts ─► note (one call)
              trajectory i ─ refine.j2 (its previous patch, that patch's verdict, the note) ─► ...

A SEARCH block that matches nothing is retried once with the mismatch shown (retry_mismatch.j2),
then the attempt is dropped with its reason. Identical diffs become one candidate. A budget cap
stops new calls: the round ends with what it has and later rounds propose nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from sandbox import Verdict
from solver.analysis import Location
from solver.feedback import Feedback
from solver.generators.llm.agent import Agent, SandboxTools
from solver.generators.llm.client import Completion, Message, ModelClient
from solver.generators.llm.context import Context, Hypothesis, build_context
from solver.generators.llm.edits import apply_edits, diff_files, parse_edits
from solver.generators.llm.errors import (
    BudgetExceeded,
    EditError,
    EditMismatch,
    EditParseError,
    EndpointDown,
    LLMError,
)
from solver.generators.llm.prompts import clip, render, verdict_context
from solver.generators.llm.record import CallSpend, Recorder
from solver.types import Candidate
from tasks.model import Task

NOTE_WORDS = 150
NOTE_CHARS = 1500
TEST_OUTPUT_CHARS = 3000
SUMMARY_CHARS = 200


@dataclass(frozen=True)
class Strategy:
    """How one trajectory goes about the fix, so that siblings differ by more than sampling."""

    name: str
    text: str


STRATEGY_NAMES = ("root-cause", "spec-first", "second-suspect", "minimal")
STRATEGIES = tuple(Strategy(name, render("strategy", strategy=name).strip())
                   for name in STRATEGY_NAMES)
"""The approaches of sibling trajectories, in order (their text: prompts/strategy.j2)."""


@dataclass
class Trajectory:
    """One line of attempts across rounds."""

    index: int
    strategy: Strategy
    focus: Hypothesis | None
    last_id: str | None = None
    """The candidate whose verdict its next prompt carries."""
    files: dict[str, str] | None = None
    """The files with that candidate applied (what refine.j2 shows)."""
    dropped: str = ""
    """Why its last answer gave no candidate ("" when it did)."""
    agent: Agent | None = None


@dataclass
class Attempt:
    trajectory: Trajectory
    diff: str
    files: dict[str, str]
    summary: str
    spend: CallSpend
    parent: str | None


@dataclass
class GeneratorSettings:
    context_tokens: int = 12000
    """Budget of the files and outline one prompt shows (estimated tokens)."""
    agent_steps: int = 0
    """Actions a trajectory may take in its sandbox before it answers; 0: no agent."""
    agent_functions: bool = True
    """Offer the agent's tools as functions (else the plain-text action format)."""
    strategies: Sequence[Strategy] = field(default=STRATEGIES)


class LLMGenerator:
    """Satisfies `solver.protocols.Generator` with a model behind `client`."""

    name = "llm"

    def __init__(
        self,
        client: ModelClient,
        files: Mapping[str, str],
        locations: Sequence[Location],
        *,
        base_verdict: Verdict | None = None,
        open_session: Callable[[], Any] | None = None,
        settings: GeneratorSettings | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.client = client
        self.files = dict(files)
        self.locations = list(locations)
        self.base_verdict = base_verdict
        self.open_session = open_session
        self.settings = settings or GeneratorSettings()
        self.recorder = recorder or Recorder()
        self.trajectories: list[Trajectory] = []
        self.verdicts: dict[str, tuple[Candidate, Verdict]] = {}
        self.note = ""
        self.exhausted = ""
        """Why no more calls are made ("" while the budget lasts)."""
        self.issue_text = ""
        self.down: EndpointDown | None = None
        """The endpoint's last failure past its retries in this pass (None: it answered)."""
        self._contexts: dict[str, Context] = {}

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.recorder.events

    async def propose(
        self, task: Task, round: int, width: int, feedback: Feedback
    ) -> list[Candidate]:
        self.verdicts.update({c.id: (c, v) for c, v in feedback.pairs})
        self.issue_text = task.problem_statement
        self.grow(width)
        if round > 0 and not self.exhausted:
            await self.distill(task, round)
        candidates: list[Candidate] = []
        for _ in range(2):  # a round of nothing but unusable answers gets one more pass
            if self.exhausted:
                break
            active = [t for t in self.trajectories[:width] if not self.finished(t)]
            if not active:
                break
            attempts: list[Attempt | None] = [None] * width
            self.down = None
            async with anyio.create_task_group() as tg:
                for trajectory in active:
                    tg.start_soon(self.run_trajectory, trajectory, task, round, attempts)
            candidates = self.collect(attempts, round)
            if candidates:
                break
        if self.exhausted:
            self.recorder.add("stop", round=round, reason=self.exhausted)
        elif not candidates and self.down is not None:
            raise self.down  # the endpoint stayed down through both passes: infra_error
        return candidates

    def grow(self, width: int) -> None:
        """Trajectories up to `width`, each with its own strategy and first hypothesis."""
        hypotheses = self.context(None).hypotheses
        strategies = self.settings.strategies
        while len(self.trajectories) < width:
            i = len(self.trajectories)
            focus = hypotheses[i % len(hypotheses)] if hypotheses else None
            trajectory = Trajectory(i, strategies[i % len(strategies)], focus)
            if self.settings.agent_steps > 0 and self.open_session is not None:
                trajectory.agent = Agent(SandboxTools(self.open_session),
                                         self.settings.agent_steps, self.settings.agent_functions)
            self.trajectories.append(trajectory)

    def finished(self, trajectory: Trajectory) -> bool:
        """Its last candidate passed every test it ran: refining it has nothing to learn from."""
        previous = self.verdicts.get(trajectory.last_id or "")
        if previous is None:
            return False
        verdict = previous[1]
        return verdict.applied and bool(verdict.tests) and not verdict.failing()

    def context(self, focus: Hypothesis | None) -> Context:
        key = f"{focus.file}:{focus.scope}" if focus else ""
        if key not in self._contexts:
            self._contexts[key] = build_context(
                self.files, self.locations, self.issue_text, self.test_output(),
                self.settings.context_tokens, focus)
        return self._contexts[key]

    def test_output(self) -> str:
        verdict = self.base_verdict
        if verdict is None:
            return ""
        return "\n".join([*(r.message for r in verdict.tests.values()), verdict.log_tail])

    async def run_trajectory(
        self, trajectory: Trajectory, task: Task, round: int, out: list[Attempt | None]
    ) -> None:
        spend = CallSpend()
        try:
            out[trajectory.index] = await self.attempt(trajectory, task, round, spend)
            trajectory.dropped = ""
        except BudgetExceeded as exc:
            self.exhausted = str(exc)
            self.drop(trajectory, round, str(exc), spend)
        except EndpointDown as exc:
            self.down = exc
            self.drop(trajectory, round, f"{type(exc).__name__}: {exc}", spend)
        except (EditError, LLMError) as exc:
            self.drop(trajectory, round, f"{type(exc).__name__}: {exc}", spend)

    def drop(self, trajectory: Trajectory, round: int, reason: str, spend: CallSpend) -> None:
        trajectory.dropped = reason
        self.recorder.add("drop", trajectory=trajectory.index, round=round, reason=reason[:2000])
        self.recorder.charge("dropped", spend)

    async def attempt(
        self, trajectory: Trajectory, task: Task, round: int, spend: CallSpend
    ) -> Attempt:
        messages: list[Mapping[str, Any]] = [{"role": "system", "content": render("system")},
                    {"role": "user", "content": self.prompt(trajectory, task)}]
        answer, messages = await self.ask(trajectory, messages, round, spend, agent=True)
        try:
            return await self.to_attempt(trajectory, answer, spend)
        except EditMismatch as mismatch:
            self.recorder.add("mismatch", trajectory=trajectory.index, round=round,
                              error=mismatch.describe()[:2000])
            retry = {"role": "user", "content": render("retry_mismatch", mismatch=mismatch)}
            answer, _ = await self.ask(trajectory, [*messages, retry], round, spend, agent=False)
            return await self.to_attempt(trajectory, answer, spend)

    def prompt(self, trajectory: Trajectory, task: Task) -> str:
        """refine.j2 where the trajectory has a verdict to learn from, else propose.j2."""
        previous = self.verdicts.get(trajectory.last_id or "")
        note = self.note
        if trajectory.dropped:
            note = f"{note}\n\nYour last answer could not be used: {clip(trajectory.dropped, 800)}"
        if previous is not None and trajectory.files is not None:
            candidate, verdict = previous
            return render("refine", issue=task.problem_statement, patch=candidate.diff,
                          verdict=verdict_context(verdict), files=self.shown(trajectory),
                          note=note.strip())
        context = self.context(trajectory.focus)
        return render(
            "propose", issue=task.problem_statement, failing_tests=self.failing_tests(task),
            hypotheses=[h.describe() for h in context.hypotheses], files=context.files,
            outline=context.outline, note=note.strip(),
            strategy=f"{trajectory.strategy.name}: {trajectory.strategy.text}" + (
                f" Start from {trajectory.focus.describe()}." if trajectory.focus else ""))

    def shown(self, trajectory: Trajectory) -> list[dict[str, str]]:
        """The trajectory's context files and every file it changed, as its patch left them."""
        files = trajectory.files or self.files
        paths = [f["path"] for f in self.context(trajectory.focus).files]
        paths += [p for p in files if files.get(p) != self.files.get(p) and p not in paths]
        return [{"path": p, "content": files[p]} for p in paths if p in files]

    def failing_tests(self, task: Task) -> list[dict[str, str]]:
        verdict = self.base_verdict
        tests = []
        for test_id in task.fail_to_pass:
            result = verdict.tests.get(test_id) if verdict else None
            tests.append({"id": test_id, "output": result.message if result else ""})
        if tests and verdict is not None and verdict.log_tail:
            tests[0]["output"] = clip(f"{tests[0]['output']}\n{verdict.log_tail}".strip(),
                                      TEST_OUTPUT_CHARS)
        return tests

    async def ask(
        self, trajectory: Trajectory, messages: list[Message], round: int, spend: CallSpend,
        agent: bool,
    ) -> tuple[str, list[Message]]:
        """The model's answer (through the agent loop where there is one) and the conversation."""

        async def call(msgs: Sequence[Message], tools: Sequence[Mapping[str, Any]] | None
                       ) -> Completion:
            if msgs[-1].get("role") == "user":
                self.recorder.add("prompt", trajectory=trajectory.index, round=round,
                                  content=msgs[-1]["content"])
            completion = await self.client.complete(msgs, tools=tools)
            spend.add(completion)
            self.recorder.call("answer", completion, trajectory=trajectory.index, round=round,
                               content=completion.text,
                               tool_calls=[c.model_dump() for c in completion.tool_calls])
            return completion

        def note(kind: str, **fields: Any) -> None:
            self.recorder.add(kind, trajectory=trajectory.index, round=round, **fields)

        if agent and trajectory.agent is not None:
            current = diff_files(self.files, trajectory.files) if trajectory.files else ""
            return await trajectory.agent.answer(messages, call, note, current)
        completion = await call(messages, None)
        return completion.text, [*messages, {"role": "assistant", "content": completion.text}]

    async def to_attempt(self, trajectory: Trajectory, answer: str, spend: CallSpend) -> Attempt:
        blocks = parse_edits(answer)
        if not blocks:
            raise EditParseError("the answer holds no SEARCH/REPLACE block")
        before = trajectory.files or self.files
        after = apply_edits(before, blocks)
        diff = await anyio.to_thread.run_sync(diff_files, self.files, after)
        if not diff.strip():
            raise EditParseError("the edits leave every file as it was")
        return Attempt(trajectory, diff, after, summarize_answer(answer, blocks[0].path), spend,
                       trajectory.last_id)

    def collect(self, attempts: Sequence[Attempt | None], round: int) -> list[Candidate]:
        """Candidates of one round; identical diffs merged, diffs verified before skipped."""
        by_diff = {c.diff: c for c, _ in self.verdicts.values()}
        fresh: dict[str, Candidate] = {}
        for attempt in attempts:
            if attempt is None:
                continue
            trajectory = attempt.trajectory
            same = fresh.get(attempt.diff) or by_diff.get(attempt.diff)
            if same is not None:
                this_round = attempt.diff in fresh
                self.recorder.add("merge", trajectory=trajectory.index, round=round, into=same.id,
                                  already_verified=not this_round)
                if this_round:
                    fresh[attempt.diff] = same.model_copy(
                        update={"note": f"{same.note} [also t{trajectory.index}]"})
                trajectory.last_id, trajectory.files = same.id, attempt.files
                self.recorder.charge(same.id, attempt.spend)
                continue
            candidate = Candidate(
                id=f"llm-r{round}-t{trajectory.index}", diff=attempt.diff, round=round,
                parent_ids=(attempt.parent,) if attempt.parent else (), generator=self.name,
                note=f"{trajectory.strategy.name}: {attempt.summary}".strip())
            fresh[attempt.diff] = candidate
            trajectory.last_id, trajectory.files = candidate.id, attempt.files
            self.recorder.charge(candidate.id, attempt.spend)
            self.recorder.add("candidate", trajectory=trajectory.index, round=round,
                              id=candidate.id, parent_ids=list(candidate.parent_ids),
                              diff=candidate.diff, tokens=attempt.spend.tokens,
                              cost_usd=attempt.spend.cost_usd, calls=attempt.spend.calls)
        return list(fresh.values())

    async def distill(self, task: Task, round: int) -> None:
        """One call condensing the previous round's attempts into the note every trajectory of
        this round reads (Parallel-Distill-Refine)."""
        siblings = [(c, v) for c, v in self.verdicts.values()
                    if c.round == round - 1 and c.generator == self.name
                    and (v.failing() or not v.applied)]
        if not siblings:
            return
        attempts = [{"id": c.id, "patch": c.diff, "verdict": verdict_context(v)}
                    for c, v in siblings]
        prompt = render("distill", issue=task.problem_statement, attempts=attempts,
                        max_words=NOTE_WORDS)
        self.recorder.add("prompt", trajectory=None, round=round, kind="distill", content=prompt)
        try:
            completion = await self.client.complete([{"role": "user", "content": prompt}])
        except BudgetExceeded as exc:
            self.exhausted = str(exc)
            return
        except LLMError as exc:
            self.recorder.add("drop", trajectory=None, round=round, kind="distill",
                              reason=str(exc)[:2000])
            return
        spend = CallSpend()
        spend.add(completion)
        self.recorder.charge("distill", spend)
        self.note = clip(completion.text.strip(), NOTE_CHARS)
        self.recorder.call("distill", completion, trajectory=None, round=round, note=self.note,
                           siblings=[c.id for c, _ in siblings])

    async def aclose(self) -> None:
        for trajectory in self.trajectories:
            if trajectory.agent is not None:
                await trajectory.agent.tools.aclose()


def summarize_answer(answer: str, first_path: str) -> str:
    """The model's explanation before its first block, on one line, without fences and paths."""
    prefix = answer.split("<<<<<<<")[0].splitlines()
    words = [line.strip() for line in prefix
             if line.strip() and not line.strip().startswith(("```", "~~~"))
             and first_path not in line]
    return " ".join(words)[:SUMMARY_CHARS]
