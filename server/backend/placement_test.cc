// The placement's moving parts with real sockets: the status poller against a
// loopback HTTP server that plays session servers.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/status.hpp>
#include <map>
#include <optional>

#include "server/backend/status_poller.h"
#include "server/common/http_util.h"

namespace chat {
namespace {

namespace net = boost::asio;
using boost::beast::http::status;

// Plays a session server: answers every request with `status_` and `body_`.
class FakeSessionServer : public web::Routes {
 public:
  void handle(web::Request request, web::Respond respond) override {
    web::Response response{status_, request.version()};
    response.keep_alive(request.keep_alive());
    response.body() = body_;
    response.prepare_payload();
    respond(std::move(response));
  }
  status status_ = status::ok;
  std::string body_;
};

class StatusPollerTest : public ::testing::Test {
 protected:
  // Polls one fake server answering `answer` with `body`.
  PollResult poll_one(status answer, std::string body) {
    fake_.status_ = answer;
    fake_.body_ = std::move(body);
    web::HttpServer server(io_, web::ServerOptions{}, fake_);
    server.start();
    return poll("127.0.0.1:" + std::to_string(server.port()));
  }

  PollResult poll(const std::string& host) {
    std::optional<PollResult> heard;
    StatusPoller poller(io_.get_executor(), {}, [&](const sched::ServerId& id, PollResult result) {
      EXPECT_EQ(id, "s1");
      heard = std::move(result);
    });
    poller.poll("s1", host);
    // The poll's own deadline (800 ms) bounds this loop.
    while (!heard && io_.run_one()) {
    }
    if (!heard) return NotHeard{"the test's io_context ran out of work"};
    return *heard;
  }

  static std::string why(const PollResult& result) {
    auto* not_heard = std::get_if<NotHeard>(&result);
    return not_heard ? not_heard->why : "(heard)";
  }

  net::io_context io_;
  FakeSessionServer fake_;
};

TEST_F(StatusPollerTest, AReportIsParsedAndPassedOn) {
  auto result =
      poll_one(status::ok, R"({"host":"h:1","draining":true,"rooms":[{"roomId":"r","users":4}]})");
  auto* report = std::get_if<sched::StatusReport>(&result);
  ASSERT_NE(report, nullptr) << why(result);
  EXPECT_TRUE(report->draining);
  EXPECT_EQ(report->rooms.at(0).users, 4);
}

TEST_F(StatusPollerTest, AGarbledReportIsNotHeardWithWhatWasWrong) {
  auto result = poll_one(status::ok, R"({"host":"h:1","rooms":"many"})");
  EXPECT_NE(why(result).find("\"draining\""), std::string::npos) << why(result);
}

TEST_F(StatusPollerTest, AnErrorStatusIsNotHeard) {
  auto result = poll_one(status::service_unavailable, "{}");
  EXPECT_NE(why(result).find("503"), std::string::npos) << why(result);
}

TEST_F(StatusPollerTest, TheSeedsServerWithoutStatusIsAliveButHasNoReport) {
  auto result = poll_one(status::not_found, "Cannot GET /status");
  EXPECT_TRUE(std::holds_alternative<NoStatusEndpoint>(result)) << why(result);
}

TEST_F(StatusPollerTest, AServerThatIsNotThereIsNotHeardWithTheReason) {
  unsigned short closed_port;
  {
    net::ip::tcp::acceptor acceptor(io_, {net::ip::make_address("127.0.0.1"), 0});
    closed_port = acceptor.local_endpoint().port();
  }
  auto result = poll("127.0.0.1:" + std::to_string(closed_port));
  EXPECT_NE(why(result).find("onnect"), std::string::npos) << why(result);
  // Refused: proof the process is gone, which a failover probe acts on.
  EXPECT_TRUE(std::get<NotHeard>(result).process_gone);
}

TEST_F(StatusPollerTest, AnErrorAnswerIsNotProofTheServerIsGone) {
  auto result = poll_one(status::service_unavailable, "{}");
  EXPECT_FALSE(std::get<NotHeard>(result).process_gone) << "it answered: alive, if unwell";
}

}  // namespace
}  // namespace chat
