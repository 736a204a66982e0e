# ruff: noqa: PTH123, UP031
"""The behaviour probe, run inside the sandbox under the task's own Python (plain syntax: the
image's interpreter may be old). The host (solver/selection/behaviour.py)
passes this source (base64), the
mode and a JSON request on the command line; the answer is one line, MARKER + JSON, on stdout.

    files   the named files of the tree, as they are
    trace   the task's tests (pytest, in this process) under a profile hook that records the
            arguments of calls to the target functions (pickled, round-trip checked, capped),
            then variations of them (of one argument, or of one attribute of `self`): ints
            +-1 / 0 / negated, strings empty / doubled, lists empty / first / reversed, None
    probe   this tree's version of every target on every input: a canonical output per input
            (repr of the return value and of mutated arguments, or the exception's type name)

Repository code runs only here. Its own output goes to /dev/null; the answer goes to the
original stdout.
"""

import base64
import hashlib
import importlib
import json
import os
import pickle
import random
import re
import signal
import sys
import time
import traceback

MARKER = "@@SOLVER-BEHAVIOUR@@ "
ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
CO_VARARGS, CO_VARKEYWORDS = 0x04, 0x08
OUTPUT_CHARS = 160


class ProbeTimeout(BaseException):
    """Raised by the alarm inside a probed call; a BaseException so `except Exception` in the
    repository's code does not swallow it."""


def read_request():
    """The JSON request, split over the arguments after the mode (an argument holds < 128 KiB)."""
    return json.loads("".join(sys.argv[2:]))


def answer(out, payload):
    data = (MARKER + json.dumps(payload) + "\n").encode("utf-8")
    while data:
        data = data[os.write(out, data):]


def silence():
    """Point stdout and stderr at /dev/null; returns a descriptor of the original stdout."""
    sys.stdout.flush()
    sys.stderr.flush()
    out = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    return out


# ---------------------------------------------------------------- files


def read_files(request):
    found = {}
    for path in request["paths"]:
        try:
            with open(path, "rb") as f:
                found[path] = f.read(request.get("max_bytes", 4000000)).decode("utf-8", "replace")
        except OSError:
            found[path] = None
    return {"files": found}


# ---------------------------------------------------------------- trace


class Recorder:
    """Matches code objects to targets (once per code object) and keeps their calls."""

    def __init__(self, request):
        self.targets = request["targets"]
        self.max_calls = request["max_calls"]
        self.max_blob = request["max_blob"]
        self.by_name = {}
        for target in self.targets:
            self.by_name.setdefault(target["name"], []).append(target)
        self.codes = {}
        self.calls = dict((t["id"], []) for t in self.targets)
        self.seen = dict((t["id"], 0) for t in self.targets)
        self.misses = dict((t["id"], 0) for t in self.targets)
        self.blobs = set()
        self.modules = {}
        self.saturated = False

    def match(self, code):
        for target in self.by_name.get(code.co_name, ()):
            filename = code.co_filename.replace(os.sep, "/")
            path = target["path"]
            if (filename == path or filename.endswith("/" + path)) and \
                    code.co_firstlineno in target["lines"]:
                return target
        return None

    def hook(self, frame, event, arg):
        if event != "call":
            return
        code = frame.f_code
        target = self.codes.get(code, self)
        if target is self:
            target = self.codes[code] = self.match(code)
        if target is not None:
            self.record(target, frame)

    def record(self, target, frame):
        tid = target["id"]
        self.seen[tid] += 1
        if len(self.calls[tid]) >= self.max_calls or self.misses[tid] >= 5 * self.max_calls:
            return  # enough, or hopeless (pickling every call of a hot function costs)
        module = frame.f_globals.get("__name__")
        try:
            call = arguments(frame)
            blob = pickle.dumps(call, 2)
            if len(blob) > self.max_blob or (tid, blob) in self.blobs:
                raise ValueError("too large, or seen")
            pickle.loads(blob)  # what cannot come back cannot be replayed elsewhere
            if not module or module == "__main__":
                raise ValueError("no importable module")
        except BaseException:
            self.misses[tid] += 1  # e.g. a `self` that does not pickle: the call is skipped
            return
        self.blobs.add((tid, blob))
        self.modules.setdefault(tid, module)
        self.calls[tid].append((blob, describe(target, call)))
        if all(len(c) >= self.max_calls for c in self.calls.values()):
            self.saturated = True


def arguments(frame):
    """(args, kwargs) that repeat the call `frame` is starting."""
    code = frame.f_code
    names, local = code.co_varnames, frame.f_locals
    count, kwonly = code.co_argcount, code.co_kwonlyargcount
    args = [local[name] for name in names[:count]]
    kwargs = dict((name, local[name]) for name in names[count:count + kwonly] if name in local)
    index = count + kwonly
    if code.co_flags & CO_VARARGS:
        args.extend(local.get(names[index], ()))
        index += 1
    if code.co_flags & CO_VARKEYWORDS:
        kwargs.update(local.get(names[index], {}))
    return (args, kwargs)


def short(value):
    try:
        text = ADDRESS.sub("", repr(value))
    except BaseException:
        text = "<%s>" % type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def describe(target, call):
    args, kwargs = call
    shown = ["<%s>" % type(a).__name__ for a in args[:1]] if target["method"] else []
    shown += [short(a) for a in args[1 if target["method"] else 0:]]
    shown += ["%s=%s" % (k, short(v)) for k, v in sorted(kwargs.items())]
    text = "%s(%s)" % (target["qualname"], ", ".join(shown))
    return text if len(text) <= 200 else text[:197] + "..."


def variants(value):
    """Nearby values of a plain argument: the edges tests tend to leave out."""
    if value is None:
        return []
    if isinstance(value, bool):
        found = [not value]
    elif isinstance(value, int):
        found = [value + 1, value - 1, 0, -value]
    elif isinstance(value, float):
        found = [value + 1.0, 0.0, -value]
    elif isinstance(value, (str, bytes)):
        found = [value[:0], value + value]
    elif isinstance(value, (list, tuple)):
        found = [value[:0], value[:1], value[::-1]]
    else:
        found = []
    return found + [None]


def variations(recorder, max_inputs):
    """New calls, each changing one argument of a recorded call, round-robin over the calls."""
    made = dict((tid, []) for tid in recorder.calls)
    for target in recorder.targets:
        tid = target["id"]
        room = max_inputs - len(recorder.calls[tid])
        pending = [safely_changed_calls(target, blob) for blob, _ in recorder.calls[tid]]
        while room > 0 and any(pending):
            for queue in pending:
                while queue and room > 0:
                    call, change = queue.pop(0)
                    try:
                        blob = pickle.dumps(call, 2)
                    except BaseException:
                        continue
                    if (tid, blob) in recorder.blobs or len(blob) > recorder.max_blob:
                        continue
                    recorder.blobs.add((tid, blob))
                    made[tid].append((blob, describe(target, call) + change))
                    room -= 1
                    break
    return made


def safely_changed_calls(target, blob):
    try:
        return list(changed_calls(target, blob))
    except BaseException:
        return []


def changed_calls(target, blob):
    args, kwargs = pickle.loads(blob)
    first = 1 if target["method"] else 0
    state = getattr(args[0], "__dict__", None) if first and args else None
    for name in sorted(state or ()) if isinstance(state, dict) else ():
        for value in variants(state[name]):
            fresh_args, fresh_kwargs = pickle.loads(blob)
            fresh_args[0].__dict__[name] = value  # `self` with one attribute changed
            yield (fresh_args, fresh_kwargs), " with self.%s=%s" % (name, short(value))
    for index in range(first, len(args)):
        for value in variants(args[index]):
            fresh_args, fresh_kwargs = pickle.loads(blob)
            fresh_args[index] = value
            yield (fresh_args, fresh_kwargs), ""
    for name in sorted(kwargs):
        for value in variants(kwargs[name]):
            fresh_args, fresh_kwargs = pickle.loads(blob)
            fresh_kwargs[name] = value
            yield (fresh_args, fresh_kwargs), ""


class StopWhenDone:
    """A pytest plugin: the run stops once every target has its calls, or past the budget."""

    def __init__(self, recorder, budget_s):
        self.recorder, self.deadline = recorder, time.time() + budget_s

    def pytest_runtest_logfinish(self, nodeid, location):
        if self.recorder.saturated or time.time() > self.deadline:
            self.session.shouldstop = "behaviour probe: enough calls recorded"

    def pytest_sessionstart(self, session):
        self.session = session


def trace(request):
    recorder = Recorder(request)
    import threading

    import pytest

    sys.setprofile(recorder.hook)
    threading.setprofile(recorder.hook)
    try:
        status = pytest.main(request["pytest_args"] + request["test_ids"],
                             plugins=[StopWhenDone(recorder, request["budget_s"])])
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
    made = variations(recorder, request["max_inputs"])
    inputs, room = [], request["max_total_bytes"]
    for origin, calls in (("test", recorder.calls), ("variation", made)):
        for target in recorder.targets:
            for blob, text in calls[target["id"]]:
                if len(blob) > room or len(inputs) >= request["max_total_inputs"]:
                    continue
                room -= len(blob)
                inputs.append({"target": target["id"], "origin": origin, "call": text,
                               "data": base64.b64encode(blob).decode("ascii")})
    return {"inputs": inputs, "modules": recorder.modules, "seen": recorder.seen,
            "pytest_status": int(status)}


# ---------------------------------------------------------------- probe


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
        text = ADDRESS.sub(" at 0x?", repr(value))
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


MODES = {"files": read_files, "trace": trace, "probe": probe}


def main():
    mode = sys.argv[1]
    request = read_request()
    out = silence()
    try:
        payload = MODES[mode](request)
    except BaseException:
        payload = {"error": traceback.format_exc()[-3000:]}
    answer(out, payload)
    os._exit(0)  # no atexit handlers, no threads left behind by the repository's code


if __name__ == "__main__":
    main()
