# Cross-compiling deferbench for 64-bit Arm Linux on an x86-64 Debian host:
# Debian's cross compiler (g++-aarch64-linux-gnu) and the arm64 builds of the
# libraries from Debian's multiarch packages (libbenchmark-dev:arm64, ...).
# Tests run under qemu-user, which translates each instruction: they check
# behaviour only, never time (`make cross-check`).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# Headers and libraries of the target only; programs (cmake's own helpers) of the host.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu/cmake)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# gtest_discover_tests and ctest run every test binary through this. With no
# -L prefix the guest's loader and libc are the multiarch ones (/lib/ld-linux-
# aarch64.so.1, libc6:arm64): one glibc. `-L /usr/aarch64-linux-gnu` would
# pair the cross toolchain's loader with the multiarch libc.so.6 (qemu falls
# back to / for what the prefix lacks), two glibc builds that deadlock in
# the first pthread_create.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64)
