// The bots and what they share: the backend client, the rooms with their
// delivery checkers, the counters. Everything runs on one io_context thread,
// so none of it locks (the histogram is atomic for the metrics page only).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <string>
#include <vector>

#include "loadgen/config.h"
#include "loadgen/delivery_checker.h"
#include "loadgen/latency_histogram.h"
#include "loadgen/report.h"
#include "loadgen/ws_client.h"
#include "network/http_client.h"

namespace loadgen {

class Engine;
struct Room;

std::uint64_t now_us();     // steady clock
std::uint64_t rss_bytes();  // resident memory of this process

struct Stats {
  std::uint64_t bots_started = 0;
  std::uint64_t bots_connected = 0;  // now (snapshot received, not closed)
  std::uint64_t bots_connected_peak = 0;
  std::uint64_t ws_attempts = 0;
  std::uint64_t http_requests = 0;
  std::uint64_t messages_sent = 0;
  std::uint64_t deliveries = 0;
  std::uint64_t errors_total = 0;
  std::map<std::string, std::uint64_t> errors;
  std::vector<std::string> error_samples;  // the first few, with detail
  LatencyHistogram latency;
};

class Bot final : public WsHandler {
 public:
  enum class State : std::uint8_t { idle, joining, open, closed };

  Bot(Engine& engine, Room& room, std::uint32_t slot, std::uint32_t index, std::string user)
      : engine_(engine), room_(room), slot_(slot), index_(index), user_(std::move(user)) {}

  void join();   // login, look the room up, connect; open once the snapshot arrives
  void leave();  // a normal close
  void send_message(int pad_to_bytes);

  State state() const { return state_; }
  bool settled() const { return state_ == State::open || state_ == State::closed; }
  int close_code() const { return close_code_; }
  const std::string& close_reason() const { return close_reason_; }
  const std::string& user() const { return user_; }
  const std::string& host() const { return host_; }
  Room& room() { return room_; }
  // The scenario expects this bot to be closed or refused: not an error.
  void expect_close() { expect_close_ = true; }

  void on_open() override {}
  void on_frame(std::string_view text) override;
  void on_closed(int close_code, std::string_view reason, std::string_view error) override;

 private:
  void lookup(const std::string& user_token, std::uint64_t deadline_us);
  void connect(const std::string& host, const std::string& session_token);
  void on_joined();
  void on_chat_message(std::string_view msg);
  void on_event_frame(std::string_view text);
  void on_snapshot_frame(std::string_view text);

  Engine& engine_;
  Room& room_;
  std::uint32_t slot_;
  std::uint32_t index_;
  std::string user_;
  std::string host_;
  std::string close_reason_;
  std::shared_ptr<WsConnection> connection_;
  SeenMark last_seen_;  // compat mode: the newest of our messages seen
  int close_code_ = 0;
  State state_ = State::idle;
  bool expect_close_ = false;
};

struct Room {
  std::string name;  // the scenario's (or trace's) name
  std::string id;    // the backend's; empty until created
  bool create_failed = false;
  RoomChecker checker;
  std::vector<Bot*> waiting;  // joins asked for before the room existed
};

class Engine {
 public:
  // `tls`: verifies the backend and the session servers when the target is https.
  Engine(boost::asio::io_context& io, const Config& config,
         std::shared_ptr<boost::asio::ssl::context> tls);

  boost::asio::io_context& io() { return io_; }
  const Config& config() const { return config_; }
  Stats& stats() { return stats_; }
  const WsSettings& ws_settings() const { return ws_settings_; }

  // --- the backend's API; each call counts its own errors -------------------
  void login(const std::string& user, std::function<void(std::optional<std::string>)> done);
  void create_room(const std::string& user_token,
                   std::function<void(std::optional<std::string> id, int status)> done);
  struct Placement {
    std::string host;
    std::string token;
  };
  // Retries while the backend answers {"host": null} (a server is starting),
  // until deadline_us.
  void lookup(const std::string& user_token, const std::string& room_id, std::uint64_t deadline_us,
              std::function<void(std::optional<Placement>)> done);
  // GET /metrics of the backend: the text, or nullopt.
  void backend_metrics(std::function<void(std::optional<std::string>)> done);

  // --- rooms and bots --------------------------------------------------------
  Room& add_room(std::string name);
  // Logs an owner in and creates the room (retrying a 503 for a while).
  void create(Room& room, const std::string& owner);
  Bot& add_bot(Room& room, std::string user);
  std::string user_id(const std::string& suffix) const;  // "lg<run>-<suffix>"
  std::vector<std::unique_ptr<Room>>& rooms() { return rooms_; }
  std::vector<std::unique_ptr<Bot>>& bots() { return bots_; }
  std::size_t bots_settled() const;

  // Sends every open bot's messages at --rate, each with its own phase.
  void start_sending(double rate_per_bot, int pad_to_bytes);
  void stop_sending() { sending_ = false; }

  void error(const std::string& kind, const std::string& detail);
  void on_latency(std::uint64_t us);
  std::function<void(double seconds)> latency_observer;  // the metrics page, when on

  // --- time ------------------------------------------------------------------
  void stop(const std::string& why);  // SIGINT or timeout: scenarios wind down
  bool stopping() const { return !stopped_by_.empty(); }
  const std::string& stopped_by() const { return stopped_by_; }
  boost::asio::awaitable<bool> sleep(double seconds);  // false when stopping
  boost::asio::awaitable<bool> wait_for(std::function<bool()> done, double timeout_s);

  // Waits for deliveries in flight, then counts what never arrived.
  boost::asio::awaitable<DeliveryCounts> drain_and_count(double drain_s);
  void close_all();
  void add_common_figures(Report& report);

 private:
  void tick_sender();
  // One call to the backend's API: path like "/api/login", bearer empty for none.
  void call(const char* method, const std::string& path, std::string body,
            const std::string& bearer, std::function<void(network::HttpResponse)> done);

  boost::asio::io_context& io_;
  const Config& config_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  network::HttpClient http_;
  WsSettings ws_settings_;
  Stats stats_;
  std::vector<std::unique_ptr<Room>> rooms_;
  std::vector<std::unique_ptr<Bot>> bots_;
  std::string stopped_by_;

  struct Due {
    std::uint64_t at_us;
    Bot* bot;
    bool operator>(const Due& other) const { return at_us > other.at_us; }
  };
  std::priority_queue<Due, std::vector<Due>, std::greater<>> send_queue_;
  boost::asio::steady_timer send_timer_;
  std::uint64_t send_period_us_ = 0;
  int pad_to_bytes_ = 0;
  bool sending_ = false;
};

}  // namespace loadgen
