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

// A waiting room is on a starting server (or being placed by a start), so
// only events that start, fail, free, move or forget servers or rooms can
// settle it. Requests and reservation answers touch their own room, and
// polls never see a starting server, except a report that lists a room the
// table holds on another server (another backend's placement), which may
// claim it. Checking every waiter after every event would cost a look-up
// each, on every event of a large fleet.
bool ControlCore::may_settle_waiters(const Event& event) const {
  if (const auto* polled = std::get_if<Polled>(&event)) {
    const auto* report = std::get_if<sched::StatusReport>(&polled->result);
    if (report == nullptr) return false;
    const auto reporter = polled->server_key != 0 ? std::optional(polled->server_key)
                                                  : scheduler_.key_of(polled->server_id);
    const auto& rooms = scheduler_.rooms();
    for (const auto& room : report->rooms) {
      const sched::RoomRecord* held =
          room.key != sched::kNoRoomKey ? rooms.find(room.key) : rooms.find(room.room_id);
      if (held != nullptr && held->id != room.room_id) held = rooms.find(room.room_id);
      if (held != nullptr && (!reporter || held->server != *reporter)) return true;
    }
    return false;
  }
  return std::holds_alternative<ServerStarted>(event) ||
         std::holds_alternative<ServerStartFailed>(event) ||
         std::holds_alternative<Tick>(event) || std::holds_alternative<Probed>(event) ||
         std::holds_alternative<DrainConfirmed>(event) ||
         std::holds_alternative<DrainFailed>(event) ||
         std::holds_alternative<MembersRead>(event) ||
         std::holds_alternative<AdoptionFailed>(event) ||
         std::holds_alternative<DirectoryRead>(event) ||
         std::holds_alternative<DirectoryMoved>(event);
}

Effects ControlCore::handle(sched::Millis now, const Event& event) {
  Effects out;
  handle(now, event, out);
  return out;
}

void ControlCore::handle(sched::Millis now, const Event& event, Effects& out) {
  out_ = &out;
  now_ = std::max(now_, now);
  // Judged before: a report's claim of a room is visible only beforehand.
  const bool may_settle = !waiters_.empty() && may_settle_waiters(event);
  std::visit([this](const auto& e) { on(e); }, event);
  if (may_settle) wake_waiters();
  out_ = nullptr;
}

std::size_t ControlCore::requests_pending() const {
  std::size_t probing = 0;
  for (const auto& [id, probe] : probes_) probing += probe.askers.size();
  return creates_.size() + finds_.size() + probing +
         std::count_if(waiters_.begin(), waiters_.end(),
                       [this](const auto& w) { return !creates_.contains(w.first); });
}

std::string ControlCore::admin_host(const sched::ServerId& id, const std::string& host) const {
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
                   if (given_up_.contains(event.server_id)) return;
                   if (event.server_key != 0 && scheduler_.server_id(event.server_key) != nullptr &&
                       *scheduler_.server_id(event.server_key) == event.server_id) {
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
  log(LogLevel::warning, "session server " + id + " given up on; stopping it");
  fleet_effects_.stop_server(id);
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
