# ruff: noqa: UP031
"""The behaviour probe's `probe` mode (the second part of the script: see behaviour_probe.py).

This tree's version of every target on every input: a canonical output per input (repr of the
return value and of mutated arguments, or the exception's type name).
"""

import base64
import hashlib
import importlib
import pickle
import random
import signal
import time

OUTPUT_CHARS = 160


class ProbeTimeout(BaseException):
    """Raised by the alarm inside a probed call; a BaseException so `except Exception` in the
    repository's code does not swallow it."""


def canon(value, depth=0):
    """A text for `value` that two processes agree on when the values are equal: no memory
    addresses, sets sorted, plain objects by their attributes."""
    if depth > 6:
        return "..."
    kind = type(value)
    prefix = "" if kind in (list, tuple, dict, set, frozenset) else kind.__name__
    if isinstance(value, (list, tuple)) and kind.__repr__ in (list.__repr__, tuple.__repr__):
        inner = ", ".join(canon(v, depth + 1) for v in value)
        return prefix + ("[%s]" % inner if isinstance(value, list) else "(%s)" % inner)
    if isinstance(value, dict) and kind.__repr__ is dict.__repr__:
        inner = ", ".join("%s: %s" % (canon(k, depth + 1), canon(v, depth + 1))
                          for k, v in value.items())
        return prefix + "{%s}" % inner
    if isinstance(value, (set, frozenset)) and kind.__repr__ in (set.__repr__,
                                                                 frozenset.__repr__):
        return prefix + "{%s}" % ", ".join(sorted(canon(v, depth + 1) for v in value))
    try:
        text = ADDRESS.sub(" at 0x?", repr(value))  # noqa: F821 (trace part)
    except BaseException as exc:
        return "!repr:" + type(exc).__name__
    if " object at 0x?>" in text and isinstance(getattr(value, "__dict__", None), dict):
        return kind.__name__ + canon(value.__dict__, depth + 1)
    return text


def clipped(text):
    if len(text) <= OUTPUT_CHARS:
        return text
    digest = hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()[:12]
    return text[:OUTPUT_CHARS - 20] + "...#" + digest


def resolve(module, qualname):
    """The plain function behind `module.qualname` (staticmethod, classmethod, property and
    functools.wraps wrappers unwrapped): called with the recorded arguments, `self` included."""
    found = importlib.import_module(module)
    for part in qualname.split("."):
        found = vars(found)[part] if isinstance(found, type) else getattr(found, part)
    if isinstance(found, (staticmethod, classmethod)):
        found = found.__func__
    if isinstance(found, property):
        found = found.fget
    for _ in range(20):
        inner = getattr(found, "__wrapped__", None)
        if inner is None or not callable(inner):
            break
        found = inner
    if not callable(found):
        raise TypeError("not callable")
    return found


def on_alarm(signum, frame):
    raise ProbeTimeout()


def call_once(function, blob, timeout_s):
    """The canonical output of one call on fresh arguments, under a deadline: `=` and the
    value's text (plus the arguments where the call changed them), `!` and an exception type."""
    try:
        args, kwargs = pickle.loads(blob)
    except BaseException as exc:
        return "!unpickle:" + type(exc).__name__
    random.seed(0)
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
        try:
            before = canon((args, kwargs))
            try:
                result = "=" + canon(function(*args, **kwargs))
            except ProbeTimeout:
                raise
            except BaseException as exc:
                result = "!" + type(exc).__name__
            after = canon((args, kwargs))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
    except ProbeTimeout:
        return "!timeout"
    except BaseException as exc:
        return "!probe:" + type(exc).__name__
    if after != before:
        result += " ; args=" + after
    return clipped(result)


def probe_all(request):
    signal.signal(signal.SIGALRM, on_alarm)
    functions = {}
    for target in request["targets"]:
        try:
            functions[target["id"]] = resolve(target["module"], target["qualname"])
        except BaseException as exc:
            functions[target["id"]] = "!missing:" + type(exc).__name__
    deadline = time.time() + request["budget_s"]
    outputs = []
    for item in request["inputs"]:
        function = functions[item["target"]]
        if time.time() > deadline:
            outputs.append("~budget")
        elif not callable(function):
            outputs.append(function)
        else:
            blob = base64.b64decode(item["data"])
            first = call_once(function, blob, request["call_timeout_s"])
            again = call_once(function, blob, request["call_timeout_s"])
            outputs.append(first if first == again else "~unstable")
    return {"outputs": outputs}


class ProbeAfterCollection:
    """A pytest plugin: the probes run once the tests are collected, so that the repository is
    imported as its tests import it (conftest, rootdir on sys.path, plugins configured)."""

    def __init__(self, request):
        self.request, self.result = request, None

    def pytest_collection_finish(self, session):
        self.result = probe_all(self.request)


def probe(request):
    plugin = ProbeAfterCollection(request)
    if request["pytest_args"] is not None:
        try:
            import pytest

            pytest.main(request["pytest_args"] + ["--collect-only"] + request["test_files"],
                        plugins=[plugin])
        except ImportError:
            pass
    return plugin.result if plugin.result is not None else probe_all(request)
