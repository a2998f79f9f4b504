// Failover probes against a loopback HTTP server playing a session server
// that holds its answers until the test lets them go: one probe a server in
// flight however many look-ups ask, none sooner than the interval, and the
// result taken in before any asker is answered.
#include "server/backend/failover_probes.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <vector>

#include "server/common/http_util.h"

namespace chat {
namespace {

namespace net = boost::asio;
using Outcome = FailoverProbes::Outcome;

// Plays a session server's /status; keeps each request's answer back until release().
class HeldStatus : public web::Routes {
 public:
  void handle(web::Request request, web::Respond respond) override {
    ++requests;
    web::Response response{boost::beast::http::status::ok, request.version()};
    response.keep_alive(request.keep_alive());
    response.body() = R"({"host":"h:1","draining":false,"rooms":[]})";
    response.prepare_payload();
    held.push_back([respond = std::move(respond), response = std::move(response)]() mutable {
      respond(std::move(response));
    });
  }
  void release() {
    for (auto& answer : held) answer();
    held.clear();
  }
  int requests = 0;
  std::vector<std::function<void()>> held;
};

class FailoverProbesTest : public ::testing::Test {
 protected:
  FailoverProbes& probes(std::chrono::milliseconds interval_min) {
    FailoverProbeOptions options;
    options.interval_min = interval_min;
    options.timeout = std::chrono::seconds(10);  // the held answers must not time out
    probes_.emplace(io_.get_executor(), options, registry_,
                    [this](const sched::ServerId& id, PollResult result) {
                      results_.emplace_back(id, std::move(result));
                      answers_at_result_.push_back(outcomes_.size());
                    });
    return *probes_;
  }
  void ask(const std::string& id, const std::string& host) {
    probes_->probe(id, host, [this](Outcome outcome) { outcomes_.push_back(outcome); });
  }
  // Runs the loop until `done` holds; the test fails rather than hangs.
  void run_until(const std::function<bool()>& done) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.run_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(done()) << "the condition did not hold within the test's deadline";
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(server_.port()); }

  net::io_context io_;
  prometheus::Registry registry_;
  HeldStatus fake_;
  web::HttpServer server_{io_, web::ServerOptions{}, fake_};
  std::optional<FailoverProbes> probes_;
  std::vector<std::pair<sched::ServerId, PollResult>> results_;
  std::vector<std::size_t> answers_at_result_;  // askers answered when each result came
  std::vector<Outcome> outcomes_;

  void SetUp() override { server_.start(); }
};

TEST_F(FailoverProbesTest, AskersOfOneServerShareOneProbeAndHearAfterItsResult) {
  probes(std::chrono::milliseconds(0));
  for (int i = 0; i < 5; ++i) ask("s1", host());
  run_until([&] { return fake_.held.size() == 1; });
  io_.run_for(std::chrono::milliseconds(50));  // room for a second request, if one were sent
  EXPECT_EQ(fake_.requests, 1);
  EXPECT_TRUE(outcomes_.empty());
  fake_.release();
  run_until([&] { return outcomes_.size() == 5; });
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_EQ(results_[0].first, "s1");
  EXPECT_TRUE(std::holds_alternative<sched::StatusReport>(results_[0].second));
  EXPECT_EQ(answers_at_result_[0], 0u) << "the result came before every answer";
  for (auto outcome : outcomes_) EXPECT_EQ(outcome, Outcome::probed);
}

TEST_F(FailoverProbesTest, NoNewProbeOfAServerWithinTheInterval) {
  probes(std::chrono::hours(1));
  ask("s1", host());
  run_until([&] { return fake_.held.size() == 1; });
  fake_.release();
  run_until([&] { return outcomes_.size() == 1; });
  for (int i = 0; i < 3; ++i) ask("s1", host());
  run_until([&] { return outcomes_.size() == 4; });
  EXPECT_EQ(fake_.requests, 1);
  EXPECT_EQ(results_.size(), 1u);
  for (std::size_t i = 1; i < outcomes_.size(); ++i) EXPECT_EQ(outcomes_[i], Outcome::too_soon);
}

TEST_F(FailoverProbesTest, AServerIsProbedAgainOnceTheIntervalHasPassed) {
  probes(std::chrono::milliseconds(0));
  ask("s1", host());
  run_until([&] { return fake_.held.size() == 1; });
  fake_.release();
  run_until([&] { return outcomes_.size() == 1; });
  ask("s1", host());
  run_until([&] { return fake_.held.size() == 1; });
  fake_.release();
  run_until([&] { return outcomes_.size() == 2; });
  EXPECT_EQ(fake_.requests, 2);
  EXPECT_EQ(results_.size(), 2u);
}

TEST_F(FailoverProbesTest, NothingIsKeptOfServersWhoseIntervalHasPassed) {
  probes(std::chrono::milliseconds(0));
  ask("s1", host());
  run_until([&] { return fake_.held.size() == 1; });
  fake_.release();
  run_until([&] { return outcomes_.size() == 1; });
  ask("s2", host());
  EXPECT_EQ(probes_->servers_tracked(), 1u) << "s1 was forgotten, s2 is in flight";
  run_until([&] { return fake_.held.size() == 1; });
  fake_.release();
  run_until([&] { return outcomes_.size() == 2; });
}

TEST_F(FailoverProbesTest, EachServerHasItsOwnProbe) {
  HeldStatus other;
  web::HttpServer other_server{io_, web::ServerOptions{}, other};
  other_server.start();
  probes(std::chrono::hours(1));
  ask("s1", host());
  ask("s2", "127.0.0.1:" + std::to_string(other_server.port()));
  run_until([&] { return fake_.held.size() == 1 && other.held.size() == 1; });
  fake_.release();
  other.release();
  run_until([&] { return outcomes_.size() == 2; });
  EXPECT_EQ(results_.size(), 2u);
}

TEST_F(FailoverProbesTest, AServerThatIsNotThereIsReportedNotHeard) {
  unsigned short closed_port;
  {
    net::ip::tcp::acceptor acceptor(io_, {net::ip::make_address("127.0.0.1"), 0});
    closed_port = acceptor.local_endpoint().port();
  }
  probes(std::chrono::hours(1));
  ask("s1", "127.0.0.1:" + std::to_string(closed_port));
  ask("s1", "127.0.0.1:" + std::to_string(closed_port));
  run_until([&] { return outcomes_.size() == 2; });
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<NotHeard>(results_[0].second));
}

}  // namespace
}  // namespace chat
