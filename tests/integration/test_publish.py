#!/usr/bin/env python3
"""Publishing into a real roneod: the collection editor API and the rendered site.

A collection is built with tests/tools/rn-coll (the collection library as an
editor's tool uses it), uploaded over the signed editor API, and the keeper's
work checked over HTTP: every page type (linted with tests/tools/pagelint.py),
attachments, feeds, gzip variants, search; a conflict write-up below its
threshold kept pending, then applied with a second signature; retraction and
purge; export (?since=) verified again into the editor's replica; attacks
(modified object, bad signature, seq gap, unsigned) refused with the state
unchanged; the state and site kept across a restart.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dblib  # noqa: E402
import rnlib  # noqa: E402

TOP_SRC = os.environ.get("RN_TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
TOP_BUILD = os.environ.get("RN_TOP_BUILDDIR", ".")
RNCOLL = os.path.join(TOP_BUILD, "tests", "tools", "rn-coll")
PAGELINT = os.path.join(TOP_SRC, "tests", "tools", "pagelint.py")
TMP = tempfile.mkdtemp(prefix="rn-publish-")

BULLETIN = """---
id: rent-strike-week-1
title: "Rent strike: week one"
section: bulletins
date: 2026-03-02T18:00:00Z
lang: en
tags: [housing, strike]
summary: "The first week of the rent strike."
---
The tenants of the **Alder Street** blocks withheld rent this week.

Read the [leaflet](leaflet.txt) and the [tactic](doc:phone-tree).
"""

TACTIC = """---
id: phone-tree
title: Phone trees that survive arrests
section: tactics
lang: en
tags: [organising]
attachments: [leaflet.txt]
---
A phone tree where every caller knows two names, never more. Zanzibar marmalade.
"""

CONFLICT = """---
id: warehouse-dispute
title: The warehouse dispute
section: conflicts
date: 2026-02-10
lang: en
context: "Two working groups claimed the same warehouse."
parties: [organiser, member]
process: "Three mediated meetings."
outcome: "Shared schedule."
status: resolved
consent: true
right_of_reply: "Offered to both groups."
---
What happened, and what we learned. Quixotic mediation.
"""

EXTRA = """---
id: extra-bulletin
title: "An extra bulletin <script>alert(1)</script>"
section: bulletins
date: 2026-03-05
lang: fr
---
Un bulletin en français.
"""


def seed_of(editor):
    der = subprocess.run(["openssl", "pkey", "-in", editor.pem, "-outform", "DER"],
                         check=True, capture_output=True, timeout=30).stdout
    return der[-32:].hex()


def rncoll(*args):
    r = subprocess.run([RNCOLL] + list(args), capture_output=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("rn-coll %s: %s" % (args[0], r.stderr.decode(errors="replace")))
    return r.stdout.decode().strip()


def write(name, text):
    p = os.path.join(TMP, name)
    with open(p, "w" if isinstance(text, str) else "wb") as f:
        f.write(text)
    return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


class Ctx:
    pass


def api(c, method, target, body=b"", editor=None):
    return dblib.signed(c.s, editor or c.s.editors[0], method, target, body)


def state(c):
    r = api(c, "GET", "/editor/v1/collection")
    return (r.status, r.body) if r is not None else (None, None)


def post_bundle(c, path, editor=None):
    return api(c, "POST", "/editor/v1/collection/bundle", read(path), editor)


def pull(c):
    """The replica catches up through the export: verified again by the library."""
    seq = json.loads(api(c, "GET", "/editor/v1/collection").body)["seq"]
    mine = c.replica_seq
    r = api(c, "GET", "/editor/v1/collection/bundle?since=%d" % mine)
    if r is None or r.status != 200:
        return False, "export answered %r" % r
    got = rncoll("pull", c.rep, write("stream.bin", r.body))
    c.replica_seq = int(got)
    return c.replica_seq == seq, "replica at %s, head %d" % (got, seq)


def get(c, path, headers=()):
    return c.s.get(path, headers=headers)


def lint(c, paths):
    d = os.path.join(TMP, "lint")
    os.makedirs(d, exist_ok=True)
    files, problems = [], []
    for i, p in enumerate(paths):
        r = get(c, p)
        if r is None or r.status != 200:
            problems.append("%s: %r" % (p, r))
            continue
        ext = ".atom" if p.endswith(".atom") else ".css" if p.endswith(".css") else ".html"
        files.append(write(os.path.join("lint", "%03d%s" % (i, ext)), r.body))
    if files:
        r = subprocess.run([sys.executable, PAGELINT] + files, capture_output=True, timeout=60)
        if r.returncode != 0:
            problems.append(r.stdout.decode(errors="replace"))
    return problems


def test_create(tap):
    c = CTX
    st, body = state(c)
    tap.ok(st == 404 and b"no collection" in body, "before ROOT 1 the state is 404", repr(body))
    cid = rncoll("init", c.rep, os.path.join(TMP, "root.bundle"),
                 c.seeds[0] + ":alice", c.seeds[1] + ":bob")
    r = post_bundle(c, os.path.join(TMP, "root.bundle"))
    tap.ok(r is not None and r.status == 201 and json.loads(r.body).get("state") == "created",
           "ROOT 1 alone creates the collection (201)", repr(r and r.body))
    st, body = state(c)
    j = json.loads(body) if st == 200 else {}
    tap.ok(st == 200 and j.get("collection") == cid and j.get("root_version") == 1
           and j.get("seq") == 0, "the state names the collection, ROOT 1, seq 0", repr(body))
    r = post_bundle(c, os.path.join(TMP, "root.bundle"))
    tap.ok(r is not None and r.status == 200, "the same ROOT again changes nothing (200)",
           repr(r and r.body))
    c.cid = cid


def publish(c, name, text, signers, extra=()):
    out = os.path.join(TMP, name + ".bundle")
    line = rncoll("put", c.rep, out, write(name + ".md", text), ",".join(signers), *extra)
    seq, commit = line.split()
    return out, int(seq), commit


def test_publish(tap):
    c = CTX
    write("leaflet.txt", "LEAFLET-BYTES: strike on Monday\n" * 40)
    for name, text, extra in (("bulletin", BULLETIN, ()),
                              ("tactic", TACTIC, ("-a", "leaflet.txt=" +
                                                  os.path.join(TMP, "leaflet.txt"))),
                              ("extra", EXTRA, ())):
        # The tactic is purged later: signed by both, so that a replica verifying from
        # ROOT 1 (without it) can accept its put at the highest section threshold.
        out, seq, _ = publish(c, name, text, c.seeds[:2] if name == "tactic" else
                              [c.seeds[0]], extra)
        r = post_bundle(c, out)
        tap.ok(r is not None and r.status == 201 and json.loads(r.body) ==
               {"state": "applied", "seq": seq}, "%s: applied as seq %d" % (name, seq),
               repr(r and r.body))
        ok, why = pull(c)
        tap.ok(ok, "%s: the export verifies into the editor's replica" % name, why)


def test_pages(tap):
    c = CTX
    checks = [("/", b"Rent strike: week one"), ("/bulletins/", b"rent-strike-week-1"),
              ("/tactics/", b"phone-tree"), ("/tactics/tag/organising/", b"Phone trees"),
              ("/conflicts/", b"<html"), ("/d/rent-strike-week-1/", b"Alder Street"),
              ("/d/phone-tree/", b"Phone trees"),
              ("/feeds/bulletins.atom", b"rent-strike-week-1"),
              ("/feeds/tag/housing.atom", b"rent-strike-week-1"),
              ("/feeds/lang/fr.atom", b"extra-bulletin"),
              ("/verify/", c.cid.encode()), ("/site.css", b"")]
    for path, want in checks:
        r = get(c, path)
        tap.ok(r is not None and r.status == 200 and want in r.body,
               "GET %s is 200 with %r" % (path, want.decode()), repr(r))
    r = get(c, "/d/rent-strike-week-1/")
    tap.ok(r is not None and b"alice" in r.body and b"seq 1" in r.body,
           "the document page names its signer and commit", r.body[-800:] if r else None)
    r = get(c, "/d/extra-bulletin/")
    tap.ok(r is not None and b"<script>" not in r.body and b"&lt;script&gt;" in r.body,
           "a title with markup is escaped", None)
    r = get(c, "/d/phone-tree/leaflet.txt")
    tap.ok(r is not None and r.status == 200 and r.body == read(os.path.join(TMP, "leaflet.txt")),
           "the attachment is served byte for byte", repr(r))
    r = get(c, "/d/rent-strike-week-1/", headers=["Accept-Encoding: gzip"])
    tap.ok(r is not None and r.h("Content-Encoding") == "gzip", "pages have gzip variants",
           repr(r and r.headers))
    r = get(c, "/verify/")
    tap.ok(r is not None and b"alice" in r.body and b"bob" in r.body and b"Head (seq)" in r.body,
           "the verify page lists the editors and the head", None)
    pages = [p for p, _ in checks]
    tap.check("every page, feed and the stylesheet pass pagelint", lint(c, pages))


def test_search(tap):
    c = CTX
    r = get(c, "/search?q=marmalade")
    tap.ok(r is not None and r.status == 200 and b'href="/d/phone-tree/"' in r.body
           and b"<mark>" in r.body, "search finds a word of the body, with a marked snippet",
           repr(r and r.body[-600:]))
    r = get(c, "/search/?q=%3Cscript%3Ealert")
    tap.ok(r is not None and b"<script" not in r.body.lower().replace(b"&lt;script", b""),
           "a query with markup is escaped on the results page", repr(r and r.body[-400:]))
    r = get(c, "/search?q=NEAR%28a+b%29+OR+*")
    tap.ok(r is not None and r.status in (200, 400), "FTS syntax is only text", repr(r))
    r = get(c, "/search?q=" + "x" * 400)
    tap.ok(r is not None and r.status == 400, "an over-long query is 400", repr(r))
    tap.check("the results page passes pagelint", lint(c, ["/search?q=marmalade"]))


def test_pending(tap):
    c = CTX
    out, seq, commit = publish(c, "conflict", CONFLICT, [c.seeds[0]])
    r = post_bundle(c, out)
    j = json.loads(r.body) if r is not None else {}
    tap.ok(r is not None and r.status == 202 and j.get("state") == "pending"
           and j.get("commit") == commit and j.get("signatures") == 1 and j.get("needed") == 2,
           "a conflict write-up signed by one editor waits (202)", repr(r and r.body))
    st = state(c)[1]
    tap.ok(json.loads(st)["seq"] == seq - 1, "the head did not move", st)
    r = api(c, "GET", "/editor/v1/collection/pending")
    lst = json.loads(r.body).get("pending", []) if r is not None and r.status == 200 else []
    tap.ok(len(lst) == 1 and lst[0]["commit"] == commit and lst[0]["needed"] == 2,
           "the pending list shows it", repr(r and r.body))
    r = api(c, "GET", "/editor/v1/collection/pending/" + commit)
    tap.ok(r is not None and r.status == 200 and r.body.startswith(b"roneo-bundle-v1\n"),
           "the pending commit is fetched as a bundle", repr(r))
    r = get(c, "/d/warehouse-dispute/")
    tap.ok(r is not None and r.status == 404, "not on the site while pending", repr(r))
    stmt = os.path.join(TMP, "conflict.stmt")
    rncoll("sign", out, c.seeds[1], stmt)
    r = api(c, "POST", "/editor/v1/collection/pending/%s/sign" % commit, read(stmt),
            c.s.editors[1])
    tap.ok(r is not None and r.status == 201 and json.loads(r.body) ==
           {"state": "applied", "seq": seq}, "the second signature applies it (201)",
           repr(r and r.body))
    r = get(c, "/d/warehouse-dispute/")
    tap.ok(r is not None and r.status == 200 and b"bob" in r.body and b"alice" in r.body,
           "the write-up is published, signed by both", repr(r))
    r = api(c, "GET", "/editor/v1/collection/pending")
    tap.ok(r is not None and json.loads(r.body) == {"pending": []}, "nothing is pending now",
           repr(r and r.body))
    ok, why = pull(c)
    tap.ok(ok, "the replica verifies the two-signature commit", why)


def varint(b, i):
    v, s = 0, 0
    while True:
        x = b[i]
        v |= (x & 0x7f) << s
        i += 1
        if not x & 0x80:
            return v, i
        s += 7


def entries(b):
    i, out = 16, []
    while i < len(b):
        k, i = varint(b, i)
        n, i = varint(b, i)
        out.append((k, i, n))
        i += n
    return out


def test_attacks(tap):
    c = CTX
    before = state(c)
    text = BULLETIN.replace("rent-strike-week-1", "attack-doc").replace("week one", "attack")
    out, _, _ = publish(c, "attack", text, [c.seeds[0]])
    good = read(out)
    # A modified object: one byte of the last frame.
    k, i, n = entries(good)[-1]
    bad = bytearray(good)
    bad[i + n - 1] ^= 1
    r = api(c, "POST", "/editor/v1/collection/bundle", bytes(bad))
    tap.ok(r is not None and r.status == 400, "a modified object is refused (400)",
           repr(r and r.body))
    # A bad signature: one base64 character of the signature line.
    k, i, n = [e for e in entries(good) if e[0] == 2][0]
    stmt = good[i:i + n]
    at = stmt.index(b"\nsig ") + 1 + 4 + 64 + 1 + 10
    bad = bytearray(good)
    bad[i + at] = ord("A") if bad[i + at] != ord("A") else ord("B")
    r = api(c, "POST", "/editor/v1/collection/bundle", bytes(bad))
    tap.ok(r is not None and r.status == 400 and b"signature" in r.body,
           "a bad signature is refused (400)", repr(r and r.body))
    # A seq gap.
    out2, _, _ = publish(c, "gap", text, [c.seeds[0]], ("-s",))
    r = post_bundle(c, out2)
    tap.ok(r is not None and r.status == 400 and b"seq" in r.body, "a seq gap is refused (400)",
           repr(r and r.body))
    # Unsigned, and signed by a stranger.
    r = dblib.editor_request(c.s.editor_addr, "POST", "/editor/v1/collection/bundle", good)
    tap.ok(r is not None and r.status == 401, "an unsigned upload is 401", repr(r))
    r = dblib.editor_request(c.s.editor_addr, "GET", "/editor/v1/collection/bundle?since=0")
    tap.ok(r is not None and r.status == 401, "an unsigned export is 401", repr(r))
    tap.ok(state(c) == before, "after the attacks the state is unchanged", repr(state(c)))
    r = get(c, "/d/attack-doc/")
    tap.ok(r is not None and r.status == 404, "nothing of them reached the site", repr(r))
    r = c.s.get("/editor/v1/collection")
    tap.ok(r is not None and r.status == 404, "the public listener has no collection API",
           repr(r))


def test_retract_purge(tap):
    c = CTX
    both = ",".join(c.seeds[:2])
    out = os.path.join(TMP, "retract.bundle")
    rncoll("retract", c.rep, out, "extra-bulletin", "Published by mistake", both)
    r = post_bundle(c, out)
    tap.ok(r is not None and r.status == 201, "a retraction signed by two is applied",
           repr(r and r.body))
    r = get(c, "/d/extra-bulletin/")
    tap.ok(r is not None and r.status == 200 and b"Retracted" in r.body
           and b"Published by mistake" in r.body, "a retracted document stays, labelled",
           repr(r and r.body[:300]))
    ok, why = pull(c)
    tap.ok(ok, "the replica verifies the retraction", why)
    out = os.path.join(TMP, "purge.bundle")
    rncoll("purge", c.rep, out, "phone-tree", "Endangers people", both)
    r = post_bundle(c, out)
    tap.ok(r is not None and r.status == 201, "a purge signed by two is applied",
           repr(r and r.body))
    for p in ("/d/phone-tree/", "/d/phone-tree/leaflet.txt", "/tactics/tag/organising/"):
        r = get(c, p)
        tap.ok(r is not None and r.status == 404, "after the purge %s is 404" % p, repr(r))
    r = get(c, "/search?q=marmalade")
    tap.ok(r is not None and b"phone-tree" not in r.body, "the purged document is not found",
           repr(r and r.body[-300:]))
    ok, why = pull(c)
    tap.ok(ok, "the replica verifies the purge", why)


def test_restart(tap):
    c = CTX
    before = state(c)
    c.s.stop()
    ok = c.s.start()
    tap.ok(ok, "roneod starts again", c.s.start_error)
    if not ok:
        return
    tap.ok(rnlib.wait_until(lambda: state(c) == before, 10 * rnlib.SCALE),
           "the keeper resumes the same state", repr(state(c)))
    r = get(c, "/d/rent-strike-week-1/")
    tap.ok(r is not None and r.status == 200, "the site is still served", repr(r))
    r = api(c, "GET", "/editor/v1/collection/bundle?since=0")
    tap.ok(r is not None and r.status == 200 and r.body.count(b"roneo-bundle-v1\n") >= 5,
           "the whole history is exported again", repr(r))
    got = subprocess.run([RNCOLL, "pull", os.path.join(TMP, "replica2"),
                          write("all.bin", r.body)], capture_output=True, timeout=120)
    tap.ok(got.returncode == 0 and got.stdout.decode().strip() == str(json.loads(before[1])["seq"]),
           "a new replica verifies the whole history from ROOT 1 (purges announced)",
           got.stderr.decode(errors="replace"))
    c.s.stop_check(tap)


CTX = Ctx()


def setup(tap):
    missing = dblib.need_tools()
    if missing or not os.access(RNCOLL, os.X_OK):
        print("1..0 # SKIP needs %s" % (", ".join(missing) or RNCOLL))
        sys.exit(0)
    c = CTX
    c.s = dblib.drop_server(TMP, "publish", editors=2, fixtures=False)
    c.seeds = [seed_of(e) for e in c.s.editors]
    c.rep = os.path.join(TMP, "replica")
    c.replica_seq = 0
    if not rnlib.start_or_fail(tap, c.s, "publish"):
        raise RuntimeError("roneod did not start")


if __name__ == "__main__":
    rnlib.run([setup, test_create, test_publish, test_pages, test_search, test_pending,
               test_attacks, test_retract_purge, test_restart])
