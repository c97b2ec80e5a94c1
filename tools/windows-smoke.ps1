<#
  windows-smoke.ps1 - exhunt.exe on a real Windows host: what wine cannot
  show (docs/windows.md, "Checklist for a real Windows Server host").

  Run it on a test server (not production: it writes a small tree under
  $env:TEMP and removes it), in an elevated PowerShell 5.1 or 7:

    powershell -ExecutionPolicy Bypass -File windows-smoke.ps1 -Exe .\exhunt.exe

  Each check prints "ok   - ..." or "FAIL: ..."; the last line is
  "windows-smoke: N passed, M failed", and the exit code is 0 only when
  nothing failed. Nothing outside the scratch folder is written; exhunt.exe
  is only asked to read.
#>
param(
  [Parameter(Mandatory = $true)] [string] $Exe,
  [string] $Scratch = (Join-Path $env:TEMP ("exhunt-smoke-" + [guid]::NewGuid().ToString("N")))
)
$ErrorActionPreference = "Stop"
$script:pass = 0; $script:fail = 0
function Ok($what) { $script:pass++; Write-Output "ok   - $what" }
function Bad($what) { $script:fail++; Write-Output "FAIL: $what" }
function Check($cond, $what) { if ($cond) { Ok $what } else { Bad $what } }

# Runs exhunt.exe with arguments; returns @{ rc; out; err } (out and err as text).
function Run-Exhunt([string[]] $argv) {
  $psi = New-Object System.Diagnostics.ProcessStartInfo
  $psi.FileName = (Resolve-Path $Exe).Path
  # Quote each argument for CreateProcess (paths may hold spaces).
  $psi.Arguments = ($argv | ForEach-Object { '"' + ($_ -replace '"', '\"') + '"' }) -join ' '
  $psi.UseShellExecute = $false
  $psi.RedirectStandardOutput = $true
  $psi.RedirectStandardError = $true
  $psi.StandardOutputEncoding = [System.Text.Encoding]::UTF8
  $psi.StandardErrorEncoding = [System.Text.Encoding]::UTF8
  $p = [System.Diagnostics.Process]::Start($psi)
  $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEndAsync()
  $p.WaitForExit()
  return @{ rc = $p.ExitCode; out = $out.Result; err = $err.Result }
}

$chopper = '<%@ Page Language="Jscript"%><%eval(Request.Item["exhunt-smoke"],"unsafe");%>'
New-Item -ItemType Directory -Path $Scratch | Out-Null
try {
  $web = Join-Path $Scratch "inetpub\wwwroot\aspnet_client\system_web"
  New-Item -ItemType Directory -Path $web -Force | Out-Null
  $shell = Join-Path $web "smoke.aspx"
  [System.IO.File]::WriteAllText($shell, $chopper)

  # 1. version and exit codes
  $r = Run-Exhunt @("--version")
  Check ($r.rc -eq 0 -and $r.out -match "exhunt") "exhunt.exe --version runs (rc $($r.rc))"
  $r = Run-Exhunt @("scan", "--no-such-option")
  Check ($r.rc -eq 2) "a usage error exits 2 (rc $($r.rc))"

  # 2. a web shell found, path printed in Windows form, JSONL with LF only
  $r = Run-Exhunt @("scan", "-f", "jsonl", $Scratch)
  Check ($r.rc -eq 1) "scan finds the planted shell: exit 1 (rc $($r.rc))"
  Check ($r.out -match [regex]::Escape(($shell -replace '\\', '\\'))) "the finding names $shell in Windows form"
  Check (-not $r.out.Contains("`r`n")) "JSON Lines end in LF, not CRLF"

  # 3. last-access time untouched (NTFS updates it unless disabled: see fsutil)
  $ft = (Get-Item $shell).LastAccessTimeUtc
  (Get-Item $shell).LastAccessTimeUtc = $ft.AddDays(-3)
  $before = (Get-Item $shell).LastAccessTimeUtc
  $r = Run-Exhunt @("scan", $Scratch)
  $after = (Get-Item $shell).LastAccessTimeUtc
  Check ($before -eq $after) "last-access time unchanged by the scan ($before / $after)"

  # 4. a file held open for writing by another process is still read
  $held = [System.IO.File]::Open($shell, 'Open', 'ReadWrite', 'ReadWrite')
  try {
    $r = Run-Exhunt @("scan", $Scratch)
    Check ($r.rc -eq 1) "a file held open (share read/write) is still scanned (rc $($r.rc))"
  } finally { $held.Close() }
  # ... and one held with no sharing at all is reported, not waited on
  $locked = [System.IO.File]::Open($shell, 'Open', 'ReadWrite', 'None')
  try {
    $r = Run-Exhunt @("scan", $Scratch)
    Check ($r.rc -ne 0 -and ($r.err + $r.out) -match "smoke.aspx") "an exclusively locked file is reported by name (rc $($r.rc))"
  } finally { $locked.Close() }

  # 5. non-ASCII and long paths
  $uni = Join-Path $Scratch "inetpub\wwwroot\$([char]0x00FC)n$([char]0x00EF)\$([char]0x6D4B)$([char]0x8BD5).aspx"
  New-Item -ItemType Directory -Path (Split-Path $uni) -Force | Out-Null
  [System.IO.File]::WriteAllText($uni, $chopper)
  $r = Run-Exhunt @("scan", "-f", "jsonl", $Scratch)
  Check ($r.out.Contains([System.IO.Path]::GetFileName($uni))) "a non-ASCII file name round-trips into the JSONL"
  $deep = "\\?\" + $Scratch
  for ($i = 0; $i -lt 12; $i++) { $deep = Join-Path $deep ("segment-of-thirty-characters-" + $i) }
  [System.IO.Directory]::CreateDirectory($deep) | Out-Null
  [System.IO.File]::WriteAllText((Join-Path $deep "long.aspx"), $chopper)
  $r = Run-Exhunt @("scan", "-f", "jsonl", $Scratch)
  Check ($r.out.Contains("long.aspx")) "a file past MAX_PATH (260) is scanned"

  # 6. a junction is not followed
  $target = Join-Path $Scratch "outside"
  New-Item -ItemType Directory -Path $target | Out-Null
  [System.IO.File]::WriteAllText((Join-Path $target "beyond.aspx"), $chopper)
  New-Item -ItemType Junction -Path (Join-Path $Scratch "inetpub\link") -Target $target | Out-Null
  $r = Run-Exhunt @("scan", "-f", "jsonl", (Join-Path $Scratch "inetpub"))
  Check (-not $r.out.Contains("beyond.aspx")) "a junction below the root is not followed"

  # 7. the live hunt with no argument names what it found
  $r = Run-Exhunt @("hunt", "--no-progress")
  Check ($r.rc -ne 2) "exhunt.exe hunt with no argument runs on this server (rc $($r.rc))"
  Check (($r.out + $r.err) -match "(?i)exchange|iis|event log") "... and says which locations it used"

  # 8. nothing was written under the scanned tree by exhunt (only our files)
  $names = Get-ChildItem -Recurse -Force $Scratch | Where-Object { $_.Name -like "*.tmp" -or $_.Name -like ".exhunt*" }
  Check ($names.Count -eq 0) "no file left by exhunt under the evidence"
} finally {
  Remove-Item -Recurse -Force $Scratch -ErrorAction SilentlyContinue
}
Write-Output "windows-smoke: $($script:pass) passed, $($script:fail) failed"
if ($script:fail -ne 0) { exit 1 } else { exit 0 }
