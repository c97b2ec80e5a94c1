#!/usr/bin/env python3
"""probe_server.py - local HTTPS server for the exhunt probe tests.

Opens one listening port per scenario on 127.0.0.1 (never anything else),
all sharing one self-signed certificate made at test time in --dir, and
writes "scenario port" lines to --port-file (atomically, once every port is
listening). Python 3 standard library only, plus the openssl command to make
the certificate.

Scenarios (what GET /owa/auth/logon.aspx and the exporttool path return):
  header       X-OWA-Version: 15.1.2176.2, body without a build
  logon        logon page with /owa/auth/15.2.1118/... paths, no header
  exporttool   404 on logon; the .application XML (version 15.1.2308.8)
  not-exchange nginx-like pages everywhere
  nobuild      logon 302 to itself with a query (same host), then a page
               with X-FEServer and /owa/auth/ but no build; exporttool 302
               to another host (must not be followed)
  bigbody      logon page with /owa/auth/ early and the build only after
               200 KiB of padding (tests the body cap)
  slow         completes the TLS handshake, then sleeps --slow-seconds
  garbage      random non-HTTP bytes after the TLS handshake, then close

Stops on SIGTERM or SIGINT, when its parent goes away, or after
--max-lifetime seconds, so a crashed test cannot leave it running.
"""
import argparse
import http.server
import os
import signal
import socketserver
import ssl
import subprocess
import sys
import threading
import time

LOGON_PATH = "/owa/auth/logon.aspx"
EXPORTTOOL_PATH = ("/ecp/Current/exporttool/"
                   "microsoft.exchange.ediscovery.exporttool.application")

LOGON_PAGE = """<!DOCTYPE html>
<html><head>
<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">
<title>Outlook</title>
<link rel="shortcut icon" href="/owa/auth/15.2.1118/themes/resources/favicon.ico" type="image/x-icon">
<link type="text/css" rel="stylesheet" href="/owa/auth/15.2.1118/themes/resources/logon.css">
<script type="text/javascript" src="/owa/auth/15.2.1118/scripts/premium/flogon.js"></script>
</head><body class="signInBg">
<form action="/owa/auth.owa" method="POST" name="logonForm">
<input type="hidden" name="destination" value="https://mail.example.com/owa">
</form></body></html>
"""

NOBUILD_PAGE = """<!DOCTYPE html>
<html><head><title>Outlook</title>
<link rel="stylesheet" href="/owa/auth/themes/resources/logon.css">
</head><body><form action="/owa/auth.owa" method="POST"></form></body></html>
"""

EXPORTTOOL_XML = """<?xml version="1.0" encoding="utf-8"?>
<asmv1:assembly xsi:schemaLocation="urn:schemas-microsoft-com:asm.v1 assembly.adaptive.xsd" manifestVersion="1.0" xmlns:asmv1="urn:schemas-microsoft-com:asm.v1" xmlns="urn:schemas-microsoft-com:asm.v2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <assemblyIdentity name="microsoft.exchange.ediscovery.exporttool.application" version="15.1.2308.8" publicKeyToken="b03f5f7f11d50a3a" language="neutral" processorArchitecture="msil" xmlns="urn:schemas-microsoft-com:asm.v1" />
  <description asmv2:publisher="Microsoft Corporation" asmv2:product="Microsoft Exchange" xmlns="urn:schemas-microsoft-com:asm.v1" />
  <deployment install="false" trustURLParameters="true" />
  <dependency>
    <dependentAssembly dependencyType="install" codebase="15.1.2308.8\\microsoft.exchange.ediscovery.exporttool.exe.manifest" size="12345">
      <assemblyIdentity name="microsoft.exchange.ediscovery.exporttool.exe" version="15.1.2308.8" publicKeyToken="b03f5f7f11d50a3a" language="neutral" processorArchitecture="msil" type="win32" />
    </dependentAssembly>
  </dependency>
</asmv1:assembly>
"""

NGINX_PAGE = """<!DOCTYPE html>
<html><head><title>Welcome to nginx!</title></head>
<body><h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed.</p>
</body></html>
"""

NGINX_404 = """<html><head><title>404 Not Found</title></head>
<body><center><h1>404 Not Found</h1></center><hr><center>nginx/1.24.0</center>
</body></html>
"""

IIS_404 = """<!DOCTYPE html><html><head><title>404 - File or directory not found.</title></head>
<body><h2>404 - File or directory not found.</h2></body></html>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "nginx/1.24.0" if self.server.scenario == "not-exchange" else "Microsoft-IIS/10.0"

    def log_message(self, fmt, *args):  # quiet: the test output stays readable
        pass

    def send(self, status, body, content_type="text/html; charset=utf-8", headers=()):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        scenario = self.server.scenario
        path = self.path.split("?", 1)[0]
        if scenario == "header":
            if path == LOGON_PATH:
                return self.send(200, "<html><body>Outlook</body></html>",
                                 headers=[("X-OWA-Version", "15.1.2176.2")])
            return self.send(404, IIS_404)
        if scenario == "logon":
            if path == LOGON_PATH:
                return self.send(200, LOGON_PAGE)
            return self.send(404, IIS_404)
        if scenario == "exporttool":
            if path == EXPORTTOOL_PATH:
                return self.send(200, EXPORTTOOL_XML, "application/x-ms-application")
            return self.send(404, IIS_404)
        if scenario == "nobuild":
            if path == LOGON_PATH and "?" not in self.path:
                return self.send(302, "", headers=[
                    ("Location", LOGON_PATH + "?replaceCurrent=1")])
            if path == LOGON_PATH:
                return self.send(200, NOBUILD_PAGE, headers=[("X-FEServer", "EXCH01")])
            if path == EXPORTTOOL_PATH:
                # 192.0.2.1 is TEST-NET-1: following this would time out.
                return self.send(302, "", headers=[("Location", "https://192.0.2.1/")])
            return self.send(404, IIS_404)
        if scenario == "bigbody":
            if path == LOGON_PATH:
                pad = "<!-- " + "x" * (200 * 1024) + " -->\n"
                return self.send(200, NOBUILD_PAGE + pad + LOGON_PAGE)
            return self.send(404, IIS_404)
        # not-exchange
        if path == "/":
            return self.send(200, NGINX_PAGE)
        return self.send(404, NGINX_404)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops the SYNs of a parallel probe
    # past the fifth, which the client only retries a second later.
    request_queue_size = 128

    def __init__(self, scenario, context, slow_seconds):
        self.scenario = scenario
        self.context = context
        self.slow_seconds = slow_seconds
        super().__init__(("127.0.0.1", 0), Handler)

    def finish_request(self, request, client_address):
        # The TLS handshake runs here, in the connection's own thread, so a
        # client that never handshakes cannot stall the accept loop.
        request.settimeout(30)
        try:
            tls = self.context.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            if self.scenario == "slow":
                time.sleep(self.slow_seconds)
                try:
                    tls.recv(65536)
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                except OSError:
                    pass
                return
            if self.scenario == "garbage":
                try:
                    tls.recv(65536)
                    tls.sendall(b"\x00\xff\x13\x37 garbage, not HTTP \x01\x02" + os.urandom(256))
                except OSError:
                    pass
                return
            self.RequestHandlerClass(tls, client_address, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass


SCENARIOS = ["header", "logon", "exporttool", "not-exchange", "nobuild", "bigbody",
             "slow", "garbage"]


def make_cert(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    if not (os.path.exists(cert) and os.path.exists(key)):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
             "-days", "1", "-keyout", key, "-out", cert],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, help="directory for cert.pem and key.pem")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--slow-seconds", type=float, default=5.0)
    ap.add_argument("--max-lifetime", type=float, default=300.0)
    args = ap.parse_args()

    cert, key = make_cert(args.dir)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)

    servers = [(name, Server(name, context, args.slow_seconds)) for name in SCENARIOS]
    for _, srv in servers:
        threading.Thread(target=srv.serve_forever, daemon=True).start()

    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        for name, srv in servers:
            f.write("%s %d\n" % (name, srv.server_address[1]))
    os.replace(tmp, args.port_file)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    parent = os.getppid()
    deadline = time.monotonic() + args.max_lifetime
    while not stop.wait(0.2):
        if os.getppid() != parent or time.monotonic() > deadline:
            break
    for _, srv in servers:
        srv.shutdown()
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
