# tools/win/mingw-w64.cmake - CMake toolchain file for exhunt's static Windows
# build (x86_64-w64-mingw32, cross-compiled from Debian with mingw-w64).
#
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=tools/win/mingw-w64.cmake \
#         [-DEXH_WIN_DEPS=/abs/path/to/build-win/deps]
#
# The libraries come from tools/win/build-deps.sh, which installs static
# libraries, headers and pkg-config files under EXH_WIN_DEPS/prefix. That prefix
# is the only place this file lets CMake and pkg-config look, so a host (Linux)
# library or .pc file can never slip into the Windows link.
#
# Variables read (set with -D, or in the environment for the two marked env):
#   EXH_WIN_DEPS      (also env) dependency root written by build-deps.sh.
#                     Default: <this file>/../../build-win/deps.
#   EXH_MINGW_TRIPLE  (also env) compiler prefix. Default x86_64-w64-mingw32,
#                     i.e. the system's default alternative of
#                     x86_64-w64-mingw32-gcc (Debian: the win32 thread model,
#                     so nothing pulls in libwinpthread).
#   EXH_WIN_EMULATOR  how target programs run for ctest and try_run; default
#                     `wine` when found. Set to "" to run nothing.
#
# Variables set:
#   CMAKE_SYSTEM_NAME Windows, CMAKE_SYSTEM_PROCESSOR x86_64;
#   CMAKE_C_COMPILER / CMAKE_CXX_COMPILER / CMAKE_RC_COMPILER (windres) from
#   the triple (CMake then finds the triple's ar, ranlib, objdump itself);
#   CMAKE_FIND_ROOT_PATH = EXH_WIN_DEPS/prefix and the mingw-w64 sysroot
#   (/usr/<triple>), searched ONLY for libraries, headers and packages, NEVER
#   for programs (those are host tools);
#   ENV PKG_CONFIG_LIBDIR = EXH_WIN_DEPS/prefix/lib/pkgconfig, with
#   PKG_CONFIG_PATH and PKG_CONFIG_SYSROOT_DIR emptied: the host's .pc files
#   are never read;
#   PKG_CONFIG_ARGN = --static, so pkg_check_modules() results include each
#   library's Libs.private (curl's ws2_32, crypt32, bcrypt...) as a static
#   link needs. libcurl.pc's Cflags carry -DCURL_STATICLIB.
#   CMAKE_EXE_LINKER_FLAGS_INIT = -static -static-libgcc: no libgcc_s,
#   libwinpthread or other mingw DLL at run time; the .exe imports only DLLs
#   that ship with Windows (check: x86_64-w64-mingw32-objdump -p X.exe |
#   grep 'DLL Name').
#   CMAKE_CROSSCOMPILING_EMULATOR = EXH_WIN_EMULATOR, so add_test() on a
#   target runs it under wine.

set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

# try_compile() projects re-read this file without the -D cache: hand the two
# inputs down through the environment so every pass sees the same values.
if(DEFINED EXH_WIN_DEPS)
  set(ENV{EXH_WIN_DEPS} "${EXH_WIN_DEPS}")
elseif(DEFINED ENV{EXH_WIN_DEPS} AND NOT "$ENV{EXH_WIN_DEPS}" STREQUAL "")
  set(EXH_WIN_DEPS "$ENV{EXH_WIN_DEPS}")
else()
  get_filename_component(EXH_WIN_DEPS "${CMAKE_CURRENT_LIST_DIR}/../../build-win/deps" ABSOLUTE)
endif()
if(DEFINED EXH_MINGW_TRIPLE)
  set(ENV{EXH_MINGW_TRIPLE} "${EXH_MINGW_TRIPLE}")
elseif(DEFINED ENV{EXH_MINGW_TRIPLE} AND NOT "$ENV{EXH_MINGW_TRIPLE}" STREQUAL "")
  set(EXH_MINGW_TRIPLE "$ENV{EXH_MINGW_TRIPLE}")
else()
  set(EXH_MINGW_TRIPLE x86_64-w64-mingw32)
endif()
set(EXH_WIN_PREFIX "${EXH_WIN_DEPS}/prefix")

set(CMAKE_C_COMPILER ${EXH_MINGW_TRIPLE}-gcc)
set(CMAKE_CXX_COMPILER ${EXH_MINGW_TRIPLE}-g++)
set(CMAKE_RC_COMPILER ${EXH_MINGW_TRIPLE}-windres)

set(CMAKE_FIND_ROOT_PATH "${EXH_WIN_PREFIX}" "/usr/${EXH_MINGW_TRIPLE}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(ENV{PKG_CONFIG_LIBDIR} "${EXH_WIN_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
set(PKG_CONFIG_ARGN "--static" CACHE STRING "extra pkg-config arguments (static link: Libs.private too)")

set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc")

if(NOT DEFINED EXH_WIN_EMULATOR)
  find_program(EXH_WIN_EMULATOR_WINE NAMES wine wine64)
  if(EXH_WIN_EMULATOR_WINE)
    set(EXH_WIN_EMULATOR "${EXH_WIN_EMULATOR_WINE}")
  else()
    set(EXH_WIN_EMULATOR "")
  endif()
endif()
if(NOT EXH_WIN_EMULATOR STREQUAL "")
  set(CMAKE_CROSSCOMPILING_EMULATOR "${EXH_WIN_EMULATOR}")
endif()
