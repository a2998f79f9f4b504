#include "scheduler/fleets/static_fleet.h"

#include <gtest/gtest.h>

#include "scheduler/fleets/host_list.h"
#include "scheduler/scheduler.h"
#include "scheduler/testing.h"

namespace sched {
namespace {

using testing::seconds;

using Hosts = std::vector<std::string>;

TEST(HostList, ParsesTheSeedsList) {
  auto hosts = parse_host_list(" a:8000, b:8001 ,c:8002");
  ASSERT_TRUE(hosts) << hosts.error();
  EXPECT_EQ(*hosts, (Hosts{"a:8000", "b:8001", "c:8002"}));
  EXPECT_EQ(*parse_host_list("localhost:8000"), Hosts{"localhost:8000"});
}

TEST(HostList, TakesIpv6InBrackets) {
  auto hosts = parse_host_list("[::1]:8000,127.0.0.1:8001");
  ASSERT_TRUE(hosts) << hosts.error();
  EXPECT_EQ(*hosts, (Hosts{"[::1]:8000", "127.0.0.1:8001"}));
}

TEST(HostList, RefusesWithTheEntryAndTheReason) {
  struct Case {
    const char* list;
    const char* said;
  };
  for (auto [list, said] :
       {Case{"", "empty"}, Case{"  ", "empty"}, Case{"a:1,,b:2", "entry 2"},
        Case{"a:1,", "entry 2"}, Case{"a", "'a' is not host:port"}, Case{"a:1,a:1", "listed twice"},
        Case{"a:0", "'a:0'"}, Case{"a:99999", "'a:99999'"}, Case{"::1:80", "'::1:80'"}}) {
    auto hosts = parse_host_list(list);
    ASSERT_FALSE(hosts) << "accepted '" << list << "'";
    EXPECT_NE(hosts.error().find(said), std::string::npos) << list << ": " << hosts.error();
  }
}

TEST(StaticFleet, ItsServersRunFromTheStartUnderTheirHosts) {
  StaticFleet fleet({"a:1", "b:2"});
  auto servers = fleet.running_servers();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[1].id, "b:2");
  EXPECT_EQ(servers[1].host, "b:2");
  EXPECT_EQ(fleet.name(), "static");
}

TEST(StaticFleet, KnowsEachServersAdminListenerWhenTold) {
  StaticFleet fleet({"a:1", "b:2"}, {"a:9001", "b:9002"});
  auto servers = fleet.running_servers();
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].admin_host, "a:9001");
  EXPECT_EQ(servers[1].admin_host, "b:9002");
  EXPECT_EQ(StaticFleet({"a:1"}).running_servers()[0].admin_host, "");
}

TEST(StaticFleet, NeverStartsAndPinsTheFleetSize) {
  StaticFleet fleet({"a:1", "b:2"});
  EXPECT_FALSE(fleet.start_server(fleet.next_server_id()));
  AutoscalerConfig asked;
  asked.spare_room_slots = 3;
  const AutoscalerConfig config = fleet.autoscaler_config(asked);
  EXPECT_EQ(config.min_servers, 2);
  EXPECT_EQ(config.max_servers, 2);
  EXPECT_EQ(config.spare_room_slots, 3);  // the rest as asked
}

// The scheduler's starts and stops, passed to a managed fleet.
class ToFleet : public FleetProvider {
 public:
  explicit ToFleet(ManagedFleet& fleet) : fleet_(fleet) {}
  std::optional<ServerId> start_server() override {
    ServerId id = fleet_.next_server_id();
    if (!fleet_.start_server(id)) return std::nullopt;
    return id;
  }
  void stop_server(const ServerId& id) override { fleet_.stop_server(id); }

 private:
  ManagedFleet& fleet_;
};

TEST(StaticFleet, TheSchedulerFillsItsHostsThenRefuses) {
  StaticFleet fleet({"a:1", "b:2"});
  ToFleet provider(fleet);
  SchedulerConfig config;
  config.policy = "best-fit";
  config.room_capacity = 3;
  config.autoscaler = fleet.autoscaler_config(config.autoscaler);
  Scheduler scheduler(config, provider, sequential_room_ids(), Random(1));
  for (const std::string& host : fleet.hosts()) scheduler.on_server_started(host, host, {});
  for (int i = 0; i < 6; ++i) {
    EXPECT_TRUE(std::holds_alternative<Placed>(scheduler.create_room(seconds(1))));
  }
  EXPECT_TRUE(std::holds_alternative<NoCapacity>(scheduler.create_room(seconds(1))));
  EXPECT_TRUE(scheduler.tick(seconds(3600)).stopped.empty());  // idle or not, min = max
  EXPECT_EQ(scheduler.check_invariants(), std::vector<std::string>{});
}

}  // namespace
}  // namespace sched
