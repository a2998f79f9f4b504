// The executor's half of SchedulerPlacement: each kind of effect the core
// returns, carried out with the fleet, HTTP and Redis, and its result fed
// back to the core as an event on the strand. Nothing here chooses.
#include <boost/asio/post.hpp>
#include <iostream>

#include "server/backend/scheduler_placement.h"
#include "logging/log.h"

namespace chat {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

void SchedulerPlacement::perform(core::Answer& effect) {
  auto node = requests_.extract(effect.request);
  if (node.empty()) return;
  Request& request = node.mapped();
  if (request.wake) request.wake->cancel();
  if (request.creates) {
    exporter_.observe_placement(
        std::chrono::duration<double>(Clock::now() - request.started).count());
  }
  request.answer(std::move(effect.reply));
}

void SchedulerPlacement::perform(core::WakeAt& effect) {
  auto found = requests_.find(effect.request);
  if (found == requests_.end()) return;
  auto& wake = found->second.wake;
  if (!wake) wake = std::make_unique<net::steady_timer>(strand_);
  const auto in = effect.at - std::chrono::duration_cast<sched::Millis>(
                                  Clock::now().time_since_epoch());
  wake->expires_after(in);
  wake->async_wait([this, id = effect.request](boost::system::error_code ec) {
    if (!ec) run(core::WakeUp{id});
  });
}

void SchedulerPlacement::perform(core::StartServer& effect) {
  starts_[effect.server_id] = Clock::now();
  if (!fleet_.start_server(effect.server_id)) {
    starts_.erase(effect.server_id);
    post(core::ServerStartFailed{effect.server_id, "the " + fleet_.name() +
                                                       " fleet could not start it (see the log)"});
  }
}

void SchedulerPlacement::perform(core::StopServer& effect) {
  starts_.erase(effect.server_id);
  fleet_.stop_server(effect.server_id);
}

void SchedulerPlacement::perform(core::AdoptServer& effect) {
  const auto& s = effect.server;
  if (!fleet_.adopt({s.id, s.host, s.admin_host, s.pid})) post(core::AdoptionFailed{s.id});
}

void SchedulerPlacement::perform(core::Poll& effect) {
  poller_.poll(effect.server_id, effect.admin_host);
}

void SchedulerPlacement::perform(core::Probe& effect) {
  prober_.poll(effect.server_id, effect.admin_host);
}

void SchedulerPlacement::perform(core::Reserve& effect) {
  reservations_.reserve(effect.admin_host, effect.room_id, effect.ttl,
                        [this, id = effect.request](ReserveOutcome outcome) {
                          run(core::ReservationAnswered{id, std::move(outcome)});
                        });
}

void SchedulerPlacement::perform(core::DrainSession& effect) {
  session_drain_.drain(effect.admin_host,
                       [this, id = effect.server_id](SessionDrainResult result) {
                         if (auto* drained = std::get_if<SessionDrained>(&result)) {
                           return run(core::DrainConfirmed{id, drained->rooms, drained->unstored});
                         }
                         run(core::DrainFailed{id, std::get<SessionDrainFailed>(result).why});
                       });
}

void SchedulerPlacement::perform(core::ReadDirectory& effect) {
  directory_->find(effect.room_id, [this, id = effect.request](control::DirectoryRead read) {
    core::DirectoryResult result = core::DirectoryAbsent{};
    if (auto* entry = std::get_if<control::RoomEntry>(&read)) {
      result = core::DirectoryEntry{entry->server_id, entry->host};
    } else if (auto* down = std::get_if<control::DirectoryDown>(&read)) {
      result = core::DirectoryDown{down->why};
    }
    post(core::DirectoryRead{id, std::move(result)});
  });
}

void SchedulerPlacement::perform(core::PlaceInDirectory& effect) {
  std::function<void(bool)> done;
  if (effect.request != core::kNoRequest) {
    done = [this, id = effect.request](bool written) { post(core::DirectoryPlaced{id, written}); };
  }
  directory_->place(effect.room_id, {effect.entry.server_id, effect.entry.host}, effect.ttl,
                    std::move(done));
}

void SchedulerPlacement::perform(core::MoveInDirectory& effect) {
  directory_->move(effect.room_id, effect.from, {effect.to.server_id, effect.to.host}, effect.ttl,
                   [this, id = effect.request](control::MoveResult result) {
                     if (id == core::kNoRequest) return;
                     std::optional<core::DirectoryEntry> elsewhere;
                     if (!result.moved && result.current) {
                       elsewhere = core::DirectoryEntry{result.current->server_id,
                                                        result.current->host};
                     }
                     post(core::DirectoryMoved{id, std::move(elsewhere)});
                   });
}

void SchedulerPlacement::perform(core::FreeInDirectory& effect) {
  directory_->free(effect.room_id, effect.server_id);
}

void SchedulerPlacement::perform(core::ReadMembers&) {
  members_->read([this](std::optional<std::vector<control::Member>> read) {
    core::MembersRead event;
    if (read) {
      event.members.emplace();
      for (auto& m : *read) event.members->push_back({m.id, m.host, m.admin_host, m.pid});
    }
    post(std::move(event));
  });
}

void SchedulerPlacement::perform(core::AddMember& effect) {
  const auto& m = effect.member;
  members_->add({m.id, m.host, m.admin_host, m.pid}, effect.fencing_token,
                [id = m.id](control::WriteResult result) {
                  if (result == control::WriteResult::fenced) {
                    logging::warning("a newer fleet lease holder exists; session server " +
                                     id + " was not listed by this replica");
                  }
                });
}

void SchedulerPlacement::perform(core::RemoveMember& effect) {
  members_->remove(effect.server_id, effect.fencing_token, nullptr);
}

void SchedulerPlacement::perform(core::ReportShortage&) {
  auto& redis = options_.replicas.redis;
  // Lives a lease's time: the holder acts on it within one tick, or it goes.
  redis->command({"SET", redis->key("fleet:shortage"), options_.replicas.replica_id, "PX",
                  std::to_string(options_.replicas.lease_ttl.count())},
                 nullptr);
}

void SchedulerPlacement::perform(core::ReadShortage&) {
  auto& redis = options_.replicas.redis;
  // Read, not taken: while the holder's view still shows a free slot (its
  // reports lag a poll behind), the shortage stays until it expires.
  redis->command({"GET", redis->key("fleet:shortage")}, [this](const redisReply* reply) {
    if (auto who = control::reply_string(reply)) post(core::ShortageSeen{*who});
  });
}

void SchedulerPlacement::perform(core::ReleaseLease&) {
  if (lease_) lease_->release(std::exchange(stopped_then_, nullptr));
}

void SchedulerPlacement::perform(core::Log& effect) {
  if (effect.level == core::LogLevel::info) return logging::info(effect.text);
  // A failing server or store can make many in a second: a few lines and a count.
  logging::limited(logging::Level::warning, "control-plane warnings", effect.text);
}

void SchedulerPlacement::perform(core::Count& effect) { control_metrics_.count(effect); }

}  // namespace chat
