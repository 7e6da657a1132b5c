// The case registry's rule: a suite that describes its cases describes every
// one of them, and nothing else.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "registry.h"

namespace {

void no_op(benchmark::State&) {}

// Restores the process-wide registry whatever a test left in it.
class Registry : public ::testing::Test {
 protected:
  void TearDown() override {
    harness::suite_cases().clear();
    harness::suite_case_infos().clear();
  }
};

TEST_F(Registry, ASuiteThatDescribesNothingIsAccepted) {
  harness::add_case("call", no_op);
  EXPECT_EQ(harness::undescribed_case(), "");
}

TEST_F(Registry, ACaseWithoutItsDescriptionIsNamed) {
  harness::add_case("call", no_op);
  harness::add_case("scope_guard", no_op);
  harness::add_case_info({.name = "call", .kind = "reference"});
  EXPECT_EQ(harness::undescribed_case(), "scope_guard");
}

TEST_F(Registry, ADescriptionWithoutItsCaseIsNamed) {
  harness::add_case("call", no_op);
  harness::add_case_info({.name = "call", .kind = "reference"});
  harness::add_case_info({.name = "renamed", .kind = "analog"});
  EXPECT_EQ(harness::undescribed_case(), "renamed");
}

TEST_F(Registry, TheDescriptionsAreWrittenInOrderWithEveryField) {
  harness::add_case("call", no_op);
  harness::add_case("go_open_coded", no_op);
  harness::add_case("scope_guard", no_op);
  harness::add_case_info({.name = "call", .kind = "reference"});
  harness::add_case_info({.name = "go_open_coded", .kind = "go_model", .mechanism = "bits",
                          .go_counterpart = "defer_cost/open_coded", .claims = "A2",
                          .pair = "call", .omits = "funcdata"});
  harness::add_case_info({.name = "scope_guard", .kind = "floor", .pair = "call",
                          .target_ratio = 1.05});
  EXPECT_EQ(harness::undescribed_case(), "");
  const auto cases = nlohmann::json::parse(harness::case_infos_json());
  ASSERT_EQ(cases.size(), 3u);
  EXPECT_EQ(cases[0]["name"], "call");
  EXPECT_EQ(cases[1], (nlohmann::json{{"name", "go_open_coded"}, {"kind", "go_model"},
                                      {"mechanism", "bits"},
                                      {"go_counterpart", "defer_cost/open_coded"},
                                      {"claims", "A2"}, {"pair", "call"},
                                      {"omits", "funcdata"}}));
  EXPECT_FALSE(cases[1].contains("target_ratio")) << "no target: no key, never a 0";
  EXPECT_EQ(cases[2]["target_ratio"], 1.05);
}

}  // namespace
