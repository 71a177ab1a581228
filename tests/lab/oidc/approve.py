#!/usr/bin/env python3
"""Plays the person at the lab provider's pages, for tests without a browser: opens a device
code's verification address (or an authorization URL), signs in with the lab's password and
allows (or, with --deny, refuses) access. Prints where the provider sent the browser last.

    approve.py URL EMAIL PASSWORD [--deny]
"""
import html.parser
import http.cookiejar
import sys
import urllib.parse
import urllib.request


class Forms(html.parser.HTMLParser):
    """The first form of a page: its action and its inputs (hidden ones included)."""

    def __init__(self):
        super().__init__()
        self.action, self.fields, self.buttons, self.seen = None, {}, [], False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.seen:
            self.action, self.seen = a.get("action"), True
        elif tag == "input" and a.get("name"):
            self.fields[a["name"]] = a.get("value", "")
        elif tag == "button" and a.get("name"):
            self.buttons.append((a["name"], a.get("value", "")))


class Stop(urllib.request.HTTPRedirectHandler):
    """Follows redirects within the provider; stops at one to anywhere else (the app's loopback)."""

    def __init__(self, provider):
        self.provider, self.last = provider, None

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        self.last = newurl
        if not newurl.startswith(self.provider):
            return None
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def main():
    url, email, password = sys.argv[1:4]
    deny = "--deny" in sys.argv[4:]
    parts = urllib.parse.urlsplit(url)
    provider = f"{parts.scheme}://{parts.netloc}"
    stop = Stop(provider)
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), stop)

    def get(u):
        try:
            with opener.open(u) as r:
                return r.geturl(), r.read().decode()
        except urllib.error.HTTPError as e:
            if e.code in (301, 302, 303):
                return stop.last, ""
            raise

    def post(u, data):
        try:
            with opener.open(u, urllib.parse.urlencode(data).encode()) as r:
                return r.geturl(), r.read().decode()
        except urllib.error.HTTPError as e:
            if e.code in (301, 302, 303):
                return stop.last, ""
            raise

    at, page = get(url)
    for _ in range(8):
        if not at or not at.startswith(provider) or not page:
            break
        f = Forms()
        f.feed(page)
        if f.action is None:
            break
        data = dict(f.fields)
        if "login" in data or "password" in data:
            data.update(login=email, password=password)
        # The provider's own device-code page has Continue (unnamed) and Abort: Continue.
        if any(name == "consent" for name, _ in f.buttons):
            data["consent"] = "no" if deny else "yes"
        at, page = post(urllib.parse.urljoin(at, f.action), data)
    print(stop.last or at)


if __name__ == "__main__":
    main()
