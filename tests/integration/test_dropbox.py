#!/usr/bin/env python3
"""The drop-box's happy paths and refusals through a real roneod.

Submissions with a message and files of several sizes (empty file inputs,
odd names) opened with the real `age -d` and `tar -x` and compared byte for
byte; the codename opens the mailbox; a follow-up lands in the same mailbox; a
reply sealed with `age -r REPLY_TO -r EDITOR` and posted through the signed
editor API shows on the source's page and can be deleted; a wrong but
well-formed codename gets the page of an empty mailbox; CSRF tokens; the
honeypot; each limit with its status and page, leaving nothing behind;
retention; the editor API's refusals (unsigned, wrong key, replayed nonce,
stale time, tampered body or target) and its list, fetch, delete and reply.

Needs age, age-keygen, openssl and tar (contrib/lib.sh RN_TEST_PKGS).
"""

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402
import dblib  # noqa: E402
from dblib import Part  # noqa: E402

TMP = tempfile.mkdtemp(prefix="rn-integ-dropbox-")
S = {}          # servers by name, started once
RNG = random.Random(0xD20B)
LIMITS = {
    "InboxMaxFileSize": "100 KiB",
    "InboxMaxFiles": 3,
    "InboxMaxSubmissionSize": "1 MiB",
    "InboxMaxMessageSize": "1 KiB",
    "InboxMaxConcurrentUploads": 2,
}


def words():
    top = os.environ.get("RN_TOP_SRCDIR") or os.path.join(os.path.dirname(__file__), "..", "..")
    with open(os.path.join(top, "daemon", "inbox", "words", "bip39-english.txt")) as f:
        return [w.strip() for w in f if w.strip()]


def main_server(tap):
    if "main" not in S:
        s = dblib.drop_server(TMP, "main", editors=2)
        if not rnlib.start_or_fail(tap, s, "main drop-box server"):
            raise RuntimeError("roneod did not start")
        S["main"] = s
    return S["main"]


def unchanged(s, before, what):
    """Problems if spool/inbox/database differ from before (waits for aborts to settle)."""
    rnlib.wait_until(lambda: dblib.state(s) == before, 5.0 * rnlib.SCALE, 0.05)
    after = dblib.state(s)
    if after == before:
        return []
    return ["%s: state changed: before %r, after %r" % (what, before, after)]


def page_problems(r, status, title_part):
    if r is None:
        return ["no response"]
    p = []
    if r.status != status:
        p.append("status %d, wanted %d" % (r.status, status))
    t = dblib.title(r) or ""
    if title_part.lower() not in t.lower():
        p.append("title %r does not contain %r" % (t, title_part))
    if r.h("Content-Type") != "text/html; charset=utf-8":
        p.append("Content-Type %r" % r.h("Content-Type"))
    if r.h("Cache-Control") != "no-store":
        p.append("Cache-Control %r" % r.h("Cache-Control"))
    if r.has("Set-Cookie"):
        p.append("sets a cookie")
    return p


# --------------------------------------------------------------------------

def test_pages(tap):
    s = main_server(tap)
    for path, t in (("/drop/", "Send us something"), ("/drop/submit", "Write a message"),
                    ("/drop/return", "Replies"), ("/drop/help", "Help for sources")):
        r = s.get(path)
        p = page_problems(r, 200, t)
        body = dblib.text(r)
        if "<script" in body.lower() or "<svg" in body.lower() or "@font-face" in body:
            p.append("script, svg or web font on the page")
        tap.check("GET %s: 200, HTML, no-store, no cookie, no script" % path, p)
    r = s.get("/drop/submit")
    form = dblib.text(r)
    tap.ok('enctype="multipart/form-data"' in form and dblib.RE_TOKEN.search(form)
           and 'name="website"' in form and 'name="file"' in form and "multiple" in form,
           "the submit form is multipart with a token, the honeypot and several files")
    r = s.get("/drop/nope")
    tap.ok(r is not None and r.status == 404, "an unknown /drop/ page is 404",
           repr(r))


FILES = [
    ("one.bin", 1),
    ("small.txt", 1000),
    ("chunk-1.bin", 65535),
    ("chunk.bin", 65536),
    ("chunk+1.bin", 65537),
    ("three-mib.bin", 3 * 1024 * 1024 + 7),
    ("empty.txt", 0),
]

# Sent name -> name inside the tar (daemon/inbox/README.md, "Names").
ODD_NAMES = [
    ("résumé été.txt", "résumé été.txt"),
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\report.pdf", "report.pdf"),
    ("REPORT.PDF", "REPORT (2).PDF"),
    ("message.txt", "message (2).txt"),
    ("evil\u202efdp.exe", "evil_fdp.exe"),
    (".hidden", "hidden"),
    ("-rf", "rf"),
    ("..", "file"),
    ('quote"and\\back.txt', "back.txt"),
    ("日本語のファイル.doc", "日本語のファイル.doc"),
]


def content(name, size):
    return random.Random("%s:%d" % (name, size)).randbytes(size)


def test_submit_roundtrip(tap):
    s = main_server(tap)
    before = dblib.state(s)
    msg = "A message with <html> & ünïcödé\r\nand a second line.\n"
    files = [(n, content(n, z)) for n, z in FILES]
    files += [(n, content(n, 100 + i)) for i, (n, _) in enumerate(ODD_NAMES)]
    # An empty file input: filename="" and no content, as browsers send it.
    parts = dblib.submission_parts(dblib.form_token(s), msg, files[:2], "")
    parts.append(Part("file", b"", filename=""))
    parts += [Part("file", d, filename=n) for n, d in files[2:]]
    length, gen = dblib.form_body(parts)
    r = dblib.post(s, "/drop/submit", gen, length=length)
    p = page_problems(r, 200, "Received")
    m = dblib.RE_CODENAME.search(dblib.text(r))
    code = m.group(1) if m else None
    if not code or len(code.split()) != 9:
        p.append("no nine-word codename on the receipt: %r" % code)
    tap.check("a submission with a message and %d files is received with a codename"
              % len(files), p)
    S["code"] = code
    after = dblib.state(s)
    new = sorted(set(after[2]) - set(before[2]))
    tap.ok(len(new) == 1 and after[0] == [] and after[1] == sorted(
        x + ".age" for x in after[2]), "one new record and sealed file, the spool is empty",
        "before %r after %r" % (before, after))
    if len(new) != 1:
        return
    sid = S["first_id"] = new[0]
    rows = dblib.db_query(s, "SELECT day, bucket, length(mailbox) FROM submission WHERE id=?",
                          (sid,))
    days = [time.strftime("%Y-%m-%d", time.gmtime(time.time() - d)) for d in (0, 600)]
    tap.ok(rows and rows[0][0] in days and rows[0][2] == 32,
           "the record holds the UTC day and a 32-byte mailbox id", repr(rows))
    want = {"message.txt": msg.encode()}
    for n, d in files[:len(FILES)]:
        want[n] = d
    for (sent, inside), (n, d) in zip(ODD_NAMES, files[len(FILES):]):
        want[inside] = d
    for i, ed in enumerate(s.editors):
        got, probs = dblib.open_sealed(dblib.inbox_path(s, sid), ed.identity)
        if set(got) != set(want):
            probs.append("names: got %r, wanted %r" % (sorted(got), sorted(want)))
        for n in want:
            if n in got and got[n] != want[n]:
                probs.append("%r differs: %d bytes, wanted %d" % (n, len(got[n]),
                                                                   len(want[n])))
        tap.check("editor %d: age -d | tar -x gives the message and every file byte for "
                  "byte, odd names sanitised" % (i + 1), probs)
    ok, plain, err = dblib.age_decrypt(dblib.inbox_path(s, sid), s.editors[0].identity)
    tap.ok(ok and len(plain) == rows[0][1] and rows[0][1] % 512 == 0
           and len(plain) >= sum(len(d) for d in want.values()),
           "the plaintext is a tar padded to the recorded size bucket",
           "%s: plaintext %s, bucket %s" % (err, len(plain) if plain else None, rows[0][1]))
    # A message alone, and files alone.
    r1, c1 = dblib.submit(s, "only a message")
    r2, c2 = dblib.submit(s, None, [("only.bin", b"file only")])
    tap.ok(c1 and c2, "a message alone and a file alone are received",
           "%r %r" % (dblib.title(r1), dblib.title(r2)))
    b = dblib.state(s)
    r = dblib.submit(s, "")[0]
    tap.check("an empty message and no file: 400 'Nothing to send', nothing kept",
              page_problems(r, 400, "Nothing to send") + unchanged(s, b, "empty"))


def test_mailbox_followup_reply(tap):
    s = main_server(tap)
    code = S.get("code")
    if not code:
        tap.ok(False, "mailbox: no codename from the first submission")
        return
    r = dblib.visit(s, code)
    p = page_problems(r, 200, "Your mailbox")
    if "There are no replies yet" not in dblib.text(r):
        p.append("no 'no replies yet' text")
    forms = dblib.mailbox_forms(r)
    if "/drop/followup" not in forms or "/drop/delete-replies" in forms:
        p.append("forms: %r" % sorted(forms))
    tap.check("the codename opens the mailbox: no replies yet, a follow-up form", p)
    mbox = forms.get("/drop/followup", {}).get("mailbox") or ""
    # Typed differently: case, extra spaces and line breaks, four-letter prefixes.
    ws = code.split()
    typed = "  \n".join(w.upper() if i % 2 else w[:4] if len(w) > 4 else w
                        for i, w in enumerate(ws)) + "\t"
    r2 = dblib.visit(s, typed)
    m2 = dblib.mailbox_forms(r2).get("/drop/followup", {}).get("mailbox") or ""
    tap.ok(r2 is not None and r2.status == 200 and m2[:64] == mbox[:64] and mbox,
           "the codename typed in capitals, prefixes and odd spaces opens the same mailbox",
           "%r vs %r" % (m2[:64], mbox[:64]))
    # Follow-up into the same mailbox.
    before = dblib.state(s)
    f_data = content("follow", 200000)
    fr = dblib.followup(s, r, "more news", [("follow.bin", f_data)])
    tap.check("a follow-up with a message and a file is received",
              page_problems(fr, 200, "Received"))
    after = dblib.state(s)
    new = sorted(set(after[2]) - set(before[2]))
    rows = dblib.db_query(s, "SELECT id, hex(mailbox) FROM submission WHERE id IN (?, ?)",
                          (S.get("first_id", ""), new[0] if new else ""))
    boxes = {i: m.lower() for i, m in rows}
    tap.ok(len(new) == 1 and len(boxes) == 2 and len(set(boxes.values())) == 1
           and list(boxes.values())[0] == mbox[:64],
           "the follow-up's record names the same mailbox as the first submission",
           repr(boxes))
    if new:
        got, probs = dblib.open_sealed(dblib.inbox_path(s, new[0]), s.editors[1].identity)
        if got != {"message.txt": b"more news", "follow.bin": f_data}:
            probs.append("contents: %r" % sorted(got))
        tap.check("the follow-up opens with age -d and matches", probs)
    # The editor replies through the signed API.
    ed = s.editors[0]
    lr = dblib.signed(s, ed, "GET", "/editor/v1/inbox")
    listing = json.loads(lr.body) if lr is not None and lr.status == 200 else {}
    subs = {x["id"]: x for x in listing.get("submissions", [])}
    first = subs.get(S.get("first_id"))
    tap.ok(first is not None and first["mailbox"] == mbox[:64]
           and re.fullmatch(r"age1[a-z0-9]{58}", first.get("reply_to", ""))
           and sorted(listing.get("recipients", [])) == sorted(e.recipient for e in s.editors),
           "the signed listing has the submission, its mailbox, reply_to and the recipients",
           repr(lr))
    if first is None:
        return
    text = "Thanks. <b>We read it</b> & we will publish on Friday.\nÉditeurs"
    sealed = subprocess.run(["age", "-r", first["reply_to"], "-r", ed.recipient],
                            input=text.encode(), capture_output=True, check=True,
                            timeout=30).stdout
    rr = dblib.signed(s, ed, "POST", "/editor/v1/inbox/%s/reply" % first["id"], sealed)
    rid = json.loads(rr.body).get("reply") if rr is not None and rr.status == 201 else None
    tap.ok(rid and os.path.isfile(os.path.join(s.replies, rid + ".age"))
           and dblib.db_ids(s, "reply") == [rid],
           "a reply sealed with age -r REPLY_TO -r EDITOR is stored (201, file and record)",
           repr(rr) + (dblib.text(rr) if rr else ""))
    if rid:
        ok, plain, err = dblib.age_decrypt(os.path.join(s.replies, rid + ".age"), ed.identity)
        tap.ok(ok and plain == text.encode(), "the editor can still open the stored reply",
               err)
    # A second reply from the other editor, through a follow-up's record.
    text2 = "Second reply"
    sealed2 = subprocess.run(["age", "-r", first["reply_to"], "-r", s.editors[1].recipient],
                             input=text2.encode(), capture_output=True, check=True,
                             timeout=30).stdout
    rr2 = dblib.signed(s, s.editors[1], "POST", "/editor/v1/inbox/%s/reply" % new[0],
                       sealed2) if new else None
    tap.ok(rr2 is not None and rr2.status == 201,
           "the second editor replies through the follow-up's record", repr(rr2))
    page = dblib.visit(s, code)
    shown = dblib.replies(page)
    forms = dblib.mailbox_forms(page)
    tap.ok(sorted(shown) == sorted([text, text2]) and "/drop/delete-replies" in forms
           and "&lt;b&gt;We read it&lt;/b&gt; &amp;" in dblib.text(page),
           "the source's page shows both replies, escaped, with a delete form",
           repr(shown))
    S["mailbox_page"] = page
    # Deleting replies.
    dr = dblib.delete_replies(s, page)
    tap.check("delete-replies answers 200 'Replies deleted'",
              page_problems(dr, 200, "Replies deleted"))
    again = dblib.visit(s, code)
    tap.ok(dblib.replies(again) == [] and "There are no replies yet" in dblib.text(again)
           and dblib.files(s.replies) == [] and dblib.db_ids(s, "reply") == [],
           "after deleting, no reply on the page, in replies/ or in the database",
           "%r %r" % (dblib.files(s.replies), dblib.db_ids(s, "reply")))
    # The old delete form again: nothing to delete, still fine; a forged mailbox is 403.
    dr2 = dblib.delete_replies(s, page)
    tap.ok(dr2 is not None and dr2.status == 200, "deleting again is harmless (200)",
           repr(dr2))
    f = dblib.mailbox_forms(page)["/drop/delete-replies"]
    forged = f["mailbox"][:-1] + ("0" if f["mailbox"][-1] != "0" else "1")
    body = ("token=%s&mailbox=%s" % (f["token"], forged)).encode()
    r3 = dblib.post(s, "/drop/delete-replies", body, ctype="application/x-www-form-urlencoded")
    tap.check("delete-replies with a forged mailbox capability: 403",
              page_problems(r3, 403, "expired"))
    S["empty_page"] = again


def test_wrong_codename(tap):
    s = main_server(tap)
    empty = S.get("empty_page")
    wl = words()
    rng = random.Random(7)
    wrong = " ".join(rng.choice(wl) for _ in range(9))
    before = dblib.state(s)
    r = dblib.visit(s, wrong)
    p = page_problems(r, 200, "Your mailbox")
    if empty is None:
        p.append("no page of an empty mailbox to compare with")
    else:
        a, b = dblib.strip_tokens(dblib.text(r)), dblib.strip_tokens(dblib.text(empty))
        if a != b:
            p.append("pages differ:\n%s\n----\n%s" % (a, b))
        if dblib.text(r) == dblib.text(empty):
            p.append("even the hidden values are equal (tokens should differ)")
    tap.check("a wrong, well-formed codename gets the page of a mailbox with no replies "
              "(equal but for hidden values)", p + unchanged(s, before, "wrong codename"))
    for bad, why in (("one two three", "three words"), ("zzzz " * 9, "unknown words"),
                     (wrong + " abandon", "ten words"), ("", "empty")):
        r = dblib.visit(s, bad)
        tap.check("a malformed codename (%s): 400 'That is not a codename'" % why,
                  page_problems(r, 400, "not a codename"))
    # The mailbox capability in the page is MAC'd by the server: a forged one is 403.
    page = dblib.visit(s, wrong)
    fm = dblib.mailbox_forms(page)["/drop/followup"]
    forged = ("f" if fm["mailbox"][0] != "f" else "e") + fm["mailbox"][1:]
    parts = [Part("token", fm["token"].encode()), Part("mailbox", forged.encode()),
             Part("message", b"x")]
    length, gen = dblib.form_body(parts)
    b2 = dblib.state(s)
    r4 = dblib.post(s, "/drop/followup", gen, length=length)
    tap.check("a follow-up with a forged mailbox capability: 403, nothing kept",
              page_problems(r4, 403, "expired") + unchanged(s, b2, "forged mailbox"))


def test_csrf(tap):
    s = main_server(tap)
    before = dblib.state(s)
    good = dblib.form_token(s)
    cases = []
    # Missing: the first part is the message.
    cases.append(("no token part", [Part("message", b"hi")], 400, "not sent as expected"))
    cases.append(("an empty token", [Part("token", b""), Part("message", b"hi")], 403,
                  "expired"))
    hour = good.split(".")[1]
    forged = "1.%s.%s" % (hour, "%032x" % RNG.getrandbits(128))
    cases.append(("a forged MAC", [Part("token", forged.encode()), Part("message", b"hi")],
                  403, "expired"))
    for delta, what in ((-3, "an hour already past"), (1, "a later hour"), (1000, "far future")):
        moved = "1.%08x.%s" % (int(hour, 16) + delta, good.split(".")[2])
        cases.append(("a real token with its expiry moved to %s" % what,
                      [Part("token", moved.encode()), Part("message", b"hi")], 403,
                      "expired"))
    other = dblib.form_token(s, "/drop/return")
    cases.append(("the come-back form's token", [Part("token", other.encode()),
                                                 Part("message", b"hi")], 403, "expired"))
    cases.append(("a token with junk after it", [Part("token", (good + "0").encode()),
                                                 Part("message", b"hi")], 403, "expired"))
    for what, parts, status, t in cases:
        length, gen = dblib.form_body(parts)
        r = dblib.post(s, "/drop/submit", gen, length=length)
        tap.check("submit with %s: %d, nothing kept" % (what, status),
                  page_problems(r, status, t) + unchanged(s, before, what))
    # A form fetched before a restart: the key lived only in the old child's memory.
    old_submit = dblib.form_token(s)
    old_return = dblib.form_token(s, "/drop/return")
    s.stop()
    if not rnlib.start_or_fail(tap, s, "main server restart"):
        return
    r = dblib.submit(s, "after restart", token=old_submit)[0]
    tap.check("a submit form from before a restart is refused: 403 'This form has expired'",
              page_problems(r, 403, "This form has expired") + unchanged(s, before, "old"))
    r = dblib.visit(s, S.get("code", "x"), token=old_return)
    tap.check("a come-back form from before a restart: 403",
              page_problems(r, 403, "expired"))
    page = S.get("mailbox_page")
    if page is not None:
        r = dblib.followup(s, page, "old page")
        tap.check("a follow-up from a mailbox page from before the restart: 403, nothing kept",
                  page_problems(r, 403, "expired") + unchanged(s, before, "old followup"))
    # GET is never an action.
    r = s.get("/drop/delete-replies")
    tap.ok(r is not None and r.status in (404, 405), "GET /drop/delete-replies is refused",
           repr(r))
    r = s.get("/drop/followup")
    tap.ok(r is not None and r.status in (404, 405), "GET /drop/followup is refused", repr(r))


def test_honeypot(tap):
    s = main_server(tap)
    before = dblib.state(s)
    r, code = dblib.submit(s, "spam", [("a.txt", b"spam")], website="http://spam.example/")
    tap.check("the honeypot field filled: 400, nothing kept",
              page_problems(r, 400, "refused") + unchanged(s, before, "honeypot"))
    if True:
        s2 = limits_server(tap)
        b2 = dblib.state(s2)
        r, code = dblib.submit(s2, "robot-ish", website="filled")
        after = dblib.state(s2)
        tap.ok(code is not None and len(after[2]) == len(b2[2]) + 1,
               "with InboxHoneypot 0 the filled field is ignored and the submission kept",
               repr(r))


def limits_server(tap):
    if "limits" not in S:
        conf = dict(LIMITS)
        conf["InboxHoneypot"] = 0
        s = dblib.drop_server(TMP, "limits", conf=conf)
        if not rnlib.start_or_fail(tap, s, "limits server"):
            raise RuntimeError("limits server did not start")
        S["limits"] = s
    return S["limits"]


def test_limits(tap):
    s = limits_server(tap)
    before = dblib.state(s)
    tok = dblib.form_token
    cases = [
        ("a file over InboxMaxFileSize", [("big.bin", content("big", 100 * 1024 + 1))], "m",
         413, "A file is too large"),
        ("four files with InboxMaxFiles 3", [("f%d" % i, b"x") for i in range(4)], "m",
         413, "Too many files"),
        ("a message over InboxMaxMessageSize", [], "m" * 1025, 413, "message is too long"),
    ]
    for what, files, msg, status, t in cases:
        r, code = dblib.submit(s, msg, files, token=tok(s))
        tap.check("%s: %d '%s', nothing kept" % (what, status, t),
                  page_problems(r, status, t) + unchanged(s, before, what))
    # Exactly at the limits is fine.
    r, code = dblib.submit(s, "m" * 1024, [("f%d" % i, content("f", 100 * 1024))
                                           for i in range(3)])
    tap.ok(code is not None, "exactly InboxMaxFileSize, InboxMaxFiles and "
           "InboxMaxMessageSize is received", dblib.title(r))
    before = dblib.state(s)
    # InboxMaxSubmissionSize: refused from the Content-Length, before the body.
    parts = dblib.submission_parts(tok(s), "m", [("a", (1024 * 1024, dblib.gen_bytes(
        1024 * 1024, 1)))])
    length, gen = dblib.form_body(parts)
    sent = []
    r = dblib.post(s, "/drop/submit", gen, length=length, on_progress=sent.append)
    tap.check("a body over InboxMaxSubmissionSize: 413 'The submission is too large', "
              "nothing kept", page_problems(r, 413, "submission is too large")
              + unchanged(s, before, "submission size"))
    # InboxMaxConcurrentUploads 2: two uploads held open, a third is 503.
    held = []
    try:
        for i in range(2):
            parts = dblib.submission_parts(tok(s), "held %d" % i, [("h.bin", b"y" * 5000)])
            length, gen = dblib.form_body(parts)
            body = b"".join(gen())
            c = s.conn(timeout=30)
            c.send(rnlib.req("POST", "/drop/submit", headers=[
                "Content-Type: multipart/form-data; boundary=" + dblib.BOUNDARY,
                "Content-Length: %d" % len(body)]))
            c.send(body[:len(body) // 2])
            held.append((c, body))
        # Both are admitted once their spool files exist.
        rnlib.wait_until(lambda: len(dblib.files(s.spool)) == 2, 10.0 * rnlib.SCALE, 0.05)
        r, code = dblib.submit(s, "third", [("t.bin", b"z")])
        tap.check("a third upload while two are in progress (InboxMaxConcurrentUploads 2): "
                  "503 'busy'", page_problems(r, 503, "busy"))
        oks = []
        for c, body in held:
            c.send(body[len(body) // 2:])
            rr = c.read_response("POST")
            oks.append(rr is not None and rr.status == 200
                       and dblib.RE_CODENAME.search(dblib.text(rr)) is not None)
        tap.ok(all(oks), "the two held uploads complete with receipts", repr(oks))
    finally:
        for c, _ in held:
            c.close()
    after = dblib.state(s)
    tap.ok(len(after[2]) == len(before[2]) + 2 and after[0] == [],
           "the refused third upload left nothing; the two held ones are recorded",
           "%r -> %r" % (before, after))
    r, code = dblib.submit(s, "fourth, afterwards")
    tap.ok(code is not None, "once they finish, the next upload is received", repr(r))
    # A client that goes away in the middle leaves nothing.
    before = dblib.state(s)
    parts = dblib.submission_parts(tok(s), "gone", [("g.bin", content("g", 80000))])
    length, gen = dblib.form_body(parts)
    body = b"".join(gen())
    with s.conn() as c:
        c.send(rnlib.req("POST", "/drop/submit", headers=[
            "Content-Type: multipart/form-data; boundary=" + dblib.BOUNDARY,
            "Content-Length: %d" % len(body)]) + body[:len(body) - 100])
        time.sleep(0.2)
    tap.check("a client that hangs up mid-upload leaves nothing",
              unchanged(s, before, "hang up"))


def test_codename_rate(tap):
    s = dblib.drop_server(TMP, "rate", conf={"CodenameAttemptsPerMinute": 2})
    if not rnlib.start_or_fail(tap, s, "rate server"):
        return
    statuses = []
    for _ in range(6):
        r = dblib.visit(s, "one two three")
        statuses.append(r.status if r is not None else None)
        if statuses[-1] == 429:
            break
    r = dblib.visit(s, "one two three") if statuses[-1] == 429 else None
    tap.check("CodenameAttemptsPerMinute 2: a later attempt is 429 'Too many attempts'",
              ([] if 429 in statuses else ["statuses %r" % statuses])
              + (page_problems(r, 429, "Too many attempts") if r is not None else []))
    s.stop_check(tap, "rate server: stops cleanly")


def test_inbox_max_bytes(tap):
    s = dblib.drop_server(TMP, "full", conf={"InboxMaxBytes": "600 KiB",
                                             "InboxMaxFiles": 2})
    if not rnlib.start_or_fail(tap, s, "InboxMaxBytes server"):
        return
    r1, c1 = dblib.submit(s, "first", [("a.bin", content("a", 200 * 1024))])
    tap.ok(c1 is not None, "InboxMaxBytes 600 KiB: a 200 KiB submission is received",
           dblib.title(r1))
    before = dblib.state(s)
    r2, c2 = dblib.submit(s, "second", [("b.bin", content("b", 400 * 1024))])
    tap.check("a submission that would pass InboxMaxBytes: 507 'The drop-box is full', "
              "nothing kept", page_problems(r2, 507, "full") + unchanged(s, before, "full"))
    # Deleting through the editor API makes room again.
    sid = before[2][0] if before[2] else ""
    d = dblib.signed(s, s.editors[0], "POST", "/editor/v1/inbox/%s/delete" % sid)
    r3, c3 = dblib.submit(s, "second again", [("b.bin", content("b", 400 * 1024))])
    tap.ok(d is not None and d.status == 200 and c3 is not None,
           "after an editor deletes the first, the larger one fits", "%r %r" % (d, r3))
    s.stop_check(tap, "InboxMaxBytes server: stops cleanly")


def test_stop_mid_upload(tap):
    s = dblib.drop_server(TMP, "stop", conf={"ShutdownTimeout": 1})
    if not rnlib.start_or_fail(tap, s, "stop server"):
        return
    parts = dblib.submission_parts(dblib.form_token(s), "held", [("h.bin", b"y" * 50000)])
    length, gen = dblib.form_body(parts)
    body = b"".join(gen())
    with s.conn(timeout=30) as c:
        c.send(rnlib.req("POST", "/drop/submit", headers=[
            "Content-Type: multipart/form-data; boundary=" + dblib.BOUNDARY,
            "Content-Length: %d" % len(body)]) + body[:len(body) // 2])
        spooled = rnlib.wait_until(lambda: dblib.files(s.spool), 10.0 * rnlib.SCALE, 0.02)
        tap.ok(spooled, "an upload in progress has its spool file", repr(spooled))
        s.stop_check(tap, "SIGTERM during an upload: the upload is cut at ShutdownTimeout, "
                     "exit 0, clean log")
    tap.ok(dblib.state(s) == ([], [], [], [], []),
           "the cut upload left nothing (spool, inbox, records)", repr(dblib.state(s)))


def test_retention(tap):
    s = dblib.drop_server(TMP, "retention", conf={"InboxRetentionDays": 3})
    if not rnlib.start_or_fail(tap, s, "retention server"):
        return
    codes = [dblib.submit(s, "retention %d" % i, [("r.bin", content("r%d" % i, 5000))])[1]
             for i in range(3)]
    ids = dblib.db_ids(s)
    ed = s.editors[0]
    listing = json.loads(dblib.signed(s, ed, "GET", "/editor/v1/inbox").body)
    reply_ids = []
    for sub in listing["submissions"]:
        sealed = subprocess.run(["age", "-r", sub["reply_to"]], input=b"r",
                                capture_output=True, check=True, timeout=30).stdout
        rr = dblib.signed(s, ed, "POST", "/editor/v1/inbox/%s/reply" % sub["id"], sealed)
        reply_ids.append(json.loads(rr.body)["reply"])
    tap.ok(all(codes) and len(ids) == 3 and len(reply_ids) == 3,
           "retention server: three submissions, each with a reply")
    s.stop()
    if len(ids) != 3:
        return
    old, edge, fresh = ids[0], ids[1], ids[2]
    day = lambda n: time.strftime("%Y-%m-%d", time.gmtime(time.time() - n * 86400))  # noqa
    dblib.db_query(s, "UPDATE submission SET day=? WHERE id=?", (day(10), old), write=True)
    dblib.db_query(s, "UPDATE submission SET day=? WHERE id=?", (day(2), edge), write=True)
    dblib.db_query(s, "UPDATE reply SET day=? WHERE id=?", (day(4), reply_ids[0]),
                   write=True)
    dblib.db_query(s, "UPDATE reply SET day=? WHERE id=?", (day(100), reply_ids[1]),
                   write=True)
    if not rnlib.start_or_fail(tap, s, "retention server restart"):
        return
    st = dblib.state(s)
    tap.ok(st[2] == sorted([edge, fresh]) and st[1] == sorted([edge + ".age", fresh + ".age"]),
           "InboxRetentionDays 3: the submission dated 10 days ago is gone (file and row); "
           "2 days and today stay", repr(st))
    tap.ok(st[4] == [reply_ids[2]] and st[3] == [reply_ids[2] + ".age"],
           "replies dated 4 and 100 days ago are gone (file and row); today's stays",
           repr(st))
    tap.ok("retention removed 3 sealed files" in s.log(),
           "the log says how many files retention removed (no ids)", s.log_tail(5))
    s.stop_check(tap, "retention server: stops cleanly")


def test_editor_api(tap):
    s = main_server(tap)
    ed, ed2 = s.editors
    ids = dblib.db_ids(s)
    target = "/editor/v1/inbox"
    r = dblib.editor_request(s.editor_addr, "GET", target)
    tap.ok(r is not None and r.status == 401, "editor API: unsigned request is 401", repr(r))
    r = dblib.editor_request(s.editor_addr, "GET", target, auth="Bearer abc")
    tap.ok(r is not None and r.status == 401, "a malformed Authorization is 401", repr(r))
    stranger = dblib.Editor(os.path.join(TMP, "stranger"))
    r = dblib.signed(s, stranger, "GET", target)
    tap.ok(r is not None and r.status == 403, "a key that is not a configured editor's is 403",
           repr(r))
    # A configured key, but the signature made by another key.
    a = ed.auth("GET", target)
    forged = re.sub(r"sig=\S+", "sig=" + re.search(r"sig=(\S+)", stranger.auth(
        "GET", target)).group(1), a)
    r = dblib.editor_request(s.editor_addr, "GET", target, auth=forged)
    tap.ok(r is not None and r.status == 403, "a configured key with another key's "
           "signature is 403", repr(r))
    a = ed.auth("GET", target)
    r1 = dblib.editor_request(s.editor_addr, "GET", target, auth=a)
    r2 = dblib.editor_request(s.editor_addr, "GET", target, auth=a)
    tap.ok(r1 is not None and r1.status == 200 and r2 is not None and r2.status == 403,
           "a replayed request (same nonce) is 403 the second time",
           "%r %r" % (r1, r2))
    now = int(time.time())
    for delta, what in ((-400, "400 s old"), (400, "400 s ahead")):
        r = dblib.signed(s, ed, "GET", target, ts=now + delta)
        tap.ok(r is not None and r.status == 403, "a request signed %s is 403" % what,
               repr(r))
    r = dblib.signed(s, ed, "GET", target, ts=now - 60)
    tap.ok(r is not None and r.status == 200, "a request a minute old is fine", repr(r))
    # The target is signed: a signature for the listing does not fetch.
    if ids:
        a = ed.auth("GET", target)
        r = dblib.editor_request(s.editor_addr, "GET", target + "/" + ids[0], auth=a)
        tap.ok(r is not None and r.status == 403, "a signature for another target is 403",
               repr(r))
    # Fetch.
    if ids:
        r = dblib.signed(s, ed2, "GET", target + "/" + ids[0])
        with open(dblib.inbox_path(s, ids[0]), "rb") as f:
            on_disk = f.read()
        tap.ok(r is not None and r.status == 200 and r.body == on_disk
               and r.h("Content-Type") == "application/octet-stream",
               "fetch returns the sealed file byte for byte", repr(r))
        p = os.path.join(TMP, "fetched.age")
        with open(p, "wb") as f:
            f.write(r.body if r is not None else b"")
        got, probs = dblib.open_sealed(p, ed2.identity)
        ondisk, _ = dblib.open_sealed(dblib.inbox_path(s, ids[0]), ed.identity)
        tap.check("the fetched file opens with age -d and tar -x, as the one on disk",
                  probs + ([] if got and got == ondisk else ["%r vs %r" % (
                      sorted(got), sorted(ondisk))]))
    r = dblib.signed(s, ed, "GET", target + "/" + "0" * 32)
    tap.ok(r is not None and r.status == 404, "fetching an unknown id is 404", repr(r))
    r = dblib.signed(s, ed, "GET", target + "/../../inbox.db")
    tap.ok(r is not None and r.status in (400, 404), "a traversal id is refused", repr(r))
    # Tampered bodies: a reply signed for one body, sent with another.
    if ids:
        sub = json.loads(dblib.signed(s, ed, "GET", target).body)["submissions"][0]
        sealed = subprocess.run(["age", "-r", sub["reply_to"]], input=b"tampered?",
                                capture_output=True, check=True, timeout=30).stdout
        path = "%s/%s/reply" % (target, sub["id"])
        other = sealed[:-1] + bytes([sealed[-1] ^ 1])
        r = dblib.signed(s, ed, "POST", path, other, sign_body=sealed)
        tap.ok(r is not None and r.status == 403 and dblib.db_ids(s, "reply") == [],
               "a reply whose body differs from the signed one is 403, nothing stored",
               repr(r))
        r = dblib.signed(s, ed, "POST", path, b"not an age file")
        tap.ok(r is not None and r.status == 400 and dblib.files(s.replies) == [],
               "a reply that is not an age file is 400", repr(r))
        r = dblib.signed(s, ed, "POST", "%s/%s/reply" % (target, "f" * 32), sealed)
        tap.ok(r is not None and r.status == 404, "a reply to an unknown id is 404", repr(r))
    # Zones: the editor API is not on the public listener, the source pages not on the
    # editor listener.
    r = s.get(target, headers=["Authorization: " + ed.auth("GET", target)])
    tap.ok(r is not None and r.status == 404, "the public listener has no editor API",
           repr(r))
    with rnlib.Conn(s.editor_addr) as c:
        r = c.request(rnlib.req("GET", "/drop/", headers=["Connection: close"]))
    tap.ok(r is not None and r.status == 404, "the editor listener has no source pages",
           repr(r))
    # Delete.
    if ids:
        victim = ids[-1]
        r = dblib.signed(s, ed, "POST", "%s/%s/delete" % (target, victim))
        tap.ok(r is not None and r.status == 200 and json.loads(r.body) == {"deleted": victim}
               and victim not in dblib.db_ids(s)
               and not os.path.exists(dblib.inbox_path(s, victim)),
               "delete answers 200 and removes the record and the file", repr(r))
        r = dblib.signed(s, ed, "POST", "%s/%s/delete" % (target, victim))
        tap.ok(r is not None and r.status == 404, "deleting it again is 404", repr(r))
        r = dblib.signed(s, ed, "GET", "%s/%s" % (target, victim))
        tap.ok(r is not None and r.status == 404, "fetching it is 404", repr(r))
        r = dblib.signed(s, ed, "GET", "%s/%s/delete" % (target, ids[0]))
        tap.ok(r is not None and r.status in (404, 405) and ids[0] in dblib.db_ids(s),
               "delete by GET is refused", repr(r))
    s.stop_check(tap, "main server: stops cleanly, no sanitizer report")


def main():
    missing = dblib.need_tools()
    if missing:
        print("1..1")
        print("not ok 1 - the drop-box tests need %s (contrib/lib.sh RN_TEST_PKGS)"
              % ", ".join(missing))
        return
    rnlib.run([test_pages, test_submit_roundtrip, test_mailbox_followup_reply,
               test_wrong_codename, test_csrf, test_limits, test_honeypot, test_codename_rate,
               test_inbox_max_bytes, test_stop_mid_upload, test_retention, test_editor_api,
               cleanup_limits])


def cleanup_limits(tap):
    if "limits" in S:
        S["limits"].stop_check(tap, "limits server: stops cleanly")


if __name__ == "__main__":
    main()
