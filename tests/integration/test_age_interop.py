#!/usr/bin/env python3
"""Interop of roneo's age writer and reader (through tests/tools/rn-age) with
the real age CLI, both ways: `age -d` opens what roneo seals, and roneo opens
what `age -r` encrypts, for sizes around the 64 KiB chunk (empty, one byte,
one chunk exactly, one more byte, several chunks) and for one and several
recipients, keys made by either side.  Also: tampering and wrong keys fail on
both sides, and roneo refuses armored files.

Skips (visibly) only when the age CLI is not installed.
Environment: RN_TOP_BUILDDIR (where tests/tools/rn-age is built).
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rnlib import Tap  # noqa: E402

CHUNK = 65536
SIZES = [0, 1, 1000, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 1,
         (1 << 20) + 12345]
TIMEOUT = 120


def rn_age_path():
    build = os.environ.get("RN_TOP_BUILDDIR", ".")
    return os.path.join(build, "tests", "tools", "rn-age")


def run(argv, data=b"", check=False):
    p = subprocess.run(argv, input=data, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT)
    if check and p.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (argv[0], p.returncode,
                                                  p.stderr.decode(errors="replace")))
    return p


def payload(size, seed):
    """Deterministic incompressible-looking bytes."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(b"%d:%d" % (seed, counter)).digest()
        counter += 1
    return bytes(out[:size])


class Keys:
    """Identity files made by rn-age keygen and by age-keygen, with their recipients."""

    def __init__(self, tmp, rn_age):
        self.files = []
        self.recipients = []
        for i in range(4):
            path = os.path.join(tmp, "key%d.txt" % i)
            if i % 2 == 0:
                text = run([rn_age, "keygen"], check=True).stdout
                with open(path, "wb") as f:
                    f.write(text)
            else:
                run(["age-keygen", "-o", path], check=True)
            rcpt = run(["age-keygen", "-y", path], check=True).stdout.decode().strip()
            self.files.append(path)
            self.recipients.append(rcpt)


def age_flags(recipients):
    flags = []
    for r in recipients:
        flags += ["-r", r]
    return flags


def test_keygen(tap, tmp, rn_age):
    out = run([rn_age, "keygen"], check=True).stdout.decode()
    lines = out.splitlines()
    path = os.path.join(tmp, "kg.txt")
    with open(path, "w") as f:
        f.write(out)
    pub = [ln.split(": ", 1)[1] for ln in lines if ln.startswith("# public key: ")]
    sk = [ln for ln in lines if ln.startswith("AGE-SECRET-KEY-1")]
    derived = run(["age-keygen", "-y", path]).stdout.decode().strip()
    tap.ok(len(pub) == 1 and len(sk) == 1 and derived == pub[0],
           "rn-age keygen: age-keygen -y derives the recipient it printed",
           "printed %r, age-keygen -y says %r" % (pub, derived))


def test_roneo_to_age(tap, tmp, rn_age, keys):
    for nrcpt in (1, 4):
        rcpts = keys.recipients[:nrcpt]
        for size in SIZES:
            data = payload(size, size + nrcpt)
            sealed = run([rn_age, "seal"] + rcpts, data)
            problems = []
            if sealed.returncode != 0:
                problems.append("rn-age seal: " + sealed.stderr.decode(errors="replace"))
            else:
                path = os.path.join(tmp, "sealed.age")
                with open(path, "wb") as f:
                    f.write(sealed.stdout)
                for key in keys.files[:nrcpt]:
                    p = run(["age", "-d", "-i", key, path])
                    if p.returncode != 0 or p.stdout != data:
                        problems.append("age -d -i %s: rc %d, %d bytes, %s" % (
                            os.path.basename(key), p.returncode, len(p.stdout),
                            p.stderr.decode(errors="replace").strip()))
            tap.check("age -d opens roneo's seal of %d bytes to %d recipient(s)" %
                      (size, nrcpt), problems)


def test_age_to_roneo(tap, tmp, rn_age, keys):
    for nrcpt in (1, 4):
        rcpts = keys.recipients[:nrcpt]
        for size in SIZES:
            data = payload(size, 1000 + size + nrcpt)
            enc = run(["age"] + age_flags(rcpts), data)
            problems = []
            if enc.returncode != 0:
                problems.append("age -r: " + enc.stderr.decode(errors="replace"))
            else:
                for key in keys.files[:nrcpt]:
                    p = run([rn_age, "open", key], enc.stdout)
                    if p.returncode != 0 or p.stdout != data:
                        problems.append("rn-age open %s: rc %d, %d bytes, %s" % (
                            os.path.basename(key), p.returncode, len(p.stdout),
                            p.stderr.decode(errors="replace").strip()))
            tap.check("roneo opens age -r's encryption of %d bytes to %d recipient(s)" %
                      (size, nrcpt), problems)


def test_failures(tap, tmp, rn_age, keys):
    data = payload(3 * CHUNK + 7, 42)
    # A wrong key, both ways.
    sealed = run([rn_age, "seal", keys.recipients[0]], data, check=True).stdout
    path = os.path.join(tmp, "one.age")
    with open(path, "wb") as f:
        f.write(sealed)
    p = run(["age", "-d", "-i", keys.files[1], path])
    tap.ok(p.returncode != 0 and p.stdout == b"", "age -d refuses roneo's file with a wrong key")
    enc = run(["age", "-r", keys.recipients[0]], data, check=True).stdout
    p = run([rn_age, "open", keys.files[1]], enc)
    tap.ok(p.returncode == 1 and p.stdout == b"" and b"no identity matched" in p.stderr,
           "rn-age refuses age's file with a wrong key", p.stderr.decode(errors="replace"))
    # Tampering in the last chunk: age refuses roneo's file, roneo refuses age's.
    bad = bytearray(sealed)
    bad[-5] ^= 1
    with open(path, "wb") as f:
        f.write(bad)
    p = run(["age", "-d", "-i", keys.files[0], path])
    tap.ok(p.returncode != 0, "age -d refuses roneo's file with a flipped bit")
    bad = bytearray(enc)
    bad[-5] ^= 1
    p = run([rn_age, "open", keys.files[0]], bytes(bad))
    tap.ok(p.returncode == 1 and b"payload" in p.stderr and len(p.stdout) < len(data),
           "rn-age refuses age's file with a flipped bit", p.stderr.decode(errors="replace"))
    # Truncated by one byte, and one byte too many.
    p = run([rn_age, "open", keys.files[0]], enc[:-1])
    tap.ok(p.returncode == 1, "rn-age refuses age's file cut by one byte")
    p = run([rn_age, "open", keys.files[0]], enc + b"\0")
    tap.ok(p.returncode == 1, "rn-age refuses age's file with a trailing byte")
    # Armor is refused as unsupported, not misread.
    arm = run(["age", "-a", "-r", keys.recipients[0]], data, check=True).stdout
    p = run([rn_age, "open", keys.files[0]], arm)
    tap.ok(p.returncode == 1 and b"unsupported" in p.stderr,
           "rn-age refuses age -a (armored) output as unsupported",
           p.stderr.decode(errors="replace"))
    # A bad recipient on the command line.
    p = run([rn_age, "seal", keys.recipients[0].upper()], b"x")
    tap.ok(p.returncode == 1 and p.stdout == b"", "rn-age seal refuses an upper-case recipient")


def main():
    tap = Tap()
    if shutil.which("age") is None or shutil.which("age-keygen") is None:
        print("1..0 # SKIP the age CLI is not installed (apt-get install age)")
        return 0
    rn_age = rn_age_path()
    if not os.access(rn_age, os.X_OK):
        tap.ok(False, "rn-age is built", "missing: %s" % rn_age)
        tap.done()
        return 0
    tap.comment("age: %s" % run(["age", "--version"]).stdout.decode().strip())
    tmp = tempfile.mkdtemp(prefix="rn-age-interop.")
    try:
        keys = Keys(tmp, rn_age)
        for t in (test_keygen, ):
            t(tap, tmp, rn_age)
        for t in (test_roneo_to_age, test_age_to_roneo, test_failures):
            t(tap, tmp, rn_age, keys)
    except Exception as e:  # an unexpected error is a failure, not a crash
        tap.ok(False, "interop tests ran to the end", repr(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    tap.done()
    return 0


if __name__ == "__main__":
    sys.exit(main())
