"""Behaviour agreement among the plausible candidates of one task (CodeT / AlphaCode clustering):
the data and its clustering.

    diffs ─► changed functions (solver/selection/changed_functions.py, tree-sitter)
    trace  (base tree, sandbox): the task's tests under a profile hook record the arguments of
           calls to those functions; variations of them are added
    probe  (each candidate, sandbox): its version of the functions on every input
           ─► one canonical output per input ─► equal output vectors form a cluster

The sandbox side is solver/selection/prober.py. The result, `Behaviour`, is plain data: it goes
into the trajectory, and the tournament re-runs offline on any subset of the candidates
(`Behaviour.agreement`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from pydantic import BaseModel, Field


class ProbeInput(BaseModel):
    """One input the candidates were run on."""

    function: str
    """`path::qualname` of the function called."""
    origin: str
    """`test` (recorded while the tests ran) or `variation` (one argument changed)."""
    call: str
    """How the call reads, e.g. `page_count(30, 10)` (arguments shortened)."""


class Behaviour(BaseModel):
    """What the plausible candidates of one task did on the same inputs."""

    functions: list[str] = Field(default_factory=list)
    """Probed functions, `path::qualname`."""
    inputs: list[ProbeInput] = Field(default_factory=list)
    outputs: dict[str, list[str]] = Field(default_factory=dict)
    """Per candidate id, one canonical output per input: `=` and the value's text, `!` and an
    exception type, `~` unusable (differed between two runs, or out of time)."""
    base: list[str] = Field(default_factory=list)
    """The base tree's outputs on the same inputs (empty: not probed)."""
    clusters: dict[str, str] = Field(default_factory=dict)
    """Candidate id → behaviour cluster (`b0` the largest). Empty when nothing told the
    candidates apart; a candidate whose probe gave no answer is absent."""
    skipped: dict[str, str] = Field(default_factory=dict)
    """What was not probed and why (a function, a candidate, or `*` for everything)."""
    errors: dict[str, str] = Field(default_factory=dict)
    """Per candidate id (or `trace`), why its run gave no answer."""
    seconds: float = 0.0
    """Sandbox wall time spent."""
    base_timeouts: list[str] = Field(default_factory=list)
    """Tests that ran past the trace's per-test deadline on the base tree (a looping base):
    the trace stopped at the first, keeping the calls recorded before it."""

    def agreement(self, candidate_ids: Iterable[str]) -> dict[str, int]:
        """Per candidate, how many of `candidate_ids` share its cluster (itself included; 0 when
        it has none). Computed on any subset, so a tournament re-runs offline."""
        ids = list(candidate_ids)
        sizes = Counter(self.clusters[c] for c in ids if c in self.clusters)
        return {c: sizes[self.clusters[c]] if c in self.clusters else 0 for c in ids}

    def drift(self, candidate_id: str) -> int:
        """Inputs on which the base tree returned a value and the candidate gives another
        usable output: behaviour it changes that may not be the bug's (0 when unknown). An input
        where the base raised is not counted: that is where a fix is expected to differ."""
        mine = self.outputs.get(candidate_id, [])
        return sum(
            1 for theirs, ours in zip(self.base, mine, strict=False)
            if theirs.startswith("=") and not ours.startswith("~") and ours != theirs
        )

    def distinguishing(self) -> int:
        """Inputs on which the candidates' usable outputs differ."""
        vectors = list(self.outputs.values())
        return sum(
            1 for i in range(len(self.inputs))
            if len({v[i] for v in vectors if i < len(v) and not v[i].startswith("~")}) > 1
        )


def cluster(outputs: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Candidates with equal outputs on every usable input (none of them `~`) share a cluster;
    `b0` is the largest (ties: first seen). Empty with fewer than two candidates or no usable
    input: nothing to agree on."""
    if len(outputs) < 2:
        return {}
    width = min(len(v) for v in outputs.values())
    usable = [i for i in range(width) if not any(v[i].startswith("~") for v in outputs.values())]
    if not usable:
        return {}
    groups: dict[tuple[str, ...], list[str]] = {}
    for candidate_id, vector in outputs.items():
        groups.setdefault(tuple(vector[i] for i in usable), []).append(candidate_id)
    ranked = sorted(groups.values(), key=len, reverse=True)
    return {cid: f"b{n}" for n, members in enumerate(ranked) for cid in members}


def describe_behaviour(behaviour: Behaviour) -> str:
    looping = (f"; the base tree loops: {behaviour.base_timeouts[0]} ran past the trace's "
               "deadline" if behaviour.base_timeouts else "")
    return _describe(behaviour) + looping


def _describe(behaviour: Behaviour) -> str:
    if not behaviour.clusters:
        why = behaviour.skipped.get("*") or behaviour.errors.get("trace") or (
            "no input told the candidates apart" if behaviour.inputs else "no input recorded")
        return f"behaviour: no clusters ({why[:200]})"
    sizes = Counter(behaviour.clusters.values())
    shown = ", ".join(f"{name}: {count}" for name, count in sorted(sizes.items()))
    return (f"behaviour: {len(behaviour.functions)} function(s), {len(behaviour.inputs)} "
            f"input(s), {behaviour.distinguishing()} distinguishing; clusters {shown}")
