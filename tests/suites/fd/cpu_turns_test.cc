#include "fd/cpu_turns.h"

#include <gtest/gtest.h>

namespace {

bool cpus_0_to_3(int cpu) { return cpu >= 0 && cpu <= 3; }

std::vector<int> ok(std::string_view text) {
  auto r = fd::parse_cpu_turns(text, cpus_0_to_3);
  EXPECT_TRUE(std::holds_alternative<std::vector<int>>(r)) << text;
  return std::holds_alternative<std::vector<int>>(r) ? std::get<std::vector<int>>(r)
                                                     : std::vector<int>{99};
}

std::string error(std::string_view text) {
  auto r = fd::parse_cpu_turns(text, cpus_0_to_3);
  EXPECT_TRUE(std::holds_alternative<fd::CpuTurnsError>(r)) << text;
  return std::holds_alternative<fd::CpuTurnsError>(r) ? std::get<fd::CpuTurnsError>(r).message
                                                      : "";
}

TEST(ParseCpuTurns, KeepsTheOrderAndTheRepeats) {
  EXPECT_EQ(ok("3,3,3,0,0,0"), (std::vector<int>{3, 3, 3, 0, 0, 0}));
  EXPECT_EQ(ok("2"), (std::vector<int>{2}));
}

TEST(ParseCpuTurns, EmptyMeansNoTurns) { EXPECT_TRUE(ok("").empty()); }

TEST(ParseCpuTurns, RefusesWhatIsNotAnAllowedCpu) {
  EXPECT_NE(error("4").find("\"4\" is not a CPU this process may use"), std::string::npos);
  EXPECT_NE(error("1,,0").find("empty item"), std::string::npos);
  EXPECT_NE(error("-1").find("is not a CPU number"), std::string::npos);
  EXPECT_NE(error("1;0").find("is not a CPU number"), std::string::npos);
  EXPECT_NE(error("0x1").find("is not a CPU number"), std::string::npos);
  EXPECT_NE(error("1,").find("empty item"), std::string::npos);
  // The one line names the variable and what is accepted.
  EXPECT_EQ(error("a").rfind("FD_CPU_TURNS=\"a\"", 0), 0u);
  EXPECT_NE(error("a").find("comma-separated"), std::string::npos);
}

TEST(CpuOfRepetition, CyclesThroughTheTurns) {
  const std::vector<int> turns{1, 1, 1, 0, 0, 0};
  std::vector<int> got;
  for (int rep = 0; rep < 10; ++rep) got.push_back(fd::cpu_of_repetition(turns, rep));
  EXPECT_EQ(got, (std::vector<int>{1, 1, 1, 0, 0, 0, 1, 1, 1, 0}));
  EXPECT_EQ(fd::cpu_of_repetition({5}, 9), 5);
}

}  // namespace
