#include "fd/limits.h"

#include <gtest/gtest.h>

namespace {

fd::Limits machine_like_ci() {
  fd::Limits l;
  l.file_max = 2466183;
  l.files_in_use = 449;
  l.nr_open = 1048576;
  l.nofile_soft = 20000;
  l.nofile_hard = 20000;
  l.cap_sys_resource = false;
  l.cap_sys_admin = true;
  l.dir = "/tmp";
  l.free_inodes = 16000000;
  l.free_bytes = 80ull << 30;
  l.block_bytes = 4096;
  l.open_descriptors = 4;
  return l;
}

TEST(ParseCount, ReadsAProcNumberWithItsNewline) {
  EXPECT_EQ(fd::parse_count("1048576\n"), 1048576u);
  EXPECT_EQ(fd::parse_count("9223372036854775807\n"), 9223372036854775807u);
  EXPECT_FALSE(fd::parse_count(""));
  EXPECT_FALSE(fd::parse_count("12abc"));
}

TEST(ParseFileNr, TakesTheAllocatedHandles) {
  EXPECT_EQ(fd::parse_file_nr_in_use("449\t0\t2466183\n"), 449u);
  EXPECT_FALSE(fd::parse_file_nr_in_use("x\t0\t1\n"));
}

TEST(ParseCapEff, ReadsSingleBitsOfTheEffectiveSet) {
  // CI's container: every capability of 0-40 except CAP_SYS_RESOURCE (24).
  const char* status = "Name:\tfd\nCapPrm:\t000001ffffffffff\nCapEff:\t000001fffeffffff\n";
  EXPECT_EQ(fd::parse_cap_eff_bit(status, fd::kCapSysResource), false);
  EXPECT_EQ(fd::parse_cap_eff_bit(status, fd::kCapSysAdmin), true);
  EXPECT_FALSE(fd::parse_cap_eff_bit("Name:\tfd\n", fd::kCapSysAdmin).has_value());
}

TEST(Check, AnNBelowEveryLimitRuns) {
  EXPECT_EQ(fd::check(machine_like_ci(), 10000).bound, fd::Bound::none);
}

TEST(Check, TheHardRlimitStopsNAndSaysWhatItWouldTake) {
  const fd::Verdict v = fd::check(machine_like_ci(), 100000);
  EXPECT_EQ(v.bound, fd::Bound::rlimit_hard);
  EXPECT_FALSE(v.refuse());
  EXPECT_NE(v.message.find("ulimit -Hn 100012"), std::string::npos) << v.message;
  EXPECT_NE(v.message.find("CAP_SYS_RESOURCE"), std::string::npos);
  EXPECT_NE(v.message.find("lacks it"), std::string::npos);
}

TEST(Check, TheHarnessHeadroomCountsAgainstTheLimit) {
  const fd::Limits l = machine_like_ci();
  EXPECT_EQ(fd::largest_n(l), 20000u - 12u);
  EXPECT_EQ(fd::check(l, fd::largest_n(l)).bound, fd::Bound::none);
  EXPECT_EQ(fd::check(l, fd::largest_n(l) + 1).bound, fd::Bound::rlimit_hard);
  EXPECT_EQ(fd::check(l, 20000).bound, fd::Bound::rlimit_hard);
}

TEST(Check, AboveNrOpenOrTheDiskIsRefused) {
  fd::Limits l = machine_like_ci();
  EXPECT_EQ(fd::check(l, 2000000).bound, fd::Bound::nr_open);
  EXPECT_TRUE(fd::check(l, 2000000).refuse());
  l.free_inodes = 5000;
  EXPECT_EQ(fd::check(l, 6000).bound, fd::Bound::disk_inodes);
  l.free_inodes.reset();  // a filesystem that reports none: not checked
  l.free_bytes = 4096 * 100;
  EXPECT_EQ(fd::check(l, 101).bound, fd::Bound::disk_space);
  EXPECT_EQ(fd::largest_n(l), 100u);
}

TEST(Check, FileMaxBindsOnlyWithoutCapSysAdmin) {
  fd::Limits l = machine_like_ci();
  l.nofile_hard = l.nofile_soft = 1000000;
  l.file_max = 100000;
  EXPECT_EQ(fd::check(l, 250000).bound, fd::Bound::none);
  l.cap_sys_admin = false;
  EXPECT_EQ(fd::check(l, 250000).bound, fd::Bound::file_max);
  EXPECT_EQ(fd::largest_n(l), 100000u - 449u);
}

TEST(ReadLimits, ReadsThisMachine) {
  const fd::Limits l = fd::read_limits("/tmp");
  EXPECT_GT(l.nofile_hard, 0u);
  EXPECT_GE(l.nofile_hard, l.nofile_soft);
  EXPECT_GE(l.open_descriptors, 3u);
  ASSERT_TRUE(l.nr_open.has_value());
  EXPECT_LE(l.nofile_hard, *l.nr_open);
}

}  // namespace
