// The loop, the replicas' processes (their ticks, their lease, their
// pauses) and the faults' schedule.
#include "sim/explore_world.h"

#include <algorithm>
#include <utility>

#include "sim/explore_trace.h"

namespace sim::explore {

ExploreWorld::ExploreWorld(const ExploreConfig& config, ExploreChecker& checker,
                           std::ostream* trace)
    : config_(config),
      checker_(checker),
      trace_(trace),
      network_rng_(derive_seed(config.seed, "network")),
      fault_rng_(derive_seed(config.seed, "faults")),
      server_rng_(derive_seed(config.seed, "servers")),
      client_rng_(derive_seed(config.seed, "clients")),
      store_(config_.planted) {
  core::ControlOptions options = config_.control;
  // ManagedFleet::next_server_id: never a name used before, whichever
  // replica asks.
  options.server_ids = [this] { return "s" + std::to_string(++servers_named_); };
  for (int r = 0; r < config_.replicas; ++r) {
    Replica replica;
    replica.name = "replica-" + std::to_string(r);
    replica.core = std::make_unique<core::ControlCore>(
        options, sched::sequential_room_ids("r" + std::to_string(r) + "-"),
        sched::Random(derive_seed(config_.seed, replica.name)));
    replicas_.push_back(std::move(replica));
  }
  clients_.resize(static_cast<std::size_t>(config_.clients.clients));
}

ExploreWorld::~ExploreWorld() = default;

void ExploreWorld::at(std::int64_t time_ms, int replica, std::function<void()> run) {
  queue_.push(std::max(time_ms, now_ms_), Step{replica, std::move(run)});
}

void ExploreWorld::send(int replica, std::int64_t time_ms, core::Event event) {
  at(time_ms, replica, [this, replica, event = std::move(event)] { deliver(replica, event); });
}

void ExploreWorld::execute(Step& step) {
  if (step.replica >= 0) {
    Replica& replica = replicas_[step.replica];
    if (now_ms_ < replica.paused_until_ms) {
      replica.held.push_back(std::move(step));
      return;
    }
  }
  step.run();
  checker_.after_event(*this, -1);
}

void ExploreWorld::note(int replica, const std::string& text) {
  if (trace_ == nullptr) return;
  *trace_ << now_ms_ << (replica >= 0 ? " r" + std::to_string(replica) : std::string(" world"))
          << " " << text << "\n";
}

void ExploreWorld::deliver(int replica, const core::Event& event) {
  Replica& process = replicas_[replica];
  if (now_ms_ < process.paused_until_ms) {
    // Paused halfway through a step (a tick's events): the rest waits too.
    return at(now_ms_, replica, [this, replica, event] { deliver(replica, event); });
  }
  core::Effects effects;
  if (trace_ != nullptr) {
    note(replica, "<- " + trace_line(event));
    // Where this replica's table has the room, to read a look-up's answer by.
    if (const auto* find = std::get_if<core::FindRoom>(&event)) {
      const auto& scheduler = replicas_[replica].core->scheduler();
      const auto server_id = scheduler.server_of(find->room_id);
      const auto server = server_id ? scheduler.server(*server_id) : std::nullopt;
      note(replica, "   table: " + (server ? find->room_id + " on " + server->id + " (" +
                                                 std::string(sched::to_string(server->state)) + ")"
                                           : find->room_id + " not held"));
    }
  }
  process.core->handle(now(), event, effects);
  if (process.pause_due_ms > 0 && pause_strikes(process, effects)) {
    // The pause strikes between deciding and doing: what was decided goes
    // out once the replica resumes, first of what it then does (a holder
    // may by then have lost its lease, its writes fenced off).
    pause(replica, std::exchange(process.pause_due_ms, 0));
    at(now_ms_, replica,
       [this, replica, effects = std::move(effects)]() mutable { perform_all(replica, effects); });
  } else {
    perform_all(replica, effects);
  }
  checker_.after_event(*this, replica);
}

// Where a pause hurts: between a fleet action or fenced write decided under
// the lease and its leaving. Struck anywhere, it would mostly fall between
// ticks and polls, and the fence would hardly ever be put to the test.
bool ExploreWorld::pause_strikes(const Replica& replica, const core::Effects& effects) const {
  constexpr std::int64_t kWaitForAnActionMs = 10'000;
  if (now_ms_ - replica.pause_due_since_ms >= kWaitForAnActionMs) return true;
  return std::any_of(effects.begin(), effects.end(), [](const core::Effect& effect) {
    return std::holds_alternative<core::StartServer>(effect) ||
           std::holds_alternative<core::StopServer>(effect) ||
           std::holds_alternative<core::DrainSession>(effect) ||
           std::holds_alternative<core::AddMember>(effect) ||
           std::holds_alternative<core::RemoveMember>(effect);
  });
}

void ExploreWorld::perform_all(int replica, core::Effects& effects) {
  for (core::Effect& effect : effects) {
    if (trace_ != nullptr) note(replica, "-> " + trace_line(effect));
    std::visit([this, replica](auto& e) { perform(replica, e); }, effect);
  }
}

void ExploreWorld::run() {
  start();
  const std::int64_t end_ms = config_.end_ms();
  while (!queue_.empty() && !checker_.failed()) {
    if (queue_.top_time_ms() > end_ms) break;
    auto entry = queue_.pop();
    now_ms_ = entry.time_ms;
    ++events_;
    execute(entry.payload);
  }
  if (checker_.failed()) return;
  now_ms_ = std::max(now_ms_, end_ms);
  checker_.at_end(*this);
}

void ExploreWorld::start() {
  // A static list's hosts are there from the start, and every replica is
  // told so before its first tick (SchedulerPlacement::start).
  for (int i = 0; i < config_.static_servers; ++i) {
    const std::string host = "h" + std::to_string(i + 1) + ".sim:7000";
    add_server(core::Member{host, host, "", 0});
    servers_.back()->come_up();
    schedule_crash(static_cast<int>(servers_.size()) - 1);
  }
  for (int r = 0; r < replicas(); ++r) {
    for (const auto& server : servers_) send(r, 0, core::ServerStarted{server->member()});
    const std::int64_t tick_ms = config_.executor.tick_interval_ms;
    at(uniform_int(network_rng_, 0, tick_ms - 1), r, [this, r] { tick(r); });
    if (config_.control.replicated) {
      at(uniform_int(network_rng_, 0, config_.executor.lease_ttl_ms / 3), r,
         [this, r] { lease_round(r); });
    }
  }
  for (int c = 0; c < config_.clients.clients; ++c) client_rest(c);
  schedule_faults();
  at(config_.convergence_at_ms(), -1, [this] { ask_agreement(); });
}

std::int64_t ExploreWorld::latency() {
  return uniform_int(network_rng_, 1, config_.executor.latency_ms_max);
}

bool ExploreWorld::draw(double share) { return share > 0 && uniform01(fault_rng_) < share; }

Exercised ExploreWorld::exercised() const {
  Exercised exercised = exercised_;
  exercised.requests = requests_made_;
  exercised.leases_taken = store_.latest_token();
  exercised.stale_writes_refused = store_.stale_writes_refused();
  return exercised;
}

int ExploreWorld::servers_running() const {
  return static_cast<int>(std::count_if(servers_.begin(), servers_.end(),
                                        [](const auto& server) { return server->running(); }));
}

std::vector<const SessionServer*> ExploreWorld::holders_of(const sched::RoomId& room_id) const {
  std::vector<const SessionServer*> holders;
  for (const auto& server : servers_) {
    if (server->up() && !server->draining() && server->users_in(room_id) > 0) {
      holders.push_back(server.get());
    }
  }
  return holders;
}

// The executor's tick (SchedulerPlacement::schedule_tick): who holds the
// lease as last seen; a lease that ran out on this side without the store
// saying so (a pause) is lost before the tick acts, and one renewed since
// (the same token) is held again; then the tick, and a poll of every server.
void ExploreWorld::tick(int r) {
  Replica& replica = replicas_[r];
  if (config_.control.replicated) {
    deliver(r, core::LeaseSeen{replica.lease.holder, replica.lease.token});
    const bool held = lease_held_now(replica);
    if (replica.core->manages_fleet() && !held) {
      deliver(r, core::LeaseLost{});
    } else if (!replica.core->manages_fleet() && held) {
      deliver(r, core::LeaseGained{replica.lease.token});
    }
  }
  deliver(r, core::Tick{});
  deliver(r, core::PollRound{});
  at(now_ms_ + config_.executor.tick_interval_ms, r, [this, r] { tick(r); });
}

// FleetLease::held: renewed recently enough that nobody else can hold it,
// with a margin of one renewal.
bool ExploreWorld::lease_held_now(const Replica& replica) const {
  const std::int64_t ttl = config_.executor.lease_ttl_ms;
  return replica.lease.held && now_ms_ - replica.lease.renewed_at_ms < ttl - ttl / 3;
}

void ExploreWorld::lease_round(int r) {
  if (replicas_[r].lease.held) {
    renew_lease(r);
  } else {
    acquire_lease(r);
  }
  at(now_ms_ + config_.executor.lease_ttl_ms / 3, r, [this, r] { lease_round(r); });
}

void ExploreWorld::acquire_lease(int r) {
  const std::int64_t asked_ms = now_ms_;
  store_call(
      r,
      [this, r, asked_ms](const Respond& respond) {
        auto token =
            store_.acquire_lease(replicas_[r].name, Millis(config_.executor.lease_ttl_ms), now());
        if (!token) return respond([this, r] { read_lease_holder(r); });
        respond([this, r, asked_ms, token = *token] {
          LeaseAgent& lease = replicas_[r].lease;
          lease.held = true;
          lease.token = token;
          lease.holder = replicas_[r].name;
          // Counted from the request: the lease may have started that early.
          lease.renewed_at_ms = asked_ms;
          deliver(r, core::LeaseGained{token});
        });
      },
      [this, r] { read_lease_holder(r); });
}

void ExploreWorld::renew_lease(int r) {
  const std::int64_t asked_ms = now_ms_;
  const std::uint64_t token = replicas_[r].lease.token;
  // No answer: it is ours until it may have expired.
  auto unanswered = [this, r] {
    const LeaseAgent& lease = replicas_[r].lease;
    const std::int64_t ttl = config_.executor.lease_ttl_ms;
    if (now_ms_ - lease.renewed_at_ms >= ttl - ttl / 3) lose_lease(r);
  };
  store_call(
      r,
      [this, r, asked_ms, token](const Respond& respond) {
        const bool renewed = store_.renew_lease(replicas_[r].name, token,
                                                Millis(config_.executor.lease_ttl_ms), now());
        respond([this, r, asked_ms, renewed] {
          if (!renewed) return lose_lease(r);  // another replica holds it now
          if (replicas_[r].lease.held) replicas_[r].lease.renewed_at_ms = asked_ms;
        });
      },
      unanswered);
}

void ExploreWorld::read_lease_holder(int r) {
  auto seen = [this, r](std::optional<ControlStore::LeaseValue> value) {
    LeaseAgent& lease = replicas_[r].lease;
    if (lease.held) return;
    lease.holder = value ? value->holder : "";
    lease.token = value ? value->token : 0;
  };
  store_call(
      r,
      [this, seen](const Respond& respond) {
        respond([seen, value = store_.lease(now())] { seen(value); });
      },
      [seen] { seen(std::nullopt); });
}

void ExploreWorld::lose_lease(int r) {
  LeaseAgent& lease = replicas_[r].lease;
  if (!lease.held) return;
  lease.held = false;
  deliver(r, core::LeaseLost{});
}

void ExploreWorld::schedule_faults() {
  const FaultRates& faults = config_.faults;
  const std::int64_t busy_ms = config_.busy_ms;
  if (faults.store_outages_per_minute > 0) {
    const double mean_gap_ms = 60'000 / faults.store_outages_per_minute;
    for (double t = exponential(fault_rng_, mean_gap_ms); t < busy_ms;
         t += exponential(fault_rng_, mean_gap_ms)) {
      const std::int64_t until =
          static_cast<std::int64_t>(t) + uniform_int(fault_rng_, 100, faults.store_outage_ms_max);
      at(static_cast<std::int64_t>(t), -1, [this, until] {
        note(-1, "store outage until " + std::to_string(until));
        ++exercised_.store_outages;
        store_down_until_ms_ = std::max(store_down_until_ms_, until);
      });
    }
  }
  if (faults.pauses_per_replica_minute > 0) {
    const double mean_gap_ms = 60'000 / faults.pauses_per_replica_minute;
    for (int r = 0; r < replicas(); ++r) {
      // One pause at a time: the next begins after the last has ended.
      for (double t = exponential(fault_rng_, mean_gap_ms); t < busy_ms;) {
        // From a hiccup to several leases long.
        const std::int64_t duration = uniform_int(fault_rng_, 100, faults.pause_ms_max);
        at(static_cast<std::int64_t>(t), -1, [this, r, duration] {
          replicas_[r].pause_due_ms = duration;
          replicas_[r].pause_due_since_ms = now_ms_;
        });
        t += static_cast<double>(duration) + exponential(fault_rng_, mean_gap_ms);
      }
    }
  }
  if (config_.clients.operator_drains_per_minute > 0) {
    const double mean_gap_ms = 60'000 / config_.clients.operator_drains_per_minute;
    for (double t = exponential(fault_rng_, mean_gap_ms); t < busy_ms;
         t += exponential(fault_rng_, mean_gap_ms)) {
      at(static_cast<std::int64_t>(t), -1, [this] { operator_drain(); });
    }
  }
}

void ExploreWorld::pause(int r, std::int64_t duration_ms) {
  note(r, "paused for " + std::to_string(duration_ms) + " ms");
  ++exercised_.pauses;
  replicas_[r].paused_until_ms = now_ms_ + duration_ms;
  at(now_ms_ + duration_ms, -1, [this, r] { resume(r); });
}

void ExploreWorld::resume(int r) {
  Replica& replica = replicas_[r];
  if (now_ms_ < replica.paused_until_ms) return;
  note(r, "resumes with " + std::to_string(replica.held.size()) + " steps held");
  // Everything that came during the pause runs now, in the order it came.
  std::vector<Step> held = std::move(replica.held);
  replica.held.clear();
  for (Step& step : held) at(now_ms_, r, std::move(step.run));
}

void ExploreWorld::schedule_crash(int server) {
  const double rate = config_.faults.crashes_per_server_minute;
  if (rate <= 0) return;
  const std::int64_t crash_ms =
      now_ms_ + static_cast<std::int64_t>(exponential(fault_rng_, 60'000 / rate));
  if (crash_ms >= config_.busy_ms) return;
  const int incarnation = servers_[server]->incarnation();
  at(crash_ms, -1, [this, server, incarnation] { crash(server, incarnation); });
}

void ExploreWorld::crash(int server, int incarnation) {
  SessionServer& crashed = *servers_[server];
  if (!crashed.up() || crashed.incarnation() != incarnation) return;
  note(-1, crashed.id() + " crashes");
  ++exercised_.crashes;
  disconnect_clients(server, /*unreachable=*/true);
  crashed.go_down(ServerPhase::crashed);
  if (config_.fleet != FleetKind::static_hosts) return;
  // A static host is restarted where it was, empty.
  const std::int64_t back_ms =
      now_ms_ + uniform_int(fault_rng_, 500, config_.servers.restart_delay_ms_max);
  const int restarted = crashed.incarnation();
  at(back_ms, -1, [this, server, restarted] {
    if (servers_[server]->incarnation() != restarted) return;
    note(-1, servers_[server]->id() + " restarted in place");
    servers_[server]->come_up();
    schedule_crash(server);
  });
}

void ExploreWorld::operator_drain() {
  if (servers_.empty()) return;
  const auto& server =
      servers_[uniform_int(fault_rng_, 0, static_cast<std::int64_t>(servers_.size()) - 1)];
  const sched::ServerId id = server->id();
  submit(any_replica(), RequestKind::drain, Ask{Asker::operator_drain},
         [&id](core::RequestId request) {
           return core::Event{core::DrainServer{request, id}};
         });
}

// (b): every replica is asked where each room with members is.
void ExploreWorld::ask_agreement() {
  std::vector<sched::RoomId> occupied;
  for (const auto& server : servers_) {
    if (!server->up() || server->draining()) continue;
    for (const auto& [room_id, users] : server->rooms_users()) {
      if (users > 0) occupied.push_back(room_id);
    }
  }
  std::sort(occupied.begin(), occupied.end());
  occupied.erase(std::unique(occupied.begin(), occupied.end()), occupied.end());
  for (const sched::RoomId& room_id : occupied) {
    for (int r = 0; r < replicas(); ++r) {
      const core::RequestId request =
          submit(r, RequestKind::find, Ask{Asker::agreement}, [&room_id](core::RequestId id) {
            return core::Event{core::FindRoom{id, room_id, std::nullopt}};
          });
      checker_.on_agreement_request(request, room_id);
    }
  }
}

}  // namespace sim::explore
