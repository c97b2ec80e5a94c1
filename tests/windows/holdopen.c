/*
 * holdopen.c - a Windows process that holds a file open, for the wine
 * tests (tests/windows/wine_tests.sh): the sharing-violation cases that a
 * live server gives exhunt.exe (IIS writing its log, an editor, a backup
 * agent).
 *
 * Usage: holdopen.exe FILE MODE READY STOP
 *   MODE  shared     GENERIC_WRITE with FILE_SHARE_READ|FILE_SHARE_WRITE, as
 *                    IIS holds its current W3C log
 *         exclusive  GENERIC_READ|GENERIC_WRITE with no sharing at all
 * Creates the file READY once FILE is open, then waits until the file STOP
 * exists (10 minutes at most), closes FILE and exits 0; 2 when FILE cannot
 * be opened.
 */
#include <windows.h>

#include <stdio.h>
#include <string.h>

int wmain(int argc, wchar_t **argv)
{
  if (argc != 5)
    return 2;
  DWORD share = wcscmp(argv[2], L"shared") == 0 ? FILE_SHARE_READ | FILE_SHARE_WRITE : 0;
  DWORD access = share ? GENERIC_WRITE : GENERIC_READ | GENERIC_WRITE;
  HANDLE h = CreateFileW(argv[1], access, share, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) {
    fprintf(stderr, "holdopen: cannot open (error %lu)\n", GetLastError());
    return 2;
  }
  HANDLE ready = CreateFileW(argv[3], GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
  if (ready != INVALID_HANDLE_VALUE)
    CloseHandle(ready);
  for (int i = 0; i < 6000 && GetFileAttributesW(argv[4]) == INVALID_FILE_ATTRIBUTES; i++)
    Sleep(100);
  CloseHandle(h);
  return 0;
}
