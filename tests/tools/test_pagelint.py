#!/usr/bin/env python3
"""TAP tests of tests/tools/pagelint.py: a clean page passes, and each rule
catches the page that breaks it (one test per bad page)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pagelint  # noqa: E402

GOOD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>t</title>
<link rel="stylesheet" href="/site.css">
<link rel="alternate" type="application/atom+xml" href="/feeds/bulletins.atom">
</head>
<body>
<p>Prose may mention javascript: and &lt;script&gt; and @font-face, escaped.</p>
<p><a href="/d/x/">in</a> <a href="#top">top</a> <a href="https://example.org/" rel="noreferrer">out</a>
<a href="mailto:a@example.org" rel="noreferrer">mail</a> <img src="/d/x/a.png" alt="a">
<a href="https://example.org/?q=javascript:x" rel="noreferrer">q</a></p>
<form action="/search/" method="get"><input name="q"></form>
</body>
</html>
"""


def page(body, head="", html_open='<html lang="en">'):
    return GOOD.replace('<html lang="en">', html_open).replace(
        "</head>", head + "</head>").replace("</body>", body + "</body>")


BAD = [
    ("script element", page("<script>alert(1)</script>")),
    ("script with spaces", page("< script src=/x.js></script>")),
    ("upper-case SCRIPT", page("<SCRIPT>x</SCRIPT>")),
    ("onclick", page('<p onclick="x">a</p>')),
    ("onerror unquoted", page("<img src=/a.png onerror=alert(1)>")),
    ("onload on body-ish", page('<div OnLoad="x"></div>')),
    ("javascript: href", page('<a href="javascript:alert(1)">x</a>')),
    ("javascript: entity-encoded", page('<a href="&#106;avascript:alert(1)">x</a>')),
    ("javascript: with tab", page('<a href="java&#9;script:alert(1)">x</a>')),
    ("javascript: leading space", page('<a href=" javascript:alert(1)">x</a>')),
    ("vbscript:", page('<a href="vbscript:x">x</a>')),
    ("data: image", page('<img src="data:image/png;base64,AAAA" alt="">')),
    ("svg element", page("<svg><circle r=1 /></svg>")),
    ("svg image", page('<img src="/d/x/map.svg" alt="">')),
    ("@font-face in style", page("", head="<style>@font-face{font-family:x}</style>")),
    ("style element", page("", head="<style>p{}</style>")),
    ("inline style", page('<p style="color:red">x</p>')),
    ("video", page("<video src=/v.webm></video>")),
    ("audio", page("<audio src=/a.ogg></audio>")),
    ("object", page('<object data="/x"></object>')),
    ("embed", page('<embed src="/x">')),
    ("iframe", page('<iframe src="/x"></iframe>')),
    ("off-site image", page('<img src="https://evil.example/t.png" alt="">')),
    ("protocol-relative image", page('<img src="//evil.example/t.png" alt="">')),
    ("backslash image", page('<img src="/\\evil.example/t.png" alt="">')),
    ("off-site stylesheet", page("", head='<link rel="stylesheet" href="https://evil.example/s.css">')),
    ("off-site link without noreferrer", page('<a href="https://evil.example/">x</a>')),
    ("off-site form action", page('<form action="https://evil.example/"></form>')),
    ("srcset off-site", page('<img src="/a.png" srcset="https://evil.example/b.png 2x" alt="">')),
    ("meta refresh", page("", head='<meta http-equiv="refresh" content="0;url=/x">')),
    ("base element", page("", head='<base href="/">')),
    ("missing lang", page("", html_open="<html>")),
    ("empty lang", page("", html_open='<html lang="">')),
    ("missing charset", GOOD.replace('<meta charset="utf-8">\n', "")),
]

BAD_FEEDS = [
    ("feed not XML", "<feed><entry></feed>"),
    ("feed with script in content",
     '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>'
     '<updated>2026-01-01T00:00:00Z</updated><entry><id>e</id><title>t</title>'
     '<updated>2026-01-01T00:00:00Z</updated><content type="html">&lt;script&gt;x'
     '&lt;/script&gt;</content></entry></feed>'),
    ("feed with off-site link",
     '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>'
     '<updated>2026-01-01T00:00:00Z</updated><link href="https://evil.example/"/></feed>'),
    ("feed with a bad date",
     '<feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>'
     '<updated>2026-01-01T00:00:00Z</updated><entry><id>e</id><title>t</title>'
     '<updated>Jan 1 2026</updated></entry></feed>'),
]

GOOD_FEED = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
             '<id>urn:x</id><title>t</title><updated>2026-01-01T00:00:00Z</updated>'
             '<link rel="self" href="/feeds/x.atom"/><entry><id>urn:e</id><title>t</title>'
             '<updated>2026-01-01T00:00:00Z</updated><link href="/d/e/"/>'
             '<content type="html">&lt;p&gt;&amp;lt;script&amp;gt;&lt;/p&gt;</content>'
             '</entry></feed>')


def main():
    n = 0
    failed = 0

    def check(ok, desc, diag=()):
        nonlocal n, failed
        n += 1
        if not ok:
            failed += 1
        print("%s %d - %s" % ("ok" if ok else "not ok", n, desc))
        for d in diag if not ok else ():
            print("# " + d)

    problems = pagelint.lint_html(GOOD)
    check(problems == [], "a clean page passes", problems)
    problems = pagelint.lint_atom(GOOD_FEED)
    check(problems == [], "a clean feed passes", problems)
    check(pagelint.lint_css("body{font-family:serif}a{background:url(/i.png)}") == [],
          "a clean stylesheet passes")
    check(pagelint.lint_css("@font-face{src:url(/f.woff)}") != [], "stylesheet: @font-face")
    check(pagelint.lint_css("p{background:url('https://evil.example/x')}") != [],
          "stylesheet: off-site url()")
    for desc, text in BAD:
        check(pagelint.lint_html(text) != [], "caught: " + desc)
    for desc, text in BAD_FEEDS:
        check(pagelint.lint_atom(text) != [], "caught: " + desc)
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
