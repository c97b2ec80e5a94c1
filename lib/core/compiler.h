/*
 * compiler.h - compiler annotations shared by lib/ and cli/.
 *
 * EXH_PRINTF(fmt, first): checks a printf-like function's arguments.
 * mingw-w64's "printf" archetype is the Microsoft C runtime's (no %zu, no
 * %lld); exhunt.exe is built with __USE_MINGW_ANSI_STDIO, whose printf is
 * C99's, so the check there must use the "gnu_printf" archetype.
 */
#ifndef EXH_CORE_COMPILER_H
#define EXH_CORE_COMPILER_H

#if defined(__MINGW32__)
#define EXH_PRINTF(fmt, first) __attribute__((format(gnu_printf, fmt, first)))
#else
#define EXH_PRINTF(fmt, first) __attribute__((format(printf, fmt, first)))
#endif

#endif
