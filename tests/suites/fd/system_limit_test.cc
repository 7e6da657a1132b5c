// The plan of the opt-in FD_SYSTEM=1 experiment: how many processes, and
// when it is refused before anything starts.
#include "fd/system_limit.h"

#include <gtest/gtest.h>

namespace {

fd::Limits limits(std::uint64_t file_max, std::uint64_t in_use, std::uint64_t hard) {
  fd::Limits l;
  l.file_max = file_max;
  l.files_in_use = in_use;
  l.nofile_hard = hard;
  return l;
}

constexpr std::uint64_t kGiB = 1ull << 30;

TEST(PlanFileTable, TakesEnoughProcessesToPassFileMax) {
  const fd::SystemPlan p = fd::plan_file_table(limits(100'000, 1'000, 20'000), 8 * kGiB,
                                               10'000, true);
  EXPECT_EQ(p.refusal, "");
  EXPECT_EQ(p.per_process, 20'000 - fd::kChildHeadroom);
  // 99,000 free + the overshoot, 19,984 at a time.
  EXPECT_EQ(p.processes, (99'000 + fd::kOvershoot + p.per_process - 1) / p.per_process);
  EXPECT_GE(p.processes * p.per_process, 99'000 + fd::kOvershoot);
}

TEST(PlanFileTable, RefusesMoreThanItsProcessBound) {
  const fd::SystemPlan p = fd::plan_file_table(limits(2'000'000, 0, 1'000), 64 * kGiB,
                                               100'000, true);
  EXPECT_NE(p.refusal.find("at most 1024 are started"), std::string::npos) << p.refusal;
}

TEST(PlanFileTable, RefusesWhatTheKernelsMemoryCannotHold) {
  const fd::SystemPlan p = fd::plan_file_table(limits(2'000'000, 0, 1'000'000), kGiB,
                                               100'000, true);
  EXPECT_NE(p.refusal.find("MemAvailable"), std::string::npos) << p.refusal;
  EXPECT_NE(fd::plan_file_table(limits(2'000'000, 0, 1'000'000), std::nullopt, 100'000, true)
                .refusal.find("unreadable"),
            std::string::npos);
}

TEST(PlanFileTable, RefusesWhenTheExemptionCannotBeDropped) {
  const fd::SystemPlan p = fd::plan_file_table(limits(100'000, 0, 20'000), 8 * kGiB,
                                               10'000, false);
  EXPECT_NE(p.refusal.find("CAP_SYS_ADMIN"), std::string::npos) << p.refusal;
}

TEST(PlanFileTable, RefusesPastRlimitNproc) {
  const fd::SystemPlan p = fd::plan_file_table(limits(100'000, 0, 20'000), 8 * kGiB, 4, true);
  EXPECT_NE(p.refusal.find("RLIMIT_NPROC"), std::string::npos) << p.refusal;
}

TEST(PlanFileTable, RefusesWithoutFileMax) {
  fd::Limits l = limits(0, 0, 20'000);
  l.file_max.reset();
  EXPECT_NE(fd::plan_file_table(l, 8 * kGiB, 10'000, true).refusal.find("file-max"),
            std::string::npos);
}

}  // namespace
