"""Drop-box helpers for the integration tests (Python 3 standard library only).

On top of rnlib: editor keys made with the stock tools (age-keygen for the age
identity, openssl for the Ed25519 key; no roneo CLI needed), signed requests to
the editor API (signatures by `openssl pkeyutl -sign -rawin`), multipart
bodies built by hand and sent raw (streamed from generators, so a 1 GiB body is
never held in memory), the source's pages (token, codename, mailbox forms),
the inbox database read through Python's sqlite3, and sealed submissions opened
with the real `age -d` and `tar -x`.

The Authorization format is the one daemon/inbox/editor_auth.c checks:
    roneo-ed25519 key=<b64 pub>, ts=<unix s>, nonce=<32 hex>, sig=<b64 sig>
over "roneo-editor-v1\\n" METHOD "\\n" TARGET "\\n" hex(sha256(body)) "\\n" ts "\\n" nonce "\\n".
"""

import base64
import hashlib
import html
import os
import re
import select
import sqlite3
import subprocess
import tarfile
import tempfile
import time
import urllib.parse

import rnlib

AUTH_DOMAIN = "roneo-editor-v1"
RE_TOKEN = re.compile(r'name="token" value="([^"]*)"')
RE_MAILBOX = re.compile(r'name="mailbox" value="([^"]*)"')
RE_CODENAME = re.compile(r'<p class="codename">([^<]*)</p>')
RE_REPLY = re.compile(r'<pre class="reply">(.*?)</pre>', re.S)
RE_TITLE = re.compile(r"<h1>(.*?)</h1>", re.S)
RE_FORM = re.compile(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', re.S)


def need_tools():
    """Names of the tools these helpers need that are missing."""
    import shutil
    return [t for t in ("age", "age-keygen", "openssl", "tar") if shutil.which(t) is None]


# --------------------------------------------------------------------------
# Editor keys and signed requests

class Editor:
    """An editor's keys, made with age-keygen and openssl in directory d."""

    def __init__(self, d):
        os.makedirs(d, exist_ok=True)
        self.dir = d
        self.identity = os.path.join(d, "age.txt")
        subprocess.run(["age-keygen", "-o", self.identity], check=True,
                       capture_output=True, timeout=30)
        with open(self.identity) as f:
            m = re.search(r"^# public key: (age1[a-z0-9]+)$", f.read(), re.M)
        self.recipient = m.group(1)
        self.pem = os.path.join(d, "ed.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", self.pem],
                       check=True, capture_output=True, timeout=30)
        der = subprocess.run(["openssl", "pkey", "-in", self.pem, "-pubout", "-outform", "DER"],
                             check=True, capture_output=True, timeout=30).stdout
        self.pub = der[-32:]
        self.minisign = base64.b64encode(b"Ed" + os.urandom(8) + self.pub).decode()

    def line(self):
        """The value of an Editor line in roneod.conf."""
        return "%s %s" % (self.minisign, self.recipient)

    def sign(self, msg):
        path = os.path.join(self.dir, "msg.%d" % os.getpid())
        with open(path, "wb") as f:
            f.write(msg)
        try:
            return subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", self.pem,
                                   "-in", path], check=True, capture_output=True,
                                  timeout=30).stdout
        finally:
            os.unlink(path)

    def auth(self, method, target, body=b"", ts=None, nonce=None, sign_body=None):
        """An Authorization value; sign_body: the body to sign if not the one sent."""
        ts = int(time.time()) if ts is None else ts
        nonce = nonce or os.urandom(16).hex()
        h = hashlib.sha256(body if sign_body is None else sign_body).hexdigest()
        msg = ("%s\n%s\n%s\n%s\n%d\n%s\n" % (AUTH_DOMAIN, method, target, h, ts,
                                              nonce)).encode()
        sig = self.sign(msg)
        return "roneo-ed25519 key=%s, ts=%d, nonce=%s, sig=%s" % (
            base64.b64encode(self.pub).decode(), ts, nonce, base64.b64encode(sig).decode())


def editor_request(addr, method, target, body=b"", auth=None, timeout=30.0):
    """One request to the editor API; the rnlib Response or None."""
    hdrs = ["Connection: close"]
    if auth is not None:
        hdrs.append("Authorization: %s" % auth)
    if method == "POST":
        hdrs.append("Content-Length: %d" % len(body))
    with rnlib.Conn(addr, timeout=timeout) as c:
        return c.request(rnlib.req(method, target, headers=hdrs, body=body), method)


def signed(server, editor, method, target, body=b"", **kw):
    """A request signed by editor to server.editor_addr."""
    return editor_request(server.editor_addr, method, target, body,
                          editor.auth(method, target, body, **kw))


# --------------------------------------------------------------------------
# The server

def drop_server(tmp, name="drop", editors=1, conf=None, **kw):
    """A rnlib.Server with editors, an EditorListen on 127.0.0.1 and the drop-box on.

    Returns the server; its .editors are Editor objects, .editor_addr the
    editor API's address, .inbox/.spool/.replies/.db its paths."""
    eds = [Editor(os.path.join(tmp, "%s-editor%d" % (name, i))) for i in range(editors)]
    eport = rnlib.free_port()
    opts = {
        "EditorListen": "127.0.0.1:%d" % eport,
        "Editor": [e.line() for e in eds],
        "CodenameAttemptsPerMinute": 6000,
    }
    opts.update(conf or {})
    s = rnlib.Server(opts, name=name, big=4096, **kw)
    s.editors = eds
    s.editor_addr = ("127.0.0.1", eport)
    s.spool = os.path.join(s.data, "spool")
    s.inbox = os.path.join(s.data, "inbox")
    s.replies = os.path.join(s.data, "replies")
    s.db = os.path.join(s.data, "inbox.db")
    return s


def fix_owner(server):
    """Give the files under DataDirectory back to roneod's user (after root touched them)."""
    try:
        st = os.stat(server.data)
    except OSError:
        return
    for name in os.listdir(server.data):
        if name.startswith("inbox.db"):
            try:
                os.chown(os.path.join(server.data, name), st.st_uid, st.st_gid)
            except OSError:
                pass


def db_query(server, sql, args=(), write=False):
    """Rows of a query on the inbox database (read-only unless write)."""
    if not os.path.exists(server.db):
        return []
    uri = "file:%s?mode=%s" % (urllib.parse.quote(server.db), "rw" if write else "ro")
    con = sqlite3.connect(uri, uri=True, timeout=10)
    try:
        rows = con.execute(sql, args).fetchall()
        if write:
            con.commit()
        return rows
    finally:
        con.close()
        fix_owner(server)


def db_ids(server, table="submission"):
    return sorted(r[0] for r in db_query(server, "SELECT id FROM %s" % table))


def files(path):
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        return []


def state(server):
    """(spool files, inbox files, submission ids, reply files, reply ids)."""
    return (files(server.spool), files(server.inbox), db_ids(server),
            files(server.replies), db_ids(server, "reply"))


# --------------------------------------------------------------------------
# Multipart bodies

BOUNDARY = "----roneoTestBoundary7MA4YWxkTrZu0gW"


def part_head(name, filename=None, ctype=None, boundary=BOUNDARY, extra=()):
    """The delimiter line and headers of one part, as bytes (filename: str or bytes)."""
    disp = b'form-data; name="' + name.encode() + b'"'
    if filename is not None:
        fn = filename if isinstance(filename, bytes) else filename.encode()
        fn = fn.replace(b"\\", b"\\\\").replace(b'"', b'\\"')
        disp += b'; filename="' + fn + b'"'
    lines = [b"--" + boundary.encode(), b"Content-Disposition: " + disp]
    if ctype is None and filename is not None:
        ctype = "application/octet-stream"
    if ctype:
        lines.append(b"Content-Type: " + ctype.encode())
    lines.extend(e if isinstance(e, bytes) else e.encode() for e in extra)
    return b"\r\n".join(lines) + b"\r\n\r\n"


class Part:
    """A form part.  data: bytes, or (size, generator factory) for a streamed one."""

    def __init__(self, name, data=b"", filename=None, ctype=None):
        self.name, self.data, self.filename, self.ctype = name, data, filename, ctype

    def size(self):
        return self.data[0] if isinstance(self.data, tuple) else len(self.data)

    def chunks(self):
        if isinstance(self.data, tuple):
            return self.data[1]()
        return iter([self.data]) if self.data else iter([])


def form_body(parts, boundary=BOUNDARY):
    """(length, chunk generator factory) of a multipart/form-data body."""
    heads = [part_head(p.name, p.filename, p.ctype, boundary) for p in parts]
    close = b"\r\n--" + boundary.encode() + b"--\r\n"
    length = sum(len(h) + p.size() for h, p in zip(heads, parts)) \
        + 2 * max(0, len(parts) - 1) + (len(close) if parts else 0)

    def gen():
        for i, (h, p) in enumerate(zip(heads, parts)):
            yield (b"\r\n" if i else b"") + h
            for c in p.chunks():
                yield c
        if parts:
            yield close
    return length, gen


def gen_bytes(size, seed, piece=1 << 20):
    """A factory of generators of size deterministic bytes (SHAKE-based, fast)."""
    def gen():
        left, n = size, 0
        while left > 0:
            k = min(piece, left)
            yield hashlib.shake_256(b"%d:%d" % (seed, n)).digest(k)
            left -= k
            n += 1
    return gen


def gen_sha256(factory):
    h = hashlib.sha256()
    for c in factory():
        h.update(c)
    return h.hexdigest()


def post(server, path, body, ctype=None, length=None, timeout=60.0, headers=(),
         on_progress=None):
    """POST a body (bytes or a chunk generator factory) on a fresh connection.

    Stops sending once a response has begun to arrive (an early refusal);
    returns the rnlib Response or None (then .last_error says why)."""
    if ctype is None:
        ctype = "multipart/form-data; boundary=" + BOUNDARY
    if isinstance(body, (bytes, bytearray)):
        data = bytes(body)
        length = len(data) if length is None else length

        def body():
            yield data
    hdrs = ["Connection: close"]
    if ctype:
        hdrs.append("Content-Type: %s" % ctype)
    if length is not None:
        hdrs.append("Content-Length: %d" % length)
    hdrs.extend(headers)
    server.last_error = None
    try:
        c = server.conn(timeout=timeout)
    except OSError as e:
        server.last_error = "connect: %s" % e
        return None
    with c:
        if not c.send(rnlib.req("POST", path, headers=hdrs)):
            pass
        sent = 0
        for piece in body():
            rd, _, _ = select.select([c.sock], [], [], 0)
            if rd:
                break
            for off in range(0, len(piece), 1 << 20):
                if not c.send(piece[off:off + (1 << 20)]):
                    break
            else:
                sent += len(piece)
                if on_progress:
                    on_progress(sent)
                continue
            break
        r = c.read_response("POST", timeout)
        server.last_error = c.error
        return r


# --------------------------------------------------------------------------
# The source's pages

def text(r):
    return r.body.decode("utf-8", "replace") if r is not None else ""


def title(r):
    m = RE_TITLE.search(text(r))
    return html.unescape(m.group(1)) if m else None


def form_token(server, path="/drop/submit"):
    r = server.get(path)
    if r is None or r.status != 200:
        raise RuntimeError("GET %s: %r" % (path, r))
    m = RE_TOKEN.search(text(r))
    return m.group(1)


def submission_parts(token, message=None, files=(), website=None):
    parts = [Part("token", token.encode())]
    if website is not None:
        parts.append(Part("website", website.encode()))
    if message is not None:
        parts.append(Part("message", message if isinstance(message, bytes)
                          else message.encode()))
    for name, data in files:
        parts.append(Part("file", data, filename=name))
    return parts


def submit(server, message=None, files=(), token=None, website="", timeout=60.0):
    """(response, codename or None) of a first submission."""
    token = token or form_token(server)
    length, gen = form_body(submission_parts(token, message, files, website))
    r = post(server, "/drop/submit", gen, length=length, timeout=timeout)
    m = RE_CODENAME.search(text(r)) if r is not None and r.status == 200 else None
    return r, (html.unescape(m.group(1)) if m else None)


def visit(server, codename, token=None):
    """The response to POST /drop/return with a codename."""
    token = token or form_token(server, "/drop/return")
    body = urllib.parse.urlencode({"token": token, "codename": codename}).encode()
    return post(server, "/drop/return", body, ctype="application/x-www-form-urlencoded")


def mailbox_forms(r):
    """{action: {"token": ..., "mailbox": ...}} of a mailbox page."""
    out = {}
    for action, inner in RE_FORM.findall(text(r)):
        t = RE_TOKEN.search(inner)
        m = RE_MAILBOX.search(inner)
        out[action] = {"token": t.group(1) if t else None, "mailbox": m.group(1) if m else None}
    return out


def replies(r):
    return [html.unescape(x) for x in RE_REPLY.findall(text(r))]


def followup(server, page, message=None, files=(), website=""):
    f = mailbox_forms(page)["/drop/followup"]
    parts = [Part("token", f["token"].encode()), Part("mailbox", f["mailbox"].encode()),
             Part("website", website.encode())]
    if message is not None:
        parts.append(Part("message", message.encode()))
    for name, data in files:
        parts.append(Part("file", data, filename=name))
    length, gen = form_body(parts)
    return post(server, "/drop/followup", gen, length=length)


def delete_replies(server, page):
    f = mailbox_forms(page)["/drop/delete-replies"]
    body = urllib.parse.urlencode({"token": f["token"], "mailbox": f["mailbox"]}).encode()
    return post(server, "/drop/delete-replies", body,
                ctype="application/x-www-form-urlencoded")


def strip_tokens(page_text):
    """A page with every hidden value blanked: what differs only by tokens and ids."""
    return re.sub(r'(type="hidden" name="[a-z]+" value=")[^"]*"', r'\1"', page_text)


# --------------------------------------------------------------------------
# Sealed files

def age_decrypt(path, identity, out_path=None, timeout=600):
    """Decrypt with the real age CLI; (ok, plaintext bytes or out_path, stderr)."""
    argv = ["age", "-d", "-i", identity]
    if out_path:
        argv += ["-o", out_path]
    p = subprocess.run(argv + [path], capture_output=True, timeout=timeout)
    if p.returncode != 0:
        return False, None, p.stderr.decode(errors="replace")
    return True, (out_path if out_path else p.stdout), ""


def open_sealed(path, identity, workdir=None, timeout=600):
    """`age -d -i identity -o plain path` then `tar -x -f plain` in a fresh directory.

    Decrypting to a file first makes age authenticate the whole stream, the
    padding after the archive included (in a pipe, tar stops reading at the
    end-of-archive blocks and age dies of SIGPIPE).  Returns (files:
    {relative name: bytes}, problems: [str])."""
    import shutil
    d = tempfile.mkdtemp(prefix="rn-open-", dir=workdir)
    plain = d + ".tar"
    problems = []
    out = {}
    try:
        ok, _, err = age_decrypt(path, identity, plain, timeout)
        if not ok:
            return out, ["age -d failed: %s" % err]
        p = subprocess.run(["tar", "-x", "-f", plain, "-C", d], capture_output=True,
                           timeout=timeout)
        if p.returncode != 0 or p.stderr:
            problems.append("tar -x exited %d: %s" % (p.returncode,
                                                      p.stderr.decode(errors="replace")))
        for root, dirs, names in os.walk(d):
            for n in names:
                fp = os.path.join(root, n)
                rel = os.path.relpath(fp, d)
                if os.path.islink(fp):
                    problems.append("symlink in the archive: %r" % rel)
                    continue
                with open(fp, "rb") as f:
                    out[rel] = f.read()
            for n in dirs:
                problems.append("directory in the archive: %r" % os.path.relpath(
                    os.path.join(root, n), d))
        return out, problems
    finally:
        shutil.rmtree(d, ignore_errors=True)
        try:
            os.unlink(plain)
        except OSError:
            pass


def sealed_hashes(path, identity, timeout=1200):
    """Stream `age -d` into Python's tarfile: ({name: (size, sha256)}, problems)."""
    age = subprocess.Popen(["age", "-d", "-i", identity, path], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    out, problems = {}, []
    try:
        with tarfile.open(fileobj=age.stdout, mode="r|") as tf:
            for m in tf:
                f = tf.extractfile(m)
                h = hashlib.sha256()
                n = 0
                while f is not None:
                    b = f.read(1 << 20)
                    if not b:
                        break
                    h.update(b)
                    n += len(b)
                out[m.name] = (n, h.hexdigest())
    except (tarfile.TarError, OSError) as e:
        problems.append("tar stream: %s" % e)
    # Drain what is left (padding) so age exits.
    while age.stdout.read(1 << 20):
        pass
    age.stdout.close()
    err = age.stderr.read()
    age.stderr.close()
    if age.wait(timeout) != 0:
        problems.append("age -d exited %d: %s" % (age.returncode, err.decode(errors="replace")))
    return out, problems


def inbox_path(server, sid):
    return os.path.join(server.inbox, sid + ".age")


def sha(b):
    return hashlib.sha256(b).hexdigest()

