"""The LLM judge: the model compares the patches of a tournament group (judge.j2) and answers
with the index of the best.

Each vote is one sample at temperature, showing the candidates in a different (rotated) order so
that a preference for a position averages out. An answer without a valid `CHOICE:` line, or a
call that fails, is an abstention. In `select` the ballots are counted with the other judges'.
"""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from solver.generators.llm.answers import parse_choice
from solver.generators.llm.client import Completion, ModelClient
from solver.generators.llm.errors import LLMError
from solver.generators.llm.prompts import render
from solver.generators.llm.record import CallSpend, Recorder
from solver.selection.evidence import Ballot, Entry, Evidence
from tasks.model import Task

OWNER = "judge"
"""Where the judge's calls are charged in the record's per-owner spend."""


class LLMJudge:
    """`solver.protocols.Judge` with a model."""

    name = "llm"

    def __init__(
        self, client: ModelClient, recorder: Recorder | None = None, temperature: float = 0.7,
    ) -> None:
        self.client = client
        self.recorder = recorder or Recorder()
        self.temperature = temperature
        self.spend = CallSpend()

    async def ballots(
        self, task: Task | None, group: Sequence[Entry], votes: int, evidence: Evidence
    ) -> list[Ballot]:
        """`votes` samples, asked at once."""
        if task is None:
            return [Ballot(judge=self.name, reason="no task to judge against")] * votes
        found: list[Ballot] = [Ballot(judge=self.name)] * votes

        async def one(sample: int) -> None:
            found[sample] = await self.sample(task, group, evidence, sample)

        async with anyio.create_task_group() as tg:
            for sample in range(votes):
                tg.start_soon(one, sample)
        return found

    async def sample(
        self, task: Task, group: Sequence[Entry], evidence: Evidence, sample: int
    ) -> Ballot:
        """One vote: the group shown rotated by `sample` places."""
        order = [(i + sample) % len(group) for i in range(len(group))]
        shown = [group[i] for i in order]
        ids = [c.id for c, _ in shown]
        prompt = render("judge", issue=task.problem_statement, candidates=[
            {"diff": c.diff, "evidence": evidence.describe((c, v), ids)} for c, v in shown])
        self.recorder.add("prompt", trajectory=OWNER, shown=ids, content=prompt)
        try:
            completion = await self.client.complete([{"role": "user", "content": prompt}],
                                                    temperature=self.temperature)
        except LLMError as exc:
            self.recorder.add("drop", trajectory=OWNER, shown=ids, reason=str(exc)[:2000])
            return Ballot(judge=self.name, reason=f"no answer: {str(exc)[:200]}")
        self.spend.add(completion)
        self.recorder.charge(OWNER, _one_call(completion))
        index = parse_choice(completion.text, len(group))
        choice = ids[index] if index is not None else None
        self.recorder.call("answer", completion, trajectory=OWNER, shown=ids,
                           content=completion.text, choice=choice)
        if choice is None:
            return Ballot(judge=self.name, reason="malformed answer (no valid CHOICE line)")
        return Ballot(judge=self.name, choice=choice, reason=f"CHOICE: {index} of {ids}")


def _one_call(completion: Completion) -> CallSpend:
    spend = CallSpend()
    spend.add(completion)
    return spend
