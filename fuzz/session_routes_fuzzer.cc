// The session server's request routing on raw HTTP bytes: what arrives on
// its public port (SessionRoutes: /healthz, and the checks before a
// WebSocket upgrade) and on its admin port (AdminRoutes), parsed as
// HttpServer parses it, with a SessionHub that holds one occupied room.
// Placeholders (fuzz/http_input.h): @SESSION@ a session token for this
// server, @OTHER@ one for another server, @USER@ a user token, @ADMIN@ the
// admin secret.
// Invariants: exactly one answer; a well-formed response on the wire; the
// room's id never shown without the admin secret; an upgrade accepted only
// with a session token naming this server; the admin side answers nobody
// without the secret.
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/field.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz/http_input.h"
#include "server/common/http_util.h"
#include "server/session/admin_routes.h"
#include "server/session/session_routes.h"
#include "server/session/subprotocol.h"

namespace chat {
// The WebSocket session needs a socket, which no fuzz input has: upgrade()
// is never reached here (it needs a stream), so this stands in for it.
void start_websocket_session(boost::beast::tcp_stream, web::Request, SessionClaims,
                             std::shared_ptr<SessionHub>) {
  std::abort();
}
}  // namespace chat

namespace {

namespace http = boost::beast::http;

constexpr std::string_view kHost = "127.0.0.1:4000";
constexpr std::string_view kRoomId = "private-room-id";
const std::string kSecret(32, 's');
const std::string kAdminToken = "admin-secret-admin-secret-admin-secret";

class SilentMember : public chat::Member {
 public:
  const std::string& user_id() const override { return user_id_; }
  bool wants_events() const override { return true; }
  void deliver(const chat::Frame&, chat::Delivery) override {}

 private:
  std::string user_id_ = "alice";
};

struct Session {
  std::shared_ptr<chat::SessionHub> hub = [] {
    chat::SessionConfig config;
    config.jwt_secret = kSecret;
    config.token_keys = std::make_shared<chat::TokenKeys>(chat::jwt::Keys{{"", kSecret}});
    config.advertised_host = kHost;
    config.admin_token = kAdminToken;
    return std::make_shared<chat::SessionHub>(config);
  }();
  SilentMember member;
  // Runs what a route leaves for later (POST /drain's steps).
  boost::asio::io_context io;
  chat::SessionRoutes routes{hub};
  chat::AdminRoutes admin{hub, io.get_executor()};
  chat::TokenPolicy tokens{kSecret};
  std::map<std::string, std::string> placeholders{
      {"SESSION", chat::issue_session_token(
                      tokens, {"bob", std::string(kRoomId), std::string(kHost)}, chat::unix_now())},
      {"OTHER",
       chat::issue_session_token(tokens, {"bob", "r2", "10.0.0.1:4000"}, chat::unix_now())},
      {"USER", chat::issue_user_token(tokens, {"bob"}, chat::unix_now())},
      {"ADMIN", kAdminToken},
  };
  Session() {
    auto now = chat::RoomTime{std::chrono::system_clock::now(), std::chrono::steady_clock::now()};
    hub->rooms().join(std::string(kRoomId), member, now);
  }
};

chat::web::Response answer(chat::web::Routes& routes, chat::web::Request request,
                           boost::asio::io_context& io) {
  int answers = 0;
  chat::web::Response response;
  routes.handle(std::move(request), [&](chat::web::Response r) {
    ++answers;
    response = std::move(r);
  });
  // A drain with nothing to wait for (no sessions, nothing unstored) ends
  // within the handlers already posted.
  io.restart();
  io.poll();
  FUZZ_CHECK(answers == 1);
  fuzz::check_wire_form(response);
  return response;
}

bool carries_admin_token(const chat::web::Request& request) {
  auto bearer = chat::web::bearer_token(request);
  return bearer && *bearer == kAdminToken;
}

void check_upgrade(Session& session, const chat::web::Request& request) {
  auto refusal = session.routes.check_upgrade(request);
  if (refusal) {
    fuzz::check_wire_form(*refusal);
    FUZZ_CHECK(refusal->body().find(kRoomId) == std::string::npos);
    return;
  }
  auto token = chat::web::query_parameter(request.target(), "token");
  FUZZ_CHECK(token.has_value());
  auto check = chat::check_session_token(session.tokens, *token, chat::unix_now());
  FUZZ_CHECK(check.claims && check.claims->host == kHost);
}

void check_subprotocol(const chat::web::Request& request) {
  auto offer = request.find(http::field::sec_websocket_protocol);
  if (offer == request.end()) return;
  bool offered = chat::offers_subprotocol(offer->value(), chat::kEventSubprotocol);
  if (offer->value() == chat::kEventSubprotocol) FUZZ_CHECK(offered);
  if (offer->value().find(chat::kEventSubprotocol) == std::string_view::npos) {
    FUZZ_CHECK(!offered);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Session* session = new Session;
  std::string bytes =
      fuzz::substitute({reinterpret_cast<const char*>(data), size}, session->placeholders);
  auto request = fuzz::parse_request(bytes);
  if (!request) return 0;
  const bool admin = carries_admin_token(*request);

  auto response = answer(session->routes, *request, session->io);
  if (!admin) FUZZ_CHECK(response.body().find(kRoomId) == std::string::npos);
  check_upgrade(*session, *request);
  check_subprotocol(*request);

  auto admin_response = answer(session->admin, *request, session->io);
  bool get = request->method() == http::verb::get || request->method() == http::verb::head;
  if (get && !admin) FUZZ_CHECK(admin_response.result() == http::status::unauthorized);
  return 0;
}
