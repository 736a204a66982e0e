"""Tests that need the internet: what no local stand-in gives, read from how they fail.

A task's tests run on no network, or on the internal network whose only other host is the
httpbin stand-in (plain HTTP on port 80, `httpbin.org`; sandbox.services). A test that fails
with the gold patch because it reached past that — HTTPS (refused on 443), a host nobody answers
for (no DNS), an address with no route — cannot pass here whatever the code does: the instance is
not runnable here, not failed (psf/requests 2.x: `https://httpbin.org/...`, `example.com`
redirects, connect timeouts against 10.255.255.1).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sandbox import Verdict

_HTTPS_SIGNS = re.compile(r"HTTPSConnectionPool|https://|SSLError|CERTIFICATE_VERIFY")
_REFUSED = re.compile(r"Connection refused|Connection aborted|SSLError|CERTIFICATE_VERIFY")
_NO_HOST = re.compile(r"Name or service not known|Temporary failure in name resolution"
                      r"|nodename nor servname|getaddrinfo failed|gaierror")
_NO_ROUTE = re.compile(r"Network is unreachable|No route to host|ConnectTimeout"
                       r"|Max retries exceeded with url.*timed out")


def internet_need(message: str) -> str:
    """What a failure's message says the test reached for that no stand-in gives ('' if none)."""
    if _HTTPS_SIGNS.search(message) and _REFUSED.search(message):
        return "HTTPS (the stand-in serves plain HTTP)"
    if _NO_HOST.search(message):
        return "a host with no stand-in (no DNS answer)"
    if _NO_ROUTE.search(message):
        return "an address with no route from the internal network"
    return ""


def needing_internet(gold: Verdict, tests: Iterable[str]) -> dict[str, str]:
    """Of `tests`, those that fail with the gold patch for want of the internet, and why."""
    found: dict[str, str] = {}
    for test in tests:
        result = gold.tests.get(test)
        if result is None or gold.passed([test]):
            continue
        need = internet_need(result.message)
        if need:
            found[test] = need
    return found


def not_runnable_reason(needs: dict[str, str]) -> str:
    """One line: how many tests need the internet, the first few named with why."""
    named = "; ".join(f"{test.rpartition('::')[2]}: {why}" for test, why in list(needs.items())[:4])
    more = f" and {len(needs) - 4} more" if len(needs) > 4 else ""
    return (f"not runnable here: {len(needs)} test(s) the record needs passing reach the "
            f"internet past the local stand-ins ({named}{more})")
