// The experiment's guarantees, on a few hundred real files: every strategy
// reads the right file and closes every descriptor, also when an open fails
// midway (EMFILE under a lowered soft limit, or a missing file).
#include "fd/open_close.h"

#include <dirent.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "alloc_counter.h"
#include "fd/temp_files.h"

namespace {

// Descriptors open now, those numbered below `below` only when given.
int open_descriptors(long below = -1) {
  int count = 0;
  DIR* d = opendir("/proc/self/fd");
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    if (below < 0 || std::atol(e->d_name) < below) ++count;
  }
  closedir(d);
  return count - 1;  // opendir's own descriptor
}

class OpenClose : public ::testing::TestWithParam<fd::Strategy> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(files_.error().empty()) << files_.error();
    ASSERT_EQ(files_.create(300, [] { return false; }), 300u) << files_.error();
  }
  fd::TempFiles files_{"/tmp"};
};

TEST_P(OpenClose, ReadsTheChosenFileAndClosesEveryOne) {
  const int before = open_descriptors();
  const fd::Outcome o = fd::open_read_close(GetParam(), files_.dirfd(), 300, 123);
  EXPECT_EQ(o.opened, 300u);
  EXPECT_EQ(o.open_error, 0);
  EXPECT_TRUE(o.read_verified);
  EXPECT_EQ(open_descriptors(), before);
  EXPECT_EQ(fd::close_failures(), 0u);
}

TEST_P(OpenClose, AFailedOpenStopsAndClosesWhatWasOpened) {
  const int before = open_descriptors();
  const fd::Outcome o = fd::open_read_close(GetParam(), files_.dirfd(), 400, 10);
  EXPECT_EQ(o.opened, 300u);  // file 300 does not exist
  EXPECT_EQ(o.open_error, ENOENT);
  EXPECT_TRUE(o.read_verified);
  EXPECT_EQ(open_descriptors(), before);
}

TEST_P(OpenClose, EmfileStopsAndClosesWhatWasOpened) {
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
  const int before = open_descriptors();
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(before + 100);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  // The kernel hands out the lowest free numbers below the soft limit.
  const int free_below_limit = static_cast<int>(low.rlim_cur) - open_descriptors(low.rlim_cur);
  const fd::Outcome o = fd::open_read_close(GetParam(), files_.dirfd(), 300, 250);
  setrlimit(RLIMIT_NOFILE, &old);
  EXPECT_EQ(o.open_error, EMFILE);
  EXPECT_EQ(o.opened, static_cast<std::uint64_t>(free_below_limit));
  EXPECT_FALSE(o.read_verified);  // file 250 was never opened
  EXPECT_EQ(open_descriptors(), before);
}

INSTANTIATE_TEST_SUITE_P(EveryStrategy, OpenClose, ::testing::ValuesIn(fd::kStrategies),
                         [](const auto& test) { return std::string(fd::name(test.param)); });

TEST(OpenClose, OnlyTheChainStrategiesAllocateARecordPerFile) {
  fd::TempFiles files("/tmp");
  ASSERT_EQ(files.create(200, [] { return false; }), 200u);
  for (fd::Strategy s : {fd::Strategy::chain, fd::Strategy::open_frame_in_loop}) {
    const auto a0 = harness::thread_alloc_counts();
    fd::open_read_close(s, files.dirfd(), 200, 0);
    const auto a1 = harness::thread_alloc_counts();
    // At most one record per file; fewer when the pool already held some.
    EXPECT_LE(a1.allocs - a0.allocs, 200u) << fd::name(s);
  }
  // Heap records with no pool: exactly one per file.
  const auto a0 = harness::thread_alloc_counts();
  fd::open_read_close(fd::Strategy::open_frame_in_loop, files.dirfd(), 200, 0);
  const auto a1 = harness::thread_alloc_counts();
  EXPECT_EQ(a1.allocs - a0.allocs, 200u);
}

TEST(TempFiles, RemovesItsFolder) {
  std::string folder;
  {
    fd::TempFiles files("/tmp");
    ASSERT_EQ(files.create(10, [] { return false; }), 10u);
    folder = files.folder();
    EXPECT_EQ(access(folder.c_str(), F_OK), 0);
  }
  EXPECT_NE(access(folder.c_str(), F_OK), 0);
}

TEST(TempFiles, ASharedFolderGainsTheFilesItLacksAndOutlivesIt) {
  char pattern[] = "/tmp/deferbench-fd-test-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::string folder = pattern;
  {
    fd::TempFiles first(folder, fd::TempFiles::Shared{});
    ASSERT_EQ(first.create(3, [] { return false; }), 3u) << first.error();
  }
  ASSERT_EQ(access((folder + "/2").c_str(), F_OK), 0);  // the first left its files
  {
    fd::TempFiles second(folder, fd::TempFiles::Shared{});
    ASSERT_TRUE(second.shared());
    ASSERT_EQ(second.create(5, [] { return false; }), 5u) << second.error();
    const fd::Outcome o = fd::open_read_close(fd::Strategy::plain, second.dirfd(), 5, 4);
    EXPECT_EQ(o.opened, 5u);
    EXPECT_TRUE(o.read_verified);
  }
  EXPECT_EQ(access((folder + "/4").c_str(), F_OK), 0);
  std::filesystem::remove_all(folder);
}

TEST(TempFiles, ASharedFolderThatIsNotThereIsAnError) {
  fd::TempFiles files("/nonexistent-deferbench-folder", fd::TempFiles::Shared{});
  EXPECT_TRUE(files.folder().empty());
  EXPECT_NE(files.error().find("/nonexistent-deferbench-folder"), std::string::npos);
}

TEST(TempFiles, StopsWhenAsked) {
  fd::TempFiles files("/tmp");
  EXPECT_EQ(files.create(1000, [] { return true; }), 0u);
  EXPECT_EQ(files.error(), "interrupted");
}

TEST(ChainRecordsOnly, RunsEveryDeferredCall) {
  EXPECT_EQ(fd::chain_records_only(1000), 1000u * 999u / 2u);
}

}  // namespace

TEST(OpenCloseBatches, OpensAndClosesNFilesNeverMoreThanABatchAtOnce) {
  fd::TempFiles files("/tmp");
  ASSERT_EQ(files.create(50, [] { return false; }), 50u);
  const int before = open_descriptors();
  rlimit old{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
  // Room for one batch and no more: a batch that left files open would fail.
  rlimit low = old;
  low.rlim_cur = static_cast<rlim_t>(before + 60);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  ASSERT_GE(static_cast<int>(low.rlim_cur) - open_descriptors(low.rlim_cur), 50);
  const fd::Outcome o = fd::open_close_batches(files.dirfd(), 1234, 50);
  setrlimit(RLIMIT_NOFILE, &old);
  EXPECT_EQ(o.opened, 1234u);
  EXPECT_EQ(o.open_error, 0);
  EXPECT_TRUE(o.read_verified);
  EXPECT_EQ(open_descriptors(), before);
  EXPECT_EQ(fd::close_failures(), 0u);
}

TEST(OpenCloseBatches, AFailedOpenStopsAndClosesWhatWasOpened) {
  fd::TempFiles files("/tmp");
  ASSERT_EQ(files.create(20, [] { return false; }), 20u);
  const int before = open_descriptors();
  const fd::Outcome o = fd::open_close_batches(files.dirfd(), 100, 30);  // file 20 is missing
  EXPECT_EQ(o.opened, 20u);
  EXPECT_EQ(o.open_error, ENOENT);
  EXPECT_EQ(open_descriptors(), before);
}
