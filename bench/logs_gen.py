#!/usr/bin/env python3
"""logs_gen.py - a deterministic synthetic Exchange server log tree for logs_bench.sh.

Writes a tree laid out like the disk of one Exchange 2016 server:

  Logging/HttpProxy/<Protocol>/HttpProxy_YYYYMMDDHH-N.LOG   ~70 % of bytes
  inetpub/logs/LogFiles/W3SVC{1,2}/u_exYYMMDD.log            ~30 % of bytes
  Logging/ECP/Server/ECPServer*.LOG, Logging/OABGeneratorLog/*.LOG (small)

HttpProxy files are Exchange's CSV: a bare CSV header line, the #Software,
#Version, #Log-type, #Date and #Fields directives, then rows over the same 74
columns (the names are read from the repository's fixtures), CRLF line ends,
fields quoted as Exchange's writer quotes them. IIS files are W3C with the
default 15 fields an Exchange front end (W3SVC1, port 443) and back end
(W3SVC2, port 444) write. The rows model a healthy server: OWA, EWS,
ActiveSync, MAPI/HTTP, Autodiscover, ECP admin work, Managed Availability
health probes from ::1 / 127.0.0.1, the ECP backend-pinning ServerInfo~ cookie.

A few attack rows are buried in the benign mass (styled on the HelseCERT
incident in tests/data/logs/helsecert): a ProxyLogon SSRF chain from one client
in HttpProxy/Ecp (two sessions, one of them ending in the OAB reset with status
200), one SSRF into EWS in HttpProxy/Owa, three IIS POSTs to a dropped
/aspnet_client/x.aspx, one Set-OabVirtualDirectory with a script in the ECP
Server log and one OABGenerator write outside ClientAccess\\OAB. Where they are,
and what exhunt and the Test-ProxyLogon reference should report, goes to the
manifest, so a run can check that exactly those were found.

Speed: generating 1.2 GB row by row in Python would take many minutes, so each
file draws its rows from a few thousand pre-rendered templates (user, client,
request, latencies already chosen) and only the time stamps and request ids
change per row. That writes ~1.2 GB in about a minute.

Determinism: every choice comes from random.Random seeded with a string (seed
version 2 hashing, stable across CPython 3 releases); no clock is read. The
manifest holds the SHA-256 of every file and a fingerprint over them.

Usage: logs_gen.py TREE_DIR [--scale S] [--fixtures DIR]
  writes TREE_DIR/ and TREE_DIR.manifest.json (refuses if TREE_DIR exists)
"""
import argparse
import glob
import hashlib
import json
import os
import random
import shutil
import sys
import time

GEN_VERSION = 1
SEED = "exhunt-logs-bench-v%d" % GEN_VERSION
CRLF = "\r\n"
MB = 1000 * 1000

SERVER = "EX01"
FQDN = "ex01.contoso.local"
HOST = "mail.contoso.com"
BUILD = ("15", "1", "2106", "2")
VERSION = "15.01.2106.002"
SERVER_IP = "192.0.2.10"
ATTACKER = "203.0.113.50"          # the one hostile client of the chain
ATTACKER_UA = "python-requests/2.25.1"
EXCHANGE = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\"

# (protocol, first hour "YYYYMMDDHH", hours spanned, nominal MB)
PROXY_FILES = [
    ("Owa", "2021030108", 12, 70), ("Owa", "2021030214", 10, 65), ("Owa", "2021030409", 10, 65),
    ("Ews", "2021030107", 20, 85), ("Ews", "2021030311", 20, 85),
    ("Eas", "2021030100", 24, 95), ("Eas", "2021030300", 24, 95),
    ("Mapi", "2021030207", 12, 80), ("Mapi", "2021030407", 12, 80),
    ("Autodiscover", "2021030112", 24, 40), ("Autodiscover", "2021030312", 24, 40),
    ("Ecp", "2021030300", 24, 20), ("Ecp", "2021030400", 24, 20),
]
# (site, day "YYMMDD", port, nominal MB)
IIS_FILES = [
    ("W3SVC1", "210301", 443, 55), ("W3SVC1", "210302", 443, 55), ("W3SVC1", "210303", 443, 55),
    ("W3SVC1", "210304", 443, 55), ("W3SVC1", "210305", 443, 55),
    ("W3SVC2", "210303", 444, 43), ("W3SVC2", "210304", 444, 43),
]
ECP_FILE = ("20210303", 4)     # ECPServer<day>-1.LOG, nominal MB
OAB_FILE = ("20210303", 1)

IIS_FIELDS = ("date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
              "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken")

# ---------------------------------------------------------------------------
# Small helpers.

def csv_field(s):
    """Exchange's CSV writer: quote a field holding '"', ',', CR or LF; double '"'."""
    if any(c in s for c in '",\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def guid(rng):
    return "%08x-%04x-%04x-%04x-%012x" % (rng.getrandbits(32), rng.getrandbits(16),
                                         0x4000 | rng.getrandbits(12), 0x8000 | rng.getrandbits(14),
                                         rng.getrandbits(48))


DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]


def epoch_ms(y, mo, d, h=0):
    days = (y - 1970) * 365 + (y - 1969) // 4 + DAYS_BEFORE[mo - 1] + (d - 1)
    if mo > 2 and y % 4 == 0:
        days += 1
    return ((days * 24) + h) * 3600000


class Clock:
    """Formats epoch milliseconds cheaply: the date-and-hour part is cached."""

    def __init__(self, iso=True):
        self.iso = iso
        self.hour = -1
        self.prefix = ""

    def _prefix(self, hour):
        days, h = divmod(hour, 24)
        # civil from days (Howard Hinnant), 1970-based
        z = days + 719468
        era = z // 146097
        doe = z - era * 146097
        yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
        y = yoe + era * 400
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
        mp = (5 * doy + 2) // 153
        d = doy - (153 * mp + 2) // 5 + 1
        m = mp + 3 if mp < 10 else mp - 9
        y += m <= 2
        self.hour = hour
        self.date = "%04d-%02d-%02d" % (y, m, d)
        self.prefix = ("%sT%02d:" if self.iso else "%s %02d:") % (self.date, h)

    def fmt(self, ms):
        """ISO: 2021-03-03T06:49:42.162Z; W3C: 2021-03-03 06:49:42."""
        hour, rest = divmod(ms, 3600000)
        if hour != self.hour:
            self._prefix(hour)
        mi, rest = divmod(rest, 60000)
        s, frac = divmod(rest, 1000)
        if self.iso:
            return "%s%02d:%02d.%03dZ" % (self.prefix, mi, s, frac)
        return "%s%02d:%02d" % (self.prefix, mi, s)


class Writer:
    """Buffered binary writer that hashes what it writes and counts lines."""

    def __init__(self, path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.f = open(path, "wb")
        self.h = hashlib.sha256()
        self.buf = []
        self.pending = 0
        self.size = 0
        self.lines = 0

    def line(self, s):
        self.buf.append(s)
        self.pending += len(s) + 2
        self.lines += 1
        if self.pending >= 4 * 1024 * 1024:
            self.flush()

    def flush(self):
        if self.buf:
            data = (CRLF.join(self.buf) + CRLF).encode("utf-8")
            self.f.write(data)
            self.h.update(data)
            self.size += len(data)
            self.buf, self.pending = [], 0

    def close(self):
        self.flush()
        self.f.close()
        return self.size, self.h.hexdigest()


# ---------------------------------------------------------------------------
# The population of a healthy server.

FIRST = ("alice bob carol dave erin frank grace heidi ivan judy mallory niaj olivia peggy rupert "
         "sybil trent victor walter xena yusuf zoe anna bernd clara dmitri elena fatima goran hana "
         "ines jonas karin lars maja nils oskar petra quentin rosa sven tove ulla vera").split()
LAST = ("smith jones berg nilsen hansen johansen larsen andersen pedersen karlsen olsen moe dahl "
        "lie haugen eriksen bakke strand lund holm").split()

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.190 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.82 Safari/537.36 Edg/89.0.774.50",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:86.0) Gecko/20100101 Firefox/86.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 11_2_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.0.3 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
]
OUTLOOK = [
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13801; Pro)",
    "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13628; Pro)",
    "Microsoft Office/15.0 (Windows NT 6.1; Microsoft Outlook 15.0.5319; Pro)",
]
MAC_OUTLOOK = "Microsoft Office/16.0 (Macintosh; Mac OS X 10.15; Microsoft Outlook 16.46.211; Pro)"
MOBILE = [
    ("iPhone", "Apple-iPhone13C2/1805.114"), ("iPhone", "Apple-iPhone12C1/1804.100"),
    ("Android", "Android-Mail/2021.02.14.358493612.Release"), ("Outlook", "Outlook-iOS-Android/1.0"),
    ("SAMSUNGSMG991B", "SAMSUNG-SM-G991B/101.11001"),
]
PROBE_UA = "AMProbe/Local/ClientAccess"
HEALTH = "HealthMailbox3c1f0a5e8b9d4c2a9f0e1d2c3b4a5968"


def make_users(rng, n=600):
    users = []
    for i in range(n):
        name = "%s.%s%s" % (rng.choice(FIRST), rng.choice(LAST), "" if i < 300 else str(i))
        users.append({
            "name": name,
            "upn": "%s@contoso.com" % name,
            "sid": "S-1-5-21-3623811015-3361044348-30300820-%d" % (1100 + i),
            "ip": "192.0.2.%d" % (20 + i % 200) if i % 3 else "10.20.%d.%d" % (i // 250, 10 + i % 240),
            "browser": rng.choice(BROWSERS),
            "outlook": rng.choice(OUTLOOK) if i % 7 else MAC_OUTLOOK,
            "mobile": MOBILE[i % len(MOBILE)],
            "device": "%016X" % rng.getrandbits(64),
            "mbx": guid(rng),
            "db": guid(rng),
            "adguid": guid(rng),
        })
    return users


# ---------------------------------------------------------------------------
# HttpProxy rows.

def proxy_header(fixtures):
    hits = sorted(glob.glob(os.path.join(fixtures, "clean/Logging/HttpProxy/Owa/*.LOG")))
    if not hits:
        sys.exit("logs_gen: no HttpProxy fixture under %s/clean/Logging/HttpProxy/Owa" % fixtures)
    with open(hits[0], "rb") as f:
        first = f.readline().decode("utf-8").rstrip("\r\n")
    cols = first.split(",")
    if len(cols) != 74:
        sys.exit("logs_gen: %s: expected 74 HttpProxy columns, found %d" % (hits[0], len(cols)))
    return cols


def latencies(rng, slow=False):
    """The per-request latency columns, in milliseconds, roughly consistent."""
    backend = rng.randint(2, 60) if not slow else rng.randint(200, 1500)
    if rng.random() < 0.03:
        backend += rng.randint(100, 900)
    overhead = rng.randint(1, 9)
    total = backend + overhead + rng.randint(0, 4)
    return backend, overhead, total


class ProxyModel:
    """Renders HttpProxy row templates for one protocol."""

    def __init__(self, cols, users, rng):
        self.cols = cols
        self.idx = {c: i for i, c in enumerate(cols)}
        self.users = users
        self.rng = rng

    def row(self, proto, stem, method, status, user, ua, ip, anchor="", routing="", query="",
            action="", auth="Negotiate", slow=False, cookie=None, errors="", be_generic=""):
        rng = self.rng
        v = [""] * len(self.cols)
        I = self.idx
        backend, overhead, total = latencies(rng, slow)
        authed = user is not None and status not in (401, 302, 440)
        v[I["MajorVersion"]], v[I["MinorVersion"]], v[I["BuildVersion"]], v[I["RevisionVersion"]] = BUILD
        v[I["ClientRequestId"]] = guid(rng) if proto in ("Owa", "Ews") and rng.random() < 0.6 else ""
        v[I["Protocol"]] = proto
        v[I["UrlHost"]] = HOST if proto != "Autodiscover" or rng.random() < 0.5 else "autodiscover.contoso.com"
        v[I["UrlStem"]] = stem
        v[I["ProtocolAction"]] = action
        v[I["AuthenticationType"]] = auth
        v[I["IsAuthenticated"]] = "true" if authed else "false"
        v[I["AuthenticatedUser"]] = ("CONTOSO\\" + user["name"]) if authed and user else ""
        v[I["AnchorMailbox"]] = anchor
        v[I["UserAgent"]] = ua
        v[I["ClientIpAddress"]] = ip
        v[I["ServerHostName"]] = SERVER
        v[I["HttpStatus"]] = str(status)
        v[I["BackEndStatus"]] = str(status)
        v[I["Method"]] = method
        v[I["ProxyAction"]] = "Proxy"
        v[I["TargetServer"]] = FQDN
        v[I["TargetServerVersion"]] = VERSION
        v[I["RoutingType"]] = "IntraForest"
        v[I["RoutingHint"]] = routing
        if cookie is None and user is not None and authed:
            cookie = "Database~%s~~%s" % (user["db"], "2021-03-0%dT%02d:%02d:%02d" % (
                rng.randint(1, 5), rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)))
        v[I["BackEndCookie"]] = cookie or ""
        v[I["ServerLocatorHost"]] = FQDN if authed else ""
        v[I["ServerLocatorLatency"]] = str(rng.randint(0, 3)) if authed else ""
        v[I["RequestBytes"]] = str(rng.randint(0, 4000) if method in ("POST", "PUT") else 0)
        v[I["ResponseBytes"]] = str(rng.randint(100, 60000))
        v[I["TargetOutstandingRequests"]] = str(rng.randint(0, 3))
        v[I["AuthModulePerfContext"]] = "M.I.K=%d;M.I.A=%d;M.A.K=%d;M.A.A=%d;M.P.A=%d;M.Kb=%d" % (
            rng.randint(0, 2), rng.randint(0, 3), rng.randint(0, 2), rng.randint(0, 5), rng.randint(0, 2), rng.randint(0, 9))
        v[I["HttpPipelineLatency"]] = str(rng.randint(0, 4))
        v[I["CalculateTargetBackEndLatency"]] = str(rng.randint(0, 3))
        v[I["TotalGlsLatency"]] = "0"
        v[I["TotalAccountForestLatency"]] = "0"
        v[I["TotalResourceForestLatency"]] = "0"
        v[I["ADLatency"]] = str(rng.randint(0, 6))
        sc = rng.randint(0, 2)
        v[I["SharedCacheLatencyBreakup"]] = ("Anc:%d;" % sc) if authed else ""
        v[I["TotalSharedCacheLatency"]] = str(sc)
        v[I["ActivityContextLifeTime"]] = str(total + rng.randint(0, 3))
        v[I["ModuleToHandlerSwitchingLatency"]] = "0"
        v[I["ClientReqStreamLatency"]] = str(rng.randint(0, 2))
        v[I["BackendReqInitLatency"]] = str(rng.randint(0, 3))
        v[I["BackendReqStreamLatency"]] = str(rng.randint(0, 2))
        v[I["BackendProcessingLatency"]] = str(backend)
        v[I["BackendRespInitLatency"]] = str(backend + rng.randint(0, 2))
        v[I["BackendRespStreamLatency"]] = str(rng.randint(0, 3))
        v[I["ClientRespStreamLatency"]] = str(rng.randint(0, 3))
        v[I["KerberosAuthHeaderLatency"]] = "0" if auth == "Negotiate" else ""
        v[I["HandlerCompletionLatency"]] = "0"
        v[I["RequestHandlerLatency"]] = str(backend + overhead)
        v[I["HandlerToModuleSwitchingLatency"]] = "0"
        v[I["ProxyTime"]] = str(backend + 1)
        v[I["CoreLatency"]] = str(overhead + rng.randint(0, 3))
        v[I["RoutingLatency"]] = str(rng.randint(0, 3))
        v[I["HttpProxyOverhead"]] = str(overhead)
        v[I["TotalRequestTime"]] = str(total)
        v[I["RouteRefresherLatency"]] = ""
        v[I["UrlQuery"]] = query
        v[I["BackEndGenericInfo"]] = be_generic
        v[I["GenericErrors"]] = errors
        v[I["DatabaseGuid"]] = user["db"] if authed and user else ""
        v[I["UserADObjectGuid"]] = user["adguid"] if authed and user else ""
        v[I["PartitionEndpointLookupLatency"]] = ""
        v[I["RoutingStatus"]] = "" if status < 400 else "ProxyRequestHandlerError"
        # GenericInfo holds the two per-row time stamps: the row is rendered as
        #   DT "," RID seg1 BEGIN seg2 DT seg3
        gi_head = "ProxyState-Run=None;" if rng.random() < 0.5 else ""
        gi_mid = ("CorrelationID=<empty>;FEAuth=BEVersion-1942062522;SharedCache=%s;ServerLocatorCall=%s;"
                  "BackEndPreparationLatency=%d;BeginGetRequestStream=%d;EndGetRequestStream=%d;"
                  "BeginGetResponse=%d;EndGetResponse=%d;ProxyState-Complete=ProxyResponseData;"
                  "S:ServiceCommonMetadata.HttpMethod=%s;S:ActivityStandardMetadata.Action=%s;" % (
                      rng.choice(("Hit", "Miss")), guid(rng)[:18], rng.randint(0, 3), rng.randint(0, 3),
                      rng.randint(0, 3), rng.randint(1, 4), backend, method, action or stem.rsplit("/", 1)[-1] or "Default"))
        v[I["DateTime"]] = "\x00DT"
        v[I["RequestId"]] = "\x00RID"
        v[I["GenericInfo"]] = "OnBeginRequest=0;OnAuthenticate=%d;OnPostAuthorizeRequest=%d;BeginRequest=\x00B;%s%sEndRequest=\x00DT;" % (
            rng.randint(0, 3), rng.randint(0, 2), gi_head, gi_mid)
        line = ",".join(csv_field(x) for x in v)
        # line = "\0DT,\0RID" + seg1 + "\0B" + seg2 + "\0DT" + seg3
        head = "\x00DT,\x00RID"
        assert line.startswith(head), line[:40]
        rest = line[len(head):]
        seg1, rest = rest.split("\x00B", 1)
        seg2, seg3 = rest.split("\x00DT", 1)
        assert "\x00" not in seg1 + seg2 + seg3
        return (seg1, seg2, seg3, total)

    def benign(self, proto):
        """One benign row template of the protocol, drawn from a plausible mix."""
        rng, users = self.rng, self.users
        u = rng.choice(users)
        r = rng.random()
        if r < 0.04:  # Managed Availability health probe from loopback
            stems = {"Owa": "/owa/", "Ews": "/EWS/Exchange.asmx", "Eas": "/Microsoft-Server-ActiveSync/default.eas",
                     "Mapi": "/mapi/emsmdb/", "Autodiscover": "/autodiscover/autodiscover.xml", "Ecp": "/ecp/"}
            hm = {"name": HEALTH, "sid": "", "db": u["db"], "adguid": u["adguid"]}
            return self.row(proto, stems[proto], "GET" if proto in ("Owa", "Ecp") else "POST", 200, hm, PROBE_UA,
                            rng.choice(("::1", "127.0.0.1")), anchor="Smtp~%s@contoso.com" % HEALTH,
                            routing="Smtp-UserAddress")
        if proto == "Owa":
            if r < 0.10:
                return self.row("Owa", "/owa/", "GET", 302, None, u["browser"], u["ip"], auth="FBA")
            if r < 0.15:
                return self.row("Owa", "/owa/auth/logon.aspx", "GET", 200, None, u["browser"], u["ip"], auth="FBA",
                                query="?url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0")
            if r < 0.19:
                return self.row("Owa", "/owa/auth.owa", "POST", 302, u, u["browser"], u["ip"], auth="FBA",
                                anchor="Smtp~" + u["upn"], routing="Smtp-UserAddress")
            if r < 0.30:
                return self.row("Owa", "/owa/ev.owa2", "POST", 200, u, u["browser"], u["ip"], auth="FBA",
                                anchor="Sid~" + u["sid"], routing="WindowsIdentity", slow=True,
                                query="?ns=PendingRequest&ev=PendingNotificationRequest&UA=0&cid=%s" % guid(rng)[:13])
            if r < 0.36:
                res = rng.choice(("resources/images/0/sprite1.mouse.png", "scripts/boot.worldwide.0.mouse.js",
                                  "resources/styles/0/boot.worldwide.mouse.css", "scripts/microsoft.owa.mail.js"))
                return self.row("Owa", "/owa/prem/15.1.2106/" + res, "GET", 200, u, u["browser"], u["ip"], auth="FBA",
                                anchor="Sid~" + u["sid"], routing="WindowsIdentity")
            act = rng.choice(("GetFolder", "FindItem", "GetItem", "GetConversationItems", "FindConversation",
                              "SubscribeToNotification", "GetAccessTokenforResource", "UpdateItem", "CreateItem",
                              "GetOwaUserConfiguration", "FindPeople", "GetCalendarView"))
            return self.row("Owa", "/owa/service.svc", "POST", 200, u, u["browser"], u["ip"], auth="FBA",
                            anchor="Sid~" + u["sid"], routing="WindowsIdentity", action=act,
                            query="?action=%s&app=Mail&n=%d" % (act, rng.randint(1, 300)))
        if proto == "Ews":
            if r < 0.12:
                return self.row("Ews", "/EWS/Exchange.asmx", "POST", 401, None, MAC_OUTLOOK, u["ip"], auth="Basic")
            if r < 0.30:
                return self.row("Ews", "/EWS/Exchange.asmx", "POST", 200, u, "ExchangeServicesClient/15.00.0913.015",
                                "192.0.2.60", anchor="Smtp~" + u["upn"], routing="Smtp-UserAddress")
            if r < 0.40:
                return self.row("Ews", "/EWS/Exchange.asmx/s/GetUserPhoto", "GET", 200, u, u["outlook"], u["ip"],
                                anchor="Smtp~" + u["upn"], routing="Smtp-UserAddress",
                                query="?email=%s&size=HR64x64" % u["upn"].replace("@", "%40"))
            return self.row("Ews", "/EWS/Exchange.asmx", "POST", 200, u, u["outlook"] if r < 0.8 else MAC_OUTLOOK,
                            u["ip"], anchor="Smtp~" + u["upn"], routing="Smtp-UserAddress", auth="Negotiate",
                            slow=r > 0.95)
        if proto == "Eas":
            dt, ua = u["mobile"]
            cmd = rng.choice(("Sync", "Sync", "Ping", "Ping", "Ping", "FolderSync", "ItemOperations", "SendMail",
                              "GetItemEstimate", "Settings"))
            if r < 0.08:
                return self.row("Eas", "/Microsoft-Server-ActiveSync/default.eas", "OPTIONS", 200, u, ua, u["ip"],
                                auth="Basic", anchor="Sid~" + u["sid"], routing="WindowsIdentity")
            if r < 0.12:
                return self.row("Eas", "/Microsoft-Server-ActiveSync/default.eas", "POST", 401, None, ua, u["ip"],
                                auth="Basic", query="?Cmd=%s&User=%s&DeviceId=%s&DeviceType=%s" % (cmd, u["name"], u["device"], dt))
            return self.row("Eas", "/Microsoft-Server-ActiveSync/default.eas", "POST", 200, u, ua, u["ip"],
                            auth="Basic", anchor="Sid~" + u["sid"], routing="WindowsIdentity", action=cmd,
                            slow=cmd == "Ping",
                            query="?Cmd=%s&User=%s&DeviceId=%s&DeviceType=%s" % (cmd, u["name"], u["device"], dt))
        if proto == "Mapi":
            stem = "/mapi/emsmdb/" if r < 0.8 else "/mapi/nspi/"
            if r > 0.97:
                return self.row("Mapi", stem, "POST", 401, None, u["outlook"], u["ip"])
            return self.row("Mapi", stem, "POST", 200, u, u["outlook"], u["ip"],
                            anchor="MailboxGuid~%s@contoso.com" % u["mbx"], routing="MailboxGuidWithDomain",
                            action=rng.choice(("Execute", "Execute", "Execute", "NotificationWait", "Connect")),
                            slow=r > 0.6, query="?MailboxId=%s@contoso.com" % u["mbx"])
        if proto == "Autodiscover":
            if r < 0.55:
                return self.row("Autodiscover", "/autodiscover/autodiscover.xml", "POST", 200, u, u["outlook"], u["ip"],
                                anchor="Sid~" + u["sid"], routing="WindowsIdentity",
                                cookie="Server~%s~1942062522~2021-03-0%dT15:00:02" % (FQDN, rng.randint(1, 5)))
            if r < 0.75:
                return self.row("Autodiscover", "/autodiscover/autodiscover.json/v1.0/" + u["upn"], "GET", 200, None,
                                u["mobile"][1], u["ip"], anchor="Smtp~" + u["upn"], routing="Url-Smtp",
                                query="?Protocol=ActiveSync&RedirectCount=1")
            if r < 0.85:
                return self.row("Autodiscover", "/autodiscover/autodiscover.json", "GET", 200, None, u["mobile"][1],
                                u["ip"], anchor="Smtp~" + u["upn"], routing="Url-Smtp",
                                query="?Email=%s&Protocol=ActiveSync&RedirectCount=1" % u["upn"].replace("@", "%40"))
            return self.row("Autodiscover", "/autodiscover/autodiscover.xml", "POST", 401, None, u["outlook"], u["ip"])
        if proto == "Ecp":
            admin = {"name": "admin", "upn": "admin@contoso.com", "sid": "", "db": u["db"], "adguid": u["adguid"]}
            if r < 0.25:  # static resources pinned to the backend: ServerInfo~<server> without a path
                res = rng.choice(("scripts/microsoft.exchange.controlpanel.client.owaoptions.js",
                                  "themes/resources/default/images/logo.png", "scripts/common.js",
                                  "themes/default/styles/otherresources.css"))
                return self.row("Ecp", "/ecp/15.1.2106/" + res, "GET", 200, u, u["browser"], u["ip"], auth="FBA",
                                anchor="ServerInfo~" + FQDN, routing="X-BEResource-Cookie")
            if r < 0.45:
                svc = rng.choice(("/ecp/PersonalSettings/Accounts.svc/GetObject", "/ecp/Organize/MessageOptions.svc/GetObject",
                                  "/ecp/RulesEditor/InboxRules.svc/GetList", "/ecp/MyGroups/ViewGroups.svc/GetList"))
                return self.row("Ecp", svc, "POST", 200, u, u["browser"], u["ip"], auth="FBA",
                                anchor="Smtp~" + u["upn"], routing="Smtp-UserAddress",
                                query="?msExchEcpCanary=%s." % guid(rng).replace("-", "")[:24])
            if r < 0.55:
                return self.row("Ecp", "/ecp/", "GET", 302, None, u["browser"], u["ip"], auth="FBA")
            schema = rng.choice(("Mailboxes", "DistributionGroups", "VirtualDirectory", "OWAVirtualDirectory",
                                 "ReceiveConnectors", "TransportRules", "MailboxDatabases", "ExchangeCertificates"))
            return self.row("Ecp", "/ecp/DDI/DDIService.svc/" + rng.choice(("GetList", "GetList", "GetObject")), "POST",
                            200, admin, BROWSERS[0], "192.0.2.31", auth="FBA", anchor="Smtp~admin@contoso.com",
                            routing="Smtp-UserAddress", query="?schema=%s&msExchEcpCanary=q8Vd2xxx9Zc." % schema)
        raise ValueError(proto)

    def ssrf(self, target, status, ua=ATTACKER_UA, stem="/ecp/y.js", proto="Ecp"):
        """An attack row in the HelseCERT style (CVE-2021-26855 SSRF through X-BEResource)."""
        return self.row(proto, stem, "POST", status, None, ua, ATTACKER, auth="FBA",
                        anchor="ServerInfo~a]@%s:444%s" % (FQDN, target), routing="X-BEResource-Cookie", cookie="")


# The HelseCERT chain (tests/data/logs/helsecert HttpProxy lines 7-17), with our
# server name: (anchor target, status, user agent, expected exhunt rule, reported
# by Test-ProxyLogon 26855, by 27065 reset).
SSRF = "exhunt.log.cve_2021_26855_ssrf"
RESET = "exhunt.log.cve_2021_27065_reset_vdir"
SESSION1 = [
    ("/autodiscover/autodiscover.xml?#", 200, "ExchangeServicesClient/0.0.0.0", SSRF, False, False),
    ("/mapi/emsmdb/?#", 200, ATTACKER_UA, SSRF, True, False),
    ("/ecp/proxyLogon.ecp?#", 241, ATTACKER_UA, SSRF, True, False),
    ("/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=M1xSxxxDuw.&schema=OABVirtualDirectory#", 200, ATTACKER_UA, SSRF, True, False),
]
SESSION2 = [
    ("/autodiscover/autodiscover.xml?#", 200, "ExchangeServicesClient/0.0.0.0", SSRF, False, False),
    ("/mapi/emsmdb/?#", 200, ATTACKER_UA, SSRF, True, False),
    ("/ecp/proxyLogon.ecp?#", 241, ATTACKER_UA, SSRF, True, False),
    ("/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=8BeqxxxWYd1L8.&schema=OABVirtualDirectory#", 200, ATTACKER_UA, SSRF, True, False),
    ("/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=8BeqxxxWYd1L8.&schema=OABVirtualDirectory#", 200, ATTACKER_UA, SSRF, True, False),
    ("/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=8BeqxxxWYd1L8.&schema=ResetOABVirtualDirectory#", 200, ATTACKER_UA, RESET, True, True),
    ("/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=8BeqxxxWYd1L8.&schema=OABVirtualDirectory#", 200, ATTACKER_UA, SSRF, True, False),
]
EWS_SSRF = [("/EWS/Exchange.asmx?#", 200, ATTACKER_UA, SSRF, True, False)]

# Where they go: (protocol, first hour) -> [(fraction of the file, session, stem)]
PROXY_ATTACKS = {
    ("Ecp", "2021030300"): [(0.41, SESSION1, "/ecp/y.js")],
    ("Ecp", "2021030400"): [(0.27, SESSION2, "/ecp/y.js")],
    ("Owa", "2021030409"): [(0.63, EWS_SSRF, "/owa/auth/x.js")],
}


def write_proxy(tree, rel, proto, start_hour, span_h, nbytes, model, rng, attacks, manifest):
    y, mo, d, h = int(start_hour[:4]), int(start_hour[4:6]), int(start_hour[6:8]), int(start_hour[8:10])
    t0 = epoch_ms(y, mo, d, h) + rng.randint(0, 59999)
    clock = Clock(iso=True)
    templates = [model.benign(proto) for _ in range(3000)]
    avg = sum(len(s1) + len(s2) + len(s3) for s1, s2, s3, _ in templates) / len(templates) + 2 * 24 + 36 + 3
    n_est = max(1, int(nbytes / avg))
    step = span_h * 3600000 / n_est
    w = Writer(os.path.join(tree, rel))
    cols = model.cols
    w.line(",".join(cols))
    w.line("#Software: Microsoft Exchange Server")
    w.line("#Version: " + VERSION)
    w.line("#Log-type: HttpProxy Logs")
    w.line("#Date: " + clock.fmt(t0))
    w.line("#Fields: " + ",".join(cols))
    rid_hi = "%08x" % (int(hashlib.sha256(rel.encode()).hexdigest()[:8], 16))
    order = [rng.randrange(len(templates)) for _ in range(8191)]
    inserts = sorted((int(frac * n_est), sess, stem) for frac, sess, stem in attacks)
    i = 0
    fmt = clock.fmt
    while w.size + w.pending < nbytes:
        if inserts and i == inserts[0][0]:
            _, sess, stem = inserts.pop(0)
            t = int(t0 + i * step)
            t_start = t
            for k, (target, status, ua, rule, tpl26855, tpl27065) in enumerate(sess):
                s1, s2, s3, lat = model.ssrf(target, status, ua=ua, stem=stem, proto=proto)
                t += rng.randint(900, 3500)
                dt = fmt(t)
                w.line("%s,%s-1d2e-4f3a-8b4c-%012x%s%s%s%s%s" % (dt, rid_hi, 0xA00000000 + k, s1, fmt(t - lat), s2, dt, s3))
                manifest["attacks"].append({"path": rel, "line": w.lines, "rule": rule, "family": "exchange-httpproxy",
                                            "client_ip": ATTACKER, "what": "SSRF AnchorMailbox ServerInfo~a]@%s:444%s" % (FQDN, target),
                                            "status": status, "tpl_26855": tpl26855, "tpl_27065_reset": tpl27065})
            t0 += t - t_start  # later rows stay after the attack rows
        s1, s2, s3, lat = templates[order[i % 8191]]
        t = int(t0 + i * step)
        dt = fmt(t)
        w.line("%s,%s-1d2e-4f3a-8b4c-%012x%s%s%s%s%s" % (dt, rid_hi, i, s1, fmt(t - lat), s2, dt, s3))
        i += 1
    assert not inserts, (rel, inserts)
    return w.close()


# ---------------------------------------------------------------------------
# IIS W3C rows.

class IisModel:
    def __init__(self, users, rng, port):
        self.users, self.rng, self.port = users, rng, port

    def row(self, method, stem, query, user, ip, ua, status, sub=0, win32=0, referer="-"):
        """Template (seg1, seg2, time-taken); the row is DATE TIME seg1 REQID seg2."""
        rng = self.rng
        ua = ua.replace(" ", "+")
        taken = rng.randint(0, 40) if status != 200 or rng.random() < 0.7 else rng.randint(40, 2000)
        uname = ("CONTOSO\\" + user["name"]) if user else "-"
        if self.port == 443:
            q = (query + "&" if query else "&") + "CorrelationID=<empty>;&cafeReqId=\x00;"
        else:
            q = (query + "&" if query else "") + "cafeReqId=\x00;"
        line = "%s %s %s %s %d %s %s %s %s %d %d %d %d" % (SERVER_IP, method, stem, q, self.port, uname, ip, ua,
                                                         referer, status, sub, win32, taken)
        seg1, seg2 = line.split("\x00")
        return seg1, seg2

    def benign(self):
        rng, u = self.rng, self.rng.choice(self.users)
        r = rng.random()
        if self.port == 444:  # back end: requests from the front end (the server itself)
            ip = SERVER_IP
            if r < 0.04:
                return self.row("GET", "/owa/healthcheck.htm", "", None, "127.0.0.1", PROBE_UA, 200)
            if r < 0.30:
                return self.row("POST", "/mapi/emsmdb/", "MailboxId=%s@contoso.com" % u["mbx"], u, ip, u["outlook"], 200)
            if r < 0.50:
                return self.row("POST", "/Microsoft-Server-ActiveSync/Proxy/default.eas",
                                "Cmd=Ping&User=%s&DeviceId=%s&DeviceType=%s" % (u["name"], u["device"], u["mobile"][0]),
                                u, ip, u["mobile"][1], 200)
            if r < 0.70:
                return self.row("POST", "/EWS/Exchange.asmx", "", u, ip, u["outlook"], 200)
            if r < 0.72:
                return self.row("POST", "/PowerShell/", "serializationLevel=Full;ExchClientVer=15.1.2106.2;"
                                "clientApplication=ManagementShell;TargetServer=;PSVersion=5.1.14393.4222",
                                {"name": "admin"}, ip, "Microsoft WinRM Client", 200)
            return self.row("POST", "/owa/service.svc", "action=FindItem&app=Mail&n=%d" % rng.randint(1, 300), u, ip,
                            u["browser"], 200)
        if r < 0.04:
            return self.row("GET", rng.choice(("/owa/healthcheck.htm", "/ecp/healthcheck.htm", "/EWS/healthcheck.htm",
                                               "/mapi/healthcheck.htm", "/Autodiscover/healthcheck.htm")),
                            "", None, "127.0.0.1", PROBE_UA, 200)
        if r < 0.10:
            return self.row("GET", "/owa/", "", None, u["ip"], u["browser"], 302)
        if r < 0.13:
            return self.row("GET", "/owa/auth/logon.aspx", "url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0",
                            None, u["ip"], u["browser"], 200)
        if r < 0.16:
            return self.row("POST", "/owa/auth.owa", "", u, u["ip"], u["browser"], 302)
        if r < 0.20:
            res = rng.choice(("resources/images/0/sprite1.mouse.png", "scripts/boot.worldwide.0.mouse.js",
                              "resources/styles/0/boot.worldwide.mouse.css"))
            return self.row("GET", "/owa/prem/15.1.2106/" + res, "", u, u["ip"], u["browser"], 200)
        if r < 0.21:
            return self.row("GET", "/owa/auth/15.1.2106/themes/resources/favicon.ico", "", None, u["ip"], u["browser"], 200)
        if r < 0.36:
            act = rng.choice(("GetFolder", "FindItem", "GetItem", "GetConversationItems", "FindConversation"))
            return self.row("POST", "/owa/service.svc", "action=%s&app=Mail&n=%d" % (act, rng.randint(1, 300)), u,
                            u["ip"], u["browser"], 200)
        if r < 0.52:
            cmd = rng.choice(("Sync", "Ping", "Ping", "FolderSync", "ItemOperations"))
            return self.row("POST", "/Microsoft-Server-ActiveSync/default.eas",
                            "Cmd=%s&User=%s&DeviceId=%s&DeviceType=%s" % (cmd, u["name"], u["device"], u["mobile"][0]),
                            u, u["ip"], u["mobile"][1], 200)
        if r < 0.66:
            return self.row("POST", "/mapi/emsmdb/", "MailboxId=%s@contoso.com" % u["mbx"], u, u["ip"], u["outlook"], 200)
        if r < 0.68:
            return self.row("POST", "/mapi/emsmdb/", "MailboxId=%s@contoso.com" % u["mbx"], None, u["ip"], u["outlook"], 401, 1, 2148074254)
        if r < 0.80:
            return self.row("POST", "/EWS/Exchange.asmx", "", u, u["ip"], u["outlook"], 200)
        if r < 0.88:
            return self.row("POST", "/Autodiscover/Autodiscover.xml", "", u, u["ip"], u["outlook"], 200)
        if r < 0.91:
            return self.row("GET", "/autodiscover/autodiscover.json",
                            "Email=%s&Protocol=ActiveSync&RedirectCount=1" % u["upn"].replace("@", "%40"), None,
                            u["ip"], u["mobile"][1], 200)
        if r < 0.95:
            return self.row("GET", "/ecp/", "", None, u["ip"], u["browser"], 302)
        return self.row("POST", "/ecp/DDI/DDIService.svc/GetList",
                        "schema=Mailboxes&msExchEcpCanary=q8Vd2xxx9Zc.", {"name": "admin"}, "192.0.2.31", BROWSERS[0], 200)


IIS_ATTACKS = {("W3SVC1", "210304"): [0.20, 0.21, 0.60]}
WEBSHELL = "/aspnet_client/x.aspx"


def write_iis(tree, rel, site, day, port, nbytes, users, rng, manifest):
    y, mo, d = 2000 + int(day[:2]), int(day[2:4]), int(day[4:6])
    t0 = epoch_ms(y, mo, d)
    model = IisModel(users, rng, port)
    templates = [model.benign() for _ in range(3000)]
    avg = sum(len(a) + len(b) for a, b in templates) / len(templates) + 20 + 36 + 2
    n_est = max(1, int(nbytes / avg))
    step = 86400000 / n_est
    clock = Clock(iso=False)
    fmt = clock.fmt
    w = Writer(os.path.join(tree, rel))
    w.line("#Software: Microsoft Internet Information Services 10.0")
    w.line("#Version: 1.0")
    w.line("#Date: " + fmt(t0))
    w.line("#Fields: " + IIS_FIELDS)
    order = [rng.randrange(len(templates)) for _ in range(8191)]
    inserts = sorted(int(f * n_est) for f in IIS_ATTACKS.get((site, day), []))
    i = 0
    while w.size + w.pending < nbytes:
        if inserts and i == inserts[0]:
            inserts.pop(0)
            s1, s2 = model.row("POST", WEBSHELL, "", None, ATTACKER, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) "
                               "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/88.0.4324.182 Safari/537.36", 200)
            w.line("%s %s%s%s" % (fmt(int(t0 + i * step) + 500), s1, guid(rng), s2))
            manifest["attacks"].append({"path": rel, "line": w.lines, "rule": "exhunt.log.iis_webshell_request",
                                        "family": "iis-w3c", "client_ip": ATTACKER, "what": "POST %s 200" % WEBSHELL,
                                        "status": 200, "tpl_26855": False, "tpl_27065_reset": False})
        s1, s2 = templates[order[i % 8191]]
        w.line("%s %s%s-%012x%s" % (fmt(int(t0 + i * step)), s1, "7e1f0a2b-3c4d-4e5f-8a9b", i, s2))
        i += 1
    assert not inserts
    return w.close()


# ---------------------------------------------------------------------------
# ECP Server and OABGenerator logs (small: they are busy only during admin work).

def admin_log(tree, rel, day):
    """The start of an ECP Server or OABGenerator log of DAY ("YYYYMMDD"): the
    day's first millisecond, the ISO time formatter and the file's Writer."""
    t0 = epoch_ms(int(day[:4]), int(day[4:6]), int(day[6:8]))
    return t0, Clock(iso=True).fmt, Writer(os.path.join(tree, rel))


def write_ecp(tree, rel, day, nbytes, rng, manifest):
    t0, fmt, w = admin_log(tree, rel, day)
    cmds = ["Get-VirtualDirectory", "'S:CMD=Get-OwaVirtualDirectory.Identity=''3b9c5d1e-7f20-4a8b-9c6d-e1f2a3b4c5d6'''",
            "'S:CMD=Get-Mailbox.ResultSize=500.SortBy=''DisplayName'''", "Get-MailboxDatabase",
            "'S:CMD=Get-InboxRule.Mailbox=''%s'''" % HEALTH, "Get-ExchangeCertificate", "Get-ReceiveConnector",
            "'S:CMD=Get-DistributionGroup.ResultSize=500'", "Get-TransportRule", "Get-OrganizationConfig"]
    urls = ["/ecp/DDI/DDIService.svc/GetList?schema=VirtualDirectory", "/ecp/DDI/DDIService.svc/GetObject?schema=OWAVirtualDirectory",
            "/ecp/UsersGroups/Mailboxes.svc/GetList", "/ecp/DDI/DDIService.svc/GetList?schema=MailboxDatabases",
            "/ecp/RulesEditor/InboxRules.svc/GetList", "/ecp/DDI/DDIService.svc/GetList?schema=ExchangeCertificates",
            "/ecp/DDI/DDIService.svc/GetList?schema=ReceiveConnectors", "/ecp/DDI/DDIService.svc/GetList?schema=DistributionGroups",
            "/ecp/DDI/DDIService.svc/GetList?schema=TransportRules", "/ecp/DDI/DDIService.svc/GetObject?schema=OrganizationConfig"]
    w.line("\ufeff#Software: Microsoft Exchange Server")
    w.line("#Version: 15.0.0.0")
    w.line("#Log-type: ECP Server Log")
    w.line("#Date: " + fmt(t0 + 37010))
    w.line("#Fields: TimeStamp,ServerName,EventId,EventData")
    n_est = max(1, nbytes // 520)
    step = 86400000 / n_est
    attack_at = int(0.52 * n_est)
    i = 0
    while w.size + w.pending < nbytes:
        t = int(t0 + i * step)
        if i == attack_at:
            data = ("S:TIME=114;S:SID=%s;'S:CMD=Set-OabVirtualDirectory.ExternalUrl=''http://f/<script language=\"JScript\" "
                    "runat=\"server\">function Page_Load(){eval(Request[\"klk123456\"],\"unsafe\");}</script>''.Identity="
                    "''982d48c8-8bfa-4b6b-b431-53fd7ea4e9b3''';S:REQID=;S:URL=/ecp/DDI/DDIService.svc/SetObject?"
                    "msExchEcpCanary=M1xSxxxDuw.&schema=OABVirtualDirectory;S:REFERRER=;S:EX=;S:ACTID=%s;S:RS=0;"
                    "S:BLD=15.1.2106.2;S:TNAME=<null>;S:TID=;S:USID=%s;S:EDOID=;S:ACID=" % (guid(rng), guid(rng), guid(rng)))
            w.line("%s,%s,ECP.Request,%s" % (fmt(t + 300), SERVER, csv_field(data)))
            manifest["attacks"].append({"path": rel, "line": w.lines, "rule": "exhunt.log.cve_2021_27065_set_vdir",
                                        "family": "exchange-ecp-server", "client_ip": "", "what": "Set-OabVirtualDirectory.ExternalUrl with a script",
                                        "status": None, "tpl_26855": False, "tpl_27065_reset": False, "tpl_ecp": True})
        k = rng.randrange(len(cmds))
        cmd = cmds[k] if cmds[k].startswith("'") else "S:CMD=" + cmds[k]
        url = urls[k] + ("&" if "?" in urls[k] else "?") + "msExchEcpCanary=q8Vd2xxx9Zc."
        data = ("S:TIME=%d;S:SID=%s;%s;S:REQID=;S:URL=%s;S:REFERRER=;S:EX=;S:ACTID=%s;"
                "S:RS=0;S:BLD=15.1.2106.2;S:TNAME=<null>;S:TID=;S:USID=9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d;S:EDOID=;S:ACID="
                % (rng.randint(5, 400), guid(rng), cmd, url, guid(rng)))
        w.line("%s,%s,ECP.Request,%s" % (fmt(t), SERVER, csv_field(data)))
        i += 1
    return w.close()


def write_oab(tree, rel, day, nbytes, rng, manifest):
    t0, fmt, w = admin_log(tree, rel, day)
    w.line("#Software: Microsoft Exchange Server")
    w.line("#Log-type: OABGenerator Log (framing synthetic)")
    w.line("#Fields: DateTime,Server,ProcessId,Component,Message")
    n_est = max(1, nbytes // 220)
    step = 86400000 / n_est
    attack_at = int(0.71 * n_est)
    i = 0
    oab = EXCHANGE + "ClientAccess\\OAB\\"
    while w.size + w.pending < nbytes:
        t = int(t0 + i * step)
        if i == attack_at:
            path = "C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\8Lw7tAhF9i1pJnRo.aspx"
            w.line("%s,%s,6412,OABGenerator,%s" % (fmt(t + 200), SERVER, csv_field(
                "Download failed and temporary file '%s' needs to be removed" % path)))
            manifest["attacks"].append({"path": rel, "line": w.lines, "rule": "exhunt.log.cve_2021_26858_oab_write",
                                        "family": "exchange-oabgenerator", "client_ip": "", "what": "OAB download written to " + path,
                                        "status": None, "tpl_26855": False, "tpl_27065_reset": False, "tpl_oab": True})
        r = rng.random()
        tmp = "Temp\\OAB%08x.%s" % (rng.getrandbits(32), "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(3)))
        if r < 0.5:
            msg = ("Downloading files for fileSetId='%s' from mailbox folder 'OAB' in filesystem folder %s%s"
                   % (guid(rng), oab, tmp))
        elif r < 0.55:  # benign: inside ClientAccess\OAB (neither tool reports it)
            msg = "Download failed and temporary file '%s%s\\oab.lzx' needs to be removed" % (oab, tmp)
        elif r < 0.8:
            msg = "OABGeneratorAssistant processing OAB 'Default Offline Address Book' (%s) for organization ''" % guid(rng)
        else:
            msg = "Generated full OAB in %d ms; %d entries, %d bytes" % (rng.randint(500, 90000), rng.randint(500, 5000), rng.randint(10000, 9000000))
        w.line("%s,%s,6412,OABGenerator,%s" % (fmt(t), SERVER, csv_field(msg)))
        i += 1
    return w.close()


# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tree")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--fixtures", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "logs"))
    a = ap.parse_args()
    if not 0 < a.scale <= 1.5:
        sys.exit("logs_gen: --scale must be in (0, 1.5]")
    tree = a.tree.rstrip("/")
    if os.path.exists(tree):
        sys.exit("logs_gen: %s exists; remove it first" % tree)
    started = time.time()
    cols = proxy_header(a.fixtures)
    users = make_users(random.Random(SEED + "/users"))
    manifest = {"schema": "exhunt-logs-bench-tree/1", "generator_version": GEN_VERSION, "seed": SEED,
                "scale": a.scale, "attacker_ip": ATTACKER, "files": [], "attacks": []}
    tmp = tree + ".partial"
    if os.path.exists(tmp):
        shutil.rmtree(tmp)

    def done(rel, kind, res):
        size, sha = res
        manifest["files"].append({"path": rel, "kind": kind, "bytes": size, "sha256": sha})
        print("  %-58s %7.1f MB" % (rel, size / MB), file=sys.stderr)

    for proto, hour, span, mb in PROXY_FILES:
        rel = "Logging/HttpProxy/%s/HttpProxy_%s-1.LOG" % (proto, hour)
        rng = random.Random("%s/%s" % (SEED, rel))
        model = ProxyModel(cols, users, rng)
        done(rel, "exchange-httpproxy", write_proxy(tmp, rel, proto, hour, span, int(mb * MB * a.scale), model, rng,
                                                     PROXY_ATTACKS.get((proto, hour), []), manifest))
    for site, day, port, mb in IIS_FILES:
        rel = "inetpub/logs/LogFiles/%s/u_ex%s.log" % (site, day)
        rng = random.Random("%s/%s" % (SEED, rel))
        done(rel, "iis-w3c", write_iis(tmp, rel, site, day, port, int(mb * MB * a.scale), users, rng, manifest))
    rel = "Logging/ECP/Server/ECPServer%s-1.LOG" % ECP_FILE[0]
    done(rel, "exchange-ecp-server", write_ecp(tmp, rel, ECP_FILE[0], int(ECP_FILE[1] * MB * a.scale),
                                               random.Random("%s/%s" % (SEED, rel)), manifest))
    rel = "Logging/OABGeneratorLog/OABGeneratorLog_%s-1.LOG" % OAB_FILE[0]
    done(rel, "exchange-oabgenerator", write_oab(tmp, rel, OAB_FILE[0], int(OAB_FILE[1] * MB * a.scale),
                                                 random.Random("%s/%s" % (SEED, rel)), manifest))

    files = manifest["files"]
    manifest["bytes"] = sum(f["bytes"] for f in files)
    for kind in ("exchange-httpproxy", "iis-w3c", "exchange-ecp-server", "exchange-oabgenerator"):
        manifest["bytes_" + kind.replace("-", "_")] = sum(f["bytes"] for f in files if f["kind"] == kind)
    manifest["fingerprint"] = hashlib.sha256("".join("%s %d %s\n" % (f["path"], f["bytes"], f["sha256"])
                                                     for f in sorted(files, key=lambda f: f["path"])).encode()).hexdigest()
    at = manifest["attacks"]
    exp = {}
    for x in at:
        exp[x["rule"]] = exp.get(x["rule"], 0) + 1
    manifest["expected_exhunt"] = {"findings_total": len(at), "by_rule": exp}
    manifest["expected_tpl"] = {
        "cve_2021_26855": sum(1 for x in at if x["tpl_26855"]),
        "cve_2021_27065_reset": sum(1 for x in at if x["tpl_27065_reset"]),
        "cve_2021_27065_ecp": sum(1 for x in at if x.get("tpl_ecp")),
        "cve_2021_26858": sum(1 for x in at if x.get("tpl_oab")),
    }
    os.rename(tmp, tree)
    with open(tree + ".manifest.json.tmp", "w") as f:
        json.dump(manifest, f, indent=1, sort_keys=True)
        f.write("\n")
    os.rename(tree + ".manifest.json.tmp", tree + ".manifest.json")
    print("logs_gen: %d files, %.1f MB (HttpProxy %.0f%%), %d attack rows, fingerprint %s, %.0f s" % (
        len(files), manifest["bytes"] / MB, 100.0 * manifest["bytes_exchange_httpproxy"] / manifest["bytes"],
        len(at), manifest["fingerprint"][:16], time.time() - started), file=sys.stderr)


if __name__ == "__main__":
    main()
