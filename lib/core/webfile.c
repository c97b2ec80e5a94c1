/*
 * webfile.c - see webfile.h. The extensions are IIS's default handler
 * mappings for ASP.NET (the PageHandlerFactory and friends) and classic
 * ASP (asp.dll: .asp, .asa, .cer, .cdx).
 */
#include "core/webfile.h"

#include <string.h>
#include <strings.h>

bool exh_webfile_iis_script(const char *name)
{
  static const char *const exts[] = {".aspx", ".asmx",   ".ashx",   ".asax",  ".ascx",  ".axd",
                                     ".svc",  ".soap",   ".rem",    ".asp",   ".asa",   ".cer",
                                     ".cdx",  ".cshtml", ".vbhtml", ".xamlx", ".master"};
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  const char *dot = strrchr(base, '.');
  if (!dot)
    return false;
  for (size_t i = 0; i < sizeof exts / sizeof *exts; i++)
    if (strcasecmp(dot, exts[i]) == 0)
      return true;
  return false;
}
