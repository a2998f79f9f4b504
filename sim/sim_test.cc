// Hand-built workloads whose answers are known.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "sim/event_queue.h"
#include "sim/options.h"
#include "sim/random.h"
#include "sim/reports.h"
#include "sim/simulator.h"
#include "sim/synthetic_workload.h"
#include "sim/timeline.h"
#include "sim/trace_workload.h"
#include "sim/vector_workload.h"

namespace sim {
namespace {

// A run with instant, crash-free servers and every invariant checked at
// every scheduler call.
SimConfig instant_config(const std::string& policy = "first-fit") {
  SimConfig config;
  config.seed = 42;
  config.scheduler.policy = policy;
  config.fleet.start_delay_ms_min = 0;
  config.fleet.start_delay_ms_max = 0;
  config.check_every = 1;
  return config;
}

WorkloadEvent event(std::int64_t time_ms, EventKind kind, std::uint64_t room, std::uint64_t user,
                    std::uint32_t bytes = 0) {
  return WorkloadEvent{time_ms, kind, room, user, bytes};
}

// `rooms` rooms created at `time_ms`, each joined at once by `users_each`
// users (user ids room * 1000 + i), who stay.
std::vector<WorkloadEvent> rooms_arriving(int rooms, int users_each, std::int64_t time_ms = 0) {
  std::vector<WorkloadEvent> events;
  for (int room = 1; room <= rooms; ++room) {
    events.push_back(event(time_ms, EventKind::create, room, room * 1000));
    for (int i = 0; i < users_each; ++i) {
      events.push_back(event(time_ms, EventKind::join, room, room * 1000 + i));
    }
  }
  return events;
}

RunReport run(const SimConfig& config, std::vector<WorkloadEvent> events) {
  VectorWorkload workload(std::move(events));
  return Simulator(config, workload).run();
}

// Two hours, busy enough for several servers, crashes and drains.
SyntheticConfig small_synthetic_for_drains() {
  SyntheticConfig config;
  config.duration_s = 7200;
  config.rooms_per_hour = 400;
  config.room_lifetime_median_s = 600;
  return config;
}

TEST(EventQueue, OrdersByTimeThenBySchedulingOrder) {
  EventQueue<int> queue;
  queue.push(20, 1);
  queue.push(10, 2);
  queue.push(20, 3);
  queue.push(10, 4);
  queue.push(5, 5);
  std::vector<int> order;
  while (!queue.empty()) order.push_back(queue.pop().payload);
  EXPECT_EQ(order, (std::vector<int>{5, 2, 4, 1, 3}));
}

TEST(EventQueue, RefusesToGrowPastItsBound) {
  EventQueue<int> queue(2);
  queue.push(1, 1);
  queue.push(1, 2);
  EXPECT_THROW(queue.push(1, 3), std::length_error);
}

TEST(Random, SeedsDifferPerComponentAndRepeatPerSeed) {
  EXPECT_NE(derive_seed(1, "fleet"), derive_seed(1, "workload"));
  EXPECT_NE(derive_seed(1, "fleet"), derive_seed(2, "fleet"));
  EXPECT_EQ(derive_seed(7, "fleet"), derive_seed(7, "fleet"));
  Rng a(derive_seed(3, "x"));
  Rng b(derive_seed(3, "x"));
  double sum = 0;
  for (int i = 0; i < 100'000; ++i) {
    const double value = exponential(a, 2.0);
    EXPECT_EQ(value, exponential(b, 2.0));
    sum += value;
  }
  EXPECT_NEAR(sum / 100'000, 2.0, 0.05);
  for (int i = 0; i < 1000; ++i) {
    const double u = uniform01(a);
    EXPECT_GE(u, 0.0);
    EXPECT_LT(u, 1.0);
    const std::int64_t n = uniform_int(a, 3, 5);
    EXPECT_TRUE(n >= 3 && n <= 5);
  }
}

TEST(Timeline, IntegratesServersAndTheGapOverTime) {
  Timeline timeline(10, 1000, 100);
  timeline.set(2, 5);  // lower bound 1, gap 1, for 3 s
  timeline.advance_to(3000);
  timeline.set(4, 31);  // lower bound 4, gap 0, for 1 s
  timeline.set(3, 31);  // the state that lasts: gap -1
  timeline.advance_to(4000);
  RunReport report;
  timeline.finish(report);
  EXPECT_DOUBLE_EQ(report.server_seconds, 2 * 3 + 3 * 1);
  EXPECT_EQ(report.servers_peak, 3);  // 4 never lasted
  EXPECT_EQ(report.gap_worst, 1);
  EXPECT_DOUBLE_EQ(report.gap_mean, (1 * 3 - 1 * 1) / 4.0);
  ASSERT_EQ(report.samples.size(), 4u);
  EXPECT_EQ(report.samples[3].lower_bound, 4);
}

TEST(Simulator, TwentyFiveRoomsAtOnceWithInstantStartNeedThreeServers) {
  for (const char* policy : {"first-fit", "best-fit", "least-loaded"}) {
    const RunReport report = run(instant_config(policy), rooms_arriving(25, 2));
    EXPECT_EQ(report.failure.kind, FailureKind::none) << report.failure.what;
    EXPECT_EQ(report.servers_peak, 3) << policy;
    EXPECT_EQ(report.lower_bound_peak, 3) << policy;
    EXPECT_EQ(report.scale_out, 3u) << policy;
    EXPECT_EQ(report.gap_worst, 0) << policy;
    EXPECT_EQ(report.rooms_created, 25u);
    EXPECT_EQ(report.joins_accepted, 50u);
  }
}

TEST(Simulator, ACrashLosesExactlyTheUsersOfThatServersRooms) {
  SimConfig config = instant_config("first-fit");
  config.fleet.crashes_scheduled = {{10'000, 0}};  // s1, which holds rooms 1 to 10
  std::vector<WorkloadEvent> events;
  int users_on_first_server = 0;
  for (int room = 1; room <= 15; ++room) {
    const int users = room % 3 + 1;
    if (room <= 10) users_on_first_server += users;
    std::vector<WorkloadEvent> one = rooms_arriving(1, users);
    for (WorkloadEvent& e : one) {
      e.room = room;
      if (e.kind == EventKind::create) e.user = room * 1000;
    }
    for (int i = 0; i < users; ++i) one[1 + i].user = room * 1000 + i;
    events.insert(events.end(), one.begin(), one.end());
  }
  const RunReport report = run(config, events);
  EXPECT_EQ(report.failure.kind, FailureKind::none) << report.failure.what;
  EXPECT_EQ(report.server_crashes, 1u);
  EXPECT_EQ(report.rooms_lost_to_crashes, 10u);
  EXPECT_EQ(report.users_lost_to_crashes, static_cast<std::uint64_t>(users_on_first_server));
}

TEST(Simulator, ARoomOnAStartingServerWaitsForItsStart) {
  SimConfig config = instant_config();
  config.fleet.start_delay_ms_min = 5'000;
  config.fleet.start_delay_ms_max = 5'000;
  const RunReport report = run(config, rooms_arriving(1, 1));
  EXPECT_EQ(report.failure.kind, FailureKind::none) << report.failure.what;
  EXPECT_EQ(report.rooms_waited, 1u);
  EXPECT_EQ(report.wait_p50_ms, 5'000);
  EXPECT_EQ(report.wait_p99_ms, 5'000);
}

TEST(Simulator, AnEmptiedServerIsStoppedAfterTheIdleTimeout) {
  SimConfig config = instant_config();
  config.scheduler.autoscaler.idle_before_stop = std::chrono::seconds(60);
  std::vector<WorkloadEvent> events = rooms_arriving(3, 1);
  for (int room = 1; room <= 3; ++room) {
    events.push_back(event(10'000, EventKind::leave, room, room * 1000));
  }
  const RunReport report = run(config, events);
  EXPECT_EQ(report.failure.kind, FailureKind::none) << report.failure.what;
  EXPECT_EQ(report.scale_out, 1u);
  EXPECT_EQ(report.scale_in, 1u);
  // One server from 0 until 60 s after it emptied at about 11 s (the next poll).
  EXPECT_NEAR(report.server_seconds, 71, 2);
}

TEST(Simulator, RefusesJoinsWithReasons) {
  SimConfig config = instant_config();
  config.fleet.users_per_room_max = 2;
  std::vector<WorkloadEvent> events = rooms_arriving(1, 3);      // the third is one too many
  events.push_back(event(0, EventKind::join, 99, 5));            // a room never created
  events.push_back(event(0, EventKind::message, 1, 1000, 100));  // reaches both members
  const RunReport report = run(config, events);
  EXPECT_EQ(report.failure.kind, FailureKind::none) << report.failure.what;
  EXPECT_EQ(report.joins, 4u);
  EXPECT_EQ(report.joins_accepted, 2u);
  EXPECT_EQ(report.joins_refused[static_cast<int>(JoinRefusal::room_full)], 1u);
  EXPECT_EQ(report.joins_refused[static_cast<int>(JoinRefusal::unknown_room)], 1u);
}

TEST(Simulator, RefusesCreationsPastMaxServers) {
  SimConfig config = instant_config();
  config.scheduler.autoscaler.max_servers = 1;
  const RunReport report = run(config, rooms_arriving(12, 1));
  EXPECT_EQ(report.failure.kind, FailureKind::none) << report.failure.what;
  EXPECT_EQ(report.rooms_created, 10u);
  EXPECT_EQ(report.creates_refused[static_cast<int>(CreateRefusal::no_capacity)], 2u);
  EXPECT_EQ(report.joins_refused[static_cast<int>(JoinRefusal::create_refused)], 2u);
}

TEST(Simulator, ServersThatNeverStartAreALivenessFailure) {
  SimConfig config = instant_config();
  // Every start takes longer than the scheduler waits: no room is ever served.
  config.scheduler.autoscaler.start_timeout = std::chrono::seconds(10);
  config.fleet.start_delay_ms_min = 20'000;
  config.fleet.start_delay_ms_max = 20'000;
  const RunReport report = run(config, rooms_arriving(1, 1));
  EXPECT_EQ(report.failure.kind, FailureKind::liveness) << report.failure.what;
}

TEST(Simulator, UsersLeftInsideKeepTheirServers) {
  // A trace that ends with users inside is not a liveness failure.
  const RunReport report = run(instant_config(), rooms_arriving(12, 1));
  EXPECT_EQ(report.failure.kind, FailureKind::none) << report.failure.what;
  EXPECT_EQ(report.scale_in, 0u);
}

// Room 1 on s1 from the start; rooms 2 to 11 a second later fill s1 and
// start s2 for room 11; rooms 2 to 10 empty at 10 s. Then s1 and s2 hold one
// room each, and either could take the other's.
std::vector<WorkloadEvent> two_half_empty_servers() {
  std::vector<WorkloadEvent> events = rooms_arriving(1, 1, 0);
  for (int room = 2; room <= 11; ++room) {
    events.push_back(event(1'000, EventKind::create, room, room * 1000));
    events.push_back(event(1'000, EventKind::join, room, room * 1000));
  }
  for (int room = 2; room <= 10; ++room) {
    events.push_back(event(10'000, EventKind::leave, room, room * 1000));
  }
  return events;
}

TEST(Simulator, DefragDrainsAServerAndItsUsersReconnectElsewhere) {
  SimConfig config = instant_config("first-fit");
  const RunReport without = run(config, two_half_empty_servers());
  config.scheduler.autoscaler.defrag_max_rooms = 1;
  const RunReport with = run(config, two_half_empty_servers());
  ASSERT_EQ(with.failure.kind, FailureKind::none) << with.failure.what;
  EXPECT_EQ(without.drains, 0u);
  // The tick at 11 s (the poll at 10 s freed rooms 2 to 10) drains s2, the
  // newer: room 11 and its user move to s1.
  EXPECT_EQ(with.drains, 1u);
  EXPECT_EQ(with.drains_cancelled, 0u);
  EXPECT_EQ(with.rooms_moved, 1u);
  EXPECT_EQ(with.users_moved, 1u);
  EXPECT_EQ(with.reconnects, 1u);
  EXPECT_EQ(with.reconnects_failed, 0u);
  // Down from the drain's request (11 s) until the user is back: the
  // confirmation (1 s) and the reconnect delay (1 s).
  EXPECT_EQ(with.downtime_move.rooms, 1u);
  EXPECT_EQ(with.downtime_move.p50_ms, 2'000);
  // s2 ran until its stop at 12 s instead of until the end.
  EXPECT_NEAR(without.server_seconds - with.server_seconds, without.simulated_ms / 1e3 - 12, 0.01);
}

// One room with two users on s1, which crashes at 10 s; they reconnect 1 s
// later. Instant starts: the room's downtime is all failure detection.
RunReport crash_with(Failover failover) {
  SimConfig config = instant_config("first-fit");
  config.failover = failover;
  config.fleet.crashes_scheduled = {{10'000, 0}};
  return run(config, rooms_arriving(1, 2));
}

TEST(Simulator, FailoverProbesShortenTheRoomsDowntime) {
  const RunReport polls = crash_with(Failover::polls);
  const RunReport probe = crash_with(Failover::probe);
  const RunReport leave = crash_with(Failover::leave);
  for (const RunReport* report : {&polls, &probe, &leave}) {
    ASSERT_EQ(report->failure.kind, FailureKind::none) << report->failure.what;
    EXPECT_EQ(report->users_lost_to_crashes, 2u);
  }
  EXPECT_EQ(leave.reconnects, 0u);
  EXPECT_EQ(leave.downtime_crash.rooms, 0u);
  // Probe: at 11 s the look-up names s1, the probe fails, the room is placed
  // on a new server (s2), and the look-up, waiting in the core as it would
  // in the backend, is answered the moment s2 is ready.
  EXPECT_EQ(probe.reconnects, 2u);
  EXPECT_EQ(probe.servers_marked_gone_by_probe, 1u);
  EXPECT_EQ(probe.downtime_crash.rooms, 1u);
  EXPECT_EQ(probe.downtime_crash.p50_ms, 1'000);
  // Polls: the look-ups keep naming s1 until its third failed poll, at 12 s,
  // then wait for s2 the same way.
  EXPECT_EQ(polls.reconnects, 2u);
  EXPECT_EQ(polls.servers_marked_gone_by_probe, 0u);
  EXPECT_EQ(polls.downtime_crash.p50_ms, 2'000);
}

TEST(Simulator, DrainsAndReconnectsAreDeterministic) {
  const auto report_text = [](std::uint64_t seed) {
    SyntheticWorkload workload(small_synthetic_for_drains(), derive_seed(seed, "workload"));
    SimConfig config;
    config.seed = seed;
    config.check_every = 1;
    config.scheduler.policy = "random";
    config.scheduler.autoscaler.defrag_max_rooms = 3;
    config.scheduler.autoscaler.defrag_interval = std::chrono::seconds(10);
    config.failover = Failover::probe;
    config.fleet.crashes_per_server_hour = 2;
    const SweepResult result{seed, "w", {Simulator(config, workload).run()}};
    EXPECT_EQ(result.runs[0].failure.kind, FailureKind::none) << result.runs[0].failure.what;
    EXPECT_GT(result.runs[0].drains, 0u);
    EXPECT_GT(result.runs[0].downtime_crash.rooms, 0u);
    std::ostringstream text;
    write_table(text, result);
    write_csv(text, result);
    write_json(text, result);
    return text.str();
  };
  EXPECT_EQ(report_text(11), report_text(11));
  EXPECT_NE(report_text(11), report_text(12));
}

SyntheticConfig small_synthetic() {
  SyntheticConfig config;
  config.duration_s = 1800;
  config.rooms_per_hour = 300;
  return config;
}

TEST(Trace, RoundTripKeepsEveryEvent) {
  SyntheticWorkload synthetic(small_synthetic(), 5);
  const std::vector<WorkloadEvent> original = collect(synthetic);
  ASSERT_GT(original.size(), 100u);
  VectorWorkload source(original);
  std::stringstream text;
  EXPECT_EQ(write_trace(source, text), original.size());

  TraceWorkload reader(text);
  const std::vector<WorkloadEvent> read = collect(reader);
  ASSERT_EQ(read.size(), original.size());
  // Ids come back renumbered in order of appearance: the renaming must be
  // one-to-one, and everything else identical.
  std::map<std::uint64_t, std::uint64_t> rooms, users;
  for (std::size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].time_ms, original[i].time_ms);
    EXPECT_EQ(read[i].kind, original[i].kind);
    EXPECT_EQ(read[i].bytes, original[i].bytes);
    EXPECT_EQ(rooms.try_emplace(original[i].room, read[i].room).first->second, read[i].room);
    EXPECT_EQ(users.try_emplace(original[i].user, read[i].user).first->second, read[i].user);
  }
  // And a replay of the read trace gives the same run as the original.
  VectorWorkload again(original);
  std::stringstream text_again;
  write_trace(again, text_again);
  TraceWorkload replay(text_again);
  VectorWorkload direct(original);
  SimConfig config;
  config.seed = 9;
  std::ostringstream from_trace, from_memory;
  write_json(from_trace, SweepResult{9, "w", {Simulator(config, replay).run()}});
  write_json(from_memory, SweepResult{9, "w", {Simulator(config, direct).run()}});
  EXPECT_EQ(from_trace.str(), from_memory.str());
}

TEST(Trace, ReportsTheLineOfABadEvent) {
  std::istringstream text(std::string(trace::kHeader) + "\n10,create,r1,u1,\n5,join,r1,u1,\n");
  TraceWorkload reader(text);
  WorkloadEvent event;
  EXPECT_TRUE(reader.next(event));
  try {
    reader.next(event);
    FAIL() << "expected a TraceError";
  } catch (const TraceError& error) {
    EXPECT_NE(std::string(error.what()).find("line 3"), std::string::npos) << error.what();
  }
  std::istringstream bad_kind("1,shout,r1,u1,\n");
  EXPECT_THROW(TraceWorkload(bad_kind).next(event), TraceError);
}

// parse_options hands the exit code back instead of ending the program.
std::variant<Options, int> parse(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "sim");
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  return parse_options(static_cast<int>(argv.size()), argv.data());
}

TEST(Options, ReturnsTheExitCodeForHelpAndBadUsage) {
  EXPECT_EQ(std::get<int>(parse({"--help"})), 0);
  EXPECT_EQ(std::get<int>(parse({"--no-such-flag"})), 1);
  EXPECT_EQ(std::get<int>(parse({"--rooms-per-server=0"})), 1);
  EXPECT_EQ(std::get<int>(parse({"--policies=no-such-policy"})), 1);
  EXPECT_EQ(std::get<int>(parse({"--start-delay-ms-min=10", "--start-delay-ms-max=5"})), 1);
  const auto parsed = parse({"--seed=7", "--policies=best-fit"});
  ASSERT_TRUE(std::holds_alternative<Options>(parsed));
  EXPECT_EQ(std::get<Options>(parsed).seed, 7u);
  EXPECT_EQ(std::get<Options>(parsed).policies, std::vector<std::string>{"best-fit"});
  EXPECT_EQ(std::get<Options>(parsed).sweep.defrag_max_rooms, std::vector<int>{0});
  EXPECT_EQ(std::get<Options>(parsed).failovers, std::vector<Failover>{Failover::leave});
}

TEST(Options, DefragAlwaysRunsWithoutItTooAndFailoverTakesItsThreeNames) {
  const auto parsed = parse({"--defrag-max-rooms=3,2", "--failover=polls,probe"});
  ASSERT_TRUE(std::holds_alternative<Options>(parsed));
  EXPECT_EQ(std::get<Options>(parsed).sweep.defrag_max_rooms, (std::vector<int>{0, 2, 3}));
  EXPECT_EQ(std::get<Options>(parsed).failovers,
            (std::vector<Failover>{Failover::polls, Failover::probe}));
  EXPECT_EQ(std::get<int>(parse({"--failover=maybe"})), 1);
  EXPECT_EQ(std::get<int>(parse({"--defrag-max-rooms=-1"})), 1);
}

TEST(Reports, TheTableSaysWhatDefragmentationSaves) {
  const auto parsed = parse({"--seed=5", "--policies=least-loaded", "--defrag-max-rooms=2",
                             "--failover=probe", "--duration-s=3600", "--crash-rate=1"});
  ASSERT_TRUE(std::holds_alternative<Options>(parsed));
  const SweepResult result = run_sweep(std::get<Options>(parsed), 5, false);
  ASSERT_EQ(result.runs.size(), 2u);  // defrag 0 and 2
  std::ostringstream table;
  write_table(table, result);
  const std::string text = table.str();
  EXPECT_NE(text.find("defrag failover"), std::string::npos) << text;
  EXPECT_NE(text.find("defragmentation, against the same run without it:\n"
                      "  least-loaded spare=0 idle=60s defrag=2 failover=probe: server-hours "),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("rooms cut off by crashes"), std::string::npos) << text;
}

// Replications: the same results whatever the number of threads, and each
// replication is the run its own seed gives alone.
TEST(Replications, DeterministicWhateverTheThreads) {
  const auto json = [](const char* threads) {
    const auto parsed =
        parse({"--seed=11", "--policies=best-fit,least-loaded", "--replications=3", threads,
               "--duration-s=1800", "--rooms-per-hour=400", "--crash-rate=1"});
    const SweepResult result = run_sweep(std::get<Options>(parsed), 11, false);
    EXPECT_EQ(result.runs.size(), 6u);
    std::ostringstream text;
    write_json(text, result);
    return text.str();
  };
  const std::string one_thread = json("--threads=1");
  EXPECT_EQ(one_thread, json("--threads=2"));
  EXPECT_EQ(one_thread, json("--threads=5"));
  EXPECT_NE(one_thread.find("\"comparisons\""), std::string::npos);
}

TEST(Replications, EachIsTheRunOfItsSeedAlone) {
  const auto parsed = parse({"--seed=11", "--policies=best-fit,least-loaded", "--replications=3",
                             "--duration-s=1800", "--rooms-per-hour=400"});
  const SweepResult replicated = run_sweep(std::get<Options>(parsed), 11, false);
  ASSERT_EQ(replicated.replication_seeds.size(), 3u);
  ASSERT_EQ(replicated.points, 2u);
  const std::uint64_t second = replicated.replication_seeds[1];
  const auto alone_parsed =
      parse({"--policies=best-fit,least-loaded", "--duration-s=1800", "--rooms-per-hour=400"});
  const SweepResult alone = run_sweep(std::get<Options>(alone_parsed), second, false);
  ASSERT_EQ(alone.runs.size(), 2u);
  for (std::size_t p = 0; p < 2; ++p) {
    RunReport from_replications = replicated.runs[2 + p];
    EXPECT_EQ(from_replications.seed, second);
    EXPECT_EQ(from_replications.replication, 1);
    from_replications.replication = 0;
    std::ostringstream a, b;
    write_json(a, SweepResult{second, "w", {from_replications}});
    write_json(b, SweepResult{second, "w", {alone.runs[p]}});
    EXPECT_EQ(a.str(), b.str());
  }
}

TEST(Replications, TheTablePairsEachPolicyWithTheFirst) {
  const auto parsed = parse({"--seed=3", "--policies=least-loaded,best-fit,random",
                             "--replications=2", "--duration-s=1800", "--rooms-per-hour=300"});
  const SweepResult result = run_sweep(std::get<Options>(parsed), 3, false);
  std::ostringstream table, csv;
  write_table(table, result);
  write_csv(csv, result);
  const std::string text = table.str();
  EXPECT_NE(text.find("2 replications"), std::string::npos) << text;
  EXPECT_NE(text.find("best-fit spare=0 idle=60s  minus  least-loaded spare=0 idle=60s"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("random spare=0 idle=60s  minus  least-loaded spare=0 idle=60s"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  server-hours "), std::string::npos) << text;
  // One CSV row per seed and setting, each with its own seed.
  const std::string rows = csv.str();
  EXPECT_EQ(std::count(rows.begin(), rows.end(), '\n'), 1 + 6);
  EXPECT_NE(rows.find(std::to_string(result.replication_seeds[1]) + ",random,"), std::string::npos);
}

TEST(Models, FailedStartsAreGivenUpOnAndTheirRoomsPlacedAgain) {
  const auto parsed = parse({"--policies=best-fit", "--duration-s=3600", "--rooms-per-hour=300",
                             "--start-failure-rate=0.3", "--server-start-timeout=60", "--check-every=1"});
  const SweepResult result = run_sweep(std::get<Options>(parsed), 4, false);
  ASSERT_EQ(result.runs.size(), 1u);
  const RunReport& run = result.runs[0];
  EXPECT_EQ(run.failure.kind, FailureKind::none) << run.failure.what;
  EXPECT_GT(run.starts_failed, 0u);
  EXPECT_GE(run.start_timeouts, run.starts_failed);
}

TEST(Models, ClientsRetryAfterRetryAfterInsteadOfBeingRefused) {
  const auto run = [](bool retry) {
    // A fleet at its limit, crashing often, whose users come back slowly:
    // by then new rooms have taken the replacement, and look-ups of the
    // crashed rooms find no slot.
    std::vector<std::string> arguments{
        "--policies=best-fit", "--duration-s=7200",          "--rooms-per-hour=600",
        "--max-servers=2",     "--rooms-per-server=1",       "--crash-rate=4",
        "--failover=probe",    "--reconnect-delay-ms=20000", "--check-every=1"};
    if (retry) arguments.push_back("--retry-unavailable");
    return run_sweep(std::get<Options>(parse(arguments)), 1, false).runs.at(0);
  };
  const RunReport refused = run(false);
  const RunReport retried = run(true);
  EXPECT_EQ(refused.failure.kind, FailureKind::none) << refused.failure.what;
  EXPECT_EQ(retried.failure.kind, FailureKind::none) << retried.failure.what;
  const auto no_capacity = [](const RunReport& r) {
    return r.joins_refused[static_cast<int>(JoinRefusal::no_capacity)] + r.reconnects_failed;
  };
  EXPECT_GT(no_capacity(refused), 0u);
  EXPECT_LT(no_capacity(retried), no_capacity(refused));
}

TEST(Simulator, TheSameSeedGivesByteIdenticalReports) {
  const auto report_text = [](std::uint64_t seed) {
    SyntheticWorkload workload(small_synthetic(), derive_seed(seed, "workload"));
    SimConfig config;
    config.seed = seed;
    config.scheduler.policy = "power-of-two-choices";
    config.fleet.crashes_per_server_hour = 0.5;
    const SweepResult result{seed, "w", {Simulator(config, workload).run()}};
    std::ostringstream text;
    write_table(text, result);
    write_csv(text, result);
    write_json(text, result);
    write_svg(text, result);
    return text.str();
  };
  EXPECT_EQ(report_text(11), report_text(11));
  EXPECT_NE(report_text(11), report_text(12));
}

TEST(Reports, SvgHasAxesALegendAndTheLowerBound) {
  SyntheticWorkload workload(small_synthetic(), 3);
  SimConfig config;
  config.sample_interval_ms = 60'000;
  const SweepResult result{3, "w", {Simulator(config, workload).run()}};
  std::ostringstream svg;
  write_svg(svg, result);
  const std::string text = svg.str();
  EXPECT_EQ(text.rfind("<svg", 0), 0u);
  EXPECT_NE(text.find("simulated time (hours)"), std::string::npos);
  EXPECT_NE(text.find("servers in use"), std::string::npos);
  EXPECT_NE(text.find("lower bound"), std::string::npos);
  EXPECT_NE(text.find("random spare=0 idle=300s"), std::string::npos);
  EXPECT_NE(text.find("</svg>"), std::string::npos);
}

}  // namespace
}  // namespace sim
