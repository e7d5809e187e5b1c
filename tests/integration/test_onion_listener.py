#!/usr/bin/env python3
"""The onion listener (OnionListen) of a real roneod: connections that start
with the PROXY header tor sends with HiddenServiceExportCircuitID haproxy are
served as the public site; a missing, malformed, over-long or late header
closes the connection without a byte of answer; per-circuit limits answer 429
to a circuit over its request rate while other circuits are served, and close
connections of a circuit over CircuitMaxConnections.  Circuit ids never reach
the log.
"""

import os
import socket
import subprocess
import sys
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402
from rnlib import FIXTURES, req  # noqa: E402

HEADER_TIMEOUT = 2
SERVERS = {}
_NEXT = [0x10000]


def circuit():
    """A circuit id not used before in this run, with both 16-bit halves set."""
    _NEXT[0] += 0x10003
    return _NEXT[0]


def proxy_line(circ, dport=80):
    """The header exactly as tor writes it (export_hs_client_circuit_id)."""
    return ("PROXY TCP6 fc00:dead:beef:4dad::%x:%x ::1 %d %d\r\n"
            % (circ >> 16, circ & 0xffff, circ & 0xffff, dport)).encode()


def tor_options():
    """TorMode off, when this roneod knows the option: no tor in this test."""
    try:
        out = subprocess.run([rnlib.RONEOD, "-f", "/dev/null", "--dump-config"],
                             capture_output=True, timeout=10 * rnlib.SCALE).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    return {"TorMode": "off"} if b"\nTorMode " in b"\n" + out else {}


def server(tap, name, **limits):
    """A server per set of limits, started once."""
    if name not in SERVERS:
        conf = {"OnionListen": "unix:onion.sock", "HeaderTimeout": HEADER_TIMEOUT}
        conf.update(tor_options())
        conf.update(limits)
        s = rnlib.Server(name="onion-" + name, conf=conf)
        s.onion_path = os.path.join(s.data, "onion.sock")
        SERVERS[name] = s if rnlib.start_or_fail(tap, s, "onion " + name) else None
    return SERVERS[name]


def plain(tap):
    # No rate limit here, two connections per circuit.
    return server(tap, "plain", CircuitMaxRequestsPerSecond=0, CircuitMaxConnections=2)


def rated(tap):
    # One request per second, bursts of two.
    return server(tap, "rated", CircuitMaxRequestsPerSecond=1)


def oconn(s):
    return rnlib.Conn(s.onion_path)


def onion_get(s, circ, path="/", headers=("Connection: close",), prefix=None):
    """One request through the onion listener on a fresh connection."""
    with oconn(s) as c:
        r = c.request((proxy_line(circ) if prefix is None else prefix)
                      + req("GET", path, "localhost", list(headers)))
        s.last_error = c.error
        return r


def closed_silently(c, timeout=3.0):
    """(ok, why): the server closes c without sending a byte."""
    closed, extra = c.wait_closed(timeout)
    if extra:
        return False, "answered %r" % extra[:120]
    if not closed:
        return False, "still open after %.1f s" % (timeout * rnlib.SCALE)
    return True, ""


def test_served(tap):
    s = plain(tap)
    if not s:
        return
    circ = circuit()
    r = onion_get(s, circ)
    p = rnlib.security_header_problems(r) if r is not None else [
        "no response: %s" % s.last_error]
    if r is not None and r.status != 200:
        p.append("status %d" % r.status)
    tap.check("onion: GET / after tor's header is 200 with the site's headers", p)

    r = onion_get(s, circuit(), "/page.html")
    tap.ok(r is not None and r.status == 200 and r.body == FIXTURES["page.html"],
           "onion: static files are served as on the public listener",
           "%r %s" % (r, s.last_error))

    # Keep-alive and pipelining after one header: the header comes once.
    with oconn(s) as c:
        ok = c.send(proxy_line(circuit()) + req("GET", "/", "localhost")
                    + req("GET", "/text.txt", "localhost"))
        r1 = c.read_response() if ok else None
        r2 = c.read_response() if r1 is not None else None
        tap.ok(r1 is not None and r1.status == 200 and r2 is not None
               and r2.status == 200 and r2.body == FIXTURES["text.txt"],
               "onion: two pipelined requests after one header are both served",
               "%r %r %s" % (r1, r2, c.error))

    # The header a byte at a time, then the request.
    with oconn(s) as c:
        ok = True
        for b in proxy_line(circuit()):
            ok = ok and c.send(bytes([b]))
        r = c.request(req("GET", "/", "localhost", ["Connection: close"])) if ok else None
        tap.ok(r is not None and r.status == 200,
               "onion: a header sent byte by byte is read", "%r %s" % (r, c.error))

    # Host is still checked.
    with oconn(s) as c:
        r = c.request(proxy_line(circuit()) + req("GET", "/", "elsewhere.example",
                                             ["Connection: close"]))
        tap.ok(r is not None and r.status == 421, "onion: another Host is 421",
               "%r %s" % (r, c.error))


BAD_HEADERS = [
    ("no header", b""),
    ("TCP4", b"PROXY TCP4 127.0.0.1 127.0.0.1 1000 80\r\n"),
    ("UNKNOWN", b"PROXY UNKNOWN\r\n"),
    ("another prefix", b"PROXY TCP6 fc00:dead:beef:4dae::0:1 ::1 1 80\r\n"),
    ("upper-case hex", b"PROXY TCP6 fc00:dead:beef:4dad::0:2A ::1 42 80\r\n"),
    ("leading zeros", b"PROXY TCP6 fc00:dead:beef:4dad::0000:0001 ::1 1 80\r\n"),
    ("port out of range", b"PROXY TCP6 fc00:dead:beef:4dad::0:1 ::1 1 65536\r\n"),
    ("bare LF", b"PROXY TCP6 fc00:dead:beef:4dad::0:1 ::1 1 80\n"),
    ("extra space", b"PROXY TCP6 fc00:dead:beef:4dad::0:1  ::1 1 80\r\n"),
    ("PROXY v2", b"\r\n\r\n\x00\r\nQUIT\n\x21\x21\x00\x24" + b"\x00" * 36),
]


def test_bad_headers(tap):
    s = plain(tap)
    if not s:
        return
    problems = []
    for name, head in BAD_HEADERS:
        try:
            with oconn(s) as c:
                c.send(head + req("GET", "/", "localhost"))
                ok, why = closed_silently(c)
                if not ok:
                    problems.append("%s: %s" % (name, why))
        except OSError as e:
            problems.append("%s: %s" % (name, e))
    tap.check("onion: a missing or malformed header closes without an answer (%d kinds)"
              % len(BAD_HEADERS), problems)

    # Over 107 bytes without an end: closed, though the bytes so far are no header.
    with oconn(s) as c:
        c.send(b"PROXY TCP6 fc00:dead:beef:4dad::" + b"f" * 120)
        ok, why = closed_silently(c)
        tap.ok(ok, "onion: a header running past 107 bytes is closed", why)

    # Incomplete at the head deadline: closed, no 408.
    with oconn(s) as c:
        c.send(proxy_line(circuit())[:20])
        ok, why = closed_silently(c, HEADER_TIMEOUT + 5)
        tap.ok(ok, "onion: a header unfinished at HeaderTimeout is closed without a 408",
               why)

    # The public listener takes no PROXY header: it is no HTTP there.
    with s.conn() as c:
        r = c.request(proxy_line(circuit()) + req("GET", "/", "localhost"))
        tap.ok(r is not None and r.status >= 400,
               "Listen: a PROXY header is not HTTP there (answered %s)"
               % (r.status if r else None), c.error)

    ok, why = s.healthy()
    tap.ok(ok, "onion: the server is healthy after the bad headers", why)


def test_rate(tap):
    s = rated(tap)
    if not s:
        return
    busy = circuit()
    seen = None
    n = 0
    # One request per second with a burst of two: within 40 back-to-back
    # requests a 429 must come, however slow this machine.
    for n in range(1, 41):
        r = onion_get(s, busy)
        if r is None:
            break
        if r.status == 429:
            seen = r
            break
    tap.ok(seen is not None, "onion: a circuit over its request rate gets 429 (after %d)" % n,
           s.last_error)
    if seen is not None:
        tap.check("onion: the 429 is the error page with the site's headers",
                  rnlib.security_header_problems(seen)
                  + ([] if b"<html" in seen.body.lower() else ["no HTML body"]))
    r = onion_get(s, circuit())
    tap.ok(r is not None and r.status == 200,
           "onion: another circuit is served meanwhile",
           "%r %s" % (r, s.last_error))
    r = s.get("/", host="localhost")
    tap.ok(r is not None and r.status == 200,
           "Listen: connections without a circuit are not limited by it",
           "%r %s" % (r, s.last_error))
    # A keep-alive connection of a circuit over its rate is answered 429 and closed.
    with oconn(s) as c:
        raw = proxy_line(busy) + b"".join(req("GET", "/", "localhost") for _ in range(8))
        c.send(raw)
        got = []
        while True:
            r = c.read_response()
            if r is None:
                break
            got.append(r.status)
            if r.status == 429:
                break
        closed, _ = c.wait_closed()
        tap.ok(429 in got and closed,
               "onion: pipelined requests over the rate end in 429 and a close (%r)" % got,
               c.error)


def test_connections(tap):
    s = plain(tap)
    if not s:
        return
    circ = circuit()
    held = []
    try:
        # Two connections of one circuit, each proven registered by an answer.
        for _ in range(2):
            c = oconn(s)
            held.append(c)
            r = c.request(proxy_line(circ) + req("GET", "/", "localhost"))
            if r is None or r.status != 200:
                tap.ok(False, "onion: two connections of one circuit are served",
                       "%r %s" % (r, c.error))
                return
        tap.ok(True, "onion: two connections of one circuit are served")
        with oconn(s) as c:
            c.send(proxy_line(circ) + req("GET", "/", "localhost"))
            ok, why = closed_silently(c)
            tap.ok(ok, "onion: a third connection of the circuit is closed at once "
                   "(CircuitMaxConnections 2)", why)
        r = onion_get(s, circuit())
        tap.ok(r is not None and r.status == 200, "onion: another circuit is served meanwhile",
               "%r %s" % (r, s.last_error))
        held.pop().close()

        # Once one closes, the circuit may connect again.
        def again():
            with oconn(s) as c:
                r = c.request(proxy_line(circ) + req("GET", "/", "localhost",
                                                     ["Connection: close"]), timeout=2)
                return r is not None and r.status == 200
        tap.ok(rnlib.wait_until(again, 5 * rnlib.SCALE, step=0.1),
               "onion: after one of its connections closes, the circuit connects again")
    finally:
        for c in held:
            c.close()


def test_zz_log_and_stop(tap):
    for name in sorted(SERVERS):
        s = SERVERS[name]
        if not s:
            continue
        log = s.log()
        leaks = [w for w in ("fc00", "dead:beef", "4dad", "PROXY TCP6") if w in log]
        tap.ok(not leaks, "onion %s: no circuit or header text in the log" % name,
               "found %r" % leaks)
        s.stop_check(tap)


if __name__ == "__main__":
    rnlib.run([test_served, test_bad_headers, test_rate, test_connections,
               test_zz_log_and_stop])
