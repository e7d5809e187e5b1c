#!/usr/bin/env python3
"""The drop-box in a real browser with JavaScript off (TAP).

Firefox ESR, set up like Tor Browser at "Safest" (JavaScript, SVG, MathML,
downloadable fonts, WebAssembly and the JITs off), headless, driven through
Debian's libfirefox-marionette-perl by browser_driver.pl, against a real
roneod on 127.0.0.1 (TorMode off; nothing leaves the machine: the browser's
other connections go to a closed local port).  The flow a source goes
through, each page checked:

  landing -> submit form (a message and a file) -> receipt with the codename
  -> (an editor replies through the signed editor API, sealed with
      age -r REPLY_TO -r EDITOR) -> come back with the codename -> mailbox
  with the reply -> delete it -> mailbox without replies -> follow-up ->
  received; and a file over InboxMaxFileSize -> the 413 page.

The submissions are opened with `age -d` and `tar -x` and compared with what
the browser sent.  Every page the browser saw goes through the static page
lint.  Run with `--screenshots DIR` to also keep the PNG of each page
(docs/screenshots/ is made that way: contrib/screenshots.sh).
"""

import html
import json
import os
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browserlib  # noqa: E402
import rnlib  # noqa: E402

SHOTS = None
FOLLOWUP = 'form[action="/drop/followup"] '
MAX_FILE = 1 << 20
MESSAGE = "Hello from a browser without JavaScript.\nGrüße, and <b>not bold</b> & such."
FOLLOWUP_MESSAGE = "A follow-up: one more file."
REPLY = "Thank you. Could you tell us <more> about the second page? & when?"


def words_of(html_text):
    m = re.search(r'<p class="codename">([^<]*)</p>', html_text)
    return html.unescape(m.group(1)).split() if m else None


def text_of(html_text):
    return html.unescape(re.sub(r"<[^>]+>", " ", html_text))


class Flow:
    """What the test carries from step to step."""

    def __init__(self, tap, tmp):
        self.tap = tap
        self.tmp = tmp
        self.pages = []     # (name, html) of every page the browser showed
        self.shots = []

    def shot(self, ff, name):
        d = SHOTS or os.path.join(self.tmp, "shots")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "dropbox-%s.png" % name)
        ff.shot(path)
        self.shots.append(path)

    def look(self, ff, name):
        p = ff.page()
        self.pages.append((name, p["html"]))
        return p


def submissions(keys, eaddr):
    st, body = keys.request(eaddr, "GET", "/editor/v1/inbox")
    if st != 200:
        raise AssertionError("editor list answered %d: %r" % (st, body[:200]))
    return json.loads(body.decode())["submissions"]


def open_submission(f, keys, eaddr, sid, name):
    """Fetch and open one submission; (directory, problems)."""
    st, sealed = keys.request(eaddr, "GET", "/editor/v1/inbox/" + sid)
    if st != 200:
        return None, ["fetch answered %d" % st]
    d = os.path.join(f.tmp, name)
    return d, keys.open_sealed(sealed, d)


def read(path):
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError:
        return None


def step_landing_and_form(f, ff, base, upload_path):
    tap = f.tap
    p = ff.go(base + "/drop/")
    look = f.look(ff, "landing")
    tap.check("landing page: title and the way to the form", [] if (
        p["title"] == "Send us something" and 'href="/drop/submit"' in look["html"]
        and "metadata" in look["html"]) else ["title %r, page:\n%s" % (p["title"],
                                                                       look["html"][:2000])])
    f.shot(ff, "landing")
    p = ff.click('a[href="/drop/submit"]')
    look = f.look(ff, "form")
    probs = []
    if not p["url"].endswith("/drop/submit") or p["title"] != "Write a message":
        probs.append("url %r title %r" % (p["url"], p["title"]))
    if not re.search(r'<input type="hidden" name="token" value="[^"]+"', look["html"]):
        probs.append("no hidden token in the form")
    if ff.count('form[enctype="multipart/form-data"] input[type="file"][multiple]') != 1:
        probs.append("no multiple file input in a multipart form")
    tap.check("submit form: following the link gives the form with a token and a file "
              "input", probs + (["page:\n" + look["html"][:3000]] if probs else []))
    # The honeypot must be out of sight for a human, yet not display:none.
    r = ff.rect('input[name="website"]')
    hidden = (r["x"] + r["width"] <= 0 or r["y"] + r["height"] <= 0 or r["width"] <= 1
              or r["height"] <= 1)
    tap.ok(hidden, "submit form: the honeypot field is out of sight (%r)" % r)
    ff.type('textarea[name="message"]', MESSAGE)
    ff.upload('input[type="file"]', upload_path)
    f.shot(ff, "form")


def step_submit(f, ff):
    tap = f.tap
    p = ff.click('button[type="submit"]')
    look = f.look(ff, "receipt")
    words = words_of(look["html"])
    tap.check("receipt: 'Received' with a nine-word codename", [] if (
        p["title"] == "Received" and words and len(words) == 9
        and all(re.fullmatch(r"[a-z]+", w) for w in words)) else [
        "title %r, words %r, page:\n%s" % (p["title"], words, look["html"][:3000])])
    f.shot(ff, "receipt")
    return " ".join(words or [])


def step_check_submission(f, keys, eaddr, upload_path, upload_name):
    tap = f.tap
    subs = submissions(keys, eaddr)
    if not tap.ok(len(subs) == 1, "editor API: one submission listed", repr(subs)):
        return None
    d, probs = open_submission(f, keys, eaddr, subs[0]["id"], "first")
    if not probs:
        msg = read(os.path.join(d, "message.txt"))
        got = msg.decode("utf-8", "replace").replace("\r\n", "\n") if msg else None
        if got != MESSAGE:
            probs.append("message.txt is %r, wanted %r" % (got, MESSAGE))
        if read(os.path.join(d, upload_name)) != read(upload_path):
            probs.append("%s differs from the file uploaded (have: %r)" % (
                upload_name, sorted(os.listdir(d))))
    tap.check("submission: age -d | tar -x gives the message typed and the file chosen, "
              "byte for byte", probs)
    return subs[0]


def step_reply(f, keys, eaddr, sub):
    sealed = keys.seal_reply(REPLY, sub["reply_to"])
    st, body = keys.request(eaddr, "POST", "/editor/v1/inbox/%s/reply" % sub["id"], sealed)
    f.tap.ok(st == 201, "editor API: the reply sealed with age -r REPLY_TO -r EDITOR is "
             "stored", "status %d: %r" % (st, body[:300]))


def come_back(f, ff, base, codename, name):
    ff.go(base + "/drop/")
    ff.click('a[href="/drop/return"]')
    look = f.look(ff, name + "-form")
    ff.type('input[name="codename"]', codename)
    return look


def step_mailbox(f, ff, base, codename):
    tap = f.tap
    look = come_back(f, ff, base, codename, "return")
    ok = 'name="codename"' in look["html"] and look["title"] == "Replies"
    tap.ok(ok, "come back: the replies page asks for the codename",
           look["html"][:2000])
    f.shot(ff, "return")
    p = ff.click('form[action="/drop/return"] button[type="submit"]')
    look = f.look(ff, "mailbox")
    probs = []
    if p["title"] != "Your mailbox":
        probs.append("title %r" % p["title"])
    if html.escape(REPLY, quote=False) not in look["html"]:
        probs.append("the reply is not shown, escaped, on the page")
    if ff.count('form[action="/drop/delete-replies"]') != 1:
        probs.append("no delete form")
    if ff.count(FOLLOWUP + 'input[type="file"]') != 1:
        probs.append("no follow-up form")
    tap.check("mailbox: the codename opens the mailbox and shows the reply", probs + (["page:\n" + look["html"][:4000]] if probs
                                              else []))
    f.shot(ff, "mailbox")


def step_delete(f, ff, base, codename):
    tap = f.tap
    p = ff.click('form[action="/drop/delete-replies"] button[type="submit"]')
    look = f.look(ff, "deleted")
    tap.ok(p["title"] == "Replies deleted", "delete: the replies are deleted",
           "title %r page:\n%s" % (p["title"], look["html"][:2000]))
    # Typed as people do: capitals, extra spaces, four letters of each word.
    come_back(f, ff, base, "  ".join(w[:4].upper() if len(w) > 4 else w.upper()
                                     for w in codename.split()), "return-again")
    p = ff.click('form[action="/drop/return"] button[type="submit"]')
    look = f.look(ff, "mailbox-empty")
    probs = []
    if p["title"] != "Your mailbox" or "no replies yet" not in look["html"]:
        probs.append("title %r" % p["title"])
    if html.escape(REPLY, quote=False) in look["html"]:
        probs.append("the deleted reply is still shown")
    if ff.count('form[action="/drop/delete-replies"]') != 0:
        probs.append("a delete form without replies")
    tap.check("come back after deleting (codename in capitals, extra spaces, four letters "
              "a word): the mailbox has no replies", probs + (
        ["page:\n" + look["html"][:3000]] if probs else []))


def step_followup(f, ff, keys, eaddr, first, upload2):
    tap = f.tap
    ff.type(FOLLOWUP + 'textarea[name="message"]', FOLLOWUP_MESSAGE)
    ff.upload(FOLLOWUP + 'input[type="file"]', upload2)
    p = ff.click(FOLLOWUP + 'button[type="submit"]')
    look = f.look(ff, "followup")
    tap.ok(p["title"] == "Received" and "follow-up" in look["html"]
           and words_of(look["html"]) is None,
           "follow-up: received, and no new codename shown",
           "title %r page:\n%s" % (p["title"], look["html"][:2000]))
    f.shot(ff, "followup")
    subs = submissions(keys, eaddr)
    new = [s for s in subs if s["id"] != first["id"]]
    probs = []
    if len(new) != 1:
        probs.append("%d new submissions: %r" % (len(new), subs))
    elif new[0]["mailbox"] != first["mailbox"]:
        probs.append("mailbox %s, the first was %s" % (new[0]["mailbox"], first["mailbox"]))
    else:
        d, probs = open_submission(f, keys, eaddr, new[0]["id"], "followup")
        if not probs:
            msg = read(os.path.join(d, "message.txt")) or b""
            if msg.decode("utf-8", "replace") != FOLLOWUP_MESSAGE:
                probs.append("message.txt is %r" % msg)
            if read(os.path.join(d, os.path.basename(upload2))) != read(upload2):
                probs.append("the file differs (have %r)" % sorted(os.listdir(d)))
    tap.check("follow-up: lands in the same mailbox and opens with age -d | tar -x", probs)


def step_too_big(f, ff, base, keys, eaddr, big):
    tap = f.tap
    before = len(submissions(keys, eaddr))
    ff.go(base + "/drop/submit")
    ff.type('textarea[name="message"]', "This one is too large.")
    ff.upload('input[type="file"]', big)
    p = ff.click('button[type="submit"]')
    look = f.look(ff, "too-large")
    tap.ok(p["title"] == "A file is too large" and "Back to the drop-box" in look["html"],
           "a file over InboxMaxFileSize: the browser shows the 413 page",
           "title %r page:\n%s" % (p["title"], look["html"][:2000]))
    f.shot(ff, "413")
    after = len(submissions(keys, eaddr))
    tap.ok(after == before, "the refused submission left nothing in the inbox",
           "%d submissions, were %d" % (after, before))


def step_lint(f, server):
    tap = f.tap
    probs = []
    for name, text in f.pages:
        probs += ["%s: %s" % (name, p) for p in browserlib.page_problems(text)]
    tap.check("page lint (%s) over the %d pages the browser showed"
              % (browserlib.linter_name(), len(f.pages)), probs)
    probs = []
    for path in ("/drop/", "/drop/submit", "/drop/return", "/drop/help"):
        r = server.get(path)
        if r is None or r.status != 200:
            probs.append("%s: %r" % (path, r))
            continue
        if r.has("Set-Cookie") or r.h("Cache-Control") != "no-store":
            probs.append("%s: Set-Cookie %r, Cache-Control %r" % (
                path, r.h("Set-Cookie"), r.h("Cache-Control")))
        probs += ["%s: %s" % (path, p) for p in
                  browserlib.page_problems(r.body.decode("utf-8", "replace"))]
    r = server.get("/static/roneo.css")
    if r is None or r.status != 200:
        probs.append("/static/roneo.css: %r" % r)
    else:
        probs += ["roneo.css: %s" % p for p in
                  browserlib.page_problems(r.body.decode("utf-8", "replace"), css=True)]
    tap.check("page lint of the pages as served (and the stylesheet); no cookies, no-store",
              probs)


def safest_prefs(f, ff):
    want = {"javascript.enabled": "0", "svg.disabled": "1", "mathml.disabled": "1",
            "gfx.downloadable_fonts.enabled": "0"}
    probs = []
    for k, v in want.items():
        got = ff.pref(k)
        norm = {"true": "1", "false": "0"}.get(str(got).lower(), str(got))
        if norm != v:
            probs.append("%s is %r" % (k, got))
    # JavaScript really off: a page whose script would change the title.
    ff.go("data:text/html,<title>no-js</title><script>document.title='js-ran'</script>")
    title = ff.page()["title"]
    if title != "no-js":
        probs.append("a page's script ran (title %r)" % title)
    f.tap.check("Firefox %s runs at Safest-like settings: JavaScript off (checked on a page), "
                "SVG, MathML and web fonts off in its profile" % ff.version, probs)


def test_browser_flow(tap):
    missing = browserlib.missing_tools()
    if missing:
        # Visible, never silent: CI installs these (contrib/lib.sh, RN_TEST_PKGS).
        tap.skip("the drop-box in a real browser", "missing: %s" % " ".join(missing))
        return
    tmp = tempfile.mkdtemp(prefix="rn-browser-")
    os.chmod(tmp, 0o755)
    f = Flow(tap, tmp)
    keys = browserlib.EditorKeys(os.path.join(tmp, "editor"))
    eport = rnlib.free_port()
    eaddr = ("127.0.0.1", eport)
    server = rnlib.Server(conf={
        "EditorListen": "127.0.0.1:%d" % eport,
        "Editor": keys.editor_line,
        "InboxMaxFileSize": "1 MiB",
        "InboxDiskReserve": "0",
        "ShutdownTimeout": 5,
    }, name="browser", big=4096)
    upload_name = "minutes 2024-03 é.bin"
    upload_path = os.path.join(tmp, upload_name)
    with open(upload_path, "wb") as fh:
        fh.write(os.urandom(40000) + b"\nend\n")
    upload2 = os.path.join(tmp, "second-page.txt")
    with open(upload2, "wb") as fh:
        fh.write(b"The second page.\n" * 100)
    big = os.path.join(tmp, "too-large.bin")
    with open(big, "wb") as fh:
        fh.write(os.urandom(MAX_FILE + 4096))
    base = "http://127.0.0.1:%d" % server.port
    ff = None
    try:
        if not rnlib.start_or_fail(tap, server, "browser"):
            return
        try:
            ff = browserlib.Firefox(log_path=os.path.join(tmp, "firefox.log"))
        except browserlib.BrowserError as e:
            tap.ok(False, "Firefox starts through Marionette", "%s\n%s" % (
                e, read(os.path.join(tmp, "firefox.log")) or b""))
            return
        safest_prefs(f, ff)
        step_landing_and_form(f, ff, base, upload_path)
        codename = step_submit(f, ff)
        first = step_check_submission(f, keys, eaddr, upload_path, upload_name)
        if not codename or first is None:
            return
        step_reply(f, keys, eaddr, first)
        step_mailbox(f, ff, base, codename)
        step_delete(f, ff, base, codename)
        step_followup(f, ff, keys, eaddr, first, upload2)
        step_too_big(f, ff, base, keys, eaddr, big)
        step_lint(f, server)
        bad = [p for p in f.shots if not (read(p) or b"").startswith(b"\x89PNG\r\n\x1a\n")]
        tap.ok(not bad and f.shots, "%d screenshots are PNG files" % len(f.shots), repr(bad))
    except browserlib.BrowserError as e:
        tap.ok(False, "the browser flow went through", "%s\nlast page: %s\nroneod log:\n%s"
               % (e, f.pages[-1][1][:3000] if f.pages else None, server.log_tail()))
    finally:
        if ff is not None:
            ff.close()
        if server.proc is not None:
            server.stop_check(tap, "browser: roneod stops cleanly")
        if not os.environ.get("RN_KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)


def main():
    global SHOTS
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--screenshots":
        SHOTS = os.path.abspath(args[1])
        os.makedirs(SHOTS, exist_ok=True)
    elif args:
        sys.stderr.write("usage: test_browser.py [--screenshots DIR]\n")
        sys.exit(2)
    rnlib.run([test_browser_flow])


if __name__ == "__main__":
    main()
