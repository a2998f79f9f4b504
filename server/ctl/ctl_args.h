// chatctl's command line: which command, against which backend, with what.
// Parsing only (no I/O), so every mistake an operator can make is tested
// here and answered with what to fix.
#pragma once

#include <chrono>
#include <string>
#include <variant>

#include "network/result.h"

namespace chat::ctl {

struct AdminTarget {
  std::string origin;  // the backend's admin listener: "http://127.0.0.1:8081"
  std::string token;   // its ADMIN_TOKEN, sent as the bearer token; empty: none
};

// chatctl fleet: the session servers as a table.
struct FleetCommand {
  AdminTarget admin;
};

// chatctl drain <serverId>: drain it and wait until it is gone.
struct DrainCommand {
  AdminTarget admin;
  std::string server_id;
  std::chrono::seconds timeout{120};
};

// Stop now: --help (code 0, text for stdout) or a usage error (code 2, for stderr).
struct CtlExit {
  int code = 0;
  std::string message;
};

using CtlCommand = std::variant<FleetCommand, DrainCommand>;

// Exit code of a command line that cannot be run as given.
inline constexpr int usage_error = 2;

std::variant<CtlCommand, CtlExit> parse_ctl_args(int argc, const char* const* argv);

// The admin listener's origin from what an operator typed: a URL without a
// path ("http://127.0.0.1:8081", "https://admin.example:8443") or a bare
// "host:port" (http); otherwise an error saying what to write.
network::Result<std::string> admin_origin(const std::string& text);

}  // namespace chat::ctl
