"""Helpers for the real-browser drop-box test (Python 3 standard library only).

- EditorKeys: a test editor made with the stock tools: an age identity from
  `age-keygen` and a minisign-style Ed25519 public key from an openssl key,
  giving the `Editor` config line; `request()` signs editor API requests with
  `openssl pkeyutl -sign -rawin` (the format is in docs/editor-guide.md).
- Firefox: Firefox ESR set up like Tor Browser at "Safest" (JavaScript, SVG,
  MathML and downloadable fonts off), driven by browser_driver.pl through
  Debian's libfirefox-marionette-perl.  One JSON command per line; every
  read is bounded.
- page_problems(): the static page lint (tests/tools/pagelint.py when it is
  there, else the basic checks).
"""

import base64
import hashlib
import http.client
import json
import os
import re
import select
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP_SRCDIR = os.environ.get("RN_TOP_SRCDIR") or os.path.dirname(os.path.dirname(HERE))


def missing_tools():
    """What the browser test needs and this machine lacks, as a list of strings."""
    out = []
    for tool in ("firefox-esr", "perl", "age", "age-keygen", "openssl", "tar"):
        if shutil.which(tool) is None:
            out.append(tool)
    if shutil.which("perl") is not None:
        r = subprocess.run(["perl", "-MFirefox::Marionette", "-e", "1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if r.returncode != 0:
            out.append("libfirefox-marionette-perl")
    return out


# --------------------------------------------------------------------------
# Editor keys and signed editor requests

class EditorKeys:
    def __init__(self, directory):
        self.dir = directory
        os.makedirs(directory, exist_ok=True)
        self.age_key = os.path.join(directory, "age.txt")
        self.ed_pem = os.path.join(directory, "ed.pem")
        subprocess.run(["age-keygen", "-o", self.age_key], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        with open(self.age_key) as f:
            m = re.search(r"^# public key: (age1[0-9a-z]+)$", f.read(), re.M)
        self.recipient = m.group(1)
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.ed_pem],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        der = subprocess.run(["openssl", "pkey", "-in", self.ed_pem, "-pubout", "-outform",
                              "DER"], check=True, stdout=subprocess.PIPE).stdout
        self.public = der[-32:]
        self.minisign = base64.b64encode(b"Ed" + os.urandom(8) + self.public).decode()

    @property
    def editor_line(self):
        """The value of an `Editor` option for this editor."""
        return "%s %s" % (self.minisign, self.recipient)

    def authorization(self, method, target, body):
        ts = int(time.time())
        nonce = os.urandom(16).hex()
        msg = ("roneo-editor-v1\n%s\n%s\n%s\n%d\n%s\n" % (
            method, target, hashlib.sha256(body).hexdigest(), ts, nonce)).encode()
        path = os.path.join(self.dir, "tosign")
        with open(path, "wb") as f:
            f.write(msg)
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-inkey", self.ed_pem, "-rawin",
                              "-in", path], check=True, stdout=subprocess.PIPE).stdout
        return "roneo-ed25519 key=%s, ts=%d, nonce=%s, sig=%s" % (
            base64.b64encode(self.public).decode(), ts, nonce, base64.b64encode(sig).decode())

    def request(self, addr, method, target, body=b"", timeout=30.0):
        """A signed request to the editor API at addr (host, port): (status, body)."""
        c = http.client.HTTPConnection(addr[0], addr[1], timeout=timeout)
        try:
            headers = {"Authorization": self.authorization(method, target, body),
                       "Connection": "close"}
            if method == "POST":
                headers["Content-Type"] = "application/octet-stream"
            c.request(method, target, body=body if method == "POST" else None,
                      headers=headers)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def open_sealed(self, sealed, into):
        """age -d | tar -x of a sealed submission into directory `into`; problems list."""
        os.makedirs(into, exist_ok=True)
        age = subprocess.run(["age", "-d", "-i", self.age_key], input=sealed,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if age.returncode != 0:
            return ["age -d failed: %s" % age.stderr.decode("utf-8", "replace")]
        tar = subprocess.run(["tar", "-x", "-C", into], input=age.stdout,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
        if tar.returncode != 0:
            return ["tar -x failed: %s" % tar.stderr.decode("utf-8", "replace")]
        return []

    def seal_reply(self, text, reply_to):
        """A reply as the CLI makes it: age -r REPLY_TO -r EDITOR."""
        r = subprocess.run(["age", "-r", reply_to, "-r", self.recipient],
                           input=text.encode(), stdout=subprocess.PIPE, check=True,
                           timeout=60)
        return r.stdout


# --------------------------------------------------------------------------
# Firefox through browser_driver.pl

class BrowserError(Exception):
    pass


class Firefox:
    """A headless Firefox ESR at Safest-like settings; every call is bounded."""

    def __init__(self, width=1000, height=800, start_timeout=180.0, log_path=None):
        self.log_path = log_path
        self.logf = open(log_path, "ab") if log_path else subprocess.DEVNULL
        env = dict(os.environ)
        env.pop("DISPLAY", None)
        env["MOZ_HEADLESS"] = "1"
        # Firefox refuses a profile in a home it does not own; keep it in /tmp.
        env["TMPDIR"] = env.get("TMPDIR", "/tmp")
        self.proc = subprocess.Popen(
            ["perl", os.path.join(HERE, "browser_driver.pl"), str(width), str(height)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.logf, env=env,
            start_new_session=True)
        self._buf = b""
        hello = self._read(start_timeout)
        if not hello.get("ok"):
            self.close()
            raise BrowserError(hello.get("error", "firefox did not start"))
        self.version = hello.get("version")

    def _read(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("the browser driver did not answer in %.0f s" % timeout)
            r, _, _ = select.select([self.proc.stdout], [], [], left)
            if not r:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 1 << 20)
            if not chunk:
                raise BrowserError("the browser driver exited (code %r)" % self.proc.poll())
            self._buf += chunk
        line, self._buf = self._buf.split(b"\n", 1)
        return json.loads(line.decode("utf-8"))

    def cmd(self, timeout=90.0, **kw):
        """Send one command; its answer (a dict).  Raises BrowserError if it failed."""
        self.proc.stdin.write(json.dumps(kw).encode() + b"\n")
        self.proc.stdin.flush()
        a = self._read(timeout)
        if not a.get("ok"):
            raise BrowserError("%s: %s" % (kw.get("cmd"), a.get("error")))
        return a

    def go(self, url):
        return self.cmd(cmd="go", url=url)

    def type(self, css, text):
        return self.cmd(cmd="type", css=css, text=text)

    def upload(self, css, path):
        return self.cmd(cmd="upload", css=css, path=path)

    def click(self, css):
        return self.cmd(cmd="click", css=css)

    def page(self):
        return self.cmd(cmd="page")

    def rect(self, css):
        return self.cmd(cmd="rect", css=css)

    def count(self, css):
        return self.cmd(cmd="count", css=css)["count"]

    def shot(self, path):
        return self.cmd(cmd="shot", path=path)

    def pref(self, name):
        return self.cmd(cmd="pref", name=name).get("value")

    def close(self):
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write(b'{"cmd":"quit"}\n')
                self.proc.stdin.flush()
                self.proc.wait(30)
            except (OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            # The driver and the Firefox it started share a process group.
            try:
                os.killpg(self.proc.pid, 9)
            except OSError:
                pass
            self.proc.wait(10)
        if self.log_path:
            self.logf.close()


# --------------------------------------------------------------------------
# Static page lint

def _pagelint():
    tools = os.path.join(TOP_SRCDIR, "tests", "tools")
    if not os.path.isfile(os.path.join(tools, "pagelint.py")):
        return None
    if tools not in sys.path:
        sys.path.insert(0, tools)
    try:
        import pagelint
    except ImportError:
        return None
    return pagelint


_BASIC = [
    (re.compile(r"<\s*script", re.I), "<script"),
    (re.compile(r"<[^>]*\son[a-z]+\s*=", re.I), "an on*= attribute"),
    (re.compile(r"<[^>]*\sstyle\s*=", re.I), "inline style="),
    (re.compile(r"javascript:", re.I), "javascript:"),
    (re.compile(r"<\s*(svg|math|video|audio|object|embed|iframe)\b", re.I), "a banned element"),
    (re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:[a-z]+:)?//""", re.I),
     "an off-site URL"),
]


def page_problems(text, css=False):
    """Lint problems of one page (or stylesheet) as a list of strings."""
    pl = _pagelint()
    if pl is not None:
        return list(pl.lint_css(text) if css else pl.lint_html(text))
    if css:
        return ["@font-face"] if "@font-face" in text else []
    return [what for rx, what in _BASIC if rx.search(text)]


def linter_name():
    return "tests/tools/pagelint.py" if _pagelint() is not None else "basic checks"
