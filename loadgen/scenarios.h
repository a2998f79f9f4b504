// The scenarios: each drives the engine's bots and fills the report.
#pragma once

#include "loadgen/engine.h"
#include "loadgen/report.h"

#include <boost/asio/awaitable.hpp>

namespace loadgen {

// Shared steps (scenario_chat.cc).
boost::asio::awaitable<bool> create_rooms(Engine& engine, int count, const std::string& prefix);
boost::asio::awaitable<bool> ramp_up(Engine& engine, std::size_t first, double ramp_s,
                                     double settle_timeout_s);
// room_create_p50_ms, _p99_ms, _max_ms: asking to create a room to its id
// (the placement a client sees, a server's start included).
void add_room_create_figures(Engine& engine, Report& report);
// `acks`: v2, where duplicates, lost acknowledged messages and refusals are told apart.
void add_delivery_checks(Report& report, const DeliveryCounts& counts, bool acks);

boost::asio::awaitable<void> run_chat(Engine& engine, Report& report);
boost::asio::awaitable<void> run_limits(Engine& engine, Report& report);
boost::asio::awaitable<void> run_autoscale(Engine& engine, Report& report);
boost::asio::awaitable<void> run_replay(Engine& engine, Report& report);
boost::asio::awaitable<void> run_failover(Engine& engine, Report& report);

}  // namespace loadgen
