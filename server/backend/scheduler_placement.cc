#include "server/backend/scheduler_placement.h"

#include "server/backend/room_id.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/parse.hpp>

#include <iostream>

namespace chat {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

// The Prometheus side of the scheduler's own counters: counters follow the
// library's monotonic numbers by their increase since the last export.
struct SchedulerPlacement::Exported {
  explicit Exported(prometheus::Registry& registry, const std::string& policy)
      : placements(prometheus::BuildCounter()
                       .Name("chat_scheduler_placements_total")
                       .Help("Room placements, by policy and result.")
                       .Register(registry)),
        servers(prometheus::BuildGauge()
                    .Name("chat_scheduler_servers")
                    .Help("Session servers known to the scheduler, by state.")
                    .Register(registry)),
        rooms(prometheus::BuildGauge()
                  .Name("chat_scheduler_rooms")
                  .Help("Rooms in the scheduler's table.")
                  .Register(registry)
                  .Add({})),
        users(prometheus::BuildGauge()
                  .Name("chat_scheduler_users")
                  .Help("Users in rooms, as the session servers report them.")
                  .Register(registry)
                  .Add({})),
        free_slots(prometheus::BuildGauge()
                       .Name("chat_scheduler_free_room_slots")
                       .Help("Free room slots on ready session servers.")
                       .Register(registry)
                       .Add({})),
        scale_events(prometheus::BuildCounter()
                         .Name("chat_scheduler_scale_events_total")
                         .Help("Session servers started (out) and stopped when idle (in).")
                         .Register(registry)),
        rooms_freed(prometheus::BuildCounter()
                        .Name("chat_scheduler_rooms_freed_total")
                        .Help("Room slots freed, by reason.")
                        .Register(registry)),
        placement_seconds(prometheus::BuildHistogram()
                              .Name("chat_scheduler_placement_seconds")
                              .Help("Time to place a room, including waiting for a server.")
                              .Register(registry)
                              .Add({{"policy", policy}}, metrics::latency_buckets())),
        fleet_start_seconds(prometheus::BuildHistogram()
                                .Name("chat_scheduler_fleet_start_seconds")
                                .Help("Time from asking the fleet for a server to it answering.")
                                .Register(registry)
                                .Add({}, metrics::latency_buckets())),
        policy(policy) {}

  // Adds what `now` has grown by since `before` to `counter`.
  static void follow(prometheus::Counter& counter, std::uint64_t now, std::uint64_t& before) {
    if (now > before) counter.Increment(static_cast<double>(now - before));
    before = now;
  }

  prometheus::Family<prometheus::Counter>& placements;
  prometheus::Family<prometheus::Gauge>& servers;
  prometheus::Gauge& rooms;
  prometheus::Gauge& users;
  prometheus::Gauge& free_slots;
  prometheus::Family<prometheus::Counter>& scale_events;
  prometheus::Family<prometheus::Counter>& rooms_freed;
  prometheus::Histogram& placement_seconds;
  prometheus::Histogram& fleet_start_seconds;
  std::string policy;
  sched::SchedulerMetrics last;
};

std::optional<sched::ServerId> SchedulerPlacement::TimedProvider::start_server() {
  auto id = inner_.start_server();
  if (id) started[*id] = Clock::now();
  return id;
}

SchedulerPlacement::SchedulerPlacement(net::io_context& io, sched::SchedulerConfig config,
                                       sched::FleetProvider& provider, ManagedFleet* fleet,
                                       std::vector<std::string> static_hosts, metrics::Metrics& metrics,
                                       PlacementOptions options)
    : io_(io),
      strand_(net::make_strand(io)),
      provider_(provider),
      scheduler_(config, provider_, [] { return generate_room_id(); },
                 sched::Random(std::random_device{}())),
      fleet_(fleet),
      options_(std::move(options)),
      client_(io),
      tick_timer_(strand_),
      exported_(std::make_unique<Exported>(metrics.registry(), config.policy)) {
  for (const auto& host : static_hosts) scheduler_.on_server_started(host, host, now());
  if (fleet_) {
    fleet_->set_callbacks(
        [this](const sched::ServerId& id, const std::string& host) {
          net::post(strand_, [this, id, host] {
            if (auto it = provider_.started.find(id); it != provider_.started.end()) {
              exported_->fleet_start_seconds.Observe(
                  std::chrono::duration<double>(Clock::now() - it->second).count());
              provider_.started.erase(it);
            }
            scheduler_.on_server_started(id, host, now());
            check_invariants("a server started");
          });
        },
        [this](const sched::ServerId& id, const std::string& why) {
          std::cerr << "backend: session server " << id << " failed to start: " << why << "\n";
          net::post(strand_, [this, id] {
            provider_.started.erase(id);
            scheduler_.on_unreachable(id, now());
          });
        });
  }
}

SchedulerPlacement::~SchedulerPlacement() = default;

sched::Millis SchedulerPlacement::now() const {
  return std::chrono::duration_cast<sched::Millis>(Clock::now().time_since_epoch());
}

void SchedulerPlacement::start() {
  net::dispatch(strand_, [this] {
    scheduler_.tick(now());
    schedule_tick();
  });
}

void SchedulerPlacement::stop() {
  net::dispatch(strand_, [this] {
    stopped_ = true;
    tick_timer_.cancel();
  });
}

void SchedulerPlacement::schedule_tick() {
  tick_timer_.expires_after(options_.tick_interval);
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    auto actions = scheduler_.tick(now());
    for (const auto& id : actions.stopped) provider_.started.erase(id);
    check_invariants("a tick");
    poll_servers();
    export_metrics();
    schedule_tick();
  });
}

void SchedulerPlacement::poll_servers() {
  for (const auto& server : scheduler_.servers()) {
    if (server.host.empty() || server.state == sched::ServerState::starting) continue;
    web::ClientRequest request;
    request.url = options_.status_scheme + "://" + server.host + "/status";
    request.timeout = options_.poll_timeout;
    client_.fetch(request, [this, id = server.id](web::ClientResponse response) {
      net::post(strand_, [this, id, response = std::move(response)] { on_status(id, response); });
    });
  }
}

void SchedulerPlacement::on_status(const sched::ServerId& id,
                                   const web::ClientResponse& response) {
  if (stopped_) return;
  // A server that answers HTTP but has no /status (the seed's own session
  // server) is alive; without its report the table keeps its own counts.
  if (response.error.empty() && response.status == 404) return;
  boost::system::error_code ec;
  boost::json::value body;
  if (response.error.empty() && response.status == 200) body = boost::json::parse(response.body, ec);
  if (!response.error.empty() || response.status != 200 || ec || !body.is_object()) {
    scheduler_.on_unreachable(id, now());
    return;
  }
  try {
    const auto& object = body.as_object();
    sched::StatusReport report;
    report.host = object.at("host").as_string();
    report.draining = object.at("draining").as_bool();
    for (const auto& room : object.at("rooms").as_array()) {
      report.rooms.push_back({std::string(room.at("roomId").as_string()),
                              static_cast<int>(room.at("users").to_number<std::int64_t>())});
    }
    scheduler_.on_status(id, report, now());
    check_invariants("a status report");
  } catch (const std::exception& e) {
    std::cerr << "backend: status of " << id << " is not what was expected: " << e.what() << "\n";
    scheduler_.on_unreachable(id, now());
  }
}

void SchedulerPlacement::check_invariants(const char* after) {
  for (const auto& violation : scheduler_.check_invariants()) {
    std::cerr << "backend: scheduler invariant broken after " << after << ": " << violation
              << "\n";
  }
}

void SchedulerPlacement::export_metrics() {
  auto m = scheduler_.metrics();
  auto& e = *exported_;
  auto placements = [&](const char* result) -> prometheus::Counter& {
    return e.placements.Add({{"policy", e.policy}, {"result", result}});
  };
  Exported::follow(placements("placed"), m.create.placed, e.last.create.placed);
  Exported::follow(placements("waiting"), m.create.waiting, e.last.create.waiting);
  Exported::follow(placements("no_capacity"), m.create.no_capacity, e.last.create.no_capacity);
  Exported::follow(placements("replaced"), m.replace.placed + m.replace.waiting,
                   e.last.replace.placed);
  Exported::follow(e.scale_events.Add({{"direction", "out"}}), m.servers_started,
                   e.last.servers_started);
  Exported::follow(e.scale_events.Add({{"direction", "in"}}), m.servers_stopped_idle,
                   e.last.servers_stopped_idle);
  Exported::follow(e.rooms_freed.Add({{"reason", "never_joined"}}), m.rooms_freed_never_joined,
                   e.last.rooms_freed_never_joined);
  Exported::follow(e.rooms_freed.Add({{"reason", "emptied"}}), m.rooms_freed_emptied,
                   e.last.rooms_freed_emptied);
  e.servers.Add({{"state", "starting"}}).Set(m.servers_starting);
  e.servers.Add({{"state", "ready"}}).Set(m.servers_ready);
  e.servers.Add({{"state", "draining"}}).Set(m.servers_draining);
  e.servers.Add({{"state", "gone"}}).Set(m.servers_gone);
  e.rooms.Set(m.rooms);
  e.users.Set(m.users);
  e.free_slots.Set(static_cast<double>(m.free_slots_ready));
}

void SchedulerPlacement::create_room(std::function<void(CreatedRoom)> done) {
  net::dispatch(strand_, [this, done = std::move(done)]() mutable {
    auto started = Clock::now();
    auto result = scheduler_.create_room(now());
    check_invariants("a placement");
    auto finish = [this, started, done = std::move(done)](CreatedRoom created) {
      exported_->placement_seconds.Observe(
          std::chrono::duration<double>(Clock::now() - started).count());
      export_metrics();
      done(std::move(created));
    };
    if (auto* placed = std::get_if<sched::Placed>(&result)) {
      return finish({placed->room_id, {}, {}});
    }
    if (auto* full = std::get_if<sched::NoCapacity>(&result)) {
      auto seconds = std::chrono::duration_cast<std::chrono::seconds>(full->retry_after);
      return finish({std::nullopt, std::max(seconds, std::chrono::seconds(1)),
                     "Every session server is full and no more can be started; try again soon"});
    }
    // Waiting: answer once the new server is up, so the client can join at once.
    auto room_id = std::get<sched::Waiting>(result).room_id;
    wait_for_room(room_id, started + options_.start_wait_max,
                  [room_id, finish = std::move(finish)](std::optional<std::string> host,
                                                        std::string error) mutable {
                    if (host) return finish({room_id, {}, {}});
                    finish({std::nullopt, std::chrono::seconds(2), std::move(error)});
                  });
  });
}

void SchedulerPlacement::find_room(const std::string& room_id,
                                   std::function<void(RoomHost)> done) {
  net::dispatch(strand_, [this, room_id, done = std::move(done)]() mutable {
    wait_for_room(room_id, Clock::now() + options_.start_wait_max,
                  [done = std::move(done)](std::optional<std::string> host, std::string error) {
                    RoomHost answer;
                    answer.host = std::move(host);
                    answer.error = std::move(error);
                    if (!answer.error.empty()) answer.retry_after = std::chrono::seconds(2);
                    done(std::move(answer));
                  });
  });
}

// On the strand. Looks the room up until it has a ready host, it is unknown
// (host and error empty), or the deadline passes (error set).
void SchedulerPlacement::wait_for_room(
    std::string room_id, Clock::time_point deadline,
    std::function<void(std::optional<std::string>, std::string)> done) {
  auto result = scheduler_.lookup(room_id, now());
  check_invariants("a lookup");
  if (auto* ready = std::get_if<sched::RoomReady>(&result)) return done(ready->host, "");
  if (std::holds_alternative<sched::UnknownRoom>(result)) return done(std::nullopt, "");
  if (std::holds_alternative<sched::RoomUnavailable>(result)) {
    return done(std::nullopt, "The room's session server is gone and no other has room; try again soon");
  }
  if (Clock::now() >= deadline) {
    return done(std::nullopt, "The room's session server is still starting; try again soon");
  }
  auto timer = std::make_shared<net::steady_timer>(strand_, std::chrono::milliseconds(50));
  timer->async_wait([this, timer, room_id = std::move(room_id), deadline,
                     done = std::move(done)](boost::system::error_code ec) mutable {
    if (ec || stopped_) return done(std::nullopt, "The backend is shutting down");
    wait_for_room(std::move(room_id), deadline, std::move(done));
  });
}

void SchedulerPlacement::describe(std::function<void(boost::json::value)> done) {
  net::dispatch(strand_, [this, done = std::move(done)] {
    boost::json::array servers;
    for (const auto& server : scheduler_.servers()) {
      servers.push_back({{"id", server.id},
                         {"host", server.host},
                         {"state", sched::to_string(server.state)},
                         {"rooms", server.rooms},
                         {"roomCapacity", server.room_capacity},
                         {"users", server.users}});
    }
    auto m = scheduler_.metrics();
    done(boost::json::object{{"policy", m.policy},
                             {"fleet", fleet_ ? fleet_->name() : "static"},
                             {"rooms", m.rooms},
                             {"users", m.users},
                             {"servers", std::move(servers)}});
  });
}

}  // namespace chat
