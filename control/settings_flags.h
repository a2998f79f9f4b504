// The command-line flags of the control plane's settings (ControlSettings),
// one name, help and default each, for the backend and the simulator.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <vector>

#include "control/settings.h"

namespace core {

// The settings a simulation may sweep: each flag then takes a
// comma-separated list of values, every one of which is run.
struct SettingsSweep {
  std::vector<int> spare_room_slots;
  std::vector<std::int64_t> idle_before_stop_s;
  std::vector<int> defrag_max_rooms;
};

// Adds the flags, which write into `settings` (or, for those swept, into
// `sweep`, which starts with the one default value each).
void add_settings_flags(CLI::App& app, ControlSettings& settings, SettingsSweep* sweep = nullptr);

}  // namespace core
