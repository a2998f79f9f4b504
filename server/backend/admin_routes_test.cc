#include "server/backend/admin_routes.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <optional>
#include <vector>

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

namespace chat {
namespace {

namespace http = boost::beast::http;

// Answers drains as told, and remembers which server was asked for.
class DrainingPlacement : public RoomPlacement {
 public:
  void create_room(const std::string&, int, std::function<void(CreateRoomResult)>) override {}
  void find_room(const std::string&, std::function<void(FindRoomResult)>) override {}
  void describe(std::function<void(boost::json::value)> done) override { done({}); }
  void drain_server(const std::string& server_id, std::function<void(DrainResult)> done) override {
    asked.push_back(server_id);
    done(answer);
  }
  DrainResult answer = DrainStarted{"local-1-4000", 3};
  std::vector<std::string> asked;
};

class DrainRouteTest : public ::testing::Test {
 protected:
  web::Response call(http::verb method, std::string target, std::string token = "secret") {
    web::Request request{method, target, 11};
    if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
    std::optional<web::Response> answered;
    routes_.handle(request, [&](web::Response response) { answered = std::move(response); });
    EXPECT_TRUE(answered.has_value());
    return answered.value_or(web::Response{});
  }
  DrainingPlacement placement_;
  metrics::Metrics metrics_;
  AdminRoutes routes_{placement_, metrics_, "secret"};
};

TEST_F(DrainRouteTest, ADrainThatBeganIs202WithTheServerAndItsRooms) {
  auto response = call(http::verb::post, "/api/fleet/servers/local-1-4000/drain");
  EXPECT_EQ(response.result(), http::status::accepted);
  EXPECT_EQ(boost::json::parse(response.body()),
            boost::json::parse(R"({"serverId":"local-1-4000","state":"draining","rooms":3})"));
  EXPECT_EQ(placement_.asked, std::vector<std::string>{"local-1-4000"});
}

TEST_F(DrainRouteTest, TheServerIdIsPercentDecoded) {
  call(http::verb::post, "/api/fleet/servers/127.0.0.1%3A8000/drain");
  EXPECT_EQ(placement_.asked, std::vector<std::string>{"127.0.0.1:8000"});
}

TEST_F(DrainRouteTest, AnUnknownServerIs404AndOneNotReady409WithTheReason) {
  placement_.answer = DrainRefused{true, "No session server x"};
  auto unknown = call(http::verb::post, "/api/fleet/servers/x/drain");
  EXPECT_EQ(unknown.result(), http::status::not_found);
  EXPECT_EQ(boost::json::parse(unknown.body()).at("error"), "No session server x");
  placement_.answer = DrainRefused{false, "Session server x is starting"};
  EXPECT_EQ(call(http::verb::post, "/api/fleet/servers/x/drain").result(), http::status::conflict);
}

TEST_F(DrainRouteTest, OnlyPostDrainsAndOnlyWithTheAdminToken) {
  auto get = call(http::verb::get, "/api/fleet/servers/x/drain");
  EXPECT_EQ(get.result(), http::status::method_not_allowed);
  EXPECT_EQ(get[http::field::allow], "POST");
  EXPECT_EQ(call(http::verb::post, "/api/fleet/servers/x/drain", "").result(),
            http::status::unauthorized);
  EXPECT_EQ(call(http::verb::post, "/api/fleet/servers/x/drain", "wrong").result(),
            http::status::unauthorized);
  EXPECT_TRUE(placement_.asked.empty());
}

TEST_F(DrainRouteTest, PathsThatNameNoServerAreNotDrains) {
  EXPECT_EQ(call(http::verb::post, "/api/fleet/servers//drain").result(),
            http::status::method_not_allowed);
  EXPECT_EQ(call(http::verb::post, "/api/fleet/servers/a/b/drain").result(),
            http::status::method_not_allowed);
  EXPECT_EQ(call(http::verb::get, "/api/fleet/servers/a/b/drain").result(),
            http::status::not_found);
  EXPECT_TRUE(placement_.asked.empty());
}

}  // namespace
}  // namespace chat
