#include "stack/outcome.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <csignal>

namespace stack_suite {
namespace {

// Wait statuses as the kernel encodes them (the W* macros only decode).
int exited_with(int code) { return (code & 0xff) << 8; }
int killed_by(int sig) { return sig & 0x7f; }

ChildFacts faulted_at(std::uint64_t address) {
  ChildFacts f;
  f.state = ChildState::faulted;
  f.wait_status = exited_with(70);
  f.fault_signal = SIGSEGV;
  f.fault_address = address;
  f.guard_low = 0x10000;
  f.stack_high = 0x20000;
  return f;
}

TEST(Classify, AFaultInTheGuardIsAnOverflow) {
  const Classified c = classify(faulted_at(0x10008));
  EXPECT_EQ(c.outcome, Outcome::overflow);
  EXPECT_EQ(c.detail, "");
}

TEST(Classify, AFaultInTheStackItselfIsAnOverflow) {
  EXPECT_EQ(classify(faulted_at(0x1fff8)).outcome, Outcome::overflow);
}

TEST(Classify, AFaultOutsideTheStackIsACrash) {
  for (std::uint64_t address : {0x0ull, 0xfff8ull, 0x20000ull}) {
    const Classified c = classify(faulted_at(address));
    EXPECT_EQ(c.outcome, Outcome::crashed) << address;
    EXPECT_NE(c.detail.find("SIGSEGV"), std::string::npos) << c.detail;
  }
}

TEST(Classify, OperatorNewFailingIsOutOfMemory) {
  ChildFacts f;
  f.state = ChildState::out_of_memory;
  f.wait_status = exited_with(71);
  EXPECT_EQ(classify(f).outcome, Outcome::out_of_memory);
}

TEST(Classify, TheTimeoutWinsOverTheSignalDeferbenchSent) {
  ChildFacts f;
  f.state = ChildState::recursing;
  f.wait_status = killed_by(SIGKILL);
  f.killed_on_timeout = true;
  EXPECT_EQ(classify(f).outcome, Outcome::timeout);
}

TEST(Classify, AnUnexpectedSigkillIsKilledAndNamesTheOomKiller) {
  ChildFacts f;
  f.state = ChildState::recursing;
  f.wait_status = killed_by(SIGKILL);
  const Classified c = classify(f);
  EXPECT_EQ(c.outcome, Outcome::killed);
  EXPECT_NE(c.detail.find("SIGKILL"), std::string::npos) << c.detail;
  EXPECT_NE(c.detail.find("OOM killer"), std::string::npos) << c.detail;
}

TEST(Classify, AnotherSignalIsKilledWithItsName) {
  ChildFacts f;
  f.state = ChildState::recursing;
  f.wait_status = killed_by(SIGABRT);
  const Classified c = classify(f);
  EXPECT_EQ(c.outcome, Outcome::killed);
  EXPECT_NE(c.detail.find("SIGABRT"), std::string::npos) << c.detail;
}

TEST(Classify, ASetupFailureNamesTheStepAndTheError) {
  ChildFacts f;
  f.state = ChildState::setup_failed;
  f.wait_status = exited_with(72);
  f.setup_step = "mmap (stack)";
  f.setup_errno = ENOMEM;
  const Classified c = classify(f);
  EXPECT_EQ(c.outcome, Outcome::setup_failed);
  EXPECT_NE(c.detail.find("mmap (stack)"), std::string::npos) << c.detail;
  EXPECT_NE(c.detail.find("memory"), std::string::npos) << c.detail;
}

TEST(Classify, AnExitWhileRecursingOrAReturnIsACrash) {
  ChildFacts f;
  f.state = ChildState::recursing;
  f.wait_status = exited_with(1);
  EXPECT_EQ(classify(f).outcome, Outcome::crashed);
  f.state = ChildState::returned;
  f.wait_status = exited_with(73);
  EXPECT_EQ(classify(f).outcome, Outcome::crashed);
}

TEST(Classify, AChildThatNeverStartedIsASetupFailure) {
  ChildFacts f;
  f.wait_status = exited_with(74);
  EXPECT_EQ(classify(f).outcome, Outcome::setup_failed);
}

TEST(OutcomeName, NamesEveryOutcome) {
  EXPECT_EQ(name(Outcome::overflow), "overflow");
  EXPECT_EQ(name(Outcome::out_of_memory), "out_of_memory");
  EXPECT_EQ(name(Outcome::killed), "killed");
  EXPECT_EQ(name(Outcome::timeout), "timeout");
  EXPECT_EQ(name(Outcome::crashed), "crashed");
  EXPECT_EQ(name(Outcome::setup_failed), "setup_failed");
}

}  // namespace
}  // namespace stack_suite
