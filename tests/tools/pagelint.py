#!/usr/bin/env python3
"""Static lint of rendered pages and feeds against DESIGN §9 (stdlib only).

Usage: pagelint.py PATH...   (files, or directories searched for *.html, *.atom, *.css)
Prints "PATH: problem" for each problem and exits 1 if there was any.

An HTML page fails on:
  - a <script element, <style element or inline style= attribute, @font-face
    in markup (text that mentions it, escaped, is prose);
  - any on...= event handler attribute;
  - <svg or <math elements, <video audio object embed iframe frame frameset
    applet base> elements, <meta http-equiv="refresh">;
  - a URL attribute whose scheme (after entity decoding, with the white space
    and controls a browser ignores removed) is javascript:, vbscript:, data:
    or anything but http(s) and mailto;
  - an absolute URL to another host (scheme://host or //host) anywhere a
    browser loads it (src, srcset, poster, data, action, formaction,
    background, <link href>); an <a href> to another host is allowed only
    with rel="noreferrer", which is how pages link out;
  - an image that is SVG (src ending .svg or .svgz);
  - a missing or empty <html lang>, a missing <meta charset="utf-8">.
Text that merely mentions "javascript:" (escaped, in prose) is not a URL and
passes.  A stylesheet (*.css) fails on @font-face, @import and url() to
another host.  An Atom feed must be well-formed XML in the Atom namespace, its
links site paths, and each HTML content passes the rules above as a fragment.
"""

import html
import html.parser
import os
import re
import sys
import xml.etree.ElementTree as ET

ATOM = "{http://www.w3.org/2005/Atom}"
URL_ATTRS = {"href", "src", "srcset", "poster", "data", "action", "formaction",
             "background", "cite", "longdesc", "usemap", "manifest", "xlink:href",
             "ping", "codebase", "archive", "lowsrc", "dynsrc", "icon", "profile"}
LOADING_ATTRS = URL_ATTRS - {"href", "cite", "longdesc"}
BANNED_ELEMENTS = {"script", "style", "svg", "math", "video", "audio", "object", "embed",
                   "iframe", "frame", "frameset", "applet", "base", "portal", "template"}
RAW_PATTERNS = [
    (re.compile(r"<\s*script", re.I), "<script"),
    (re.compile(r"<[^>]*@font-face", re.I), "@font-face"),
    (re.compile(r"<\s*svg", re.I), "<svg"),
    (re.compile(r"<\s*(video|audio|object|embed|iframe)\b", re.I), "<video|audio|object|embed|iframe"),
    (re.compile(r"<[^>]*\sstyle\s*=", re.I), "inline style="),
]
# What browsers strip from a URL before reading its scheme.
_IGNORED = re.compile(r"[\x00-\x20\x7f]")


def url_scheme(value):
    """The scheme a browser would see in an attribute value, lower-case, or ''."""
    v = _IGNORED.sub("", html.unescape(value)).lower()
    m = re.match(r"([a-z][a-z0-9+.\-]*):", v)
    return m.group(1) if m else ""


def is_offsite(value):
    v = _IGNORED.sub("", html.unescape(value)).replace("\\", "/")
    return bool(re.match(r"([a-zA-Z][a-zA-Z0-9+.\-]*:)?//", v))


class _Checker(html.parser.HTMLParser):
    def __init__(self, fragment):
        super().__init__(convert_charrefs=True)
        self.fragment = fragment
        self.problems = []
        self.html_lang = None
        self.charset = False

    def _problem(self, msg):
        self.problems.append("line %d: %s" % (self.getpos()[0], msg))

    def handle_starttag(self, tag, attrs):
        self._check_tag(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self._check_tag(tag, attrs)

    def _check_tag(self, tag, attrs):
        tag = tag.lower()
        a = {}
        for name, value in attrs:
            name = name.lower()
            value = value or ""
            a[name] = value
            if name.startswith("on"):
                self._problem("event handler attribute %s= on <%s>" % (name, tag))
            if name == "style":
                self._problem("inline style= on <%s>" % tag)
            if name in URL_ATTRS or (name == "content" and tag == "meta"):
                self._check_url(tag, name, value, a)
        if tag in BANNED_ELEMENTS:
            self._problem("<%s> element" % tag)
        if tag == "html":
            self.html_lang = a.get("lang", "")
        if tag == "meta":
            if a.get("charset", "").lower() == "utf-8":
                self.charset = True
            if a.get("http-equiv", "").lower() == "refresh":
                self._problem("<meta http-equiv=refresh>")
        if tag == "a" and "href" in a and is_offsite(a["href"]):
            if "noreferrer" not in a.get("rel", "").lower().split():
                self._problem("link to another host without rel=noreferrer: %s" % a["href"])
        if tag == "link" and "href" in a and is_offsite(a["href"]):
            self._problem("<link> to another host: %s" % a["href"])
        if tag == "img" and re.search(r"\.svgz?($|[?#])", a.get("src", ""), re.I):
            self._problem("SVG image: %s" % a["src"])

    def _check_url(self, tag, name, value, attrs):
        if name == "content":
            return
        values = [value]
        if name == "srcset":
            values = [part.strip().split(" ")[0] for part in value.split(",")]
        for v in values:
            scheme = url_scheme(v)
            if scheme and scheme not in ("http", "https", "mailto"):
                self._problem("%s: URL with scheme %s: on <%s>" % (name, scheme, tag))
            if name in LOADING_ATTRS and (scheme or is_offsite(v)):
                self._problem("%s= loads from another host: %s" % (name, v))


def lint_html(text, fragment=False):
    """Problems of one HTML page (or, with fragment, a piece of one)."""
    problems = []
    for rx, what in RAW_PATTERNS:
        m = rx.search(text)
        if m:
            problems.append("line %d: %s" % (text.count("\n", 0, m.start()) + 1, what))
    c = _Checker(fragment)
    c.feed(text)
    c.close()
    problems += c.problems
    if not fragment:
        if not c.html_lang:
            problems.append("missing <html lang>")
        if not c.charset:
            problems.append('missing <meta charset="utf-8">')
    return problems


def lint_atom(text):
    """Problems of one Atom feed."""
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        return ["not well-formed XML: %s" % e]
    problems = []
    if root.tag != ATOM + "feed":
        problems.append("root is not an Atom <feed>")
    for el in root.iter():
        href = el.get("href")
        if href is not None and (url_scheme(href) or is_offsite(href)):
            problems.append("feed link to another host: %s" % href)
        if el.tag in (ATOM + "content", ATOM + "summary", ATOM + "title"):
            if el.get("type") == "html":
                problems += ["%s: %s" % (el.tag[len(ATOM):], p)
                             for p in lint_html(el.text or "", fragment=True)]
            elif el.get("type") not in (None, "text"):
                problems.append("%s of type %s" % (el.tag[len(ATOM):], el.get("type")))
    for tag in ("id", "title", "updated"):
        if root.find(ATOM + tag) is None:
            problems.append("feed without <%s>" % tag)
    for entry in root.findall(ATOM + "entry"):
        for tag in ("id", "title", "updated"):
            if entry.find(ATOM + tag) is None:
                problems.append("entry without <%s>" % tag)
        upd = entry.find(ATOM + "updated")
        if upd is not None and not re.fullmatch(
                r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", upd.text or ""):
            problems.append("entry <updated> not RFC 3339: %r" % upd.text)
    return problems


def lint_css(text):
    """Problems of the site's stylesheet: no web fonts, nothing from elsewhere."""
    problems = []
    if re.search(r"@font-face", text, re.I):
        problems.append("@font-face")
    if re.search(r"@import", text, re.I):
        problems.append("@import")
    for m in re.finditer(r"url\(\s*['\"]?([^'\")]*)", text, re.I):
        if url_scheme(m.group(1)) or is_offsite(m.group(1)):
            problems.append("url() to another host: %s" % m.group(1))
    return problems


def lint_file(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["not UTF-8"]
    if path.endswith(".atom") or path.endswith(".xml"):
        return lint_atom(text)
    if path.endswith(".css"):
        return lint_css(text)
    return lint_html(text)


def pages(paths):
    for p in paths:
        if os.path.isdir(p):
            for top, _dirs, files in sorted(os.walk(p)):
                for f in sorted(files):
                    if f.endswith((".html", ".atom", ".css")):
                        yield os.path.join(top, f)
        else:
            yield p


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    bad = 0
    for path in pages(argv[1:]):
        for problem in lint_file(path):
            print("%s: %s" % (path, problem))
            bad += 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
