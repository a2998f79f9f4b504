// The clients: each comes, creates a room or picks one it heard of, looks
// it up at any replica (a load balancer's choice), joins the host it is
// given, stays a while and leaves, then rests and comes again. A client
// whose server crashed or stopped under it looks the room up again after
// a reconnect delay, naming the host it could not reach (?unreachable=);
// one closed by a drain (1012) looks it up again plainly. Told to wait
// (NoServerNow), it asks again after the Retry-After, a bounded number of
// times. Once the run is quiet nobody new comes and nobody leaves.
#include "sim/explore_world.h"

namespace sim::explore {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

constexpr std::size_t kKnownRoomsMax = 64;
constexpr int kCreatesPerArrivalMax = 3;

}  // namespace

int ExploreWorld::any_replica() {
  return static_cast<int>(uniform_int(client_rng_, 0, replicas() - 1));
}

core::RequestId ExploreWorld::submit(int replica, RequestKind kind, Ask ask,
                                     const std::function<core::Event(core::RequestId)>& make) {
  const core::RequestId request = ++requests_made_;
  checker_.on_request(request, replica, kind);
  core::Event event = make(request);
  if (auto* find = std::get_if<core::FindRoom>(&event)) checker_.on_lookup(request, find->room_id);
  asks_[request] = ask;
  send(replica, now_ms_ + latency(), std::move(event));
  return request;
}

void ExploreWorld::client_later(int c, std::int64_t delay_ms, std::function<void(Client&)> next) {
  const std::uint64_t step = ++clients_[c].step;
  at(now_ms_ + delay_ms, -1, [this, c, step, next = std::move(next)] {
    if (clients_[c].step != step) return;  // overtaken by a disconnect
    next(clients_[c]);
  });
}

void ExploreWorld::client_rest(int c) {
  Client& client = clients_[c];
  client.phase = Client::Phase::resting;
  client.room.clear();
  if (!busy()) return;
  const auto think_ms = static_cast<std::int64_t>(
      exponential(client_rng_, static_cast<double>(config_.clients.think_ms_mean)));
  client_later(c, think_ms, [this, c](Client&) { client_arrive(c); });
}

void ExploreWorld::client_arrive(int c) {
  if (!busy()) return;
  Client& client = clients_[c];
  client.lookups = 0;
  client.creates = 0;
  client.unreachable_host.reset();
  if (known_rooms_.empty() || uniform01(client_rng_) < config_.clients.create_share) {
    return client_create(c);
  }
  client.room = known_rooms_[uniform_int(client_rng_, 0,
                                         static_cast<std::int64_t>(known_rooms_.size()) - 1)];
  client_find(c);
}

void ExploreWorld::client_create(int c) {
  Client& client = clients_[c];
  client.phase = Client::Phase::creating;
  ++client.creates;
  const std::string creator = "client-" + std::to_string(c);
  const int unjoined_max = config_.clients.unjoined_rooms_max;
  submit(any_replica(), RequestKind::create, Ask{Asker::client, c},
         [&creator, unjoined_max](core::RequestId request) {
           return core::Event{core::CreateRoom{request, creator, unjoined_max}};
         });
}

void ExploreWorld::client_find(int c) {
  Client& client = clients_[c];
  if (++client.lookups > config_.clients.lookups_per_room_max) return client_rest(c);
  client.phase = Client::Phase::looking_up;
  submit(any_replica(), RequestKind::find, Ask{Asker::client, c},
         [&client](core::RequestId request) {
           return core::Event{core::FindRoom{request, client.room, client.unreachable_host}};
         });
}

void ExploreWorld::remember_room(const sched::RoomId& room_id) {
  known_rooms_.push_back(room_id);
  if (known_rooms_.size() > kKnownRoomsMax) known_rooms_.pop_front();
}

void ExploreWorld::client_answered(int c, const core::Reply& reply) {
  auto retry_after_ms = [](std::chrono::seconds retry) {
    return std::chrono::duration_cast<Millis>(retry).count();
  };
  auto created = Overloaded{
      [&](const core::RoomCreated& room) {
        clients_[c].room = room.room_id;
        remember_room(room.room_id);
        client_find(c);
      },
      [&](const core::NoServerNow& wait) {
        if (clients_[c].creates >= kCreatesPerArrivalMax) return client_rest(c);
        client_later(c, retry_after_ms(wait.retry_after),
                     [this, c](Client&) { client_create(c); });
      },
      [&](const core::TooManyUnjoinedRooms&) { client_rest(c); },
      [&](const core::PlacementFailed&) { client_rest(c); },
  };
  auto found = Overloaded{
      [&](const core::RoomAt& at_host) {
        clients_[c].phase = Client::Phase::connecting;
        client_later(c, latency(),
                     [this, c, host = at_host.host](Client&) { client_connect(c, host); });
      },
      [&](const core::RoomUnknown&) { client_rest(c); },
      [&](const core::NoServerNow& wait) {
        client_later(c, retry_after_ms(wait.retry_after), [this, c](Client&) { client_find(c); });
      },
      [&](const core::PlacementFailed&) { client_rest(c); },
  };
  std::visit(Overloaded{
                 [&](const core::CreateRoomResult& result) { std::visit(created, result); },
                 [&](const core::FindRoomResult& result) { std::visit(found, result); },
                 [](const core::DrainResult&) {},
             },
             reply);
}

void ExploreWorld::client_connect(int c, const std::string& host) {
  Client& client = clients_[c];
  const std::int64_t reconnect_ms = config_.clients.reconnect_delay_ms;
  const int index = server_by_address_.contains(host) ? server_by_address_[host] : -1;
  if (index < 0 || !servers_[index]->up()) {
    note(-1, "client " + std::to_string(c) + " cannot reach " + host);
    client.unreachable_host = host;
    return client_later(c, reconnect_ms, [this, c](Client&) { client_find(c); });
  }
  SessionServer& server = *servers_[index];
  client.unreachable_host.reset();
  const JoinOutcome joined = server.join(client.room, now());
  note(-1, "client " + std::to_string(c) + " joins " + client.room + " at " + server.id() + ": " +
               (joined == JoinOutcome::joined ? "in"
                : joined == JoinOutcome::full ? "full"
                                              : "closing"));
  switch (joined) {
    case JoinOutcome::joined:
      client.phase = Client::Phase::in_room;
      client.server = index;
      client.incarnation = server.incarnation();
      client.lookups = 0;
      if (!busy()) return;  // quiet: it stays to the end
      {
        const auto stay_ms = static_cast<std::int64_t>(
            exponential(client_rng_, static_cast<double>(config_.clients.stay_ms_mean)));
        client_later(c, stay_ms, [this, c](Client&) { client_leave(c); });
      }
      return;
    case JoinOutcome::full:
      return client_later(c, 1'000, [this, c](Client&) { client_find(c); });
    case JoinOutcome::closing:
      return client_later(c, reconnect_ms, [this, c](Client&) { client_find(c); });
  }
}

void ExploreWorld::client_leave(int c) {
  if (!busy()) return;  // quiet: it stays to the end
  Client& client = clients_[c];
  SessionServer& server = *servers_[client.server];
  if (server.up() && server.incarnation() == client.incarnation) {
    note(-1, "client " + std::to_string(c) + " leaves " + client.room + " at " + server.id());
    server.leave(client.room, now());
  }
  client_rest(c);
}

void ExploreWorld::disconnect_clients(int server, bool unreachable) {
  const std::string host = servers_[server]->host();
  for (int c = 0; c < static_cast<int>(clients_.size()); ++c) {
    Client& client = clients_[c];
    if (client.phase != Client::Phase::in_room || client.server != server) continue;
    client.phase = Client::Phase::looking_up;
    client.lookups = 0;
    if (unreachable) {
      client.unreachable_host = host;
    } else {
      client.unreachable_host.reset();
    }
    client_later(c, config_.clients.reconnect_delay_ms, [this, c](Client&) { client_find(c); });
  }
}

}  // namespace sim::explore
