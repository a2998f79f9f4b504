// --log-level and --log-format, the same in every binary.
#pragma once

#include <CLI/CLI.hpp>

#include "logging/log.h"

namespace logging {

void add_log_flags(CLI::App& app, Options& options);

}  // namespace logging
