#include "server/backend/failover_probes.h"

#include <boost/asio/post.hpp>

namespace chat {

namespace {

prometheus::Family<prometheus::Counter>& probes_family(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("chat_backend_failover_probes_total")
      .Help("Session servers checked at once because a client could not reach them, by result.")
      .Register(registry);
}

prometheus::Family<prometheus::Counter>& skipped_family(prometheus::Registry& registry) {
  return prometheus::BuildCounter()
      .Name("chat_backend_failover_probes_skipped_total")
      .Help(
          "Look-ups naming an unreachable host that started no probe: in_flight (they "
          "waited for the one running), too_soon (the server was probed just before).")
      .Register(registry);
}

}  // namespace

FailoverProbes::FailoverProbes(boost::asio::any_io_executor executor, FailoverProbeOptions options,
                               prometheus::Registry& registry, OnResult on_result)
    : executor_(executor),
      options_(std::move(options)),
      on_result_(std::move(on_result)),
      poller_(executor,
              StatusPollerOptions{options_.scheme, options_.timeout, options_.admin_token},
              [this](const sched::ServerId& id, PollResult result) {
                finished(id, std::move(result));
              }),
      alive_(probes_family(registry).Add({{"result", "alive"}})),
      unreachable_(probes_family(registry).Add({{"result", "unreachable"}})),
      joined_(skipped_family(registry).Add({{"reason", "in_flight"}})),
      too_soon_(skipped_family(registry).Add({{"reason", "too_soon"}})) {}

void FailoverProbes::probe(const sched::ServerId& id, const std::string& admin_host,
                           std::function<void(Outcome)> done) {
  const auto now = Clock::now();
  forget_quiet_servers(now);
  Server& server = servers_[id];
  if (server.in_flight) {
    joined_.Increment();
    server.waiting.push_back(std::move(done));
    return;
  }
  if (server.last_started != Clock::time_point{} &&
      now - server.last_started < options_.interval_min) {
    too_soon_.Increment();
    // Posted, not called: every answer comes after probe() returns.
    boost::asio::post(executor_, [done = std::move(done)] { done(Outcome::too_soon); });
    return;
  }
  server.in_flight = true;
  server.last_started = now;
  server.waiting.push_back(std::move(done));
  poller_.poll(id, admin_host);
}

void FailoverProbes::finished(const sched::ServerId& id, PollResult result) {
  (std::holds_alternative<NotHeard>(result) ? unreachable_ : alive_).Increment();
  on_result_(id, std::move(result));
  auto it = servers_.find(id);
  if (it == servers_.end()) return;
  auto waiting = std::move(it->second.waiting);
  it->second.waiting.clear();
  it->second.in_flight = false;
  for (auto& done : waiting) done(Outcome::probed);
}

// Servers probed long enough ago that the next probe may start: nothing
// about them is worth keeping, and gone servers must not pile up.
void FailoverProbes::forget_quiet_servers(Clock::time_point now) {
  std::erase_if(servers_, [&](const auto& entry) {
    return !entry.second.in_flight && now - entry.second.last_started >= options_.interval_min;
  });
}

}  // namespace chat
