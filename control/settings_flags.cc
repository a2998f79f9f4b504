#include "control/settings_flags.h"

#include <string>

namespace core {
namespace {

// An option that converts whole units into a duration field; its default is
// the field's, printed by --help.
template <class Duration>
CLI::Option* add_duration(CLI::App& app, const std::string& name, Duration& field,
                          const std::string& help, long long min, long long max) {
  return app
      .add_option_function<long long>(
          name, [&field](long long value) { field = Duration(value); }, help)
      ->default_str(std::to_string(field.count()))
      ->check(CLI::Range(min, max));
}

// A setting a simulation sweeps (a list) or the backend sets (one value).
template <class T, class Field>
CLI::Option* add_sweepable(CLI::App& app, const std::string& name, Field& field,
                           std::vector<T>* values, const std::string& help) {
  if (values == nullptr) return app.add_option(name, field, help)->capture_default_str();
  *values = {static_cast<T>(field)};
  return app.add_option(name, *values, help + "; comma-separated values to sweep")
      ->delimiter(',')
      ->capture_default_str();
}

}  // namespace

void add_settings_flags(CLI::App& app, ControlSettings& s, SettingsSweep* sweep) {
  app.add_option("--rooms-per-server", s.rooms_per_server, "Rooms a session server holds")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  app.add_option("--min-servers", s.min_servers, "Servers kept running even when idle")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000));
  app.add_option("--max-servers", s.max_servers,
                 "Most servers the fleet may run; past it, with every server full, a new room "
                 "is refused (503 with Retry-After)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  if (sweep != nullptr) {
    // The seconds, as the list holds them, written back by the caller.
    sweep->idle_before_stop_s = {s.idle_before_stop.count()};
    app.add_option("--idle-before-stop", sweep->idle_before_stop_s,
                   "Seconds an empty server waits before it is stopped; comma-separated values "
                   "to sweep")
        ->delimiter(',')
        ->capture_default_str()
        ->check(CLI::Range(0, 86400));
  } else {
    add_duration(app, "--idle-before-stop", s.idle_before_stop,
                 "Seconds an empty server waits before it is stopped", 0, 86400);
  }
  add_sweepable<int>(app, "--spare-room-slots", s.spare_room_slots,
                     sweep ? &sweep->spare_room_slots : nullptr,
                     "Free room slots kept ahead of demand")
      ->check(CLI::Range(0, 1000000));
  add_sweepable<int>(app, "--defrag-max-rooms", s.defrag_max_rooms,
                     sweep ? &sweep->defrag_max_rooms : nullptr,
                     "Defragmentation: the autoscaler drains a ready server holding 1 to this "
                     "many rooms when they fit on the other servers, so the fleet needs one "
                     "server fewer (each moved room's users reconnect); 0: off")
      ->check(CLI::Range(0, 100000));
  add_duration(app, "--defrag-interval", s.defrag_interval,
               "Seconds between two defragmenting drains (and none while one is in flight)", 1,
               86400);
  add_duration(app, "--server-start-timeout", s.server_start_timeout,
               "Seconds a new session server has to come up; past it, it is stopped and the "
               "scheduler tries another (also the longest a request waits for one)",
               1, 3600);
  add_duration(app, "--join-deadline", s.join_deadline,
               "Seconds a created room may wait for its first user before its slot is freed", 1,
               86400);
  add_duration(app, "--empty-room-grace", s.empty_room_grace,
               "Seconds an emptied room keeps its slot (a reload, a flaky network)", 0, 86400);
  add_duration(app, "--poll-interval-ms", s.poll_interval,
               "How often session servers' status is polled and the autoscaler acts", 50,
               60000);
  app.add_option("--failed-polls-before-gone", s.failed_polls_before_gone,
                 "Polls in a row a session server leaves unanswered before it is taken as gone "
                 "and its rooms are placed again (one a client reports unreachable is probed "
                 "at once)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--placement-attempts", s.placement_attempts,
                 "Servers tried for one new room when each refuses its reservation (full with "
                 "other backends' rooms) before answering 503")
      ->capture_default_str()
      ->check(CLI::Range(1, 100));
  add_duration(app, "--retry-after", s.retry_after,
               "Seconds of Retry-After told with a 503 when every server is full", 1, 3600);
}

}  // namespace core
