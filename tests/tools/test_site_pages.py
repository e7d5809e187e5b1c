#!/usr/bin/env python3
"""TAP: render the XSS battery (tests/site/xss/) and the sample documents
(tests/site/docs/) into a whole static site with rn-site-render, and run the
page lint over every page and feed written.  Documents named *.refuse.md
must be refused by the parser; every other one must render.  A few
expectations of the rendering are checked by name."""

import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pagelint  # noqa: E402

SRC = os.environ.get("RN_TOP_SRCDIR", os.path.join(HERE, "..", ".."))
BUILD = os.environ.get("RN_TOP_BUILDDIR", SRC)
RENDER = os.path.join(BUILD, "tests", "tools", "rn-site-render")

n = 0
failed = 0


def check(ok, desc, diag=()):
    global n, failed
    n += 1
    if not ok:
        failed += 1
    print("%s %d - %s" % ("ok" if ok else "not ok", n, desc))
    for d in diag if not ok else ():
        print("# " + str(d))


def read(out, url):
    path = out + url + ("index.html" if url.endswith("/") else "")
    with open(path, encoding="utf-8") as f:
        return f.read()


def expectations(out):
    home = read(out, "/")
    check("/d/rent-strike-week-2/" in home, "home lists the latest bulletin")
    last = max(int(d) for d in os.listdir(out + "/bulletins/page"))
    page2 = read(out, "/bulletins/page/2/")
    final = read(out, "/bulletins/page/%d/" % last)
    check('rel="prev"' in page2 and 'rel="next"' in page2 and "winter-appeal" in final and
          'rel="next"' not in final, "bulletins are paged by date, oldest last")
    tag = read(out, "/tactics/tag/communication/")
    check("Related: " in tag and "/d/mass-calls/" in tag and "missing-tactic" not in tag,
          "a tag page lists tactics with their published related tactics")
    doc = read(out, "/d/rent-strike-week-1/")
    check('href="https://example.org/rent" rel="noreferrer"' in doc,
          "external links are marked rel=noreferrer")
    check('href="/d/phone-tree/"' in doc and 'href="/d/rent-strike-week-1/leaflet.pdf"' in doc,
          "doc: and relative links become site paths")
    check('<img src="/d/rent-strike-week-1/map.png"' in doc, "site images are kept")
    fr = read(out, "/d/greve-loyers-semaine-1/")
    check('<html lang="fr">' in fr, "a document page carries the document's language")
    conflict = read(out, "/d/rota-dispute/")
    check("Parties (by role)" in conflict and "resolved" in conflict,
          "a conflict write-up shows its structured fields")
    feed = read(out, "/feeds/lang/fr.atom")
    check("greve-loyers-semaine-1" in feed and "rent-strike-week-2" not in feed,
          "the language feed holds only that language")
    js = read(out, "/d/js-link/")
    check("click" in js and not re.search(r"href=\"[^\"]*javascript", js, re.I),
          "a javascript: link keeps its text and loses its URL")
    ext = read(out, "/d/image-external/")
    check("evil.example" not in ext, "off-site images are dropped")


def main():
    if not os.access(RENDER, os.X_OK):
        print("1..0 # SKIP %s not built" % RENDER)
        return 0
    xss = sorted(os.path.join(SRC, "tests/site/xss", f)
                 for f in os.listdir(os.path.join(SRC, "tests/site/xss")) if f.endswith(".md"))
    docs = sorted(os.path.join(SRC, "tests/site/docs", f)
                  for f in os.listdir(os.path.join(SRC, "tests/site/docs")) if f.endswith(".md"))
    check(len(xss) >= 40, "the XSS battery has at least 40 inputs (%d)" % len(xss))
    out = tempfile.mkdtemp(prefix="rn-site-")
    try:
        p = subprocess.run([RENDER, out] + docs + xss, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=120, check=False)
        lines = p.stdout.decode("utf-8", "replace").splitlines()
        check(p.returncode == 0, "rn-site-render exits 0",
              p.stderr.decode("utf-8", "replace").splitlines())
        status = {}
        for line in lines:
            word, _, rest = line.partition(" ")
            if word in ("accepted", "refused"):
                status[rest.split(":")[0]] = (word, rest)
        for f in docs + xss:
            want = "refused" if f.endswith(".refuse.md") else "accepted"
            got = status.get(f, ("missing", ""))
            check(got[0] == want, "%s %s" % (want, os.path.basename(f)), [got[1]])
        written = [l[len("wrote "):] for l in lines if l.startswith("wrote ")]
        check(len(written) > len(docs), "pages written (%d)" % len(written))
        for path in pagelint.pages([out]):
            problems = pagelint.lint_file(path)
            check(problems == [], "lint " + os.path.relpath(path, out), problems)
        expectations(out)
    finally:
        if os.environ.get("RN_KEEP_TMP"):
            print("# kept " + out)
        else:
            shutil.rmtree(out, ignore_errors=True)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
