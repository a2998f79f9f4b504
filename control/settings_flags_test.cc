// The settings' flags: names, units, ranges and the sweep's lists, as both
// the backend and the simulator parse them.
#include "control/settings_flags.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace core {
namespace {

struct Parsed {
  ControlSettings settings;
  SettingsSweep sweep;
  bool ok = false;
};

Parsed parse(std::vector<std::string> arguments, bool swept = false) {
  Parsed parsed;
  CLI::App app;
  add_settings_flags(app, parsed.settings, swept ? &parsed.sweep : nullptr);
  arguments.insert(arguments.begin(), "program");
  std::vector<char*> argv;
  for (std::string& argument : arguments) argv.push_back(argument.data());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    parsed.ok = true;
  } catch (const CLI::ParseError&) {
  }
  return parsed;
}

TEST(SettingsFlags, WithoutFlagsTheTableDefaultsHold) {
  const Parsed parsed = parse({});
  ASSERT_TRUE(parsed.ok);
  const ControlSettings table;
  EXPECT_EQ(parsed.settings.idle_before_stop, table.idle_before_stop);
  EXPECT_EQ(parsed.settings.server_start_timeout, table.server_start_timeout);
  EXPECT_EQ(parsed.settings.empty_room_grace, table.empty_room_grace);
  EXPECT_EQ(parsed.settings.max_servers, table.max_servers);
}

TEST(SettingsFlags, DurationsAreReadInTheUnitsTheirNamesSay) {
  const Parsed parsed = parse({"--idle-before-stop", "90", "--poll-interval-ms", "250",
                               "--server-start-timeout=7", "--empty-room-grace", "0",
                               "--retry-after", "9", "--defrag-interval", "120"});
  ASSERT_TRUE(parsed.ok);
  EXPECT_EQ(parsed.settings.idle_before_stop, std::chrono::seconds(90));
  EXPECT_EQ(parsed.settings.poll_interval, std::chrono::milliseconds(250));
  EXPECT_EQ(parsed.settings.server_start_timeout, std::chrono::seconds(7));
  EXPECT_EQ(parsed.settings.empty_room_grace, std::chrono::seconds(0));
  EXPECT_EQ(parsed.settings.retry_after, std::chrono::seconds(9));
  EXPECT_EQ(parsed.settings.defrag_interval, std::chrono::seconds(120));
  // One timeout for a start: the scheduler's and a request's wait.
  const ControlOptions options = control_options(parsed.settings);
  EXPECT_EQ(options.scheduler.autoscaler.start_timeout, std::chrono::seconds(7));
  EXPECT_EQ(options.start_wait_max, std::chrono::seconds(7));
}

TEST(SettingsFlags, ValuesOutOfRangeAreRefused) {
  EXPECT_FALSE(parse({"--max-servers", "0"}).ok);
  EXPECT_FALSE(parse({"--poll-interval-ms", "10"}).ok);
  EXPECT_FALSE(parse({"--idle-before-stop", "-1"}).ok);
  EXPECT_FALSE(parse({"--server-start-timeout", "soon"}).ok);
}

TEST(SettingsFlags, ASweepTakesListsThatStartAtTheDefault) {
  const Parsed defaults = parse({}, true);
  ASSERT_TRUE(defaults.ok);
  EXPECT_EQ(defaults.sweep.idle_before_stop_s,
            std::vector<std::int64_t>{ControlSettings{}.idle_before_stop.count()});
  EXPECT_EQ(defaults.sweep.spare_room_slots, std::vector<int>{0});
  const Parsed swept = parse({"--idle-before-stop=60,300", "--spare-room-slots", "0,10"}, true);
  ASSERT_TRUE(swept.ok);
  EXPECT_EQ(swept.sweep.idle_before_stop_s, (std::vector<std::int64_t>{60, 300}));
  EXPECT_EQ(swept.sweep.spare_room_slots, (std::vector<int>{0, 10}));
  EXPECT_FALSE(parse({"--spare-room-slots=0,-3"}, true).ok);
}

}  // namespace
}  // namespace core
