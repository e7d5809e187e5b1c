#!/usr/bin/env python3
"""Slow and many clients against a real roneod.

* 500 slowloris connections at once (part of a head, then a byte a second)
  plus 250 slow bodies (a POST with a large Content-Length, then a few bytes
  a second), while 50 normal GETs on fresh connections succeed.  (roneod
  refuses POSTs at once for now, so the slowloris ones alone make the 500
  held at the same time.)  The
  slowloris ones must be cut by HeaderTimeout, a deadline rather than an idle
  timer, even though they keep dripping.
* The http child's RSS before and during the flood.
* MaxConnections reached -> 503, IdleTimeout closes an idle keep-alive
  connection, HeaderTimeout also bounds the next head on a keep-alive
  connection, WriteTimeout cuts a client that stops reading.
"""

import os
import selectors
import socket
import statistics
import sys
import threading
import time

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402
from rnlib import SCALE, req  # noqa: E402

HT = 3          # HeaderTimeout
BRW = 2         # BodyRateWindow
BMR = 1024      # BodyMinRate
IT = 2          # IdleTimeout
WT = 3          # WriteTimeout
SLACK = 2.0 * SCALE
NLORIS = int(os.environ.get("RN_SLOW_CONNS", "500"))
NBODY = NLORIS // 2
NCONNS = NLORIS + NBODY
NGETS = 50
BIG = 16 << 20

LORIS_HEAD = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n"
LORIS_DRIP = b"X-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n" * 10
BODY_HEAD = (b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
             b"Content-Length: 100000\r\n\r\n")

S = None


def slow_server(tap):
    global S
    if S is None:
        rnlib.raise_nofile(NCONNS + 1024)
        S = rnlib.Server(name="slow", big=BIG, conf={
            "HeaderTimeout": HT, "BodyMinRate": BMR, "BodyRateWindow": BRW,
            "MaxConnections": 2048, "IdleTimeout": IT, "WriteTimeout": WT})
        if not rnlib.start_or_fail(tap, S, "slow"):
            S = False
    return S or None


class Slow:
    __slots__ = ("sock", "kind", "t_first", "t_closed", "data", "pos", "next_drip", "how")

    def __init__(self, sock, kind, now):
        self.sock = sock
        self.kind = kind
        self.t_first = now
        self.t_closed = None
        self.data = b""
        self.pos = 0
        self.next_drip = now + 1.0
        self.how = None


def _close(sel, c, now, how):
    if c.t_closed is None:
        c.t_closed = now
        c.how = how
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        c.sock.close()


def _service(sel, conns, timeout):
    """One round: read what arrived, drip to whoever is due.  Returns #open."""
    for key, _ in sel.select(timeout):
        c = key.data
        try:
            d = c.sock.recv(4096)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            _close(sel, c, time.monotonic(), "reset")
            continue
        if d:
            c.data += d
        else:
            _close(sel, c, time.monotonic(), "eof")
    now = time.monotonic()
    nopen = 0
    for c in conns:
        if c.t_closed is not None:
            continue
        nopen += 1
        if now < c.next_drip:
            continue
        c.next_drip += 1.0
        if c.kind == "loris":
            chunk = LORIS_DRIP[c.pos % len(LORIS_DRIP):c.pos % len(LORIS_DRIP) + 1]
        else:
            chunk = b"abc"
        try:
            c.sock.send(chunk)
            c.pos += len(chunk)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            # The server closed; a read event may not have been seen yet.
            _close(sel, c, now, "send-failed")
    return nopen


def _getter(s, start, span, results):
    for i in range(NGETS):
        due = start + span * i / NGETS
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        t = time.monotonic()
        try:
            r = s.get("/page.html", timeout=10)
            results.append((r.status if r else None, time.monotonic() - t,
                            None if r else s.last_error))
        except OSError as e:
            results.append((None, time.monotonic() - t, str(e)))


def test_flood(tap):
    s = slow_server(tap)
    if not s:
        return
    pid = s.http_pid()
    rss0 = rnlib.rss_kib(pid) if pid else None
    sel = selectors.DefaultSelector()
    conns = []
    open_errors = []
    slowest_connect = 0.0
    for i in range(NCONNS):
        kind = "body" if i % 3 == 2 else "loris"
        t = time.monotonic()
        try:
            sock = socket.create_connection(s.addr, timeout=5 * SCALE)
        except OSError as e:
            open_errors.append(str(e))
            continue
        slowest_connect = max(slowest_connect, time.monotonic() - t)
        sock.setblocking(False)
        try:
            sock.send(LORIS_HEAD if kind == "loris" else BODY_HEAD)
        except OSError as e:
            open_errors.append("first send: %s" % e)
        c = Slow(sock, kind, time.monotonic())
        conns.append(c)
        sel.register(sock, selectors.EVENT_READ, c)
        if i % 25 == 24:
            # Let the server accept: a full accept queue drops SYNs, and the
            # retried connection's deadline would start a second late.
            _service(sel, conns, 0)
            time.sleep(0.005)
    t_open = time.monotonic()
    tap.check("%d slow connections opened (%d slowloris, %d slow bodies)"
              % (NCONNS, NLORIS, NBODY), open_errors[:5])
    tap.comment("opening took %.2f s, slowest connect %.3f s"
                % (t_open - conns[0].t_first if conns else 0, slowest_connect))

    results = []
    getter = threading.Thread(target=_getter, args=(s, t_open, max(0.5, HT - 1.0), results))
    getter.start()
    rss1 = None
    deadline = t_open + HT + BRW + SLACK + 2.0
    held_at_sample = None
    while time.monotonic() < deadline:
        nopen = _service(sel, conns, 0.05)
        if rss1 is None and time.monotonic() >= t_open + 0.5:
            rss1 = rnlib.rss_kib(pid) if pid else None
            held_at_sample = nopen
        if nopen == 0 and not getter.is_alive():
            break
    getter.join(30 * SCALE)
    for c in conns:
        _close(sel, c, time.monotonic(), "by-client")
    sel.close()

    loris = [c for c in conns if c.kind == "loris"]
    body = [c for c in conns if c.kind == "body"]

    def lifetimes(cs):
        return [c.t_closed - c.t_first for c in cs]

    lt = lifetimes([c for c in loris if c.how != "by-client"])
    if lt:
        tap.comment("slowloris lifetimes: min %.2f median %.2f max %.2f s (HeaderTimeout %d)"
                    % (min(lt), statistics.median(lt), max(lt), HT))
    p = []
    left = [c for c in loris if c.how == "by-client"]
    if left:
        p.append("%d of %d still open after %.1f s" % (len(left), len(loris),
                                                       deadline - t_open))
    late = [x for x in lt if x > HT + SLACK]
    if late:
        p.append("%d cut later than HeaderTimeout + %.1f s (max %.2f s)"
                 % (len(late), SLACK, max(late)))
    tap.check("every slowloris connection is cut within HeaderTimeout + %.1f s though "
              "it keeps dripping" % SLACK, p)
    early = [x for x in lt if x < HT - 0.5]
    tap.ok(not early, "no slowloris connection is cut before HeaderTimeout",
           "%d cut early (min %.2f s)" % (len(early), min(early) if early else 0))
    got408 = sum(1 for c in loris if c.data.startswith(b"HTTP/1.1 408 "))
    other = [c.data[:40] for c in loris if c.data and not c.data.startswith(b"HTTP/1.1 408 ")]
    silent = sum(1 for c in loris if not c.data)
    tap.comment("slowloris answers: %d got 408, %d closed silently, %d other"
                % (got408, silent, len(other)))
    tap.ok(got408 == len(loris), "every slowloris connection got a 408 before the close",
           "%d/%d; other answers %r" % (got408, len(loris), other[:5]))

    blt = lifetimes([c for c in body if c.how != "by-client"])
    statuses = {}
    for c in body:
        k = c.data[9:12].decode("latin-1") if c.data.startswith(b"HTTP/1.1 ") else "none"
        statuses[k] = statuses.get(k, 0) + 1
    tap.comment("slow-body answers: %r; lifetimes max %.2f s" % (statuses, max(blt) if blt
                                                                   else -1))
    if statuses.get("408", 0) == 0:
        tap.comment("no slow body reached the BodyMinRate check: roneod has no route "
                    "that reads a request body yet, so POSTs are refused at once")
    p = []
    left = [c for c in body if c.how == "by-client"]
    if left:
        p.append("%d of %d still open" % (len(left), len(body)))
    late = [x for x in blt if x > HT + BRW + SLACK]
    if late:
        p.append("%d closed late (max %.2f s)" % (len(late), max(late)))
    bad = [k for k in statuses if k not in ("408", "405", "413")]
    if bad:
        p.append("unexpected answers %r" % bad)
    tap.check("every slow-body connection is closed by the server (408, or refused)", p)

    p = []
    oks = [r for r in results if r[0] == 200]
    if len(oks) != NGETS:
        p.append("%d of %d GETs answered 200; failures %r" % (
            len(oks), NGETS, [r for r in results if r[0] != 200][:5]))
    lat = [r[1] for r in results]
    bound = 2.0 * SCALE
    if lat and max(lat) > bound:
        p.append("slowest GET took %.2f s (bound %.1f s)" % (max(lat), bound))
    if lat:
        tap.comment("normal GETs during the flood: median %.1f ms, max %.1f ms"
                    % (statistics.median(lat) * 1000, max(lat) * 1000))
    tap.check("%d normal GETs during the flood all get 200, each under %.1f s"
              % (NGETS, bound), p)

    tap.comment("http child RSS: %s KiB idle, %s KiB with %s slow connections held"
                % (rss0, rss1, held_at_sample))
    tap.ok(held_at_sample is not None and held_at_sample >= NLORIS,
           "at least %d slow connections held open at once" % NLORIS,
           "%s open when sampled" % held_at_sample)
    # ASan's shadow memory and quarantine inflate RSS; the bound still
    # catches memory that grows with the connections' bytes.
    limit_mib = 256 if rnlib.SANITIZED else 64
    tap.ok(rss1 is not None and rss1 < limit_mib * 1024,
           "http child RSS under %d MiB with %d connections" % (limit_mib, NLORIS),
           "RSS %s KiB" % rss1)
    ok, why = s.healthy()
    tap.ok(ok and s.http_pid() == pid, "server healthy after the flood, same http child", why)


def test_idle(tap):
    s = slow_server(tap)
    if not s:
        return
    with s.conn() as c:
        r = c.request(req())
        t = time.monotonic()
        closed, extra = c.wait_closed(IT + SLACK + 1.0)
        el = time.monotonic() - t
        p = [] if r is not None and r.status == 200 else ["first request: %r" % r]
        if not closed:
            p.append("still open after %.1f s" % el)
        elif el < IT - 0.5:
            p.append("closed after %.2f s, before IdleTimeout %d s" % (el, IT))
        elif el > IT + SLACK:
            p.append("closed after %.2f s" % el)
        if extra:
            p.append("sent bytes before closing: %r" % extra[:60])
        tap.comment("idle keep-alive connection closed after %.2f s" % el)
    tap.check("IdleTimeout %d s closes an idle keep-alive connection silently" % IT, p)

    # Never a byte: closed without an answer too (IdleTimeout or HeaderTimeout).
    with s.conn() as c:
        t = time.monotonic()
        closed, extra = c.wait_closed(HT + SLACK + 1.0)
        el = time.monotonic() - t
        tap.ok(closed and el <= max(IT, HT) + SLACK and not extra,
               "a connection that never sends is closed silently (%.2f s)" % el,
               "closed %r after %.2f s, extra %r" % (closed, el, extra[:60]))


def test_next_head_deadline(tap):
    s = slow_server(tap)
    if not s:
        return
    p = []
    with s.conn() as c:
        r = c.request(req())
        t_end = time.monotonic()
        if r is None or r.status != 200:
            p.append("first request: %r (%s)" % (r, c.error))
        nxt = req(path="/page.html")[:-2] + b"X-Slow: " + b"a" * 200
        i = 0
        resp = None
        deadline = t_end + HT + SLACK + 1.0
        while time.monotonic() < deadline and i < len(nxt):
            if not c.send(nxt[i:i + 1]):
                break
            i += 1
            # A byte every 0.4 s: always inside IdleTimeout.
            got = c._fill(time.monotonic() + 0.4)
            if got or c.eof:
                break
        el = time.monotonic() - t_end
        resp = c.read_response(timeout=1.0) if c.buf or not c.eof else None
        closed, _ = c.wait_closed(1.0)
        if resp is None or resp.status != 408:
            p.append("no 408 (got %r, %s)" % (resp, c.error))
        if not closed:
            p.append("not closed")
        if el > HT + SLACK:
            p.append("cut after %.2f s" % el)
        if el < min(HT, IT) - 0.5:
            p.append("cut too early, after %.2f s" % el)
        tap.comment("second head dripped on a keep-alive connection cut after %.2f s" % el)
    tap.check("a dripped second head on a keep-alive connection gets 408 within "
              "HeaderTimeout + slack", p)


def test_write_timeout(tap):
    s = slow_server(tap)
    if not s:
        return
    with s.conn(rcvbuf=4096, timeout=20) as c:
        c.send(req(path="/big.bin"))
        # Not reading: the server must give up after WriteTimeout without progress.
        time.sleep(WT + 1.0 * SCALE)
        got = 0
        deadline = time.monotonic() + 20 * SCALE
        while time.monotonic() < deadline and not c.eof:
            if c._fill(deadline, 1 << 20):
                got += len(c.buf)
                c.buf = b""
        tap.comment("a client that stopped reading received %d of %d bytes" % (got, BIG))
        tap.ok(c.eof and got < BIG,
               "WriteTimeout cuts a client that stops reading",
               "eof %r, received %d of %d body bytes" % (c.eof, got, BIG))
    ok, why = s.healthy()
    tap.ok(ok, "healthy after the write timeout", why)


def test_zz_stop_slow(tap):
    s = slow_server(tap)
    if s:
        s.stop_check(tap)


def test_max_connections(tap):
    s = rnlib.Server(name="maxconn", fixtures=True, big=1 << 20, conf={
        "MaxConnections": 20, "HeaderTimeout": 30, "IdleTimeout": 60})
    if not rnlib.start_or_fail(tap, s, "maxconn"):
        return
    held = []
    p = []
    try:
        for i in range(20):
            c = s.conn()
            held.append(c)
            r = c.request(req())
            if r is None or r.status != 200:
                p.append("connection %d of 20: %r (%s)" % (i + 1, r, c.error))
                break
        tap.check("20 keep-alive connections served with MaxConnections 20", p)
        p = []
        with s.conn() as c:
            r = c.request(req())
            if r is None or r.status != 503:
                p.append("21st connection: %r, wanted 503 (%s)" % (r, c.error))
            else:
                p += rnlib.security_header_problems(r, "no-store")
                if not r.conn_close():
                    p.append("503 without Connection: close")
            closed, _ = c.wait_closed(3.0)
            if not closed:
                p.append("21st connection not closed")
        tap.check("connection over MaxConnections -> 503, security headers, close", p)
        burst = []
        for _ in range(30):
            try:
                burst.append(s.conn())
            except OSError:
                pass
        n503 = 0
        for c in burst:
            r = c.request(req())
            n503 += r is not None and r.status == 503
            c.close()
        tap.ok(n503 == len(burst) == 30, "a burst of 30 more connections: all 503",
               "%d of %d" % (n503, len(burst)))
        r = held[5].request(req())
        tap.ok(r is not None and r.status == 200, "held connections still served", repr(r))
        held.pop(0).close()

        def slot_free():
            r = s.get("/")
            return r is not None and r.status == 200
        tap.ok(rnlib.wait_until(slot_free, 3.0 * SCALE, 0.05),
               "after one client leaves, a new connection is served")
    finally:
        for c in held:
            c.close()
    ok, why = s.healthy()
    tap.ok(ok, "maxconn: healthy after", why)
    s.stop_check(tap)


if __name__ == "__main__":
    rnlib.run([test_flood, test_idle, test_next_head_deadline, test_write_timeout,
               test_zz_stop_slow, test_max_connections])
