#include "loadgen/engine.h"

#include <unistd.h>

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <fstream>
#include <random>

namespace loadgen {

namespace net = boost::asio;
namespace json = boost::json;

std::uint64_t now_us() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::steady_clock::now().time_since_epoch())
                                        .count());
}

std::uint64_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
}

namespace {

// Parses small frames without touching the heap.
template <class F>
bool with_json(std::string_view text, F&& use) {
  unsigned char scratch[4096];
  json::monotonic_resource resource(scratch, sizeof scratch);
  boost::system::error_code ec;
  auto value = json::parse(text, ec, &resource);
  if (ec || !value.is_object()) return false;
  use(value.get_object());
  return true;
}

// The event subprotocol sends one event object per frame, or a JSON array of
// them when several were waiting (docs/PROTOCOL.md): calls `use` for each.
template <class F>
bool with_events(std::string_view text, F&& use) {
  unsigned char scratch[16384];
  json::monotonic_resource resource(scratch, sizeof scratch);
  boost::system::error_code ec;
  auto value = json::parse(text, ec, &resource);
  if (ec) return false;
  if (value.is_object()) {
    use(value.get_object());
    return true;
  }
  if (!value.is_array()) return false;
  for (const auto& event : value.get_array()) {
    if (!event.is_object()) return false;
    use(event.get_object());
  }
  return true;
}

std::string field(const json::object& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->value().is_string() ? std::string(it->value().get_string())
                                                       : std::string();
}

}  // namespace

// --- Bot ----------------------------------------------------------------------

void Bot::join() {
  state_ = State::joining;
  close_code_ = 0;
  close_reason_.clear();
  ++engine_.stats().bots_started;
  if (room_.id.empty()) {
    if (room_.create_failed) {
      state_ = State::closed;
      close_reason_ = "room was not created";
      return;
    }
    room_.waiting.push_back(this);  // joins once the room exists
    return;
  }
  engine_.login(user_, [this](std::optional<std::string> token) {
    if (!token) {
      state_ = State::closed;
      close_reason_ = "login failed";
      return;
    }
    lookup(*token, now_us() + 30'000'000);
  });
}

void Bot::lookup(const std::string& user_token, std::uint64_t deadline_us) {
  engine_.lookup(user_token, room_.id, deadline_us,
                 [this](std::optional<Engine::Placement> placement) {
                   if (!placement) {
                     state_ = State::closed;
                     close_reason_ = "look-up failed";
                     return;
                   }
                   connect(placement->host, placement->token);
                 });
}

void Bot::connect(const std::string& host, const std::string& session_token) {
  host_ = host;
  ++engine_.stats().ws_attempts;
  last_seen_ = SeenMark{};
  connection_ = ws_connect(engine_.ws_settings(), host, session_token, this, index_);
}

void Bot::leave() {
  expect_close_ = true;
  if (state_ == State::open) {
    room_.checker.left(slot_);
    --engine_.stats().bots_connected;
    state_ = State::closed;
  }
  if (connection_) connection_->close();
}

void Bot::send_message(int pad_to_bytes) {
  if (state_ != State::open || !connection_) return;
  auto seq = room_.checker.next_seq(slot_);
  ++engine_.stats().messages_sent;
  connection_->send(encode_message(slot_, seq, now_us(), pad_to_bytes));
}

void Bot::on_joined() {
  state_ = State::open;
  room_.checker.joined(slot_);
  auto& stats = engine_.stats();
  if (++stats.bots_connected > stats.bots_connected_peak) {
    stats.bots_connected_peak = stats.bots_connected;
  }
}

void Bot::on_chat_message(std::string_view msg) {
  auto message = parse_message(msg);
  if (!message) return;  // someone else's
  auto verdict = room_.checker.received(slot_, message->slot, message->seq);
  if (verdict == RoomChecker::Verdict::in_order || verdict == RoomChecker::Verdict::gap ||
      verdict == RoomChecker::Verdict::late) {
    ++engine_.stats().deliveries;
    auto now = now_us();
    engine_.on_latency(now > message->sent_us ? now - message->sent_us : 0);
  }
}

void Bot::on_frame(std::string_view text) {
  if (engine_.ws_settings().events_protocol) {
    on_event_frame(text);
  } else {
    on_snapshot_frame(text);
  }
}

void Bot::on_event_frame(std::string_view text) {
  bool ok = with_events(text, [&](const json::object& frame) {
    auto type = field(frame, "type");
    if (type == "message") {
      if (auto it = frame.find("msg"); it != frame.end() && it->value().is_string()) {
        on_chat_message(it->value().get_string());
      }
    } else if (type == "snapshot") {
      if (state_ == State::joining) on_joined();
    } else if (type == "error") {
      engine_.error("server_error_" + field(frame, "code"), user_ + ": " + field(frame, "message"));
    }
  });
  if (!ok) engine_.error("bad_frame", std::string(text.substr(0, 200)));
}

void Bot::on_snapshot_frame(std::string_view text) {
  bool ok = with_json(text, [&](const json::object& frame) {
    auto it = frame.find("messages");
    if (it == frame.end() || !it->value().is_array()) {
      return engine_.error("bad_snapshot", std::string(text.substr(0, 200)));
    }
    std::vector<std::optional<ChatMessage>> messages;
    std::vector<std::string_view> texts;
    for (const auto& entry : it->value().get_array()) {
      std::string_view msg;
      if (entry.is_object()) {
        if (auto m = entry.get_object().find("msg");
            m != entry.get_object().end() && m->value().is_string()) {
          msg = m->value().get_string();
        }
      }
      messages.push_back(parse_message(msg));
      texts.push_back(msg);
    }
    if (auto error = frame.find("error"); error != frame.end() && error->value().is_object()) {
      engine_.error("server_error_" + field(error->value().get_object(), "code"), user_);
    }
    std::size_t first = messages.size();
    if (state_ == State::joining) {
      on_joined();  // the snapshot of our own join: what is in it came before us
    } else {
      first = first_new_message(messages, last_seen_);
    }
    for (std::size_t i = first; i < messages.size(); ++i) {
      if (messages[i]) on_chat_message(texts[i]);
    }
    for (std::size_t i = messages.size(); i-- > 0;) {
      if (messages[i]) {
        last_seen_ = SeenMark{messages[i]->slot, messages[i]->seq};
        break;
      }
    }
  });
  if (!ok) engine_.error("bad_frame", std::string(text.substr(0, 200)));
}

void Bot::on_closed(int close_code, std::string_view reason, std::string_view error) {
  if (state_ == State::open) {
    room_.checker.left(slot_);
    --engine_.stats().bots_connected;
  }
  state_ = State::closed;
  close_code_ = close_code;
  close_reason_ = close_code ? std::string(reason) : std::string(error);
  connection_.reset();
  if (expect_close_ || engine_.stopping()) return;
  if (close_code) {
    engine_.error("ws_close_" + std::to_string(close_code),
                  user_ + " on " + host_ + ": " + std::string(reason));
  } else if (!error.empty()) {
    auto kind = std::string(error.substr(0, error.find(':')));
    for (auto& c : kind) c = c == ' ' ? '_' : c;
    engine_.error("ws_" + kind, user_ + " on " + host_ + ": " + std::string(error));
  } else {
    engine_.error("ws_closed", user_ + " on " + host_);
  }
}

// --- Engine -------------------------------------------------------------------

namespace {

network::HttpClientOptions http_options(const Config& config,
                                        std::shared_ptr<net::ssl::context> tls) {
  network::HttpClientOptions options;
  options.connections_per_origin_max = config.http_connections;
  options.tls = std::move(tls);
  options.user_agent = "scalable-chat-loadgen";
  return options;
}

}  // namespace

Engine::Engine(net::io_context& io, const Config& config, std::shared_ptr<net::ssl::context> tls)
    : io_(io),
      config_(config),
      tls_(std::move(tls)),
      http_(io.get_executor(), http_options(config, tls_)),
      send_timer_(io) {
  ws_settings_.io = &io;
  ws_settings_.tls = config.target.tls() ? tls_.get() : nullptr;
  ws_settings_.events_protocol = !config.compat;
  // Automatic: 8 addresses hold ~220,000 connections, more than 20,000 fds allow.
  ws_settings_.source_addresses = config.source_addresses < 0 ? 8 : config.source_addresses;
}

void Engine::error(const std::string& kind, const std::string& detail) {
  ++stats_.errors_total;
  ++stats_.errors[kind];
  if (stats_.error_samples.size() < 8) stats_.error_samples.push_back(kind + ": " + detail);
}

void Engine::on_latency(std::uint64_t us) {
  stats_.latency.record(us);
  if (latency_observer) latency_observer(static_cast<double>(us) / 1e6);
}

void Engine::call(const char* method, const std::string& path, std::string body,
                  const std::string& bearer, std::function<void(network::HttpResponse)> done) {
  network::HttpRequest request;
  request.method = method;
  request.url = config_.target.origin() + path;
  request.body = std::move(body);
  request.bearer = bearer;
  // A backend that accepts but never answers must not hold the run.
  request.timeout = std::chrono::seconds(30);
  http_.async_fetch(std::move(request), std::move(done));
}

void Engine::login(const std::string& user, std::function<void(std::optional<std::string>)> done) {
  ++stats_.http_requests;
  json::object body{{"userId", user}};
  call("POST", "/api/login", json::serialize(body), {},
       [this, user, done = std::move(done)](network::HttpResponse result) {
         std::string token;
         if (result.status == 200) {
           with_json(result.body, [&](const json::object& o) { token = field(o, "token"); });
         }
         if (token.empty()) {
           error(result.status ? "login_http_" + std::to_string(result.status) : "login_transport",
                 user + ": " + (result.status ? result.body : result.error));
           return done(std::nullopt);
         }
         done(std::move(token));
       });
}

void Engine::create_room(const std::string& user_token,
                         std::function<void(std::optional<std::string>, int)> done) {
  ++stats_.http_requests;
  call("POST", "/api/rooms", "{}", user_token,
       [this, done = std::move(done)](network::HttpResponse result) {
         std::string id;
         if (result.status == 200) {
           with_json(result.body, [&](const json::object& o) { id = field(o, "roomId"); });
         }
         if (id.empty()) {
           if (result.status != 503) {
             error(result.status ? "create_http_" + std::to_string(result.status)
                                 : "create_transport",
                   result.status ? result.body : result.error);
           }
           return done(std::nullopt, result.status);
         }
         done(std::move(id), result.status);
       });
}

void Engine::lookup(const std::string& user_token, const std::string& room_id,
                    std::uint64_t deadline_us, std::function<void(std::optional<Placement>)> done) {
  ++stats_.http_requests;
  call("GET", "/api/rooms/" + room_id, {}, user_token,
       [this, user_token, room_id, deadline_us,
        done = std::move(done)](network::HttpResponse result) mutable {
         Placement placement;
         if (result.status == 200) {
           with_json(result.body, [&](const json::object& o) {
             placement.host = field(o, "host");
             placement.token = field(o, "token");
           });
         }
         // A room waiting for a server that is starting has no host yet.
         if (result.status == 200 && placement.host.empty() && now_us() < deadline_us &&
             !stopping()) {
           auto timer = std::make_shared<net::steady_timer>(io_, std::chrono::milliseconds(250));
           return timer->async_wait([this, timer, user_token, room_id, deadline_us,
                                     done = std::move(done)](boost::system::error_code) mutable {
             lookup(user_token, room_id, deadline_us, std::move(done));
           });
         }
         if (placement.host.empty() || placement.token.empty()) {
           error(result.status == 200 ? "lookup_no_host"
                 : result.status      ? "lookup_http_" + std::to_string(result.status)
                                      : "lookup_transport",
                 room_id + ": " + (result.status ? result.body : result.error));
           return done(std::nullopt);
         }
         done(std::move(placement));
       });
}

void Engine::backend_metrics(std::function<void(std::optional<std::string>)> done) {
  call("GET", "/metrics", {}, {}, [done = std::move(done)](network::HttpResponse result) {
    if (result.status != 200) return done(std::nullopt);
    done(std::move(result.body));
  });
}

Room& Engine::add_room(std::string name) {
  rooms_.push_back(std::make_unique<Room>());
  rooms_.back()->name = std::move(name);
  return *rooms_.back();
}

std::string Engine::user_id(const std::string& suffix) const {
  return "lg" + config_.run_id + "-" + suffix;
}

void Engine::create(Room& room, const std::string& owner) {
  login(owner, [this, &room](std::optional<std::string> token) {
    if (!token) {
      room.create_failed = true;
      for (auto* bot : room.waiting) bot->join();
      room.waiting.clear();
      return;
    }
    auto deadline = now_us() + 60'000'000;  // a scaling fleet answers 503 for a while
    auto attempt = std::make_shared<std::function<void()>>();
    *attempt = [this, &room, token = *token, deadline, attempt] {
      create_room(token, [this, &room, deadline, attempt](std::optional<std::string> id,
                                                          int status) {
        if (!id && status == 503 && now_us() < deadline && !stopping()) {
          auto timer = std::make_shared<net::steady_timer>(io_, std::chrono::seconds(1));
          return timer->async_wait([timer, attempt](boost::system::error_code) { (*attempt)(); });
        }
        if (!id) {
          if (status == 503) error("create_http_503", "no session server had room for 60 s");
          room.create_failed = true;
        } else {
          room.id = *id;
        }
        auto waiting = std::move(room.waiting);
        room.waiting.clear();
        for (auto* bot : waiting) {
          --stats_.bots_started;  // join() counts it again
          bot->join();
        }
        *attempt = nullptr;  // breaks the cycle
      });
    };
    (*attempt)();
  });
}

Bot& Engine::add_bot(Room& room, std::string user) {
  auto slot = room.checker.add_member();
  auto index = static_cast<std::uint32_t>(bots_.size());
  bots_.push_back(std::make_unique<Bot>(*this, room, slot, index, std::move(user)));
  return *bots_.back();
}

std::size_t Engine::bots_settled() const {
  std::size_t settled = 0;
  for (const auto& bot : bots_) settled += bot->settled();
  return settled;
}

void Engine::start_sending(double rate_per_bot, int pad_to_bytes) {
  if (rate_per_bot <= 0) return;
  send_period_us_ = static_cast<std::uint64_t>(1e6 / rate_per_bot);
  pad_to_bytes_ = pad_to_bytes;
  sending_ = true;
  std::mt19937_64 random(42);
  auto start = now_us();
  for (auto& bot : bots_) {
    if (bot->state() != Bot::State::open) continue;
    send_queue_.push({start + random() % send_period_us_, bot.get()});
  }
  tick_sender();
}

void Engine::tick_sender() {
  if (!sending_ || stopping()) return;
  auto now = now_us();
  while (!send_queue_.empty() && send_queue_.top().at_us <= now) {
    auto due = send_queue_.top();
    send_queue_.pop();
    due.bot->send_message(pad_to_bytes_);
    // Keeps the rate even when a tick runs late (no burst to catch up).
    auto next = due.at_us + send_period_us_;
    send_queue_.push({next > now ? next : now + send_period_us_ / 2, due.bot});
  }
  send_timer_.expires_after(std::chrono::milliseconds(2));
  send_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick_sender();
  });
}

void Engine::stop(const std::string& why) {
  if (stopped_by_.empty()) stopped_by_ = why;
  sending_ = false;
}

net::awaitable<bool> Engine::sleep(double seconds) {
  net::steady_timer timer(io_);
  auto end = std::chrono::steady_clock::now() +
             std::chrono::microseconds(static_cast<std::int64_t>(seconds * 1e6));
  // Short steps, so a stop request is noticed quickly.
  while (!stopping() && std::chrono::steady_clock::now() < end) {
    timer.expires_at(
        std::min(end, std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
    boost::system::error_code ec;
    co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
  }
  co_return !stopping();
}

net::awaitable<bool> Engine::wait_for(std::function<bool()> done, double timeout_s) {
  auto end = now_us() + static_cast<std::uint64_t>(timeout_s * 1e6);
  while (!done() && now_us() < end) {
    if (!co_await sleep(0.02)) break;
  }
  co_return done();
}

net::awaitable<DeliveryCounts> Engine::drain_and_count(double drain_s) {
  stop_sending();
  auto end = now_us() + static_cast<std::uint64_t>(drain_s * 1e6);
  while (now_us() < end) {
    std::uint64_t owed = 0;
    for (auto& room : rooms_) owed += room->checker.outstanding();
    if (owed == 0) break;
    if (!co_await sleep(0.05)) break;
  }
  DeliveryCounts total;
  for (auto& room : rooms_) {
    room->checker.finish();
    total.add(room->checker.counts());
  }
  co_return total;
}

void Engine::close_all() {
  for (auto& bot : bots_) bot->leave();
}

void Engine::add_common_figures(Report& report) {
  report.figure("bots_started", stats_.bots_started);
  report.figure("bots_connected_peak", stats_.bots_connected_peak);
  report.figure("http_requests", stats_.http_requests);
  report.figure("messages_sent", stats_.messages_sent);
  report.figure("deliveries", stats_.deliveries);
  const auto& latency = stats_.latency;
  report.figure("latency_p50_ms", static_cast<double>(latency.percentile_us(0.50)) / 1000);
  report.figure("latency_p90_ms", static_cast<double>(latency.percentile_us(0.90)) / 1000);
  report.figure("latency_p99_ms", static_cast<double>(latency.percentile_us(0.99)) / 1000);
  report.figure("latency_p999_ms", static_cast<double>(latency.percentile_us(0.999)) / 1000);
  report.figure("latency_max_ms", static_cast<double>(latency.max_us()) / 1000);
  report.figure("errors", stats_.errors_total);
  std::uint64_t operations = stats_.http_requests + stats_.ws_attempts + stats_.messages_sent;
  double error_rate =
      operations ? static_cast<double>(stats_.errors_total) / static_cast<double>(operations) : 0;
  report.figure("error_rate", error_rate);
  report.errors = stats_.errors;
  report.error_samples = stats_.error_samples;
  if (config_.p99_ms_max) {
    double p99 = static_cast<double>(latency.percentile_us(0.99)) / 1000;
    report.check("p99 delivery latency <= " + std::to_string(*config_.p99_ms_max) + " ms",
                 latency.count() > 0 && p99 <= *config_.p99_ms_max,
                 "p99 " + std::to_string(p99) + " ms over " + std::to_string(latency.count()) +
                     " deliveries");
  }
  if (config_.error_rate_max) {
    report.check("error rate <= " + std::to_string(*config_.error_rate_max),
                 error_rate <= *config_.error_rate_max,
                 std::to_string(stats_.errors_total) + " errors in " + std::to_string(operations) +
                     " operations");
  }
}

}  // namespace loadgen
