# ruff: noqa: PTH123
"""The behaviour probe, run inside the sandbox under the task's own Python (plain syntax: the
image's interpreter may be old). The host (solver/selection/behaviour.py) passes the script
(base64), the mode and a JSON request on the command line; the answer is one line, MARKER + JSON,
on stdout. The script is three files joined: trace_calls.py, replay_calls.py, then this one.

    files   the named files of the tree, as they are
    trace   (trace_calls.py) the arguments of calls to the target functions while the task's
            tests run, and variations of them
    probe   (replay_calls.py) this tree's version of every target on every input: a canonical
            output per input

Repository code runs only here. Its own output goes to /dev/null; the answer goes to the
original stdout.
"""

import json
import os
import sys
import traceback

MARKER = "@@SOLVER-BEHAVIOUR@@ "


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


MODES = {"files": read_files, "trace": trace, "probe": probe}  # noqa: F821


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
