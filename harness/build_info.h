// How this build of deferbench was made, for the context of every result
// file: the CMake build type, the compiler flags and the compiler. They are
// compiled in once, into build_info.cc (deferbench_build_info in
// harness/CMakeLists.txt), and every suite binary reads them from here.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace harness {

// ("deferbench_build_type", ...), ("deferbench_cxx_flags", ...) and
// ("deferbench_compiler", ...): context keys and their values.
std::vector<std::pair<std::string, std::string>> build_context();

}  // namespace harness
