// Replicated backends (README, "Replicas, restarts and the lease"): with a
// control store in Redis, any number of backends place rooms and answer
// look-ups; one at a time, the holder of the fleet lease, starts, stops and
// drains servers. What they share:
//
// - the room directory: each backend writes the rooms it places and moves
//   (moves by compare-and-set, so two backends moving one room agree), and
//   reads it for rooms its own table lacks; the holder also writes every
//   room a server reports with members, so the directory is rebuilt from
//   the servers after any loss, and frees the entries of rooms let go;
// - the fleet's members: the holder writes each server it starts or adopts
//   (fenced by its token), every backend registers the servers listed, and
//   a backend that takes the lease adopts them (the local fleet by pid).
#include <boost/asio/post.hpp>
#include <iostream>
#include <set>

#include "server/backend/scheduler_placement.h"

namespace chat {

namespace net = boost::asio;

bool SchedulerPlacement::manages_fleet() const {
  if (!options_.replicas.redis) return true;
  return lease_held_ && lease_ && lease_->held();
}

void SchedulerPlacement::start_replicas() {
  if (!options_.replicas.redis) return;
  control::LeaseOptions lease_options;
  lease_options.holder = options_.replicas.replica_id;
  lease_options.ttl = options_.replicas.lease_ttl;
  // Three renewals a lifetime: one lost reply does not lose the lease.
  lease_options.renew_interval = options_.replicas.lease_ttl / 3;
  lease_ = control::FleetLease::create(
      options_.replicas.redis, lease_options,
      [this](std::uint64_t token) {
        net::post(strand_, [this, token] { on_lease_gained(token); });
      },
      [this] { net::post(strand_, [this] { on_lease_lost(); }); });
  lease_->start();
}

void SchedulerPlacement::on_lease_gained(std::uint64_t token) {
  if (stopped_) return;
  lease_held_ = true;
  fence_token_ = token;
  lease_acquisitions_.Increment();
  lease_held_gauge_.Set(1);
  lease_token_gauge_.Set(static_cast<double>(token));
  confirmed_.clear();  // written again from the next reports: the directory is rebuilt
  members_read_in_flight_ = false;
  sync_members();  // adopt the previous holder's servers now, not at the next tick
}

void SchedulerPlacement::on_lease_lost() {
  lease_held_ = false;
  lease_held_gauge_.Set(0);
  confirmed_.clear();
}

void SchedulerPlacement::sync_members() {
  if (lease_) {
    auto state = lease_->state();
    lease_token_gauge_.Set(static_cast<double>(state.token));
    if (lease_held_ && !lease_->held()) on_lease_lost();
  }
  // A static fleet's servers come from every replica's own settings.
  if (!members_ || fleet_.name() == "static" || members_read_in_flight_ || stopped_) return;
  members_read_in_flight_ = true;
  members_->read([this](std::optional<std::vector<control::Member>> members) {
    net::post(strand_, [this, members = std::move(members)] {
      members_read_in_flight_ = false;
      if (members && !stopped_) on_members(*members);
    });
  });
}

void SchedulerPlacement::on_members(const std::vector<control::Member>& members) {
  const bool holder = manages_fleet();
  std::set<sched::ServerId> listed;
  for (const auto& member : members) {
    listed.insert(member.id);
    auto known = scheduler_.server(member.id);
    if (holder && member.pid > 0 &&
        !fleet_.adopt({member.id, member.host, member.admin_host, member.pid}) &&
        fleet_.name() == "local") {
      // Its process is gone (the machine's, since the local fleet runs here).
      std::cerr << "backend: session server " << member.id << " (pid " << member.pid
                << ") is not running any more; taking it out of the fleet\n";
      members_->remove(member.id, fence_token_, nullptr);
      if (known) scheduler_.mark_gone(member.id, now());
      continue;
    }
    if (!known) {
      admin_hosts_[member.id] = member.admin_host;
      scheduler_.on_server_started(member.id, member.host, now());
    }
  }
  for (const auto& server : scheduler_.servers()) {
    if (listed.contains(server.id) || server.state == sched::ServerState::starting) continue;
    if (holder) {
      // Ours and not listed (started before the store answered, or adopted
      // from a record): listed now, so the other replicas place on it.
      if (server.state != sched::ServerState::gone && !server.host.empty()) {
        long long pid = 0;
        for (const auto& running : fleet_.running_servers()) {
          if (running.id == server.id) pid = running.pid;
        }
        members_->add({server.id, server.host, operators_host(server), pid}, fence_token_, nullptr);
      }
    } else if (server.state != sched::ServerState::gone) {
      // The holder stopped it (idle, or drained): no more rooms go there.
      scheduler_.mark_gone(server.id, now());
    }
  }
  changed("the fleet's members");
}

void SchedulerPlacement::publish_member(const sched::RunningServer& server) {
  if (!members_ || !lease_held_) return;
  members_->add({server.id, server.host, server.admin_host, server.pid}, fence_token_,
                [id = server.id](control::WriteResult result) {
                  if (result == control::WriteResult::fenced) {
                    std::cerr << "backend: a newer fleet lease holder exists; session server " << id
                              << " was not listed by this replica\n";
                  }
                });
}

void SchedulerPlacement::publish_placed(const sched::RoomId& room_id, std::function<void()> then) {
  auto server_id = scheduler_.server_of(room_id);
  auto server = server_id ? scheduler_.server(*server_id) : std::nullopt;
  if (!directory_ || !server) return then();
  // Until someone joins: the entry of a room nobody joins goes by itself.
  const auto ttl = scheduler_.config().join_deadline * 2;
  directory_->place(room_id, {server->id, server->host}, ttl,
                    [this, room_id, then = std::move(then)](bool written) {
                      if (!written) {
                        std::cerr << "backend: room " << room_id
                                  << " is not in the shared directory (Redis did not answer): "
                                     "only this replica knows where it is\n";
                      }
                      net::post(strand_, then);
                    });
}

void SchedulerPlacement::publish_moved(
    const sched::RoomId& room_id, const sched::ServerId& from,
    std::function<void(std::optional<control::RoomEntry>)> then) {
  auto server_id = scheduler_.server_of(room_id);
  auto server = server_id ? scheduler_.server(*server_id) : std::nullopt;
  if (!directory_ || !server) return then(std::nullopt);
  directory_->move(room_id, from, {server->id, server->host}, scheduler_.config().join_deadline * 2,
                   [this, then = std::move(then)](control::MoveResult result) {
                     net::post(strand_, [then, result = std::move(result)] {
                       then(result.moved ? std::nullopt : result.current);
                     });
                   });
}

void SchedulerPlacement::confirm_reported(const sched::ServerId& id,
                                          const sched::StatusReport& report) {
  if (!directory_ || !manages_fleet()) return;
  std::optional<sched::ServerView> server;
  for (const auto& room : report.rooms) {
    if (room.users <= 0) continue;
    auto found = confirmed_.find(room.room_id);
    if (found != confirmed_.end() && found->second == id) continue;
    if (scheduler_.server_of(room.room_id) != id) continue;
    if (!server) server = scheduler_.server(id);
    if (!server || server->host.empty()) return;
    // No time to live: it has members; freed when the table lets it go.
    directory_->place(room.room_id, {id, server->host}, std::chrono::milliseconds(0), nullptr);
    confirmed_[room.room_id] = id;
  }
}

void SchedulerPlacement::free_confirmed() {
  if (!directory_) return;
  if (!manages_fleet()) {
    confirmed_.clear();
    return;
  }
  std::erase_if(confirmed_, [this](const auto& entry) {
    auto now_on = scheduler_.server_of(entry.first);
    if (now_on == entry.second) return false;
    // Let go by the table (emptied, never joined, dropped): out of the
    // directory, unless another server has it there by now.
    if (!now_on) directory_->free(entry.first, entry.second);
    return true;
  });
}

void SchedulerPlacement::find_shared(const std::string& room_id,
                                     std::chrono::steady_clock::time_point deadline,
                                     std::function<void(FindRoomResult)> done) {
  auto server_id = scheduler_.server_of(room_id);
  if (server_id) {
    auto server = scheduler_.server(*server_id);
    const bool moving =
        server && (server->state == sched::ServerState::gone ||
                   (server->state == sched::ServerState::draining && !server->drain_requested));
    // The common case: the table has it on a live server. No Redis on this path.
    if (!moving) return find_or_wait(room_id, deadline, std::move(done));
  }
  directory_->find(room_id, [this, room_id, deadline,
                             done = std::move(done)](control::DirectoryRead read) mutable {
    net::post(strand_,
              [this, room_id, deadline, done = std::move(done), read = std::move(read)]() mutable {
                const bool in_table = scheduler_.server_of(room_id).has_value();
                if (auto* down = std::get_if<control::DirectoryDown>(&read)) {
                  directory_reads_.Add({{"result", "down"}}).Increment();
                  if (in_table) return settle_and_publish(room_id, deadline, std::move(done));
                  return done(NoServerNow{
                      "The room directory cannot be read (" + down->why + "); try again soon",
                      std::chrono::seconds(1)});
                }
                if (std::holds_alternative<control::NoEntry>(read)) {
                  directory_reads_.Add({{"result", "absent"}}).Increment();
                  return settle_and_publish(room_id, deadline, std::move(done));
                }
                directory_reads_.Add({{"result", "found"}}).Increment();
                const auto& entry = std::get<control::RoomEntry>(read);
                if (scheduler_.server_of(room_id) == entry.server_id ||
                    scheduler_.adopt_room(room_id, entry.server_id, now())) {
                  changed("a room from the directory");
                  return settle_and_publish(room_id, deadline, std::move(done));
                }
                // A server this backend does not know yet, or full in its view: the
                // directory's word stands.
                done(RoomAt{entry.host});
              });
  });
}

void SchedulerPlacement::settle_and_publish(const std::string& room_id,
                                            std::chrono::steady_clock::time_point deadline,
                                            std::function<void(FindRoomResult)> done) {
  if (stopped_) {
    return done(NoServerNow{"The backend is shutting down; try again", std::chrono::seconds(1)});
  }
  const auto before = scheduler_.server_of(room_id);
  auto settled = settle(room_id);
  const auto after = scheduler_.server_of(room_id);
  if (!replicated() || !before || !after || *before == *after) {
    if (settled) return done(std::move(*settled));
    return find_or_wait(room_id, deadline, std::move(done));
  }
  changed("a room placed again");
  publish_moved(room_id, *before,
                [this, room_id, deadline, settled = std::move(settled),
                 done = std::move(done)](std::optional<control::RoomEntry> elsewhere) mutable {
                  if (elsewhere) {
                    // Another backend moved it first: follow it there.
                    if (scheduler_.adopt_room(room_id, elsewhere->server_id, now())) {
                      changed("a room moved by another backend");
                      return find_or_wait(room_id, deadline, std::move(done));
                    }
                    return done(RoomAt{elsewhere->host});
                  }
                  if (settled) return done(std::move(*settled));
                  find_or_wait(room_id, deadline, std::move(done));
                });
}

void SchedulerPlacement::report_shortage() {
  if (!replicated() || manages_fleet()) return;
  auto& redis = options_.replicas.redis;
  redis->command({"SET", redis->key("fleet:shortage"), options_.replicas.replica_id, "PX",
                  std::to_string(options_.replicas.lease_ttl.count())},
                 nullptr);
}

void SchedulerPlacement::take_shortage() {
  if (!replicated() || !manages_fleet()) return;
  auto& redis = options_.replicas.redis;
  // Read, not taken: while this view still shows a free slot (its reports
  // lag a poll behind), the shortage stays until it expires or is acted on.
  redis->command({"GET", redis->key("fleet:shortage")}, [this](const redisReply* reply) {
    auto who = control::reply_string(reply);
    if (!who) return;
    net::post(strand_, [this, who = *who] {
      if (stopped_ || !manages_fleet()) return;
      if (scheduler_.on_shortage(now())) {
        std::cout << "backend: replica " << who << " found every server full; starting one"
                  << std::endl;
      }
      changed("a shortage another replica saw");
    });
  });
}

boost::json::object SchedulerPlacement::describe_lease() const {
  if (!lease_) {
    return {{"enabled", false}, {"held", true}, {"replica", options_.replicas.replica_id}};
  }
  auto state = lease_->state();
  return {{"enabled", true},
          {"replica", options_.replicas.replica_id},
          {"held", manages_fleet()},
          {"holder", state.holder},
          {"fencingToken", state.token},
          {"acquisitions", state.acquisitions},
          {"ttlMs", options_.replicas.lease_ttl.count()}};
}

}  // namespace chat
