#!/usr/bin/env python3
"""check_report.py - load an exhunt HTML report in headless Chromium and check it.

Usage: check_report.py REPORT.html [--expect-verdict V]... [--expect-text S]...
                       [--screenshot OUT.png] [--pdf OUT.pdf] [--no-interact]

Chromium is driven over the DevTools protocol on --remote-debugging-pipe: the
browser reads NUL-terminated JSON commands on fd 3 and writes replies and
events on fd 4, so no port, no websocket and nothing but the standard library.
While the page loads and while the checks click around, every event is
recorded, and the check FAILS on any of:
  - Runtime.exceptionThrown (an uncaught exception),
  - Runtime.consoleAPICalled of type error or assert (console.error),
  - Log.entryAdded at level error (CSP violations, failed loads, ...),
  - Network.requestWillBeSent for anything but the report file itself,
  - a JavaScript dialog (alert/confirm/prompt), a window.open, a navigation
    away from the report or a subframe, or a crash.
The browser also gets a resolver that maps every host to NOTFOUND and a dead
proxy, so a request that slipped through could not leave the machine.

Then it checks the rendered DOM: each --expect-verdict is a verdict banner
word, each --expect-text is in the page text (details expanded, scripts and
styles excluded), the findings table has one row per finding in the embedded
data, every data string with markup characters appears as literal text, and
there is no <img> (or other active or loading element), no on* attribute, no
link off the page, exactly the two scripts of the template, no misnested list or table
elements, and a CSP that
Chromium enforces (innerHTML and eval are refused). Unless --no-interact, it
also sorts by clicking headers, types into the filter box, changes the
severity threshold, expands a row and follows an evidence link, and checks
the table each time. Exit 0 when all checks pass, 1 when any fails, 2 on a
usage error or when Chromium cannot be driven.
"""
import argparse
import base64
import fcntl
import json
import os
import pathlib
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time

LOAD_TIMEOUT = 30.0
SEVS = ["critical", "high", "medium", "low", "info"]


class CDPError(Exception):
    pass


def find_chromium():
    env = os.environ.get("CHROMIUM")
    if env:
        return env if os.path.isfile(env) and os.access(env, os.X_OK) else shutil.which(env)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


class Browser:
    """One headless Chromium and a flat-session DevTools client over a pipe."""

    def __init__(self, binary, workdir):
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        # Move the child's ends out of the way of 3 and 4 (close-on-exec), then
        # dup2 them onto 3 and 4 in the child, which are then inheritable.
        c_in = fcntl.fcntl(to_child_r, fcntl.F_DUPFD_CLOEXEC, 10)
        c_out = fcntl.fcntl(from_child_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_child_r)
        os.close(from_child_w)

        def child_fds():
            os.dup2(c_in, 3)
            os.dup2(c_out, 4)

        self.stderr_path = os.path.join(workdir, "chromium.stderr")
        args = [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                "--user-data-dir=" + os.path.join(workdir, "profile"), "--no-first-run",
                "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps",
                "--disable-dev-shm-usage", "--mute-audio", "--hide-scrollbars",
                "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
                "--window-size=1280,1000", "about:blank"]
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                                         close_fds=False, preexec_fn=child_fds)
        os.close(c_in)
        os.close(c_out)
        self.wfd, self.rfd = to_child_w, from_child_r
        self.buf = b""
        self.next_id = 0
        self.responses = {}
        self.events = []
        self.session = None

    def close(self):
        for fd in (self.wfd, self.rfd):
            try:
                os.close(fd)
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stderr_tail(self, n=15):
        try:
            with open(self.stderr_path, "rb") as fh:
                lines = fh.read().decode("utf-8", "replace").splitlines()
            return "\n".join("  | " + line for line in lines[-n:])
        except OSError:
            return ""

    def _pump(self, timeout):
        ready, _, _ = select.select([self.rfd], [], [], max(0.0, timeout))
        if not ready:
            return
        chunk = os.read(self.rfd, 1 << 20)
        if not chunk:
            raise CDPError("Chromium closed the DevTools pipe (exit status %s)" % self.proc.poll())
        self.buf += chunk
        while b"\0" in self.buf:
            raw, self.buf = self.buf.split(b"\0", 1)
            msg = json.loads(raw.decode("utf-8"))
            if "id" in msg:
                self.responses[msg["id"]] = msg
            else:
                self.events.append(msg)
                if msg.get("method") == "Page.javascriptDialogOpening":
                    self.send("Page.handleJavaScriptDialog", {"accept": False}, msg.get("sessionId"))

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode("utf-8") + b"\0"
        while data:
            n = os.write(self.wfd, data)
            data = data[n:]
        return self.next_id

    def call(self, method, params=None, session="page", timeout=LOAD_TIMEOUT):
        if session == "page":
            session = self.session
        mid = self.send(method, params, session)
        deadline = time.monotonic() + timeout
        while mid not in self.responses:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("no reply to %s within %.0f s" % (method, timeout))
            self._pump(left)
        msg = self.responses.pop(mid)
        if "error" in msg:
            raise CDPError("%s: %s" % (method, msg["error"].get("message")))
        return msg.get("result", {})

    def wait_event(self, method, timeout):
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for ev in self.events[seen:]:
                if ev.get("method") == method and ev.get("sessionId") == self.session:
                    return ev
            seen = len(self.events)
            left = deadline - time.monotonic()
            if left <= 0:
                raise CDPError("no %s within %.0f s" % (method, timeout))
            self._pump(left)

    def settle(self, seconds):
        """Read events for a while: late errors and requests."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self._pump(deadline - time.monotonic())

    def evaluate(self, expression, csp_eval=True):
        res = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True,
                                             "allowUnsafeEvalBlockedByCSP": csp_eval})
        if "exceptionDetails" in res:
            d = res["exceptionDetails"]
            raise CDPError("evaluation failed: %s %s" % (d.get("text"), d.get("exception", {}).get("description", "")))
        return res.get("result", {}).get("value")


def describe_problems(events, doc_url):
    """The console errors, exceptions, requests and escapes among the events."""
    bad, warn = [], []
    for ev in events:
        m, p = ev.get("method"), ev.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            bad.append("uncaught exception: %s %s (line %s)" % (d.get("text", ""), d.get("exception", {}).get("description", ""), d.get("lineNumber")))
        elif m == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            if p.get("type") in ("error", "assert"):
                bad.append("console.%s: %s" % (p.get("type"), text))
            elif p.get("type") == "warning":
                warn.append("console.warn: " + text)
        elif m == "Log.entryAdded":
            e = p.get("entry", {})
            line = "console %s (%s): %s %s" % (e.get("level"), e.get("source"), e.get("text"), e.get("url", ""))
            if e.get("level") == "error":
                bad.append(line)
            elif e.get("level") == "warning":
                warn.append(line)
        elif m == "Network.requestWillBeSent":
            url = p.get("request", {}).get("url", "")
            if url != doc_url:
                bad.append("network request attempt: %s %s" % (p.get("request", {}).get("method", ""), url[:200]))
        elif m == "Page.javascriptDialogOpening":
            bad.append("JavaScript dialog opened (%s): %s" % (p.get("type"), p.get("message", "")[:200]))
        elif m == "Page.windowOpen":
            bad.append("window.open: " + p.get("url", "")[:200])
        elif m == "Page.frameNavigated":
            fr = p.get("frame", {})
            if fr.get("parentId"):
                bad.append("a subframe was created: " + fr.get("url", "")[:200])
            elif fr.get("url") not in (doc_url, "about:blank"):
                bad.append("the page navigated away to " + fr.get("url", "")[:200])
        elif m in ("Inspector.targetCrashed", "Target.targetCrashed"):
            bad.append("the page crashed")
    return bad, warn


DATA_RE = re.compile(r'<script id="exhunt-data" type="application/json">(.*?)</script>', re.S)
INVISIBLE = re.compile("[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e"
                       "\u2028\u2029\u2060-\u2064\u2066-\u2069\ufeff]")


def vis(s):
    """The page's vis(): how it shows control and invisible characters."""
    return INVISIBLE.sub(lambda m: "\u27e8U+%04X\u27e9" % ord(m.group(0)), s)


def strings_in(v):
    if isinstance(v, str):
        yield v
    elif isinstance(v, list):
        for x in v:
            yield from strings_in(x)
    elif isinstance(v, dict):
        for x in v.values():
            yield from strings_in(x)


# Run in the page after load: structure and safety of the DOM.
DOM_PROBE = r"""(() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const R = window.exhuntReport;
  if (R) R.expandAll();
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('script, style, noscript').forEach(e => e.remove());
  const onAttrs = [];
  q('*').forEach(e => { for (const a of e.attributes) if (/^on/i.test(a.name)) onAttrs.push(e.tagName + '[' + a.name + ']'); });
  const csp = q('meta[http-equiv]').filter(m => m.httpEquiv.toLowerCase() === 'content-security-policy').map(m => m.content);
  return {
    ready: !!(R && R.ready),
    verdicts: q('.verdict .vword').map(e => e.textContent),
    rows: q('#findings-body tr.frow').length,
    text: clone.textContent,
    imgs: q('img').length,
    active: q('iframe, frame, object, embed, svg, math, form, base, link, video, audio, picture, source, input[type=image], meta[http-equiv=refresh], template, portal').map(e => e.tagName.toLowerCase()),
    onAttrs: onAttrs,
    srcs: q('[src], [srcset], [action], [formaction], [xlink\\:href], [background], [poster]').map(e => e.tagName.toLowerCase()),
    hrefs: q('[href]').map(e => e.getAttribute('href')),
    scripts: q('script').map(e => (e.id || '(inline)') + ':' + (e.type || 'classic') + (e.src ? ' src' : '')),
    styles: q('style').length,
    csp: csp,
    problems: q('#problems .fatal').map(e => e.textContent),
    misnested: q('li, dt, dd, tr, td, th, thead, tbody').filter(e => {
      const p = e.parentElement ? e.parentElement.tagName : '';
      const ok = {LI: ['UL', 'OL'], DT: ['DL'], DD: ['DL'], TR: ['THEAD', 'TBODY', 'TABLE'], TD: ['TR'], TH: ['TR'], THEAD: ['TABLE'], TBODY: ['TABLE']}[e.tagName];
      return !ok.includes(p);
    }).map(e => e.tagName.toLowerCase() + ' in ' + (e.parentElement ? e.parentElement.tagName.toLowerCase() : 'nothing'))
  };
})()"""

# Run in the page: sort, filter, threshold, expand, evidence link - all
# through DOM events, checked against the table's own cells.
INTERACT = r"""(() => {
  const fails = [];
  const RANK = {critical: 0, high: 1, medium: 2, low: 3, info: 4};
  const body = document.getElementById('findings-body');
  const rows = () => Array.from(body.querySelectorAll('tr.frow'));
  const visible = () => rows().filter(r => !r.hidden);
  const cell = (r, i) => r.cells[i].textContent;
  const header = key => document.querySelector('#findings-table th[data-key="' + key + '"]');
  const click = key => header(key).querySelector('button').click();
  const monotone = (vals, cmp, dir, what) => {
    for (let i = 1; i < vals.length; i++) if (cmp(vals[i - 1], vals[i]) * dir > 0) {
      fails.push(what + ' not in ' + (dir > 0 ? 'ascending' : 'descending') + ' order at row ' + (i + 1) + ': ' + vals[i - 1] + ' then ' + vals[i]);
      return;
    }
  };
  const dirOf = key => ({ascending: 1, descending: -1})[header(key).getAttribute('aria-sort')] || 0;
  const rank = s => (s in RANK ? RANK[s] : 5);
  const tkey = s => { const t = Date.parse(s.replace(' ', 'T')); return isNaN(t) ? Infinity : t; };
  const idnum = s => { const m = /(\d+)/.exec(s); return m ? +m[1] : Infinity; };
  const n = rows().length;
  const out = {rows: n, checks: 0};
  if (n < 2) return {fails, out};
  // sorting: each header twice, both directions
  const sorts = [['severity', 1, s => rank(s.toLowerCase())], ['time', 2, tkey], ['id', 0, idnum], ['category', 3, s => s], ['rule', 4, s => s]];
  for (const [key, col, norm] of sorts) {
    for (let k = 0; k < 2; k++) {
      click(key);
      const dir = dirOf(key);
      if (!dir) { fails.push('header ' + key + ': no aria-sort after click'); continue; }
      const vals = rows().map(r => cell(r, col));
      monotone(vals.map(norm), (a, b) => (a < b ? -1 : a > b ? 1 : 0), dir, 'sort by ' + key);
      out.checks++;
    }
    if (rows().length !== n) fails.push('sorting by ' + key + ' changed the row count');
  }
  // filter box: a word from the last row's title, then nonsense
  const filter = document.getElementById('filter');
  const type = v => { filter.value = v; filter.dispatchEvent(new Event('input', {bubbles: true})); };
  const rowText = r => Array.from(r.cells).map(c => c.textContent).join('\u0000').toLowerCase();
  const words = cell(rows()[n - 1], 6).split(/\s+/).filter(w => w.length >= 4);
  const word = (words[0] || cell(rows()[n - 1], 0)).toLowerCase();
  type(word.toUpperCase());
  const want = rows().filter(r => rowText(r).includes(word)).length;
  const got = visible().length;
  if (got !== want || got < 1) fails.push('filter "' + word + '": ' + got + ' rows visible, want ' + want);
  if (visible().some(r => !rowText(r).includes(word))) fails.push('filter "' + word + '" shows a row without it');
  type('zz-no-such-finding-zz');
  if (visible().length !== 0) fails.push('filter with no match still shows ' + visible().length + ' rows');
  type('');
  if (visible().length !== n) fails.push('clearing the filter shows ' + visible().length + ' of ' + n + ' rows');
  out.checks += 3;
  // severity threshold
  const sel = document.getElementById('threshold');
  out.threshold = {};
  for (const s of ['critical', 'high', 'medium', 'low', 'info']) {
    sel.value = s;
    sel.dispatchEvent(new Event('change', {bubbles: true}));
    const v = visible();
    out.threshold[s] = v.length;
    if (v.some(r => rank(cell(r, 1).toLowerCase()) > RANK[s])) fails.push('threshold ' + s + ' shows a less severe row');
    out.checks++;
  }
  // a row click opens its details, a second click closes them
  const first = rows()[0];
  first.cells[0].click();
  const det = first.nextElementSibling;
  if (first.getAttribute('aria-expanded') !== 'true' || !det || !det.classList.contains('detail')) fails.push('clicking a row did not open its details');
  first.cells[0].click();
  if (first.getAttribute('aria-expanded') !== 'false' || (first.nextElementSibling && first.nextElementSibling.classList.contains('detail')))
    fails.push('clicking an open row did not close its details');
  out.checks++;
  // an evidence link under a verdict highlights its row, even through a filter
  const ev = document.querySelector('.verdict button.ev') || document.querySelector('button.ev');
  if (ev) {
    type('zz-no-such-finding-zz');
    ev.click();
    const hl = body.querySelectorAll('tr.hl');
    if (hl.length !== 1 || cell(hl[0], 0) !== ev.textContent || hl[0].hidden) fails.push('evidence link ' + ev.textContent + ' did not show and highlight its row');
    type('');
    out.checks++;
  }
  return {fails, out};
})()"""


def main(argv):
    ap = argparse.ArgumentParser(description="Check an exhunt HTML report in headless Chromium.")
    ap.add_argument("report")
    ap.add_argument("--expect-verdict", action="append", default=[])
    ap.add_argument("--expect-text", action="append", default=[])
    ap.add_argument("--screenshot")
    ap.add_argument("--pdf")
    ap.add_argument("--no-interact", action="store_true", help="skip the sort/filter/click checks")
    args = ap.parse_args(argv[1:])

    fails = []

    def fail(msg):
        fails.append(msg)
        print("FAIL: " + msg)

    path = os.path.abspath(args.report)
    try:
        with open(path, encoding="utf-8") as fh:
            html = fh.read()
    except (OSError, UnicodeDecodeError) as e:
        print("check_report: %s: %s" % (args.report, e))
        return 2
    m = DATA_RE.search(html)
    records = []
    if not m:
        fail("no <script id=\"exhunt-data\" type=\"application/json\"> element")
    else:
        if "<" in m.group(1) or "\u2028" in m.group(1) or "\u2029" in m.group(1):
            fail("the embedded data has a raw '<', U+2028 or U+2029; it must be \\u-escaped")
        try:
            records = json.loads(m.group(1))
            if not isinstance(records, list):
                fail("the embedded data is not a JSON array")
                records = []
        except ValueError as e:
            fail("the embedded data is not JSON: %s" % e)
    records = [r for r in records if isinstance(r, dict)]
    findings = [r for r in records if r.get("type") == "finding"]
    sev_of = [f.get("severity").strip().lower() if isinstance(f.get("severity"), str) else "" for f in findings]
    by_sev = {s: sev_of.count(s) for s in SEVS}

    binary = find_chromium()
    if not binary:
        print("check_report: no chromium or chromium-browser binary (set CHROMIUM=...)")
        return 2
    workdir = tempfile.mkdtemp(prefix="exhunt-html-")
    browser = None
    doc_url = pathlib.Path(path).as_uri()
    try:
        browser = Browser(binary, workdir)
        browser.call("Target.getTargets", session=None)
        target = browser.call("Target.createTarget", {"url": "about:blank"}, session=None)["targetId"]
        browser.session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True}, session=None)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network", "Inspector"):
            browser.call(domain + ".enable")
        browser.call("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 1000, "deviceScaleFactor": 1, "mobile": False})
        mark = len(browser.events)
        nav = browser.call("Page.navigate", {"url": doc_url})
        if nav.get("errorText"):
            raise CDPError("navigation failed: " + nav["errorText"])
        browser.wait_event("Page.loadEventFired", LOAD_TIMEOUT)
        doc_url = browser.evaluate("document.URL") or doc_url
        browser.settle(0.3)

        if args.screenshot:
            browser.evaluate("window.scrollTo(0, 0)")
            size = browser.call("Page.getLayoutMetrics").get("cssContentSize", {})
            height = min(int(size.get("height", 1000)) + 1, 16000)
            shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True,
                                                           "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}})
            with open(args.screenshot, "wb") as fh:
                fh.write(base64.b64decode(shot["data"]))
            print("screenshot: %s (1280x%d)" % (args.screenshot, height))
        dom = browser.evaluate(DOM_PROBE)
        inter = None
        if not args.no_interact:
            browser.evaluate("window.exhuntReport && window.exhuntReport.expandAll && document.getElementById('collapse-all').click()")
            inter = browser.evaluate(INTERACT)
        if args.pdf:
            pdf = browser.call("Page.printToPDF", {"printBackground": False, "preferCSSPageSize": True})
            with open(args.pdf, "wb") as fh:
                fh.write(base64.b64decode(pdf["data"]))
            print("pdf: " + args.pdf)
        browser.settle(0.2)
        bad, warn = describe_problems(browser.events[mark:], doc_url)

        # Is the CSP live? Probed last: the refusals log errors of their own.
        enforced = browser.evaluate(
            "(() => { const r = {};"
            " try { document.createElement('div').innerHTML = '<i>x</i>'; r.innerHTML = 'allowed'; } catch (e) { r.innerHTML = 'refused'; }"
            " try { eval('1'); r.eval = 'allowed'; } catch (e) { r.eval = 'refused'; }"
            " return r; })()", csp_eval=False)
    except (CDPError, OSError, ValueError, KeyError) as e:
        print("check_report: could not drive Chromium: %s" % e)
        if browser:
            print(browser.stderr_tail())
        return 2
    finally:
        if browser:
            browser.close()
        # Helper processes may write the profile for a moment after the
        # browser exits; retry briefly so no temporary directory is left.
        for _ in range(20):
            shutil.rmtree(workdir, ignore_errors=True)
            if not os.path.exists(workdir):
                break
            time.sleep(0.1)

    for b in bad:
        fail(b)
    for w in warn:
        print("warning: " + w)
    if not dom.get("ready"):
        fail("the page script did not finish (window.exhuntReport.ready is not set)")
    for p in dom.get("problems", []):
        fail("the page reports: " + p)
    for v in args.expect_verdict:
        if v not in dom["verdicts"]:
            fail("verdict %r not shown (banners: %s)" % (v, ", ".join(dom["verdicts"]) or "none"))
    text = dom["text"]
    for t in args.expect_text:
        if t not in text:
            fail("text %r not in the page" % t)
    if dom["rows"] != len(findings):
        fail("findings table has %d rows, the data has %d findings" % (dom["rows"], len(findings)))
    shown = {"finding", "verdict", "story", "build", "coverage", "note", "error"}
    missing = set()
    for r in records:
        if r.get("type") in shown:
            for s in strings_in(r):
                if re.search(r"[<>&]", s) and vis(s) not in text:
                    missing.add(s)
    for s in sorted(missing)[:10]:
        fail("data string with markup characters not shown as text: %r" % s[:120])
    if dom["misnested"]:
        fail("misnested elements: " + ", ".join(sorted(set(dom["misnested"]))))
    if dom["imgs"]:
        fail("%d <img> elements in the DOM" % dom["imgs"])
    if dom["active"]:
        fail("unexpected elements in the DOM: " + ", ".join(sorted(set(dom["active"]))))
    if dom["onAttrs"]:
        fail("event-handler attributes in the DOM: " + ", ".join(dom["onAttrs"][:10]))
    if dom["srcs"]:
        fail("elements with src/action-like attributes: " + ", ".join(dom["srcs"][:10]))
    off = [h for h in dom["hrefs"] if not re.match(r"^#[A-Za-z][\w-]*$", h or "")]
    if off:
        fail("links that leave the page: " + ", ".join(repr(h) for h in off[:10]))
    if dom["scripts"] != ["exhunt-data:application/json", "(inline):classic"] or dom["styles"] != 1:
        fail("scripts/styles are not exactly the template's: %s, %d style" % (dom["scripts"], dom["styles"]))
    csp = " ".join(dom["csp"])
    if len(dom["csp"]) != 1 or "default-src 'none'" not in csp or "unsafe-eval" in csp:
        fail("no single Content-Security-Policy with default-src 'none' (got %r)" % dom["csp"])
    if enforced.get("innerHTML") != "refused":
        fail("innerHTML with a string was allowed: Trusted Types are not enforced")
    if enforced.get("eval") != "refused":
        fail("eval was allowed: the CSP is not enforced")
    if inter is not None:
        for f in inter["fails"]:
            fail("interaction: " + f)
        if inter["out"].get("threshold"):
            got = inter["out"]["threshold"]
            for i, s in enumerate(SEVS):
                want = sum(by_sev[x] for x in SEVS[:i + 1])
                if s != "info" and got.get(s) != want:
                    fail("threshold %s shows %s rows, the data has %d at or above it" % (s, got.get(s), want))
            if got.get("info") != len(findings):
                fail("threshold info shows %s rows of %d" % (got.get("info"), len(findings)))
    print("%s: %d records, %d findings, verdicts %s, %d interaction checks, %d console warnings"
          % ("FAILED" if fails else "ok", len(records), len(findings), ", ".join(dom["verdicts"]) or "none",
             inter["out"]["checks"] if inter else 0, len(warn)))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
