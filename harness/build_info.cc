#include "build_info.h"

namespace harness {

std::vector<std::pair<std::string, std::string>> build_context() {
  return {{"deferbench_build_type", DEFERBENCH_BUILD_TYPE},
          {"deferbench_cxx_flags", DEFERBENCH_CXX_FLAGS},
          {"deferbench_compiler", DEFERBENCH_COMPILER}};
}

}  // namespace harness
