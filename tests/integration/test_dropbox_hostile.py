#!/usr/bin/env python3
"""Hostile multipart bodies against a real roneod's drop-box.

Each body is sent raw over a socket to POST /drop/submit (or /drop/followup)
with its own Content-Type and Content-Length, and answered with the status
listed here: broken, missing, duplicate and oversized boundaries, missing or
broken close delimiters, bad part headers, header folding, huge part headers,
bodies cut at every interesting place (with a matching Content-Length, and by
a client that hangs up), nested multipart, parts out of order, the token not
first, duplicate fields, binary junk.  After each: nothing in spool/, nothing
new in inbox/ or in the database.

Traversal, control, bidirectional and invalid UTF-8 file names are accepted but
sanitised: the names inside the tar (opened with age -d and tar -x) are checked.
"""

import os
import socket
import sys
import tempfile
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402
import dblib  # noqa: E402

TMP = tempfile.mkdtemp(prefix="rn-integ-hostile-")
B = "hostileB0undary"
BB = B.encode()
CT = "multipart/form-data; boundary=" + B
CRLF = b"\r\n"


def disp(name, filename=None):
    d = b'Content-Disposition: form-data; name="' + name + b'"'
    if filename is not None:
        d += b'; filename="' + filename + b'"'
    return d


def part(name=None, data=b"", filename=None, headers=None):
    """One raw part: delimiter line, header lines, blank line, data (no trailing CRLF)."""
    if headers is None:
        headers = [disp(name, filename)]
        if filename is not None:
            headers.append(b"Content-Type: application/octet-stream")
    return b"--" + BB + CRLF + b"".join(h + CRLF for h in headers) + CRLF + data


def body(*parts, close=True, preamble=b"", epilogue=b""):
    out = preamble + CRLF.join(parts)
    if close:
        out += CRLF + b"--" + BB + b"--" + CRLF + epilogue
    return out


def send_raw(s, path, head_lines, data, cut=None, timeout=20.0):
    """Send a request with raw body bytes; cut: send only that many body bytes and
    half-close.  Returns the Response or None."""
    with s.conn(timeout=timeout) as c:
        c.send(rnlib.req("POST", path, headers=list(head_lines) + ["Connection: close"]))
        if cut is None:
            c.send(data)
            return c.read_response("POST")
        c.send(data[:cut])
        try:
            c.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        return c.read_response("POST", timeout=5.0)


class Case:
    def __init__(self, what, status, build, ctype=CT, path="/drop/submit", cut=None,
                 length=None, names=None):
        self.what, self.status, self.build = what, status, build
        self.ctype, self.path, self.cut, self.length, self.names = ctype, path, cut, length, names


def T(tok):
    return part(b"token", tok)


def cases():
    big = os.urandom(200 * 1024)
    mib = os.urandom(1 << 20)
    junk = os.urandom(500)
    junk64 = os.urandom(64 * 1024)
    c = []
    ok_body = lambda t: body(T(t), part(b"message", b"hello"))  # noqa: E731

    # --- Content-Type and boundaries
    c.append(Case("Content-Type without a boundary", 400, ok_body,
                  ctype="multipart/form-data"))
    c.append(Case("an empty boundary", 400, ok_body, ctype='multipart/form-data; boundary=""'))
    long_b = "b" * 71
    c.append(Case("a 71-byte boundary (RFC 2046 allows 70)", 400,
                  lambda t: ok_body(t).replace(BB, long_b.encode()),
                  ctype="multipart/form-data; boundary=" + long_b))
    c.append(Case("two boundary parameters", 400, ok_body,
                  ctype=CT + "; boundary=other"))
    c.append(Case("a boundary ending in a space", 400,
                  lambda t: ok_body(t).replace(BB, b"abc "),
                  ctype='multipart/form-data; boundary="abc "'))
    c.append(Case("a boundary with a character outside bchars", 400,
                  lambda t: ok_body(t).replace(BB, b"ab@cd"),
                  ctype='multipart/form-data; boundary="ab@cd"'))
    c.append(Case("a urlencoded Content-Type on the multipart route", 400, ok_body,
                  ctype="application/x-www-form-urlencoded"))
    c.append(Case("multipart/mixed instead of form-data", 400, ok_body,
                  ctype="multipart/mixed; boundary=" + B))
    c.append(Case("no Content-Type at all", 400, ok_body, ctype=None))
    c.append(Case("a body with another boundary than declared (short)", 400,
                  lambda t: ok_body(t).replace(BB, b"somethingElse")))
    c.append(Case("a body with another boundary, over the 1 KiB preamble cap", 413,
                  lambda t: body(T(t), part(b"message", b"m" * 2000)).replace(
                      BB, b"somethingElse")))

    # --- Delimiters, preamble, epilogue
    c.append(Case("no close delimiter", 400,
                  lambda t: body(T(t), part(b"message", b"hi"), close=False)))
    c.append(Case("no close delimiter after a file", 400,
                  lambda t: body(T(t), part(b"file", big, b"a.bin"), close=False)))
    c.append(Case("junk right after the close delimiter's dashes", 400,
                  lambda t: body(T(t), part(b"message", b"hi"), close=False)
                  + CRLF + b"--" + BB + b"--junk\r\n"))
    c.append(Case("a delimiter followed by junk (a longer boundary)", 400,
                  lambda t: body(T(t), part(b"message", b"hi")).replace(
                      b"--" + BB + CRLF + b"Content-Disposition: form-data; name=\"message\"",
                      b"--" + BB + b"junk" + CRLF + b"Content-Disposition: form-data; "
                      b"name=\"message\"")))
    c.append(Case("a bare CR after a delimiter", 400,
                  lambda t: b"--" + BB + b"\rX" + part(b"token", t)[len(BB) + 4:]))
    c.append(Case("a bare LF after a delimiter", 400,
                  lambda t: b"--" + BB + b"\n" + part(b"token", t)[len(BB) + 4:]))
    c.append(Case("100 bytes of transport padding after a delimiter", 413,
                  lambda t: body(T(t).replace(BB + CRLF, BB + b" " * 100 + CRLF))))
    c.append(Case("an epilogue over 1 KiB", 413,
                  lambda t: body(T(t), part(b"message", b"hi"), epilogue=b"e" * 2000)))
    c.append(Case("a preamble over 1 KiB", 413,
                  lambda t: body(T(t), part(b"message", b"hi"), preamble=b"p" * 2000 + CRLF)))
    c.append(Case("an empty body", 400, lambda t: b""))
    c.append(Case("only the close delimiter: no token", 403,
                  lambda t: b"--" + BB + b"--\r\n"))

    # --- Part headers
    c.append(Case("a part without Content-Disposition", 400,
                  lambda t: body(part(headers=[b"Content-Type: text/plain"], data=t))))
    c.append(Case("Content-Disposition: attachment", 400,
                  lambda t: body(part(headers=[b'Content-Disposition: attachment; '
                                               b'name="token"'], data=t))))
    c.append(Case("a part without a name", 400,
                  lambda t: body(part(headers=[b"Content-Disposition: form-data"], data=t))))
    c.append(Case("an empty name", 400,
                  lambda t: body(part(headers=[b'Content-Disposition: form-data; name=""'],
                                      data=t))))
    c.append(Case("two name parameters", 400,
                  lambda t: body(part(headers=[b'Content-Disposition: form-data; '
                                               b'name="token"; name="message"'], data=t))))
    c.append(Case("two filename parameters", 400,
                  lambda t: body(T(t), part(headers=[
                      b'Content-Disposition: form-data; name="file"; filename="a"; '
                      b'filename="b"'], data=b"x"))))
    c.append(Case("an extended filename* parameter", 400,
                  lambda t: body(T(t), part(headers=[
                      b"Content-Disposition: form-data; name=\"file\"; "
                      b"filename*=UTF-8''%2e%2e%2fx"], data=b"x"))))
    c.append(Case("obs-fold: a header line continued on the next", 400,
                  lambda t: body(part(headers=[b'Content-Disposition: form-data;',
                                               b' name="token"'], data=t))))
    c.append(Case("a bare LF in part headers", 400,
                  lambda t: body(part(headers=[b'Content-Disposition: form-data; '
                                               b'name="token"\nX-A: b'], data=t))))
    c.append(Case("a space before the colon", 400,
                  lambda t: body(part(headers=[b'Content-Disposition : form-data; '
                                               b'name="token"'], data=t))))
    c.append(Case("a NUL in a part header", 400,
                  lambda t: body(part(headers=[b'Content-Disposition: form-data; '
                                               b'name="tok\x00en"'], data=t))))
    c.append(Case("a NUL in a filename", 400,
                  lambda t: body(T(t), part(b"file", b"x", b"a\x00.txt"))))
    c.append(Case("a part header line over 2 KiB", 413,
                  lambda t: body(part(headers=[disp(b"token"), b"X-Long: " + b"a" * 3000],
                                      data=t))))
    c.append(Case("nine part header fields", 413,
                  lambda t: body(part(headers=[disp(b"token")] + [
                      b"X-H%d: v" % i for i in range(8)], data=t))))
    c.append(Case("a part header block over 8 KiB", 413,
                  lambda t: body(part(headers=[disp(b"token")] + [
                      b"X-H%d: " % i + b"v" * 1900 for i in range(5)], data=t))))
    c.append(Case("part headers that never end", 400,
                  lambda t: T(t)[:-(len(t) + 2)] + b"X-More: " + b"x" * 100))
    c.append(Case("two Content-Disposition fields", 400,
                  lambda t: body(part(headers=[disp(b"token"), disp(b"message")], data=t))))
    c.append(Case("two Content-Type fields", 400,
                  lambda t: body(T(t), part(headers=[disp(b"file", b"a"),
                                                     b"Content-Type: text/plain",
                                                     b"Content-Type: text/html"],
                                            data=b"x"))))
    c.append(Case("nested multipart/mixed in a part", 400,
                  lambda t: body(T(t), part(headers=[
                      disp(b"file", b"a"), b"Content-Type: multipart/mixed; boundary=inner"],
                      data=b"--inner\r\nContent-Type: text/plain\r\n\r\nx\r\n--inner--"))))
    c.append(Case("Content-Transfer-Encoding: base64", 400,
                  lambda t: body(T(t), part(headers=[disp(b"file", b"a"),
                                                     b"Content-Transfer-Encoding: base64"],
                                            data=b"eA=="))))
    c.append(Case("a 65-byte field name", 413,
                  lambda t: body(T(t), part(b"n" * 65, b"x"))))
    c.append(Case("a 256-byte filename", 413,
                  lambda t: body(T(t), part(b"file", b"x", b"f" * 256))))

    # --- Fields, order, duplicates
    c.append(Case("the token not first (message, then token)", 400,
                  lambda t: body(part(b"message", b"hi"), T(t))))
    c.append(Case("the token twice", 400, lambda t: body(T(t), T(t), part(b"message", b"hi"))))
    c.append(Case("the message twice", 400,
                  lambda t: body(T(t), part(b"message", b"a"), part(b"message", b"b"))))
    c.append(Case("a message part with a filename", 400,
                  lambda t: body(T(t), part(b"message", b"a", b"m.txt"))))
    c.append(Case("a file part without a filename", 400,
                  lambda t: body(T(t), part(b"file", b"data"))))
    c.append(Case("an unknown field", 400,
                  lambda t: body(T(t), part(b"email", b"me@example.org"))))
    c.append(Case("a mailbox field in a first submission", 400,
                  lambda t: body(T(t), part(b"mailbox", b"00" * 32))))
    c.append(Case("an empty file input that carries data", 400,
                  lambda t: body(T(t), part(b"file", b"sneaky", b""))))
    c.append(Case("40 parts (InboxMaxFiles 30, so 38 parts at most)", 413,
                  lambda t: body(T(t), *[part(b"website", b"") for _ in range(40)])))
    c.append(Case("a forged token in an otherwise valid body", 403,
                  lambda t: ok_body(t[:-4] + (b"0000" if t[-4:] != b"0000" else b"1111"))))
    c.append(Case("the honeypot filled after a file", 400,
                  lambda t: body(T(t), part(b"file", big, b"a.bin"), part(b"website", b"x"))))
    c.append(Case("a delimiter inside file data followed by junk", 400,
                  lambda t: body(T(t), part(b"file", b"abc\r\n--" + BB + b"X" + big,
                                            b"a.bin"))))
    c.append(Case("500 bytes of binary junk", 400, lambda t: junk))
    c.append(Case("64 KiB of binary junk (over the preamble cap)", 413, lambda t: junk64))

    # --- Truncated: the Content-Length matches the cut body.
    full = lambda t: body(T(t), part(b"message", b"hi"), part(b"file", big, b"a.bin"))  # noqa
    marks = [
        ("inside the first delimiter", lambda t, b: 8),
        ("right after the first delimiter line", lambda t, b: len(BB) + 4),
        ("inside the token's headers", lambda t, b: len(BB) + 20),
        ("inside the token's value", lambda t, b: b.index(t) + 10),
        ("inside the file's data", lambda t, b: len(b) // 2),
        ("inside the CRLF before the close delimiter", lambda t, b: len(b) - len(BB) - 7),
        ("after the close delimiter's boundary", lambda t, b: len(b) - 4),
        ("after the close delimiter's first dash", lambda t, b: len(b) - 3),
    ]
    for what, at in marks:
        c.append(Case("a body cut %s" % what, 400,
                      (lambda at: lambda t: (lambda b: b[:at(t, b)])(full(t)))(at)))

    # --- Cut by a client that hangs up (Content-Length promises more).
    fullbig = lambda t: body(T(t), part(b"message", b"hi"), part(b"file", mib, b"a.bin"))  # noqa
    for what, at in (("mid-file, 100 KiB into 1 MiB", lambda t, b: 100 * 1024 + 300),
                     ("in the part headers", lambda t, b: len(BB) + 20),
                     ("before any body byte", lambda t, b: 0),
                     ("just before the close delimiter", lambda t, b: len(b) - 10)):
        c.append(Case("a client hanging up %s" % what, None, fullbig, cut=at))

    # --- Follow-ups out of order (need a mailbox page: see followup_cases).
    return c


# Sent name -> name in the tar.  Accepted, sanitised.
NAMES = [
    (b"../../../../etc/passwd", "passwd"),
    (b"/etc/shadow", "shadow"),
    (b"..\\\\..\\\\windows\\\\system32\\\\evil.dll", "evil.dll"),
    (b"~/.ssh/authorized_keys", "authorized_keys"),
    (b"%2e%2e%2fetc%2fpasswd", "%2e%2e%2fetc%2fpasswd"),
    ("invoice\u202egpj.exe".encode(), "invoice_gpj.exe"),
    ("a\u200bb.txt".encode(), "a_b.txt"),
    ("\u0085name.txt".encode(), "_name.txt"),
    ("\ufeffbom.txt".encode(), "_bom.txt"),
    (b"..", "file"),
    (b".", "file (2)"),
    (b"...hidden", "file.hidden"),
    (b"-rf --no-preserve-root", "rf --no-preserve-root"),
    (b"  spaced  .txt  ", "spaced  .txt"),
]


def sane(name):
    """Problems with a name found in the tar."""
    p = []
    if "/" in name or "\\" in name or name.startswith((".", "-", " ")) or not name:
        p.append("unsafe name %r" % name)
    for ch in name:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs") or ch == "\ufffd":
            p.append("name %r has %r (%s)" % (name, ch, cat))
            break
    if len(name.encode()) > 200:
        p.append("name %r longer than 200 bytes" % name)
    return p


def run_case(tap, s, case, base):
    tok = dblib.form_token(s).encode()
    data = case.build(tok)
    head = []
    if case.ctype is not None:
        head.append("Content-Type: " + case.ctype)
    head.append("Content-Length: %d" % (len(data) if case.length is None else case.length))
    cut = case.cut(tok, data) if case.cut is not None else None
    r = send_raw(s, case.path, head, data, cut=cut)
    probs = []
    if case.status is None:
        if r is not None and r.status == 200:
            probs.append("answered 200 to a cut upload")
    elif r is None:
        probs.append("no response: %s" % s.last_error if hasattr(s, "last_error") else "")
    elif r.status != case.status:
        probs.append("status %d (%s), wanted %d" % (r.status, dblib.title(r), case.status))
    elif case.status != 200 and not (dblib.title(r) and "<p>" in dblib.text(r)):
        probs.append("the refusal page has no title or text")
    probs += unchanged(s, base, case.what)
    tap.check("%s: %s, nothing left" % (case.what, case.status or "no receipt"), probs)


def unchanged(s, before, what):
    rnlib.wait_until(lambda: dblib.state(s) == before, 5.0 * rnlib.SCALE, 0.05)
    after = dblib.state(s)
    return [] if after == before else ["state changed: %r -> %r" % (before, after)]


def followup_cases(tap, s, base):
    """Follow-ups out of order.  Needs a mailbox page; base includes its submission."""
    r, code = dblib.submit(s, "mailbox for the follow-up cases")
    if code is None:
        tap.ok(False, "follow-up cases: a first submission", repr(r))
        return dblib.state(s)
    base = dblib.state(s)
    page = dblib.visit(s, code)
    f = dblib.mailbox_forms(page)["/drop/followup"]
    tok, mb = f["token"].encode(), f["mailbox"].encode()
    fcases = [
        ("follow-up: the message before the mailbox capability", 403,
         body(T(tok), part(b"message", b"hi"), part(b"mailbox", mb))),
        ("follow-up: the mailbox capability before the token", 400,
         body(part(b"mailbox", mb), T(tok), part(b"message", b"hi"))),
        ("follow-up: no mailbox capability", 403, body(T(tok), part(b"message", b"hi"))),
        ("follow-up: the mailbox capability twice", 400,
         body(T(tok), part(b"mailbox", mb), part(b"mailbox", mb), part(b"message", b"hi"))),
        ("follow-up: a file before the capability", 403,
         body(T(tok), part(b"file", b"x", b"a.txt"), part(b"mailbox", mb))),
        ("follow-up: a submit token instead of the follow-up token", 403,
         body(T(dblib.form_token(s).encode()), part(b"mailbox", mb), part(b"message", b"x"))),
    ]
    for what, status, data in fcases:
        r = send_raw(s, "/drop/followup", ["Content-Type: " + CT,
                                            "Content-Length: %d" % len(data)], data)
        p = [] if r is not None and r.status == status else [
            "status %r (%s), wanted %d" % (r.status if r else None, dblib.title(r), status)]
        tap.check("%s: %d, nothing left" % (what, status), p + unchanged(s, base, what))
    return base


def test_hostile(tap):
    s = dblib.drop_server(TMP, "hostile", conf={"InboxMaxFiles": 30})
    if not rnlib.start_or_fail(tap, s, "hostile server"):
        return
    base = dblib.state(s)
    n = 0
    for case in cases():
        run_case(tap, s, case, base)
        n += 1
    base = followup_cases(tap, s, base)
    tap.comment("%d hostile bodies sent" % (n + 6))
    ok, why = s.healthy()
    tap.ok(ok, "the server is healthy after the battery", why)
    S["server"] = s
    S["base"] = base


S = {}


def test_names(tap):
    s = S.get("server")
    if s is None:
        tap.ok(False, "sanitised names: no server")
        return
    base = dblib.state(s)
    tok = dblib.form_token(s).encode()
    datas = [os.urandom(50 + i) for i in range(len(NAMES))]
    invalid = [b"\xff\xfe.txt", b"\xc0\xaf.txt", b"\xed\xa0\x80.txt", b"caf\xc3.txt"]
    idatas = [os.urandom(30 + i) for i in range(len(invalid))]
    long_name = ("x" * 300)[:240].encode() + b".txt"
    parts = [T(tok), part(b"message", b"names")]
    parts += [part(b"file", d, n.replace(b'"', b'\\"')) for (n, _), d in zip(NAMES, datas)]
    parts += [part(b"file", d, n) for n, d in zip(invalid, idatas)]
    parts.append(part(b"file", b"long", long_name))
    for i, n in enumerate([b"same.txt", b"SAME.TXT", b"Same.txt", b"same.txt"]):
        parts.append(part(b"file", b"same %d" % i, n))
    data = body(*parts)
    r = send_raw(s, "/drop/submit", ["Content-Type: " + CT, "Content-Length: %d" % len(data)],
                 data)
    after = dblib.state(s)
    new = sorted(set(after[2]) - set(base[2]))
    tap.ok(r is not None and r.status == 200 and len(new) == 1 and after[0] == [],
           "a submission with traversal, bidi, control and invalid UTF-8 names is received",
           "%r %r" % (r, after))
    if len(new) != 1:
        return
    got, probs = dblib.open_sealed(dblib.inbox_path(s, new[0]), s.editors[0].identity)
    tap.check("it opens with age -d and tar -x with no warning and no directory", probs)
    for (sent, want), d in zip(NAMES, datas):
        tap.ok(got.get(want) == d, "%r is stored as %r" % (sent.decode(errors="replace"),
                                                            want),
               "names: %r" % sorted(got))
    p = []
    for name in got:
        p += sane(name)
    inv_found = [n for n, v in got.items() if v in idatas]
    if len(inv_found) != len(invalid):
        p.append("invalid UTF-8 names: found %r" % inv_found)
    tap.check("every name in the tar is valid UTF-8 with no slash, control or format "
              "character and no leading dot, dash or space (invalid UTF-8 became %r)"
              % sorted(inv_found), p)
    longs = [n for n, v in got.items() if v == b"long"]
    tap.ok(len(longs) == 1 and len(longs[0].encode()) <= 200 and longs[0].endswith(".txt"),
           "a 244-byte name is cut to at most 200 bytes, keeping .txt", repr(longs))
    same = sorted(n for n, v in got.items() if v.startswith(b"same "))
    tap.ok(same == ["SAME (2).TXT", "Same (3).txt", "same (4).txt", "same.txt"],
           "names equal but for case are made unique", repr(same))
    tap.ok(got.get("message.txt") == b"names", "the message is there too")
    s.stop_check(tap, "hostile server: stops cleanly, no sanitizer report")


def main():
    missing = dblib.need_tools()
    if missing:
        print("1..1")
        print("not ok 1 - the drop-box tests need %s (contrib/lib.sh RN_TEST_PKGS)"
              % ", ".join(missing))
        return
    rnlib.run([test_hostile, test_names])


if __name__ == "__main__":
    main()
