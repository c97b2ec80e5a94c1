#!/usr/bin/env python3
"""make-example-history.py - writes the log history of examples/clean-exchange.

The clean example is a server that ran Exchange 2016 CU18 (15.1.2106.2) until
the March 2021 security update (15.1.2106.13, first in its logs on
2021-03-03), with every day's HttpProxy and IIS logs kept from 2020-12-31 on.
So its ProxyLogon exposure (from 2021-01-03, the first exploitation in the
wild, to the update) is covered day by day, and an honest verdict can say
CLEAN. The rows are normal traffic only: health probes and a user's OWA logon.

Deterministic (no clock, no randomness): running it again writes the same
bytes. Run from the repository root: tools/make-example-history.py
"""
import datetime
import hashlib
import os

ROOT = "examples/clean-exchange"
V15 = ROOT + "/Program Files/Microsoft/Exchange Server/V15"
FIRST = datetime.date(2020, 12, 31)
LAST = datetime.date(2021, 3, 2)  # 2021-03-03 is the example's own day

# The header and the 74 columns of the example's own HttpProxy log.
with open(V15 + "/Logging/HttpProxy/Ecp/HttpProxy_2021030312-1.LOG", "rb") as f:
    FIELDS = f.read().split(b"\r\n")[4].decode("utf-8")
N_COLS = FIELDS.count(",") + 1


def uid(*parts):
    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:32])


def proxy_row(day, hh, mm, ss, stem, auth, user, anchor, agent, ip, status):
    t = "%sT%02d:%02d:%02d.%03dZ" % (day.isoformat(), hh, mm, ss, (hh * 7 + mm) % 1000)
    c = [""] * N_COLS
    c[0], c[1] = t, uid(t, stem)
    c[2:6] = ["15", "1", "2106", "2"]
    c[7], c[8], c[9] = "Owa", "mail.contoso.com" if ip != "::1" else "localhost", stem
    c[11], c[12], c[13], c[15] = auth, "true" if user else "false", user, anchor
    c[16], c[17], c[18], c[19], c[20] = agent, ip, "EXCH", status, status
    c[22], c[23], c[24], c[25] = "GET", "Proxy", "exch.contoso.local", "15.01.2106.002"
    c[26] = "IntraForest"
    c[-8] = "BeginRequest=%s;CorrelationID=<empty>;EndRequest=%s;" % (t, t)
    c[-1] = "CafeV1"
    return ",".join('"%s"' % v if "," in v else v for v in c)


CHROME = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
          "Chrome/88.0.4324.190 Safari/537.36")


def write(path, text, mtime, bom=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    os.utime(path, (mtime, mtime))


day = FIRST
while day <= LAST:
    end = datetime.datetime(day.year, day.month, day.day, 23, 59, 0,
                            tzinfo=datetime.timezone.utc).timestamp()
    health = ("HealthMailbox3f1c0d7e9a2b4c56@contoso.local", "AMProbe/Local/ClientAccess", "::1")
    rows = [proxy_row(day, 8, 0, 41, "/owa/", "Negotiate", "CONTOSO.LOCAL\\HealthMailbox3f1c0d7e9a2b4c56",
                      "Smtp~" + health[0], health[1], health[2], "200"),
            proxy_row(day, 8, 12, 5, "/owa/", "Forms", "CONTOSO\\alice",
                      "Smtp~alice@contoso.com", CHROME, "10.20.1.54", "200"),
            proxy_row(day, 8, 45, 41, "/owa/", "Negotiate", "CONTOSO.LOCAL\\HealthMailbox3f1c0d7e9a2b4c56",
                      "Smtp~" + health[0], health[1], health[2], "200")]
    head = ["#Software: Microsoft Exchange Server", "#Version: 15.01.2106.002",
            "#Log-type: HttpProxy Logs", "#Date: %sT08:00:00.031Z" % day.isoformat(), FIELDS]
    write("%s/Logging/HttpProxy/Owa/HttpProxy_%s08-1.LOG" % (V15, day.strftime("%Y%m%d")),
          "\r\n".join(head + rows) + "\r\n", end, bom=True)
    ua = CHROME.replace(" ", "+")
    iis = ["#Software: Microsoft Internet Information Services 10.0", "#Version: 1.0",
           "#Date: %s 00:00:04" % day.isoformat(),
           "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
           "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken",
           "%s 00:00:04 192.0.2.25 GET /owa/healthcheck.htm - 443 - ::1 AMProbe/Local/ClientAccess - 200 0 0 15" % day,
           "%s 08:12:05 192.0.2.25 GET /owa/ &CorrelationID=<empty>;&cafeReqId=%s; 443 - 10.20.1.54 %s - 302 0 0 4"
           % (day, uid(str(day), "iis1"), ua),
           "%s 08:12:05 192.0.2.25 POST /owa/auth.owa &CorrelationID=<empty>;&cafeReqId=%s; 443 - 10.20.1.54 %s https://mail.contoso.com/owa/auth/logon.aspx 302 0 0 62"
           % (day, uid(str(day), "iis2"), ua),
           "%s 23:59:00 192.0.2.25 GET /owa/healthcheck.htm - 443 - ::1 AMProbe/Local/ClientAccess - 200 0 0 14" % day]
    write("%s/inetpub/logs/LogFiles/W3SVC1/u_ex%s.log" % (ROOT, day.strftime("%y%m%d")),
          "\r\n".join(iis) + "\r\n", end)
    day += datetime.timedelta(days=1)
