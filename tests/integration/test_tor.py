#!/usr/bin/env python3
"""roneod with Tor, end to end, on a private Tor network on loopback (tests/tornet).

roneod runs in launch mode: it starts its own tor (joined to the private
network through TorInclude), which publishes the public onion (from the torrc,
with the proof-of-work defense) and the editor onion (ADD_ONION, client
authorization).  Through the network's client: GET and a POST through the
public onion with curl --socks5-hostname; the editor onion refused without the
client key (SOCKS extended error 244) and reachable with it; the PoW defense
seen on both sides; the same addresses after a restart; tor gone after a stop.

Needs tor, tor-gencert, curl and openssl (skipped visibly without them).
Set RN_TORNET_DIR to reuse a network started with tests/tornet/tornet.py.
"""

import atexit
import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "tornet"))

import rnlib  # noqa: E402
import tornet  # noqa: E402

CTX = {}
TRIES = 3               # bounded retries of a fetch through the network
FETCH_TIMEOUT = 30      # seconds, one curl through the onion


def need_tools():
    ok, why = tornet.have_tor()
    if not ok:
        return why
    for prog in ("curl", "openssl"):
        if shutil.which(prog) is None:
            return "%s not found" % prog
    return None


def x25519_pair(dirpath):
    """(private bytes, public bytes) of a new X25519 key, from openssl."""
    der = os.path.join(dirpath, "x25519.der")
    subprocess.run(["openssl", "genpkey", "-algorithm", "x25519", "-outform", "DER",
                    "-out", der], check=True, capture_output=True, timeout=30)
    with open(der, "rb") as f:
        priv = f.read()[-32:]
    pub = subprocess.run(["openssl", "pkey", "-inform", "DER", "-in", der, "-pubout",
                          "-outform", "DER"], check=True, capture_output=True,
                         timeout=30).stdout[-32:]
    return priv, pub


def b32(raw):
    return base64.b32encode(raw).decode().rstrip("=")


def admin_status(server):
    path = os.path.join(server.data, "admin.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5 * rnlib.SCALE)
    try:
        s.connect(path)
        s.sendall(b"status\n")
        buf = b""
        while True:
            d = s.recv(65536)
            if not d:
                break
            buf += d
        return json.loads(buf.decode())
    except (OSError, ValueError):
        return None
    finally:
        s.close()


def onions(st):
    if not st or "tor" not in st:
        return {}
    return {o["name"]: o for o in st["tor"].get("onions", [])}


def curl(url, extra=()):
    """(http status or 0, body, stderr) through the network's SOCKS port, bounded retries."""
    socks = "127.0.0.1:%d" % CTX["net"]["socks_port"]
    last = (0, b"", "not tried")
    for _ in range(TRIES):
        p = subprocess.run(["curl", "-s", "-S", "-m", str(int(FETCH_TIMEOUT * rnlib.SCALE)),
                            "--socks5-hostname", socks, "-o", "-", "-w", "\n%{http_code}",
                            *extra, url], capture_output=True,
                           timeout=FETCH_TIMEOUT * rnlib.SCALE + 10)
        body, _, code = p.stdout.rpartition(b"\n")
        last = (int(code or b"0"), body, p.stderr.decode(errors="replace"))
        if last[0] != 0:
            return last
        time.sleep(1)
    return last


def socks_connect(host, port=80):
    """A SOCKS5 CONNECT to host:port with a domain name; (socket, reply code)."""
    s = socket.create_connection(("127.0.0.1", CTX["net"]["socks_port"]),
                                 timeout=FETCH_TIMEOUT * rnlib.SCALE)
    s.sendall(b"\x05\x01\x00")
    if s.recv(2) != b"\x05\x00":
        s.close()
        return None, -1
    h = host.encode()
    s.sendall(b"\x05\x01\x00\x03" + bytes([len(h)]) + h + port.to_bytes(2, "big"))
    rep = b""
    while len(rep) < 10:    # VER REP RSV ATYP=1 BND.ADDR(4) BND.PORT(2), as tor answers
        d = s.recv(10 - len(rep))
        if not d:
            break
        rep += d
    return s, (rep[1] if len(rep) >= 2 else -1)


def grep(path, text):
    try:
        with open(path, errors="replace") as f:
            return sum(1 for line in f if text in line)
    except OSError:
        return 0


def wait_uploaded(server, timeout=90):
    """Until the status says ready and every onion's descriptor was uploaded."""
    def ready():
        st = admin_status(server)
        o = onions(st)
        if st and st["tor"].get("state") == "ready" and o and \
                all(v.get("uploads", 0) > 0 for v in o.values()):
            return st
        return None
    return rnlib.wait_until(ready, timeout * rnlib.SCALE, step=0.5)


def make_server(tmp):
    inc = os.path.join(tmp, "tornet.torrc")
    srv = rnlib.Server(name="tor", conf={
        "TorMode": "launch",
        "TorInclude": inc,
        "EditorClientAuth": b32(CTX["client_pub"]),
        "ShutdownTimeout": 2,
    })
    with open(inc, "w") as f:
        # The service side logs at info level too: it says when PoW is set up.
        f.write(CTX["net"]["include"] + "Log info file %s/tor/info.log\n" % srv.data)
    os.chmod(inc, 0o644)
    return srv


# --------------------------------------------------------------------------

def test_network(tap):
    tmp = tempfile.mkdtemp(prefix="rn-tor-")
    os.chmod(tmp, 0o755)
    CTX["tmp"] = tmp
    t0 = time.monotonic()
    try:
        CTX["net"], CTX["net_ours"] = tornet.shared(tmp)
    except Exception as e:  # noqa: BLE001 - report, do not crash the plan
        tap.ok(False, "the private Tor network starts", str(e))
        return
    tap.ok(True, "the private Tor network starts (%.0f s)" % (time.monotonic() - t0))
    if CTX["net_ours"] and not os.environ.get("RN_KEEP_TMP"):
        atexit.register(tornet.stop_pids, CTX["net"]["pids"])
    CTX["client_priv"], CTX["client_pub"] = x25519_pair(tmp)


def test_launch(tap):
    if "net" not in CTX:
        tap.ok(False, "launch mode: no network")
        return
    srv = make_server(CTX["tmp"])
    CTX["srv"] = srv
    if not rnlib.start_or_fail(tap, srv, "launch mode"):
        return
    st = wait_uploaded(srv)
    if not tap.ok(st is not None, "launch mode: tor bootstraps and both descriptors are uploaded",
                  "status: %r\n%s" % (admin_status(srv), srv.log_tail())):
        return
    o = onions(st)
    CTX["public"], CTX["editor"] = o["public"]["address"], o["editor"]["address"]
    problems = []
    if st["tor"]["mode"] != "launch" or st["tor"]["bootstrap"] != 100:
        problems.append("status: %r" % st)
    if not o["public"]["pow"] or o["editor"]["pow"]:
        problems.append("pow flags: %r" % o)
    if not (st["tor"].get("socks") or "").startswith("127.0.0.1:"):
        problems.append("socks: %r" % st["tor"].get("socks"))
    mode = os.stat(os.path.join(srv.data, "admin.sock")).st_mode & 0o777
    if mode != 0o600:
        problems.append("admin.sock mode %o" % mode)
    for name in ("public", "editor"):
        d = os.path.join(srv.data, "onion", name)
        for f in ("hs_ed25519_secret_key", "hs_ed25519_public_key", "hostname"):
            m = os.stat(os.path.join(d, f)).st_mode & 0o777
            if m != 0o600:
                problems.append("%s/%s mode %o" % (name, f, m))
        with open(os.path.join(d, "hostname")) as f:
            if f.read() != o[name]["address"] + "\n":
                problems.append("%s/hostname differs from the status" % name)
    tap.check("launch mode: status over admin.sock (0600), keys stored 0600 in tor's format",
              problems)
    roneo = os.path.join(os.environ.get("RN_TOP_BUILDDIR", ""), "roneo")
    if not os.access(roneo, os.X_OK):
        tap.skip("roneo status shows the onions", "roneo not built")
        return
    p = subprocess.run([roneo, "status", "-D", srv.data], capture_output=True, text=True,
                       timeout=30)
    tap.ok(p.returncode == 0 and CTX["public"] in p.stdout and CTX["editor"] in p.stdout and
           "bootstrapped 100%" in p.stdout and "proof-of-work defense: on" in p.stdout,
           "roneo status shows bootstrap, both onions and the PoW defense",
           "rc %d\n%s%s" % (p.returncode, p.stdout, p.stderr))


def test_public_onion(tap):
    if "public" not in CTX:
        tap.ok(False, "public onion: not up")
        return
    url = "http://%s" % CTX["public"]
    code, body, err = curl(url + "/page.html")
    tap.ok(code == 200 and body == rnlib.FIXTURES["page.html"],
           "public onion: GET through curl --socks5-hostname returns the page",
           "status %d, %d bytes: %s" % (code, len(body), err))
    # Until the drop-box route lands, a POST to / shows a request body travelling
    # through the onion to roneod and an answer coming back (405: no POST there).
    code, body, err = curl(url + "/", ["-F", "message=hello through tor", "-F",
                                      "file=@%s" % os.path.join(CTX["srv"].public, "text.txt")])
    tap.ok(code in (200, 303, 400, 403, 404, 405, 413), "public onion: a multipart POST "
           "gets roneod's answer (%d)" % code, err)


def test_pow(tap):
    if "srv" not in CTX or "public" not in CTX:
        tap.ok(False, "PoW: no server")
        return
    log = os.path.join(CTX["srv"].data, "tor", "info.log")
    seeds = grep(log, "Generating both PoW seeds")
    enabled = grep(log, "Service PoW defenses are enabled")
    tap.ok(seeds == 1 and enabled >= 1,
           "PoW: the service's tor sets up the defense for the public onion only",
           "seed generations %d, 'enabled' lines %d in %s" % (seeds, enabled, log))
    client = CTX["net"].get("client_log", "")
    tap.ok(grep(client, "PoW params present in descriptor") >= 1,
           "PoW: the client found PoW parameters in the onion's descriptor", client)


def test_editor_onion(tap):
    if "editor" not in CTX:
        tap.ok(False, "editor onion: not up")
        return
    addr = CTX["editor"]
    s, code = socks_connect(addr)
    if s:
        s.close()
    tap.ok(code == 0xF4, "editor onion: refused without the client key (SOCKS error 244)",
           "reply code %r" % code)
    replies = tornet.control(CTX["net"], "ONION_CLIENT_AUTH_ADD %s x25519:%s" % (
        addr[:-len(".onion")], base64.b64encode(CTX["client_priv"]).decode()))
    code, head = -1, b""
    for _ in range(TRIES):
        s, code = socks_connect(addr)
        if code == 0:
            s.sendall(b"GET / HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % addr.encode())
            s.settimeout(FETCH_TIMEOUT * rnlib.SCALE)
            try:
                head = s.recv(64)
            except OSError:
                head = b""
        if s:
            s.close()
        if head.startswith(b"HTTP/1.1 "):
            break
        time.sleep(1)
    tap.ok(head.startswith(b"HTTP/1.1 "), "editor onion: reachable with the client key",
           "auth add: %r; SOCKS %r; answer %r" % (replies, code, head))


def test_restart(tap):
    srv = CTX.get("srv")
    if srv is None or "public" not in CTX:
        tap.ok(False, "restart: no server")
        return
    keyfile = os.path.join(srv.data, "onion", "public", "hs_ed25519_secret_key")
    with open(keyfile, "rb") as f:
        before = hashlib.sha256(f.read()).hexdigest()
    srv.stop_check(tap, "restart: roneod stops cleanly")
    gone = rnlib.wait_until(lambda: not tor_pids(srv), 10 * rnlib.SCALE)
    tap.ok(gone, "restart: the launched tor exits with roneod", "left: %r" % tor_pids(srv))
    if not rnlib.start_or_fail(tap, srv, "restart"):
        return
    st = wait_uploaded(srv)
    o = onions(st)
    with open(keyfile, "rb") as f:
        after = hashlib.sha256(f.read()).hexdigest()
    tap.ok(o.get("public", {}).get("address") == CTX["public"] and
           o.get("editor", {}).get("address") == CTX["editor"] and before == after,
           "restart: the same onion addresses and key", "status %r" % st)
    code, body, err = curl("http://%s/page.html" % CTX["public"])
    tap.ok(code == 200, "restart: the public onion answers again", "%d %s" % (code, err))
    # A reload replaces the configuration; the onion addresses stay in HostName.
    srv.send_signal(signal.SIGHUP)
    rnlib.wait_until(lambda: "configuration reloaded" in srv.log(), 5 * rnlib.SCALE)
    code, body, err = curl("http://%s/page.html" % CTX["public"])
    tap.ok(code == 200, "reload: the public onion still answers (not 421)", "%d %s" % (code, err))
    srv.stop_check(tap, "roneod stops cleanly at the end")


def test_control_mode(tap):
    """Control mode on the network's client tor: ADD_ONION with PoW, DEL_ONION on stop."""
    if "net" not in CTX:
        tap.ok(False, "control mode: no network")
        return
    srv = rnlib.Server(name="torctl", conf={
        "TorMode": "control",
        "TorControl": "127.0.0.1:%d" % CTX["net"]["control_port"],
        "ShutdownTimeout": 2,
    })
    if not rnlib.start_or_fail(tap, srv, "control mode"):
        return
    st = wait_uploaded(srv)
    o = onions(st)
    if not tap.ok(st is not None and list(o) == ["public"] and o["public"]["pow"],
                  "control mode: ADD_ONION (PoW on) and the descriptor is uploaded",
                  "status %r\n%s" % (admin_status(srv), srv.log_tail())):
        srv.stop()
        return
    addr = o["public"]["address"]
    code, body, err = curl("http://%s/page.html" % addr)
    tap.ok(code == 200 and body == rnlib.FIXTURES["page.html"],
           "control mode: the onion forwards to Listen", "%d %s" % (code, err))
    srv.stop_check(tap, "control mode: roneod stops cleanly")
    removed = srv.log().count("tor: onion removed (DEL_ONION)")
    p = subprocess.run(["curl", "-s", "-m", str(int(20 * rnlib.SCALE)), "--socks5-hostname",
                        "127.0.0.1:%d" % CTX["net"]["socks_port"], "-o", "/dev/null",
                        "-w", "%{http_code}", "http://%s/" % addr], capture_output=True,
                       timeout=20 * rnlib.SCALE + 10)
    tap.ok(removed == 1 and p.stdout.strip() in (b"000", b""),
           "control mode: DEL_ONION on stop, and the onion no longer answers",
           "DEL_ONION lines %d; curl %r %r" % (removed, p.stdout, p.stderr))
    CTX["control_key_dir"] = os.path.join(srv.data, "onion", "public")
    CTX["control_addr"] = addr


def test_system_mode(tap):
    """System mode: the address from HiddenServiceDir/hostname, status from TorControl."""
    if "control_key_dir" not in CTX:
        tap.ok(False, "system mode: no key directory from the control-mode test")
        return
    srv = rnlib.Server(name="torsys", conf={
        "TorMode": "system",
        "TorHiddenServiceDir": CTX["control_key_dir"],
        "TorControl": "127.0.0.1:%d" % CTX["net"]["control_port"],
        "ShutdownTimeout": 2,
    })
    if not rnlib.start_or_fail(tap, srv, "system mode"):
        return

    def ready():
        st = admin_status(srv)
        return st if st and st["tor"].get("state") == "ready" else None
    st = rnlib.wait_until(ready, 30 * rnlib.SCALE, step=0.2)
    o = onions(st)
    tap.ok(st is not None and o.get("public", {}).get("address") == CTX["control_addr"] and
           st["tor"]["bootstrap"] == 100,
           "system mode: the address read from hostname, tor's status over TorControl",
           "status %r" % admin_status(srv))
    srv.stop_check(tap, "system mode: roneod stops cleanly")


def tor_pids(srv):
    """tor processes started with this server's DataDirectory."""
    out = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            cmd = b" ".join(rnlib.cmdline(int(name)))
            if b"tor" in cmd and srv.data.encode() + b"/tor/torrc" in cmd:
                out.append(int(name))
    return out


def teardown(tap):
    if CTX.get("net_ours") and not os.environ.get("RN_KEEP_TMP"):
        tornet.stop_pids(CTX["net"]["pids"])
    if CTX.get("tmp") and not os.environ.get("RN_KEEP_TMP"):
        shutil.rmtree(CTX["tmp"], ignore_errors=True)
    tap.comment("tornet torn down")


if __name__ == "__main__":
    rnlib.require_roneod()
    why = need_tools()
    if why:
        print("1..0 # SKIP %s" % why)
        sys.exit(0)
    rnlib.run([test_network, test_launch, test_public_onion, test_pow, test_editor_onion,
               test_restart, test_control_mode, test_system_mode, teardown])
