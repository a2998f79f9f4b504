// The bots and what they share: the backend's API, the rooms with their
// delivery checkers, the send schedule, the counters, and time. Everything
// runs on one io_context thread, so none of it locks (the histogram is
// atomic for the metrics page only).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "loadgen/backend_api.h"
#include "loadgen/bot.h"
#include "loadgen/config.h"
#include "loadgen/delivery_checker.h"
#include "loadgen/report.h"
#include "loadgen/run_stats.h"
#include "loadgen/send_scheduler.h"
#include "loadgen/ws_client.h"
#include "network/http_client.h"

namespace loadgen {

std::uint64_t now_us();     // steady clock
std::uint64_t rss_bytes();  // resident memory of this process

// A room the run drives: what the scenario calls it, what the backend calls it,
// and the check of what its members receive.
struct ScenarioRoom {
  std::string name;  // the scenario's (or trace's) name
  std::string id;    // the backend's; empty until created
  bool create_failed = false;
  std::uint64_t create_us = 0;  // from asking to create it to the answer, retries included
  RoomChecker checker;
  std::size_t history_window = 100;  // snapshots' limits.historyMessages, once one arrived
  std::vector<Bot*> waiting;  // joins asked for before the room existed
};

class Engine {
 public:
  // `tls`: verifies the backend and the session servers when the target is https.
  Engine(boost::asio::io_context& io, const Config& config,
         std::shared_ptr<boost::asio::ssl::context> tls);

  boost::asio::io_context& io() { return io_; }
  const Config& config() const { return config_; }
  RunStats& stats() { return stats_; }
  const WsSettings& ws_settings() const { return ws_settings_; }

  // --- the backend's API, each failure counted by its category -------------
  // Parameters by value: these are coroutines.
  boost::asio::awaitable<std::optional<std::string>> login(std::string user);
  // Looks a room up, again while its server is starting, for up to 30 s.
  boost::asio::awaitable<std::optional<Placement>> find_room(std::string user_token,
                                                             std::string room_id);
  // After a lost connection (v2): looks the room up again, naming the host
  // that was lost (`unreachable`, may be empty), while the room has no host
  // or the backend answers 503 or 429 (waiting as its Retry-After asks),
  // until deadline_us (now_us() clock).
  boost::asio::awaitable<std::optional<Placement>> find_room_again(std::string user_token,
                                                                   std::string room_id,
                                                                   std::string unreachable,
                                                                   std::uint64_t deadline_us);
  // GET /metrics of the backend: the text, or nullopt (not counted as an error).
  boost::asio::awaitable<std::optional<std::string>> backend_metrics();

  // --- rooms and bots --------------------------------------------------------
  ScenarioRoom& add_room(std::string name);
  // Logs an owner in and creates the room (again while the fleet answers 503,
  // for up to 60 s); then the bots waiting for it join.
  void create(ScenarioRoom& room, const std::string& owner);
  Bot& add_bot(ScenarioRoom& room, std::string user);
  std::string user_id(const std::string& suffix) const;  // "lg<run>-<suffix>"
  std::vector<std::unique_ptr<ScenarioRoom>>& rooms() { return rooms_; }
  std::vector<std::unique_ptr<Bot>>& bots() { return bots_; }
  std::size_t bots_settled() const;

  // Sends every open bot's messages at rate_per_bot, each with its own phase.
  void start_sending(double rate_per_bot, int pad_to_bytes);
  void stop_sending() { sending_ = false; }
  int pad_to_bytes() const { return pad_to_bytes_; }

  void error(const std::string& category, const std::string& detail) {
    stats_.error(category, detail);
  }
  // A bot lost its open connection and is on its way back (v2): an error,
  // unless the scenario caused it (expect_disconnects()).
  void connection_lost(const std::string& category, const std::string& detail);
  void expect_disconnects() { disconnects_expected_ = true; }
  // A bot is back in its room after an outage from lost_us to back_us.
  void on_reconnected(Bot& bot, std::uint64_t lost_us, std::uint64_t back_us);
  std::function<void(Bot&, std::uint64_t lost_us, std::uint64_t back_us)> reconnect_listener;
  std::function<void(double seconds)> reconnect_observer;  // the metrics page, when on
  void on_latency(std::uint64_t us);
  std::function<void(double seconds)> latency_observer;  // the metrics page, when on

  // --- worker processes (--processes) ------------------------------------------
  // A worker tells its parent it has ramped up, then waits to be released:
  // every worker's steady phase (and a failover's fault) starts together.
  void set_start_barrier(std::function<void()> announce, std::function<bool()> released) {
    announce_ready_ = std::move(announce);
    released_ = std::move(released);
  }
  // True at once without a parent; false when the run stopped while waiting.
  boost::asio::awaitable<bool> start_barrier();

  // --- time ------------------------------------------------------------------
  void stop(const std::string& why);  // SIGINT or timeout: scenarios wind down
  bool stopping() const { return !stopped_by_.empty(); }
  const std::string& stopped_by() const { return stopped_by_; }
  boost::asio::awaitable<bool> sleep(double seconds);  // false when stopping
  boost::asio::awaitable<bool> wait_for(std::function<bool()> done, double timeout_s);

  // Waits for deliveries in flight, then counts what never arrived.
  boost::asio::awaitable<DeliveryCounts> drain_and_count(double drain_s);
  void close_all();
  void add_common_figures(Report& report) const;

 private:
  boost::asio::awaitable<void> create_steps(ScenarioRoom& room, std::string owner);
  void tick_sender();

  boost::asio::io_context& io_;
  const Config& config_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  network::HttpClient http_;
  BackendApi api_;
  WsSettings ws_settings_;
  RunStats stats_;
  std::vector<std::unique_ptr<ScenarioRoom>> rooms_;
  std::vector<std::unique_ptr<Bot>> bots_;
  std::string stopped_by_;

  std::optional<SendScheduler> send_scheduler_;
  boost::asio::steady_timer send_timer_;
  int pad_to_bytes_ = 0;
  bool sending_ = false;
  bool disconnects_expected_ = false;
  std::function<void()> announce_ready_;
  std::function<bool()> released_;
};

}  // namespace loadgen
