/*
 * exhunt_webshells.yar - exhunt's own YARA rules for ASP.NET / classic ASP
 * web shells on Exchange and IIS servers.
 *
 * These complement the embedded signature-base and Volexity packs and the
 * built-in heuristics (lib/heur/heur.c): each rule encodes one web-shell
 * trait that a reviewer can check by reading the rule, not a sample hash or
 * a file name. Every rule is documented in docs/detections.md (what it
 * catches, why, known false positives, severity).
 *
 * Conventions: rule names start with EXH_; meta carries author, description,
 * severity (critical|high|medium|low), score (0-100) and a reference where
 * one exists. No external variables, no modules: the file compiles with a
 * bare `yarac`. Every rule is bounded by filesize so huge files stay cheap.
 *
 * License: same as the rest of exhunt.
 */

/* Shared condition: the text looks like a server-side ASP/ASP.NET page. */
private rule EXH_Server_Page
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Text is server-side ASP or ASP.NET code (directive, <% %> block or runat=server)"
    strings:
        $d1 = "<%@" ascii wide
        $d2 = /<%\s*(eval|execute|if|set|dim|response|server|var|string|try|function|on error)\b/ nocase ascii wide
        $r1 = /runat\s*=\s*["']?server/ nocase ascii wide
        $h1 = "IHttpHandler" ascii wide
        $h2 = "System.Web.Services.WebService" ascii wide
    condition:
        any of them
}

rule EXH_OAB_VirtualDirectory_Script
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Exchange virtual-directory settings dump whose ExternalUrl/InternalUrl holds a server-side script: the file ProxyLogon (CVE-2021-27065) writes into the web root to get a web shell"
        severity = "critical"
        score = 95
        reference = "https://www.microsoft.com/security/blog/2021/03/02/hafnium-targeting-exchange-servers/"
        date = "2026-11-28"
    strings:
        $url = /(External|Internal)Url[ \t]*:[^\r\n]{0,256}<script[^\r\n]{0,256}runat/ nocase ascii wide
        $url_asp = /(External|Internal)Url[ \t]*:[^\r\n]{0,256}<%/ nocase ascii wide
        $vd1 = "OAB (Default Web Site)" nocase ascii wide
        $vd2 = "OfflineAddressBooks" nocase ascii wide
        $vd3 = "PollInterval" nocase ascii wide
        $vd4 = "InternalAuthenticationMethods" nocase ascii wide
        $vd5 = "ExtendedProtectionTokenChecking" nocase ascii wide
        $vd6 = "MetabasePath" nocase ascii wide
    condition:
        filesize < 1MB and ($url or $url_asp) and 2 of ($vd*)
}

rule EXH_ASPX_JScript_Eval_Unsafe
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "JScript.NET eval(...) with the \"unsafe\" option, which runs the code with full trust: the China Chopper one-liner and its many variants"
        severity = "critical"
        score = 85
        reference = "https://www.fireeye.com/blog/threat-research/2013/08/breaking-down-the-china-chopper-web-shell-part-i.html"
        date = "2026-11-28"
    strings:
        $e1 = /eval\s*\([^;]{1,300},\s*["']unsafe["']\s*\)/ nocase ascii wide
        $e2 = /eval\s*\([^;]{1,300},\s*["']u["']\s*\+/ nocase ascii wide
    condition:
        filesize < 2MB and any of them and EXH_Server_Page
}

rule EXH_ASP_Eval_Request_OneLiner
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Server code passing request data straight to eval/Execute/ExecuteGlobal: the classic ASP one-liner (Execute Request(\"x\"))"
        severity = "critical"
        score = 90
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        date = "2026-11-28"
    strings:
        $a = /\b(eval|execute|executeglobal)\b[\s(]{1,8}request\s*(\.\s*(item|form|querystring|params)\s*)?[(\[]/ nocase ascii wide
        $b = /\b(eval|execute|executeglobal)\b[\s(]{1,8}(request|context\.request|httpcontext\.current\.request)\s*\.\s*(item|form|querystring|params|cookies|headers)\b/ nocase ascii wide
    condition:
        filesize < 2MB and any of them and EXH_Server_Page
}

rule EXH_ASPX_Reflective_Load_From_Request
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "ASP.NET code loading a .NET assembly from request data in memory (Assembly.Load of Base64/decrypted request bytes): Godzilla, Behinder, AntSword and similar memory shells"
        severity = "critical"
        score = 85
        reference = "https://www.microsoft.com/security/blog/2021/02/11/web-shell-attacks-continue-to-rise/"
        date = "2026-11-28"
    strings:
        $load1 = /Assembly\s*\.\s*Load\s*\(/ ascii wide
        $load2 = /GetMethod\s*\(\s*"Load"/ ascii wide
        $load3 = /CurrentDomain\s*\.\s*Load\s*\(/ ascii wide
        $req1 = /Request\s*(\.\s*(Form|Item|Params|QueryString|Cookies|Headers)\s*)?\[/ ascii wide
        $req2 = /Request\s*\.\s*(BinaryRead|InputStream)/ ascii wide
        $dec1 = "FromBase64String" ascii wide
        $dec2 = "CreateDecryptor" ascii wide
        $dec3 = "TransformFinalBlock" ascii wide
        $use1 = "CreateInstance" ascii wide
        $use2 = ".Invoke(" ascii wide
    condition:
        filesize < 1MB and EXH_Server_Page and any of ($load*) and any of ($req*) and
        any of ($dec*) and any of ($use*)
}

rule EXH_ASPX_Process_Output_To_Client
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Server page or web service that starts a process with redirected output and returns that output to the HTTP client: a command shell"
        severity = "high"
        score = 75
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        date = "2026-11-28"
    strings:
        $p1 = "ProcessStartInfo" ascii wide
        $p2 = /Process\s*\.\s*Start\s*\(/ ascii wide
        $p3 = "StartInfo" ascii wide
        $redir = /RedirectStandardOutput\s*=\s*true/ nocase ascii wide
        $read = "ReadToEnd" ascii wide
        $out1 = "Response.Write" ascii wide
        $out2 = "[WebMethod" ascii wide
        $out3 = "<WebMethod" ascii wide
    condition:
        filesize < 1MB and EXH_Server_Page and any of ($p*) and $redir and $read and any of ($out*)
}

rule EXH_ASPX_XSLT_Script_Enabled
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "ASP.NET page that compiles an XSLT stylesheet with embedded scripts enabled (XsltSettings.TrustedXslt / EnableScript) from a string or request data: XSLT script blocks run arbitrary .NET code"
        severity = "high"
        score = 75
        reference = "https://learn.microsoft.com/en-us/dotnet/standard/data/xml/xslt-security-considerations"
        date = "2026-11-28"
    strings:
        $xct = "XslCompiledTransform" ascii wide
        $s1 = "XsltSettings.TrustedXslt" ascii wide
        $s2 = /EnableScript\s*=\s*true/ nocase ascii wide
        $s3 = /XsltSettings\s*\(\s*(true|false)\s*,\s*true\s*\)/ nocase ascii wide
        $src1 = "LoadXml(" ascii wide
        $src2 = "FromBase64String" ascii wide
        $src3 = /Request\s*(\.\s*\w+\s*)?[\[(]/ ascii wide
    condition:
        filesize < 1MB and EXH_Server_Page and $xct and any of ($s*) and any of ($src*)
}

rule EXH_XSLT_MSXSL_Script_Webshell
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "XSLT with an msxsl:script block that reaches the HTTP request or a command interpreter: an XSLT web shell, either a stylesheet served as .aspx or one embedded in a page and run through XslCompiledTransform/MSXML transformNode"
        severity = "high"
        score = 80
        reference = "https://learn.microsoft.com/en-us/dotnet/standard/data/xml/script-blocks-using-msxsl-script"
        date = "2026-11-28"
    strings:
        $msxsl = "msxsl:script" nocase ascii wide
        $ctx1 = "HttpContext" ascii wide
        $ctx2 = /Request\s*(\.\s*\w+\s*)?[\[(]/ nocase ascii wide
        $ctx3 = /wscript\.shell/ nocase ascii wide
        $ctx4 = "ActiveXObject" ascii wide
        $x1 = /eval\s*\(/ ascii wide
        $x2 = /\.Exec\s*\(/ nocase ascii wide
        $x3 = "Process" ascii wide
        $x4 = "cmd" nocase ascii wide
    condition:
        filesize < 1MB and $msxsl and any of ($ctx*) and any of ($x*)
}

rule EXH_ASP_DB_Dumper_Hardcoded_Creds
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Server page with an inline database connection string (server and password in the code), an unlimited script timeout and a SELECT * table dump: a data-theft script dropped next to a web shell"
        severity = "medium"
        score = 55
        date = "2026-11-28"
    strings:
        // [\s\xc2\xa0]: pages pasted from the web carry UTF-8 no-break spaces
        $conn = /(server|data source)[\s\xc2\xa0]*=[^;"]{1,80};[\s\xc2\xa0]*(uid|user id)[\s\xc2\xa0]*=[^;"]{1,80};[\s\xc2\xa0]*(pwd|password)[\s\xc2\xa0]*=/ nocase ascii wide
        $timeout = /ScriptTimeout[\s\xc2\xa0]*=[\s\xc2\xa0]*[0-9]{7,}/ nocase ascii wide
        $dump = /select[\s\xc2\xa0]+\*[\s\xc2\xa0]+from/ nocase ascii wide
    condition:
        filesize < 512KB and EXH_Server_Page and all of them
}

rule EXH_ASPX_Precompiled_Shell_Loader
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Page instantiating WebAdmin2Y.x.y, the class of a precompiled ASPXSpy-family web shell whose code lives in a DLL under bin/: the page is only the trigger, look for the DLL"
        severity = "high"
        score = 80
        date = "2026-11-28"
    strings:
        $c = /new\s+WebAdmin2Y\.x\.y\s*\(/ ascii wide
    condition:
        filesize < 256KB and $c
}

rule EXH_Image_Polyglot_ServerScript
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Image file (GIF/JPEG/PNG/BMP header) that also carries server-side script: an upload-filter bypass that IIS runs when the file has a script extension or is included"
        severity = "high"
        score = 75
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        date = "2026-11-28"
    strings:
        $s1 = /<%\s*(eval|execute|@\s*(page|language|codepage)|response\.|dim |set |if |var )/ nocase ascii wide
        $s2 = /<script[^>]{0,64}runat\s*=\s*["']?server/ nocase ascii wide
    condition:
        filesize < 8MB and
        (uint32be(0) == 0x47494638 or uint16be(0) == 0xFFD8 or uint32be(0) == 0x89504E47 or
         uint16be(0) == 0x424D) and
        any of them
}

rule EXH_ASP_Script_Encoded
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Classic ASP page encoded with the Microsoft Script Encoder (Language=VBScript.Encode/JScript.Encode and a #@~^...== block): the code is hidden from readers and signatures"
        severity = "medium"
        score = 60
        reference = "https://attack.mitre.org/techniques/T1027/"
        date = "2026-11-28"
    strings:
        $lang = /language\s*=\s*["']?(vbscript|jscript)\.encode/ nocase ascii wide
        $hdr = /#@~\^[A-Za-z0-9+\/]{6}==/ ascii wide
    condition:
        filesize < 4MB and $hdr and ($lang or EXH_Server_Page)
}

rule EXH_ASP_UTF7_Codepage
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "ASP page switched to code page 65000 (UTF-7) so that +AGUAdgBh- style text decodes to code: no real page is written in UTF-7"
        severity = "medium"
        score = 65
        reference = "https://attack.mitre.org/techniques/T1027/"
        date = "2026-11-28"
    strings:
        $cp = /codepage\s*=\s*["']?65000/ nocase ascii wide
    condition:
        filesize < 4MB and $cp
}

rule EXH_ASP_Include_NonScript_File
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Server-side #include of an image or data file: ASP pastes and runs whatever the file holds, so code hidden in a .jpg/.gif/.txt executes"
        severity = "medium"
        score = 55
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        date = "2026-11-28"
    strings:
        $inc = /<!--\s*#include\s+(file|virtual)\s*=\s*["']?[^"'>]{1,200}\.(jpg|jpeg|gif|png|bmp|ico|txt|log|dat|tmp|rar|zip)["'\s]/ nocase ascii wide
    condition:
        filesize < 1MB and $inc
}

rule EXH_ASPX_Upload_To_Typed_Path
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "ASP.NET uploader that saves the posted file into a directory typed into a TextBox (FileUpload.SaveAs(txt.Text + ...)): a file-drop web shell"
        severity = "medium"
        score = 60
        date = "2026-11-28"
    strings:
        $save = /\.SaveAs\s*\(\s*(this\.)?\w{1,40}\.Text\s*[+,)]/ ascii wide
        $ctl = "FileUpload" ascii wide
    condition:
        filesize < 512KB and EXH_Server_Page and all of them
}

rule EXH_ASMX_ASHX_Script_Dropper
{
    meta:
        author = "exhunt"
        category = "webshell"
        description = "Handler or page that creates a .asp/.aspx file and writes a server-side one-liner (eval/Execute of Request) into it: a web-shell dropper"
        severity = "high"
        score = 80
        reference = "https://attack.mitre.org/techniques/T1505/003/"
        date = "2026-11-28"
    strings:
        $create = /(CreateText|StreamWriter|WriteAllText|CreateTextFile)\s*\([^;]{0,120}\.as[pchm]x?["']/ nocase ascii wide
        $payload = /<%[^"]{0,60}(eval|execute)[^"]{0,40}request/ nocase ascii wide
    condition:
        filesize < 512KB and all of them
}
