#!/usr/bin/env python3
"""HTTP features of a real roneod: keep-alive, pipelining, HEAD, ETag and
If-None-Match, Range, gzip variants, Host checks, the unix listener,
HTTP/1.0, MaxRequestsPerConnection, large files, and the command line
(--verify-config, --dump-config, usage errors).
"""

import gzip
import os
import re
import subprocess
import sys
import threading

sys.dont_write_bytecode = True     # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402
from rnlib import FIXTURES, req  # noqa: E402

MAXREQ = 12
S = None        # the shared server


def server(tap):
    global S
    if S is None:
        S = rnlib.Server(name="features", conf={"MaxRequestsPerConnection": MAXREQ},
                         big=4 << 20)
        if not rnlib.start_or_fail(tap, S, "features"):
            S = False
        else:
            S.first_http = S.http_pid()
    return S or None


def one(s, path="/", headers=(), method="GET", host="127.0.0.1", version="HTTP/1.1"):
    return s.get(path, host=host, headers=headers, method=method, version=version)


def status_problems(r, want, s=None):
    if r is None:
        return ["no response: %s" % (s.last_error if s else "?")]
    if r.status != want:
        return ["status %d %s, wanted %d" % (r.status, r.reason, want)]
    return []


def test_startup_log(tap):
    s = server(tap)
    if not s:
        return
    log = s.log()
    p = []
    if "listening on http://127.0.0.1:%d/" % s.port not in log:
        p.append("no 'listening on http://127.0.0.1:%d/'" % s.port)
    if "listening on unix:%s" % s.sock_path not in log:
        p.append("no 'listening on unix:%s'" % s.sock_path)
    if not re.search(r"^roneod\[(parent|http)\]: notice: .*\bready\b", log, re.M):
        p.append("no 'roneod[ROLE]: notice: ... ready' line")
    if p:
        p.append("log:\n" + s.log_tail())
    tap.check("startup log names each listener and says ready", p)
    bad = [ln for ln in log.splitlines()
           if ln and not re.match(r"^roneod\[(parent|http|keeper)\]: (err|warn|notice|info|debug"
                                  r"|error|warning): ", ln)]
    tap.check("every log line is 'roneod[ROLE]: LEVEL: message'", bad[:10])


def proc_status(pid):
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                out[k] = v.split()
    except OSError:
        pass
    return out


def test_process_model(tap):
    s = server(tap)
    if not s:
        return
    pid = s.http_pid()
    argv = rnlib.cmdline(pid) if pid else []
    tap.ok(pid is not None and b"--child" in argv and b"http" in argv,
           "the parent runs one child 'roneod --child http'", "argv %r" % argv)
    st = proc_status(pid) if pid else {}
    user = rnlib.run_user()
    if user:
        pw = rnlib.pwd.getpwnam(user)
        want = str(pw.pw_uid)
        tap.ok(st.get("Uid") == [want] * 4 and st.get("Gid") == [str(pw.pw_gid)] * 4,
               "started as root: the http child runs as %s (all uids and gids)" % user,
               "Uid %r Gid %r" % (st.get("Uid"), st.get("Gid")))
        tap.ok(st.get("Groups", []) in ([], [str(pw.pw_gid)]),
               "the http child kept no supplementary groups", repr(st.get("Groups")))
        tap.ok(st.get("CapEff") == ["0000000000000000"],
               "the http child has no effective capabilities", repr(st.get("CapEff")))
    else:
        tap.skip("the http child drops privileges", "not running as root")
    tap.ok(st.get("NoNewPrivs") == ["1"], "the http child runs with no_new_privs",
           repr(st.get("NoNewPrivs")))
    try:
        ds = os.stat(s.data)
        owner_ok = ds.st_uid == (rnlib.pwd.getpwnam(user).pw_uid if user else os.geteuid())
        tap.ok((ds.st_mode & 0o7777) == 0o700 and owner_ok,
               "DataDirectory was created with mode 0700, owned by the User",
               "mode %o uid %d" % (ds.st_mode & 0o7777, ds.st_uid))
    except OSError as e:
        tap.ok(False, "DataDirectory was created", str(e))
    tap.ok(os.path.exists(os.path.join(s.data, "roneod.lock")),
           "DataDirectory holds roneod.lock")


def test_start_page(tap):
    s = server(tap)
    if not s:
        return
    r = one(s, "/")
    p = status_problems(r, 200, s)
    if r is not None:
        p += rnlib.security_header_problems(r, "no-cache")
        if not (r.h("Content-Type") or "").startswith("text/html"):
            p.append("Content-Type %r" % r.h("Content-Type"))
        if not rnlib.ETAG_RE.match(r.h("ETag") or ""):
            p.append("ETag %r is not a quoted 32-hex strong tag" % r.h("ETag"))
        if not r.body or int(r.h("Content-Length") or -1) != len(r.body):
            p.append("body/Content-Length mismatch")
    tap.check("GET / -> 200 text/html, no-cache, strong ETag, security headers", p)
    r = one(s, "/static/roneo.css")
    p = status_problems(r, 200, s)
    if r is not None:
        p += rnlib.security_header_problems(r)
        if not (r.h("Content-Type") or "").startswith("text/css"):
            p.append("Content-Type %r" % r.h("Content-Type"))
        if not rnlib.ETAG_RE.match(r.h("ETag") or ""):
            p.append("ETag %r" % r.h("ETag"))
    tap.check("GET /static/roneo.css -> 200 text/css with ETag", p)


def test_files(tap):
    s = server(tap)
    if not s:
        return
    for path, rel in (("/page.html", "page.html"), ("/blob.bin", "blob.bin"),
                      ("/text.txt", "text.txt"), ("/sub/", "sub/index.html")):
        r = one(s, path)
        p = status_problems(r, 200, s)
        if r is not None and r.status == 200:
            if r.body != FIXTURES[rel]:
                p.append("body differs from the file (%d vs %d bytes)"
                         % (len(r.body), len(FIXTURES[rel])))
            p += rnlib.security_header_problems(r, "no-cache")
            if r.h("Accept-Ranges") != "bytes":
                p.append("Accept-Ranges %r" % r.h("Accept-Ranges"))
            if not rnlib.ETAG_RE.match(r.h("ETag") or ""):
                p.append("ETag %r" % r.h("ETag"))
            if path.endswith(".html") or path.endswith("/"):
                if not (r.h("Content-Type") or "").startswith("text/html"):
                    p.append("Content-Type %r" % r.h("Content-Type"))
        tap.check("GET %s -> 200, the file's bytes, Accept-Ranges, ETag" % path, p)
    r1, r2 = one(s, "/page.html"), one(s, "/blob.bin")
    tap.ok(r1 and r2 and r1.h("ETag") != r2.h("ETag"), "different files, different ETags")
    for path, why in (("/.hidden", "dotfile"), ("/sub/.env", "dotfile in a subdir"),
                      ("/link.txt", "symlink to a file outside"),
                      ("/sub/up/secret.txt", "through a symlinked directory"),
                      ("/no-such-file", "missing"), ("/sub/missing/", "missing dir")):
        r = one(s, path)
        p = status_problems(r, 404, s)
        if r is not None:
            if rnlib.OUTSIDE_MARKER in r.body or b"DOTFILE" in r.body:
                p.append("leaked the file!")
            p += rnlib.security_header_problems(r, "no-store")
            if not (r.h("Content-Type") or "").startswith("text/html"):
                p.append("Content-Type %r" % r.h("Content-Type"))
        tap.check("GET %s (%s) -> 404 page, no-store" % (path, why), p)


def test_keepalive(tap):
    s = server(tap)
    if not s:
        return
    p = []
    with s.conn() as c:
        for path, want in (("/", 200), ("/page.html", 200), ("/blob.bin", 200),
                           ("/missing", 404), ("/", 200)):
            r = c.request(req(path=path))
            if r is None or r.status != want:
                p.append("%s: %r (%s)" % (path, r, c.error))
                break
            if r.conn_close():
                p.append("%s: Connection: close on a keep-alive request" % path)
        if not c.is_open(0.2):
            p.append("connection not open after 5 requests")
    tap.check("keep-alive: 5 requests (one 404) on one connection", p)


def test_pipelining(tap):
    s = server(tap)
    if not s:
        return
    plan = [("GET", "/", 200), ("HEAD", "/", 200), ("GET", "/missing-1", 404),
            ("GET", "/page.html", 200), ("HEAD", "/blob.bin", 200), ("GET", "/text.txt", 200),
            ("GET", "/missing-2", 404), ("HEAD", "/page.html", 200), ("GET", "/sub/", 200),
            ("GET", "/blob.bin", 200)]
    ref = {}
    for m, path, _ in plan:
        if m == "GET" and path not in ref:
            r = one(s, path)
            ref[path] = r.body if r else None
    p = []
    with s.conn() as c:
        c.send(b"".join(req(m, path) for m, path, _ in plan))
        for i, (m, path, want) in enumerate(plan):
            r = c.read_response(m)
            if r is None:
                p.append("response %d (%s %s): none (%s)" % (i + 1, m, path, c.error))
                break
            if r.status != want:
                p.append("response %d (%s %s): %d, wanted %d" % (i + 1, m, path, r.status,
                                                                 want))
            if m == "GET" and r.body != ref[path]:
                p.append("response %d (%s %s): body differs from a lone request"
                         % (i + 1, m, path))
        if not p and not c.is_open(0.2):
            p.append("connection closed or extra bytes after the 10 responses")
    tap.check("pipelining: 10 requests in one write answered in order, complete", p)

    # Pipelined requests split at awkward places.
    p = []
    with s.conn() as c:
        blob = req(path="/page.html") * 3
        for i in range(0, len(blob), 7):
            c.send(blob[i:i + 7])
        for i in range(3):
            r = c.read_response()
            if r is None or r.status != 200 or r.body != FIXTURES["page.html"]:
                p.append("response %d: %r (%s)" % (i + 1, r, c.error))
                break
    tap.check("three requests dribbled in 7-byte pieces -> three 200s", p)


def test_head(tap):
    s = server(tap)
    if not s:
        return
    for path, hdrs in (("/", ()), ("/page.html", ()), ("/blob.bin", ()),
                       ("/text.txt", ("Accept-Encoding: gzip",)), ("/missing", ())):
        g = one(s, path, hdrs)
        p = []
        with s.conn() as c:
            h = c.request(req("HEAD", path, headers=hdrs), "HEAD")
            if g is None or h is None:
                p.append("no response (%s)" % c.error)
            else:
                gh = sorted((k.lower(), v) for k, v in g.headers if k.lower() != "connection")
                hh = sorted((k.lower(), v) for k, v in h.headers if k.lower() != "connection")
                if g.status != h.status:
                    p.append("status GET %d, HEAD %d" % (g.status, h.status))
                if gh != hh:
                    p.append("headers differ:\nGET  %r\nHEAD %r" % (gh, hh))
                # A body after the HEAD response would corrupt the next one.
                if h.conn_close():
                    closed, extra = c.wait_closed(3.0)
                    if extra:
                        p.append("the HEAD response carried a body: %r" % extra[:60])
                else:
                    r2 = c.request(req(path="/page.html"))
                    if r2 is None or r2.status != 200 or r2.body != FIXTURES["page.html"]:
                        p.append("the HEAD response carried a body (next response %r, %s)"
                                 % (r2, c.error))
        tap.check("HEAD %s%s: same status and headers as GET, no body"
                  % (path, " (gzip)" if hdrs else ""), p)


def test_etag(tap):
    s = server(tap)
    if not s:
        return
    for path in ("/", "/blob.bin"):
        r = one(s, path)
        if r is None or not r.h("ETag"):
            tap.ok(False, "%s has an ETag" % path, repr(r))
            continue
        et = r.h("ETag")
        for inm, want in ((et, 304), ("W/" + et, 304), ('"0123", ' + et + ', "x"', 304),
                          ("*", 304), ('"%s"' % ("0" * 32), 200), ("W/\"nope\"", 200),
                          (et[:-1], 200)):
            p = []
            with s.conn() as c:
                r2 = c.request(req(path=path, headers=[("If-None-Match", inm)]))
                p += status_problems(r2, want)
                if r2 is not None and want == 304:
                    if r2.body:
                        p.append("304 with a body")
                    if r2.h("ETag") != et:
                        p.append("304 ETag %r, wanted %r" % (r2.h("ETag"), et))
                    p += [x for x in rnlib.security_header_problems(r2)
                          if "Content-Length" not in x]
                    r3 = c.request(req(path="/page.html"))
                    if r3 is None or r3.status != 200:
                        p.append("connection broken after the 304 (%s)" % c.error)
            tap.check("%s If-None-Match: %s -> %d" % (path, inm, want), p)
        with s.conn() as c:
            r2 = c.request(req("HEAD", path, headers=[("If-None-Match", et)]), "HEAD")
            tap.check("HEAD %s with a matching If-None-Match -> 304" % path,
                      status_problems(r2, 304))


def test_range(tap):
    s = server(tap)
    if not s:
        return
    blob = FIXTURES["blob.bin"]
    n = len(blob)
    full = one(s, "/blob.bin")
    cases = [("bytes=0-99", 0, 99), ("bytes=1000-1999", 1000, 1999), ("bytes=-500", n - 500, n - 1),
             ("bytes=204000-", 204000, n - 1), ("bytes=204000-999999", 204000, n - 1),
             ("bytes=0-0", 0, 0), ("bytes=%d-%d" % (n - 1, n - 1), n - 1, n - 1)]
    for rng, a, b in cases:
        r = one(s, "/blob.bin", [("Range", rng)])
        p = status_problems(r, 206, s)
        if r is not None and r.status == 206:
            if r.h("Content-Range") != "bytes %d-%d/%d" % (a, b, n):
                p.append("Content-Range %r" % r.h("Content-Range"))
            if r.body != blob[a:b + 1]:
                p.append("wrong bytes (%d bytes)" % len(r.body))
            if full is not None and r.h("ETag") != full.h("ETag"):
                p.append("ETag differs from the 200's")
            p += rnlib.security_header_problems(r)
        tap.check("Range: %s -> 206 bytes %d-%d" % (rng, a, b), p)
    for rng in ("bytes=%d-" % n, "bytes=300000-400000", "bytes=-0"):
        r = one(s, "/blob.bin", [("Range", rng)])
        p = status_problems(r, 416, s)
        if r is not None and r.h("Content-Range") != "bytes */%d" % n:
            p.append("Content-Range %r" % r.h("Content-Range"))
        if r is not None:
            p += rnlib.security_header_problems(r)
        tap.check("Range: %s -> 416 with bytes */%d" % (rng, n), p)
    for rng in ("bytes=0-1,5-9", "bytes=0-1, 3-4", "items=0-9", "bytes=abc", "bytes=9-1"):
        r = one(s, "/blob.bin", [("Range", rng)])
        p = status_problems(r, 200, s)
        if r is not None and r.status == 200:
            if r.body != blob:
                p.append("body is not the whole file")
            if r.has("Content-Range"):
                p.append("Content-Range on a 200")
        tap.check("Range: %s -> 200 whole file" % rng, p)
    with s.conn() as c:
        r = c.request(req("HEAD", "/blob.bin", headers=[("Range", "bytes=0-99")]), "HEAD")
        p = status_problems(r, 206)
        if r is not None:
            if r.h("Content-Length") != "100":
                p.append("Content-Length %r" % r.h("Content-Length"))
            if r.h("Content-Range") != "bytes 0-99/%d" % n:
                p.append("Content-Range %r" % r.h("Content-Range"))
            r2 = c.request(req(path="/page.html"))
            if r2 is None or r2.body != FIXTURES["page.html"]:
                p.append("HEAD 206 carried a body")
        tap.check("HEAD with Range: bytes=0-99 -> 206 headers, no body", p)
    text = FIXTURES["text.txt"]
    r = one(s, "/text.txt", [("Range", "bytes=10-29"), ("Accept-Encoding", "gzip")])
    p = status_problems(r, 206, s)
    if r is not None and r.status == 206:
        if r.has("Content-Encoding"):
            p.append("Content-Encoding %r on a range" % r.h("Content-Encoding"))
        if r.body != text[10:30]:
            p.append("not the identity bytes 10-29")
        if r.h("Content-Range") != "bytes 10-29/%d" % len(text):
            p.append("Content-Range %r" % r.h("Content-Range"))
    tap.check("Range with Accept-Encoding: gzip is served from the identity file", p)
    r = one(s, "/", [("Range", "bytes=0-9")])
    tap.ok(r is not None and r.status in (200, 206),
           "Range on the start page -> 200 or 206", repr(r))


def gz_check(r, identity, p):
    if r.h("Content-Encoding") != "gzip":
        p.append("Content-Encoding %r" % r.h("Content-Encoding"))
        return
    if "accept-encoding" not in (r.h("Vary") or "").lower():
        p.append("Vary %r" % r.h("Vary"))
    try:
        d = gzip.decompress(r.body)
    except (OSError, EOFError) as e:
        p.append("body does not decompress: %s" % e)
        return
    if d != identity:
        p.append("decompressed body differs from identity (%d vs %d bytes)"
                 % (len(d), len(identity)))


def test_gzip(tap):
    s = server(tap)
    if not s:
        return
    text = FIXTURES["text.txt"]
    ident = one(s, "/text.txt")
    for ae in ("gzip", "deflate, gzip", "gzip;q=0.5", "GZIP", "br, gzip;q=1.0"):
        r = one(s, "/text.txt", [("Accept-Encoding", ae)])
        p = status_problems(r, 200, s)
        if r is not None and r.status == 200:
            gz_check(r, text, p)
            if ident is not None and r.h("ETag") == ident.h("ETag"):
                p.append("gzip variant has the identity ETag")
            if not rnlib.ETAG_RE.match(r.h("ETag") or ""):
                p.append("ETag %r" % r.h("ETag"))
            if int(r.h("Content-Length") or -1) != len(r.body):
                p.append("Content-Length mismatch")
        tap.check("/text.txt with Accept-Encoding: %s -> gzip that inflates to the file" % ae, p)
    for ae in (None, "gzip;q=0", "gzip; q=0.000", "identity", "br", "deflate"):
        r = one(s, "/text.txt", [("Accept-Encoding", ae)] if ae is not None else [])
        p = status_problems(r, 200, s)
        if r is not None and r.status == 200:
            if r.has("Content-Encoding"):
                p.append("Content-Encoding %r" % r.h("Content-Encoding"))
            if r.body != text:
                p.append("not the identity bytes")
        tap.check("/text.txt with Accept-Encoding: %s -> identity" % ae, p)
    # A representation with variants must say so, or a cache may hand the
    # gzip bytes to a client that did not ask (RFC 9110 section 12.5.5).
    tap.ok(ident is not None and "accept-encoding" in (ident.h("Vary") or "").lower(),
           "identity response of a file with a gzip variant has Vary: Accept-Encoding",
           "Vary %r" % (ident.h("Vary") if ident else None))
    r = one(s, "/blob.bin", [("Accept-Encoding", "gzip")])
    tap.ok(r is not None and r.status == 200 and not r.has("Content-Encoding")
           and r.body == FIXTURES["blob.bin"],
           "file without a .gz sibling -> identity even when gzip is accepted", repr(r))
    home = one(s, "/")
    r = one(s, "/", [("Accept-Encoding", "gzip")])
    p = status_problems(r, 200, s)
    if r is not None and home is not None and r.status == 200:
        gz_check(r, home.body, p)
        if r.h("ETag") == home.h("ETag"):
            p.append("same ETag as identity")
    tap.check("start page with Accept-Encoding: gzip -> gzip that inflates to the page", p)
    r = one(s, "/static/roneo.css", [("Accept-Encoding", "gzip")])
    css = one(s, "/static/roneo.css")
    p = status_problems(r, 200, s)
    if r is not None and css is not None and r.status == 200:
        gz_check(r, css.body, p)
    tap.check("stylesheet with Accept-Encoding: gzip -> gzip that inflates to the CSS", p)
    if r is not None and r.h("ETag"):
        with s.conn() as c:
            r2 = c.request(req(path="/static/roneo.css", headers=[
                ("Accept-Encoding", "gzip"), ("If-None-Match", r.h("ETag"))]))
            tap.check("If-None-Match with the gzip ETag -> 304", status_problems(r2, 304))
    with s.conn() as c:
        r = c.request(req("HEAD", "/text.txt", headers=[("Accept-Encoding", "gzip")]), "HEAD")
        p = status_problems(r, 200)
        if r is not None and r.h("Content-Length") != str(len(FIXTURES["text.txt.gz"])):
            p.append("HEAD Content-Length %r, gzip file is %d" % (
                r.h("Content-Length"), len(FIXTURES["text.txt.gz"])))
        tap.check("HEAD with gzip: Content-Length of the gzip variant", p)


def test_hosts(tap):
    s = server(tap)
    if not s:
        return
    for host in ("evil.example", "localhost.evil.example", "127.0.0.2", "[::1]"):
        r = one(s, "/", host=host)
        p = status_problems(r, 421, s)
        if r is not None:
            p += rnlib.security_header_problems(r, "no-store")
        tap.check("Host: %s -> 421" % host, p)
    for host in ("localhost", "127.0.0.1", "localhost:8080", "LocalHost"):
        r = one(s, "/", host=host)
        tap.check("Host: %s -> 200" % host, status_problems(r, 200, s))


def test_unix(tap):
    s = server(tap)
    if not s:
        return
    tcp = one(s, "/")
    r = s.get("/", unix=True)
    p = status_problems(r, 200, s)
    if r is not None and tcp is not None and r.body != tcp.body:
        p.append("body differs from TCP")
    tap.check("unix socket listener: GET / -> 200", p)
    r = s.get("/blob.bin", unix=True)
    tap.ok(r is not None and r.body == FIXTURES["blob.bin"], "unix socket: a file downloads")


def test_http10(tap):
    s = server(tap)
    if not s:
        return
    with s.conn() as c:
        r = c.request(req(version="HTTP/1.0"))
        p = status_problems(r, 200)
        closed, extra = c.wait_closed(3.0)
        if not closed:
            p.append("HTTP/1.0 connection left open")
    tap.check("HTTP/1.0 without keep-alive -> 200 then close", p)
    with s.conn() as c:
        r = c.request(req(version="HTTP/1.0", headers=["Connection: keep-alive"]))
        p = status_problems(r, 200)
        if r is not None and "keep-alive" not in (r.h("Connection") or "").lower():
            p.append("response lacks Connection: keep-alive (%r); a 1.0 client will close"
                     % r.h("Connection"))
        r2 = c.request(req(version="HTTP/1.0", headers=["Connection: keep-alive"],
                           path="/page.html"))
        p += ["second request: " + x for x in status_problems(r2, 200)]
    tap.check("HTTP/1.0 with Connection: keep-alive stays open", p)
    with s.conn() as c:
        r = c.request(req(headers=["Connection: close"]))
        p = status_problems(r, 200)
        if r is not None and not r.conn_close():
            p.append("no Connection: close in the response")
        closed, _ = c.wait_closed(3.0)
        if not closed:
            p.append("not closed")
    tap.check("HTTP/1.1 Connection: close is honoured", p)


def test_max_requests(tap):
    s = server(tap)
    if not s:
        return
    p = []
    with s.conn() as c:
        for i in range(1, MAXREQ + 1):
            r = c.request(req(path="/page.html"))
            if r is None or r.status != 200:
                p.append("request %d: %r (%s)" % (i, r, c.error))
                break
            if i < MAXREQ and r.conn_close():
                p.append("request %d already says close" % i)
                break
            if i == MAXREQ and not r.conn_close():
                p.append("request %d (the last) has no Connection: close" % i)
        closed, extra = c.wait_closed(3.0)
        if not closed:
            p.append("connection not closed after %d requests" % MAXREQ)
    tap.check("MaxRequestsPerConnection %d: the last response closes" % MAXREQ, p)
    p = []
    with s.conn() as c:
        c.send(req(path="/page.html") * (MAXREQ + 3))
        n = 0
        while n < MAXREQ + 3:
            r = c.read_response()
            if r is None:
                break
            n += 1
        closed, _ = c.wait_closed(3.0)
        if n != MAXREQ:
            p.append("%d responses to %d pipelined requests, wanted %d" % (n, MAXREQ + 3, MAXREQ))
        if not closed:
            p.append("not closed")
    tap.check("MaxRequestsPerConnection with %d pipelined: exactly %d answered"
              % (MAXREQ + 3, MAXREQ), p)


def test_large_and_concurrent(tap):
    s = server(tap)
    if not s:
        return
    big = rnlib.big_content(s.big_size)
    r = s.get("/big.bin", timeout=30)
    p = status_problems(r, 200, s)
    if r is not None and r.status == 200 and rnlib.sha256(r.body) != rnlib.sha256(big):
        p.append("SHA-256 differs (%d bytes)" % len(r.body))
    tap.check("a %d MiB file downloads intact" % (s.big_size >> 20), p)
    r = s.get("/big.bin", headers=[("Range", "bytes=1048576-2097151")], timeout=30)
    tap.ok(r is not None and r.status == 206 and r.body == big[1048576:2097152],
           "a 1 MiB range in the middle of the big file is intact")

    errors = []

    def worker(k):
        try:
            with s.conn() as c:
                for j in range(5):
                    path = ("/", "/page.html", "/blob.bin", "/sub/", "/text.txt")[(j + k) % 5]
                    r = c.request(req(path=path))
                    if r is None or r.status != 200:
                        errors.append("worker %d %s: %r (%s)" % (k, path, r, c.error))
                        return
        except OSError as e:
            errors.append("worker %d: %s" % (k, e))
    ts = [threading.Thread(target=worker, args=(k,)) for k in range(20)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    tap.check("20 concurrent keep-alive clients x 5 requests", errors[:10])


def test_post(tap):
    s = server(tap)
    if not s:
        return
    for path in ("/", "/page.html", "/static/roneo.css", "/missing"):
        with s.conn() as c:
            r = c.request(req("POST", path, headers=["Content-Length: 0"]))
            p = status_problems(r, 405)
            if r is not None:
                allow = [x.strip() for x in (r.h("Allow") or "").split(",")]
                if sorted(allow) != ["GET", "HEAD"]:
                    p.append("Allow %r" % r.h("Allow"))
                if not r.conn_close():
                    p.append("no Connection: close")
            closed, _ = c.wait_closed(3.0)
            if not closed:
                p.append("not closed")
        tap.check("POST %s -> 405, Allow: GET, HEAD, close" % path, p)


# -- command line

def roneod(*args, timeout=20):
    try:
        cp = subprocess.run([rnlib.RONEOD] + list(args), stdin=subprocess.DEVNULL,
                            capture_output=True, timeout=timeout * rnlib.SCALE)
    except subprocess.TimeoutExpired:
        return None, "", "timeout"
    return cp.returncode, cp.stdout.decode("utf-8", "replace"), cp.stderr.decode("utf-8",
                                                                                  "replace")


def test_cli(tap):
    s = server(tap)
    if not s:
        return
    rc, out, err = roneod("--verify-config", "-f", s.conf_path)
    tap.ok(rc == 0 and "roneod: configuration OK" in out + err,
           "--verify-config on a good file: exit 0, 'roneod: configuration OK'",
           "rc %r\nstdout %r\nstderr %r" % (rc, out, err))
    d = s.dir
    bad = [("unknown key", "LogLevel info\nHostName localhost\nNoSuchOption 1\n", 3),
           ("out of range", "LogLevel info\nHeaderTimeout 0 seconds\n", 2),
           ("bad value", "MaxConnections lots\n", 1),
           ("bad log level", "# comment\n\nLogLevel shouting\n", 3)]
    for what, text, line in bad:
        path = os.path.join(d, "bad-%s.conf" % what.replace(" ", "-"))
        with open(path, "w") as f:
            f.write(text)
        rc, out, err = roneod("--verify-config", "-f", path)
        tap.ok(rc == 78 and ("%s:%d:" % (path, line)) in out + err,
               "--verify-config on a bad file (%s): exit 78, names %s:%d" % (
                   what, os.path.basename(path), line),
               "rc %r\nstdout %r\nstderr %r" % (rc, out, err))
    path = os.path.join(d, "bad-listen.conf")
    with open(path, "w") as f:
        f.write("DataDirectory %s\nListen 192.0.2.1:80\n" % s.data)
    rc, out, err = roneod("--verify-config", "-f", path)
    tap.ok(rc == 78 and "Listen" in out + err,
           "--verify-config: a non-loopback Listen without AllowNonLoopback -> 78",
           "rc %r\nstdout %r\nstderr %r" % (rc, out, err))
    rc, out, err = roneod("--verify-config", "-f", os.path.join(d, "does-not-exist.conf"))
    tap.ok(rc not in (0, None), "--verify-config on a missing file fails",
           "rc %r %r" % (rc, err))

    rc, dump1, err = roneod("-f", s.conf_path, "--dump-config")
    p = [] if rc == 0 else ["exit %r: %s" % (rc, err)]
    for must in ("MaxRequestsPerConnection %d" % MAXREQ, "Listen 127.0.0.1:%d" % s.port,
                 "DataDirectory %s" % s.data, "HostName localhost", "HeaderTimeout"):
        if must not in dump1:
            p.append("dump lacks %r" % must)
    tap.check("--dump-config: exit 0, shows the file's values and the defaults", p)
    dumped = os.path.join(d, "dumped.conf")
    with open(dumped, "w") as f:
        f.write(dump1)
    rc, out, err = roneod("--verify-config", "-f", dumped)
    tap.ok(rc == 0, "--verify-config accepts the dump", "rc %r %r" % (rc, out + err))
    rc, dump2, err = roneod("-f", dumped, "--dump-config")
    tap.ok(rc == 0 and dump2 == dump1, "dumping the dump gives the same text",
           "rc %r\n%s" % (rc, err))
    rc, dump3, err = roneod("-f", s.conf_path, "--dump-config", "--MaxHeaders", "50",
                            "--HostName", "a.example")
    p = [] if rc == 0 else ["exit %r: %s" % (rc, err)]
    if "MaxHeaders 50" not in dump3:
        p.append("no 'MaxHeaders 50'")
    if "HostName a.example" not in dump3 or "HostName localhost" in dump3:
        p.append("--HostName did not replace the list:\n%s" %
                 "\n".join(x for x in dump3.splitlines() if x.startswith("HostName")))
    tap.check("--KeyName value overrides the file; a list option replaces the list", p)

    rc, out, err = roneod("--no-such-option")
    tap.ok(rc == 64, "an unknown command-line option exits 64", "rc %r %r" % (rc, err))
    rc, out, err = roneod("-f", s.conf_path, "--verify-config", "--NoSuchKey", "1")
    tap.ok(rc in (64, 78), "an unknown --KeyName exits 64 or 78", "rc %r %r" % (rc, err))
    rc, out, err = roneod("--version")
    tap.ok(rc == 0 and (out + err).strip(), "--version exits 0 and prints something",
           "rc %r" % rc)
    rc, out, err = roneod("-h")
    tap.ok(rc == 0 and "verify-config" in out + err, "-h exits 0 and shows usage",
           "rc %r" % rc)

    # Starting on a bad file fails with 78 and does not listen.
    b = rnlib.Server(name="badconf", fixtures=False)
    b.write_conf(b.conf_text() + "HeaderTimeout forever\n")
    b.start(wait=False)
    rc = b.wait_exit(10)
    tap.ok(rc == 78, "roneod -f bad.conf exits 78", "rc %r\n%s" % (rc, b.log_tail()))
    b.stop()


def test_zz_stop(tap):
    s = server(tap)
    if not s:
        return
    ok, why = s.healthy()
    tap.ok(ok, "features: still healthy at the end", why)
    pid = s.http_pid()
    tap.ok(pid is not None and pid == s.first_http,
           "the http child never restarted during the run",
           "first %r, now %r" % (s.first_http, pid))
    s.stop_check(tap)


if __name__ == "__main__":
    rnlib.run([test_startup_log, test_process_model, test_start_page, test_files,
               test_keepalive, test_pipelining, test_head, test_etag, test_range, test_gzip,
               test_hosts, test_unix, test_http10, test_max_requests, test_large_and_concurrent,
               test_post, test_cli, test_zz_stop])
