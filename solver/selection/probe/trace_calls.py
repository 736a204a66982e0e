# ruff: noqa: UP031
"""The behaviour probe's `trace` mode (the first part of the script: see behaviour_probe.py).

The task's tests run (pytest, in this process) under a profile hook that records the arguments of
calls to the target functions (pickled, round-trip checked, capped); then variations of them (of
one argument, or of one attribute of `self`): ints +-1 / 0 / negated, strings empty / doubled,
lists empty / first / reversed, None.
"""

import base64
import os
import pickle
import re
import signal
import sys
import time

ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
CO_VARARGS, CO_VARKEYWORDS = 0x04, 0x08


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


class TraceTimeout(Exception):
    """A test ran past its deadline while traced (a looping base tree)."""


def on_trace_alarm(signum, frame):
    raise TraceTimeout("behaviour probe: test exceeded its deadline")


class StopWhenDone:
    """A pytest plugin: the run stops once every target has its calls, or past the budget, or
    once a test runs past `test_timeout_s` (a looping base: the calls recorded so far stay)."""

    def __init__(self, recorder, budget_s, test_timeout_s=0.0):
        self.recorder, self.deadline = recorder, time.time() + budget_s
        self.test_timeout_s, self.timed_out, self.started = test_timeout_s, [], 0.0
        self.armed = test_timeout_s > 0 and hasattr(signal, "setitimer")
        if self.armed:
            signal.signal(signal.SIGALRM, on_trace_alarm)

    def pytest_runtest_logstart(self, nodeid, location):
        self.started = time.time()
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, self.test_timeout_s)

    def pytest_runtest_logfinish(self, nodeid, location):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
        if self.test_timeout_s > 0 and time.time() - self.started >= self.test_timeout_s:
            self.timed_out.append(nodeid)
            self.session.shouldstop = "behaviour probe: %s ran past %gs" % (
                nodeid, self.test_timeout_s)
        elif self.recorder.saturated or time.time() > self.deadline:
            self.session.shouldstop = "behaviour probe: enough calls recorded"

    def pytest_sessionstart(self, session):
        self.session = session


def trace(request):
    recorder = Recorder(request)
    import threading

    import pytest

    stopper = StopWhenDone(recorder, request["budget_s"], request.get("test_timeout_s", 0.0))
    sys.setprofile(recorder.hook)
    threading.setprofile(recorder.hook)
    try:
        status = pytest.main(request["pytest_args"] + request["test_ids"], plugins=[stopper])
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
        if stopper.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
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
            "pytest_status": int(status), "timed_out": stopper.timed_out}
