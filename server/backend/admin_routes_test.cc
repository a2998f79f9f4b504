#include "server/backend/admin_routes.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace chat {
namespace {

TEST(ServiceDiscovery, ListsEveryServerWithAHostAndItsLabels) {
  auto fleet = boost::json::parse(R"({"policy":"random","fleet":"local","rooms":1,"users":2,
      "servers":[{"id":"local-1-4000","host":"127.0.0.1:4000","adminHost":"127.0.0.1:5000",
                  "state":"ready","rooms":1},
                 {"id":"local-2-4001","host":"","adminHost":"","state":"starting","rooms":0},
                 {"id":"local-3-4002","host":"127.0.0.1:4002","adminHost":"127.0.0.1:5002",
                  "state":"draining","rooms":0}]})");
  auto targets = service_discovery_targets(fleet);
  EXPECT_EQ(boost::json::serialize(targets),
            R"([{"targets":["127.0.0.1:5000"],"labels":{"server_id":"local-1-4000",)"
            R"("fleet":"local","state":"ready"}},{"targets":["127.0.0.1:5002"],)"
            R"("labels":{"server_id":"local-3-4002","fleet":"local","state":"draining"}}])");
}

TEST(ServiceDiscovery, AnEmptyFleetIsAnEmptyList) {
  EXPECT_TRUE(service_discovery_targets(boost::json::parse(R"({"servers":[]})")).empty());
  EXPECT_TRUE(service_discovery_targets(boost::json::parse("{}")).empty());
}

}  // namespace
}  // namespace chat
