#!/usr/bin/env bash
#
# scan_bench.sh - exhunt against its peers on one synthetic IIS/Exchange tree.
#
# One run does everything:
#   1. generates (once, cached in bench/out/) a deterministic tree of ~4,100
#      files, ~1.5 GB: the shared web-shell and benign corpora spread over an
#      IIS/Exchange layout, plus IIS W3C and HttpProxy logs, .js/.css/.aspx/
#      .config text, PE-like binaries, a memory dump and a mailbox database;
#   2. warms the page cache by reading the tree once (dropping it needs root,
#      so every tool is measured on a WARM cache: this compares CPU cost, not
#      disk speed);
#   3. times each tool BENCH_RUNS times, round-robin, under /usr/bin/time
#      (wall seconds and peak RSS) and takes the median wall time;
#   4. prints a table, the two targets from the issue with PASS/MISS, and
#   5. writes the same figures to bench/out/scan_bench.json.
#
# It is a benchmark, not a test: it exits 0 whatever the figures, and non-zero
# only when a tool or the generator fails.
#
# Fairness (see bench/README.md for the long form):
#   - YARA gets the same rule files exhunt embeds (rules/yara/**/*.yar{,a}),
#     compiled once with yarac and the same five externals, and runs without
#     -f (yara's default); exhunt uses libyara's fast mode (same verdicts),
#     so the yara_fast row gives the like-for-like engine comparison.
#   - exhunt applies content rules to files <= 32 MiB by default and only
#     hashes larger ones; yara has no size limit by default (it mmaps the
#     whole file). The target row pairs exhunt's default run with
#     `yara -z 33554433` so both run the rules over exactly the same files
#     (yara's -z skips files whose size is >= N, exhunt skips size > N).
#     The "all bytes" rows run both over every byte of every file.
#
# Usage: bench/scan_bench.sh [PATH_TO_EXHUNT]
# Environment:
#   EXHUNT         exhunt binary (default: build/exhunt under the repo root)
#   BENCH_RUNS     runs per tool (default 3; the median is reported)
#   BENCH_THREADS  worker threads for every tool (default 2)
#   BENCH_SCALE    size factor of the tree, e.g. 0.05 for a smoke test
#                  (default 1, ~1.5 GB; each scale is cached separately)
#   BENCH_EXTRA    1 (default) also times yara -f and the "all bytes" pair
#   BENCH_RULES    YARA rules folder given to yara (default rules/yara); it
#                  must be the one the exhunt binary embedded (checked)
#   BENCH_IDLE_WAIT  seconds to wait for other processes to go quiet before
#                  each run (default 60)
#   BENCH_RETRIES  re-runs of a run during which others used > 0.25 core
#                  (default 2)
#   BENCH_OUT      output folder (default bench/out, git-ignored)
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
bench_init scan_bench "$@"
EXTRA=${BENCH_EXTRA:-1}
RULES_DIR=${BENCH_RULES:-$REPO/rules/yara}
GEN_VERSION=1                 # bump when the tree recipe changes
SEED=exhunt-bench-v$GEN_VERSION
CONTENT_LIMIT=$((32 * 1024 * 1024)) # exhunt's default --max-filesize
RSS_TARGET_MB=200
CORPUS=${BENCH_CORPUS:-$REPO/../shared/corpus}
[ -d "$CORPUS" ] || CORPUS=/work/shared/corpus

for tool in yara yarac sha256sum openssl awk find xargs; do
  command -v "$tool" >/dev/null || die "missing tool: $tool"
done
if [ ! -d "$CORPUS/webshells" ] || [ ! -d "$CORPUS/benign" ]; then die "corpus not found under $CORPUS"; fi

if [ "$SCALE" = 1 ]; then TREE=$OUT/tree; else TREE=$OUT/tree-s$SCALE; fi
PLAN=$TREE.plan.tsv
STAMP=$TREE.stamp

# ===========================================================================
# 1. The tree.
# ===========================================================================

# Park-Miller LCG: exact in 64-bit shell arithmetic and in awk doubles, so the
# plan does not depend on any tool's RNG. Result in R.
PM=1
rnd() { PM=$((PM * 16807 % 2147483647)); R=$((PM % $1)); }
seed_pm() { # string -> PM state
  local h
  h=$(printf '%s' "$1" | cksum)
  PM=$(((${h%% *} % 2147483646) + 1))
}
MIB=1048576
sz() { # nominal bytes, scaled
  awk -v n="$1" -v s="$SCALE" 'BEGIN { printf "%d", n * s }'
}
# Size between lo and hi, skewed to the small end (cubic): mean ~ lo+(hi-lo)/4.
skew() {
  rnd 1000
  local u=$R
  SIZE=$(($1 + ($2 - $1) * u * u * u / 1000000000))
}

EX='Program Files/Microsoft/Exchange Server/V15'
WEBSHELL_DIRS=(
  "inetpub/wwwroot/aspnet_client"
  "inetpub/wwwroot/aspnet_client/system_web"
  "inetpub/wwwroot/aspnet_client/system_web/4_0_30319"
  "inetpub/wwwroot"
  "$EX/FrontEnd/HttpProxy/owa/auth"
  "$EX/FrontEnd/HttpProxy/owa/auth/Current/themes/resources"
  "$EX/FrontEnd/HttpProxy/ecp/auth"
  "$EX/ClientAccess/ecp"
  "$EX/ClientAccess/Owa/auth"
  "$EX/ClientAccess/OAB"
  "$EX/ClientAccess/exchweb/ews"
  "Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/2c2a3c14/6bd9b4d9"
)
BIN_DIRS=(
  "$EX/Bin"
  "$EX/Bin/Search/Ceres"
  "$EX/FrontEnd/HttpProxy/bin"
  "$EX/ClientAccess/Owa/bin"
  "$EX/ClientAccess/ecp/bin"
  "$EX/ClientAccess/Sync/bin"
  "Windows/Microsoft.NET/Framework64/v4.0.30319"
  "Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/ecp/a6e2b0f3/5c1e8a27"
  "Windows/Microsoft.NET/Framework64/v4.0.30319/Temporary ASP.NET Files/owa/2c2a3c14/6bd9b4d9"
  "Windows/Microsoft.NET/assembly/GAC_MSIL/Microsoft.Exchange.Data/v4.0_15.0.0.0__31bf3856ad364e35"
)
TEXT_DIRS=(
  "$EX/ClientAccess/Owa/prem/15.1.2176/scripts"
  "$EX/ClientAccess/Owa/prem/15.1.2176/resources/styles"
  "$EX/ClientAccess/ecp/15.1.2176/scripts"
  "$EX/ClientAccess/ecp/Reporting"
  "$EX/ClientAccess/ecp/Organize"
  "$EX/FrontEnd/HttpProxy/owa"
  "$EX/FrontEnd/HttpProxy/ecp"
  "inetpub/wwwroot/intranet"
  "inetpub/wwwroot/intranet/js"
  "inetpub/wwwroot/intranet/css"
  "inetpub/wwwroot/intranet/App_Data"
  "$EX/ClientAccess/PowerShell-Proxy"
)
PROXY_PROTOS=(Owa Ecp Ews Autodiscover Mapi Eas)

plan() { # kind size seed relpath [src]
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}"
}

make_plan() {
  local i d n name ext kinds
  seed_pm "$SEED:plan"
  {
    # A few large files (100-300 MB): content rules skip them by default.
    plan edb "$(sz $((256 * MIB)))" 1 "$EX/Mailbox/Mailbox Database 0412881922/Mailbox Database 0412881922.edb"
    plan dump "$(sz $((150 * MIB)))" 2 "Windows/Temp/lsass.dmp"
    plan iislog "$(sz $((200 * MIB)))" 3 "inetpub/logs/LogFiles/W3SVC1/u_ex210302.log"
    plan proxylog "$(sz $((100 * MIB)))" 4 "$EX/Logging/HttpProxy/Ecp/HttpProxy_2021030300-1.LOG"
    # Medium files on both sides of the 32 MiB content limit.
    plan pe "$(sz $((26 * MIB)))" 5 "$EX/Bin/Microsoft.Exchange.Data.Storage.dll"
    plan pe "$(sz $((40 * MIB)))" 6 "$EX/Bin/Microsoft.Exchange.Management.dll"
    plan pe "$(sz $((12 * MIB)))" 7 "$EX/Bin/Microsoft.Exchange.Diagnostics.dll"
    plan iislog "$(sz $((31 * MIB)))" 8 "inetpub/logs/LogFiles/W3SVC1/u_ex210301.log"
    plan iislog "$(sz $((36 * MIB)))" 9 "inetpub/logs/LogFiles/W3SVC2/u_ex210302.log"
    plan bin "$(sz $((18 * MIB)))" 10 "Windows/Temp/7z_out.bin"
    plan proxylog "$(sz $((20 * MIB)))" 11 "$EX/Logging/CmdletInfra/Others/CmdletInfra_2021030201-1.LOG"
    # Daily IIS logs.
    for i in $(seq 1 50); do
      skew $((256 * 1024)) $((8 * MIB))
      d=$(printf 'W3SVC%d/u_ex2102%02d.log' $((1 + i % 2)) $((1 + (i - 1) / 2 % 28)))
      if [ "$i" -gt 28 ]; then d=${d/u_ex2102/u_ex2101}; fi
      plan iislog "$(sz $SIZE)" $((100 + i)) "inetpub/logs/LogFiles/$d"
    done
    # Exchange HttpProxy CSV logs.
    for i in $(seq 1 120); do
      skew $((64 * 1024)) $((4 * MIB))
      n=${PROXY_PROTOS[$((i % ${#PROXY_PROTOS[@]}))]}
      plan proxylog "$(sz $SIZE)" $((200 + i)) "$EX/Logging/HttpProxy/$n/$(printf 'HttpProxy_202102%02d%02d-1.LOG' $((1 + i % 28)) $((i % 24)))"
    done
    # .NET assemblies (MZ header), executables, opaque binaries.
    for i in $(seq 1 600); do
      skew $((8 * 1024)) $MIB
      d=${BIN_DIRS[$((i % ${#BIN_DIRS[@]}))]}
      rnd 3
      case $R in 0) name="Microsoft.Exchange.Module$i.dll" ;; 1) name="App_Web_$(printf '%08x' $PM).dll" ;; *) name="Microsoft.Exchange.Data.Part$i.dll" ;; esac
      plan pe "$(sz $SIZE)" $((1000 + i)) "$d/$name"
    done
    for i in $(seq 1 40); do
      skew $((32 * 1024)) $((4 * MIB))
      plan pe "$(sz $SIZE)" $((2000 + i)) "$EX/Bin/ExTool$i.exe"
    done
    for i in $(seq 1 150); do
      skew 4096 $((512 * 1024))
      rnd 4
      case $R in 0) ext=resources ;; 1) ext=dat ;; 2) ext=cache ;; *) ext=bin ;; esac
      d=${BIN_DIRS[$((i % ${#BIN_DIRS[@]}))]}
      plan bin "$(sz $SIZE)" $((3000 + i)) "$d/blob$i.$ext"
    done
    # Site text: scripts, styles, pages, configuration.
    kinds=(js js js css css aspx aspx config xml)
    for i in $(seq 1 1200); do
      skew 512 $((96 * 1024))
      n=${kinds[$((i % ${#kinds[@]}))]}
      d=${TEXT_DIRS[$((i % ${#TEXT_DIRS[@]}))]}
      case $n in
        aspx) rnd 3; ext=(aspx ascx ashx); name="page$i.${ext[$R]}" ;;
        config) name="web$i.config" ;;
        *) name="file$i.$n" ;;
      esac
      plan "$n" "$(sz $SIZE)" $((4000 + i)) "$d/$name"
    done
    # Tiny files, some empty.
    for i in $(seq 1 200); do
      rnd 2048
      plan txt "$R" $((6000 + i)) "${TEXT_DIRS[$((i % ${#TEXT_DIRS[@]}))]}/note$i.txt"
    done
    # The corpora, every file once: benign files keep their repository
    # layout under a site; web shells are spread over the places attackers
    # drop them.
    i=0
    while IFS= read -r name; do
      plan copy 0 0 "inetpub/wwwroot/sites/${name//__//}" "benign/$name"
    done < <(cd "$CORPUS/benign" && LC_ALL=C ls)
    while IFS= read -r name; do
      i=$((i + 1))
      d=${WEBSHELL_DIRS[$(((i * 7) % ${#WEBSHELL_DIRS[@]}))]}
      plan copy 0 0 "$d/${name##*__}" "webshells/$name"
    done < <(cd "$CORPUS/webshells" && LC_ALL=C ls)
  }
}

# Deterministic random bytes: AES-256-CTR keystream of a fixed passphrase.
rand_bytes() { # seed n
  { openssl enc -aes-256-ctr -pbkdf2 -iter 1 -md sha256 -nosalt -pass "pass:$SEED:$1" </dev/zero 2>/dev/null || true; } | head -c "$2"
}

# Text generators; Park-Miller inside awk too, for the same reason as above.
TEXT_AWK='
function r(n) { S = (S * 16807) % 2147483647; return S % n }
function pick(a, n) { return a[r(n) + 1] }
function hex(n,   s) { s = ""; while (n-- > 0) s = s substr("0123456789abcdef", r(16) + 1, 1); return s }
function out(s) { print s; B += length(s) + 1 }
BEGIN {
  S = seed % 2147483646 + 1
  split("GET GET GET GET POST POST HEAD", meth, " ")
  split("/owa/ /owa/auth/logon.aspx /owa/service.svc /ecp/ /ecp/default.aspx /EWS/Exchange.asmx /mapi/emsmdb/ /mapi/nspi/ /Microsoft-Server-ActiveSync/default.eas /autodiscover/autodiscover.xml /rpc/rpcproxy.dll /oab/ /owa/auth/15.1.2176/themes/resources/favicon.ico /ecp/DDI/DDIService.svc/GetList /powershell/", uri, " ")
  split("Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)+AppleWebKit/537.36+(KHTML,+like+Gecko)+Chrome/88.0.4324.190+Safari/537.36 Microsoft+Office/16.0+(Windows+NT+10.0;+Microsoft+Outlook+16.0.13801;+Pro) Apple-iPhone12C1/1805.212 MSRPC ExchangeServicesClient/15.01.2176.002 Microsoft+WinRM+Client python-requests/2.25.1", ua, " ")
  split("200 200 200 200 200 302 302 401 401 404 500 440", st, " ")
  split("var let const function return if else for while switch case break new this null true false", kw, " ")
  split("value index result item data node element options config handler callback response request buffer count", id, " ")
  split("margin padding color background border width height display font-size line-height position top left", prop, " ")
  split("block none inline-block flex 0 1px 2px 4px 8px 12px 16px 100% auto #fff #333 #0072c6 #e1e1e1", val, " ")
  split("ScriptManager Label TextBox Button Panel Repeater HiddenField HyperLink Literal PlaceHolder", ctl, " ")
  split("webpages:Version ClientValidationEnabled UnobtrusiveJavaScriptEnabled ServiceUrl LogLevel CacheSeconds ExchangeVersion", key, " ")
  split("Owa Ecp Ews Autodiscover Mapi Eas", proto, " ")
  if (kind == "iislog") iislog(); else if (kind == "proxylog") proxylog();
  else if (kind == "js") js(); else if (kind == "css") css();
  else if (kind == "aspx") aspx(); else if (kind == "config" || kind == "xml") config();
  else txt()
}
function stamp(t) { return sprintf("2021-03-%02d %02d:%02d:%02d", 1 + int(t / 86400) % 28, int(t / 3600) % 24, int(t / 60) % 60, t % 60) }
function ip() { return sprintf("%d.%d.%d.%d", pick(oct, 4), r(256), r(256), 1 + r(254)) }
function iislog(   t, n, q, u) {
  split("10 172 192 203", oct, " ")
  t = r(86400)
  while (B < size) {
    if (n % 20000 == 0) {
      out("#Software: Microsoft Internet Information Services 10.0"); out("#Version: 1.0")
      out("#Date: " stamp(t))
      out("#Fields: date time s-ip cs-method cs-uri-stem cs-uri-query s-port cs-username c-ip cs(User-Agent) cs(Referer) sc-status sc-substatus sc-win32-status time-taken")
    }
    n++; t += r(3)
    u = pick(uri, 15)
    q = (r(3) == 0) ? sprintf("&CorrelationID=<empty>;&ClientId=%s&cafeReqId=%s-%s-%s;", toupper(hex(32)), hex(8), hex(4), hex(12)) : "-"
    if (r(200000) == 0) { u = "/ecp/" hex(1) ".js"; q = "&X-BEResource=localhost/owa/auth/" hex(6) ".aspx~1942062522" }
    out(sprintf("%s 10.0.0.5 %s %s %s 443 %s %s %s - %s 0 0 %d", stamp(t), pick(meth, 7), u, q, (r(4) ? "CONTOSO\\user" r(900) : "-"), ip(), pick(ua, 7), pick(st, 12), r(2000)))
  }
}
function proxylog(   t) {
  split("10 172 192 203", oct, " ")
  out("DateTime,RequestId,MajorVersion,MinorVersion,BuildVersion,RevisionVersion,ClientRequestId,Protocol,UrlHost,UrlStem,ProtocolAction,AuthenticationType,IsAuthenticated,AuthenticatedUser,Organization,AnchorMailbox,UserAgent,ClientIpAddress,ServerHostName,HttpStatus,BackEndStatus,ErrorCode,Method,ProxyAction,TargetServer,TargetServerVersion,RoutingType,RoutingHint,BackEndCookie,ServerLocatorHost,ServerLocatorLatency,RequestBytes,ResponseBytes,TargetOutstandingRequests,AuthModulePerfContext,HttpPipelineLatency,CalculateTargetBackEndLatency,GlsLatencyBreakup,TotalGlsLatency,AccountForestLatencyBreakup,TotalAccountForestLatency,ResourceForestLatencyBreakup,TotalResourceForestLatency,ADLatency,SharedCacheLatencyBreakup,TotalSharedCacheLatency,ActivityContextLifeTime,ModuleToHandlerSwitchingLatency,ClientReqStreamLatency,BackendReqInitLatency,BackendReqStreamLatency,BackendProcessingLatency,BackendRespInitLatency,BackendRespStreamLatency,ClientRespStreamLatency,KerberosAuthHeaderLatency,HandlerCompletionLatency,RequestHandlerLatency,HandlerToModuleSwitchingLatency,ProxyTime,CoreLatency,RoutingLatency,HttpProxyOverhead,TotalRequestTime,RouteRefresherLatency,UrlQuery,BackEndGenericInfo,GenericInfo,GenericErrors,EdgeTraceId,DatabaseGuid,UserADObjectGuid,PartitionEndpointLookupLatency,RoutingStatus")
  t = r(86400)
  while (B < size) {
    t += r(2)
    out(sprintf("%sZ,%s-%s-%s-%s-%s,15,1,2176,2,,%s,mail.contoso.com,%s,,Negotiate,true,CONTOSO\\user%d,,SMTP:user%d@contoso.com,%s,%s,EX01,%s,%s,,%s,Proxy,ex02.contoso.local,Version 15.1 (Build 2176.2),DatabaseGuid-ServerVersion,,,ex02.contoso.local,%d,%d,%d,1,,%d,%d,,0,,0,,0,%d,,0,%d,0,0,%d,%d,%d,%d,0,0,0,0,0,%d,0,0,%d,0,0,,,,,,,,0,", stamp(t), hex(8), hex(4), hex(4), hex(4), hex(12), pick(proto, 6), pick(uri, 15), r(900), r(900), pick(ua, 7), ip(), pick(st, 12), pick(st, 12), pick(meth, 7), r(20), r(4000), r(90000), r(10), r(5), r(10), r(3000), r(2), r(5), r(400), r(900), r(20), r(3000), r(3000)))
  }
}
function js(   n) {
  out("/* Copyright (c) Microsoft Corporation. All rights reserved. */"); out("(function () {"); out("  \"use strict\";")
  while (B < size) {
    n++
    if (r(5) == 0) { out("  // " pick(id, 15) " " pick(id, 15) " for the " pick(proto, 6) " view, rev " hex(7)); continue }
    out(sprintf("  %s %s%d = function (%s, %s) { %s %s = %s.%s(%s) || %d; if (%s > %d) { return %s; } return %s + \"%s\"; };", pick(kw, 3), pick(id, 15), n, pick(id, 15), pick(id, 15), pick(kw, 3), pick(id, 15), pick(id, 15), pick(id, 15), pick(id, 15), r(1000), pick(id, 15), r(100), pick(id, 15), pick(id, 15), hex(6)))
  }
  out("})();")
}
function css(   n) {
  while (B < size) {
    n++
    out(sprintf(".%s-%s%d, .%s .%s {", pick(proto, 6), pick(id, 15), n, pick(id, 15), pick(id, 15)))
    out(sprintf("  %s: %s;", pick(prop, 12), pick(val, 16))); out(sprintf("  %s: %s %s;", pick(prop, 12), pick(val, 16), pick(val, 16)))
    out("}")
  }
}
function aspx(   n) {
  out("<%@ Page Language=\"C#\" AutoEventWireup=\"true\" CodeBehind=\"Default.aspx.cs\" Inherits=\"Contoso.Intranet._Default\" %>")
  out("<!DOCTYPE html>"); out("<html xmlns=\"http://www.w3.org/1999/xhtml\">"); out("<head runat=\"server\"><title>Contoso Intranet</title>")
  out("<link href=\"css/site.css\" rel=\"stylesheet\" type=\"text/css\" /></head>"); out("<body><form id=\"form1\" runat=\"server\">")
  while (B < size) {
    n++
    out(sprintf("  <div class=\"%s\"><asp:%s ID=\"%s%d\" runat=\"server\" CssClass=\"%s\" Text=\"<%%: Resources.Strings.%s%d %%>\" /></div>", pick(id, 15), pick(ctl, 10), pick(id, 15), n, pick(id, 15), pick(id, 15), r(500)))
  }
  out("</form></body></html>")
}
function config(   n) {
  out("<?xml version=\"1.0\" encoding=\"utf-8\"?>"); out("<configuration>"); out("  <appSettings>")
  while (B < size) {
    n++
    out(sprintf("    <add key=\"%s.%s%d\" value=\"%s\" />", pick(key, 7), pick(id, 15), n, (r(2) ? hex(16) : "true")))
  }
  out("  </appSettings>"); out("</configuration>")
}
function txt() { while (B < size) out(sprintf("%s %s %d", pick(id, 15), pick(id, 15), r(100000))) }
'

gen_file() { # kind size seed path src
  local kind=$1 size=$2 fseed=$3 f=$4 src=$5
  case $kind in
    copy) cat "$CORPUS/$src" >"$f" ;;
    pe)
      # DOS header with e_lfanew = 0x80, DOS stub, PE signature, then noise.
      {
        printf 'MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8'
        head -c 43 /dev/zero
        printf '\x80\x00\x00\x00\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21'
        printf 'This program cannot be run in DOS mode.\r\r\n$'
        head -c 7 /dev/zero
        printf 'PE\x00\x00\x4c\x01\x03\x00'
        rand_bytes "$fseed" $((size > 136 ? size - 136 : 0))
      } >"$f" ;;
    dump) { printf 'MDMP\x93\xa7\x00\x00'; rand_bytes "$fseed" $((size - 8)); } >"$f" ;;
    edb) { head -c 4 /dev/zero; printf '\xef\xcd\xab\x89'; rand_bytes "$fseed" $((size - 8)); } >"$f" ;;
    bin) rand_bytes "$fseed" "$size" >"$f" ;;
    *) awk -v kind="$kind" -v size="$size" -v seed="$fseed" "$TEXT_AWK" >"$f" ;;
  esac
}

generate() {
  local need avail kind size fseed rel src n=0 total
  make_plan >"$PLAN.tmp"
  mv "$PLAN.tmp" "$PLAN"
  need=$(awk -F'\t' '{ s += $2 } END { printf "%d", s + 60e6 }' "$PLAN")
  avail=$(df -P -B1 "$OUT" | awk 'NR == 2 { print $4 }')
  say "disk: need ~$((need / 1000000)) MB for the tree, $((avail / 1000000)) MB free under $OUT"
  [ "$avail" -gt $((need + 512 * 1000000)) ] || die "not enough disk space (keep 512 MB spare)"
  [ "$need" -le 2000000000 ] || die "tree would exceed 2 GB"
  rm -rf "$TREE" "$STAMP"
  total=$(wc -l <"$PLAN")
  say "generating $total files into $TREE (one-off; cached)"
  while IFS=$'\t' read -r kind size fseed rel src; do
    n=$((n + 1))
    mkdir -p "$TREE/$(dirname "$rel")"
    gen_file "$kind" "$size" "$fseed" "$TREE/$rel" "$src"
    if [ $((n % 500)) -eq 0 ]; then say "  $n / $total"; fi
  done <"$PLAN"
  # Fixed mtimes, so outputs (not only contents) are reproducible.
  find "$TREE" -exec touch -h -d '2021-03-03 12:00:00 UTC' {} +
  say "fingerprinting the tree (sha256 of every file)"
  (cd "$TREE" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) >"$TREE.manifest"
  {
    echo "version=$GEN_VERSION"
    echo "scale=$SCALE"
    echo "fingerprint=$(sha256sum <"$TREE.manifest" | cut -c1-64)"
  } >"$STAMP"
}

if [ -f "$STAMP" ] && [ -d "$TREE" ] && grep -qx "version=$GEN_VERSION" "$STAMP" && grep -qx "scale=$SCALE" "$STAMP"; then
  say "using cached tree $TREE"
else
  generate
fi
FINGERPRINT=$(sed -n 's/^fingerprint=//p' "$STAMP")
FILES=$(find "$TREE" -type f | wc -l)
BYTES=$(find "$TREE" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }')
LARGE=$(find "$TREE" -type f -size +${CONTENT_LIMIT}c | wc -l)
LARGE_BYTES=$(find "$TREE" -type f -size +${CONTENT_LIMIT}c -printf '%s\n' | awk '{ s += $1 } END { printf "%d", s }')
MAXSIZE=$(find "$TREE" -type f -printf '%s\n' | sort -n | tail -1)
say "tree: $FILES files, $((BYTES / 1000000)) MB; $LARGE files ($((LARGE_BYTES / 1000000)) MB) over exhunt's 32 MiB content limit; fingerprint ${FINGERPRINT:0:16}"

# ===========================================================================
# 2. Rules for yara, and the warm cache.
# ===========================================================================
YARC=$OUT/rules.yarc
RULE_ARGS=()
while IFS= read -r f; do
  ns=${f#"$RULES_DIR"/}
  ns=${ns%.*}
  RULE_ARGS+=("${ns//[\/ ]/_}:$f")
done < <(find "$RULES_DIR" -type f \( -name '*.yar' -o -name '*.yara' \) | LC_ALL=C sort)
[ ${#RULE_ARGS[@]} -gt 0 ] || die "no YARA rules under $RULES_DIR"
yarac -w -d filename= -d filepath= -d extension= -d filetype= -d owner= "${RULE_ARGS[@]}" "$YARC" ||
  die "yarac failed on $RULES_DIR"
say "compiled ${#RULE_ARGS[@]} rule files from $RULES_DIR with yarac -> $YARC"

LOGS=$OUT/logs
mkdir -p "$LOGS" "$OUT/empty"
rm -f "$LOGS"/*.time

# exhunt embeds its rules at build time: check that yara gets the same set.
"$EXHUNT" scan --threads "$THREADS" --format jsonl -o "$LOGS/startup.jsonl" "$OUT/empty" || true
EX_YARA_FILES=$(grep -o '"yara_files":[0-9]*' "$LOGS/startup.jsonl" | tail -1 | cut -d: -f2)
EX_YARA_RULES=$(grep -o '"yara_rules":[0-9]*' "$LOGS/startup.jsonl" | tail -1 | cut -d: -f2)
RULES_MATCH=true
if [ "${EX_YARA_FILES:-?}" != "${#RULE_ARGS[@]}" ]; then
  RULES_MATCH=false
  echo "WARNING: exhunt embeds ${EX_YARA_FILES:-?} YARA files but $RULES_DIR has ${#RULE_ARGS[@]}:" >&2
  echo "         the binary was built from another rules/ tree; set BENCH_RULES to it." >&2
fi

bench_warm "$TREE"

# ===========================================================================
# 3. Timings.
# ===========================================================================
bench_tool exhunt "\"\$EXHUNT\" scan --threads $THREADS --format jsonl -o /dev/null \"\$TREE\"" \
  "exhunt default pack (YARA+SHA-256+heuristics+IOCs); content rules on files <= 32 MiB, larger ones hashed"
bench_tool yara "yara -C -r -p $THREADS -z $((CONTENT_LIMIT + 1)) \"\$YARC\" \"\$TREE\"" \
  "yara, same rules, no -f, on the files exhunt runs rules on (-z N skips size >= N)"
bench_tool sha256sum "find \"\$TREE\" -type f -print0 | xargs -0 -n 64 -P $THREADS sha256sum" \
  "SHA-256 of every file (-n 64: without it xargs starts one sha256sum)"
if [ "$EXTRA" = 1 ]; then
  bench_tool yara_fast "yara -f -C -r -p $THREADS -z $((CONTENT_LIMIT + 1)) \"\$YARC\" \"\$TREE\"" \
    "as yara, with -f (fast mode: a string stops matching once found)"
  bench_tool exhunt_all "\"\$EXHUNT\" scan --threads $THREADS --format jsonl -o /dev/null --max-filesize 2G \"\$TREE\"" \
    "exhunt --max-filesize 2G: content rules over every byte"
  bench_tool yara_all "yara -C -r -p $THREADS \"\$YARC\" \"\$TREE\"" \
    "yara's default, no size limit: every byte, each file mmapped whole"
fi
export EXHUNT TREE YARC

# exhunt: 0 clean, 1 findings; 2 is an error. The others: 0 only.
bench_rc_ok() { [ "${1%%_*}" = exhunt ] && [ "$2" -eq 1 ]; }

say "startup: exhunt on an empty folder (rules are compiled in every exhunt run)"
STARTUP=()
for _ in $(seq 1 "$RUNS"); do
  /usr/bin/time -f '%e %M' -o "$LOGS/startup.time" "$EXHUNT" scan --threads "$THREADS" --format jsonl -o /dev/null "$OUT/empty" || true
  read -r w m < <(tail -1 "$LOGS/startup.time")
  STARTUP+=("$w")
  STARTUP_RSS=$m
done

say "timing ${NAMES[*]}: $RUNS runs each, round-robin, $THREADS threads"
bench_time_all
bench_medians
STARTUP_MED=$(median "${STARTUP[@]}")
PAIRED=$(per_round exhunt yara)

# Same files? One untimed run of each side, with outputs kept.
say "checking coverage (one untimed run of exhunt and yara with outputs kept)"
"$EXHUNT" scan --threads "$THREADS" --format jsonl -o "$LOGS/exhunt.jsonl" "$TREE" || true
yara -C -r -p "$THREADS" -z $((CONTENT_LIMIT + 1)) "$YARC" "$TREE" >"$LOGS/yara.txt" 2>"$LOGS/yara.err" || true
jget() { grep '"type":"summary"' "$LOGS/exhunt.jsonl" | grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2; }
EX_SCANNED=$(jget files_scanned)
EX_TOOLARGE=$(jget content-too-large)
EX_BYTES=$(jget bytes_read)
EX_FINDINGS=$(jget findings_total)
EX_ERRORS=$(jget errors)
YARA_SKIPPED=$(grep -c "because it's larger than" "$LOGS/yara.err" || true)
YARA_ERRORS=$(grep -vc "because it's larger than" "$LOGS/yara.err" || true)
YARA_HITS=$(wc -l <"$LOGS/yara.txt")
PAIRS=""
if command -v jq >/dev/null; then
  # YARA rule hits of exhunt (not its IOCs or heuristics) against yara's.
  jq -r 'select(.type == "finding") | select((.rule | startswith("ioc.") or startswith("exhunt.heur.")) | not) | "\(.rule) \(.path)"' \
    "$LOGS/exhunt.jsonl" | LC_ALL=C sort -u >"$LOGS/exhunt.pairs"
  LC_ALL=C sort -u "$LOGS/yara.txt" >"$LOGS/yara.pairs"
  PAIRS="$(LC_ALL=C comm -12 "$LOGS/exhunt.pairs" "$LOGS/yara.pairs" | wc -l) $(LC_ALL=C comm -23 "$LOGS/exhunt.pairs" "$LOGS/yara.pairs" | wc -l) $(LC_ALL=C comm -13 "$LOGS/exhunt.pairs" "$LOGS/yara.pairs" | wc -l)"
fi

# ===========================================================================
# 4. Report.
# ===========================================================================
rssmb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; } # MiB
bench_contended

echo
echo "exhunt scan benchmark  ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, $THREADS threads, WARM page cache)"
echo "tree   $TREE"
echo "       $FILES files, $(gb "$BYTES") GB; $LARGE files over 32 MiB ($(gb "$LARGE_BYTES") GB); fingerprint ${FINGERPRINT:0:16}"
echo "exhunt $EXHUNT ($("$EXHUNT" --version 2>/dev/null | head -1))"
echo "       startup on an empty folder ${STARTUP_MED}s, $((STARTUP_RSS / 1024)) MiB; embeds ${EX_YARA_FILES:-?} YARA files / ${EX_YARA_RULES:-?} rules"
echo "yara   $(yara --version); ${#RULE_ARGS[@]} rule files from $RULES_DIR, compiled once with yarac; no -f unless said"
echo "runs   $RUNS per tool, round-robin; wall and cpu are medians, RSS the worst run; MB/s = tree bytes / 1e6 / wall"
echo
printf '%-10s %8s %6s %8s %7s %7s %8s %10s\n' tool wall_s MB/s rss_MiB cpu_s others vs_yara vs_sha256
for name in "${NAMES[@]}"; do
  case $name in exhunt) vy=$(ratio "${WALL[exhunt]}" "${WALL[yara]}") ;; exhunt_all) vy=$(ratio "${WALL[exhunt_all]}" "${WALL[yara_all]}") ;; *) vy=- ;; esac
  case $name in exhunt*) vs=$(ratio "${WALL[$name]}" "${WALL[sha256sum]}") ;; *) vs=- ;; esac
  printf '%-10s %8s %6s %8s %7s %7s %8s %10s\n' "$name" "$(f2 "${WALL[$name]}")" "$(mbps "${WALL[$name]}")" \
    "$(rssmb "${RSS[$name]}")" "$(f2 "${CPU[$name]}")" "${OTHER[$name]}" "$vy" "$vs"
done
echo
for name in "${NAMES[@]}"; do printf '  %-10s %s\n' "$name" "${DESC[$name]}"; done
echo "  others = most CPU (in cores) that other processes used during one of the tool's runs"
echo "  vs_yara = exhunt wall / yara wall (exhunt_all / yara_all); vs_sha256 = wall / sha256sum wall"
echo "  yara's RSS includes the file-backed pages of the files it mmaps; exhunt reads into heap buffers"
echo
echo "coverage (untimed run of each):"
echo "  exhunt  scanned ${EX_SCANNED:-?} of $FILES files, ${EX_TOOLARGE:-?} hashed only (> 32 MiB), read $(gb "${EX_BYTES:-0}") GB, ${EX_FINDINGS:-?} findings, ${EX_ERRORS:-?} errors"
echo "  yara    skipped $YARA_SKIPPED files (>= 32 MiB + 1), $YARA_ERRORS other stderr lines, $YARA_HITS rule hits"
if [ -n "$PAIRS" ]; then
  read -r both only_ex only_y <<<"$PAIRS"
  echo "  (rule, file) pairs: $both in both, $only_ex only exhunt, $only_y only yara (exhunt passes real filename/extension externals; yara's are empty)"
fi
echo

T1=MISS T2=MISS
awk -v a="${WALL[exhunt]}" -v b="${WALL[yara]}" 'BEGIN { exit !(a <= b) }' && T1=PASS
awk -v k="${RSS[exhunt]}" -v t="$RSS_TARGET_MB" 'BEGIN { exit !(k / 1024 < t) }' && T2=PASS
echo "targets (issue):"
if [ "$EXTRA" = 1 ]; then
  # The issue's own comparison: `yara -r -p <cores>` with the same rules on the
  # same tree (yara's defaults scan every byte of every file).
  TI=$(awk -v a="${WALL[exhunt]}" -v b="${WALL[yara_all]}" 'BEGIN { print (a <= b) ? "PASS" : "MISS" }')
  echo "  [$TI] exhunt wall <= yara wall, the issue's command (yara -r -p $THREADS, same rules, same tree): $(f2 "${WALL[exhunt]}")s vs $(f2 "${WALL[yara_all]}")s (ratio $(ratio "${WALL[exhunt]}" "${WALL[yara_all]}"))"
  TA=$(awk -v a="${WALL[exhunt_all]}" -v b="${WALL[yara_all]}" 'BEGIN { print (a <= b) ? "PASS" : "MISS" }')
  echo "  [$TA] the same, with every byte through the rules in both tools: exhunt_all $(f2 "${WALL[exhunt_all]}")s vs yara_all $(f2 "${WALL[yara_all]}")s (ratio $(ratio "${WALL[exhunt_all]}" "${WALL[yara_all]}"))"
fi
echo "  [$T1] strict pairing (yara -z skips the files exhunt only hashes; exhunt still hashes them): $(f2 "${WALL[exhunt]}")s vs $(f2 "${WALL[yara]}")s (ratio $(ratio "${WALL[exhunt]}" "${WALL[yara]}"); cpu $(f2 "${CPU[exhunt]}")s vs $(f2 "${CPU[yara]}")s)"
echo "         median of the per-round ratios exhunt/yara: $PAIRED"
echo "  [$T2] exhunt peak RSS < $RSS_TARGET_MB MB: $(rssmb "${RSS[exhunt]}") MiB"
[ "$RULES_MATCH" = true ] || echo "  WARNING: exhunt's embedded rules differ from $RULES_DIR; the comparison is not like for like"
[ "$CONTENDED" = false ] || echo "  WARNING: other processes used CPU during some runs (column 'others'); wall times are inflated, compare cpu_s"

# ===========================================================================
# 5. JSON.
# ===========================================================================
JSON=$OUT/scan_bench.json
{
  bench_json_head exhunt-bench/1
  printf '  "threads": %s,\n  "runs": %s,\n  "contended": %s,\n' "$THREADS" "$RUNS" "$CONTENDED"
  printf '  "tree": {"path": "%s", "files": %s, "bytes": %s, "files_over_content_limit": %s, "bytes_over_content_limit": %s, "largest_file": %s, "scale": %s, "generator_version": %s, "fingerprint": "%s"},\n' \
    "$(jstr "$TREE")" "$FILES" "$BYTES" "$LARGE" "$LARGE_BYTES" "$MAXSIZE" "$SCALE" "$GEN_VERSION" "$FINGERPRINT"
  printf '  "exhunt": {"binary": "%s", "version": "%s", "startup_seconds": %s, "startup_rss_kib": %s, "yara_files": %s, "yara_rules": %s},\n' \
    "$(jstr "$EXHUNT")" "$(jstr "$("$EXHUNT" --version 2>/dev/null | head -1)")" "$STARTUP_MED" "$STARTUP_RSS" \
    "$(jnum "${EX_YARA_FILES:-}")" "$(jnum "${EX_YARA_RULES:-}")"
  printf '  "yara": {"version": "%s", "rules_dir": "%s", "rule_files": %s, "same_rules_as_exhunt": %s},\n' \
    "$(yara --version)" "$(jstr "$RULES_DIR")" "${#RULE_ARGS[@]}" "$RULES_MATCH"
  printf '  "coverage": {"exhunt_files_scanned": %s, "exhunt_hashed_only": %s, "exhunt_bytes_read": %s, "exhunt_findings": %s, "yara_files_skipped": %s, "yara_rule_hits": %s},\n' \
    "$(jnum "${EX_SCANNED:-}")" "$(jnum "${EX_TOOLARGE:-}")" "$(jnum "${EX_BYTES:-}")" "$(jnum "${EX_FINDINGS:-}")" "$YARA_SKIPPED" "$YARA_HITS"
  printf '  "tools": [\n'
  sep=''
  for name in "${NAMES[@]}"; do
    printf '%s    {"name": "%s", "command": "%s", "description": "%s", "wall_seconds_median": %s, "wall_seconds_runs": [%s], "cpu_seconds_median": %s, "mb_per_s": %s, "peak_rss_kib": %s, "max_other_cores": %s}' \
      "$sep" "$name" "$(jstr "${CMD[$name]}")" "$(jstr "${DESC[$name]}")" "${WALL[$name]}" "${WALLS[$name]}" \
      "${CPU[$name]}" "$(jnum "$(mbps "${WALL[$name]}")")" "${RSS[$name]}" "${OTHER[$name]}"
    sep=$',\n'
  done
  printf '\n  ],\n'
  printf '  "ratios": {"exhunt_over_yara": %s, "exhunt_over_yara_per_round_median": %s, "exhunt_over_sha256sum": %s' \
    "$(jnum "$(ratio "${WALL[exhunt]}" "${WALL[yara]}")")" "$(jnum "$PAIRED")" "$(jnum "$(ratio "${WALL[exhunt]}" "${WALL[sha256sum]}")")"
  if [ "$EXTRA" = 1 ]; then
    printf ', "exhunt_all_over_yara_all": %s' "$(jnum "$(ratio "${WALL[exhunt_all]}" "${WALL[yara_all]}")")"
  fi
  printf '},\n'
  printf '  "targets": {"wall_le_yara": "%s", "peak_rss_lt_%s_mb": "%s"}\n}\n' "$T1" "$RSS_TARGET_MB" "$T2"
} >"$JSON.tmp"
mv "$JSON.tmp" "$JSON"
echo
echo "results: $JSON   (per-run /usr/bin/time lines, outputs and stderr: $LOGS/)"
