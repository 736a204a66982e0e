"""The sandbox's base error (its own module so that container.py and faults.py share it)."""


class SandboxError(RuntimeError):
    """The sandbox could not do what was asked (engine missing, container died, ...)."""
