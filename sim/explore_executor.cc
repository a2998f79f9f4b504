// Each effect a core emits, performed as the backend's executor performs it
// (server/backend/placement_effects.cc, scheduler_placement.cc), against
// the world's servers, fleet and store, over a network that delays, loses
// and reorders calls. The results come back as the executor's events,
// failures included: the executor decides nothing, and neither does this.
#include <algorithm>

#include "sim/explore_world.h"

namespace sim::explore {

// The caller's timeout, if any, fires unless the answer came first; a lost
// request does nothing at its target, a lost answer leaves what it did
// there; a late one does it after the caller gave up. Calls to the store
// share one connection a replica: they arrive, and are answered, in order.
void ExploreWorld::call(int r, Via via, std::int64_t timeout_ms,
                        std::function<void(const Respond&)> at_target,
                        std::function<void()> on_timeout) {
  auto settled = std::make_shared<bool>(false);
  if (on_timeout) {
    at(now_ms_ + timeout_ms, r, [settled, on_timeout = std::move(on_timeout)] {
      if (std::exchange(*settled, true)) return;
      on_timeout();
    });
  }
  bool answer_lost = false;
  std::int64_t late_ms = 0;
  // Session servers lose and delay answers at random; the store fails in
  // outages (store_call), as a Redis that is up answers every command.
  if (busy() && via == Via::http) {
    const double loss = config_.faults.call_loss_share;
    const double fate = uniform01(fault_rng_);
    if (fate < loss / 2) return;  // the request never arrives
    answer_lost = fate < loss;
    if (!answer_lost && fate < loss + config_.faults.call_late_share) {
      late_ms = timeout_ms + uniform_int(fault_rng_, 1, std::max<std::int64_t>(1, timeout_ms));
    }
  }
  std::int64_t arrival_ms = now_ms_ + latency() + late_ms;
  if (via == Via::store) {
    arrival_ms = std::max(arrival_ms, replicas_[r].store_arrival_last_ms);
    replicas_[r].store_arrival_last_ms = arrival_ms;
  }
  Respond respond = [this, r, via, settled, answer_lost](std::function<void()> at_caller) {
    if (answer_lost || !at_caller) return;
    std::int64_t back_ms = now_ms_ + latency();
    if (via == Via::store) {
      back_ms = std::max(back_ms, replicas_[r].store_answer_last_ms);
      replicas_[r].store_answer_last_ms = back_ms;
    }
    at(back_ms, r, [settled, at_caller = std::move(at_caller)] {
      if (std::exchange(*settled, true)) return;
      at_caller();
    });
  };
  at(arrival_ms, -1,
     [at_target = std::move(at_target), respond = std::move(respond)] { at_target(respond); });
}

// During an outage a command fails at once or is never answered.
void ExploreWorld::store_call(int r, std::function<void(const Respond&)> at_store,
                              std::function<void()> on_failure) {
  call(
      r, Via::store, config_.executor.store_timeout_ms,
      [this, at_store = std::move(at_store), on_failure](const Respond& respond) {
        if (now_ms_ < store_down_until_ms_) {
          if (on_failure && draw(0.5)) respond(on_failure);
          return;
        }
        at_store(respond);
      },
      on_failure);
}

SessionServer* ExploreWorld::listening_at(const std::string& address) {
  auto found = server_by_address_.find(address);
  return found == server_by_address_.end() ? nullptr : servers_[found->second].get();
}

int ExploreWorld::index_of(const sched::ServerId& id) const {
  auto found = server_by_id_.find(id);
  return found == server_by_id_.end() ? -1 : found->second;
}

void ExploreWorld::add_server(const core::Member& member) {
  const int index = static_cast<int>(servers_.size());
  servers_.push_back(
      std::make_unique<SessionServer>(member, config_.control.scheduler.room_capacity,
                                      Millis(config_.servers.empty_room_ttl_ms), config_.planted));
  server_by_id_[member.id] = index;
  server_by_address_[member.host] = index;
  if (!member.admin_host.empty()) server_by_address_[member.admin_host] = index;
}

void ExploreWorld::perform(int r, core::Answer& effect) {
  checker_.on_answer(r, effect, *this);
  auto node = asks_.extract(effect.request);
  if (node.empty()) return;
  const Ask ask = node.mapped();
  if (ask.asker != Asker::client) return;
  at(now_ms_ + latency(), -1,
     [this, client = ask.client, reply = effect.reply] { client_answered(client, reply); });
}

void ExploreWorld::perform(int r, core::WakeAt& effect) {
  at(effect.at.count(), r,
     [this, r, request = effect.request] { deliver(r, core::WakeUp{request}); });
}

void ExploreWorld::perform(int r, core::StartServer& effect) {
  const int n = static_cast<int>(servers_.size()) + 1;
  const std::string name = "s" + std::to_string(n) + ".sim";
  const long long pid = config_.fleet == FleetKind::local ? 1000 + n : 0;
  add_server(core::Member{effect.server_id, name + ":7000", name + ":7001", pid});
  const int index = static_cast<int>(servers_.size()) - 1;
  const bool fails = busy() && draw(config_.faults.start_failure_share);
  const std::int64_t ready_ms =
      now_ms_ + uniform_int(server_rng_, config_.servers.start_delay_ms_min,
                            config_.servers.start_delay_ms_max);
  // The fleet tells the replica that asked, as its callbacks do.
  at(ready_ms, -1, [this, r, index, fails] {
    SessionServer& server = *servers_[index];
    if (server.phase() != ServerPhase::starting) return;  // stopped while starting
    note(-1, server.id() + (fails ? " fails to start" : " is up"));
    if (fails) {
      server.go_down(ServerPhase::failed);
      send(r, now_ms_ + latency(),
           core::ServerStartFailed{server.id(), "exited before it answered"});
      return;
    }
    server.come_up();
    schedule_crash(index);
    send(r, now_ms_ + latency(), core::ServerStarted{server.member()});
  });
}

void ExploreWorld::perform(int, core::StopServer& effect) {
  const int index = index_of(effect.server_id);
  if (index < 0 || !servers_[index]->running()) return;
  note(-1, effect.server_id + " stopped");
  disconnect_clients(index, /*unreachable=*/true);
  servers_[index]->go_down(ServerPhase::stopped);
}

// The local fleet adopts a running process, or says it cannot; the others
// never can (and the core asks only for servers with a pid).
void ExploreWorld::perform(int r, core::AdoptServer& effect) {
  const int index = index_of(effect.server.id);
  const bool adopted =
      config_.fleet == FleetKind::local && index >= 0 && servers_[index]->running();
  if (!adopted) send(r, now_ms_, core::AdoptionFailed{effect.server.id});
}

void ExploreWorld::status_call(int r, const sched::ServerId& id, const std::string& address,
                               std::int64_t timeout_ms, bool probe) {
  auto heard = [this, r, id, probe](core::StatusResult result) {
    if (probe) return deliver(r, core::Probed{id, std::move(result)});
    deliver(r, core::Polled{id, std::move(result)});
  };
  call(
      r, Via::http, timeout_ms,
      [this, address, heard](const Respond& respond) {
        SessionServer* server = listening_at(address);
        // Nothing listens there: refused at once, which proves the process gone.
        core::StatusResult result = core::NotHeard{"connection refused", true};
        if (server != nullptr && server->up()) result = server->status(now());
        respond([heard, result] { heard(result); });
      },
      [heard] {
        heard(core::NotHeard{"timed out", false});
      });
}

void ExploreWorld::perform(int r, core::Poll& effect) {
  status_call(r, effect.server_id, effect.admin_host, config_.executor.poll_timeout_ms, false);
}

void ExploreWorld::perform(int r, core::Probe& effect) {
  status_call(r, effect.server_id, effect.admin_host, config_.executor.probe_timeout_ms, true);
}

void ExploreWorld::perform(int r, core::Reserve& effect) {
  auto answered = [this, r, request = effect.request](core::ReserveOutcome outcome) {
    deliver(r, core::ReservationAnswered{request, std::move(outcome)});
  };
  call(
      r, Via::http, config_.executor.reserve_timeout_ms,
      [this, answered, room_id = effect.room_id, address = effect.admin_host,
       ttl = Millis(effect.ttl)](const Respond& respond) {
        SessionServer* server = listening_at(address);
        core::ReserveOutcome outcome = core::ReservationFailed{"connection refused"};
        if (server != nullptr && server->up()) {
          const bool new_room = !server->rooms_users().contains(room_id);
          const bool draining = server->draining();
          outcome = server->reserve(room_id, now(), now() + ttl);
          if (draining && new_room && std::holds_alternative<core::Reserved>(outcome)) {
            reservations_while_draining_.push_back(server->id() + " reserved room " + room_id +
                                                   " while draining");
          }
        }
        respond([answered, outcome] { answered(outcome); });
      },
      [answered] { answered(core::ReservationFailed{"timed out"}); });
}

void ExploreWorld::perform(int r, core::DrainSession& effect) {
  const sched::ServerId id = effect.server_id;
  call(
      r, Via::http, config_.executor.drain_timeout_ms,
      [this, r, id, address = effect.admin_host](const Respond& respond) {
        const int index = server_by_address_.contains(address) ? server_by_address_[address] : -1;
        if (index < 0 || !servers_[index]->up()) {
          return respond([this, r, id] {
            deliver(r, core::DrainFailed{id, "connection refused"});
          });
        }
        SessionServer& server = *servers_[index];
        disconnect_clients(index, /*unreachable=*/false);
        std::vector<std::string> rooms = server.drain(now());
        const int incarnation = server.incarnation();
        // It answers once its clients are closed and its history stored.
        at(now_ms_ + config_.servers.drain_confirm_ms, -1,
           [this, r, id, index, incarnation, respond, rooms = std::move(rooms)] {
             if (servers_[index]->incarnation() != incarnation || !servers_[index]->up()) {
               return respond([this, r, id] {
                 deliver(r, core::DrainFailed{id, "connection reset"});
               });
             }
             respond([this, r, id, rooms] { deliver(r, core::DrainConfirmed{id, rooms, 0}); });
           });
      },
      [this, r, id] {
        deliver(r, core::DrainFailed{id, "timed out"});
      });
}

void ExploreWorld::perform(int r, core::ReadDirectory& effect) {
  const core::RequestId request = effect.request;
  store_call(
      r,
      [this, r, request, room_id = effect.room_id](const Respond& respond) {
        core::DirectoryResult result = core::DirectoryAbsent{};
        if (auto entry = store_.read_room(room_id, now())) result = *entry;
        respond([this, r, request, result] { deliver(r, core::DirectoryRead{request, result}); });
      },
      [this, r, request] {
        deliver(r, core::DirectoryRead{request, core::DirectoryDown{"Redis did not answer"}});
      });
}

void ExploreWorld::perform(int r, core::PlaceInDirectory& effect) {
  const core::RequestId request = effect.request;
  std::function<void()> not_written;
  if (request != core::kNoRequest) {
    not_written = [this, r, request] { deliver(r, core::DirectoryPlaced{request, false}); };
  }
  store_call(
      r,
      [this, r, effect](const Respond& respond) {
        store_.place_room(effect.room_id, effect.entry, effect.ttl, now());
        if (effect.request == core::kNoRequest) return;
        respond([this, r, request = effect.request] {
          deliver(r, core::DirectoryPlaced{request, true});
        });
      },
      not_written);
}

void ExploreWorld::perform(int r, core::MoveInDirectory& effect) {
  const core::RequestId request = effect.request;
  std::function<void()> not_answered;
  if (request != core::kNoRequest) {
    not_answered = [this, r, request] { deliver(r, core::DirectoryMoved{request, std::nullopt}); };
  }
  store_call(
      r,
      [this, r, effect](const Respond& respond) {
        auto elsewhere =
            store_.move_room(effect.room_id, effect.from, effect.to, effect.ttl, now());
        if (effect.request == core::kNoRequest) return;
        respond([this, r, request = effect.request, elsewhere] {
          deliver(r, core::DirectoryMoved{request, elsewhere});
        });
      },
      not_answered);
}

void ExploreWorld::perform(int r, core::FreeInDirectory& effect) {
  store_call(
      r,
      [this, effect](const Respond&) {
        store_.free_room(effect.room_id, effect.server_id, now());
      },
      nullptr);
}

void ExploreWorld::perform(int r, core::ReadMembers&) {
  store_call(
      r,
      [this, r](const Respond& respond) {
        respond([this, r, members = store_.members()] { deliver(r, core::MembersRead{members}); });
      },
      [this, r] { deliver(r, core::MembersRead{std::nullopt}); });
}

void ExploreWorld::perform(int r, core::AddMember& effect) {
  store_call(
      r,
      [this, effect](const Respond&) { store_.add_member(effect.member, effect.fencing_token); },
      nullptr);
}

void ExploreWorld::perform(int r, core::RemoveMember& effect) {
  store_call(
      r,
      [this, effect](const Respond&) {
        store_.remove_member(effect.server_id, effect.fencing_token);
      },
      nullptr);
}

void ExploreWorld::perform(int r, core::ReportShortage&) {
  // Lives a lease's time: the holder acts on it within one tick, or it goes.
  store_call(
      r,
      [this, r](const Respond&) {
        store_.report_shortage(replicas_[r].name, Millis(config_.executor.lease_ttl_ms), now());
      },
      nullptr);
}

void ExploreWorld::perform(int r, core::ReadShortage&) {
  store_call(
      r,
      [this, r](const Respond& respond) {
        auto who = store_.shortage(now());
        if (!who) return;
        respond([this, r, who = *who] { deliver(r, core::ShortageSeen{who}); });
      },
      nullptr);
}

void ExploreWorld::perform(int r, core::ReleaseLease&) {
  LeaseAgent& lease = replicas_[r].lease;
  if (!lease.held) return;
  lease.held = false;
  store_call(
      r,
      [this, r, token = lease.token](const Respond&) {
        store_.release_lease(replicas_[r].name, token, now());
      },
      nullptr);
}

// Logs and metrics change nothing in the world.
void ExploreWorld::perform(int, core::Log&) {}
void ExploreWorld::perform(int, core::Count&) {}

}  // namespace sim::explore
