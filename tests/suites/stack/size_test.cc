#include "stack/size.h"

#include <gtest/gtest.h>

namespace stack_suite {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kGiB = 1ull << 30;

TEST(ParseStackSizes, ReadsTheDefaultSweep) {
  const ParsedSizes parsed = parse_stack_sizes("8MiB,64MiB,1GiB");
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.bytes, (std::vector<std::uint64_t>{8 * kMiB, 64 * kMiB, kGiB}));
}

TEST(ParseStackSizes, AcceptsKiBAndSpacesAndKeepsTheOrder) {
  const ParsedSizes parsed = parse_stack_sizes(" 1GiB , 512KiB");
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.bytes, (std::vector<std::uint64_t>{kGiB, 512 * 1024}));
}

TEST(ParseStackSizes, DropsASizeWrittenTwice) {
  const ParsedSizes parsed = parse_stack_sizes("1GiB,1024MiB,8MiB");
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.bytes, (std::vector<std::uint64_t>{kGiB, 8 * kMiB}));
}

TEST(ParseStackSizes, RefusesMalformedValuesWithOneLineNamingThem) {
  for (const char* bad : {"8MB", "8", "MiB", "-8MiB", "8.5MiB", "8 MiB", "8MiB,,1GiB", "",
                          "8mb", "8Mx", "0x10MiB", "1T"}) {
    const ParsedSizes parsed = parse_stack_sizes(bad);
    EXPECT_TRUE(parsed.bytes.empty()) << bad;
    EXPECT_NE(parsed.error.find("STACK_SIZES"), std::string::npos) << bad;
    EXPECT_EQ(parsed.error.find('\n'), std::string::npos) << bad;
  }
  EXPECT_NE(parse_stack_sizes("8MB").error.find("'8MB'"), std::string::npos);
  EXPECT_NE(parse_stack_sizes("8MB").error.find("K, M or G (powers of 1024"), std::string::npos);
}

TEST(ParseStackSizes, ReadsTheSpellingsPeopleType) {
  const ParsedSizes parsed = parse_stack_sizes("8M,16m,32MiB,64mib,128Mi,1G,2g,512K,1024k");
  ASSERT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.bytes, (std::vector<std::uint64_t>{8 * kMiB, 16 * kMiB, 32 * kMiB, 64 * kMiB,
                                                      128 * kMiB, kGiB, 2 * kGiB, 512 * 1024,
                                                      kMiB}));
}

TEST(ParseStackSizes, RefusesStacksTooSmallOrNotWholePages) {
  EXPECT_NE(parse_stack_sizes("32KiB").error.find("smallest stack"), std::string::npos);
  EXPECT_NE(parse_stack_sizes("65KiB").error.find("pages"), std::string::npos);
  EXPECT_EQ(parse_stack_sizes("64KiB").error, "");
}

TEST(ParseStackSizes, RefusesASizeThatOverflows) {
  EXPECT_NE(parse_stack_sizes("99999999999999999999GiB").error, "");
  EXPECT_NE(parse_stack_sizes("17179869184GiB").error.find("too large"), std::string::npos);
}

TEST(SizeLabel, UsesTheLargestUnitThatDividesExactly) {
  EXPECT_EQ(size_label(8 * kMiB), "8MiB");
  EXPECT_EQ(size_label(kGiB), "1GiB");
  EXPECT_EQ(size_label(1536 * kMiB), "1536MiB");
  EXPECT_EQ(size_label(1536 * 1024), "1536KiB");
  EXPECT_EQ(size_label(100), "100B");
}

TEST(CheckMemory, AcceptsSizesTheMachineCanBack) {
  EXPECT_EQ(check_memory({8 * kMiB, kGiB}, {24 * kGiB, std::nullopt}), "");
  EXPECT_EQ(check_memory({kGiB}, {std::nullopt, std::nullopt}), "");
}

TEST(CheckMemory, RefusesASizeAboveMemAvailable) {
  const std::string line = check_memory({8 * kMiB, 32 * kGiB}, {24 * kGiB, std::nullopt});
  EXPECT_NE(line.find("32GiB"), std::string::npos) << line;
  EXPECT_NE(line.find("MemAvailable"), std::string::npos) << line;
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

TEST(CheckMemory, RefusesASizeAboveTheAddressSpaceLimit) {
  const std::string line = check_memory({kGiB}, {24 * kGiB, 512 * kMiB});
  EXPECT_NE(line.find("RLIMIT_AS"), std::string::npos) << line;
}

TEST(CheckMemory, CountsTheProcessBesideTheStack) {
  EXPECT_NE(check_memory({kGiB}, {kGiB, std::nullopt}), "");
  EXPECT_EQ(check_memory({kGiB}, {kGiB + kProcessHeadroomBytes, std::nullopt}), "");
}

}  // namespace
}  // namespace stack_suite
