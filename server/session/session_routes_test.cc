// The session server's HTTP answers and the checks before a WebSocket
// upgrade, without a socket: requests go straight to the routes.
#include "server/session/session_routes.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>

#include "server/session/admin_routes.h"

namespace chat {
namespace {

namespace http = boost::beast::http;

constexpr const char* kSecret = "test-secret";

// The admin routes run drains on an executor; these tests run none.
boost::asio::io_context io_;

std::shared_ptr<SessionHub> make_hub(std::string advertised_host) {
  SessionConfig config;
  config.jwt_secret = kSecret;
  config.token_keys = std::make_shared<TokenKeys>(jwt::Keys{{"", kSecret}});
  config.advertised_host = std::move(advertised_host);
  config.rooms_max = 3;
  config.room_limits.users_max = 7;
  return std::make_shared<SessionHub>(config);
}

web::Request request(http::verb method, std::string target, std::string host = "h:1") {
  web::Request request{method, target, 11};
  request.set(http::field::host, host);
  return request;
}

web::Response answer(web::Routes& routes, web::Request request) {
  std::optional<web::Response> response;
  routes.handle(std::move(request), [&response](web::Response r) { response = std::move(r); });
  EXPECT_TRUE(response.has_value()) << "the routes answer at once";
  return response ? *response : web::Response{};
}

boost::json::object json_of(const web::Response& response) {
  return boost::json::parse(response.body()).as_object();
}

std::string token_for(std::string host, std::int64_t issued_at = unix_now()) {
  return issue_session_token(TokenPolicy{kSecret}, SessionClaims{"alice", "r1", std::move(host)},
                             issued_at);
}

double rejections(SessionHub& hub, const std::string& reason) {
  return hub.session_metrics().rejected(reason).Value();
}

TEST(SessionRoutes, HealthSaysDrainingOnceDraining) {
  auto hub = make_hub("h:1");
  SessionRoutes routes(hub);
  auto healthy = answer(routes, request(http::verb::get, "/healthz"));
  EXPECT_EQ(healthy.result(), http::status::ok);
  EXPECT_EQ(healthy.body(), R"({"status":"ok"})");
  hub->start_draining();
  auto draining = answer(routes, request(http::verb::get, "/healthz"));
  EXPECT_EQ(draining.result(), http::status::service_unavailable);
  EXPECT_EQ(draining.body(), R"({"status":"draining"})");
}

TEST(AdminRoutes, StatusListsRoomsAndLimits) {
  auto hub = make_hub("h:1");
  AdminRoutes routes(hub, io_.get_executor());
  auto response = answer(routes, request(http::verb::get, "/status"));
  ASSERT_EQ(response.result(), http::status::ok);
  auto status = json_of(response);
  EXPECT_EQ(status.at("host"), "h:1");
  EXPECT_EQ(status.at("draining"), false);
  EXPECT_EQ(status.at("connections"), 0);
  EXPECT_EQ(status.at("maxRooms"), 3);
  EXPECT_EQ(status.at("maxUsersPerRoom"), 7);
  EXPECT_TRUE(status.at("rooms").as_array().empty());
  EXPECT_TRUE(status.at("pid").is_int64());
}

TEST(AdminRoutes, ReserveAdmitsUpToTheRoomLimitThenRefuses) {
  auto hub = make_hub("h:1");  // 3 rooms
  AdminRoutes routes(hub, io_.get_executor());
  for (const char* room : {"a", "b", "c", "a"}) {
    auto reserved =
        answer(routes, request(http::verb::post, std::string("/rooms/") + room + "/reserve"));
    ASSERT_EQ(reserved.result(), http::status::ok) << reserved.body();
    EXPECT_EQ(json_of(reserved).at("roomId"), room);
    EXPECT_EQ(json_of(reserved).at("reserved"), true);
  }
  auto full = answer(routes, request(http::verb::post, "/rooms/d/reserve"));
  EXPECT_EQ(full.result(), http::status::conflict);
  EXPECT_EQ(json_of(full).at("reason"), "full");
  auto status = json_of(answer(routes, request(http::verb::get, "/status")));
  EXPECT_EQ(status.at("reserved").as_array().size(), 3u);
  hub->start_draining();
  auto draining = answer(routes, request(http::verb::post, "/rooms/e/reserve"));
  EXPECT_EQ(draining.result(), http::status::conflict);
  EXPECT_EQ(json_of(draining).at("reason"), "draining");
}

TEST(AdminRoutes, ReserveRefusesBadInputWithJson) {
  auto hub = make_hub("h:1");
  AdminRoutes routes(hub, io_.get_executor());
  EXPECT_EQ(answer(routes, request(http::verb::get, "/rooms/a/reserve")).result(),
            http::status::method_not_allowed);
  auto bad_id = answer(routes, request(http::verb::post, "/rooms/a%20b/reserve"));
  EXPECT_EQ(bad_id.result(), http::status::bad_request);
  EXPECT_TRUE(json_of(bad_id).contains("error"));
  auto with_body = request(http::verb::post, "/rooms/a/reserve");
  with_body.body() = R"({"ttlSeconds": -3})";
  auto bad_ttl = answer(routes, with_body);
  EXPECT_EQ(bad_ttl.result(), http::status::bad_request);
  EXPECT_NE(bad_ttl.body().find("ttlSeconds"), std::string::npos);
  with_body.body() = R"({"ttlSeconds": 5})";
  EXPECT_EQ(answer(routes, with_body).result(), http::status::ok);
}

TEST(AdminRoutes, MetricsInPrometheusText) {
  auto hub = make_hub("h:1");
  AdminRoutes routes(hub, io_.get_executor());
  auto response = answer(routes, request(http::verb::get, "/metrics"));
  ASSERT_EQ(response.result(), http::status::ok);
  EXPECT_NE(response.body().find("chat_session_rooms 0"), std::string::npos) << response.body();
  EXPECT_NE(response.body().find("chat_session_connections 0"), std::string::npos);
}

TEST(SessionRoutes, NoRoomIsListedOnThePublicPort) {
  SessionRoutes routes(make_hub("h:1"));
  EXPECT_EQ(answer(routes, request(http::verb::get, "/status")).result(), http::status::not_found);
  EXPECT_EQ(answer(routes, request(http::verb::get, "/metrics")).result(), http::status::not_found);
}

TEST(SessionRoutes, WithAnAdminTokenOperatorsReachStatusOnThePublicPortAndNobodyElse) {
  SessionConfig config;
  config.jwt_secret = kSecret;
  config.token_keys = std::make_shared<TokenKeys>(jwt::Keys{{"", kSecret}});
  config.advertised_host = "h:1";
  config.admin_token = "operators-only-0123456789abcdef";
  auto hub = std::make_shared<SessionHub>(config);
  SessionRoutes routes(hub);
  AdminRoutes admin(hub, io_.get_executor());
  auto bearing = [](std::string path, std::string token) {
    auto r = request(http::verb::get, std::move(path));
    r.set(http::field::authorization, "Bearer " + token);
    return r;
  };
  EXPECT_EQ(answer(routes, request(http::verb::get, "/status")).result(), http::status::not_found);
  EXPECT_EQ(answer(routes, bearing("/status", "wrong")).result(), http::status::not_found);
  EXPECT_EQ(answer(routes, bearing("/status", config.admin_token)).result(), http::status::ok);
  EXPECT_EQ(answer(admin, request(http::verb::get, "/status")).result(),
            http::status::unauthorized);
  EXPECT_EQ(answer(admin, bearing("/metrics", config.admin_token)).result(), http::status::ok);
}

TEST(SessionRoutes, OnlyGetAndKnownPaths) {
  SessionRoutes routes(make_hub("h:1"));
  EXPECT_EQ(answer(routes, request(http::verb::post, "/healthz")).result(),
            http::status::method_not_allowed);
  auto missing = answer(routes, request(http::verb::get, "/nope"));
  EXPECT_EQ(missing.result(), http::status::not_found);
  EXPECT_TRUE(json_of(missing).contains("error"));
  EXPECT_EQ(answer(routes, request(http::verb::head, "/healthz")).result(), http::status::ok);
}

TEST(SessionRoutes, UpgradeNeedsAValidTokenForThisHost) {
  auto hub = make_hub("h:1");
  SessionRoutes routes(hub);
  EXPECT_EQ(routes.check_upgrade(request(http::verb::get, "/?token=" + token_for("h:1"))),
            std::nullopt);

  auto missing = routes.check_upgrade(request(http::verb::get, "/"));
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->result(), http::status::unauthorized);
  EXPECT_NE(missing->body().find("missing token"), std::string::npos) << missing->body();

  auto forged = routes.check_upgrade(request(http::verb::get, "/?token=a.b.c"));
  ASSERT_TRUE(forged);
  EXPECT_EQ(forged->result(), http::status::unauthorized);

  auto expired = routes.check_upgrade(
      request(http::verb::get, "/?token=" + token_for("h:1", unix_now() - 3600)));
  ASSERT_TRUE(expired);
  EXPECT_EQ(expired->result(), http::status::unauthorized);

  auto elsewhere = routes.check_upgrade(request(http::verb::get, "/?token=" + token_for("h:2")));
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->result(), http::status::unauthorized);
  EXPECT_NE(elsewhere->body().find("token is for host h:2, this is h:1"), std::string::npos)
      << elsewhere->body();
  EXPECT_EQ(rejections(*hub, "bad_token"), 4);
}

TEST(SessionRoutes, TheHostHeaderIsNeverTrusted) {
  SessionRoutes routes(make_hub("h:1"));
  // A token for another server, with a Host header forged to match it.
  auto forged = "/?token=" + token_for("other:443");
  EXPECT_TRUE(routes.check_upgrade(request(http::verb::get, forged, "other:443")));
  // This server's token is good whatever Host says (a proxy may rewrite it).
  EXPECT_EQ(routes.check_upgrade(
                request(http::verb::get, "/?token=" + token_for("h:1"), "proxy.example:443")),
            std::nullopt);
}

TEST(SessionRoutes, RefusesUpgradesWhileDraining) {
  auto hub = make_hub("h:1");
  SessionRoutes routes(hub);
  hub->start_draining();
  auto refused = routes.check_upgrade(request(http::verb::get, "/?token=" + token_for("h:1")));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result(), http::status::service_unavailable);
  EXPECT_EQ((*refused)[http::field::retry_after], "1");
  EXPECT_EQ(rejections(*hub, "draining"), 1);
}

web::Request upgrade_from(const std::string& peer) {
  auto upgrade = request(http::verb::get, "/?token=" + token_for("h:1"));
  upgrade.set(web::peer_address_field, peer);
  return upgrade;
}

TEST(SessionRoutes, AConnectionFloodFromOneAddressGets429BeforeTheTokenIsChecked) {
  SessionConfig config;
  config.jwt_secret = kSecret;
  config.token_keys = std::make_shared<TokenKeys>(jwt::Keys{{"", kSecret}});
  config.advertised_host = "h:1";
  config.connections_per_ip_per_minute = 2;
  config.connections_per_user_per_minute = 0;
  auto hub = std::make_shared<SessionHub>(config);
  SessionRoutes routes(hub);
  EXPECT_EQ(routes.check_upgrade(upgrade_from("192.0.2.1")), std::nullopt);
  EXPECT_EQ(routes.check_upgrade(upgrade_from("192.0.2.1")), std::nullopt);
  auto flood = upgrade_from("192.0.2.1");
  flood.target("/?token=a.b.c");  // refused for the rate, not the token
  auto refused = routes.check_upgrade(flood);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result(), http::status::too_many_requests);
  EXPECT_EQ((*refused)[http::field::retry_after], "30");
  EXPECT_NE(refused->body().find("connections from this address"), std::string::npos);
  EXPECT_EQ(routes.check_upgrade(upgrade_from("192.0.2.2")), std::nullopt);
  EXPECT_EQ(rejections(*hub, "rate_limited_connect"), 1);
  EXPECT_EQ(rejections(*hub, "bad_token"), 0);
}

TEST(SessionRoutes, ConnectionsAsOneUserAreLimitedFromAnyAddress) {
  SessionConfig config;
  config.jwt_secret = kSecret;
  config.token_keys = std::make_shared<TokenKeys>(jwt::Keys{{"", kSecret}});
  config.advertised_host = "h:1";
  config.connections_per_ip_per_minute = 0;
  config.connections_per_user_per_minute = 1;
  SessionRoutes routes(std::make_shared<SessionHub>(config));
  EXPECT_EQ(routes.check_upgrade(upgrade_from("192.0.2.1")), std::nullopt);
  auto refused = routes.check_upgrade(upgrade_from("192.0.2.2"));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result(), http::status::too_many_requests);
  EXPECT_NE(refused->body().find("connections as this user"), std::string::npos);
}

}  // namespace
}  // namespace chat
