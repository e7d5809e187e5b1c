#!/usr/bin/env python3
"""Write the daemon/coll known-answer and must-fail vectors.

An implementation of docs/protocol.md independent of the C code (standard
library, plus python3-cryptography for Ed25519 and X25519 keys only), so
tests/unit/test_coll.c checks the C code against a second reading of the
spec.  Run from anywhere: python3 tests/vectors/coll/gen.py
Deterministic: the same output every run (Ed25519 signatures are too).
"""
import hashlib
import os
import sys
import zlib

from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives import serialization

OUT = os.path.dirname(os.path.abspath(__file__))
MASK64 = (1 << 64) - 1
RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw


def sha(b):
    return hashlib.sha256(b).digest()


# ---- canonical encoding ----

def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        if v:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def lbytes(b):
    return varint(len(b)) + b


def field(tag, value):
    return varint(tag) + lbytes(value)


def obj_id(typ, payload):
    return sha(b"roneo-object-v1\0" + bytes([typ]) + len(payload).to_bytes(8, "big") + payload)


def doc_key(docid):
    return sha(b"roneo-docid-v1\0" + docid.encode())


BLOB, CHUNK, CHUNKLIST, DOC, NODE, TOMBSTONE, COMMIT, ROOT, TIMESTAMP = range(1, 10)

# ---- content-defined chunking ----

CDC_MIN, CDC_AVG, CDC_MAX = 16 * 1024, 64 * 1024, 256 * 1024
MASK_S, MASK_L = 0xFFFFC00000000000, 0xFFFC000000000000


def gear():
    st, g = 0x726F6E656F2D6364, []
    for _ in range(256):
        st = (st + 0x9E3779B97F4A7C15) & MASK64
        z = st
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        g.append(z ^ (z >> 31))
    return g


GEAR = gear()


def cdc_cut(data):
    n = len(data)
    if n <= CDC_MIN:
        return n
    h, end = 0, min(n, CDC_MAX)
    for i in range(CDC_MIN, end):
        h = ((h << 1) + GEAR[data[i]]) & MASK64
        if h & (MASK_S if i < CDC_AVG else MASK_L) == 0:
            return i + 1
    return end


def lcg_bytes(seed, n):
    out = bytearray(n)
    for i in range(n):
        seed = (seed * 6364136223846793005 + 1442695040888963407) & MASK64
        out[i] = seed >> 56
    return bytes(out)


# ---- manifest trie ----

BUCKET = 16


def nibble(key, d):
    return key[d // 2] >> 4 if d % 2 == 0 else key[d // 2] & 15


def build(entries, depth, nodes):
    """entries: sorted [(key, status, doc)]; returns the node id."""
    if len(entries) <= BUCKET:
        p = bytes([0, depth, len(entries)]) + b"".join(k + bytes([s]) + d for k, s, d in entries)
    else:
        groups = {}
        for e in entries:
            groups.setdefault(nibble(e[0], depth), []).append(e)
        bitmap, ids = 0, b""
        for nb in range(16):
            if nb in groups:
                bitmap |= 1 << nb
                ids += build(groups[nb], depth + 1, nodes)
        p = bytes([1, depth]) + varint(len(entries)) + bitmap.to_bytes(2, "big") + ids
    i = obj_id(NODE, p)
    nodes.append(p)
    return i


# ---- RFC 6962 log ----

def mth(leaves):
    n = len(leaves)
    if n == 0:
        return sha(b"")
    if n == 1:
        return sha(b"\0" + leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return sha(b"\1" + mth(leaves[:k]) + mth(leaves[k:]))


def record(op, key, doc, tomb=None):
    r = field(1, varint(op)) + field(2, key) + field(3, doc)
    return r + field(4, tomb) if tomb is not None else r


# ---- keys and statements ----

def ed_key(fill):
    sk = ed25519.Ed25519PrivateKey.from_private_bytes(bytes([fill]) * 32)
    return sk, sk.public_key().public_bytes(*RAW)


BECH = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def bech32(hrp, data):
    def polymod(values):
        gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
        chk = 1
        for v in values:
            b = chk >> 25
            chk = (chk & 0x1FFFFFF) << 5 ^ v
            for i in range(5):
                chk ^= gen[i] if (b >> i) & 1 else 0
        return chk

    acc, bits, five = 0, 0, []
    for b in data:
        acc = (acc << 8) | b
        bits += 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    hx = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    pm = polymod(hx + five + [0] * 6) ^ 1
    chk = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH[d] for d in five + chk)


def age_recipient(fill):
    sk = x25519.X25519PrivateKey.from_private_bytes(bytes([fill]) * 32)
    return bech32("age", sk.public_key().public_bytes(*RAW))


def sign(body, signers):
    """body: bytes; signers: [(sk, pub)]; lines in increasing key order."""
    import base64
    lines = b""
    for sk, pub in sorted(signers, key=lambda s: s[1]):
        lines += b"sig " + pub.hex().encode() + b" " + base64.b64encode(sk.sign(body)) + b"\n"
    return body + lines


def root_body(version, expires, editors, ts, thresholds=(1, 1, 2, 2, 2, 2)):
    names = ["bulletin", "tactic", "conflict", "retract", "purge", "root"]
    s = "roneo-root-v1\nversion %d\nexpires %d\n" % (version, expires)
    s += "".join("threshold %s %d\n" % (n, t) for n, t in zip(names, thresholds))
    for pub, age, label in sorted(editors):
        s += "editor %s %s %s\n" % (pub.hex(), age, label)
    s += "".join("timestamp %s\n" % t.hex() for t in sorted(ts))
    return s.encode()


def main():
    v = []
    w = v.append
    w("# written by gen.py: see docs/protocol.md; '-' is an empty byte string")
    for val in (0, 1, 127, 128, 255, 300, 16384, 2**32 - 1, 2**63, 2**64 - 1):
        w("varint %s %d" % (varint(val).hex(), val))
    for bad in ("80", "8000", "ff80", "808000", "ffffffffffffffffff02",
                "ffffffffffffffffffff01", "81808080808080808080"):
        w("varint-bad %s" % bad)
    for typ, payload in ((BLOB, b""), (BLOB, b"hello\n"), (CHUNK, b"hello\n"),
                         (DOC, b"\x01\x01a"), (NODE, bytes([0, 0, 0])), (TOMBSTONE, b"x" * 200)):
        w("id %d %s %s" % (typ, payload.hex() or "-", obj_id(typ, payload).hex()))
    for d in ("a", "first-bulletin", "2026-05-01-strike", "z" * 64):
        w("key %s %s" % (d, doc_key(d).hex()))
    for seed, n in ((1, 100), (2, 20000), (3, 300000), (4, 1500000)):
        data, cuts, off = lcg_bytes(seed, n), [], 0
        while off < n:
            c = cdc_cut(data[off:off + CDC_MAX + 1] if n - off > CDC_MAX else data[off:])
            cuts.append(c)
            off += c
        w("cut %d %d %s" % (seed, n, ",".join(map(str, cuts))))
    # A trie of 300 documents: every node, then the root and count.
    entries = sorted((doc_key("doc-%d" % i), i % 2, obj_id(DOC, b"doc %d" % i)) for i in range(300))
    nodes = []
    root = build(entries, 0, nodes)
    nodes_all = list(nodes)
    for p in nodes:
        w("object %d %s" % (NODE, p.hex()))
    w("trie %s %d" % (root.hex(), len(entries)))
    for k, st, d in reversed(entries):
        w("entry %s %d %s" % (k.hex(), st, d.hex()))
    w("trie-build %s" % root.hex())
    nodes = []
    empty = build([], 0, nodes)
    w("object %d %s" % (NODE, nodes[0].hex()))
    w("trie %s 0" % empty.hex())
    # Must-fail encodings, one per rule.
    k, d = doc_key("a"), obj_id(DOC, b"x")
    good_rec = record(1, k, d)
    bad = [
        ("record", good_rec + b"\x00"),                            # trailing byte
        ("record", field(1, b"\x81\x00") + field(2, k) + field(3, d)),  # non-minimal varint
        ("record", field(2, k) + field(1, varint(1)) + field(3, d)),    # tags out of order
        ("record", field(1, varint(1)) + field(1, varint(1)) + field(2, k) + field(3, d)),
        ("record", field(1, varint(4)) + field(2, k) + field(3, d)),    # unknown op
        ("record", record(1, k, d, d)),                                  # put with tombstone
        ("record", record(2, k, d)),                                     # retract without
        ("record", field(1, varint(1)) + field(2, k[:31]) + field(3, d)),  # short id
        ("record", good_rec + field(9, b"")),                            # unknown tag
        ("doc", field(1, b"../etc") + field(2, b"\x01")),
        ("doc", field(1, b"ok") + field(2, b"\x01") + field(3, b"a\xe2\x80\xaeb") +
         field(4, b"\x00") + field(5, b"en") + field(6, bytes([1]) + d + b"\x00")),
        ("doc", field(1, b"ok") + field(2, b"\x04") + field(3, b"t") + field(4, b"\x00") +
         field(5, b"en") + field(6, bytes([1]) + d + b"\x00")),
        ("doc", field(1, b"ok") + field(2, b"\x01") + field(3, b"t") + field(4, b"\x00") +
         field(5, b"en") + field(6, bytes([5]) + d + b"\x00")),       # ref of type NODE
        ("doc", field(1, b"ok") + field(2, b"\x01") + field(3, b"t") + field(4, b"\x00") +
         field(5, b"en") + field(6, bytes([1]) + d + b"\x00") +
         field(7, varint(1) + lbytes(b"../x") + lbytes(b"a/b") + bytes([1]) + d + b"\x00")),
        ("node", bytes([0, 1, 0])),                                    # empty leaf below root
        ("node", bytes([0, 0, 17]) + bytes(65 * 17)),                  # leaf over the bucket
        ("node", bytes([1, 0]) + varint(16) + b"\x00\x01" + bytes(32)),  # small branch
        ("node", bytes([1, 0]) + varint(17) + b"\x00\x00"),            # empty map
        ("node", bytes([1, 63]) + varint(17) + b"\x00\x01" + bytes(32)),  # branch at depth 63
        ("node", bytes([0, 64, 1]) + bytes(65)),                       # depth 64
        ("node", bytes([0, 0, 1]) + bytes(32) + b"\x02" + bytes(32)),  # bad status
        ("tombstone", field(1, varint(1)) + field(2, k) + field(3, d) + field(4, b"\x00") +
         field(5, b"why")),                                            # op put
        ("tombstone", field(1, varint(3)) + field(2, k) + field(3, d) + field(4, b"\x00") +
         field(5, b"")),                                               # empty reason
        ("chunklist", varint(10) + varint(1) + varint(9) + bytes(32)),  # sizes do not add up
        ("chunklist", varint(0) + varint(0)),                          # no chunks
        ("chunklist", varint(1) + varint(1) + varint(0) + bytes(32) + b"\x00"),
        ("frame", b"\x01\x00\x02\x02hi\x00"),                          # trailing byte
        ("frame", b"\x01\x00\x03\x02hi"),                              # raw length mismatch
        ("frame", b"\x00\x00\x00\x00"),                                # type 0
        ("frame", b"\x0a\x00\x00\x00"),                                # type 10
        ("frame", b"\x01\x02\x00\x00"),                                # flags 2
    ]
    z = zlib.compress(b"a" * 5000, 9)
    bad.append(("frame", b"\x01\x01" + varint(1000) + varint(len(z)) + z))  # bomb
    bad.append(("frame", b"\x01\x01" + varint(6000) + varint(len(z)) + z))  # short
    z2 = zlib.compress(b"abc", 9)
    bad.append(("frame", b"\x01\x01" + varint(3) + varint(len(z2)) + z2))   # saves < 5%
    bad.append(("frame", b"\x01\x01" + varint(5000) + varint(len(z) + 1) + z + b"\x00"))
    for dec, b in bad:
        w("bad %s %s" % (dec, b.hex()))
    with open(os.path.join(OUT, "vectors.txt"), "w") as f:
        f.write("\n".join(v) + "\n")

    # The log: 40 records, roots at every size.
    recs = [record(1 + (i % 3 == 2) * 2, doc_key("doc-%d" % i), obj_id(DOC, b"%d" % i),
                   obj_id(TOMBSTONE, b"t%d" % i) if i % 3 == 2 else None) for i in range(40)]
    with open(os.path.join(OUT, "log.txt"), "w") as f:
        f.write("# written by gen.py: RFC 6962 roots of the first SIZE records\n")
        for r in recs:
            f.write("record %s\n" % r.hex())
        for size in range(0, 41):
            f.write("root %d %s\n" % (size, mth(recs[:size]).hex()))

    # Statements: three editors (seeds 0x01, 0x02, 0x03), timestamp key 0x77.
    eds = [ed_key(i) for i in (1, 2, 3)]
    editors = [(pub, age_recipient(i), "editor-%d" % i) for (sk, pub), i in zip(eds, (1, 2, 3))]
    tsk = ed_key(0x77)
    body = root_body(1, 1800000000, editors, [tsk[1]])
    root1 = sign(body, eds[:2])
    rid = obj_id(ROOT, body)
    commit = ("roneo-commit-v1\ncollection %s\nseq 1\nprev %s\nroot 1 %s\nmanifest %s\n"
              "log 3 %s\ntime 1760000001\n" % (rid.hex(), "0" * 64, rid.hex(), root.hex(),
                                              mth(recs[:3]).hex())).encode()
    commit1 = sign(commit, eds[:2])
    cid = obj_id(COMMIT, commit)
    ts = ("roneo-timestamp-v1\ncollection %s\nseq 1\ncommit %s\ntime 1760000100\n"
          "expires 1760259300\n" % (rid.hex(), cid.hex())).encode()
    files = {
        "stmt-root1.txt": root1,
        "stmt-commit1.txt": commit1,
        "stmt-timestamp.txt": sign(ts, [tsk]),
        "bad-root-dup-sig.txt": root1 + root1[len(body):].split(b"\n")[0] + b"\n",
        "bad-root-small-order.txt": sign(root_body(1, 1800000000, editors[:2] + [
            (bytes([1]) + bytes(31), age_recipient(9), "identity")], [tsk[1]]), eds[:2]),
        "bad-root-unsorted.txt": sign(body.replace(b"version 1\n", b"version 1\n").replace(
            b"threshold tactic 1\n", b"").replace(b"threshold bulletin 1\n",
                                                    b"threshold tactic 1\nthreshold bulletin 1\n"),
            eds[:2]),
        "bad-commit-leading-zero.txt": sign(commit.replace(b"seq 1\n", b"seq 01\n"), eds[:2]),
        "bad-commit-uppercase.txt": sign(commit.replace(rid.hex().encode(),
                                                        rid.hex().upper().encode(), 1), eds[:2]),
        "bad-commit-crlf.txt": sign(commit.replace(b"\n", b"\r\n"), eds[:2]),
        "bad-commit-extra-line.txt": sign(commit + b"note hello\n", eds[:2]),
        "bad-timestamp-long.txt": sign(ts.replace(b"expires 1760259300", b"expires 1760259301"),
                                       [tsk]),
        # The last base64 character of a signature carries 2 unused bits: set one.
        "bad-commit-sig-noncanonical-b64.txt": noncanonical_b64(commit1),
    }
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    if "--seeds" in sys.argv:
        write_seeds(files, bad, nodes_all, recs, root, k, d)


def write_seeds(files, bad, nodes_all, recs, root, k, d):
    """Seed corpora for tests/fuzz/fuzz_coll_{decode,stmt}: one good input per decoder."""
    top = os.path.join(OUT, "..", "..", "fuzz", "corpus")
    stmt_dir, dec_dir = os.path.join(top, "coll_stmt"), os.path.join(top, "coll_decode")
    os.makedirs(stmt_dir, exist_ok=True)
    os.makedirs(dec_dir, exist_ok=True)
    for name in ("stmt-root1.txt", "stmt-commit1.txt", "stmt-timestamp.txt",
                 "bad-root-small-order.txt", "bad-commit-crlf.txt"):
        with open(os.path.join(stmt_dir, name.replace(".txt", "")), "wb") as f:
            f.write(files[name])
    doc = (field(1, b"first-bulletin") + field(2, b"\x01") + field(3, "Caf\u00e9".encode()) +
           field(4, varint(1760000000)) + field(5, b"pt-BR") + field(6, bytes([1]) + d + varint(9)) +
           field(7, varint(1) + lbytes(b"a.png") + lbytes(b"image/png") + bytes([3]) + d +
                 varint(2000000)))
    tomb = field(1, varint(3)) + field(2, k) + field(3, d) + field(4, varint(5)) + field(5, b"why")
    cl = varint(20) + varint(2) + varint(10) + d + varint(10) + k
    log = b"".join(lbytes(r) for r in recs[:5])
    seeds = {
        "doc": b"\x00" + doc, "record-put": b"\x01" + recs[0], "record-purge": b"\x01" + recs[2],
        "tombstone": b"\x02" + tomb, "node-leaf": b"\x03" + nodes_all[0],
        "node-branch": b"\x03" + nodes_all[-1],
        "frame-raw": b"\x04\x01\x00\x02\x02hi",
        "frame-zlib": b"\x04\x01\x01" + varint(5000) + varint(len(zlib.compress(b"a" * 5000))) +
        zlib.compress(b"a" * 5000),
        "chunklist": b"\x05" + cl, "log": b"\x05" + log,
    }
    for name, data in seeds.items():
        with open(os.path.join(dec_dir, name), "wb") as f:
            f.write(data)


def noncanonical_b64(stmt):
    lines = stmt.split(b"\n")
    for i, l in enumerate(lines):
        if l.startswith(b"sig "):
            s = l.rstrip(b"=")
            alpha = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            c = alpha.index(s[-1:])
            lines[i] = s[:-1] + alpha[c ^ 1:(c ^ 1) + 1] + b"=" * (len(l) - len(s))
            break
    return b"\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
