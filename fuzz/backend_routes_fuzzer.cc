// The backend's request routing on raw HTTP bytes: what arrives on its
// public port, parsed as HttpServer parses it and handed to ApiRoutes (with
// a placement that answers at once and a web root to serve from), and the
// same request handed to its AdminRoutes. Placeholders (fuzz/http_input.h):
// @USER@ a valid user token, @SESSION@ a valid session token, @ADMIN@ the
// admin secret. The input's last byte picks the placement's answers.
// Invariants: exactly one answer, at once; a well-formed response on the
// wire; JSON bodies on /api; no file from outside the web root; the public
// port never shows the fleet; the admin side answers nobody without the secret.
#include <boost/json/parse.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "fuzz/http_input.h"
#include "server/backend/admin_routes.h"
#include "server/backend/api_routes.h"
#include "server/common/http_util.h"

namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;

constexpr std::string_view kOutsideMarker = "OUTSIDE-THE-WEB-ROOT";
constexpr std::string_view kFleetOnlyHost = "fleet-only-host";
const std::string kAdminToken = "admin-secret-admin-secret-admin-secret";

// Answers every request at once; `answer` (from the input) picks which case.
class InstantPlacement : public chat::RoomPlacement {
 public:
  unsigned answer = 0;
  void create_room(const std::string&, int unjoined_rooms_max,
                   std::function<void(chat::CreateRoomResult)> done) override {
    switch (answer % 3) {
      case 0:
        return done(chat::RoomCreated{"room-1"});
      case 1:
        return done(chat::NoServerNow{"every server is full", std::chrono::seconds(answer % 7)});
      default:
        return done(chat::TooManyUnjoinedRooms{unjoined_rooms_max, std::chrono::seconds(3)});
    }
  }
  void find_room(const std::string&, std::function<void(chat::FindRoomResult)> done) override {
    switch (answer % 3) {
      case 0:
        return done(chat::RoomAt{"127.0.0.1:4000"});
      case 1:
        return done(chat::RoomUnknown{});
      default:
        return done(chat::NoServerNow{"starting", std::chrono::seconds(2)});
    }
  }
  void describe(std::function<void(boost::json::value)> done) override {
    done(boost::json::parse(R"({"fleet":"static","servers":[{"id":"s1","host":")" +
                            std::string(kFleetOnlyHost) +
                            R"(:1","adminHost":"127.0.0.1:2","state":"ready","rooms":1}]})"));
  }
};

// A web root with the client's files, and a file beside it that must never be served.
fs::path make_web_root() {
  std::string pattern = (fs::temp_directory_path() / "chat-fuzz-XXXXXX").string();
  fs::path dir = mkdtemp(pattern.data());
  fs::create_directories(dir / "www" / "assets");
  std::ofstream(dir / "www" / "index.html") << "<html>index</html>";
  std::ofstream(dir / "www" / "assets" / "app.js") << "console.log(1)";
  std::ofstream(dir / "secret.txt") << kOutsideMarker;
  std::error_code ec;
  fs::create_symlink(dir / "secret.txt", dir / "www" / "link.txt", ec);
  static const fs::path to_remove = dir;
  std::atexit([] {
    std::error_code ignored;
    fs::remove_all(to_remove, ignored);
  });
  return dir / "www";
}

// Rate limits off: they depend on the clock and on earlier inputs, and a
// fuzzer sends thousands of requests a second from one address, so every
// route would soon answer only 429.
chat::ApiOptions unlimited() {
  chat::ApiOptions options;
  options.limits = chat::ApiLimits{.logins_per_ip_per_minute = 0,
                                   .logins_per_user_per_minute = 0,
                                   .room_creations_per_ip_per_minute = 0,
                                   .room_creations_per_user_per_minute = 0,
                                   .room_lookups_per_ip_per_minute = 0,
                                   .room_lookups_per_user_per_minute = 0,
                                   .unjoined_rooms_per_user_max = 2};
  return options;
}

struct Backend {
  InstantPlacement placement;
  metrics::Metrics metrics;
  chat::TokenPolicy tokens{std::string(32, 's')};
  chat::ApiRoutes api{tokens, placement, chat::web::StaticFiles(make_web_root()), metrics,
                      unlimited()};
  chat::AdminRoutes admin{placement, metrics, kAdminToken};
  std::map<std::string, std::string> placeholders{
      {"USER", chat::issue_user_token(tokens, {"alice"}, chat::unix_now())},
      {"SESSION",
       chat::issue_session_token(tokens, {"alice", "room-1", "127.0.0.1:4000"}, chat::unix_now())},
      {"ADMIN", kAdminToken},
  };
};

std::optional<chat::web::Response> answer(chat::web::Routes& routes, chat::web::Request request) {
  int answers = 0;
  std::optional<chat::web::Response> response;
  routes.handle(std::move(request), [&](chat::web::Response r) {
    ++answers;
    response = std::move(r);
  });
  FUZZ_CHECK(answers == 1);
  fuzz::check_wire_form(*response);
  return response;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Backend* backend = new Backend;  // once: building it registers metrics
  if (size == 0) return 0;
  backend->placement.answer = data[size - 1];
  std::string bytes =
      fuzz::substitute({reinterpret_cast<const char*>(data), size - 1}, backend->placeholders);
  auto request = fuzz::parse_request(bytes);
  if (!request) return 0;

  auto response = answer(backend->api, *request);
  const std::string& body = response->body();
  // (Unless the request itself carries the words: errors echo the path.)
  for (std::string_view secret : {kOutsideMarker, kFleetOnlyHost}) {
    if (bytes.find(secret) == std::string::npos) {
      FUZZ_CHECK(body.find(secret) == std::string::npos);
    }
  }
  std::string_view path = chat::web::target_path(request->target());
  if (path.substr(0, 5) == "/api/" && !body.empty()) {
    FUZZ_CHECK((*response)[http::field::content_type] == "application/json");
  }

  auto admin_response = answer(backend->admin, *request);
  auto bearer = chat::web::bearer_token(*request);
  bool get = request->method() == http::verb::get || request->method() == http::verb::head;
  if (get && (!bearer || *bearer != kAdminToken)) {
    FUZZ_CHECK(admin_response->result() == http::status::unauthorized);
  }
  return 0;
}
