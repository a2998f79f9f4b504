// The simulator as the control core's executor: requests go in as the
// backend's API would send them, and every effect is answered as the
// simulated session servers would answer it (a reservation, a failover
// probe, a drain), at once: the simulated network has no latency. Polls are
// not the core's to ask here: poll_round (fleet_events.cc) reports only the
// servers whose status changed, which leaves the same table.
#include <variant>

#include "sim/simulator.h"

namespace sim {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace

template <class Request>
bool Simulator::ask(const Request& request, PendingRequest pending, SimulatedRoom& room,
                    SimulatedUser* user) {
  asking_ = request.request;
  asking_for_ = pending;
  asking_room_ = &room;
  asking_user_ = user;
  answered_at_once_ = false;
  drive(request);
  asking_ = 0;
  if (!answered_at_once_) pending_.emplace(request.request, pending);
  return answered_at_once_;
}

template <class E>
void Simulator::drive(const E& event) {
  if (driving_) {  // an effect's result: fed after the effects before it
    inbox_.emplace_back(event);
    return;
  }
  driving_ = true;
  feed(event);
  // By index: feeding appends to the inbox (which may move its elements);
  // an event is not touched once the core has taken it.
  for (std::size_t next = 0; next < inbox_.size(); ++next) feed(inbox_[next]);
  inbox_.clear();
  driving_ = false;
}

void Simulator::after_scheduler_call() {
  if (config_.check_every > 0 && ++calls_since_check_ >= config_.check_every) {
    calls_since_check_ = 0;
    check_due_ = true;  // checked between steps, when the books balance
  }
}

template <class E>
void Simulator::feed(const E& event) {
  effects_.clear();
  core_.handle(clock_.now(), event, effects_);
  after_scheduler_call();
  // perform() only appends to the inbox: effects_ stays as it is.
  for (core::Effect& effect : effects_) perform(effect);
}

void Simulator::perform(core::Effect& effect) {
  std::visit(
      Overloaded{
          [this](core::Answer& answer) {
            if (answer.request == asking_) {
              answered_at_once_ = true;
              return answered_at_once(answer.reply);
            }
            auto node = pending_.extract(answer.request);
            if (!node.empty()) answered(node.mapped(), answer.reply);
          },
          [this](core::WakeAt& wake) {
            queue_.push(wake.at.count(), SimEvent{SimEventKind::core_wake, 0, wake.request, 0});
          },
          [this](core::StartServer& start) {
            if (!fleet_.start_named(start.server_id)) {
              drive(core::ServerStartFailed{start.server_id, "the simulated fleet is full"});
            }
          },
          [this](core::StopServer& stop) { fleet_.stop_server(stop.server_id); },
          [this](core::Probe& probe) {
            const auto index = fleet_.index_of_id(probe.server_id);
            if (index && fleet_.at(*index).phase == ServerPhase::running) {
              return drive(core::Probed{probe.server_id, fleet_.status(*index)});
            }
            // Crashed or stopped: nothing listens there any more.
            drive(core::Probed{probe.server_id, core::NotHeard{"connection refused", true}});
          },
          [this](core::Reserve& reserve) {
            const auto index = fleet_.index_of_id(reserve.server_id);
            if (!index || fleet_.at(*index).phase != ServerPhase::running) {
              return drive(
                  core::ReservationAnswered{reserve.request, core::ReservationFailed{"refused"}});
            }
            if (fleet_.at(*index).draining) {
              return drive(core::ReservationAnswered{reserve.request,
                                                     core::ReservationRefused{"draining"}});
            }
            // Its server should report soon, so that a room nobody joins is freed.
            fleet_.mark_report_due(*index);
            drive(core::ReservationAnswered{reserve.request, core::Reserved{}});
          },
          [this](core::DrainSession& drain) { begin_drain(drain.server_id); },
          // One backend, no shared store; polls are poll_round's.
          [](auto&) {},
      },
      effect);
}

void Simulator::answered_at_once(core::Reply& reply) {
  if (asking_for_.creates) {
    return on_create_answer(*asking_room_, std::get<core::CreateRoomResult>(reply));
  }
  on_lookup_answer(asking_for_.id, *asking_user_, *asking_room_,
                   std::get<core::FindRoomResult>(reply));
}

void Simulator::answered(const PendingRequest& pending, core::Reply& reply) {
  if (pending.creates) {
    SimulatedRoom* room = rooms_.find(pending.id);
    if (room == nullptr) return;
    return on_create_answer(*room, std::get<core::CreateRoomResult>(reply));
  }
  SimulatedUser* user = users_.find(pending.id);
  if (user == nullptr || user->retry_token != pending.token) return;  // left, or moved on
  if (user->phase != UserPhase::waiting && user->phase != UserPhase::reconnecting) return;
  on_lookup_answer(pending.id, *user, rooms_.at(user->room), std::get<core::FindRoomResult>(reply));
}

// The requests the simulator asks, and the other kinds it drives (users.cc,
// failover.cc, fleet_events.cc, simulator.cc); those of this file's effects
// follow from perform().
template bool Simulator::ask(const core::CreateRoom&, PendingRequest, SimulatedRoom&,
                             SimulatedUser*);
template bool Simulator::ask(const core::FindRoom&, PendingRequest, SimulatedRoom&, SimulatedUser*);
template void Simulator::drive(const core::ServerStarted&);
template void Simulator::drive(const core::Polled&);
template void Simulator::drive(const core::Tick&);
template void Simulator::drive(const core::WakeUp&);
template void Simulator::drive(const core::DrainConfirmed&);
template void Simulator::drive(const core::DrainFailed&);

}  // namespace sim
