"""The `solver` command. Heavy modules are imported inside commands so `solver --help` is fast."""

from __future__ import annotations

import typer

from solver.cli import bench, ci, eval, images, sandbox, select, solve, tasks

app = typer.Typer(help="Turn test-time compute into verified patches.", no_args_is_help=True)
app.add_typer(images.app, name="images")
app.add_typer(sandbox.app, name="sandbox")
app.add_typer(bench.app, name="bench")
app.add_typer(tasks.app, name="tasks")
app.command("solve")(solve.solve)
app.add_typer(eval.app, name="eval")
app.command("scale")(eval.scale)
app.command("ci")(ci.ci)
app.command("select")(select.select)


def main() -> None:
    app()
