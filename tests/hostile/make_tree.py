#!/usr/bin/env python3
"""make_tree.py - build the hostile evidence tree for hostile_tests.sh.

Usage: make_tree.py OUT_DIR [EVTX_SAMPLES_DIR]

Writes one server's evidence under OUT_DIR/server, each hostile item placed
where the engine that parses it will look (IIS W3SVC*/u_ex*.log, Exchange
Logging/HttpProxy/<protocol>/HttpProxy_*.LOG, *.evtx, a Sysmon .jsonl, web
folders for the scan), and prints a manifest (JSON) of what it made, so the
test can check a note for each cap by file. Nothing big is committed: the
100 MB lines and the gzip bomb are written streaming here, at test time.

The unreadable folder (chmod 000) is made here too; the FIFOs are made with
os.mkfifo. Both need a POSIX system.
"""
import gzip
import json
import os
import random
import sys
import zlib

MB = 1024 * 1024
LONG_LINE = 100 * MB
BOMB_MEMBER = 64 * MB  # zeros per gzip member
BOMB_MEMBERS = 160  # 10 GiB of zeros in all, about 10 MB on disk
DEEP = 70  # > EXH_DEFAULT_MAX_DEPTH (64)

CHOPPER = b'<%@ Page Language="Jscript"%><%eval(Request.Item["z"],"unsafe");%>'
ESC = b"\x1b"
HOSTILE = [
    b"=cmd|' /C calc'!A0",
    b"<script>alert(1)</script>",
    b"</script><img src=x onerror=alert(1)>",
    ESC + b"]0;pwned" + b"\x07",
    ESC + b"[31mred" + ESC + b"[0m",
    b"bad\xff\xfeutf8\xc3",
    b"+SUM(1+1)*cmd|' /C calc'!A0",
    b"@SUM(1)",
    b"-2+3",
    b"\u2028\u2029".decode("unicode_escape").encode("utf-8"),
]

W3C_FIELDS = (b"date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip "
              b"cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken")
HP_FIELDS = (b"DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,"
             b"ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,"
             b"IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,"
             b"ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,"
             b"ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint")


def w3c_head(day):
    return (b"#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n"
            b"#Date: 2021-03-%02d 00:00:00\r\n#Fields: " % day + W3C_FIELDS + b"\r\n")


def w3c_row(t, method, stem, query, ip, ua, status=200):
    sp = lambda b: b.replace(b" ", b"+")  # W3C fields cannot hold a space
    return b" ".join([b"2021-03-02", t, b"192.0.2.25", method, sp(stem), sp(query) or b"-", b"443",
                      b"-", ip, sp(ua), b"-", b"%d" % status, b"0", b"0", b"15"]) + b"\r\n"


def hp_head():
    return (b"#Software: Microsoft Exchange Server\r\n#Version: 15.01.2106.002\r\n"
            b"#Log-type: HttpProxy Logs\r\n#Date: 2021-03-02T01:00:00.000Z\r\n#Fields: " +
            HP_FIELDS + b"\r\n")


def csvq(b):
    return b'"' + b.replace(b'"', b'""') + b'"'


def hp_row(t, stem, anchor, ua, ip=b"203.0.113.66", status=b"200", extra=b""):
    return b",".join([b"2021-03-02T01:%s.000Z" % t, b"req-" + t.replace(b":", b""), b"15", b"1",
                      b"2106", b"2", b"", b"Ecp", b"mail.contoso.com", stem, b"", b"", b"false",
                      b"", b"", anchor, ua, ip, b"EXCH", status, status, b"", b"POST", b"Proxy",
                      b"exch.contoso.local", b"15.01.2106.002", b"IntraForest",
                      b"X-BEResource-Cookie" + extra]) + b"\r\n"


def write(path, data, manifest=None, key=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    if manifest is not None:
        manifest[key] = path


def write_long(f, total, unit):
    """Writes `total` bytes by repeating `unit` (streaming, no big buffer)."""
    block = unit * (MB // len(unit) + 1)
    block = block[:MB]
    left = total
    while left > 0:
        n = min(left, len(block))
        f.write(block[:n])
        left -= n


def main():
    out = os.path.abspath(sys.argv[1])
    samples = sys.argv[2] if len(sys.argv) > 2 else ""
    root = os.path.join(out, "server")
    m = {}  # what -> path (bytes decoded with surrogateescape)
    rnd = random.Random(20210302)
    fsenc = lambda p: os.fsencode(p)

    web = os.path.join(root, "inetpub/wwwroot/aspnet_client")
    exch = os.path.join(root, "Program Files/Microsoft/Exchange Server/V15")
    iis = os.path.join(root, "inetpub/logs/LogFiles/W3SVC1")
    hp = os.path.join(exch, "Logging/HttpProxy")
    evl = os.path.join(root, "Windows/System32/winevt/Logs")
    os.makedirs(web, exist_ok=True)

    # --- web shells whose names carry hostile bytes (a finding must escape them)
    names = [b"sh\nell" + ESC + b"[31m.aspx", b"=cmd|' \\C calc'!A0.aspx",
             b"bad\xff\xfe.aspx", b"t" + ESC + b"]0;pwned\x07.aspx",
             b"<script>alert(1)<\\script>.aspx", b"\r+cr.aspx",
             b"c1\xc2\x9b31m\xc2\x85\xe2\x80\xaexpsa.aspx"]  # C1 CSI, NEL, right-to-left override
    for i, n in enumerate(names):
        write(os.path.join(fsenc(web), n), CHOPPER)
    m["shell_names"] = [os.fsdecode(os.path.join(fsenc(web), n)) for n in names]

    # --- a 10 MB web shell: over the buffer a worker keeps between files (4
    # MiB), under the content limit (32 MiB); its matches once pointed into
    # that buffer after it was freed (the scan crashed)
    write(os.path.join(web, "big.aspx"), CHOPPER + b"\n" + b"A" * (10 * MB), m, "big_shell")

    # --- IIS: attack rows whose fields carry formulas, markup, escapes, bad UTF-8
    rows = [w3c_head(2)]
    for i, h in enumerate(HOSTILE):
        t = b"09:%02d:%02d" % (i // 60, i % 60)
        rows.append(w3c_row(t, b"POST", b"/aspnet_client/supp0rt.aspx", b"z=" + h,
                            b"198.51.100.9", b"antSword/" + h))
        rows.append(w3c_row(t, b"POST", b"/aspnet_client/" + h.replace(b"/", b"") + b".aspx",
                            b"cmd=whoami", b"198.51.100.9", h))
        rows.append(w3c_row(t, b"GET", b"/owa/auth/x.js", h, b"198.51.100.9",
                            b"python-requests/2.25.1", 200))
    write(os.path.join(iis, "u_ex210302.log"), b"".join(rows), m, "iis_attack")
    # the same rows in a log whose own name is hostile
    write(os.path.join(fsenc(iis), b"u_ex2103" + ESC + b"[2J\n=1+1.log"), b"".join(rows))

    # --- a 100 MB single-line IIS log (no header, no newline at all)
    p = os.path.join(iis, "u_ex210303.log")
    with open(p, "wb") as f:
        write_long(f, LONG_LINE, b"2021-03-03 00:00:00 AAAA <script> " + ESC + b"[31m ")
    m["iis_long"] = p

    # --- HttpProxy: rows, then a 100 MB line, then an SSRF row that must still be read
    p = os.path.join(hp, "Ecp/HttpProxy_2021030201-1.LOG")
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(hp_head())
        f.write(hp_row(b"00:01", b"/ecp/y.js", b"ServerInfo~a]@exch:444/autodiscover/autodiscover.xml?#",
                       csvq(b"=cmd|' /C calc'!A0")))
        f.write(b"2021-03-02T01:00:02.000Z,")
        write_long(f, LONG_LINE, b"ServerInfo~a]@x:444/ecp/,\"<script>" + ESC + b"[31m")
        f.write(b"\r\n")
        f.write(hp_row(b"00:03", b"/ecp/y.js", csvq(b"ServerInfo~a]@exch:444/mapi/emsmdb/?#</script><img src=x onerror=alert(1)>"),
                       csvq(b"\x1b]0;pwned\x07 \xff\xfe")))
    m["hp_long"] = p

    # --- HttpProxy: quoted fields holding newlines, and unbalanced quotes
    p = os.path.join(hp, "Owa/HttpProxy_2021030202-1.LOG")
    body = [hp_head(),
            hp_row(b"01:01", b"/ecp/y.js", csvq(b"ServerInfo~a]@exch:444/ecp/DDI/DDIService.svc?#\r\nsecond line"),
                   csvq(b"multi\nline\n=cmd|' /C calc'!A0")),
            hp_row(b"01:02", b"/ecp/y.js", b'"ServerInfo~a]@exch:444/ecp/?# unbalanced', b'"=HYPERLINK("x")'),
            b'2021-03-02T01:01:03.000Z,"' + b"x" * 5000 + b",,,,\r\n",
            b'"""""""""""""""""""""""""""""""""""""""\r\n',
            hp_row(b"01:04", b"/ecp/y.js", b"ServerInfo~a]@exch:444/ecp/proxyLogon.ecp?#", b'"@SUM(1)')]
    write(p, b"".join(body), m, "hp_quotes")

    # --- a #Fields header with 10,000 fields, and a record with as many
    p = os.path.join(iis, "u_ex210304.log")
    fields = W3C_FIELDS + b" " + b" ".join(b"x-f%d" % i for i in range(10000 - 15))
    rec = w3c_row(b"10:00:00", b"POST", b"/aspnet_client/supp0rt.aspx", b"z=1", b"198.51.100.9", b"x")
    rec = rec.rstrip(b"\r\n") + b" " + b" ".join(b"v%d" % i for i in range(10000 - 15)) + b"\r\n"
    write(p, w3c_head(2).replace(b"#Fields: " + W3C_FIELDS, b"#Fields: " + fields) + rec * 3,
          m, "fields_10000")

    # --- a log whose #Fields header changes before every record
    p = os.path.join(iis, "u_ex210305.log")
    cols = W3C_FIELDS.split(b" ")
    with open(p, "wb") as f:
        f.write(w3c_head(2))
        for i in range(20000):
            c = cols[:]
            rnd.shuffle(c)
            f.write(b"#Fields: " + b" ".join(c) + b"\r\n")
            vals = {b"date": b"2021-03-02", b"time": b"11:%02d:%02d" % (i // 60 % 60, i % 60),
                    b"cs-uri-stem": b"/aspnet_client/supp0rt.aspx" if i % 1000 == 0 else b"/owa/",
                    b"cs-method": b"POST", b"c-ip": b"198.51.100.9", b"sc-status": b"200"}
            f.write(b" ".join(vals.get(k, b"-") for k in c) + b"\r\n")
    m["header_churn"] = p

    # --- NUL-filled and binary "logs"
    p = os.path.join(iis, "u_ex210306.log")
    with open(p, "wb") as f:
        write_long(f, 8 * MB, b"\0")
    m["nul_log"] = p
    p = os.path.join(hp, "Ews/HttpProxy_2021030203-1.LOG")
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "wb") as f:
        f.write(hp_head())
        f.write(rnd.randbytes(2 * MB))
    m["binary_log"] = p
    p = os.path.join(root, "collected/binary.jsonl")
    write(p, b"{" + rnd.randbytes(MB), m, "binary_jsonl")

    # --- gzip: a truncated log, and a bomb (concatenated members of zeros)
    whole = gzip.compress(b"".join(rows) * 50, 6)
    p = os.path.join(iis, "u_ex210307.log.gz")
    write(p, whole[: len(whole) // 2], m, "gz_truncated")
    co = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    member = bytearray()
    zero = bytes(MB)
    for _ in range(BOMB_MEMBER // MB):
        member += co.compress(zero)
    member += co.flush()
    p = os.path.join(iis, "u_ex210308.log.gz")
    with open(p, "wb") as f:
        for _ in range(BOMB_MEMBERS):
            f.write(member)
    m["gz_bomb"] = p
    m["gz_bomb_bytes"] = BOMB_MEMBER * BOMB_MEMBERS
    # not gzip at all behind a .gz name
    write(os.path.join(iis, "u_ex210309.log.gz"), b"\x1f\x8b\x08" + b"\xff" * 4096, m, "gz_garbage")

    # --- EVTX: truncated and corrupt copies of real samples
    src = os.path.join(samples, "discovery_sysmon_1_iis_pwd_and_config_discovery_appcmd.evtx")
    if samples and os.path.isfile(src):
        data = open(src, "rb").read()
        # cut inside the third of its five chunks
        write(os.path.join(evl, "Sysmon-truncated.evtx"), data[: 4096 + 2 * 65536 + 30000], m,
              "evtx_truncated")
        write(os.path.join(evl, "Sysmon-header-only.evtx"), data[:1500], m, "evtx_header_only")
        bad = bytearray(data)
        for off in range(4096 + 512, len(bad), 997):  # records of every chunk
            bad[off] ^= 0x5A
        write(os.path.join(evl, "Sysmon-corrupt.evtx"), bytes(bad), m, "evtx_corrupt")
        bad = bytearray(data)
        bad[4096:4096 + 8] = b"XXXXXXXX"  # the first chunk's signature
        bad[4096 + 0x7C:4096 + 0x80] = b"\xff\xff\xff\xff"  # and its checksum
        write(os.path.join(evl, "Sysmon-badchunk.evtx"), bytes(bad), m, "evtx_badchunk")
    write(os.path.join(evl, "Fake.evtx"), b"ElfFile\0" + rnd.randbytes(70000),
          m, "evtx_fake")

    # --- JSON events: deep nesting, huge strings, hostile values
    ev = lambda **kw: json.dumps(dict({"Channel": "Microsoft-Windows-Sysmon/Operational"}, **kw)).encode()
    lines = [ev(EventID=1, TimeCreated="2021-03-02T12:00:00.000Z",
                ParentImage="C:\\Windows\\System32\\inetsrv\\w3wp.exe",
                Image="C:\\Windows\\System32\\cmd.exe",
                CommandLine="cmd /c whoami " + "".join(h.decode("utf-8", "replace") for h in HOSTILE))]
    lines.append(b'{"Channel":"x","EventID":1,"a":' + b"[" * 200000 + b"]" * 200000 + b"}")
    lines.append(b'{"Channel":"x","EventID":1,"a":' + b'{"a":' * 100000 + b"1" + b"}" * 100000 + b"}")
    lines.append(ev(EventID=1, TimeCreated="2021-03-02T12:00:01.000Z",
                    ParentImage="C:\\Windows\\System32\\inetsrv\\w3wp.exe",
                    Image="C:\\Windows\\System32\\cmd.exe", CommandLine="cmd /c " + "A" * 900000))
    lines.append(ev(EventID=1, TimeCreated="2021-03-02T12:00:02.000Z",
                    CommandLine="B" * (3 * MB)))  # over the line cap: cut, then not JSON
    lines.append(ev(EventID=11, TimeCreated="2021-03-02T12:00:03.000Z",
                    Image="C:\\Windows\\System32\\inetsrv\\w3wp.exe",
                    TargetFilename="C:\\inetpub\\wwwroot\\aspnet_client\\x\u001b[31m\n\u0000<script>.aspx"))
    lines.append(b'{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"CommandLine":"\\ud800\\udfff\\u0000\\u001b]0;t\\u0007"}')
    lines.append(b'{"Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"CommandLine":"unterminated')
    lines.append(b"\0" * 1000)
    write(os.path.join(root, "collected/Microsoft-Windows-Sysmon-Operational.jsonl"),
          b"\n".join(lines) + b"\n", m, "events_jsonl")

    # --- an ECP Server log and an OABGenerator log with hostile rows
    write(os.path.join(exch, "Logging/ECP/Server/ECPServer20210302-1.LOG"),
          b"#Software: Microsoft Exchange Server\r\n#Log-type: ECP Server Log\r\n"
          b"#Fields: DateTime,ServerName,EventData\r\n"
          b"2021-03-02T02:00:00.000Z,EXCH,\"S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/#"
          b"<script language=\"\"JScript\"\" runat=\"\"server\"\">function Page_Load(){eval(Request"
          b"[\"\"k\"\"],\"\"unsafe\"\");}</script><img src=x onerror=alert(1)>\x1b[31m\xff'.Identity='x'\"\r\n",
          m, "ecp")

    # --- a CSV that is not a log but sits among collected files
    write(os.path.join(root, "collected/export.csv"),
          b'a,b\r\n"=cmd|\' /C calc\'!A0","multi\nline"\r\n"unbalanced,\r\n', m, "csv")

    # --- a directory chain deeper than the walker's limit, with a shell at the bottom
    d = os.path.join(root, "inetpub/wwwroot/deep")
    for i in range(DEEP):
        d = os.path.join(d, "d%d" % i)
    os.makedirs(d)
    write(os.path.join(d, "bottom.aspx"), CHOPPER)
    m["deep_dir"] = os.path.join(root, "inetpub/wwwroot/deep/")
    # a path longer than EXH_MAX_PATH (4096), in components the kernel accepts
    d = os.path.join(root, "inetpub/wwwroot/long")
    os.makedirs(d)
    fd = os.open(d, os.O_RDONLY)
    for i in range(20):
        os.mkdir("L%d" % i + "x" * 240, dir_fd=fd)
        nfd = os.open("L%d" % i + "x" * 240, os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    with open(os.open("shell.aspx", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as f:
        f.write(CHOPPER)
    os.close(fd)
    m["long_path_dir"] = d

    # --- symlink loops, FIFOs (one named like a log, one like a shell)
    links = os.path.join(root, "inetpub/wwwroot/links")
    os.makedirs(links)
    os.symlink("b", os.path.join(links, "a"))
    os.symlink("a", os.path.join(links, "b"))
    os.symlink("self", os.path.join(links, "self"))
    os.symlink("..", os.path.join(links, "up"))
    os.symlink("/", os.path.join(links, "outside"))
    m["symlink_loop"] = os.path.join(links, "a")
    os.mkfifo(os.path.join(iis, "u_ex210310.log"))
    os.mkfifo(os.path.join(web, "fifo.aspx"))
    m["fifo_log"] = os.path.join(iis, "u_ex210310.log")
    m["fifo_web"] = os.path.join(web, "fifo.aspx")

    # --- an unreadable folder and an unreadable file, with a shell inside
    u = os.path.join(root, "inetpub/wwwroot/locked")
    write(os.path.join(u, "hidden.aspx"), CHOPPER)
    os.chmod(u, 0)
    write(os.path.join(web, "locked.aspx"), CHOPPER)
    os.chmod(os.path.join(web, "locked.aspx"), 0)
    m["unreadable_dir"] = u
    m["unreadable_file"] = os.path.join(web, "locked.aspx")

    m["root"] = root
    flood(os.path.join(out, "flood"), m)
    json.dump(m, sys.stdout, ensure_ascii=True, indent=1)
    sys.stdout.write("\n")


def flood(root, m):
    """A second server: 20,000 shell requests from 5,000 addresses to 2,000
    URLs, and 12,000 worker-process events with no address. Correlating
    them once cost minutes (pairwise loops in the story); the story caps
    must hold it to seconds and say what they left out."""
    iis = os.path.join(root, "inetpub/logs/LogFiles/W3SVC1")
    rows = [w3c_head(2)]
    for i in range(20000):
        t = b"%02d:%02d:%02d" % (i // 3600 % 24, i // 60 % 60, i % 60)
        ip = b"10.%d.%d.%d" % (1 + i % 5000 // 65536, i % 5000 // 256, i % 256)
        rows.append(w3c_row(t, b"POST", b"/aspnet_client/s%d.aspx" % (i % 2000), b"z=1", ip,
                            b"antSword/%d" % (i % 7)))
    write(os.path.join(iis, "u_ex210302.log"), b"".join(rows), m, "flood_iis")
    ev = []
    for i in range(12000):
        ev.append(json.dumps({"Channel": "Microsoft-Windows-Sysmon/Operational", "EventID": 1,
                              "TimeCreated": "2021-03-02T%02d:%02d:%02d.000Z" % (i // 3600 % 24, i // 60 % 60, i % 60),
                              "ParentImage": "C:\\Windows\\System32\\inetsrv\\w3wp.exe",
                              "Image": "C:\\Windows\\System32\\cmd.exe",
                              "CommandLine": "cmd /c whoami %d" % i}).encode())
    write(os.path.join(root, "collected/Microsoft-Windows-Sysmon-Operational.jsonl"),
          b"\n".join(ev) + b"\n")
    # 3,000 Set-OabVirtualDirectory lines, each with its own script, and
    # 200 shells on disk of 100 KB: every shell was read again for every
    # line (15 s for 300 shells); now once, for at most 64 scripts.
    ecp = [b"#Software: Microsoft Exchange Server\r\n#Log-type: ECP Server Log\r\n"
           b"#Fields: DateTime,ServerName,EventType,EventData\r\n"]
    for i in range(3000):
        t = b"2021-03-02T03:%02d:%02d.000Z" % (i // 60 % 60, i % 60)
        ecp.append(t + b",EXCH,ECP.Request,\"S:CMD=Set-OabVirtualDirectory.ExternalUrl='http://f/"
                   b"<script language=\"\"JScript\"\" runat=\"\"server\"\">function Page_Load(){eval("
                   b"Request[\"\"k%d\"\"],\"\"unsafe\"\");}</script>'.Identity='x'\"\r\n" % i)
    write(os.path.join(root, "Program Files/Microsoft/Exchange Server/V15/Logging/ECP/Server/"
                       "ECPServer20210302-1.LOG"), b"".join(ecp))
    web = os.path.join(root, "inetpub/wwwroot/aspnet_client")
    for i in range(200):
        write(os.path.join(web, "k%d.aspx" % i),
              b'<script language="JScript" runat="server">function Page_Load(){eval(Request["k%d"],'
              b'"unsafe");}</script>' % i + b"\n" + b"A" * 100000)
    m["flood_root"] = root


if __name__ == "__main__":
    main()
