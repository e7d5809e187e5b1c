#!/usr/bin/env python3
"""The editors' publishing workflow with the roneo CLI against a real roneod:
init (ROOT 1 signed by two editors through a file), publish, pending and sign
(a conflict write-up with threshold 2), retract, purge (the document gone from
the site and the store), rotate (ROOT 2), log, pull into a second replica; and
the refusals: a document with bad front matter, an under-threshold purge left
pending, a tampered pending bundle.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402

RONEO = os.path.join(os.environ.get("RN_TOP_BUILDDIR", "."), "roneo")
TOP = os.environ.get("RN_TOP_SRCDIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DEMO = os.path.join(TOP, "contrib", "demo")
TMP = tempfile.mkdtemp(prefix="rn-integ-workflow-")


def roneo(*args, timeout=120):
    e = dict(os.environ)
    for k in ("RONEO_SERVER", "RONEO_SOCKS", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        e.pop(k, None)
    e["HOME"] = os.path.join(TMP, "home")
    return subprocess.run([RONEO] + list(args), capture_output=True, env=e,
                          timeout=timeout * rnlib.SCALE)


def out(r):
    return (r.stdout + r.stderr).decode("utf-8", "replace")


def as_json(r):
    try:
        return json.loads(r.stdout.decode())
    except ValueError:
        return {}


class Editor:
    def __init__(self, name, label):
        self.dir = os.path.join(TMP, name)
        self.replica = os.path.join(TMP, "replica-" + name)
        self.label = label
        r = roneo("keygen", "-o", self.dir)
        assert r.returncode == 0, out(r)
        with open(os.path.join(self.dir, "editor.pub")) as f:
            self.minisign = f.read().splitlines()[1]
        with open(os.path.join(self.dir, "age.txt")) as f:
            self.age = re.search(r"# public key: (age1[a-z0-9]+)", f.read()).group(1)
        self.server = None

    @property
    def editor_line(self):
        return "%s %s" % (self.minisign, self.age)

    @property
    def spec(self):
        return "%s:%s:%s" % (self.minisign, self.age, self.label)

    def __call__(self, cmd, *args, replica=None):
        return roneo(cmd, "--identity", self.dir, "--replica", replica or self.replica,
                     "--server", self.server, *args)


def write(name, text):
    p = os.path.join(TMP, name)
    with open(p, "w") as f:
        f.write(text)
    return p


def doc_id_file(store_dir, hexid):
    return os.path.join(store_dir, "objects", hexid[:2], hexid[2:])


class World:
    pass


def setup(tap):
    w = World()
    w.ed1, w.ed2, w.ed3 = Editor("ed1", "alice"), Editor("ed2", "bob"), Editor("ed3", "carol")
    w.srv = rnlib.Server({"Editor": [w.ed1.editor_line, w.ed2.editor_line]}, name="workflow",
                         fixtures=False)
    if not w.srv.start():
        tap.ok(False, "roneod starts with two Editor lines", w.srv.start_error)
        return None
    for e in (w.ed1, w.ed2, w.ed3):
        e.server = "unix:" + os.path.join(w.srv.data, "editor.sock")
    return w


def site(w, path, want=200):
    """GET path, waiting (bounded) for the keeper to render: (status, body)."""
    got = [None, b""]

    def probe():
        r = w.srv.get(path)
        got[0], got[1] = (r.status, r.body) if r is not None else (None, b"")
        return got[0] == want
    rnlib.wait_until(probe, 10.0 * rnlib.SCALE, step=0.2)
    return got[0], got[1]


def head(w, ed):
    r = ed("pull", "--json")
    return as_json(r).get("seq"), as_json(r).get("commit")


def test_init(tap, w):
    root1 = os.path.join(TMP, "root-1.txt")
    r = w.ed1("init", "--editor", w.ed1.spec, "--editor", w.ed2.spec, "-o", root1, "--json")
    j = as_json(r)
    tap.ok(r.returncode == 0 and j.get("state") == "pending" and j.get("signatures") == 1
           and j.get("needed") == 2 and os.path.isfile(root1),
           "init: ROOT 1 needs both editors (root threshold 2): written for the other", out(r))
    r = w.ed1("pull")
    tap.ok(r.returncode != 0 and b"no collection" in r.stderr,
           "before the second signature the server has no collection", out(r))
    r = w.ed2("sign", root1, "--json")
    j = as_json(r)
    w.collection = j.get("collection", "")
    tap.ok(r.returncode == 0 and j.get("state") == "applied" and j.get("root_version") == 1
           and re.fullmatch(r"[0-9a-f]{64}", w.collection),
           "sign FILE: the second signature completes ROOT 1, uploaded (201)", out(r))
    r = w.ed1("init", "--editor", w.ed1.spec, "--editor", w.ed2.spec, replica=w.ed2.replica)
    tap.ok(r.returncode != 0 and b"already holds" in r.stderr,
           "init refuses a replica that holds a collection")


def test_bad_front_matter(tap, w):
    bad = write("bad.md", "---\nid: bad-doc\ntitle: Bad\nsection: bulletins\ndate: yesterday\n"
                "lang: en\n---\nText.\n")
    before = head(w, w.ed1)
    r = w.ed1("publish", bad)
    tap.ok(r.returncode != 0 and re.search(rb"bad\.md:5: ", r.stderr),
           "publish refuses bad front matter, naming the line", out(r))
    nocons = open(os.path.join(DEMO, "print-run-dispute.md")).read().replace(
        "consent: true", "consent: false")
    r = w.ed1("publish", write("noconsent.md", nocons))
    tap.ok(r.returncode != 0 and b"consent" in r.stderr,
           "publish refuses a write-up without consent attested", out(r))
    tap.ok(head(w, w.ed1) == before, "nothing was uploaded")


def test_publish(tap, w):
    att = write("checklist.txt", "1. print\n2. fold\n3. count\n")
    text = open(os.path.join(DEMO, "printing-day.md")).read().replace(
        "authors: [demo-editor-1]", "authors: [demo-editor-1]\nattachments: [checklist.txt]")
    doc = write("printing-day.md", text + "\nThe [checklist](checklist.txt).\n")
    r = w.ed1("publish", doc, "--attach", att, "--json")
    j = as_json(r)
    tap.ok(r.returncode == 0 and j.get("state") == "applied" and j.get("seq") == 1,
           "publish: a bulletin with an attachment is applied as commit 1", out(r))
    r = w.ed1("publish", os.path.join(DEMO, "rotating-roles.md"), "--json")
    tap.ok(r.returncode == 0 and as_json(r).get("seq") == 2, "publish: a tactic (commit 2)",
           out(r))
    st, body = site(w, "/d/printing-day/")
    tap.ok(st == 200 and b"Printing day" in body, "the bulletin's page is served",
           "%r %r" % (st, body[:200]))
    st, body = site(w, "/d/printing-day/checklist.txt")
    tap.ok(st == 200 and body == b"1. print\n2. fold\n3. count\n", "its attachment is served",
           "%r %r" % (st, body[:200]))
    r = w.ed1("publish", doc, "--attach", att)
    tap.ok(r.returncode != 0 and b"nothing changes" in r.stderr,
           "publishing the same document again is refused: nothing changes", out(r))


def test_pending_and_sign(tap, w):
    r = w.ed1("publish", os.path.join(DEMO, "print-run-dispute.md"), "--json")
    j = as_json(r)
    w.conflict_commit = j.get("commit", "")
    tap.ok(r.returncode == 0 and j.get("state") == "pending" and j.get("signatures") == 1
           and j.get("needed") == 2,
           "publish: a conflict write-up waits for a second editor (202 pending)", out(r))
    st, _ = site(w, "/d/print-run-dispute/", want=404)
    tap.ok(st == 404, "a pending write-up is not on the site", repr(st))
    r = w.ed2("pending", "--json")
    lst = as_json(r).get("pending", [])
    ch = lst[0].get("changes", []) if lst else []
    tap.ok(r.returncode == 0 and len(lst) == 1 and lst[0].get("commit") == w.conflict_commit
           and lst[0].get("signers") == ["alice"] and ch and ch[0].get("op") == "put"
           and ch[0].get("id") == "print-run-dispute" and ch[0].get("section") == "conflicts",
           "pending lists it with what it changes and who signed", out(r))
    r = w.ed2("pending")
    tap.ok(r.returncode == 0 and b"conflicts/print-run-dispute" in r.stdout
           and b"1 of 2 signatures" in r.stdout, "pending as text", out(r))
    # Tamper with the pending bundle on the server: the editor's tool refuses to sign it.
    path = os.path.join(w.srv.data, "collection", "pending", w.conflict_commit)
    if os.path.isfile(path):
        with open(path, "rb") as f:
            orig = f.read()
        with open(path, "wb") as f:
            f.write(orig[:-1] + bytes([orig[-1] ^ 0x01]))
        r = w.ed2("sign", w.conflict_commit)
        with open(path, "wb") as f:
            f.write(orig)
        tap.ok(r.returncode != 0 and b"applied" not in r.stdout,
               "sign refuses a tampered pending bundle", out(r))
        r = w.ed2("pending", "--json")
        lst = as_json(r).get("pending", [])
        tap.ok(len(lst) == 1 and lst[0].get("signatures") == 1,
               "the refused signature was not sent", out(r))
    else:
        tap.ok(False, "the keeper keeps pending commits in collection/pending/HEX", path)
    r = w.ed2("sign", w.conflict_commit, "--json")
    j = as_json(r)
    tap.ok(r.returncode == 0 and j.get("state") == "applied" and j.get("seq") == 3,
           "sign: the second editor's signature applies it (commit 3)", out(r))
    r = w.ed2("sign", w.conflict_commit)
    tap.ok(r.returncode != 0, "signing it again: it is no longer pending", out(r))
    st, body = site(w, "/d/print-run-dispute/")
    tap.ok(st == 200 and b"print run" in body, "the write-up is on the site",
           "%r %r" % (st, body[:200]))


def test_retract(tap, w):
    r = w.ed1("retract", "rotating-roles", "--json")
    tap.ok(r.returncode != 0 and b"--reason" in r.stderr, "retract needs --reason", out(r))
    r = w.ed1("retract", "rotating-roles", "--reason", "Replaced by a newer text", "--json")
    j = as_json(r)
    tap.ok(r.returncode == 0 and j.get("state") == "pending" and j.get("needed") == 2,
           "retract needs two editors (pending)", out(r))
    r = w.ed2("sign", j.get("commit", "-"), "--json")
    tap.ok(r.returncode == 0 and as_json(r).get("state") == "applied", "retract applied",
           out(r))
    st, body = site(w, "/d/rotating-roles/")
    tap.ok(st == 200 and re.search(rb"[Rr]etracted", body) is not None,
           "a retracted document stays, labelled", "%r %r" % (st, body[:300]))


def test_purge(tap, w):
    r = w.ed1("purge", "print-run-dispute", "--reason", "A party withdrew consent", "--json")
    j = as_json(r)
    tap.ok(r.returncode == 0 and j.get("state") == "pending" and j.get("signatures") == 1,
           "purge by one editor is left pending (threshold 2)", out(r))
    st, _ = site(w, "/d/print-run-dispute/")
    tap.ok(st == 200, "an under-threshold purge changes nothing on the site", repr(st))
    r = w.ed2("pending", "--json")
    lst = as_json(r).get("pending", [])
    ch = lst[0].get("changes", [{}])[0] if lst else {}
    docid = ch.get("doc", "")
    tap.ok(ch.get("op") == "purge" and ch.get("reason") == "A party withdrew consent",
           "pending shows the purge and its reason", out(r))
    store = os.path.join(w.srv.data, "collection")
    tap.ok(bool(docid) and os.path.isfile(doc_id_file(store, docid)),
           "before the purge the document is in the server's store", docid)
    r = w.ed2("sign", j.get("commit", "-"), "--json")
    tap.ok(r.returncode == 0 and as_json(r).get("state") == "applied", "purge applied",
           out(r))
    st, _ = site(w, "/d/print-run-dispute/", want=404)
    tap.ok(st == 404, "the purged document is gone from the site", repr(st))
    tap.ok(bool(docid) and not os.path.exists(doc_id_file(store, docid)),
           "and from the server's store")
    tap.ok(not os.path.exists(doc_id_file(w.ed2.replica, docid)),
           "and from the signing editor's replica")
    head(w, w.ed1)
    tap.ok(not os.path.exists(doc_id_file(w.ed1.replica, docid)),
           "and from the other editor's replica once it pulls")
    r = w.ed1("publish", os.path.join(DEMO, "print-run-dispute.md"))
    tap.ok(r.returncode != 0 and b"purged" in r.stderr,
           "the purged document cannot be published again", out(r))


def test_rotate(tap, w):
    root2 = os.path.join(TMP, "root-2.txt")
    r = w.ed1("rotate", "--editor", w.ed1.spec, "--editor", w.ed2.spec, "--editor",
              w.ed3.spec, "--threshold", "conflicts=3", "-o", root2, "--json")
    tap.ok(r.returncode == 0 and as_json(r).get("state") == "pending" and os.path.isfile(root2),
           "rotate: ROOT 2 (a third editor, conflicts need 3) written for signatures", out(r))
    r = w.ed2("sign", root2, "--json")
    tap.ok(r.returncode == 0 and as_json(r).get("root_version") == 2,
           "ROOT 2 signed by two editors of ROOT 1 and of ROOT 2: applied", out(r))
    r = w.ed1("publish", os.path.join(DEMO, "phone-tree.md"), "--json")
    tap.ok(r.returncode == 0 and as_json(r).get("state") == "applied",
           "publishing under ROOT 2", out(r))


def test_log_and_pull(tap, w):
    r = w.ed1("log", "--json")
    log = as_json(r).get("log", [])
    kinds = [("root", e["root"]) if "root" in e else ("seq", e.get("seq")) for e in log]
    tap.ok(r.returncode == 0 and kinds == [("root", 1), ("seq", 1), ("seq", 2), ("seq", 3),
                                           ("seq", 4), ("seq", 5), ("root", 2), ("seq", 6)],
           "log: the ROOTs and commits in order", "%r\n%s" % (kinds, out(r)))
    by = {e.get("seq"): e for e in log if "seq" in e}
    tap.ok(sorted(by.get(3, {}).get("signers", [])) == ["alice", "bob"]
           and by.get(5, {}).get("changes", [{}])[0].get("op") == "purge"
           and by.get(1, {}).get("changes", [{}])[0].get("change") == "new",
           "log: signers and changes of each commit", json.dumps(by.get(3)))
    r = w.ed1("log")
    tap.ok(r.returncode == 0 and re.search(rb"signed by (alice, bob|bob, alice)\n", r.stdout)
           and b"reason: A party withdrew consent" in r.stdout, "log as text", out(r))
    fresh = os.path.join(TMP, "replica-fresh")
    r = w.ed2("pull", "--collection", "0" * 64, replica=fresh)
    tap.ok(r.returncode != 0 and b"not the" in r.stderr, "pull refuses another collection "
           "than the one pinned", out(r))
    shutil.rmtree(fresh, ignore_errors=True)
    r = w.ed2("pull", "--collection", w.collection, "--json", replica=fresh)
    j = as_json(r)
    h1 = head(w, w.ed1)
    tap.ok(r.returncode == 0 and j.get("seq") == 6 and j.get("root_version") == 2
           and (j.get("seq"), j.get("commit")) == h1,
           "pull into a second replica verifies the whole history to the same head",
           out(r) + repr(h1))


def test_workflow(tap):
    w = setup(tap)
    if w is None:
        return
    try:
        for t in (test_init, test_bad_front_matter, test_publish, test_pending_and_sign,
                  test_retract, test_purge, test_rotate, test_log_and_pull):
            t(tap, w)
    finally:
        tap.check("no sanitizer report in roneod's log", w.srv.log_problems())
        w.srv.stop()


def main():
    rnlib.require_roneod()
    if not os.access(RONEO, os.X_OK):
        print("1..0 # SKIP roneo not built (%s)" % RONEO)
        return
    rnlib.run([test_workflow])


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
