#include "scheduler/fleets/hathora_fleet.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>
#include <iostream>

#include "scheduler/fleets/hathora_api.h"
#include "logging/log.h"

namespace sched {

namespace net = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::chrono::milliseconds kCallTimeout{10000};

void after(net::io_context& io, std::chrono::milliseconds delay, std::function<void()> then) {
  auto timer = std::make_shared<net::steady_timer>(io, delay);
  timer->async_wait([timer, then = std::move(then)](boost::system::error_code ec) {
    if (!ec) then();
  });
}

}  // namespace

HathoraFleet::HathoraFleet(net::io_context& io, HathoraOptions options)
    : io_(io), options_(std::move(options)), client_(io.get_executor()) {}

void HathoraFleet::set_callbacks(Ready ready, Failed failed) {
  ready_ = std::move(ready);
  failed_ = std::move(failed);
}

void HathoraFleet::call(std::string method, std::string path, std::string body, int attempt,
                        Done done) {
  network::HttpRequest request;
  request.method = method;
  request.url = options_.api_url + path;
  request.body = body;
  request.bearer = options_.token;
  request.timeout = kCallTimeout;
  client_.async_fetch(request, [this, method, path, body, attempt,
                                done = std::move(done)](network::HttpResponse response) mutable {
    bool retry = !response.answered() || response.status == 429 || response.status >= 500;
    if (!retry || attempt >= options_.retries_max) return done(response);
    after(io_, hathora::retry_delay(response.retry_after, attempt),
          [this, method, path, body, attempt, done = std::move(done)]() mutable {
            call(method, path, body, attempt + 1, std::move(done));
          });
  });
}

ServerId HathoraFleet::next_server_id() {
  std::lock_guard lock(mutex_);
  return "hathora-" + std::to_string(next_id_++);
}

bool HathoraFleet::start_server(const ServerId& id) {
  {
    std::lock_guard lock(mutex_);
    Instance& instance = instances_[id];
    instance.started = Clock::now();
    instance.hathora_room_id = hathora::new_room_id();
  }
  net::post(io_, [this, id] { create(id, 0); });
  return true;
}

namespace {

std::string describe(const network::HttpResponse& response) {
  return response.answered()
             ? "HTTP " + std::to_string(response.status) + " " + response.body.substr(0, 200)
             : response.error;
}

}  // namespace

std::string HathoraFleet::room_of(const ServerId& id) {
  std::lock_guard lock(mutex_);
  auto it = instances_.find(id);
  return it == instances_.end() ? std::string() : it->second.hathora_room_id;
}

void HathoraFleet::create(const ServerId& id, int attempt) {
  std::string room = room_of(id);
  if (room.empty()) return;  // stopped meanwhile
  network::HttpRequest request;
  request.method = "POST";
  request.url = options_.api_url + "/rooms/v2/" + options_.app_id + "/create?roomId=" + room;
  request.body = boost::json::serialize(boost::json::object{{"region", options_.region}});
  request.bearer = options_.token;
  request.timeout = kCallTimeout;
  client_.async_fetch(request, [this, id, attempt](network::HttpResponse response) {
    if (response.answered() && response.status / 100 == 2) return created(id);
    bool may_have_happened = !response.answered() || response.status >= 500;
    bool refused_for_now = response.answered() && response.status == 429;
    if ((!may_have_happened && !refused_for_now) || attempt >= options_.retries_max) {
      return fail(id, "create room: " + describe(response));
    }
    auto delay = hathora::retry_delay(response.retry_after, attempt);
    if (refused_for_now) return after(io_, delay, [this, id, attempt] { create(id, attempt + 1); });
    after(io_, delay, [this, id, attempt] { confirm(id, attempt + 1); });
  });
}

void HathoraFleet::confirm(const ServerId& id, int attempt) {
  std::string room = room_of(id);
  if (room.empty()) return;
  network::HttpRequest request;
  request.url = options_.api_url + "/rooms/v2/" + options_.app_id + "/connectioninfo/" + room;
  request.bearer = options_.token;
  request.timeout = kCallTimeout;
  client_.async_fetch(request, [this, id, attempt](network::HttpResponse response) {
    if (response.answered() && response.status == 200) return created(id);  // it went through
    if (response.answered() && response.status == 404) return create(id, attempt);  // it did not
    if (attempt >= options_.retries_max) {
      return fail(id, "create room: could not tell whether it was created: " + describe(response));
    }
    after(io_, hathora::retry_delay(response.retry_after, attempt),
          [this, id, attempt] { confirm(id, attempt + 1); });
  });
}

void HathoraFleet::created(const ServerId& id) {
  std::string room;
  bool stop_now = false;
  {
    std::lock_guard lock(mutex_);
    auto it = instances_.find(id);
    if (it == instances_.end()) return;
    it->second.created = true;
    room = it->second.hathora_room_id;
    stop_now = it->second.stop_requested;
    if (stop_now) instances_.erase(it);
  }
  if (stop_now) return destroy(room);
  poll(id);
}

void HathoraFleet::poll(const ServerId& id) {
  std::string hathora_room;
  Clock::time_point started;
  {
    std::lock_guard lock(mutex_);
    auto it = instances_.find(id);
    if (it == instances_.end()) return;
    hathora_room = it->second.hathora_room_id;
    started = it->second.started;
  }
  if (Clock::now() - started > options_.start_timeout) {
    return fail(id, "no exposed port after " +
                        std::to_string(options_.start_timeout.count() / 1000) + " s");
  }
  call("GET", "/rooms/v2/" + options_.app_id + "/connectioninfo/" + hathora_room, "", 0,
       [this, id](const network::HttpResponse& response) {
         if (!response.answered() || response.status != 200) {
           return fail(id, "connection info: " + (response.answered()
                                                      ? "HTTP " + std::to_string(response.status)
                                                      : response.error));
         }
         auto info = hathora::parse_connection_info(response.body);
         if (!info) return fail(id, "connection info: " + info.error());
         if (info->active) {
           // Hathora exposes one port: operators reach /status there, with the token.
           if (ready_) ready_({id, info->host, ""});
           return;
         }
         after(io_, options_.poll_interval, [this, id] { poll(id); });
       });
}

void HathoraFleet::fail(const ServerId& id, const std::string& why) {
  std::string hathora_room;
  {
    std::lock_guard lock(mutex_);
    auto it = instances_.find(id);
    if (it == instances_.end()) return;
    hathora_room = it->second.hathora_room_id;
    instances_.erase(it);
  }
  if (!hathora_room.empty()) destroy(hathora_room);  // do not leave it running, unused
  if (failed_) failed_(id, "Hathora: " + why);
}

void HathoraFleet::stop_server(const ServerId& id) {
  std::string hathora_room;
  {
    std::lock_guard lock(mutex_);
    auto it = instances_.find(id);
    if (it == instances_.end()) return;
    if (!it->second.created) {
      it->second.stop_requested = true;  // destroyed as soon as it is known to exist
      return;
    }
    hathora_room = it->second.hathora_room_id;
    instances_.erase(it);
  }
  destroy(hathora_room);
}

void HathoraFleet::destroy(const std::string& hathora_room_id) {
  call("POST", "/rooms/v2/" + options_.app_id + "/destroy/" + hathora_room_id, "", 0,
       [hathora_room_id](const network::HttpResponse& response) {
         if (!response.answered() || response.status / 100 != 2) {
           logging::warning("Hathora: could not destroy room " + hathora_room_id + ": " +
                            (response.answered() ? "HTTP " + std::to_string(response.status)
                                                 : response.error));
         }
       });
}

}  // namespace sched
