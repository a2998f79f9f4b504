// GET /api/fleet read and printed for operators.
#include "server/ctl/fleet_view.h"

#include <gtest/gtest.h>

namespace chat::ctl {
namespace {

constexpr const char* kFleet = R"({"policy":"random","fleet":"local","rooms":3,"users":7,
  "servers":[
    {"id":"local-1-40123","host":"127.0.0.1:40123","adminHost":"127.0.0.1:40124","state":"ready",
     "drainRequested":false,"rooms":3,"roomCapacity":10,"users":7},
    {"id":"local-2-40125","host":"","adminHost":"","state":"starting","rooms":0,
     "roomCapacity":10,"users":0}],
  "drains":[
    {"serverId":"local-0-1","by":"operator","state":"failed","rooms":1,"moved":[],"unstored":0,
     "error":"POST /drain answered HTTP 404"},
    {"serverId":"local-0-1","by":"autoscaler","state":"drained","rooms":2,"moved":["r1","r2"],
     "unstored":1}]})";

TEST(FleetView, ReadsServersAndDrains) {
  auto fleet = parse_fleet(kFleet);
  ASSERT_TRUE(fleet) << fleet.error();
  ASSERT_EQ(fleet->servers.size(), 2u);
  EXPECT_EQ(fleet->server("local-1-40123")->rooms, 3);
  EXPECT_EQ(fleet->server("nope"), nullptr);
  const DrainRow* drain = fleet->latest_drain("local-0-1");
  ASSERT_NE(drain, nullptr);
  EXPECT_EQ(drain->state, "drained");
  EXPECT_EQ(describe_drain(*drain), "moved 2 rooms (r1, r2); 1 message could not be stored");
}

TEST(FleetView, ATableWithAlignedColumnsAndASummary) {
  auto fleet = parse_fleet(kFleet);
  ASSERT_TRUE(fleet);
  EXPECT_EQ(fleet_table(*fleet),
            "ID             STATE     HOST             ADMIN HOST       ROOMS  USERS\n"
            "local-1-40123  ready     127.0.0.1:40123  127.0.0.1:40124  3/10   7\n"
            "local-2-40125  starting  -                -                0/10   0\n"
            "2 servers, 3 rooms, 7 users (fleet local, policy random)\n");
}

TEST(FleetView, AnOlderBackendWithoutDrainsIsRead) {
  auto fleet = parse_fleet(R"({"servers":[]})");
  ASSERT_TRUE(fleet) << fleet.error();
  EXPECT_EQ(fleet->latest_drain("x"), nullptr);
}

TEST(FleetView, WhatIsNotAFleetIsSaid) {
  EXPECT_EQ(parse_fleet("<html>").error(), "the answer is not a JSON object");
  EXPECT_EQ(parse_fleet(R"({"error":"x"})").error(), "the answer has no \"servers\" list");
}

TEST(FleetView, AFailedDrainSaysWhy) {
  DrainRow failed{"s", "operator", "failed", 1, {}, 0, "POST /drain timed out"};
  EXPECT_EQ(describe_drain(failed), "the drain failed and was cancelled: POST /drain timed out");
}

}  // namespace
}  // namespace chat::ctl
