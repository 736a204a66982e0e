"""The README's commands: one line each, installing into a virtual environment; .ci/run runs
exactly the README's test command."""

from pathlib import Path

ROOT = Path(__file__).parents[1]


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = text.split("```bash", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def test_both_readme_commands_install_into_a_venv():
    commands = readme_commands()
    assert len(commands) == 2
    for command in commands:
        venv = command.index(". .venv/bin/activate")
        assert "python3 -m venv .venv" in command
        assert venv < command.index("pip install")


def test_ci_runs_exactly_the_readme_test_command():
    script = (ROOT / ".ci" / "run").read_text().splitlines()
    assert script[-1] == readme_commands()[1]
