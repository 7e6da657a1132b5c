# The fd suite: a "program" suite binary, build/benchmarks/fd, and
# its parts as a library the unit tests link too. Included from
# benchmarks/CMakeLists.txt.
add_library(fd_parts STATIC
  ${CMAKE_CURRENT_LIST_DIR}/limits.cc
  ${CMAKE_CURRENT_LIST_DIR}/sweep.cc
  ${CMAKE_CURRENT_LIST_DIR}/open_close.cc
  ${CMAKE_CURRENT_LIST_DIR}/temp_files.cc
  ${CMAKE_CURRENT_LIST_DIR}/interrupts.cc
  ${CMAKE_CURRENT_LIST_DIR}/child.cc
  ${CMAKE_CURRENT_LIST_DIR}/system_limit.cc)
target_include_directories(fd_parts PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(fd_parts PUBLIC defer harness)

add_executable(fd ${CMAKE_CURRENT_SOURCE_DIR}/fd.cc)
target_link_libraries(fd PRIVATE fd_parts nlohmann_json::nlohmann_json)
