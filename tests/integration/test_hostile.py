#!/usr/bin/env python3
"""Malformed and hostile requests sent raw to a real roneod.

Each case: the expected status (from the spec and include/roneo/rn_http.h),
an HTML error page with Connection: close, the connection closed by the
server, and afterwards a healthy server whose http child did not restart
(a crash would be hidden by the parent's restart otherwise).

Where the spec does not fix one status (dot-segments, %2F, some methods),
a case lists every acceptable status and says why in a comment; the
property tested is then that the request is refused or not served from
outside PublicDirectory.
"""

import os
import random
import sys

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402
from rnlib import req  # noqa: E402

H = "Host: 127.0.0.1\r\n"
GOOD = req(headers=["Connection: keep-alive"])

TLS_CLIENT_HELLO = bytes.fromhex(
    "16030100a5010000a10303" + "5b" * 32 + "00" + "0020" + "c02bc02fc02cc030cca9cca8c013c014"
    "009c009d002f0035000a0100" + "0058" + "0000001800160000136578616d706c652e756c666865696d"
    "2e6e6574000500050100000000000a000a0008001d001700180019000b00020100000d0012001004010"
    "40305010503060106030201020300120000")


def raw(s):
    return s.encode("latin-1") if isinstance(s, str) else s


def garbage():
    rnd = random.Random(4242)
    return bytes(rnd.randrange(256) for _ in range(4096))


# (name, raw bytes, expected status or set, expect close)
def cases():
    c = []

    def add(name, data, status, close=True, method="GET", check=None):
        c.append((name, raw(data), status if isinstance(status, set) else {status},
                  close, method, check))

    # --- header syntax
    add("obs-fold (SP continuation)", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n b\r\n\r\n", 400)
    add("obs-fold (HTAB continuation)", "GET / HTTP/1.1\r\n" + H + "X-A: a\r\n\tb\r\n\r\n", 400)
    add("space before colon in Host", "GET / HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n", 400)
    add("space before colon", "GET / HTTP/1.1\r\n" + H + "X-A : b\r\n\r\n", 400)
    add("tab before colon", "GET / HTTP/1.1\r\n" + H + "X-A\t: b\r\n\r\n", 400)
    add("header line without colon", "GET / HTTP/1.1\r\n" + H + "JustAName\r\n\r\n", 400)
    add("empty header name", "GET / HTTP/1.1\r\n" + H + ": value\r\n\r\n", 400)
    add("header name with non-token char", "GET / HTTP/1.1\r\n" + H + "X(A): b\r\n\r\n", 400)
    add("header name with inner space", "GET / HTTP/1.1\r\n" + H + "X A: b\r\n\r\n", 400)
    add("header name with non-ASCII", b"GET / HTTP/1.1\r\n" + raw(H) + b"X-\xc3\xa9: b\r\n\r\n",
        400)
    add("very long header name (20 KB)",
        "GET / HTTP/1.1\r\n" + H + "X" * 20000 + ": b\r\n\r\n", 431)
    # --- Content-Length and Transfer-Encoding (POST, so only the CL is wrong)
    post = "POST / HTTP/1.1\r\n" + H
    add("duplicate Content-Length (equal)", post + "Content-Length: 5\r\nContent-Length: 5\r\n\r\n",
        400)
    add("conflicting Content-Length", post + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400)
    add("Content-Length list '5, 5'", post + "Content-Length: 5, 5\r\n\r\n", 400)
    add("Content-Length with sign '+5'", post + "Content-Length: +5\r\n\r\n", 400)
    add("Content-Length negative", post + "Content-Length: -1\r\n\r\n", 400)
    add("Content-Length with inner space '5 5'", post + "Content-Length: 5 5\r\n\r\n", 400)
    add("Content-Length hex '0x10'", post + "Content-Length: 0x10\r\n\r\n", 400)
    add("Content-Length not a number", post + "Content-Length: abc\r\n\r\n", 400)
    add("Content-Length empty", post + "Content-Length:\r\n\r\n", 400)
    # Not representable in 64 bits: malformed (400); 413 would also refuse it.
    add("Content-Length overflowing 64 bits",
        post + "Content-Length: 184467440737095516160\r\n\r\n", {400, 413})
    add("Transfer-Encoding: chunked alone", post + "Transfer-Encoding: chunked\r\n\r\n", 411)
    add("Transfer-Encoding: gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n", 411)
    add("Transfer-Encoding with Content-Length",
        post + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400)
    add("POST without Content-Length", post + "\r\n", 411)
    # No route of roneod takes a body yet, so "POST /" is refused with 405
    # before its size matters; 413 once / accepts POSTs.  Either way the
    # body is never read, and no "100 Continue" invites it.
    add("POST with huge Content-Length (1 GiB)", post + "Content-Length: 1073741824\r\n\r\n",
        {405, 413})
    add("POST huge body with Expect: 100-continue gets no 100",
        post + "Content-Length: 1073741824\r\nExpect: 100-continue\r\n\r\n", {405, 413},
        check="no-interim")
    add("GET with a body (Content-Length 5)",
        "GET / HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\n", 400)
    add("HEAD with a body (Content-Length 5)",
        "HEAD / HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\n", 400, method="HEAD")
    # --- control characters and line endings
    add("NUL in header value", b"GET / HTTP/1.1\r\n" + raw(H) + b"X-A: a\x00b\r\n\r\n", 400)
    add("bare CR in header value", b"GET / HTTP/1.1\r\n" + raw(H) + b"X-A: a\rb\r\n\r\n", 400)
    add("bare LF in header value", b"GET / HTTP/1.1\r\n" + raw(H) + b"X-A: a\nb\r\n\r\n", 400)
    add("DEL in header value", b"GET / HTTP/1.1\r\n" + raw(H) + b"X-A: a\x7fb\r\n\r\n", 400)
    add("control char 0x01 in header value",
        b"GET / HTTP/1.1\r\n" + raw(H) + b"X-A: a\x01b\r\n\r\n", 400)
    add("bare LF line endings", b"GET / HTTP/1.1\nHost: 127.0.0.1\n\n", 400)
    add("one header ending in bare LF", b"GET / HTTP/1.1\r\nX-A: b\n" + raw(H) + b"\r\n", 400)
    add("bare CR ending the request line", b"GET / HTTP/1.1\r" + raw(H) + b"\r\n", 400)
    # --- Host
    add("missing Host (HTTP/1.1)", "GET / HTTP/1.1\r\nX-A: b\r\n\r\n", 400)
    add("two Host headers (equal)", "GET / HTTP/1.1\r\n" + H + H + "\r\n", 400)
    add("two Host headers (different)", "GET / HTTP/1.1\r\n" + H + "Host: evil.example\r\n\r\n",
        400)
    add("Host with a slash", "GET / HTTP/1.1\r\nHost: 127.0.0.1/evil\r\n\r\n", 400)
    add("Host with userinfo", "GET / HTTP/1.1\r\nHost: user@127.0.0.1\r\n\r\n", 400)
    add("Host with a space", "GET / HTTP/1.1\r\nHost: bad host\r\n\r\n", 400)
    add("Host with a bad port", "GET / HTTP/1.1\r\nHost: 127.0.0.1:abc\r\n\r\n", 400)
    add("Host as a list", "GET / HTTP/1.1\r\nHost: 127.0.0.1, localhost\r\n\r\n", 400)
    add("Host not ours", "GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 421)
    add("Host not ours with a port", "GET / HTTP/1.1\r\nHost: evil.example:80\r\n\r\n", 421)
    # RFC 9112 3.2.2: the authority of an absolute-form target replaces Host;
    # rejecting absolute-form outright (400) is also safe.  Serving it is not.
    add("absolute-form naming another host",
        "GET http://evil.example/ HTTP/1.1\r\n" + H + "\r\n", {400, 421})
    # --- sizes
    add("request line of 9 KB", "GET /" + "a" * 9000 + " HTTP/1.1\r\n" + H + "\r\n", 414)
    add("path longer than RN_HTTP_MAX_PATH", "GET /" + "a" * 3000 + " HTTP/1.1\r\n" + H + "\r\n",
        414)
    add("head of 17 KB", "GET / HTTP/1.1\r\n" + H
        + "".join("X-Fill-%02d: %s\r\n" % (i, "v" * 1000) for i in range(17)) + "\r\n", 431)
    add("65 header fields", "GET / HTTP/1.1\r\n" + H
        + "".join("X-H%d: v\r\n" % i for i in range(64)) + "\r\n", 431)
    # --- request line
    add("unknown method", "FOO / HTTP/1.1\r\n" + H + "\r\n", 501)
    add("lowercase method 'get'", "get / HTTP/1.1\r\n" + H + "\r\n", 501)
    add("PUT", "PUT / HTTP/1.1\r\n" + H + "Content-Length: 0\r\n\r\n", 405)
    add("DELETE", "DELETE / HTTP/1.1\r\n" + H + "\r\n", 405)
    # Registered methods we never serve: 405 if the parser knows them, else 501.
    add("TRACE", "TRACE / HTTP/1.1\r\n" + H + "\r\n", {405, 501})
    add("CONNECT (authority-form)", "CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443"
        "\r\n\r\n", {400, 405, 501})
    add("method of 40 characters", "A" * 40 + " / HTTP/1.1\r\n" + H + "\r\n", {400, 501})
    add("HTTP/2.0", "GET / HTTP/2.0\r\n" + H + "\r\n", 505)
    add("HTTP/1.2", "GET / HTTP/1.2\r\n" + H + "\r\n", 505)
    add("HTTP/3.0", "GET / HTTP/3.0\r\n" + H + "\r\n", 505)
    add("HTTP/1.10 (not DIGIT.DIGIT)", "GET / HTTP/1.10\r\n" + H + "\r\n", {400, 505})
    add("lowercase version 'http/1.1'", "GET / http/1.1\r\n" + H + "\r\n", 400)
    add("HTTP/0.9 request line", "GET /\r\n\r\n", 400)
    add("HTTP/2 connection preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400, 501, 505})
    add("two spaces between parts", "GET  /  HTTP/1.1\r\n" + H + "\r\n", 400)
    add("leading space before method", " GET / HTTP/1.1\r\n" + H + "\r\n", 400)
    add("tabs as separators", "GET\t/\tHTTP/1.1\r\n" + H + "\r\n", 400)
    add("trailing junk after version", "GET / HTTP/1.1 x\r\n" + H + "\r\n", 400)
    add("target without leading slash", "GET page.html HTTP/1.1\r\n" + H + "\r\n", 400)
    add("asterisk-form with GET", "GET * HTTP/1.1\r\n" + H + "\r\n", 400)
    add("fragment in target", "GET /page.html#frag HTTP/1.1\r\n" + H + "\r\n", 400)
    add("non-ASCII bytes in target", b"GET /\xc3\xa9t\xc3\xa9 HTTP/1.1\r\n" + raw(H) + b"\r\n", 400)
    add("bad percent-escape %zz", "GET /%zz HTTP/1.1\r\n" + H + "\r\n", 400)
    add("truncated percent-escape", "GET /%4 HTTP/1.1\r\n" + H + "\r\n", 400)
    add("%00 in path", "GET /%00 HTTP/1.1\r\n" + H + "\r\n", 400)
    add("%00 before an extension", "GET /page.html%00.txt HTTP/1.1\r\n" + H + "\r\n", 400)
    # --- traversal: never served; 400 (rejected) or 404 (normalised inside).
    add("traversal /../etc/passwd", "GET /../etc/passwd HTTP/1.1\r\n" + H + "\r\n", {400, 404},
        check="no-secret")
    add("traversal /%2e%2e/%2e%2e/etc/passwd",
        "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" + H + "\r\n", {400, 404}, check="no-secret")
    add("traversal to a file next to PublicDirectory",
        "GET /../secret.txt HTTP/1.1\r\n" + H + "\r\n", {400, 404}, check="no-secret")
    add("traversal %2e%2e to a file next to PublicDirectory",
        "GET /%2e%2e/secret.txt HTTP/1.1\r\n" + H + "\r\n", {400, 404}, check="no-secret")
    add("traversal with encoded slashes",
        "GET /sub/..%2f..%2fsecret.txt HTTP/1.1\r\n" + H + "\r\n", {400, 404}, check="no-secret")
    add("traversal with backslashes",
        "GET /..%5c..%5csecret.txt HTTP/1.1\r\n" + H + "\r\n", {400, 404}, check="no-secret")
    add("encoded slash %2F", "GET /sub%2Findex.html HTTP/1.1\r\n" + H + "\r\n", {400, 404})
    # --- binary junk
    add("random binary garbage", garbage(), 400)
    add("TLS ClientHello", TLS_CLIENT_HELLO, 400)
    # --- Expect
    add("Expect: something-else", "GET / HTTP/1.1\r\n" + H + "Expect: something-else\r\n\r\n", 417)
    return c


# Requests a strict server must still serve (status, stays open).
def tolerated():
    return [
        ("Host in upper case", "GET / HTTP/1.1\r\nHost: LOCALHOST\r\n\r\n"),
        ("Host with some port", "GET / HTTP/1.1\r\nHost: 127.0.0.1:1\r\n\r\n"),
        ("64 header fields (the limit)", "GET / HTTP/1.1\r\n" + H
         + "".join("X-H%d: v\r\n" % i for i in range(63)) + "\r\n"),
        ("leading empty lines", "\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n"),
        ("lots of optional whitespace in values",
         "GET / HTTP/1.1\r\nHost: \t  127.0.0.1 \t \r\nX-A:     b    \r\n\r\n"),
        ("Content-Length: 0 on GET", "GET / HTTP/1.1\r\n" + H + "Content-Length: 0\r\n\r\n"),
        ("absolute-form naming us", "GET http://127.0.0.1/ HTTP/1.1\r\n" + H + "\r\n"),
        ("Upgrade: h2c is ignored",
         "GET / HTTP/1.1\r\n" + H + "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
         "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n"),
        ("query string", "GET /?a=b&c=%20d HTTP/1.1\r\n" + H + "\r\n"),
        ("header name case-insensitive", "GET / HTTP/1.1\r\nhOsT: 127.0.0.1\r\n\r\n"),
    ]


def run_case(tap, s, name, data, statuses, close, method, check, seen):
    pid0 = s.http_pid()
    problems = []
    try:
        c = s.conn(timeout=4.0)
    except OSError as e:
        tap.ok(False, name, "connect: %s" % e)
        return
    with c:
        c.send(data)
        r = c.read_response(method)
        # A 404 is an ordinary answer (the path was well-formed but names
        # nothing servable): the connection may stay open for the next request.
        if r is not None and r.status == 404:
            close = False
        if r is None:
            problems.append("no response: %s" % c.error)
        else:
            seen.append((name, r))
            if r.status not in statuses:
                problems.append("status %d %s, wanted %s" % (r.status, r.reason,
                                                             sorted(statuses)))
            if close and r.status >= 400:
                if not r.conn_close():
                    problems.append("no 'Connection: close' (%r)" % r.h("Connection"))
                ctype = r.h("Content-Type") or ""
                if not ctype.startswith("text/html"):
                    problems.append("error page Content-Type %r" % ctype)
                if method != "HEAD" and not r.body:
                    problems.append("empty error page")
            if check == "no-secret" and (rnlib.OUTSIDE_MARKER in r.body or b"root:" in r.body):
                problems.append("served a file from outside PublicDirectory!")
            if check == "no-interim" and c.interim:
                problems.append("sent an interim %d before rejecting" % c.interim[0].status)
        if close:
            closed, extra = c.wait_closed(3.0)
            if not closed:
                problems.append("connection not closed by the server")
            if extra:
                problems.append("extra bytes after the response: %r" % extra[:80])
    ok, why = s.healthy()
    if not ok:
        problems.append("server unhealthy afterwards: " + why)
    pid1 = s.http_pid(timeout=1.0)
    if pid0 and pid1 != pid0:
        problems.append("http child changed %s -> %s (crashed?)" % (pid0, pid1))
    want = "/".join(str(x) for x in sorted(statuses))
    tap.check("%s -> %s%s" % (name, want, "" if close is False and r is not None and
                                       r.status == 404 else (" and close" if close else "")),
              problems)


def run_tolerated(tap, s, name, data, seen):
    problems = []
    with s.conn(timeout=4.0) as c:
        c.send(data)
        r = c.read_response()
        if r is None:
            problems.append("no response: %s" % c.error)
        else:
            seen.append((name, r))
            if r.status != 200:
                problems.append("status %d %s, wanted 200" % (r.status, r.reason))
            if r.status == 101 or c.interim:
                problems.append("switched protocols / interim response")
            # The connection stays usable.
            r2 = c.request(GOOD)
            if r2 is None or r2.status != 200:
                problems.append("second request on the connection: %r (%s)" % (r2, c.error))
    tap.check("tolerated: %s -> 200, connection kept" % name, problems)


def test_battery(tap):
    s = rnlib.Server(name="hostile")
    if not rnlib.start_or_fail(tap, s, "hostile"):
        return
    seen = []
    n = 0
    for name, data, statuses, close, method, check in cases():
        run_case(tap, s, name, data, statuses, close, method, check, seen)
        n += 1
    tap.comment("%d rejection cases" % n)
    for name, data in tolerated():
        run_tolerated(tap, s, name, data.encode("latin-1"), seen)
    special_cases(tap, s)
    headers_cases(tap, s, seen)
    s.stop_check(tap)


def special_cases(tap, s):
    # Connect and close without a byte.
    pid0 = s.http_pid()
    for _ in range(20):
        c = s.conn()
        c.close()
    ok, why = s.healthy()
    tap.ok(ok and s.http_pid(timeout=1.0) == pid0,
           "20 empty connections closed at once: server healthy, same child", why)

    # Ask for a large file and hang up at once, many times: writing to a
    # closed connection must not kill the child (SIGPIPE).
    for _ in range(50):
        c = s.conn()
        c.send(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        c.close()
    ok, why = s.healthy()
    tap.ok(ok and s.http_pid(timeout=1.0) == pid0,
           "50 downloads abandoned at once: server healthy, same child", why)

    # An empty line, then half-close: nothing to answer, or a 400; then closed.
    with s.conn() as c:
        c.send(b"\r\n")
        c.sock.shutdown(rnlib.socket.SHUT_WR)
        closed, extra = c.wait_closed(4.0)
        problems = []
        if not closed:
            problems.append("not closed after the client half-closed")
        if extra and not extra.startswith(b"HTTP/1.1 400 "):
            problems.append("unexpected answer %r" % extra[:80])
        ok, why = s.healthy()
        if not ok:
            problems.append(why)
        tap.check("empty line then half-close: closed without a non-400 answer", problems)

    # Half a head then close: the server must simply drop it.
    with s.conn() as c:
        c.send(b"GET / HTTP/1.1\r\nHost: 127.0")
    ok, why = s.healthy()
    tap.ok(ok, "half a head then close: server healthy", why)

    # A good request pipelined with a bad one: the first answered, then a
    # rejection for the second, then close.
    for bad, want in ((b"FOO / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 501),
                      (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n b\r\n\r\n", 400),
                      (b"GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n", 421)):
        problems = []
        with s.conn() as c:
            c.send(GOOD + bad)
            r1 = c.read_response()
            r2 = c.read_response()
            if r1 is None or r1.status != 200:
                problems.append("first: %r (%s)" % (r1, c.error))
            if r2 is None or r2.status != want:
                problems.append("second: %r, wanted %d (%s)" % (r2, want, c.error))
            elif not r2.conn_close():
                problems.append("second has no Connection: close")
            closed, extra = c.wait_closed(3.0)
            if not closed:
                problems.append("not closed after the rejection")
        ok, why = s.healthy()
        if not ok:
            problems.append(why)
        tap.check("good request pipelined with a bad one -> 200, %d, close" % want, problems)

    # A bad request followed by a good one in the same write: the good one
    # must not be answered (the stream is out of sync after a rejection).
    with s.conn() as c:
        c.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A : b\r\n\r\n" + GOOD)
        r1 = c.read_response()
        closed, extra = c.wait_closed(3.0)
        problems = []
        if r1 is None or r1.status != 400:
            problems.append("first: %r (%s)" % (r1, c.error))
        if extra:
            problems.append("answered after a rejection: %r" % extra[:80])
        if not closed:
            problems.append("not closed")
        tap.check("bad request then a good one pipelined -> only the 400, close", problems)

    # Request smuggling shape: CL.TE.
    with s.conn() as c:
        c.send(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 4\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /page.html HTTP/1.1\r\n"
               b"Host: 127.0.0.1\r\n\r\n")
        r1 = c.read_response()
        closed, extra = c.wait_closed(3.0)
        problems = []
        if r1 is None or r1.status != 400:
            problems.append("first: %r, wanted 400 (%s)" % (r1, c.error))
        if extra:
            problems.append("smuggled request answered: %r" % extra[:80])
        if not closed:
            problems.append("not closed")
        tap.check("CL+TE smuggling attempt -> one 400 and close", problems)


def headers_cases(tap, s, seen):
    r = s.get("/")
    problems = ["no response"] if r is None else rnlib.security_header_problems(r)
    if r is not None and r.status != 200:
        problems.append("status %d" % r.status)
    tap.check("normal response: security headers, no Server/Date", problems)

    with s.conn() as c:
        c.send(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A : b\r\n\r\n")
        r = c.read_response()
    problems = ["no response"] if r is None else rnlib.security_header_problems(r, "no-store")
    if r is not None and r.status != 400:
        problems.append("status %d" % r.status)
    tap.check("error response: security headers, no Server/Date, no-store", problems)

    # Every response collected by the battery follows the same rules.
    problems = []
    for name, resp in seen:
        p = rnlib.security_header_problems(resp, "no-store" if resp.status >= 400 else None)
        if p:
            problems.append("%s (%d): %s" % (name, resp.status, "; ".join(p)))
    tap.check("all %d battery responses: security headers, no Server/Date, errors no-store"
              % len(seen), problems)
    problems = []
    for name, resp in seen:
        if rnlib.OUTSIDE_MARKER in resp.body or b"DOTFILE-SECRET" in resp.body:
            problems.append(name)
        if resp.status >= 400 and b"<script" in resp.body.lower():
            problems.append("%s: script in error page" % name)
    tap.check("no response leaked an outside file or a dotfile", problems)


if __name__ == "__main__":
    rnlib.run([test_battery])
