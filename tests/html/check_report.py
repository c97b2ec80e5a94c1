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
link off the page, exactly the two scripts of the template, no misnested list
or table elements, no inline SVG but the charts (drawing elements whose
attributes are numbers), and a CSP that Chromium enforces (innerHTML and
eval are refused). Against the records it checks (check_structure): a header
line per server with its verdict, headline and exposure badge; a unique
anchor per finding row, and every evidence link landing on the row of the
server whose section holds it (ids may repeat across servers); the whole
path in each path cell, and no path or title cell cut off or overflowing;
per server, a chart whose marks stand for every timed story step and whose
lanes are its log families and channels plus its step kinds; axis ticks
from 45 seconds to 40 years; --expect-collapsed N: a chart mark and a story
line that stand for N steps. Unless --no-interact, it also sorts by clicking
headers, types into the filter box, changes the severity threshold and the
server filter, expands a row, follows an evidence link of each server
section through the filters and opens a row from the address (#s2-F12), and
checks the table each time. With --pdf it prints through DevTools with a
filter set (check_pdf.py reads the result). Exit 0 when all checks pass, 1
when any fails, 2 on a usage error or when Chromium cannot be driven.
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


# Run in the page after load: structure and safety of the DOM, and what
# the data-driven checks in main() compare with the records.
DOM_PROBE = r"""(() => {
  const q = s => Array.from(document.querySelectorAll(s));
  const R = window.exhuntReport;
  if (R) R.expandAll();
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('script, style, noscript').forEach(e => e.remove());
  const onAttrs = [];
  q('*').forEach(e => { for (const a of e.attributes) if (/^on/i.test(a.name)) onAttrs.push(e.tagName + '[' + a.name + ']'); });
  const csp = q('meta[http-equiv]').filter(m => m.httpEquiv.toLowerCase() === 'content-security-policy').map(m => m.content);
  const txt = e => (e ? e.textContent : null);
  // Inline SVG is allowed only as the template's charts: an svg.chart in a
  // div.chart-box, a few drawing elements, and attributes that are geometry.
  const SVG_TAGS = new Set(['g', 'rect', 'line', 'text', 'title', 'circle', 'polygon']);
  const SVG_ATTRS = /^(class|x|y|x1|y1|x2|y2|width|height|r|cx|cy|points|viewBox|text-anchor|tabindex|role)$/;
  const svgBad = [];
  q('svg').forEach(s => {
    if (!s.classList.contains('chart') || !s.parentElement || !s.parentElement.classList.contains('chart-box')) svgBad.push('an svg that is not a chart');
    [s].concat(Array.from(s.querySelectorAll('*'))).forEach(e => {
      const tag = e.tagName.toLowerCase();
      if (e !== s && !SVG_TAGS.has(tag)) svgBad.push('<' + tag + '> in a chart');
      for (const a of e.attributes) if (!SVG_ATTRS.test(a.name)) svgBad.push(tag + '[' + a.name + '] in a chart');
      for (const a of e.attributes) if (a.name !== 'class' && a.name !== 'role' && a.name !== 'text-anchor' && !/^[-0-9. ]*$/.test(a.value)) svgBad.push(tag + '[' + a.name + '=' + a.value.slice(0, 40) + '] is not a number');
    });
  });
  const cols = {};
  q('#findings-table thead th').forEach((th, i) => { cols[th.getAttribute('data-key')] = i; });
  const frows = q('#findings-body tr.frow');
  const cell = (r, k) => (cols[k] === undefined ? null : r.cells[cols[k]].textContent);
  // path and title cells wrap: nothing in them is cut off or pushed out
  const cut = c => [c].concat(Array.from(c.querySelectorAll('*'))).some(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1);
  const overflow = frows.filter(r => cols.path !== undefined && (cut(r.cells[cols.path]) || cut(r.cells[cols.title])))
    .map(r => cell(r, 'id') + ' (' + r.cells[cols.path].scrollWidth + ' > ' + r.cells[cols.path].clientWidth + ' px)');
  const tbl = document.getElementById('findings-table');
  const secOf = e => { const s = e.closest('.server-sec'); return s ? txt(s.querySelector('h2 .sname')) : null; };
  const span = [['45 s', 45e3], ['90 s', 90e3], ['2 h', 72e5], ['30 h', 108e6], ['3 d', 2592e5], ['20 d', 1728e6], ['200 d', 1728e7], ['6 y', 18934e7], ['40 y', 126227e7]];
  const t0 = Date.parse('2021-03-03T04:12:55Z');
  return {
    ready: !!(R && R.ready),
    verdicts: q('.verdict .vword').map(e => e.textContent),
    rows: frows.length,
    text: clone.textContent,
    imgs: q('img').length,
    active: q('iframe, frame, object, embed, math, form, base, link, video, audio, picture, source, input[type=image], meta[http-equiv=refresh], template, portal, foreignObject, use, image, a[href] svg, svg a, svg script').map(e => e.tagName.toLowerCase()),
    svgBad: Array.from(new Set(svgBad)).slice(0, 10),
    overflow: overflow.slice(0, 5),
    tableWidth: tbl ? [tbl.scrollWidth, tbl.parentElement.clientWidth] : null,
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
    }).map(e => e.tagName.toLowerCase() + ' in ' + (e.parentElement ? e.parentElement.tagName.toLowerCase() : 'nothing')),
    // header: one line per server
    lines: q('#server-lines tr.sline').map(r => ({ name: txt(r.querySelector('.sname')), verdict: txt(r.querySelector('.vword')),
      headline: txt(r.querySelector('.headline')), badge: txt(r.querySelector('.badge')), jump: (r.querySelector('a.jump') || {}).hash || null })),
    sections: q('.server-sec').map(s => ({ id: s.id, name: txt(s.querySelector('h2 .sname')),
      charts: Array.from(s.querySelectorAll('svg.chart')).map(c => ({ lanes: c.querySelectorAll('g.lane').length,
        marks: Array.from(c.querySelectorAll('g.mark')).map(m => { const t = m.querySelector('text.cnt'); return t ? parseInt(t.textContent.replace(/\D/g, ''), 10) : 1; }),
        ticks: Array.from(c.querySelectorAll('text.tick')).map(t => t.textContent) })),
      storyCounts: Array.from(s.querySelectorAll('.story li .count')).map(e => e.textContent) })),
    // findings table: anchors, the cells links are judged by
    frows: frows.map(r => ({ anchor: r.id, id: cell(r, 'id'), server: cell(r, 'server'), path: cell(r, 'path') })),
    links: q('a[href]').filter(a => !a.closest('nav.toc')).map(a => ({ href: a.getAttribute('href'), text: a.textContent, ev: a.classList.contains('ev'), server: secOf(a) })),
    ticks: R && R.axisTicks ? span.map(([name, ms]) => ({ name, a: t0, b: t0 + ms, ticks: R.axisTicks(t0, t0 + ms) })) : []
  };
})()"""

# Run in the page: sort, filter, threshold, server, expand, evidence links,
# wrapping - all through DOM events, checked against the table's own cells.
INTERACT = r"""(() => {
  const fails = [];
  const RANK = {critical: 0, high: 1, medium: 2, low: 3, info: 4};
  const body = document.getElementById('findings-body');
  const rows = () => Array.from(body.querySelectorAll('tr.frow'));
  const visible = () => rows().filter(r => !r.hidden);
  const col = {};
  document.querySelectorAll('#findings-table thead th').forEach((th, i) => { col[th.getAttribute('data-key')] = i; });
  const cell = (r, key) => r.cells[col[key]].textContent;
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
  const out = {rows: n, checks: 0, servers: {}};
  // path and title cells wrap: nothing is cut off or pushed out of its cell
  const cut = c => [c].concat(Array.from(c.querySelectorAll('*'))).some(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1);
  const overflow = () => rows().filter(r => !r.hidden).filter(r => cut(r.cells[col.path]) || cut(r.cells[col.title]))
    .map(r => cell(r, 'id') + ' (' + r.cells[col.path].scrollWidth + ' > ' + r.cells[col.path].clientWidth + ' px)');
  if (n < 2) return {fails, out};
  // sorting: each header twice, both directions
  const sorts = [['severity', s => rank(s.toLowerCase())], ['time', tkey], ['id', idnum], ['category', s => s], ['rule', s => s]];
  for (const [key, norm] of sorts) {
    for (let k = 0; k < 2; k++) {
      click(key);
      const dir = dirOf(key);
      if (!dir) { fails.push('header ' + key + ': no aria-sort after click'); continue; }
      const vals = rows().map(r => cell(r, key));
      monotone(vals.map(norm), (a, b) => (a < b ? -1 : a > b ? 1 : 0), dir, 'sort by ' + key);
      out.checks++;
    }
    if (rows().length !== n) fails.push('sorting by ' + key + ' changed the row count');
  }
  // filter box: a word from the last row's title, then nonsense
  const filter = document.getElementById('filter');
  const type = v => { filter.value = v; filter.dispatchEvent(new Event('input', {bubbles: true})); };
  const rowText = r => Array.from(r.cells).map(c => c.textContent).join('\u0000').toLowerCase();
  const words = cell(rows()[n - 1], 'title').split(/\s+/).filter(w => w.length >= 4);
  const word = (words[0] || cell(rows()[n - 1], 'id')).toLowerCase();
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
    if (v.some(r => rank(cell(r, 'severity').toLowerCase()) > RANK[s])) fails.push('threshold ' + s + ' shows a less severe row');
    out.checks++;
  }
  // server filter: each server shows its own rows only
  const srv = document.getElementById('server-filter');
  for (const o of Array.from(srv.options).filter(o => o.value)) {
    srv.value = o.value;
    srv.dispatchEvent(new Event('change', {bubbles: true}));
    const v = visible(), names = new Set(v.map(r => cell(r, 'server')));
    out.servers[o.textContent] = v.length;
    if (names.size !== 1 || !o.textContent.startsWith(Array.from(names)[0] + ' (')) fails.push('server filter "' + o.textContent + '" shows rows of ' + Array.from(names).join(', '));
    if (overflow().length) fails.push('with server filter "' + o.textContent + '", cells overflow: ' + overflow().slice(0, 3).join(', '));
    out.checks++;
  }
  srv.value = '';
  srv.dispatchEvent(new Event('change', {bubbles: true}));
  if (visible().length !== n) fails.push('"all servers" shows ' + visible().length + ' of ' + n + ' rows');
  // a row click opens its details, a second click closes them
  const first = rows()[0];
  first.cells[0].click();
  const det = first.nextElementSibling;
  if (first.getAttribute('aria-expanded') !== 'true' || !det || !det.classList.contains('detail')) fails.push('clicking a row did not open its details');
  first.cells[0].click();
  if (first.getAttribute('aria-expanded') !== 'false' || (first.nextElementSibling && first.nextElementSibling.classList.contains('detail')))
    fails.push('clicking an open row did not close its details');
  out.checks++;
  // evidence links: the first of each server section (and of the header),
  // clicked with every filter set against it, highlight their own server's row
  const links = [];
  document.querySelectorAll('.server-sec').forEach(s => { const a = s.querySelector('.verdict a.ev') || s.querySelector('a.ev'); if (a) links.push([a, s.querySelector('h2 .sname').textContent]); });
  for (const [a, server] of links) {
    type('zz-no-such-finding-zz');
    if (srv.options.length > 1) { srv.value = srv.options[srv.options.length - 1].value; srv.dispatchEvent(new Event('change', {bubbles: true})); }
    a.click();
    const hl = body.querySelectorAll('tr.hl');
    if (hl.length !== 1 || cell(hl[0], 'id') !== a.textContent || hl[0].hidden || '#' + hl[0].id !== a.getAttribute('href'))
      fails.push('evidence link ' + a.textContent + ' did not show and highlight its row');
    else if (cell(hl[0], 'server') !== server) fails.push('evidence link ' + a.textContent + ' in the section of ' + server + ' went to a row of ' + cell(hl[0], 'server'));
    out.checks++;
  }
  type('');
  // an address with a row's anchor (#s2-F12) opens and highlights that row
  const last = rows()[n - 1];
  if (last.id) {
    type('zz-no-such-finding-zz');
    location.hash = '#' + last.id;
    window.dispatchEvent(new HashChangeEvent('hashchange'));
    const hl = body.querySelectorAll('tr.hl');
    if (hl.length !== 1 || hl[0] !== last || last.hidden || last.getAttribute('aria-expanded') !== 'true') fails.push('#' + last.id + ' in the address did not open its row');
    type('');
    out.checks++;
  }
  return {fails, out};
})()"""


def jstr(v):
    """The page's str(): strings as they are, numbers and booleans as JavaScript prints them."""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e21):
        return str(int(v))
    if isinstance(v, float):
        return repr(v)
    return ""


ISO = re.compile(r"^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$")
T_MIN, T_MAX = 631152000000, 7258118400000  # 1990-01-01 and 2200-01-01 (ms), the chart's range


def ms(v):
    """Milliseconds of an exhunt time (UTC, Z), or None."""
    m = ISO.match(v) if isinstance(v, str) else None
    if not m:
        return None
    import calendar
    try:
        t = calendar.timegm(time.strptime(v[:19], "%Y-%m-%dT%H:%M:%S"))
    except ValueError:
        return None
    return t * 1000


STEP_KINDS = ["probe", "attempt", "ssrf", "vdir-reset", "file-written", "shell-request", "command", "other"]


def check_structure(records, dom, inter, args, fail):
    """The checks that compare the rendered page with the records: a header
    line per server, anchors and links keyed by server and id, the charts,
    path cells, the server filter and the axis ticks."""
    servers = {}  # name as shown -> {"verdicts", "findings", "coverage", "stories"}

    def srv(v):
        name = vis(jstr(v)) or "(server not named)"
        return servers.setdefault(name, {"verdicts": [], "findings": [], "coverage": [], "stories": []})
    for r in records:
        kind = {"verdict": "verdicts", "finding": "findings", "coverage": "coverage", "story": "stories"}.get(r.get("type"))
        if kind:
            srv(r.get("server"))[kind].append(r)
    # header: one line per server with a verdict, its headline and badge
    lines = {ln["name"]: ln for ln in dom["lines"]}
    for name, s in servers.items():
        if not s["verdicts"]:
            continue
        v = s["verdicts"][0]
        ln = lines.get(name)
        if not ln:
            fail("no header line for server %r" % name)
            continue
        word = jstr(v.get("verdict")) or "NO VERDICT"
        if ln["verdict"] != vis(word):
            fail("header line of %r says %r, the verdict is %r" % (name, ln["verdict"], word))
        if jstr(v.get("headline")) and ln["headline"] != vis(jstr(v.get("headline"))):
            fail("header line of %r: headline %r, want %r" % (name, ln["headline"], v.get("headline")))
        exp = v.get("exposure")
        if isinstance(exp, dict) and jstr(exp.get("badge")) and ln["badge"] != jstr(exp.get("badge")):
            fail("header line of %r: exposure badge %r, want %r" % (name, ln["badge"], exp.get("badge")))
        if not (ln["jump"] or "").startswith("#server-"):
            fail("header line of %r has no link to its section" % name)
    if len(dom["lines"]) != sum(1 for s in servers.values() if s["verdicts"]):
        fail("%d header lines for %d servers with a verdict" % (len(dom["lines"]), sum(1 for s in servers.values() if s["verdicts"])))
    # anchors: one per row, unique; every link lands on a row of its own server
    anchors = [r["anchor"] for r in dom["frows"]]
    if any(not a for a in anchors) or len(set(anchors)) != len(anchors):
        fail("finding rows without an anchor or with a repeated one")
    by_anchor = {r["anchor"]: r for r in dom["frows"]}
    sections = {"#" + s["id"] for s in dom["sections"]}
    for a in dom["links"]:
        target = a["href"][1:]
        if a["ev"]:
            row = by_anchor.get(target)
            if not row:
                fail("evidence link %s goes to %s, which is no finding row" % (a["text"], a["href"]))
            elif row["id"] != a["text"]:
                fail("evidence link %s goes to the row of %s" % (a["text"], row["id"]))
            elif a["server"] is not None and row["server"] != a["server"]:
                fail("evidence link %s in the section of %s goes to the row of server %s" % (a["text"], a["server"], row["server"]))
        elif a["href"] not in sections and target not in by_anchor:
            fail("link %r goes nowhere" % a["href"])
    # path cells: the whole path, not cut
    rows = {(r["server"], r["id"]): r for r in dom["frows"]}
    seen = set()
    for f in records:
        if f.get("type") != "finding" or not jstr(f.get("id")):
            continue
        key = (vis(jstr(f.get("server"))) or "(server not named)", vis(jstr(f.get("id"))))
        if key in seen:
            continue
        seen.add(key)
        p = jstr(f.get("path")) or jstr(f.get("target"))
        if p and jstr(f.get("line")):
            p += ":" + jstr(f.get("line"))
        if key in rows and rows[key]["path"] != vis(p):
            fail("path cell of %s %s is %r, want the whole path %r" % (key[0], key[1], rows[key]["path"][:80], p[:80]))
    # charts: the steps are all there (a collapsed mark counts for its steps),
    # one lane per log family or channel and per step kind
    secs = {s["name"]: s for s in dom["sections"]}
    for name, s in servers.items():
        steps = [st for story in s["stories"] for st in (story.get("steps") if isinstance(story.get("steps"), list) else [])
                 if isinstance(st, dict)]
        timed = [st for st in steps if ms(st.get("time")) is not None and T_MIN <= ms(st.get("time")) < T_MAX]
        kinds = {st.get("step") if st.get("step") in STEP_KINDS else "other" for st in timed}
        days = any(isinstance(c.get("days"), list) and c["days"] for c in s["coverage"])
        sec = secs.get(name)
        if sec is None:
            fail("no section for server %r" % name)
            continue
        if not (timed or days):
            continue
        if not sec["charts"]:
            fail("no timeline chart for server %r (%d timed steps)" % (name, len(timed)))
            continue
        c = sec["charts"][0]
        if sum(c["marks"]) != len(timed):
            fail("chart of %r: marks stand for %d steps, the stories have %d" % (name, sum(c["marks"]), len(timed)))
        if c["lanes"] != len(s["coverage"]) + len(kinds):
            fail("chart of %r: %d lanes, want %d (log families and channels) + %d (step kinds)" % (name, c["lanes"], len(s["coverage"]), len(kinds)))
        if len(c["ticks"]) < 2:
            fail("chart of %r: %d axis ticks" % (name, len(c["ticks"])))
    for n in args.expect_collapsed:
        want = "\u00d7%d" % n
        if not any(n in c["marks"] for s in dom["sections"] for c in s["charts"]):
            fail("no chart mark stands for %d steps" % n)
        if not any(want in s["storyCounts"] for s in dom["sections"]):
            fail("no story line collapses %d steps (%s)" % (n, want))
    # axis ticks from 45 seconds to 40 years
    for tk in dom["ticks"]:
        ts = [x["t"] for x in tk["ticks"]]
        labels, day = [], ""  # a reader takes the date from the last tick that shows one
        for x in tk["ticks"]:
            day = x["sub"] or day
            labels.append(x["label"] + " " + day)
        if not 2 <= len(ts) <= 10 or ts != sorted(set(ts)) or ts[0] < tk["a"] or ts[-1] > tk["b"] or len(set(labels)) != len(labels) or not all(x["label"] for x in tk["ticks"]):
            fail("axis ticks over %s: %s" % (tk["name"], labels))
    # server filter: each server's option shows that server's findings
    if inter is not None:
        want = {}
        for name, s in servers.items():
            if s["findings"]:
                want["%s (%d)" % (name, len(s["findings"]))] = len(s["findings"])
        got = inter["out"].get("servers", {})
        if len(want) > 1 and got != want:
            fail("server filter: %s, want %s" % (got, want))


def main(argv):
    ap = argparse.ArgumentParser(description="Check an exhunt HTML report in headless Chromium.")
    ap.add_argument("report")
    ap.add_argument("--expect-verdict", action="append", default=[])
    ap.add_argument("--expect-text", action="append", default=[])
    ap.add_argument("--screenshot")
    ap.add_argument("--pdf")
    ap.add_argument("--expect-collapsed", action="append", type=int, default=[],
                    help="N: a chart mark and a story line stand for N steps (xN)")
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
            # Filters set on screen must not hide rows on paper: print with
            # a filter that matches nothing and one server chosen.
            browser.evaluate("window.exhuntReport && (window.exhuntReport.setServer(1), window.exhuntReport.setFilter('zz-no-such-finding-zz'))")
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
        if r.get("type") in shown or r.get("type") == "summary":
            for s in strings_in(r if r.get("type") != "summary" else r.get("run")):
                if re.search(r"[<>&]", s) and vis(s) not in text:
                    missing.add(s)
    for s in sorted(missing)[:10]:
        fail("data string with markup characters not shown as text: %r" % s[:120])
    if dom["misnested"]:
        fail("misnested elements: " + ", ".join(sorted(set(dom["misnested"]))))
    if dom["imgs"]:
        fail("%d <img> elements in the DOM" % dom["imgs"])
    if dom["overflow"]:
        fail("path or title cells overflow instead of wrapping: " + ", ".join(dom["overflow"]))
    if dom["tableWidth"] and dom["tableWidth"][0] > dom["tableWidth"][1] + 1:
        fail("the findings table is wider than the page (%d > %d px)" % tuple(dom["tableWidth"]))
    if dom["svgBad"]:
        fail("inline SVG beyond the charts' drawing elements and numbers: " + ", ".join(dom["svgBad"]))
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
    check_structure(records, dom, inter, args, fail)
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
