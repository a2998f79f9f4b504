// The fleets' failure paths, with real processes and real sockets: a session
// server that cannot start, one that never answers, a cloud API that cannot
// be reached. Each must end in the Failed callback with a reason an operator
// can act on, never in silence (the scheduler would wait for its start
// timeout) and never in a crash.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "scheduler/fleets/hathora_fleet.h"
#include "scheduler/fleets/local_fleet.h"

namespace sched {
namespace {

namespace net = boost::asio;

struct Outcome {
  std::optional<std::string> ready_host;
  std::optional<std::string> failure;
};

// Runs `io` until the fleet reports on `id` (or a safety net of a minute, so
// a broken fleet fails the test instead of hanging it).
Outcome wait_for(net::io_context& io, ManagedFleet& fleet, const std::function<ServerId()>& start) {
  Outcome outcome;
  fleet.set_callbacks(
      [&](const RunningServer& server) {
        outcome.ready_host = server.host;
        io.stop();
      },
      [&](const ServerId&, const std::string& why) {
        outcome.failure = why;
        io.stop();
      });
  net::steady_timer safety_net(io, std::chrono::minutes(1));
  safety_net.async_wait([&](boost::system::error_code ec) {
    if (!ec) io.stop();
  });
  start();
  io.run();
  return outcome;
}

ServerId start(ManagedFleet& fleet) {
  ServerId id = fleet.next_server_id();
  EXPECT_TRUE(fleet.start_server(id));
  return id;
}

std::string script(const std::string& name, const std::string& body) {
  auto path =
      std::filesystem::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") /
      name;
  std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path.string();
}

TEST(LocalFleet, ASessionServerThatExitsAtOnceIsReportedWithItsStatus) {
  net::io_context io;
  LocalFleetOptions options;
  options.session_binary = script("exits", "exit 3");
  LocalFleet fleet(io, options);
  auto outcome = wait_for(io, fleet, [&] { return start(fleet); });
  ASSERT_TRUE(outcome.failure);
  EXPECT_NE(outcome.failure->find("exited before answering /healthz (exit status 3)"),
            std::string::npos)
      << *outcome.failure;
}

TEST(LocalFleet, AMissingBinaryIsReported) {
  net::io_context io;
  LocalFleetOptions options;
  options.session_binary = "/nonexistent/session";
  LocalFleet fleet(io, options);
  auto outcome = wait_for(io, fleet, [&] { return start(fleet); });
  ASSERT_TRUE(outcome.failure);
  EXPECT_NE(outcome.failure->find("exit status 127"), std::string::npos) << *outcome.failure;
}

TEST(LocalFleet, ASessionServerThatNeverAnswersTimesOut) {
  net::io_context io;
  LocalFleetOptions options;
  options.session_binary = script("silent", "exec sleep 60");
  options.start_timeout = std::chrono::milliseconds(200);
  LocalFleet fleet(io, options);
  auto outcome = wait_for(io, fleet, [&] { return start(fleet); });
  ASSERT_TRUE(outcome.failure);
  EXPECT_NE(outcome.failure->find("did not answer /healthz in time"), std::string::npos)
      << *outcome.failure;
  fleet.stop_all();  // and the silent child is stopped and reaped, not left behind
}

TEST(LocalFleet, ASessionServerInheritsNoDescriptorOfTheBackend) {
  net::io_context io;
  // A listening socket, as the backend has when it starts a server.
  net::ip::tcp::acceptor listener(io, {net::ip::make_address("127.0.0.1"), 0});
  auto listing =
      std::filesystem::path(std::getenv("TEST_TMPDIR") ? std::getenv("TEST_TMPDIR") : "/tmp") /
      "inherited-fds";
  LocalFleetOptions options;
  options.session_binary =
      script("lists-fds", "ls -l /proc/$$/fd > " + listing.string() + "; exit 5");
  LocalFleet fleet(io, options);
  auto outcome = wait_for(io, fleet, [&] { return start(fleet); });
  ASSERT_TRUE(outcome.failure);
  std::ifstream file(listing);
  std::string fds((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  ASSERT_NE(fds.find("0 ->"), std::string::npos) << fds;  // the listing worked
  EXPECT_EQ(fds.find("socket:"), std::string::npos) << fds;
}

TEST(HathoraFleet, AnUnreachableApiFailsTheStartAfterItsRetries) {
  net::io_context io;
  // A port nobody listens on: bound, then closed.
  unsigned short port;
  {
    net::ip::tcp::acceptor acceptor(io, {net::ip::make_address("127.0.0.1"), 0});
    port = acceptor.local_endpoint().port();
  }
  HathoraOptions options;
  options.app_id = "app";
  options.token = "token";
  options.api_url = "http://127.0.0.1:" + std::to_string(port);
  options.retries_max = 1;
  HathoraFleet fleet(io, options);
  auto outcome = wait_for(io, fleet, [&] { return start(fleet); });
  ASSERT_TRUE(outcome.failure);
  EXPECT_NE(outcome.failure->find("create room"), std::string::npos) << *outcome.failure;
  EXPECT_NE(outcome.failure->find("connect"), std::string::npos) << *outcome.failure;
}

}  // namespace
}  // namespace sched
