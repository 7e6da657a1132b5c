#include "fd/sweep.h"

#include <gtest/gtest.h>

namespace {

std::vector<std::uint64_t> ok(std::string_view text) {
  auto r = fd::parse_sweep(text);
  EXPECT_TRUE(std::holds_alternative<std::vector<std::uint64_t>>(r)) << text;
  return std::holds_alternative<std::vector<std::uint64_t>>(r)
             ? std::get<std::vector<std::uint64_t>>(r)
             : std::vector<std::uint64_t>{};
}

std::string error(std::string_view text) {
  auto r = fd::parse_sweep(text);
  EXPECT_TRUE(std::holds_alternative<fd::SweepError>(r)) << text;
  return std::holds_alternative<fd::SweepError>(r) ? std::get<fd::SweepError>(r).message : "";
}

TEST(ParseSweep, TheDefaultIsTheArticlesSweep) {
  EXPECT_EQ(ok(fd::kDefaultSweep),
            (std::vector<std::uint64_t>{1000, 10000, 100000, 250000, 700000}));
}

TEST(ParseSweep, SuffixesSortAndDuplicates) {
  EXPECT_EQ(ok("2m,100,1K,100"), (std::vector<std::uint64_t>{100, 1000, 2000000}));
}

TEST(ParseSweep, RejectsWhatIsNotAPositiveCount) {
  EXPECT_NE(error("0").find("is zero"), std::string::npos);
  EXPECT_NE(error("-5").find("is negative"), std::string::npos);
  EXPECT_NE(error("abc").find("is not a number"), std::string::npos);
  EXPECT_NE(error("10,,20").find("empty item"), std::string::npos);
  EXPECT_NE(error("1.5k").find("is not a number"), std::string::npos);
  EXPECT_NE(error("99999999999999999999").find("larger than"), std::string::npos);
  EXPECT_NE(error("").find("is empty"), std::string::npos);
  EXPECT_NE(error("k").find("is not a number"), std::string::npos);
}

TEST(ParseSweep, TheMessageIsOneLineThatSaysWhatIsAccepted) {
  const std::string m = error("ten");
  EXPECT_EQ(m.find('\n'), std::string::npos);
  EXPECT_NE(m.find("FD_N=1k,10k,100k"), std::string::npos);
}

}  // namespace
