#include "control/control_core.h"

#include <algorithm>
#include <utility>

namespace core {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

std::optional<sched::ServerId> ControlCore::FleetEffects::start_server() {
  if (!core_.options_.fleet.can_start || !core_.manages_fleet() || !core_.fleet_read()) {
    return std::nullopt;
  }
  ++core_.servers_started_;
  sched::ServerId id = core_.options_.server_ids
                           ? core_.options_.server_ids()
                           : "server-" + std::to_string(core_.servers_started_);
  core_.start_listed(id);
  return id;
}

void ControlCore::FleetEffects::stop_server(const sched::ServerId& id) {
  if (!core_.manages_fleet()) return;
  if (core_.options_.fleet.can_stop) core_.emit(StopServer{id});
  if (core_.options_.replicated && core_.options_.fleet.members_shared) {
    core_.emit(RemoveMember{id, core_.fencing_token_});
  }
}

ControlCore::ControlCore(ControlOptions options, sched::RoomIdGenerator room_ids,
                         sched::Random random)
    : options_(std::move(options)),
      fleet_effects_(*this),
      scheduler_(options_.scheduler, fleet_effects_, std::move(room_ids), random) {
  options_.placement_attempts = std::max(1, options_.placement_attempts);
}

// A report can settle a waiting room only by listing a room the table holds
// on another server (another backend's placement), which it may claim: see
// may_settle_kind for the rest.
bool ControlCore::may_settle_waiters(const Polled& polled) const {
  const auto* report = std::get_if<sched::StatusReport>(&polled.result);
  if (report == nullptr) return false;
  const auto reporter = polled.server_key != 0 ? std::optional(polled.server_key)
                                               : scheduler_.key_of(polled.server_id);
  const auto& rooms = scheduler_.rooms();
  for (const auto& room : report->rooms) {
    const sched::RoomRecord* held =
        room.key != sched::kNoRoomKey ? rooms.find(room.key) : rooms.find(room.room_id);
    if (held != nullptr && held->id != room.room_id) held = rooms.find(room.room_id);
    if (held != nullptr && (!reporter || held->server != *reporter)) return true;
  }
  return false;
}

Effects ControlCore::handle(sched::Millis now, const Event& event) {
  Effects out;
  handle(now, event, out);
  return out;
}

void ControlCore::handle(sched::Millis now, const Event& event, Effects& out) {
  std::visit([&](const auto& e) { handle(now, e, out); }, event);
}

std::size_t ControlCore::requests_pending() const {
  std::size_t probing = 0;
  for (const auto& [id, probe] : probes_) probing += probe.askers.size();
  return creates_.size() + finds_.size() + probing +
         std::count_if(waiters_.begin(), waiters_.end(),
                       [this](const auto& w) { return !creates_.contains(w.first); });
}

std::string ControlCore::admin_host(const sched::ServerId& id, const std::string& host) const {
  return admin_host_of(id, host);
}

const std::string& ControlCore::admin_host_of(const sched::ServerId& id,
                                              const std::string& host) const {
  auto it = members_.find(id);
  return it != members_.end() && !it->second.admin_host.empty() ? it->second.admin_host : host;
}

std::string ControlCore::admin_host(const sched::ServerView& server) const {
  return admin_host(server.id, server.host);
}

void ControlCore::on(const Stop&) {
  if (stopped_) return;
  stopped_ = true;
  const NoServerNow shutting_down{"The backend is shutting down; try again",
                                  std::chrono::seconds(1)};
  for (auto& [request, create] : creates_) answer(request, CreateRoomResult{shutting_down});
  for (auto& [request, waiter] : waiters_) {
    if (!creates_.contains(request)) answer(request, FindRoomResult{shutting_down});
  }
  for (auto& [request, find] : finds_) answer(request, FindRoomResult{shutting_down});
  for (auto& [id, probe] : probes_) {
    for (auto& [request, find] : probe.askers) answer(request, FindRoomResult{shutting_down});
  }
  creates_.clear();
  waiters_.clear();
  unwritten_moves_.clear();
  finds_.clear();
  probes_.clear();
  // Given back, so another replica takes the fleet at once, not in a lease's time.
  // Not held from here on: results still in flight (a server's start, an
  // adoption) must not act on the fleet under the lease given back.
  if (options_.replicated) {
    lease_held_ = false;
    emit(ReleaseLease{});
  }
}

void ControlCore::on(const Tick&) {
  if (stopped_) return;
  const bool manage = manages_fleet();
  auto actions = scheduler_.tick(now_, manage);
  sync_members();
  free_confirmed();
  if (options_.replicated && manage) emit(ReadShortage{});
  for (const auto& id : actions.drain) drain_session(id, "autoscaler");
  forget_joined_rooms();
  forget_members();
}

void ControlCore::on(const PollRound&) {
  if (stopped_) return;
  for (const auto& server : scheduler_.servers()) {
    if (server.host.empty() || server.state == sched::ServerState::starting) continue;
    emit(Poll{server.id, admin_host(server)});
  }
}

void ControlCore::forget_members() {
  // Only when the table forgot a server: a scan a tick would cost as much as
  // the rest of a large fleet's tick.
  if (members_.size() <= scheduler_.server_count()) return;
  std::erase_if(members_,
                [this](const auto& entry) { return !scheduler_.key_of(entry.first); });
}

void ControlCore::on(const Polled& event) {
  if (stopped_) return;
  std::visit(Overloaded{
                 [&](const sched::StatusReport& report) {
                   // The poller's key, if it still names this server: no hash of the id.
                   const sched::ServerId* keyed =
                       event.server_key != 0 ? scheduler_.server_id(event.server_key) : nullptr;
                   const bool by_key = keyed != nullptr && *keyed == event.server_id;
                   if (by_key ? given_up(event.server_key, event.server_id)
                              : given_up_.contains(event.server_id)) {
                     return;
                   }
                   if (by_key) {
                     scheduler_.on_status(event.server_key, report, now_);
                   } else {
                     scheduler_.on_status(event.server_id, report, now_);
                   }
                   confirm_reported(event.server_id, report);
                 },
                 [&](const NotHeard& not_heard) {
                   log(LogLevel::warning,
                       "session server " + event.server_id + " not heard: " + not_heard.why);
                   scheduler_.on_unreachable(event.server_id, now_);
                   stop_given_up(event.server_id);
                 },
                 // Alive, and the table keeps its own counts for it.
                 [](const NoStatusEndpoint&) {},
             },
             event.result);
}

// A server the table gave up on (failed polls, a failed probe) may still
// run, only out of this backend's reach: the holder has the fleet stop it,
// so that no server runs that the table no longer counts against
// max_servers, nor keeps serving rooms placed again elsewhere. A fleet that
// cannot stop servers restarts them in place: they come back by themselves.
void ControlCore::stop_given_up(const sched::ServerId& id) {
  if (!options_.fleet.can_stop || !manages_fleet()) return;
  auto server = scheduler_.server(id);
  if (!server || server->state != sched::ServerState::gone) return;
  if (!given_up_.insert(id).second) return;
  given_up_by_key_.clear();  // worked out again from given_up_ as keys report
  log(LogLevel::warning, "session server " + id + " given up on; stopping it");
  fleet_effects_.stop_server(id);
}

// given_up_.contains(id), for the server registered under `key`, worked out
// once a key until given_up_ grows (a key names one id for good).
bool ControlCore::given_up(sched::ServerKey key, const sched::ServerId& id) {
  if (key >= given_up_by_key_.size()) given_up_by_key_.resize(key + 1, 0);
  std::uint8_t& known = given_up_by_key_[key];
  if (known == 0) known = given_up_.contains(id) ? 2 : 1;
  return known == 2;
}

void ControlCore::on(const ServerStarted& event) {
  const Member& server = event.server;
  members_[server.id] = server;
  scheduler_.on_server_started(server.id, server.host, now_);
  publish_member(server);
}

void ControlCore::on(const ServerStartFailed& event) {
  log(LogLevel::warning,
      "session server " + event.server_id + " failed to start: " + event.why);
  scheduler_.on_unreachable(event.server_id, now_);
}

void ControlCore::on(const WakeUp& event) {
  auto waiter = waiters_.find(event.request);
  if (waiter == waiters_.end() || waiter->second.deadline > now_) return;
  forget_unwritten(waiter->second.room_id, event.request);
  waiters_.erase(waiter);
  const NoServerNow still_starting{"The room's session server is still starting; try again soon",
                                   std::chrono::seconds(2)};
  if (creates_.contains(event.request)) {
    return finish_create(event.request, CreateRoomResult{still_starting});
  }
  answer(event.request, FindRoomResult{still_starting});
}

}  // namespace core
