#!/usr/bin/env python3
"""The process side of roneod: graceful stop with a response in flight,
ShutdownTimeout, SIGINT, SIGHUP reload (valid and invalid files), restart of
a killed http child, the DataDirectory lock, and that the log never holds a
client's address, a request path or a User-Agent.
"""

import os
import signal
import sys
import threading
import time
import uuid

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402
from rnlib import SCALE, req  # noqa: E402

BIG = 16 << 20
SLACK = 3.0 * SCALE


def new_conn_state(s):
    """What a new connection gets: 'refused', 'dropped' (accepted, closed
    unanswered), 'hung' (accepted, no answer within 1 s) or 'answered NNN'."""
    try:
        c = rnlib.Conn(s.addr, timeout=1.0, connect_timeout=0.5)
    except OSError:
        return "refused"
    with c:
        r = c.request(req(headers=["Connection: close"]), timeout=1.0 / SCALE)
        if r is not None:
            return "answered %d" % r.status
        return "dropped" if c.eof else "hung"


def test_graceful_inflight(tap):
    st = 6
    rate = 8e6      # bytes a second the slow reader takes
    s = rnlib.Server(name="graceful", big=BIG, conf={"ShutdownTimeout": st})
    if not rnlib.start_or_fail(tap, s, "graceful"):
        return
    c = s.conn(rcvbuf=8192, timeout=30)
    c.send(req(path="/big.bin"))
    # Read the head and a little of the body, so the response is in flight.
    while b"\r\n\r\n" not in c.buf and c._fill(time.monotonic() + 5 * SCALE):
        pass
    head_end = c.buf.find(b"\r\n\r\n")
    while len(c.buf) < head_end + 4 + 256 * 1024 and c._fill(time.monotonic() + 5 * SCALE):
        pass
    t_sig = time.monotonic()
    s.send_signal(signal.SIGTERM)

    result = {}

    def reader():
        # Paced, so the transfer outlives the signal by about two seconds.
        r = None
        t0, got0 = time.monotonic(), len(c.buf)
        try:
            while len(c.buf) < head_end + 4 + BIG and not c.eof:
                if not c._fill(time.monotonic() + 10 * SCALE, 65536):
                    break
                ahead = (len(c.buf) - got0) / rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
            result["t_body"] = time.monotonic()
            r = c.read_response(timeout=10)
        except Exception as e:
            result["error"] = str(e)
        result["resp"] = r
        result["closed"] = c.wait_closed(st + SLACK)[0]
        result["t_closed"] = time.monotonic()
    th = threading.Thread(target=reader)
    th.start()
    states = []

    def stopped_serving():
        states.append(new_conn_state(s))
        return states[-1] in ("refused", "dropped")
    how = rnlib.wait_until(stopped_serving, 2.0 * SCALE, 0.05)
    busy = th.is_alive()
    rc = s.wait_exit(st + SLACK)
    t_exit = time.monotonic()
    th.join(30 * SCALE)
    r = result.get("resp")
    p = []
    if r is None or r.status != 200:
        p.append("response %r (%s %s)" % (r, c.error, result.get("error")))
    elif rnlib.sha256(r.body) != rnlib.sha256(rnlib.big_content(BIG)):
        p.append("body corrupted (%d bytes)" % len(r.body))
    if not result.get("closed"):
        p.append("connection not closed after the response during shutdown")
    c.close()
    tap.check("SIGTERM with a 16 MiB response in flight: the response completes intact", p)
    tap.comment("new connections after SIGTERM: %s" % ", ".join(states))
    tap.ok(how and busy, "after SIGTERM, while a response is in flight, new connections "
           "are refused (or closed unanswered)",
           "new connections were %s (in flight: %s)" % (", ".join(states), busy))
    if "t_body" in result:
        tb = result["t_body"]
        tc = result.get("t_closed", t_exit)
        tap.comment("body done %.2f s after SIGTERM, connection closed at %.2f s, parent "
                    "exited at %.2f s" % (tb - t_sig, tc - t_sig, t_exit - t_sig))
        tap.ok(tc - tb <= 1.0 * SCALE and t_exit - tb <= 1.5 * SCALE,
               "once the in-flight response is done, its connection closes and the parent "
               "exits (not at the ShutdownTimeout deadline)",
               "closed %.2f s and exited %.2f s after the body was done (ShutdownTimeout %d)"
               % (tc - tb, t_exit - tb, st))
    tap.ok(rc == 0 and t_exit - t_sig <= st + SLACK,
           "the parent exits 0 within ShutdownTimeout + %.0f s (%.2f s)"
           % (SLACK, t_exit - t_sig), "rc %r\n%s" % (rc, s.log_tail()))
    s.stop_check(tap, "graceful: clean exit, no children left, clean log")


def test_shutdown_timeout(tap):
    st = 2
    s = rnlib.Server(name="cut", big=BIG, conf={"ShutdownTimeout": st, "WriteTimeout": 60})
    if not rnlib.start_or_fail(tap, s, "cut"):
        return
    stalled = s.conn(rcvbuf=4096, timeout=30)
    stalled.send(req(path="/big.bin"))
    idle = s.conn()
    r = idle.request(req())
    half = s.conn()
    half.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    time.sleep(0.3)
    t = time.monotonic()
    s.send_signal(signal.SIGTERM)
    idle_closed, _ = idle.wait_closed(st + SLACK)
    t_idle = time.monotonic() - t
    rc = s.wait_exit(st + SLACK)
    el = time.monotonic() - t
    tap.ok(r is not None and r.status == 200 and idle_closed and t_idle < st,
           "an idle keep-alive connection is closed at once on SIGTERM (%.2f s)" % t_idle,
           "closed %r after %.2f s" % (idle_closed, t_idle))
    tap.ok(rc == 0 and el <= st + SLACK,
           "a client that stopped reading is cut at ShutdownTimeout %d s; exit 0 after %.2f s"
           % (st, el), "rc %r\n%s" % (rc, s.log_tail()))
    for c in (stalled, idle, half):
        c.close()
    s.stop_check(tap, "cut: clean exit, no children left, clean log")


def test_sigint(tap):
    s = rnlib.Server(name="sigint", big=1 << 20)
    if not rnlib.start_or_fail(tap, s, "sigint"):
        return
    s.stop_check(tap, "SIGINT: exit 0, no children left", sig=signal.SIGINT)


def test_reload(tap):
    s = rnlib.Server(name="reload", big=1 << 20,
                     conf={"HostName": ["a.example", "127.0.0.1"]})
    if not rnlib.start_or_fail(tap, s, "reload"):
        return
    r = s.get("/", host="a.example")
    tap.ok(r is not None and r.status == 200, "before reload: Host a.example -> 200", repr(r))
    r = s.get("/", host="b.example")
    tap.ok(r is not None and r.status == 421, "before reload: Host b.example -> 421", repr(r))
    parent = s.pid
    s.opts["HostName"] = ["b.example", "127.0.0.1"]
    s.write_conf()
    s.send_signal(signal.SIGHUP)

    def new_name():
        r = s.get("/", host="b.example", timeout=2)
        return r is not None and r.status == 200
    tap.ok(rnlib.wait_until(new_name, 5.0 * SCALE, 0.05),
           "after SIGHUP with HostName changed: Host b.example -> 200", s.log_tail())
    r = s.get("/", host="a.example")
    tap.ok(r is not None and r.status == 421, "after reload: the old name -> 421", repr(r))
    tap.ok(s.running() and s.pid == parent, "the parent kept running through the reload")

    before = len(s.log())
    good_conf = open(s.conf_path).read()
    s.write_conf(good_conf + "HostName c.example\nThisIsNotAnOption 1\n")
    s.send_signal(signal.SIGHUP)
    logged = rnlib.wait_until(lambda: len(s.log()) > before and
                              ("roneod.conf:" in s.log()[before:]), 5.0 * SCALE, 0.05)
    new = s.log()[before:]
    tap.ok(logged and ("err" in new.lower()),
           "SIGHUP with an invalid file logs an error naming the file and line",
           "log after the HUP:\n%s" % new)
    r = s.get("/", host="b.example")
    tap.ok(r is not None and r.status == 200 and s.running(),
           "with the invalid file, the old config keeps serving", repr(r))
    r = s.get("/", host="c.example")
    tap.ok(r is not None and r.status == 421, "nothing of the invalid file was applied",
           repr(r))
    s.write_conf(good_conf)

    # A Listen change re-opens the listeners.
    old_port = s.port
    s.port = rnlib.free_port()
    s.opts["Listen"] = ["127.0.0.1:%d" % s.port]
    s.write_conf()
    s.send_signal(signal.SIGHUP)

    def new_port():
        r = s.get("/", timeout=2)
        return r is not None and r.status == 200
    tap.ok(rnlib.wait_until(new_port, 5.0 * SCALE, 0.05),
           "after SIGHUP with a new Listen port, the new port serves", s.log_tail())

    def old_gone():
        try:
            c = rnlib.Conn(("127.0.0.1", old_port), timeout=1.0, connect_timeout=0.5)
        except OSError:
            return True
        c.close()
        return False
    tap.ok(rnlib.wait_until(old_gone, 3.0 * SCALE, 0.05),
           "and the old port is closed (connections refused)")
    ok, why = s.healthy()
    tap.ok(ok, "reload: healthy at the end", why)
    s.stop_check(tap, "reload: clean exit")


def test_child_restart(tap):
    s = rnlib.Server(name="restart", big=1 << 20)
    if not rnlib.start_or_fail(tap, s, "restart"):
        return
    for round_ in (1, 2):
        old = s.http_pid()
        if old is None:
            tap.ok(False, "found the http child", "children %r" % rnlib.children_of(s.pid))
            break
        t_kill = time.monotonic()
        os.kill(old, signal.SIGKILL)
        new = rnlib.wait_until(lambda: (s.http_pid() not in (None, old)) and s.http_pid(),
                               5.0 * SCALE, 0.01)
        tap.comment("round %d: new child after %.3f s" % (round_, time.monotonic() - t_kill))
        tap.ok(bool(new), "round %d: a new http child replaces the killed one (%s -> %s)"
               % (round_, old, new), s.log_tail())

        def serving():
            r = s.get("/", timeout=2)
            return r is not None and r.status == 200
        t = time.monotonic()
        ok = rnlib.wait_until(serving, 5.0 * SCALE, 0.05)
        tap.ok(ok, "round %d: GET / -> 200 again after %.2f s" % (round_, time.monotonic() - t),
               s.log_tail())
        tap.ok(s.running(), "round %d: the parent survived the child's death" % round_)
    s.stop_check(tap, "restart: clean exit")


def test_lock(tap):
    s = rnlib.Server(name="lock", big=1 << 20)
    if not rnlib.start_or_fail(tap, s, "lock"):
        return
    t = rnlib.Server(name="lock2", fixtures=False, data_dir=s.data,
                     conf={"PublicDirectory": s.public})
    t.start(wait=False)
    rc = t.wait_exit(10)
    log = t.log()
    tap.ok(rc == 75, "a second roneod on the same DataDirectory exits 75",
           "rc %r\n%s" % (rc, log))
    tap.ok("lock" in log.lower() or "already" in log.lower() or "running" in log.lower(),
           "and says why", log)
    if rc is None:
        t.stop()
    ok, why = s.healthy()
    tap.ok(ok, "the first roneod keeps serving", why)
    s.stop_check(tap, "lock: clean exit")


def test_privacy(tap):
    s = rnlib.Server(name="privacy", big=1 << 20, conf={"LogLevel": "debug"})
    if not rnlib.start_or_fail(tap, s, "privacy"):
        return
    tok = uuid.uuid4().hex
    ports = []
    paths = ["/p-%s-found" % tok, "/p-%s-q?x=%s" % (tok, tok), "/p-%s%%zz" % tok,
             "/p-%s/../x" % tok]
    heads = [("User-Agent", "UA-%s" % tok), ("Referer", "http://r-%s.example/" % tok),
             ("X-Forwarded-For", "203.0.113.77"), ("Cookie", "c=%s" % tok)]
    for path in paths:
        with s.conn() as c:
            ports.append(c.local_port)
            c.request(req(path=path, headers=heads))
    for raw in (b"GET /p-%s HTTP/1.1\r\nHost: h-%s.example\r\n\r\n" % (tok.encode(),
                                                                       tok.encode()),
                b"FOO /p-%s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % tok.encode(),
                b"GET /p-%s HTTP/1.1\r\nHost: 127.0.0.1\r\nX-%s : x\r\n\r\n" % (
                    tok.encode(), tok.encode()),
                b"GET /p-" + tok.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nX: \x01\r\n\r\n"):
        with s.conn() as c:
            ports.append(c.local_port)
            c.request(raw)
    # A slowloris and a 503 are logged at most as counts, never with addresses.
    with s.conn() as c:
        ports.append(c.local_port)
        c.send(b"GET /p-%s HTTP/1.1\r\n" % tok.encode())
    s.stop_check(tap, "privacy: clean exit")
    log = s.log()
    found = []
    if tok in log:
        found.append("the request token (path/UA/Host/Cookie) appears")
    if "203.0.113.77" in log:
        found.append("X-Forwarded-For appears")
    for port in ports:
        if port and ("127.0.0.1:%d" % port in log or ":%d " % port in log):
            found.append("client address 127.0.0.1:%d appears" % port)
    if found:
        found.append("log:\n" + log[-3000:])
    tap.check("stderr (at LogLevel debug) never holds client addresses, paths, "
              "headers or user agents", found)


if __name__ == "__main__":
    rnlib.run([test_graceful_inflight, test_shutdown_timeout, test_sigint, test_reload,
               test_child_restart, test_lock, test_privacy])
