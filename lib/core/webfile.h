/*
 * webfile.h - what IIS would run as server code. Shared by the engines
 * that must tell a web script from any other file (a verdict of
 * COMPROMISED needs a file a web server could have run).
 */
#ifndef EXH_WEBFILE_H
#define EXH_WEBFILE_H

#include <stdbool.h>

/* True when IIS, as installed with ASP.NET and classic ASP, maps a file of
 * this name (a base name or a path; case-insensitive) to a script
 * handler. */
bool exh_webfile_iis_script(const char *name);

#endif
