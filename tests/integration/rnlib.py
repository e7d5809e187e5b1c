"""Integration-test harness for roneod (Python 3 standard library only).

A Server is a real roneod in a private temporary directory: a PublicDirectory
with fixture files, a free 127.0.0.1 port plus a unix socket, a generated
roneod.conf and stderr captured to a file.  Conn is a raw-socket HTTP/1.1
client that sends exactly the bytes it is given and parses responses with
bounded timeouts.  Tap prints TAP for automake's tap-driver.

Every loop and wait here is bounded.  Timeouts (never assertions) are
multiplied by SCALE, which is 3 for sanitizer builds of roneod (detected from
the binary) and can be forced with RN_TEST_SCALE.

Environment: RONEOD (path of the daemon), RN_TOP_SRCDIR, RN_TOP_BUILDDIR,
RN_KEEP_TMP=1 to keep the temporary directories for post-mortems.
"""

import atexit
import gzip
import hashlib
import os
import pwd
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

RONEOD = os.environ.get("RONEOD", "")

CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")

# Strings that mean a sanitizer or a crash report in a log.
_BAD_LOG = re.compile(r"AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|"
                      r"runtime error:|Segmentation fault|Assertion .* failed|"
                      r"stack-buffer|heap-buffer|use-after-free")


# --------------------------------------------------------------------------
# TAP

class Tap:
    """TAP producer with a trailing plan (so the count need not be known)."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    @staticmethod
    def _clean(desc):
        # '#' would start a TAP directive; newlines would break the line.
        return desc.replace("#", "no.").replace("\n", " ").replace("\r", " ")

    def ok(self, cond, desc, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, self._clean(desc)))
        if not cond and diag:
            self.diag(diag)
        sys.stdout.flush()
        return bool(cond)

    def check(self, desc, problems):
        """ok if the list of problem strings is empty; else diag them."""
        return self.ok(not problems, desc, "\n".join(problems))

    def skip(self, desc, reason):
        self.n += 1
        print("ok %d - %s # SKIP %s" % (self.n, self._clean(desc), self._clean(reason)))
        sys.stdout.flush()

    def diag(self, text):
        for line in str(text).splitlines() or [""]:
            print("# " + line)
        sys.stdout.flush()

    comment = diag

    def done(self):
        print("1..%d" % self.n)
        sys.stdout.flush()


def require_roneod():
    """Print a skip-all plan and exit if the daemon is not built."""
    if not RONEOD or not os.path.isfile(RONEOD) or not os.access(RONEOD, os.X_OK):
        print("1..0 # SKIP roneod not built")
        sys.exit(0)


def run(tests):
    """Run test functions f(tap) in order; exceptions become failures.

    Always ends with the plan, stops every server, and exits 0: the TAP
    driver does the counting.
    """
    require_roneod()
    raise_nofile(4096)
    tap = Tap()
    tap.comment("roneod: %s (timeout scale %.1f)" % (RONEOD, SCALE))
    for t in tests:
        t0 = time.monotonic()
        try:
            t(tap)
        except Exception:
            tap.ok(False, "%s: raised an exception" % t.__name__, traceback.format_exc())
        tap.comment("%s: %.2f s" % (t.__name__, time.monotonic() - t0))
    cleanup()
    tap.done()
    sys.exit(0)


# --------------------------------------------------------------------------
# Environment

def _sanitized():
    try:
        with open(RONEOD, "rb") as f:
            data = f.read(64 << 20)
    except OSError:
        return False
    return b"__asan_init" in data or b"__tsan_init" in data or b"__msan_init" in data


def _scale():
    v = os.environ.get("RN_TEST_SCALE")
    if v:
        try:
            return max(1.0, float(v))
        except ValueError:
            pass
    return 3.0 if RONEOD and _sanitized() else 1.0


SCALE = _scale()
SANITIZED = SCALE > 1.0 and not os.environ.get("RN_TEST_SCALE")


def raise_nofile(want):
    """Raise RLIMIT_NOFILE's soft limit towards want; return the new soft limit."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= want:
        return soft
    new = want if hard == resource.RLIM_INFINITY else min(want, hard)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (new, hard))
        return new
    except (ValueError, OSError):
        return soft


def run_user():
    """The User option to pass when running as root, else None."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("roneo")
        return "roneo"
    except KeyError:
        return "nobody"


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is not alive for our purposes.
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            st = f.read()
        return st[st.rindex(b")") + 2:st.rindex(b")") + 3] != b"Z"
    except (OSError, ValueError):
        return False


def children_of(ppid):
    """Pids whose parent is ppid (from /proc/*/stat)."""
    out = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return out
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                st = f.read()
        except OSError:
            continue
        try:
            rest = st[st.rindex(b")") + 2:].split()
            if rest[0] != b"Z" and int(rest[1]) == ppid:
                out.append(int(name))
        except (ValueError, IndexError):
            continue
    return sorted(out)


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().split(b"\0")
    except OSError:
        return []


def rss_kib(pid):
    """VmRSS of pid in KiB, or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def wait_until(pred, timeout, step=0.02):
    """Poll pred() until true or timeout (seconds, already scaled by caller)."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= deadline:
            return v
        time.sleep(min(step, max(0.0, deadline - time.monotonic())))


# --------------------------------------------------------------------------
# Fixtures

def _fixtures():
    rnd = random.Random(0x524F4E45)
    page = ["<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<title>Fixture page</title></head><body>\n"]
    i = 0
    while sum(len(p) for p in page) < 6 * 1024 - 40:
        page.append("<p>Paragraph %d of the fixture page, some words.</p>\n" % i)
        i += 1
    page.append("</body></html>\n")
    text = "".join("line %05d: the quick brown fox jumps over the lazy dog %d\n"
                   % (n, rnd.randrange(1 << 30)) for n in range(400))
    text_b = text.encode()
    return {
        "page.html": "".join(page).encode(),
        "blob.bin": rnd.randbytes(200 * 1024),
        "text.txt": text_b,
        "text.txt.gz": gzip.compress(text_b, compresslevel=9, mtime=0),
        "sub/index.html": b"<!doctype html><title>sub</title><p>SUB-INDEX-MARKER</p>\n",
        ".hidden": b"DOTFILE-SECRET\n",
        "sub/.env": b"DOTFILE-SECRET-2\n",
    }


FIXTURES = _fixtures()
OUTSIDE_MARKER = b"RN-OUTSIDE-SECRET-4c1d"
_BIG_CACHE = {}


def big_content(size):
    if size not in _BIG_CACHE:
        _BIG_CACHE[size] = random.Random(size).randbytes(size)
    return _BIG_CACHE[size]


def sha256(b):
    return hashlib.sha256(b).hexdigest()


# --------------------------------------------------------------------------
# Requests and responses

def req(method="GET", path="/", host="127.0.0.1", headers=(), version="HTTP/1.1",
        body=b""):
    """Build raw request bytes.  headers: (name, value) pairs or raw str lines."""
    lines = ["%s %s %s" % (method, path, version)]
    if host is not None:
        lines.append("Host: %s" % host)
    for h in headers:
        lines.append(h if isinstance(h, str) else "%s: %s" % h)
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return raw + body


class Response:
    def __init__(self, version, status, reason, headers, body, raw_head):
        self.version = version
        self.status = status
        self.reason = reason
        self.headers = headers      # list of (name, value) as received
        self.body = body
        self.raw_head = raw_head

    def h(self, name):
        name = name.lower()
        for k, v in self.headers:
            if k.lower() == name:
                return v
        return None

    def hall(self, name):
        name = name.lower()
        return [v for k, v in self.headers if k.lower() == name]

    def has(self, name):
        return self.h(name) is not None

    def conn_close(self):
        v = self.h("Connection")
        return v is not None and "close" in [t.strip().lower() for t in v.split(",")]

    def __repr__(self):
        return "<Response %s %s %s, %d body bytes>" % (self.version, self.status,
                                                       self.reason, len(self.body))


class ProtoError(Exception):
    pass


def _parse_head(head):
    """Parse a response head (bytes up to and excluding CRLFCRLF)."""
    lines = head.split(b"\r\n")
    m = re.match(rb"^(HTTP/1\.[01]) ([0-9]{3}) ?(.*)$", lines[0])
    if not m:
        raise ProtoError("bad status line %r" % lines[0][:100])
    headers = []
    for ln in lines[1:]:
        if b"\n" in ln or b"\r" in ln:
            raise ProtoError("bare CR or LF in response head")
        if ln[:1] in (b" ", b"\t"):
            raise ProtoError("obs-fold in response")
        if b":" not in ln:
            raise ProtoError("header without colon %r" % ln[:100])
        k, v = ln.split(b":", 1)
        headers.append((k.decode("latin-1"), v.strip(b" \t").decode("latin-1")))
    return (m.group(1).decode(), int(m.group(2)), m.group(3).decode("latin-1"), headers)


class Conn:
    """A raw client connection (TCP to 127.0.0.1:port, or a unix socket path)."""

    def __init__(self, addr, timeout=5.0, rcvbuf=None, connect_timeout=5.0):
        if isinstance(addr, str):
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.timeout = timeout * SCALE
        self.sock.settimeout(connect_timeout * SCALE)
        try:
            self.sock.connect(addr)
        except Exception:
            self.sock.close()
            raise
        self.buf = b""
        self.eof = False
        self.reset = False
        self.error = None
        self.interim = []       # 1xx responses seen

    @property
    def local_port(self):
        try:
            return self.sock.getsockname()[1]
        except (OSError, IndexError, TypeError):
            return None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    def send(self, data):
        """Send all bytes; False if the peer has closed or reset."""
        try:
            self.sock.settimeout(self.timeout)
            self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError) as e:
            self.error = "send: %s" % e
            return False

    def _fill(self, deadline, maxread=262144):
        """Read once; False on timeout or EOF."""
        if self.eof:
            return False
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            d = self.sock.recv(maxread)
        except socket.timeout:
            return False
        except ConnectionResetError:
            self.eof = self.reset = True
            return False
        except OSError as e:
            self.error = "recv: %s" % e
            self.eof = True
            return False
        if not d:
            self.eof = True
            return False
        self.buf += d
        return True

    def read_response(self, method="GET", timeout=None):
        """The next response (1xx skipped into self.interim) or None (see self.error)."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout * SCALE)
        while True:
            r = self._read_one(method, deadline)
            if r is None or r.status >= 200 or r.status == 101:
                return r
            self.interim.append(r)

    def _read_one(self, method, deadline):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > 1 << 20:
                self.error = "response head over 1 MiB"
                return None
            if not self._fill(deadline):
                self.error = self.error or ("connection closed before a response"
                                            if self.eof else "timeout waiting for a response")
                if self.buf:
                    self.error += " (partial: %r)" % self.buf[:200]
                return None
        i = self.buf.index(b"\r\n\r\n")
        head, self.buf = self.buf[:i], self.buf[i + 4:]
        try:
            version, status, reason, headers = _parse_head(head)
        except ProtoError as e:
            self.error = str(e)
            return None
        r = Response(version, status, reason, headers, b"", head)
        if method == "HEAD" or status < 200 or status in (204, 304):
            return r
        cl = r.hall("Content-Length")
        if len(cl) > 1 or (cl and not cl[0].isdigit()):
            self.error = "bad Content-Length in response: %r" % cl
            return None
        if not cl:
            while self._fill(deadline):
                pass
            if not self.eof:
                self.error = "no Content-Length and no close"
                return None
            r.body, self.buf = self.buf, b""
            return r
        n = int(cl[0])
        while len(self.buf) < n:
            if not self._fill(deadline, max(65536, min(n - len(self.buf), 1 << 22))):
                self.error = "body truncated: %d of %d bytes (%s)" % (
                    len(self.buf), n, "closed" if self.eof else "timeout")
                return None
        r.body, self.buf = self.buf[:n], self.buf[n:]
        return r

    def wait_closed(self, timeout=2.0):
        """Wait for the server to close.  Returns (closed, extra_bytes)."""
        deadline = time.monotonic() + timeout * SCALE
        extra = self.buf
        self.buf = b""
        while not self.eof and time.monotonic() < deadline:
            if self._fill(deadline):
                extra += self.buf
                self.buf = b""
        return self.eof, extra

    def is_open(self, wait=0.05):
        """True if nothing (neither data nor EOF) arrives within wait seconds."""
        if self.eof:
            return False
        deadline = time.monotonic() + wait
        if self._fill(deadline):
            return False    # unexpected data
        return not self.eof

    def request(self, raw, method="GET", timeout=None):
        if not self.send(raw):
            # The server may already have answered and closed: read anyway.
            pass
        return self.read_response(method, timeout)


# --------------------------------------------------------------------------
# The daemon

_SERVERS = []


DURATIONS = ("ShutdownTimeout", "HeaderTimeout", "IdleTimeout", "WriteTimeout",
             "BodyRateWindow")


def _fmt(k, v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if k in DURATIONS and isinstance(v, int):
        return "%d seconds" % v
    return str(v)


class Server:
    """One roneod instance in its own temporary directory.

    conf: dict of option -> value (a list for repeatable keys; None removes
    one of the defaults).  big: size of public/big.bin.
    """

    def __init__(self, conf=None, name="main", big=4 << 20, data_dir=None,
                 unix=True, fixtures=True):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="rn-integ-%s-" % name)
        os.chmod(self.dir, 0o755)
        self.data = data_dir or os.path.join(self.dir, "data")
        self.public = os.path.join(self.dir, "public")
        self.port = free_port()
        self.sock_path = os.path.join(self.dir, "http.sock") if unix else None
        self.conf_path = os.path.join(self.dir, "roneod.conf")
        self.log_path = os.path.join(self.dir, "stderr.log")
        self.out_path = os.path.join(self.dir, "stdout.log")
        self.big_size = big
        self.proc = None
        self.rc = None
        self.killed = False
        self.orphans = []
        self.seen_children = set()
        self.start_error = None
        opts = {
            "DataDirectory": self.data,
            "PublicDirectory": self.public,
            "Listen": ["127.0.0.1:%d" % self.port]
                      + (["unix:%s" % self.sock_path] if unix else []),
            "HostName": ["localhost", "127.0.0.1"],
            "LogLevel": "info",
            # No tor: tests that need one use tests/tornet and pass their own TorMode.
            "TorMode": "off",
        }
        user = run_user()
        if user:
            opts["User"] = user
        for k, v in (conf or {}).items():
            if v is None:
                opts.pop(k, None)
            else:
                opts[k] = v
        self.opts = opts
        if fixtures:
            self._make_fixtures()
        self.write_conf()
        _SERVERS.append(self)

    # -- files

    def _make_fixtures(self):
        os.makedirs(self.public, exist_ok=True)
        os.chmod(self.public, 0o755)
        files = dict(FIXTURES)
        files["big.bin"] = big_content(self.big_size)
        for rel, content in files.items():
            p = os.path.join(self.public, rel)
            d = os.path.dirname(p)
            os.makedirs(d, exist_ok=True)
            os.chmod(d, 0o755)
            with open(p, "wb") as f:
                f.write(content)
            os.chmod(p, 0o644)
        with open(os.path.join(self.dir, "secret.txt"), "wb") as f:
            f.write(OUTSIDE_MARKER + b"\n")
        os.chmod(os.path.join(self.dir, "secret.txt"), 0o644)
        os.symlink("../secret.txt", os.path.join(self.public, "link.txt"))
        os.symlink("../..", os.path.join(self.public, "sub", "up"))

    def conf_text(self, opts=None):
        lines = ["# generated by tests/integration/rnlib.py"]
        for k, v in (self.opts if opts is None else opts).items():
            for item in (v if isinstance(v, (list, tuple)) else [v]):
                lines.append("%s %s" % (k, _fmt(k, item)))
        return "\n".join(lines) + "\n"

    def write_conf(self, text=None):
        tmp = self.conf_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(self.conf_text() if text is None else text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, self.conf_path)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=30):
        return "\n".join(self.log().splitlines()[-n:])

    def log_problems(self):
        return [ln for ln in self.log().splitlines() if _BAD_LOG.search(ln)]

    # -- lifecycle

    def start(self, args=None, wait=True, timeout=10.0, new_session=False):
        """Start roneod -f conf; with wait, until GET / answers.  Returns bool.

        new_session: roneod leads its own process group (os.killpg(pid, ...))."""
        argv = [RONEOD, "-f", self.conf_path] if args is None else [RONEOD] + list(args)
        self.logf = open(self.log_path, "ab")
        self.outf = open(self.out_path, "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.outf,
                                     stderr=self.logf, close_fds=True,
                                     start_new_session=new_session)
        self.rc = None
        if not wait:
            return True
        return self.wait_ready(timeout)

    def wait_ready(self, timeout=10.0):
        """Until a GET / gets any response (bounded: timeout, not scaled past 10 s * SCALE)."""
        deadline = time.monotonic() + timeout * SCALE
        last = "no attempt"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.rc = self.proc.returncode
                self.start_error = "roneod exited with %d during startup:\n%s" % (
                    self.rc, self.log_tail())
                return False
            try:
                left = max(0.1, deadline - time.monotonic())
                with Conn(("127.0.0.1", self.port), timeout=left / SCALE,
                          connect_timeout=0.5) as c:
                    r = c.request(req(headers=["Connection: close"]))
                    if r is not None:
                        c.wait_closed(1.0)
                        self.http_pid(timeout=2.0)
                        return True
                    last = c.error
            except (ConnectionRefusedError, FileNotFoundError, socket.timeout) as e:
                last = str(e)
            except OSError as e:
                last = str(e)
            time.sleep(0.02)
        self.start_error = "not ready after %.1f s (%s):\n%s" % (timeout * SCALE, last,
                                                                 self.log_tail())
        return False

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def http_pid(self, timeout=0.0):
        """The pid of the http child (a child whose argv mentions http), or None."""
        def find():
            if not self.running():
                return None
            kids = children_of(self.proc.pid)
            self.seen_children.update(kids)
            for k in kids:
                if b"http" in cmdline(k):
                    return k
            return kids[0] if kids else None
        return wait_until(find, timeout * SCALE) if timeout else find()

    def send_signal(self, sig):
        if self.running():
            os.kill(self.proc.pid, sig)

    def wait_exit(self, timeout):
        """Wait for the parent to exit (timeout scaled); its exit code or None."""
        if self.proc is None:
            return None
        try:
            self.rc = self.proc.wait(timeout * SCALE)
        except subprocess.TimeoutExpired:
            return None
        return self.rc

    def stop(self, sig=signal.SIGTERM, timeout=None):
        """Signal the parent and wait; SIGKILL after timeout (sets self.killed).

        Returns the exit code (negative: killed by that signal)."""
        if self.proc is None:
            return None
        if timeout is None:
            timeout = float(self.opts.get("ShutdownTimeout", 10)) + 5.0
        if self.proc.poll() is None:
            self.http_pid()
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            if self.wait_exit(timeout) is None:
                self.killed = True
                self.proc.kill()
                self.proc.wait(10)
        self.rc = self.proc.returncode
        # Children must not outlive the parent.
        for k in sorted(self.seen_children):
            if wait_until(lambda: not pid_alive(k), 2.0 * SCALE):
                continue
            self.orphans.append(k)
            try:
                os.kill(k, signal.SIGKILL)
            except OSError:
                pass
        for f in (getattr(self, "logf", None), getattr(self, "outf", None)):
            if f:
                f.close()
        return self.rc

    def stop_check(self, tap, desc=None, sig=signal.SIGTERM):
        """Stop and report one TAP line: exit 0, in time, no orphans, clean log."""
        rc = self.stop(sig)
        problems = []
        if self.killed:
            problems.append("did not exit in time; killed with SIGKILL")
        elif rc != 0:
            problems.append("exit code %r, wanted 0" % rc)
        if self.orphans:
            problems.append("children outlived the parent: %r" % self.orphans)
        bad = self.log_problems()
        if bad:
            problems.append("sanitizer/crash lines in the log:\n" + "\n".join(bad[:20]))
        if problems:
            problems.append("log tail:\n" + self.log_tail())
        return tap.check(desc or "%s: stops on %s with exit 0, no children left, clean log"
                         % (self.name, signal.Signals(sig).name), problems)

    def cleanup(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                pass
        for k in self.seen_children:
            try:
                os.kill(k, signal.SIGKILL)
            except OSError:
                pass
        if not os.environ.get("RN_KEEP_TMP"):
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- clients

    @property
    def addr(self):
        return ("127.0.0.1", self.port)

    def conn(self, **kw):
        return Conn(self.addr, **kw)

    def uconn(self, **kw):
        return Conn(self.sock_path, **kw)

    def get(self, path="/", host="127.0.0.1", headers=(), method="GET", timeout=None,
            version="HTTP/1.1", unix=False):
        """One request on a fresh connection (Connection: close).  Response or None."""
        try:
            c = self.uconn() if unix else self.conn()
        except OSError:
            return None
        with c:
            r = c.request(req(method, path, host, list(headers) + ["Connection: close"],
                              version), method, timeout)
            self.last_error = c.error
            return r

    def healthy(self, timeout=5.0):
        """(ok, why): the parent runs and a normal GET / on a fresh connection is 200."""
        if not self.running():
            return False, "parent not running (exit %r)" % (self.proc.poll() if self.proc
                                                           else None)
        try:
            r = self.get("/", timeout=timeout)
        except OSError as e:
            return False, "connect: %s" % e
        if r is None:
            return False, "no response: %s" % self.last_error
        if r.status != 200:
            return False, "GET / answered %d" % r.status
        return True, ""


def cleanup():
    for s in _SERVERS:
        try:
            if s.proc is not None and s.proc.poll() is None:
                s.stop(timeout=5.0)
        except Exception:
            pass
        s.cleanup()
    del _SERVERS[:]


atexit.register(cleanup)


def start_or_fail(tap, server, what):
    """Start; on failure report one not-ok line and return False."""
    if server.start():
        return True
    tap.ok(False, "%s: roneod starts" % what, server.start_error)
    return False


def security_header_problems(r, cache=None):
    """The spec's per-response header rules, as a list of problems."""
    p = []
    if r.h("Content-Security-Policy") != CSP:
        p.append("Content-Security-Policy is %r" % r.h("Content-Security-Policy"))
    if r.h("Referrer-Policy") != "no-referrer":
        p.append("Referrer-Policy is %r" % r.h("Referrer-Policy"))
    if r.h("X-Content-Type-Options") != "nosniff":
        p.append("X-Content-Type-Options is %r" % r.h("X-Content-Type-Options"))
    for bad in ("Server", "Date", "Transfer-Encoding", "X-Powered-By"):
        if r.has(bad):
            p.append("has a %s header: %r" % (bad, r.h(bad)))
    if not r.has("Content-Length"):
        p.append("no Content-Length")
    for name in ("Content-Security-Policy", "Referrer-Policy", "X-Content-Type-Options",
                 "Content-Length", "Content-Type", "ETag", "Connection", "Cache-Control"):
        if len(r.hall(name)) > 1:
            p.append("%s appears %d times" % (name, len(r.hall(name))))
    if cache is not None and r.h("Cache-Control") != cache:
        p.append("Cache-Control is %r, wanted %r" % (r.h("Cache-Control"), cache))
    return p


ETAG_RE = re.compile(r'^"[0-9a-f]{32}"$')
