# Cross-building for aarch64 Linux with Debian's cross compiler
# (g++-aarch64-linux-gnu) against the arm64 multiarch packages
# (libbenchmark-dev:arm64, ...), and running what is built under qemu-user:
# `make cross-check`. The headers are the same for both architectures
# (/usr/include); the libraries are found under /usr/lib/aarch64-linux-gnu.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# CTest and gtest_discover_tests run the binaries through this.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
