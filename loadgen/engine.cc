#include "loadgen/engine.h"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <fstream>

#include "loadgen/retry.h"

namespace loadgen {

namespace net = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// A room whose server is starting has no host yet: look again soon, then
// less often. 30 s covers a local fleet's start with room to spare.
constexpr Backoff kLookupBackoff{milliseconds(250), milliseconds(1000), 2.0};
constexpr auto kLookupPatience = seconds(30);
// A scaling fleet answers 503 to room creation for a while.
constexpr Backoff kCreateBackoff{milliseconds(500), milliseconds(2000), 2.0};
constexpr auto kCreatePatience = seconds(60);

network::HttpClientOptions http_options(const Config& config,
                                        std::shared_ptr<net::ssl::context> tls) {
  network::HttpClientOptions options;
  options.connections_per_origin_max = config.http_connections;
  options.tls = std::move(tls);
  options.user_agent = "scalable-chat-loadgen";
  return options;
}

}  // namespace

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

Engine::Engine(net::io_context& io, const Config& config, std::shared_ptr<net::ssl::context> tls)
    : io_(io),
      config_(config),
      tls_(std::move(tls)),
      http_(io.get_executor(), http_options(config, tls_)),
      api_(http_, config.target, config.admin_target, config.admin_token),
      send_timer_(io) {
  ws_settings_.io = &io;
  ws_settings_.tls = config.target.tls() ? tls_.get() : nullptr;
  ws_settings_.subprotocol = config.protocol == "v2"   ? "scalable-chat.events.v2"
                            : config.protocol == "v1" ? "scalable-chat.events.v1"
                                                      : "";
  ws_settings_.source_addresses = config.source_addresses_per_process();
  ws_settings_.source_address_first = config.source_address_first;
}

void Engine::on_latency(std::uint64_t us) {
  stats_.latency.record(us);
  if (latency_observer) latency_observer(static_cast<double>(us) / 1e6);
}

// --- the backend's API ----------------------------------------------------------

net::awaitable<std::optional<std::string>> Engine::login(std::string user) {
  ++stats_.http_requests;
  auto token = co_await api_.login(user);
  if (!token) {
    error(token.error.category("login"), user + ": " + token.error.detail);
    co_return std::nullopt;
  }
  co_return std::move(token.value);
}

net::awaitable<std::optional<Placement>> Engine::find_room(std::string user_token,
                                                           std::string room_id) {
  RetryLimits limits{kLookupBackoff, std::chrono::steady_clock::now() + kLookupPatience,
                     [this] { return stopping(); }};
  auto placement = co_await with_retries<ApiResult<Placement>>(
      [&]() {
        ++stats_.http_requests;
        return api_.lookup(user_token, room_id);
      },
      [](const ApiResult<Placement>& answer) {
        return !answer && answer.error.kind == ApiError::Kind::no_host;
      },
      limits);
  if (!placement) {
    error(placement.error.category("lookup"), room_id + ": " + placement.error.detail);
    co_return std::nullopt;
  }
  co_return std::move(placement.value);
}

net::awaitable<std::optional<Placement>> Engine::find_room_again(std::string user_token,
                                                                 std::string room_id,
                                                                 std::string unreachable,
                                                                 std::uint64_t deadline_us) {
  auto now = now_us();
  auto left_us = deadline_us > now ? deadline_us - now : 0;
  RetryLimits limits{kLookupBackoff,
                     std::chrono::steady_clock::now() + std::chrono::microseconds(left_us),
                     [this] { return stopping(); }};
  auto placement = co_await with_retries<ApiResult<Placement>>(
      [&]() {
        ++stats_.http_requests;
        return api_.lookup(user_token, room_id, unreachable);
      },
      [](const ApiResult<Placement>& answer) {
        return !answer && (answer.error.kind == ApiError::Kind::no_host ||
                           answer.error.is_status(503) || answer.error.is_status(429) ||
                           answer.error.kind == ApiError::Kind::transport);
      },
      limits, [](const ApiResult<Placement>& answer) { return answer.error.retry_after; });
  if (!placement) {
    error(placement.error.category("relookup"), room_id + ": " + placement.error.detail);
    co_return std::nullopt;
  }
  co_return std::move(placement.value);
}

net::awaitable<std::optional<std::string>> Engine::backend_metrics() {
  auto text = co_await api_.metrics();
  co_return std::move(text.value);
}

// --- rooms and bots ---------------------------------------------------------------

ScenarioRoom& Engine::add_room(std::string name) {
  rooms_.push_back(std::make_unique<ScenarioRoom>());
  rooms_.back()->name = std::move(name);
  if (config_.acks()) rooms_.back()->checker.track_acks();
  return *rooms_.back();
}

std::string Engine::user_id(const std::string& suffix) const {
  return "lg" + config_.run_id + "-" + suffix;
}

void Engine::create(ScenarioRoom& room, const std::string& owner) {
  net::co_spawn(io_, create_steps(room, owner), net::detached);
}

net::awaitable<void> Engine::create_steps(ScenarioRoom& room, std::string owner) {
  auto token = co_await login(owner);
  if (token) {
    RetryLimits limits{kCreateBackoff, std::chrono::steady_clock::now() + kCreatePatience,
                       [this] { return stopping(); }};
    auto asked_us = now_us();
    auto created = co_await with_retries<ApiResult<std::string>>(
        [&]() {
          ++stats_.http_requests;
          return api_.create_room(*token);
        },
        [](const ApiResult<std::string>& answer) { return !answer && answer.error.is_status(503); },
        limits);
    if (created) {
      // The placement as a client sees it: waiting for a server to start included.
      room.create_us = now_us() - asked_us;
      room.id = std::move(*created.value);
    } else if (created.error.is_status(503)) {
      error("create_http_503",
            "no session server had room for " + std::to_string(kCreatePatience.count()) + " s");
    } else {
      error(created.error.category("create"), created.error.detail);
    }
  }
  room.create_failed = room.id.empty();
  auto waiting = std::move(room.waiting);
  room.waiting.clear();
  for (auto* bot : waiting) {
    --stats_.bots_started;  // join() counts it again
    bot->join();
  }
}

Bot& Engine::add_bot(ScenarioRoom& room, std::string user) {
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
  send_scheduler_.emplace(rate_per_bot);
  pad_to_bytes_ = pad_to_bytes;
  sending_ = true;
  auto start = now_us();
  for (auto& bot : bots_) {
    if (bot->state() == Bot::State::open) {
      send_scheduler_->add(static_cast<std::uint32_t>(&bot - bots_.data()), start);
    }
  }
  tick_sender();
}

void Engine::tick_sender() {
  if (!sending_ || stopping()) return;
  send_scheduler_->run_due(now_us(),
                           [this](std::uint32_t bot) { bots_[bot]->send_message(pad_to_bytes_); });
  // One timer for every bot: a tick every 2 ms keeps sends within 2 ms of due.
  send_timer_.expires_after(milliseconds(2));
  send_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec) tick_sender();
  });
}

void Engine::connection_lost(const std::string& category, const std::string& detail) {
  if (disconnects_expected_) {
    ++stats_.disconnects[category];
  } else {
    error(category, detail);
  }
}

void Engine::on_reconnected(Bot& bot, std::uint64_t lost_us, std::uint64_t back_us) {
  ++stats_.reconnects;
  if (reconnect_observer) reconnect_observer(static_cast<double>(back_us - lost_us) / 1e6);
  if (reconnect_listener) reconnect_listener(bot, lost_us, back_us);
}

// --- worker processes ---------------------------------------------------------------

net::awaitable<bool> Engine::start_barrier() {
  if (!released_) co_return !stopping();
  if (announce_ready_) announce_ready_();
  // The parent releases every worker once all have ramped up (or ended); the
  // run's --timeout bounds the wait.
  co_return co_await wait_for(released_, config_.timeout_s) && !stopping();
}

// --- time ---------------------------------------------------------------------------

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
    timer.expires_at(std::min(end, std::chrono::steady_clock::now() + milliseconds(50)));
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

void Engine::add_common_figures(Report& report) const {
  loadgen::add_common_figures(stats_, {config_.p99_ms_max, config_.error_rate_max}, report);
  if (config_.acks()) add_v2_figures(stats_, report);
}

}  // namespace loadgen
