#include "scheduler/fleets/hathora_rooms.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <iostream>
#include "logging/log.h"

namespace sched::hathora {

namespace net = boost::asio;
using Clock = RoomsApi::Clock;

namespace {

bool worth_retrying(Outcome outcome) {
  return outcome == Outcome::rate_limited || outcome == Outcome::server_error ||
         outcome == Outcome::unreachable;
}

}  // namespace

CallAnswer answer_of(const network::HttpResponse& response) {
  CallAnswer answer;
  answer.outcome = classify(response);
  answer.detail = describe_answer(response);
  const std::string& header = response.retry_after;
  int seconds = 0;
  auto [end, ec] = std::from_chars(header.data(), header.data() + header.size(), seconds);
  if (!header.empty() && ec == std::errc() && end == header.data() + header.size() && seconds > 0) {
    answer.retry_after = std::chrono::seconds(std::min(seconds, 60));
  }
  return answer;
}

RoomsApi::RoomsApi(net::any_io_executor executor, RoomsApiOptions options, Observer observer)
    : executor_(executor),
      options_(std::move(options)),
      observer_(std::move(observer)),
      client_(executor) {}

network::HttpRequest RoomsApi::request(std::string method, std::string path,
                                       Clock::time_point deadline) const {
  network::HttpRequest request;
  request.method = std::move(method);
  request.url = options_.api_url + "/rooms/v2/" + options_.app_id + path;
  request.bearer = options_.token;
  // No single call may outlive the deadline of the person waiting for it.
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  request.timeout = std::clamp(left, std::chrono::milliseconds(1), options_.call_timeout);
  return request;
}

void RoomsApi::fetch(std::string_view call, network::HttpRequest request, Done done) {
  client_.async_fetch(std::move(request), [this, call, started = Clock::now(),
                                           done = std::move(done)](network::HttpResponse response) {
    if (observer_) observer_(call, classify(response), Clock::now() - started);
    done(response);
  });
}

bool RoomsApi::retry_within(Clock::time_point deadline, int attempt,
                            std::chrono::milliseconds delay, std::function<void()> then) {
  if (attempt >= options_.retries_max || Clock::now() + delay >= deadline) return false;
  auto timer = std::make_shared<net::steady_timer>(executor_, delay);
  timer->async_wait([timer, then = std::move(then)](boost::system::error_code ec) {
    if (!ec) then();
  });
  return true;
}

void RoomsApi::fetch_retried(std::string_view call, std::string method, std::string path,
                             Clock::time_point deadline, int attempt, Done done) {
  auto req = request(method, path, deadline);
  fetch(call, std::move(req),
        [this, call, method, path, deadline, attempt,
         done = std::move(done)](const network::HttpResponse& response) mutable {
          if (!worth_retrying(classify(response))) return done(response);
          auto delay = retry_delay(response.retry_after, attempt);
          auto again = [this, call, method, path, deadline, attempt, done]() mutable {
            fetch_retried(call, method, path, deadline, attempt + 1, std::move(done));
          };
          if (!retry_within(deadline, attempt, delay, std::move(again))) done(response);
        });
}

void RoomsApi::create(const std::string& room_id, Clock::time_point deadline, Created done) {
  try_create(room_id, deadline, 0, std::move(done));
}

void RoomsApi::try_create(const std::string& room_id, Clock::time_point deadline, int attempt,
                          Created done) {
  auto req = request("POST", "/create?roomId=" + room_id, deadline);
  req.body = boost::json::serialize(boost::json::object{{"region", options_.region}});
  fetch("create", std::move(req),
        [this, room_id, deadline, attempt,
         done = std::move(done)](const network::HttpResponse& response) mutable {
          CallAnswer answer = answer_of(response);
          if (answer.outcome == Outcome::ok) {
            auto created = parse_created_room_id(response.body);
            return done(answer, created ? *created : room_id);
          }
          auto delay = retry_delay(response.retry_after, attempt);
          std::function<void()> again;
          if (answer.outcome == Outcome::rate_limited) {
            // Refused before anything was made: simply ask again.
            again = [this, room_id, deadline, attempt, done] {
              try_create(room_id, deadline, attempt + 1, done);
            };
          } else if (answer.outcome == Outcome::server_error ||
                     answer.outcome == Outcome::unreachable) {
            // It may have been made all the same: look before asking again.
            again = [this, room_id, deadline, attempt, answer, done] {
              confirm_created(room_id, deadline, attempt + 1, answer, done);
            };
          }
          if (!again || !retry_within(deadline, attempt, delay, std::move(again))) {
            done(answer, room_id);
          }
        });
}

void RoomsApi::confirm_created(const std::string& room_id, Clock::time_point deadline, int attempt,
                               CallAnswer lost, Created done) {
  fetch("connection_info", request("GET", "/connectioninfo/" + room_id, deadline),
        [this, room_id, deadline, attempt, lost,
         done = std::move(done)](const network::HttpResponse& response) mutable {
          CallAnswer answer = answer_of(response);
          if (answer.outcome == Outcome::ok) return done(answer, room_id);  // it went through
          auto delay = retry_delay(response.retry_after, attempt);
          std::function<void()> again;
          if (answer.outcome == Outcome::not_found) {
            again = [this, room_id, deadline, attempt, done] {
              try_create(room_id, deadline, attempt, done);
            };
          } else if (worth_retrying(answer.outcome)) {
            again = [this, room_id, deadline, attempt, lost, done] {
              confirm_created(room_id, deadline, attempt + 1, lost, done);
            };
          } else {
            return done(answer, room_id);  // e.g. 401: the look-up's reason is the one to act on
          }
          // Out of time: the create's own failure says best what went wrong.
          if (!retry_within(deadline, attempt, delay, std::move(again))) done(lost, room_id);
        });
}

void RoomsApi::connection_info(const std::string& room_id, Clock::time_point deadline,
                               std::function<void(CallAnswer, ConnectionInfo)> done) {
  fetch_retried("connection_info", "GET", "/connectioninfo/" + room_id, deadline, 0,
                [done = std::move(done)](const network::HttpResponse& response) {
                  CallAnswer answer = answer_of(response);
                  if (answer.outcome != Outcome::ok) return done(std::move(answer), {});
                  auto info = parse_connection_info(response.body);
                  if (!info) {
                    // An answer we cannot read is Hathora's fault, not the caller's.
                    answer.outcome = Outcome::server_error;
                    answer.detail = "HTTP 200 that is not connection info: " + info.error();
                    return done(std::move(answer), {});
                  }
                  done(std::move(answer), *info);
                });
}

void RoomsApi::destroy(const std::string& room_id) {
  // Not urgent, but bounded: a minute of retries at most.
  auto deadline = Clock::now() + std::chrono::minutes(1);
  fetch_retried("destroy", "POST", "/destroy/" + room_id, deadline, 0,
                [room_id](const network::HttpResponse& response) {
                  auto outcome = classify(response);
                  if (outcome == Outcome::ok || outcome == Outcome::not_found) return;
                  logging::warning("Hathora: could not destroy room " + room_id + ": " +
                                   describe_answer(response));
                });
}

}  // namespace sched::hathora
