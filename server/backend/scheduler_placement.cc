#include "server/backend/scheduler_placement.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <iostream>
#include <random>

#include "network/host_port.h"
#include "server/backend/fleet_description.h"
#include "server/backend/room_id.h"
#include "logging/log.h"

namespace chat {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

core::ControlOptions wired(core::ControlOptions decisions, sched::ManagedFleet& fleet,
                           const PlacementOptions& options) {
  decisions.fleet = fleet.capabilities();
  decisions.replicated = options.replicas.redis != nullptr;
  decisions.server_ids = [&fleet] { return fleet.next_server_id(); };
  return decisions;
}

}  // namespace

SchedulerPlacement::SchedulerPlacement(net::io_context& io, core::ControlOptions decisions,
                                       sched::ManagedFleet& fleet, metrics::Metrics& metrics,
                                       PlacementOptions options)
    : io_(io),
      strand_(net::make_strand(io)),
      fleet_(fleet),
      options_(std::move(options)),
      core_(wired(std::move(decisions), fleet, options_), [] { return generate_room_id(); },
            sched::Random(std::random_device{}())),
      exporter_(metrics.registry(), core_.scheduler().config().policy),
      poller_(strand_, options_.status,
              [this](const sched::ServerId& id, PollResult result) {
                run(core::Polled{id, std::move(result)});
              }),
      prober_(strand_,
              StatusPollerOptions{options_.status.scheme, options_.failover_probe_timeout,
                                  options_.status.admin_token},
              [this](const sched::ServerId& id, PollResult result) {
                run(core::Probed{id, std::move(result)});
              }),
      session_drain_(strand_,
                     SessionDrainOptions{options_.status.scheme, options_.session_drain_timeout,
                                         options_.status.admin_token}),
      reservations_(strand_,
                    RoomReservationsOptions{options_.status.scheme, options_.status.admin_token,
                                            options_.failover_probe_timeout * 2}),
      tick_timer_(strand_),
      control_metrics_(metrics.registry()) {
  if (options_.replicas.redis) {
    directory_ = std::make_unique<control::RoomDirectory>(options_.replicas.redis);
    members_ = std::make_unique<control::FleetMembers>(options_.replicas.redis);
  }
  fleet_.set_callbacks(
      [this](const sched::RunningServer& server) {
        net::post(strand_, [this, server] { on_server_ready(server); });
      },
      [this](const sched::ServerId& id, const std::string& why) {
        post(core::ServerStartFailed{id, why});
      });
}

SchedulerPlacement::~SchedulerPlacement() = default;

void SchedulerPlacement::run(const core::Event& event) {
  const auto now = std::chrono::duration_cast<sched::Millis>(Clock::now().time_since_epoch());
  core::Effects effects;
  core_.handle(now, event, effects);
  for (auto& effect : effects) std::visit([this](auto& e) { perform(e); }, effect);
  exporter_.update(core_.scheduler().metrics());
  control_metrics_.lease_held(core_.manages_fleet());
  if (!options_.check_invariants) return;
  for (const auto& violation : core_.scheduler().check_invariants()) {
    logging::error("scheduler invariant broken: " + violation);
  }
}

void SchedulerPlacement::post(core::Event event) {
  net::post(strand_, [this, event = std::move(event)] { run(event); });
}

void SchedulerPlacement::start() {
  if (options_.replicas.redis) {
    control::LeaseOptions lease_options;
    lease_options.holder = options_.replicas.replica_id;
    lease_options.ttl = options_.replicas.lease_ttl;
    // Three renewals a lifetime: one lost reply does not lose the lease.
    lease_options.renew_interval = options_.replicas.lease_ttl / 3;
    lease_ = control::FleetLease::create(
        options_.replicas.redis, lease_options,
        [this](std::uint64_t token) { post(core::LeaseGained{token}); },
        [this] { post(core::LeaseLost{}); });
    lease_->start();
  }
  net::dispatch(strand_, [this] {
    for (const auto& server : fleet_.running_servers()) {
      run(core::ServerStarted{{server.id, server.host, server.admin_host, server.pid}});
    }
    run(core::Tick{});
    run(core::PollRound{});
    schedule_tick();
  });
}

void SchedulerPlacement::stop(std::function<void()> then) {
  net::dispatch(strand_, [this, then = std::move(then)]() mutable {
    tick_timer_.cancel();
    stopped_then_ = std::move(then);
    run(core::Stop{});  // ReleaseLease hands stopped_then_ to the lease
    if (auto then = std::exchange(stopped_then_, nullptr)) then();
  });
}

void SchedulerPlacement::schedule_tick() {
  tick_timer_.expires_after(options_.tick_interval);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || core_.stopped()) return;
    if (lease_) {
      auto state = lease_->state();
      control_metrics_.lease_token(state.token);
      run(core::LeaseSeen{state.holder, state.token});
      // Expired on this side without the store saying so (a pause).
      if (core_.manages_fleet() && !lease_->held()) run(core::LeaseLost{});
      // Renewed since, under the same token (still the latest): the lease
      // never left, and unless the core hears so again, no replica would
      // manage the fleet while this one keeps the lease from the others.
      else if (!core_.manages_fleet() && lease_->held()) run(core::LeaseGained{state.token});
    }
    run(core::Tick{});
    run(core::PollRound{});
    schedule_tick();
  });
}

void SchedulerPlacement::on_server_ready(const sched::RunningServer& server) {
  if (auto it = starts_.find(server.id); it != starts_.end()) {
    exporter_.observe_fleet_start(std::chrono::duration<double>(Clock::now() - it->second).count());
    starts_.erase(it);
  }
  run(core::ServerStarted{{server.id, server.host, server.admin_host, server.pid}});
}

// On the strand: the request goes to the core, and its answer, a Reply
// holding a `Result`, to `done`.
template <class Result, class MakeEvent>
void SchedulerPlacement::ask(MakeEvent make_event, std::function<void(Result)> done,
                             bool creates) {
  net::dispatch(strand_, [this, make_event = std::move(make_event), done = std::move(done),
                          creates]() mutable {
    const core::RequestId id = ++requests_made_;
    Request request;
    request.creates = creates;
    request.started = Clock::now();
    request.answer = [done = std::move(done)](core::Reply reply) {
      done(std::get<Result>(std::move(reply)));
    };
    requests_.emplace(id, std::move(request));
    run(make_event(id));
  });
}

void SchedulerPlacement::create_room(const std::string& creator, int unjoined_rooms_max,
                                     std::function<void(CreateRoomResult)> done) {
  ask([creator, unjoined_rooms_max](core::RequestId id) -> core::Event {
        return core::CreateRoom{id, creator, unjoined_rooms_max};
      },
      std::move(done), true);
}

void SchedulerPlacement::find_room(const std::string& room_id,
                                   std::function<void(FindRoomResult)> done) {
  find_room_after_failure(room_id, {}, std::move(done));
}

void SchedulerPlacement::find_room_after_failure(const std::string& room_id,
                                                 const std::string& unreachable_host,
                                                 std::function<void(FindRoomResult)> done) {
  std::optional<std::string> unreachable;
  if (auto parsed = network::parse_host_port(unreachable_host)) unreachable = parsed->to_string();
  ask([room_id, unreachable](core::RequestId id) -> core::Event {
        return core::FindRoom{id, room_id, unreachable};
      },
      std::move(done));
}

void SchedulerPlacement::drain_server(const std::string& server_id,
                                      std::function<void(DrainResult)> done) {
  ask([server_id](core::RequestId id) -> core::Event { return core::DrainServer{id, server_id}; },
      std::move(done));
}

void SchedulerPlacement::describe(std::function<void(boost::json::value)> done) {
  net::dispatch(strand_, [this, done = std::move(done)] {
    done(describe_fleet(core_, fleet_.name(), describe_lease()));
  });
}

boost::json::object SchedulerPlacement::describe_lease() const {
  if (!lease_) {
    return {{"enabled", false}, {"held", true}, {"replica", options_.replicas.replica_id}};
  }
  auto state = lease_->state();
  return {{"enabled", true},
          {"replica", options_.replicas.replica_id},
          {"held", core_.manages_fleet()},
          {"holder", state.holder},
          {"fencingToken", state.token},
          {"acquisitions", state.acquisitions},
          {"ttlMs", options_.replicas.lease_ttl.count()}};
}

}  // namespace chat
