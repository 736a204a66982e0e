"""The options of every command that solves (`solver solve`, `solver ci`, `solver eval run`),
defined once, from the fields of `solver.config.SolverConfig`: one `--flag` per name in
`SHARED`, its help the field's docstring.

    @with_solver_options
    def solve(task_path: ..., *, flags: Flags) -> None:
        config = load_or_exit(flags, Path.cwd())

A flag left out arrives as None and sets nothing, so SOLVER_* and the project's files still
apply (precedence in solver/config.py).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeAlias

import typer
from rich.markup import escape

from solver.config import SolverConfig

SHARED = ("width", "depth", "max_cost", "max_tokens", "max_candidates", "temperature",
          "agent_steps", "test_timeout", "generator", "model", "api_base")
"""The fields every solving command offers as flags, in --help order."""
PANEL = escape("Budget and generator: flags > SOLVER_* > [tool.solver] > solver.toml")

PROTOCOL_HELP = ("What the solver may see: issue (the problem statement and the repository; "
                 "the hidden tests grade the pick afterwards) or tests (the task's failing tests "
                 "are the task). Default: issue for SWE-bench-format tasks (an issue text and a "
                 "test patch), tests otherwise (env SOLVER_PROTOCOL).")
ProtocolOption = Annotated[str | None, typer.Option("--protocol", help=PROTOCOL_HELP,
                                                    show_default=False)]
"""`--protocol issue|tests` of the commands that solve a given task (`solve`, `eval run`)."""

Flags: TypeAlias = dict[str, Any]
"""The shared flags as given: field name → value, None where the flag was left out."""


def option_for(name: str) -> inspect.Parameter:
    """A keyword-only typer option for one SolverConfig field, None by default."""
    field = SolverConfig.model_fields[name]
    default = "" if field.default is None else f"default: {field.default}; "
    help_text = (f"{' '.join((field.description or '').split())} "
                 f"({default.replace('.0;', ';')}env SOLVER_{name.upper()})")
    option = typer.Option(f"--{name.replace('_', '-')}", help=help_text, show_default=False,
                          rich_help_panel=PANEL)
    optional = field.annotation | None  # type: ignore[operator]
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[optional, option])


def with_solver_options(command: Callable[..., None]) -> Callable[..., None]:
    """`command` gets the SHARED options in its signature; it receives them as `flags`."""
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values()
           if p.name != "flags"]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> None:
        flags = {name: kwargs.pop(name, None) for name in SHARED}
        command(**kwargs, flags=flags)

    parameters = [*own, *(option_for(name) for name in SHARED)]
    wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in parameters}
    return wrapper


def load_or_exit(flags: Flags, project: Path, as_json: bool = False) -> SolverConfig:
    """The configuration of `project`, or exit 2 with what is wrong (file, key or flag); with
    `as_json`, also one JSON object on stdout."""
    import json

    from rich.console import Console

    from solver.config import ConfigError, load_config

    try:
        return load_config(flags, project)
    except ConfigError as exc:
        Console(stderr=True).print(f"[red]{escape(str(exc))}[/red]")
        if as_json:
            typer.echo(json.dumps({"error": " ".join(str(exc).split()), "exit_code": 2}))
        raise typer.Exit(2) from exc
