#!/usr/bin/env python3
"""kill -9 of roneod at random moments during concurrent uploads and commits.

roneod runs in its own process group; each round starts a few concurrent
uploads (most small, some a few MiB; a message and one or two files each)
and kills the whole group with SIGKILL at a random moment: after a random
delay, right after the first receipt arrives (other uploads are then being
committed), during a burst of tiny uploads (commit-bound), or while the
daemon is still starting.  After each restart:

* spool/ is empty, and inbox/ holds exactly the files the database records;
* every acknowledged upload (200 with a codename) is there, opens with
  `age -d` and `tar -x`, and matches what was sent byte for byte;
* anything else there is an upload that was sent completely (its commit
  finished but the answer was lost with the daemon), complete and exact,
  never a partial one; an upload whose body was not sent completely left no
  file and no record;
* nothing recorded in an earlier round has gone.

The RNG is seeded (printed; RN_CRASH_SEED=N to replay); RN_CRASH_ROUNDS sets
the number of kills (default 56, at least 50 are required).
"""

import os
import random
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rnlib  # noqa: E402
import dblib  # noqa: E402
from dblib import Part  # noqa: E402

TMP = tempfile.mkdtemp(prefix="rn-integ-crash-")
ROUNDS = max(50, int(os.environ.get("RN_CRASH_ROUNDS", "56")))
# A safety net, not a target: a run takes about a minute on an idle 2-core machine, but
# each round waits for scrypt derivations and fsyncs, which a loaded machine (make -j2
# check runs every test at once) makes several times slower.
BUDGET = 400.0      # seconds (times SCALE) before the rounds stop early (reported)


class Upload:
    def __init__(self, k, rng):
        self.k = k
        self.message = ("crash upload %d %08x" % (k, rng.getrandbits(32))).encode()
        self.files = {}
        for i in range(rng.choice((1, 1, 2))):
            big = rng.random() < 0.25
            size = rng.randint(1 << 20, 4 << 20) if big else rng.randint(0, 64 << 10)
            data = random.Random(rng.getrandbits(64)).randbytes(size)
            self.files["f%d-%d.bin" % (k, i)] = data
        self.sent_all = False
        self.t_sent = self.t_done = None
        self.status = None
        self.codename = None
        self.error = None
        self.thread = None

    def expected(self):
        e = {"message.txt": dblib.sha(self.message)}
        for n, d in self.files.items():
            e[n] = dblib.sha(d)
        return e

    def run(self, s, token, delay):
        try:
            time.sleep(delay)
            parts = [Part("token", token.encode()), Part("message", self.message)]
            parts += [Part("file", d, filename=n) for n, d in self.files.items()]
            length, gen = dblib.form_body(parts)

            def progress(n):
                if n == length:
                    self.t_sent = time.monotonic()
                    self.sent_all = True
            r = dblib.post(s, "/drop/submit", gen, length=length, timeout=60.0,
                           on_progress=progress)
            if r is not None:
                self.status = r.status
                m = dblib.RE_CODENAME.search(dblib.text(r))
                self.codename = m.group(1) if m and r.status == 200 else None
        except Exception as e:  # the daemon dies under our feet: that is the point
            self.error = repr(e)
        self.t_done = time.monotonic()

    def start(self, s, token, delay):
        self.thread = threading.Thread(target=self.run, args=(s, token, delay), daemon=True)
        self.thread.start()


def kill_all(s):
    """SIGKILL roneod's whole process group; wait until every member is gone."""
    pids = [s.proc.pid] + rnlib.children_of(s.proc.pid)
    try:
        os.killpg(s.proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    s.proc.wait(30)
    gone = rnlib.wait_until(lambda: not any(rnlib.pid_alive(p) for p in pids),
                            10.0 * rnlib.SCALE)
    for f in (getattr(s, "logf", None), getattr(s, "outf", None)):
        if f:
            f.close()
    return gone


class Crash:
    def __init__(self, tap, seed):
        self.tap = tap
        self.rng = random.Random(seed)
        self.s = dblib.drop_server(TMP, "crash", conf={
            "InboxMaxFiles": 4, "InboxMaxConcurrentUploads": 64, "ShutdownTimeout": 2})
        self.known = set()      # ids recorded and verified in earlier rounds
        self.next_k = 0
        self.stats = {"acknowledged": 0, "committed, answer lost": 0, "left nothing": 0,
                      "kills": 0}
        self.problems = []
        self.span = {"sent": (0.6, 0.25), "burst": (0.6, 0.5)}

    def start(self):
        ok = self.s.start(new_session=True)
        if not ok:
            self.problems.append("roneod did not restart: %s" % self.s.start_error)
        return ok

    def uploads(self, n, small=False):
        ups = []
        for _ in range(n):
            u = Upload(self.next_k, self.rng)
            if small:
                u.files = {"t%d.bin" % u.k: os.urandom(self.rng.randint(0, 2000))}
            self.next_k += 1
            ups.append(u)
        return ups

    def round(self, i, mode=None, kill=True):
        """One round; without kill, the uploads complete and set the delay spans."""
        mode = mode or self.rng.choice(("delay", "delay", "sent", "sent", "receipt", "burst",
                                        "burst", "startup"))
        if mode == "startup":
            if self.s.running():
                self.s.stop()
            self.s.start(wait=False, new_session=True)
            time.sleep(self.rng.uniform(0.0, 0.15))
            kill_all(self.s)
            self.stats["kills"] += 1
            return mode, []
        if not self.s.running() and not self.start():
            return mode, None
        ups = self.uploads(self.rng.randint(4, 8) if mode == "burst"
                           else self.rng.randint(2, 4), small=(mode == "burst"))
        try:
            toks = [dblib.form_token(self.s) for _ in ups]
        except Exception as e:
            self.problems.append("round %d: no form token: %r" % (i, e))
            return mode, None
        t0 = time.monotonic()
        for u, t in zip(ups, toks):
            u.start(self.s, t, self.rng.uniform(0.0, 0.05))
        done = lambda: all(not u.thread.is_alive() for u in ups)  # noqa: E731
        if not kill:
            # Calibration: how long uploads and commits take on this machine, so that
            # the kills spread over the whole of a round.
            rnlib.wait_until(done, 120.0 * rnlib.SCALE, 0.01)
            end = max(u.t_done for u in ups)
            first = min((u.t_sent for u in ups if u.t_sent), default=t0)
            self.span[mode] = (end - t0, end - first)
            return mode, ups
        if mode == "receipt":
            # The first receipt: the others are being sealed and committed.
            rnlib.wait_until(lambda: any(u.status == 200 for u in ups) or done(),
                             30.0 * rnlib.SCALE, 0.001)
        elif mode in ("sent", "burst"):
            # A body has arrived whole: its derivation, fsyncs and commit are under way.
            rnlib.wait_until(lambda: any(u.sent_all for u in ups) or done(),
                             30.0 * rnlib.SCALE, 0.001)
            time.sleep(self.rng.uniform(0.0, 1.2 * self.span[mode][1]))
        else:
            time.sleep(self.rng.uniform(0.0, 1.2 * self.span["sent"][0]))
        if not kill_all(self.s):
            self.problems.append("round %d: processes survived SIGKILL" % i)
        self.stats["kills"] += 1
        for u in ups:
            u.thread.join(60)
            if u.thread.is_alive():
                self.problems.append("round %d: upload %d still running" % (i, u.k))
        return mode, ups

    def verify(self, i, mode, ups):
        s = self.s
        spool, inbox, ids, rfiles, rids = dblib.state(s)
        p = []
        if spool:
            p.append("spool not empty: %r" % spool)
        if sorted(x + ".age" for x in ids) != inbox:
            p.append("inbox files %r != records %r" % (inbox, ids))
        lost = self.known - set(ids)
        if lost:
            p.append("recorded in an earlier round, now gone: %r" % sorted(lost))
        by_msg = {u.message: u for u in ups}
        found = {}
        for sid in sorted(set(ids) - self.known):
            got, probs = dblib.open_sealed(dblib.inbox_path(s, sid), s.editors[0].identity,
                                           workdir=TMP)
            p += ["%s: %s" % (sid, x) for x in probs]
            u = by_msg.get(got.get("message.txt"))
            if u is None:
                p.append("%s holds no upload of this round: %r" % (sid, sorted(got)))
                continue
            if u.k in found:
                p.append("upload %d stored twice (%s, %s)" % (u.k, found[u.k], sid))
            found[u.k] = sid
            have = {n: dblib.sha(d) for n, d in got.items()}
            if have != u.expected():
                p.append("upload %d (%s): contents differ: names %r, wanted %r" % (
                    u.k, sid, sorted(have), sorted(u.expected())))
            if not u.sent_all:
                p.append("upload %d was not sent completely but is stored as %s" % (u.k, sid))
            self.known.add(sid)
        for u in ups:
            if u.status == 200:
                if u.k not in found:
                    p.append("upload %d was acknowledged (%r) but is not stored" % (
                        u.k, u.codename))
                else:
                    self.stats["acknowledged"] += 1
            elif u.k in found:
                self.stats["committed, answer lost"] += 1
            else:
                self.stats["left nothing"] += 1
            if u.status not in (None, 200):
                p.append("upload %d answered %r" % (u.k, u.status))
        if p:
            self.problems.append("round %d (%s): %s" % (i, mode, "; ".join(p)))
        return not p


def test_crash(tap):
    seed = int(os.environ.get("RN_CRASH_SEED") or random.SystemRandom().randrange(1 << 32))
    tap.comment("seed %d (replay with RN_CRASH_SEED=%d)" % (seed, seed))
    c = Crash(tap, seed)
    if not c.start():
        tap.ok(False, "crash server starts", c.s.start_error)
        return
    t0 = time.monotonic()
    for mode in ("sent", "burst"):
        _, ups = c.round(-1, mode, kill=False)
        c.verify(-1, "calibration " + mode, ups or [])
    tap.comment("calibration (s from the first upload / from the first body sent to the "
                "last receipt): %r" % {k: tuple(round(x, 3) for x in v)
                                       for k, v in c.span.items()})
    cal = dict(c.stats)
    for k in ("acknowledged", "left nothing", "committed, answer lost"):
        c.stats[k] = 0
    modes = {}
    rounds = 0
    while c.stats["kills"] < ROUNDS:
        if time.monotonic() - t0 > BUDGET * rnlib.SCALE:
            break
        mode, ups = c.round(rounds)
        modes[mode] = modes.get(mode, 0) + 1
        if ups is None:
            break
        if not c.start():
            break
        c.verify(rounds, mode, ups)
        rounds += 1
    tap.comment("%d rounds in %.1f s: modes %r; uploads: %r" % (
        rounds, time.monotonic() - t0, modes, c.stats))
    tap.ok(cal["acknowledged"] > 0 and cal["left nothing"] == 0,
           "calibration rounds (no kill): every upload acknowledged and stored", repr(cal))
    tap.ok(c.stats["kills"] >= ROUNDS, "roneod was killed with SIGKILL %d times (at least %d)"
           % (c.stats["kills"], ROUNDS), "stopped early: time budget or a failed restart")
    tap.check("after every kill and restart: spool empty, inbox = records, every "
              "acknowledged upload stored and exact, nothing partial, nothing lost",
              c.problems[:20])
    tap.ok(c.stats["acknowledged"] >= 10 and c.stats["left nothing"] >= 10,
           "kills landed both before and after commits (%d acknowledged, %d left nothing, "
           "%d committed with the answer lost)" % (c.stats["acknowledged"],
                                                    c.stats["left nothing"],
                                                    c.stats["committed, answer lost"]))
    if c.s.running():
        c.s.stop_check(tap, "crash server: stops cleanly at the end")


def main():
    missing = dblib.need_tools()
    if missing:
        print("1..1")
        print("not ok 1 - the drop-box tests need %s (contrib/lib.sh RN_TEST_PKGS)"
              % ", ".join(missing))
        return
    rnlib.run([test_crash])


if __name__ == "__main__":
    main()
