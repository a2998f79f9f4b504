#include "server/backend/scheduler_placement.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <iostream>

#include "server/backend/room_id.h"

namespace chat {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::chrono::seconds whole_seconds_at_least_one(sched::Millis wait) {
  return std::max(std::chrono::duration_cast<std::chrono::seconds>(wait), std::chrono::seconds(1));
}

}  // namespace

std::optional<sched::ServerId> SchedulerPlacement::TimedProvider::start_server() {
  if (may_act && !may_act()) return std::nullopt;  // the lease holder scales, not us
  auto id = inner_.start_server();
  if (id) started[*id] = Clock::now();
  return id;
}

void SchedulerPlacement::TimedProvider::stop_server(const sched::ServerId& id) {
  if (may_act && !may_act()) return;
  inner_.stop_server(id);
  if (on_stopped) on_stopped(id);
}

SchedulerPlacement::SchedulerPlacement(net::io_context& io, sched::SchedulerConfig config,
                                       sched::ManagedFleet& fleet, metrics::Metrics& metrics,
                                       PlacementOptions options)
    : io_(io),
      strand_(net::make_strand(io)),
      provider_(fleet),
      scheduler_(
          config, provider_, [] { return generate_room_id(); },
          sched::Random(std::random_device{}())),
      fleet_(fleet),
      options_(std::move(options)),
      exporter_(metrics.registry(), config.policy),
      poller_(strand_, options_.status,
              [this](const sched::ServerId& id, PollResult result) { on_poll(id, result); }),
      waiters_(strand_),
      probes_(strand_,
              FailoverProbeOptions{options_.failover_probe_timeout,
                                   options_.failover_probe_interval_min, options_.status.scheme,
                                   options_.status.admin_token},
              metrics.registry(),
              [this](const sched::ServerId& id, PollResult result) { on_probe(id, result); }),
      session_drain_(strand_,
                     SessionDrainOptions{options_.status.scheme, options_.session_drain_timeout,
                                         options_.status.admin_token}),
      reservations_(strand_,
                    RoomReservationsOptions{options_.status.scheme, options_.status.admin_token,
                                            options_.failover_probe_timeout * 2}),
      reservation_results_(prometheus::BuildCounter()
                               .Name("chat_backend_reservations_total")
                               .Help("Reservations asked of session servers for new rooms, by "
                                     "result (reserved, refused, unsupported, failed).")
                               .Register(metrics.registry())),
      directory_reads_(prometheus::BuildCounter()
                           .Name("chat_backend_directory_reads_total")
                           .Help("Look-ups of rooms this backend's table lacked, in the shared "
                                 "directory, by result (found, absent, down).")
                           .Register(metrics.registry())),
      lease_held_gauge_(prometheus::BuildGauge()
                            .Name("chat_backend_fleet_lease_held")
                            .Help("1 while this backend holds the fleet lease (runs the "
                                  "autoscaler), else 0.")
                            .Register(metrics.registry())
                            .Add({})),
      lease_token_gauge_(prometheus::BuildGauge()
                             .Name("chat_backend_fleet_lease_fencing_token")
                             .Help("The fencing token of the fleet lease's current holder, as "
                                   "this backend last saw it (0: unknown).")
                             .Register(metrics.registry())
                             .Add({})),
      lease_acquisitions_(prometheus::BuildCounter()
                              .Name("chat_backend_fleet_lease_acquisitions_total")
                              .Help("Times this backend took the fleet lease.")
                              .Register(metrics.registry())
                              .Add({})),
      tick_timer_(strand_) {
  provider_.may_act = [this] { return manages_fleet(); };
  if (options_.replicas.redis) {
    directory_ = std::make_unique<control::RoomDirectory>(options_.replicas.redis);
    members_ = std::make_unique<control::FleetMembers>(options_.replicas.redis);
    provider_.on_stopped = [this](const sched::ServerId& id) {
      if (lease_held_) members_->remove(id, fence_token_, nullptr);
    };
  } else {
    lease_held_gauge_.Set(1);
  }
  for (const auto& server : fleet_.running_servers()) {
    admin_hosts_[server.id] = server.admin_host;
    scheduler_.on_server_started(server.id, server.host, now());
  }
  fleet_.set_callbacks(
      [this](const sched::RunningServer& server) {
        net::post(strand_, [this, server] { on_server_ready(server); });
      },
      [this](const sched::ServerId& id, const std::string& why) {
        std::cerr << "backend: session server " << id << " failed to start: " << why << "\n";
        net::post(strand_, [this, id] {
          provider_.started.erase(id);
          scheduler_.on_unreachable(id, now());
          changed("a failed start");
        });
      });
}

SchedulerPlacement::~SchedulerPlacement() = default;

sched::Millis SchedulerPlacement::now() const {
  return std::chrono::duration_cast<sched::Millis>(Clock::now().time_since_epoch());
}

void SchedulerPlacement::start() {
  start_replicas();
  net::dispatch(strand_, [this] {
    scheduler_.tick(now());
    changed("the first tick");
    schedule_tick();
  });
}

void SchedulerPlacement::stop(std::function<void()> then) {
  net::dispatch(strand_, [this, then = std::move(then)] {
    stopped_ = true;
    tick_timer_.cancel();
    waiters_.cancel_all({"The backend is shutting down; try again", std::chrono::seconds(1)});
    // Given back, so another replica takes the fleet at once, not in a lease's time.
    if (lease_) return lease_->release(then);
    if (then) then();
  });
}

void SchedulerPlacement::on_server_ready(const sched::RunningServer& server) {
  if (auto it = provider_.started.find(server.id); it != provider_.started.end()) {
    exporter_.observe_fleet_start(seconds_since(it->second));
    provider_.started.erase(it);
  }
  admin_hosts_[server.id] = server.admin_host;
  scheduler_.on_server_started(server.id, server.host, now());
  publish_member(server);
  changed("a server started");
}

void SchedulerPlacement::on_poll(const sched::ServerId& id, const PollResult& result) {
  if (stopped_) return;
  if (auto* report = std::get_if<sched::StatusReport>(&result)) {
    scheduler_.on_status(id, *report, now());
    confirm_reported(id, *report);
    return changed("a status report");
  }
  if (auto* not_heard = std::get_if<NotHeard>(&result)) {
    std::cerr << "backend: session server " << id << " not heard: " << not_heard->why << "\n";
    scheduler_.on_unreachable(id, now());
    return changed("a failed poll");
  }
  // NoStatusEndpoint: alive, and the table keeps its own counts for it.
}

void SchedulerPlacement::changed(const char* by) {
  exporter_.update(scheduler_.metrics());
  waiters_.wake([this](const std::string& room_id) { return settle(room_id); });
  if (!options_.check_invariants) return;
  for (const auto& violation : scheduler_.check_invariants()) {
    std::cerr << "backend: scheduler invariant broken after " << by << ": " << violation << "\n";
  }
}

void SchedulerPlacement::schedule_tick() {
  tick_timer_.expires_after(options_.tick_interval);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    auto actions = scheduler_.tick(now(), manages_fleet());
    for (const auto& id : actions.stopped) provider_.started.erase(id);
    changed("a tick");
    sync_members();
    free_confirmed();
    take_shortage();
    for (const auto& id : actions.drain) drain_session(id, "autoscaler");
    forget_joined_rooms();
    auto servers = scheduler_.servers();
    // Forget the admin hosts of servers the scheduler has forgotten.
    std::erase_if(admin_hosts_, [&servers](const auto& entry) {
      return std::none_of(
          servers.begin(), servers.end(),
          [&entry](const sched::ServerView& server) { return server.id == entry.first; });
    });
    for (const auto& server : servers) {
      if (server.host.empty() || server.state == sched::ServerState::starting) continue;
      poller_.poll(server.id, operators_host(server));
    }
    schedule_tick();
  });
}

std::string SchedulerPlacement::operators_host(const sched::ServerView& server) const {
  auto it = admin_hosts_.find(server.id);
  return it != admin_hosts_.end() && !it->second.empty() ? it->second : server.host;
}

SchedulerPlacement::Unjoined SchedulerPlacement::unjoined_rooms(const std::string& creator) {
  auto found = unjoined_by_creator_.find(creator);
  if (found == unjoined_by_creator_.end()) return {};
  Unjoined unjoined;
  sched::Millis oldest = sched::Millis::max();
  std::erase_if(found->second, [&](const sched::RoomId& room_id) {
    const sched::RoomRecord* room = scheduler_.rooms().find(room_id);
    if (room == nullptr || room->state != sched::RoomState::placed) return true;
    ++unjoined.count;
    oldest = std::min(oldest, room->since);
    return false;
  });
  if (found->second.empty()) unjoined_by_creator_.erase(found);
  if (unjoined.count > 0) {
    // Freed at its join deadline (or later, counted from a slow server's start).
    unjoined.oldest_freed_in =
        whole_seconds_at_least_one(oldest + scheduler_.config().join_deadline - now());
  }
  return unjoined;
}

void SchedulerPlacement::forget_joined_rooms() {
  for (auto it = unjoined_by_creator_.begin(); it != unjoined_by_creator_.end();) {
    auto next = std::next(it);
    unjoined_rooms(it->first);  // erases the entry when none is left
    it = next;
  }
}

void SchedulerPlacement::create_room(const std::string& creator, int unjoined_rooms_max,
                                     std::function<void(CreateRoomResult)> done) {
  net::dispatch(strand_, [this, creator, unjoined_rooms_max, done = std::move(done)]() mutable {
    if (unjoined_rooms_max > 0) {
      auto unjoined = unjoined_rooms(creator);
      if (unjoined.count >= unjoined_rooms_max) {
        return done(TooManyUnjoinedRooms{unjoined.count, unjoined.oldest_freed_in});
      }
    }
    auto finish = [this, started = Clock::now(), done = std::move(done)](CreateRoomResult created) {
      exporter_.observe_placement(seconds_since(started));
      done(std::move(created));
    };
    place_new_room(creator, std::max(1, options_.placement_attempts), std::move(finish));
  });
}

void SchedulerPlacement::find_room(const std::string& room_id,
                                   std::function<void(FindRoomResult)> done) {
  net::dispatch(strand_, [this, room_id, done = std::move(done)]() mutable {
    const auto deadline = Clock::now() + options_.start_wait_max;
    if (replicated()) return find_shared(room_id, deadline, std::move(done));
    find_or_wait(room_id, deadline, std::move(done));
  });
}

std::optional<FindRoomResult> SchedulerPlacement::settle(const std::string& room_id) {
  auto result = scheduler_.lookup(room_id, now());
  if (auto* ready = std::get_if<sched::RoomReady>(&result)) return RoomAt{ready->host};
  if (std::holds_alternative<sched::UnknownRoom>(result)) return RoomUnknown{};
  if (auto* unavailable = std::get_if<sched::RoomUnavailable>(&result)) {
    return NoServerNow{"The room's session server is gone and no other has room; try again soon",
                       whole_seconds_at_least_one(unavailable->retry_after)};
  }
  return std::nullopt;  // RoomStarting
}

// On the strand.
void SchedulerPlacement::find_or_wait(const std::string& room_id, Clock::time_point deadline,
                                      std::function<void(FindRoomResult)> done) {
  if (stopped_)
    return done(NoServerNow{"The backend is shutting down; try again", std::chrono::seconds(1)});
  if (auto settled = settle(room_id)) return done(std::move(*settled));
  waiters_.add(
      room_id, deadline,
      {"The room's session server is still starting; try again soon", std::chrono::seconds(2)},
      std::move(done));
}

void SchedulerPlacement::describe(std::function<void(boost::json::value)> done) {
  net::dispatch(strand_, [this, done = std::move(done)] {
    boost::json::array servers;
    for (const auto& server : scheduler_.servers()) {
      servers.push_back({{"id", server.id},
                         {"host", server.host},
                         {"adminHost", operators_host(server)},
                         {"state", sched::to_string(server.state)},
                         {"drainRequested", server.drain_requested},
                         {"rooms", server.rooms},
                         {"roomCapacity", server.room_capacity},
                         {"users", server.users}});
    }
    auto m = scheduler_.metrics();
    done(boost::json::object{{"policy", m.policy},
                             {"fleet", fleet_.name()},
                             {"rooms", m.rooms},
                             {"users", m.users},
                             {"servers", std::move(servers)},
                             {"drains", describe_drains()},
                             {"lease", describe_lease()}});
  });
}

}  // namespace chat
