"""A private Tor network on loopback, offline (Python 3 standard library only).

    net = TorNet(root)          # a fresh, empty directory of ours
    net.start(timeout=120)      # 3 authorities + 5 relays + a client; bounded
    net.socks_port, net.control_port, net.cookie_path, net.auth_dir
    net.include_text()          # torrc lines another tor needs to join
    net.stop()

Or from a shell: `python3 tornet.py start DIR` (prints the state as JSON and
leaves the network running), `python3 tornet.py stop DIR`.

The recipe (which options, in which order, why) is in README.md beside this
file.  Every wait is bounded; every socket is on 127.0.0.1; nothing here
contacts the outside world: the three DirAuthority lines replace the public
authorities in every torrc.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request

N_AUTH = 3
N_RELAY = 5
TOR = os.environ.get("RN_TOR", "tor")
TOR_GENCERT = os.environ.get("RN_TOR_GENCERT", "tor-gencert")


class TorNetError(Exception):
    pass


def have_tor():
    """(ok, why): tor and tor-gencert are installed."""
    for prog in (TOR, TOR_GENCERT):
        found = any(os.access(os.path.join(d, prog), os.X_OK)
                    for d in os.environ.get("PATH", "/usr/bin").split(":") + ["/usr/sbin"])
        if not found and not os.access(prog, os.X_OK):
            return False, "%s not found (apt-get install tor)" % prog
    return True, ""


def _tor_path(prog):
    if os.path.isabs(prog):
        return prog
    for d in os.environ.get("PATH", "/usr/bin").split(":") + ["/usr/sbin"]:
        p = os.path.join(d, prog)
        if os.access(p, os.X_OK):
            return p
    return prog


def free_ports(n):
    """n distinct free TCP ports on 127.0.0.1 (held open together while chosen)."""
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def _write(path, text, mode=0o600):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            st = f.read()
        return st[st.rindex(b")") + 2:st.rindex(b")") + 3] != b"Z"
    except (OSError, ValueError):
        return False


class Node:
    def __init__(self, net, kind, idx, orport=None, dirport=None):
        self.net = net
        self.kind = kind                  # "auth", "relay" or "client"
        self.nick = "%s%d" % ({"auth": "a", "relay": "r", "client": "c"}[kind], idx)
        self.dir = os.path.join(net.root, self.nick)
        self.orport = orport
        self.dirport = dirport
        self.fingerprint = None           # relay identity, hex
        self.v3ident = None               # authority certificate fingerprint
        self.pid = None

    @property
    def torrc(self):
        return os.path.join(self.dir, "torrc")

    @property
    def log(self):
        return os.path.join(self.dir, "notice.log")

    def read_pid(self):
        try:
            with open(os.path.join(self.dir, "tor.pid")) as f:
                self.pid = int(f.read().strip())
        except (OSError, ValueError):
            self.pid = None
        return self.pid


class TorNet:
    def __init__(self, root):
        self.root = os.path.abspath(root)
        self.empty = os.path.join(self.root, "empty")
        ports = free_ports(2 * N_AUTH + N_RELAY + 2)
        self.auths = [Node(self, "auth", i, ports[2 * i], ports[2 * i + 1])
                      for i in range(N_AUTH)]
        self.relays = [Node(self, "relay", i, ports[2 * N_AUTH + i]) for i in range(N_RELAY)]
        self.client = Node(self, "client", 0)
        self.socks_port = ports[-2]
        self.control_port = ports[-1]
        self.cookie_path = os.path.join(self.client.dir, "control_auth_cookie")
        self.auth_dir = os.path.join(self.client.dir, "onion_auth")
        self.t_start = None

    # -- keys

    def _keys(self):
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        os.chmod(self.root, 0o700)
        _write(self.empty, "")
        tor, gencert = _tor_path(TOR), _tor_path(TOR_GENCERT)
        procs = []
        for n in self.auths + self.relays:
            os.makedirs(os.path.join(n.dir, "keys"), mode=0o700, exist_ok=True)
            os.chmod(n.dir, 0o700)
            procs.append(subprocess.Popen(
                [tor, "--defaults-torrc", self.empty, "-f", self.empty, "--list-fingerprint",
                 "--DataDirectory", n.dir, "--ORPort", "1", "--Nickname", n.nick,
                 "--Log", "err stderr"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        for a in self.auths:
            procs.append(subprocess.Popen(
                [gencert, "--create-identity-key", "--passphrase-fd", "0", "-m", "12",
                 "-a", "127.0.0.1:%d" % a.dirport,
                 "-i", os.path.join(a.dir, "keys", "authority_identity_key"),
                 "-s", os.path.join(a.dir, "keys", "authority_signing_key"),
                 "-c", os.path.join(a.dir, "keys", "authority_certificate")],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                cwd=a.dir))
        for p in procs:
            try:
                _, err = p.communicate(b"\n" if p.stdin else None, timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                raise TorNetError("key generation timed out")
            if p.returncode != 0:
                raise TorNetError("key generation failed: %s" % err.decode(errors="replace"))
        for n in self.auths + self.relays:
            with open(os.path.join(n.dir, "fingerprint")) as f:
                n.fingerprint = f.read().split()[1]
        for a in self.auths:
            with open(os.path.join(a.dir, "keys", "authority_certificate")) as f:
                m = re.search(r"^fingerprint ([0-9A-F]{40})$", f.read(), re.M)
            if not m:
                raise TorNetError("no fingerprint in %s's certificate" % a.nick)
            a.v3ident = m.group(1)

    # -- torrc

    def dirauth_lines(self):
        return ["DirAuthority %s orport=%d v3ident=%s 127.0.0.1:%d %s"
                % (a.nick, a.orport, a.v3ident, a.dirport, a.fingerprint) for a in self.auths]

    def include_text(self):
        """Options any tor joining this network needs (for a torrc %include).

        Leaves out DataDirectory, Log, SocksPort, ControlPort and the like,
        which the joining tor's own torrc sets."""
        lines = ["TestingTorNetwork 1"] + self.dirauth_lines() + [
            "PathsNeededToBuildCircuits 0.67",
            "ClientUseIPv6 0",
            "GeoIPFile %s" % self.empty,
            "GeoIPv6File %s" % self.empty,
        ]
        return "\n".join(lines) + "\n"

    def _common(self, n):
        return ["TestingTorNetwork 1"] + self.dirauth_lines() + [
            "DataDirectory %s" % n.dir,
            "PidFile %s" % os.path.join(n.dir, "tor.pid"),
            "RunAsDaemon 1",
            "Nickname %s" % n.nick,
            "Log notice file %s" % n.log,
            "PathsNeededToBuildCircuits 0.67",
            "AddressDisableIPv6 1",
            "ClientUseIPv6 0",
            "ServerDNSResolvConfFile %s" % self.empty,
            "ServerDNSDetectHijacking 0",
            "GeoIPFile %s" % self.empty,
            "GeoIPv6File %s" % self.empty,
            "ShutdownWaitLength 0",
        ]

    def _relay_lines(self, n):
        return [
            "Address 127.0.0.1",
            "ORPort 127.0.0.1:%d" % n.orport,
            "SocksPort 0",
            "ExitRelay 0",
            "ExitPolicy reject *:*",
            "ContactInfo x",
            "AssumeReachable 1",
            "FetchDirInfoEarly 1",
            "FetchDirInfoExtraEarly 1",
        ]

    def _auth_lines(self, n):
        return [
            "AuthoritativeDirectory 1",
            "V3AuthoritativeDirectory 1",
            "DirPort 127.0.0.1:%d" % n.dirport,
            "TestingV3AuthInitialVotingInterval 10",
            "TestingV3AuthInitialVoteDelay 2",
            "TestingV3AuthInitialDistDelay 2",
            "V3AuthVotingInterval 20",
            "V3AuthVoteDelay 4",
            "V3AuthDistDelay 4",
            "V3AuthNIntervalsValid 3",
            "TestingDirAuthVoteGuard *",
            "TestingDirAuthVoteHSDir *",
            "TestingMinFastFlagThreshold 0",
            "AuthDirVoteStableGuaranteeMinUptime 0",
            "AuthDirVoteStableGuaranteeMTBF 0",
            "V3BandwidthsFile %s" % os.path.join(self.root, "bandwidths"),
        ]

    def _write_torrcs(self):
        bw = ["%d" % int(time.time())]
        bw += ["node_id=$%s bw=1000" % n.fingerprint for n in self.auths + self.relays]
        _write(os.path.join(self.root, "bandwidths"), "\n".join(bw) + "\n")
        for a in self.auths:
            _write(a.torrc, "\n".join(self._common(a) + self._relay_lines(a)
                                      + self._auth_lines(a)) + "\n")
        for r in self.relays:
            _write(r.torrc, "\n".join(self._common(r) + self._relay_lines(r)) + "\n")
        c = self.client
        os.makedirs(self.auth_dir, mode=0o700, exist_ok=True)
        os.chmod(c.dir, 0o700)
        _write(c.torrc, "\n".join(self._common(c) + [
            "SocksPort 127.0.0.1:%d ExtendedErrors" % self.socks_port,
            "ControlPort 127.0.0.1:%d" % self.control_port,
            "CookieAuthentication 1",
            "ClientOnionAuthDir %s" % self.auth_dir,
            # The rend domain at debug level: tests read what the client saw of
            # onion descriptors ("PoW params present in descriptor").
            "Log [rend]debug file %s" % os.path.join(c.dir, "rend.log"),
        ]) + "\n")

    # -- processes

    def _launch(self, n):
        tor = _tor_path(TOR)
        p = subprocess.run([tor, "--defaults-torrc", self.empty, "-f", n.torrc],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, timeout=60)
        if p.returncode != 0:
            raise TorNetError("%s did not start: %s" % (n.nick, p.stderr.decode(errors="replace")
                                                       [-2000:]))
        n.read_pid()

    def _consensus(self):
        url = "http://127.0.0.1:%d/tor/status-vote/current/consensus-microdesc" \
              % self.auths[0].dirport
        try:
            with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
                    url, timeout=2) as r:
                return r.read().decode("latin-1")
        except Exception:
            return ""

    @staticmethod
    def _valid_after(text):
        m = re.search(r"^valid-after (.*)$", text, re.M)
        return m.group(1) if m else None

    def _wait(self, what, pred, deadline, step=0.25):
        while True:
            v = pred()
            if v:
                return v
            if time.monotonic() >= deadline:
                raise TorNetError("timed out waiting for %s (%.0f s after start)"
                                  % (what, time.monotonic() - self.t_start))
            time.sleep(step)

    def _full_consensus(self):
        text = self._consensus()
        nicks = set(re.findall(r"^r (\S+) ", text, re.M))
        want = {n.nick for n in self.auths + self.relays}
        return self._valid_after(text) if want <= nicks else None

    def _relays_caught_up(self, va):
        for n in self.auths + self.relays:
            try:
                with open(os.path.join(n.dir, "cached-microdesc-consensus"), "rb") as f:
                    if self._valid_after(f.read(4096).decode("latin-1")) != va:
                        return False
            except OSError:
                return False
        return True

    def bootstrap(self):
        """The client's bootstrap percentage from its log, or 0."""
        try:
            with open(self.client.log) as f:
                found = re.findall(r"Bootstrapped (\d+)%", f.read())
        except OSError:
            return 0
        return int(found[-1]) if found else 0

    def start(self, timeout=150):
        self.t_start = time.monotonic()
        deadline = self.t_start + timeout
        self._keys()
        self._write_torrcs()
        # Authorities that vote within a second of starting miss relays in the
        # first consensus; start early in a 10-second interval.
        self._wait("a good moment to start", lambda: int(time.time()) % 10 <= 3, deadline)
        for n in self.auths + self.relays:
            self._launch(n)
        va = self._wait("a consensus listing every relay", self._full_consensus, deadline, 0.5)
        # HUP resets the relays' download backoff; then every relay must hold
        # that consensus, else clients meet "outdated md dirserver".
        for n in self.auths + self.relays:
            if n.read_pid():
                os.kill(n.pid, signal.SIGHUP)
        self._wait("relays to fetch the consensus",
                   lambda: self._relays_caught_up(self._full_consensus() or va), deadline, 0.5)
        self._launch(self.client)
        self._wait("the client to bootstrap", lambda: self.bootstrap() >= 100, deadline)
        self.save()
        return self

    def state(self):
        return {
            "root": self.root,
            "socks_port": self.socks_port,
            "control_port": self.control_port,
            "cookie_path": self.cookie_path,
            "auth_dir": self.auth_dir,
            "include": self.include_text(),
            "client_log": os.path.join(self.client.dir, "rend.log"),
            "pids": [n.pid for n in self.auths + self.relays + [self.client] if n.pid],
        }

    def save(self):
        _write(os.path.join(self.root, "state.json"), json.dumps(self.state(), indent=1))

    def pids(self):
        return [n.read_pid() for n in self.auths + self.relays + [self.client]
                if n.read_pid()]

    def stop(self, timeout=10):
        stop_pids(self.pids(), timeout)

    def logs_tail(self, n=20):
        out = []
        for node in self.auths + self.relays + [self.client]:
            try:
                with open(node.log) as f:
                    lines = f.read().splitlines()[-n:]
            except OSError:
                continue
            out.append("== %s\n%s" % (node.nick, "\n".join(lines)))
        return "\n".join(out)


def stop_pids(pids, timeout=10):
    """SIGTERM, then SIGKILL whatever is left after timeout seconds."""
    pids = [p for p in pids if p and _pid_alive(p)]
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(_pid_alive(p) for p in pids):
        time.sleep(0.1)
    for p in pids:
        if _pid_alive(p):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass


def control(state, *commands, timeout=10):
    """Send commands to the client's control port (COOKIE auth); the replies, as text."""
    with open(state["cookie_path"], "rb") as f:
        cookie = f.read()
    s = socket.create_connection(("127.0.0.1", state["control_port"]), timeout=timeout)
    out = []
    try:
        f = s.makefile("rwb")
        for cmd in ["AUTHENTICATE " + cookie.hex()] + list(commands):
            f.write(cmd.encode() + b"\r\n")
            f.flush()
            lines = []
            while True:
                line = f.readline(64 * 1024)
                if not line:
                    raise TorNetError("control connection closed after %r" % cmd.split()[0])
                lines.append(line.decode("latin-1").rstrip("\r\n"))
                if len(line) >= 4 and line[3:4] == b" ":
                    break
            out.append("\n".join(lines))
    finally:
        s.close()
    return out[1:]


def shared(tmp_root):
    """A running network: the one named by $RN_TORNET_DIR if it is alive, else a
    new one under tmp_root.  Returns (state, started_here)."""
    env = os.environ.get("RN_TORNET_DIR")
    if env:
        st = load_state(env)
        if st:
            return st, False
    net = TorNet(env or os.path.join(tmp_root, "tornet"))
    try:
        net.start()
    except Exception as e:
        tail = net.logs_tail(8)
        net.stop()
        raise TorNetError("%s\n%s" % (e, tail))
    return net.state(), True


def load_state(root):
    """The state of a running network in root, or None if any tor of it is gone."""
    try:
        with open(os.path.join(root, "state.json")) as f:
            st = json.load(f)
    except (OSError, ValueError):
        return None
    if not st.get("pids") or not all(_pid_alive(p) for p in st["pids"]):
        return None
    return st


def main(argv):
    if len(argv) != 3 or argv[1] not in ("start", "stop"):
        sys.stderr.write("usage: tornet.py start|stop DIR\n")
        return 64
    root = argv[2]
    if argv[1] == "stop":
        try:
            with open(os.path.join(root, "state.json")) as f:
                stop_pids(json.load(f).get("pids", []))
        except (OSError, ValueError):
            pass
        return 0
    net = TorNet(root)
    try:
        net.start()
    except (TorNetError, OSError, subprocess.SubprocessError) as e:
        sys.stderr.write("tornet: %s\n%s\n" % (e, net.logs_tail(5)))
        net.stop()
        return 1
    print(json.dumps(net.state(), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
