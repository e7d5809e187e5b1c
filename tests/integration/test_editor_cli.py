#!/usr/bin/env python3
"""The roneo CLI: keys that minisign and age read, signed requests to a real
roneod's editor API (list, fetch, open, reply, delete), and the refusals.

Needs the roneo program next to roneod ($RN_TOP_BUILDDIR/roneo); minisign and
age for the interop checks (skipped visibly when missing).
"""

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402

RONEO = os.path.join(os.environ.get("RN_TOP_BUILDDIR", "."), "roneo")
TMP = tempfile.mkdtemp(prefix="rn-integ-cli-")


def roneo(*args, env=None, cwd=None, timeout=60):
    e = dict(os.environ)
    e.pop("RONEO_SERVER", None)
    e.pop("RONEO_SOCKS", None)
    e["HOME"] = os.path.join(TMP, "home")
    e.pop("XDG_CONFIG_HOME", None)
    e.update(env or {})
    return subprocess.run([RONEO] + list(args), capture_output=True, env=e, cwd=cwd,
                          timeout=timeout * rnlib.SCALE)


def keygen(name):
    d = os.path.join(TMP, name)
    r = roneo("keygen", "-o", d, "--json")
    return d, r


def test_keygen(tap):
    d, r = keygen("ed1")
    tap.ok(r.returncode == 0, "roneo keygen exits 0", r.stderr.decode())
    info = json.loads(r.stdout.decode())
    tap.ok(re.fullmatch(r"Editor RW[A-Za-z0-9+/]{54} age1[a-z0-9]{58}", info["editor"]),
           "keygen prints the Editor line", info["editor"])
    modes = {n: stat.S_IMODE(os.stat(os.path.join(d, n)).st_mode)
             for n in ("editor.key", "age.txt", "tor-client.key", "editor.pub")}
    tap.ok(modes["editor.key"] == 0o600 and modes["age.txt"] == 0o600
           and modes["tor-client.key"] == 0o600, "secret files are mode 0600", str(modes))
    tap.ok(os.path.getsize(os.path.join(d, "tor-client.key")) == 32,
           "the tor client key is 32 raw bytes")
    with open(os.path.join(d, "tor-client.pub")) as f:
        tap.ok(re.fullmatch(r"descriptor:x25519:[A-Z2-7]{52}\n", f.read()),
               "tor-client.pub is tor's descriptor:x25519 form")
    r2 = roneo("keygen", "-o", d)
    tap.ok(r2.returncode != 0 and b"exists" in r2.stderr, "keygen never overwrites a key")
    # The default identity directory: $HOME/.config/roneo, then $XDG_CONFIG_HOME/roneo.
    r3 = roneo("keygen")
    tap.ok(r3.returncode == 0 and os.path.isfile(
        os.path.join(TMP, "home", ".config", "roneo", "editor.key")),
        "keygen defaults to ~/.config/roneo", r3.stderr.decode())


def test_interop(tap):
    d = os.path.join(TMP, "ed1")
    msg = os.path.join(TMP, "signed.txt")
    with open(msg, "w") as f:
        f.write("a bulletin\n")
    if shutil.which("minisign"):
        s = subprocess.run(["minisign", "-S", "-s", os.path.join(d, "editor.key"), "-m", msg],
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=30)
        v = subprocess.run(["minisign", "-V", "-p", os.path.join(d, "editor.pub"), "-m", msg],
                           capture_output=True, timeout=30)
        tap.ok(s.returncode == 0 and v.returncode == 0,
               "minisign signs with the key roneo keygen wrote and verifies with its .pub",
               (s.stderr + v.stderr).decode())
        pub2 = os.path.join(TMP, "recreated.pub")
        r = subprocess.run(["minisign", "-R", "-s", os.path.join(d, "editor.key"), "-p", pub2],
                           capture_output=True, stdin=subprocess.DEVNULL, timeout=30)
        with open(os.path.join(d, "editor.pub")) as a:
            want = a.read().splitlines()[1]
        got = open(pub2).read().splitlines()[1] if r.returncode == 0 else ""
        tap.ok(got == want, "minisign -R derives the same public key from the secret key")
    else:
        tap.skip("minisign interop", "minisign not installed (apt-get install minisign)")
    if shutil.which("age"):
        with open(os.path.join(d, "age.txt")) as f:
            rcpt = re.search(r"# public key: (age1[a-z0-9]+)", f.read()).group(1)
        enc = subprocess.run(["age", "-r", rcpt], input=b"to the editor", capture_output=True,
                             timeout=30)
        dec = subprocess.run(["age", "-d", "-i", os.path.join(d, "age.txt")],
                             input=enc.stdout, capture_output=True, timeout=30)
        tap.ok(dec.stdout == b"to the editor", "age -d -i opens with the identity file",
               dec.stderr.decode())
    else:
        tap.skip("age interop", "age not installed (apt-get install age)")


def test_refusals(tap):
    d = os.path.join(TMP, "ed1")
    for server, socks, what in (
            ("http://192.0.2.1:8081", None, "a non-loopback server without --socks"),
            ("http://abcdefghijklmnop.onion", None, "an .onion without --socks"),
            ("http://127.0.0.1:1", "192.0.2.1:9050", "a SOCKS proxy off loopback"),
            ("https://127.0.0.1:1", None, "https (onion services need none)"),
            ("http://127.0.0.1:1/prefix", None, "a server URL with a path")):
        args = ["inbox", "--identity", d, "--server", server]
        if socks:
            args += ["--socks", socks]
        r = roneo(*(args + ["list"]))
        tap.ok(r.returncode != 0 and b"roneo:" in r.stderr, "refuses " + what,
               r.stderr.decode())
    r = roneo("inbox", "--identity", d, "--server", "http://127.0.0.1:1", "fetch", "../x")
    tap.ok(r.returncode != 0 and b"32 lower-case hex" in r.stderr, "refuses a malformed id")
    r = roneo("inbox", "--identity", os.path.join(TMP, "nothing"), "--server",
              "http://127.0.0.1:1", "list")
    tap.ok(r.returncode != 0 and b"roneo keygen" in r.stderr,
           "without an identity: says to run roneo keygen")
    r = roneo("inbox", "--identity", d, "--server", "http://127.0.0.1:1", "list")
    tap.ok(r.returncode != 0 and b"roneo:" in r.stderr and len(r.stderr) < 500,
           "a server that is not there: one clear message", r.stderr.decode())


def submit(srv, message, files):
    """Send a submission through the source's form; True on a receipt page."""
    with rnlib.Conn(("127.0.0.1", srv.port), timeout=20) as c:
        r = c.request(rnlib.req(path="/drop/submit"))
        m = re.search(rb'name="token" value="([^"]+)"', r.body or b"")
        if not m:
            return False, "no token: %r" % (r.status,)
        boundary = "rnboundary7MA4YWxkTrZu0gW"
        parts = [("token", None, m.group(1)), ("website", None, b""),
                 ("message", None, message.encode())]
        parts += [("file", name, data) for name, data in files]
        body = b""
        for name, fname, data in parts:
            body += b"--" + boundary.encode() + b"\r\n"
            disp = 'form-data; name="%s"' % name
            if fname is not None:
                disp += '; filename="%s"' % fname
            body += ("Content-Disposition: %s\r\n" % disp).encode()
            if fname is not None:
                body += b"Content-Type: application/octet-stream\r\n"
            body += b"\r\n" + data + b"\r\n"
        body += b"--" + boundary.encode() + b"--\r\n"
        r = c.request(rnlib.req(
            method="POST", path="/drop/submit", body=body,
            headers=["Content-Type: multipart/form-data; boundary=" + boundary,
                     "Content-Length: %d" % len(body)]), method="POST", timeout=60)
        return r is not None and r.status == 200, "status %r" % (r.status if r else None)


def test_against_roneod(tap):
    ed1, ed2 = os.path.join(TMP, "ed1"), os.path.join(TMP, "ed2")
    keygen("ed2")
    outsider, _ = keygen("outsider")
    lines = []
    for d in (ed1, ed2):
        with open(os.path.join(d, "editor.pub")) as f:
            mk = f.read().splitlines()[1]
        with open(os.path.join(d, "age.txt")) as f:
            rc = re.search(r"# public key: (age1[a-z0-9]+)", f.read()).group(1)
        lines.append("%s %s" % (mk, rc))
    srv = rnlib.Server({"Editor": lines}, name="editor")
    sock = os.path.join(srv.data, "editor.sock")
    if not srv.start():
        tap.ok(False, "roneod starts with two Editor lines", srv.start_error)
        return
    server = "unix:" + sock

    def cli(ident, *args):
        return roneo("inbox", "--identity", ident, "--server", server, *args)

    r = cli(ed1, "--json", "list")
    tap.ok(r.returncode == 0 and json.loads(r.stdout.decode()) == {"submissions": []},
           "an empty inbox lists as JSON", (r.stdout + r.stderr).decode())
    r = cli(outsider, "list")
    tap.ok(r.returncode != 0 and re.search(rb"answered 40[13]", r.stderr),
           "a key that is not an editor's is refused", r.stderr.decode())
    ok, why = submit(srv, "hello editors", [("report.pdf", b"%PDF-1.4 not really\n"),
                                             ("../../evil.sh", b"echo pwned\n")])
    if not ok:
        tap.ok(False, "a submission through the source form", why + "\n" + srv.log_tail())
        srv.stop()
        return
    r = cli(ed2, "--json", "list")
    lst = json.loads(r.stdout.decode()) if r.returncode == 0 else {}
    subs = lst.get("submissions", [])
    tap.ok(len(subs) == 1 and re.fullmatch(r"[0-9a-f]{32}", subs[0]["id"]),
           "the submission is listed", (r.stdout + r.stderr).decode())
    if len(subs) != 1:
        srv.stop()
        return
    sid = subs[0]["id"]
    work = os.path.join(TMP, "work")
    os.makedirs(work)
    r = roneo("inbox", "--identity", ed1, "--server", server, "--json", "fetch", sid, cwd=work)
    fetched = os.path.join(work, sid + ".age")
    tap.ok(r.returncode == 0 and os.path.isfile(fetched), "fetch writes ID.age",
           r.stderr.decode())
    if shutil.which("age") and os.path.isfile(fetched):
        dec = subprocess.run(["age", "-d", "-i", os.path.join(ed2, "age.txt"), fetched],
                             capture_output=True, timeout=30)
        lst_t = subprocess.run(["tar", "-t"], input=dec.stdout, capture_output=True,
                               timeout=30)
        names = lst_t.stdout.decode().split()
        tap.ok(dec.returncode == 0 and "message.txt" in names,
               "the fetched file opens with age -d and tar", str(names))
    r = roneo("inbox", "--identity", ed1, "open", fetched, "-o", os.path.join(work, "opened"))
    got = {}
    for root, _, files in os.walk(os.path.join(work, "opened")):
        for n in files:
            with open(os.path.join(root, n), "rb") as f:
                got[os.path.relpath(os.path.join(root, n), os.path.join(work, "opened"))] = \
                    f.read()
    tap.ok(r.returncode == 0 and got.get("message.txt") == b"hello editors"
           and got.get("report.pdf") == b"%PDF-1.4 not really\n" and "evil.sh" in got,
           "open unpacks message and files, names made safe", "%r %r" % (
               r.stderr.decode(), sorted(got)))
    r = roneo("inbox", "--identity", ed2, "--server", server, "open", sid,
              cwd=work)
    tap.ok(r.returncode == 0 and os.path.isfile(os.path.join(work, sid, "message.txt")),
           "open ID streams from the server and unpacks",
           r.stderr.decode() + " " + str(os.listdir(work)))
    r = roneo("inbox", "--identity", outsider, "open", fetched, "-o",
              os.path.join(work, "nope"))
    tap.ok(r.returncode != 0 and not os.path.exists(os.path.join(work, "nope"))
           and not [n for n in os.listdir(work) if n.startswith(".roneo-open")],
           "a key it was not sealed to opens nothing and leaves nothing",
           r.stderr.decode() + " " + str(os.listdir(work)))
    r = cli(ed1, "--json", "reply", sid, "-m", "Thank you. We read it.")
    rep = json.loads(r.stdout.decode()) if r.returncode == 0 else {}
    tap.ok(re.fullmatch(r"[0-9a-f]{32}", rep.get("reply", "")), "reply is accepted (201)",
           (r.stdout + r.stderr).decode())
    r = cli(ed1, "reply", sid, "-m", "bad \x1b[31m text")
    tap.ok(r.returncode != 0, "a reply with control characters is refused")
    r = cli(ed1, "--json", "delete", sid)
    tap.ok(r.returncode == 0 and json.loads(r.stdout.decode()) == {"deleted": sid},
           "delete", (r.stdout + r.stderr).decode())
    r = cli(ed1, "delete", sid)
    tap.ok(r.returncode != 0 and b"404" in r.stderr, "deleting it again: 404",
           r.stderr.decode())
    r = cli(ed1, "--json", "list")
    tap.ok(r.returncode == 0 and json.loads(r.stdout.decode()) == {"submissions": []},
           "the inbox is empty again")
    tap.check("no sanitizer report in roneod's log", srv.log_problems())
    srv.stop()


def main():
    rnlib.require_roneod()
    if not os.access(RONEO, os.X_OK):
        print("1..0 # SKIP roneo not built (%s)" % RONEO)
        return
    rnlib.run([test_keygen, test_interop, test_refusals, test_against_roneod])


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
