// Failover look-ups: a client that lost its room's server without a close
// frame looks the room up naming the host it could not reach. When that is
// the room's host, the server is probed at once (FailoverProbes bounds how
// often) and, if it does not answer, taken as gone so that the look-up
// places the room again, instead of waiting for several missed polls.
#include <boost/asio/dispatch.hpp>
#include <iostream>

#include "network/host_port.h"
#include "server/backend/scheduler_placement.h"

namespace chat {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// Hosts as they compare: "h:p" spelled one way ("[v6]:p" for IPv6).
std::optional<std::string> canonical_host(const std::string& host) {
  auto parsed = network::parse_host_port(host);
  if (!parsed) return std::nullopt;
  return parsed->to_string();
}

}  // namespace

void SchedulerPlacement::find_room_after_failure(const std::string& room_id,
                                                 const std::string& unreachable_host,
                                                 std::function<void(FindRoomResult)> done) {
  net::dispatch(strand_, [this, room_id, unreachable_host, done = std::move(done)]() mutable {
    const auto deadline = Clock::now() + options_.start_wait_max;
    auto suspect = server_of_room_at(room_id, unreachable_host);
    if (stopped_ || !suspect) {
      // Not in this table (another backend placed it): the directory first.
      if (replicated() && !stopped_) return find_shared(room_id, deadline, std::move(done));
      return find_or_wait(room_id, deadline, std::move(done));
    }
    probes_.probe(
        suspect->id, operators_host(*suspect),
        [this, room_id, deadline, done = std::move(done)](FailoverProbes::Outcome) mutable {
          // The scheduler has taken the probe's result in (on_probe):
          // the room is answered as it now stands (and, placed again, the
          // shared directory says where, for every backend).
          if (replicated()) return settle_and_publish(room_id, deadline, std::move(done));
          find_or_wait(room_id, deadline, std::move(done));
        });
  });
}

std::optional<sched::ServerView> SchedulerPlacement::server_of_room_at(const std::string& room_id,
                                                                       const std::string& host) {
  auto unreachable = canonical_host(host);
  if (!unreachable) return std::nullopt;
  // As the look-up would answer: a room on a gone or draining server is
  // placed again here, and then its host is not the unreachable one.
  auto answer = scheduler_.lookup(room_id, now());
  auto* ready = std::get_if<sched::RoomReady>(&answer);
  if (ready == nullptr || canonical_host(ready->host) != unreachable) return std::nullopt;
  for (auto& server : scheduler_.servers()) {
    if (server.state != sched::ServerState::gone && server.host == ready->host) return server;
  }
  return std::nullopt;
}

void SchedulerPlacement::on_probe(const sched::ServerId& id, const PollResult& result) {
  if (stopped_) return;
  if (auto* report = std::get_if<sched::StatusReport>(&result)) {
    scheduler_.on_status(id, *report, now());
    return changed("a failover probe");
  }
  if (auto* not_heard = std::get_if<NotHeard>(&result)) {
    // Only a refused or reset connection is proof: a server that is merely slow (a
    // timeout) still holds its rooms and clients, and placing them again
    // would split the room in two. That counts as one failed poll instead.
    // A static host is not replaced: it is restarted on its address (a
    // deploy, a crash under systemd). Taken as gone it would be dropped for
    // good; as a failed poll it is back as soon as it answers.
    if (!not_heard->process_gone || fleet_.name() == "static") {
      std::cerr << "backend: session server " << id << " did not answer a probe in time ("
                << not_heard->why << "); counted as a failed poll\n";
      scheduler_.on_unreachable(id, now());
      return changed("a failover probe that timed out");
    }
    std::cerr << "backend: session server " << id
              << " is not there for a probe after a client could not reach it (" << not_heard->why
              << "); taking it as gone, its rooms will be placed again\n";
    scheduler_.mark_gone(id, now());
    return changed("a failed failover probe");
  }
  // NoStatusEndpoint: alive, with nothing to report.
}

}  // namespace chat
