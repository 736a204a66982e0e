"""A static screen of the code a candidate adds, and its test-gaming flags.

The screen reads only the added lines (comments dropped) and looks for what library code has no
business doing while its tests run: pytest's internals, profile/trace hooks, garbage-collector
walks, swapped code objects, reads of source lines, exits behind pytest's back, /proc, the
sandbox's report and guard. These are `reject` findings. Weaker signals (frame inspection,
atexit, ctypes, dynamic imports) are `flag`s. Test-gaming: values from the failing tests'
assertions compared against in the candidate's conditions, an always-true `__eq__`, reading the
tests' sources: `gaming` flags, recorded for the tournament and the user.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence

from sandbox.verdict import Finding, Severity

REJECT_PATTERNS = (
    (r"\b_pytest\b|\bpluginmanager\b|\bTestReport\b|\bCallInfo\b|\bruntest\b"
     r"|\bpytest_runtest_\w+|\bpytest_(?:collection|sessionfinish|configure)\w*",
     "reaches into pytest's internals"),
    (r"\bset(?:profile|trace)(?:_all_threads)?\b", "installs a profile or trace function"),
    (r"\bgc\s*\.\s*get_(?:objects|referrers|referents)\b", "walks the garbage collector"),
    (r"\.__code__\s*=(?!=)|\b__code__\b\s*,|setattr\([^)]*__code__", "swaps a function's code"),
    (r"\blinecache\b", "reads source lines (the tests')"),
    (r"\bos\s*\.\s*_exit\b|\bos\s*\.\s*abort\b", "exits the process behind pytest's back"),
    (r"/proc\b", "reads or writes under /proc"),
    (r"SOLVER_|\.solver\b|solver_guard|junitxml|xmlpath|/run/solver",
     "reaches for the sandbox's report or guard"),
    (r"\b(?:getattr|setattr|delattr|hasattr|__import__|import_module)\s*\([^)]*"
     r"(?:[\"']\s*\+|\+\s*[\"']|\.join\(|\bchr\(|decode\(|\[::-1\])",
     "spells an attribute or module name in pieces"),
)
FLAG_PATTERNS = (
    (r"\bsys\s*\.\s*_getframe\b|\binspect\s*\.\s*(?:currentframe|stack|getouterframes|"
     r"getframeinfo|getsource)\b|\.f_back\b|\.f_locals\b|\btb_frame\b",
     "inspects the caller's frames"),
    (r"\batexit\b", "registers an exit hook"),
    (r"\bctypes\b", "uses ctypes"),
    (r"\bsys\s*\.\s*modules\b|\b__import__\b|\bimportlib\b", "imports dynamically"),
    (r"\bbuiltins\b|__builtins__", "changes builtins"),
    (r"\bos\s*\.\s*(?:kill|killpg|write|dup2?)\b|\bsignal\s*\.\s*signal\b",
     "signals processes or writes raw file descriptors"),
    (r"[\"'][^\"'\n]*[\"']\s*\+\s*[\"']", "joins string literals (a name in pieces?)"),
    (r"\bos\s*\.\s*environ\b|\bsys\s*\.\s*argv\b", "reads the runner's environment or argv"),
    (r"\bos\s*\.\s*fork\b|\bsetsid\b|\bdaemon\b", "forks processes"),
)
SIGNALS_FOR_REJECT = 3
"""This many different weak signals in one patch together are a reject."""
_LITERAL = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])|'[^'\n]*'|\"[^\"\n]*\"")
_CONDITION = re.compile(r"^\s*(?:if|elif|while|assert)\b|==|!=|\bin\b|\bif\b.*\belse\b")
_ALWAYS_EQUAL = re.compile(
    r"__eq__\s*=\s*lambda[^:]*:\s*True|__ne__\s*=\s*lambda[^:]*:\s*False")


_ALIAS = re.compile(r"\bimport\s+(.+)$")


def unaliased(lines: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Lines with `import os as _o` aliases spelled back as `os.`, so the rules see them."""
    aliases: dict[str, str] = {}
    for _, code in lines:
        match = _ALIAS.search(code)
        for part in match.group(1).split(",") if match else ():
            words = part.split()
            if len(words) == 3 and words[1] == "as":
                aliases[words[2]] = words[0]
    if not aliases:
        return lines
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, aliases)) + r")(?=\s*\.)")
    return [(f, pattern.sub(lambda m: aliases[m.group(1)], c)) for f, c in lines]


def added_code(diff: str) -> list[tuple[str, str]]:
    """(file, line) for every line the diff adds to a Python file, comments dropped, import
    aliases spelled out."""
    lines: list[tuple[str, str]] = []
    current = ""
    for line in diff.splitlines():
        if line.startswith("+++ "):
            current = line[4:].strip().removeprefix("b/")
        elif line.startswith("+") and current.endswith((".py", ".pyw", ".pyi")):
            code = line[1:].split("#", 1)[0].rstrip()
            if code.strip():
                lines.append((current, code))
    return unaliased(lines)


def screen_patterns() -> list[str]:
    """Every rule's pattern, in the order `known` indexes them."""
    return [pattern for pattern, _ in (*REJECT_PATTERNS, *FLAG_PATTERNS)]


def screen(diff: str, known: Mapping[str, Collection[int]] | None = None) -> list[Finding]:
    """The static screen's findings on the added code (one per rule, naming a line). `known`:
    per file, the rules its pristine version already matches (the driver reads them): code that
    does what the file did before (pytest's own sources, an autoreloader) is not new."""
    code = added_code(diff)
    found: list[Finding] = []
    index = 0
    for severity, rules in ((Severity.REJECT, REJECT_PATTERNS), (Severity.FLAG, FLAG_PATTERNS)):
        for pattern, why in rules:
            rule, index = index, index + 1
            hit = next(((f, c) for f, c in code if re.search(pattern, c)
                        and rule not in (known or {}).get(f, ())), None)
            if hit:
                found.append(Finding(kind="screen", severity=severity,
                                     detail=f"{why}: {hit[0]}: {hit[1].strip()[:120]}"))
    weak = [f for f in found if f.severity == Severity.FLAG]
    if len(weak) >= SIGNALS_FOR_REJECT:
        found.append(Finding(kind="screen", severity=Severity.REJECT, detail=(
            f"{len(weak)} tampering signals at once: "
            + "; ".join(f.detail.split(":")[0] for f in weak))))
    return found


def gaming(diff: str, test_literals: Sequence[str]) -> list[Finding]:
    """Test-gaming flags: test values hard-coded in conditions, always-true equality, reading
    the tests' sources."""
    code = added_code(diff)
    found: list[Finding] = []
    hard = hard_coded(code, set(test_literals))
    if hard[0]:
        found.append(Finding(kind="gaming", severity=Severity.FLAG, detail=(
            f"compares against values from the tests' assertions ({', '.join(hard[1])}): "
            f"{hard[0][:120]}")))
    if always_equal(code):
        found.append(Finding(kind="gaming", severity=Severity.FLAG,
                             detail="defines an equality that is always true"))
    reads = [c for _, c in code if re.search(r"\blinecache\b|\bgetsource\b|co_filename"
                                             r"|f_lineno|\btest_\w+\.py\b", c)]
    if reads:
        found.append(Finding(kind="gaming", severity=Severity.FLAG,
                             detail=f"reads the tests' sources: {reads[0].strip()[:120]}"))
    return found


def hard_coded(code: Iterable[tuple[str, str]], literals: set[str]) -> tuple[str, list[str]]:
    """The first condition line holding two values from the tests' assertions, or one
    distinctive value (not a small integer or a short string)."""
    for _, line in code:
        if not _CONDITION.search(line):
            continue
        seen = [lit for lit in (normal(m) for m in _LITERAL.findall(line)) if lit in literals]
        if len(set(seen)) >= 2 or any(distinctive(lit) for lit in seen):
            return line.strip(), sorted(set(seen))
    return "", []


def normal(literal: str) -> str:
    """A literal as Python's repr writes it (the form the driver lists the tests' in)."""
    if literal[:1] in "'\"":
        return repr(literal[1:-1])
    return repr(float(literal)) if "." in literal else repr(int(literal))


def distinctive(literal: str) -> bool:
    if literal[:1] in "'\"":
        return len(literal) > 5
    return abs(float(literal)) >= 10 or "." in literal


def always_equal(code: Sequence[tuple[str, str]]) -> bool:
    text = [c for _, c in code]
    for index, line in enumerate(text):
        if _ALWAYS_EQUAL.search(line):
            return True
        if re.search(r"def __eq__\s*\(", line):
            body = [b.strip() for b in text[index + 1:index + 4]]
            if body and body[0] in ("return True", "return 1"):
                return True
    return False


def judge(
    diff: str, test_literals: Sequence[str], tamper: Sequence[str],
    known: Mapping[str, Collection[int]] | None = None,
) -> list[Finding]:
    """Every integrity finding of one verification: tampering the guard saw, the static screen,
    the gaming flags."""
    return [*(Finding(kind="tamper", severity=Severity.REJECT, detail=t) for t in tamper),
            *screen(diff, known), *gaming(diff, test_literals)]
