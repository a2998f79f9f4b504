// What parsing a binary's command line comes to: the settings to run with,
// or a reason to stop now (--help, a bad flag, a missing secret) with the
// text to print and the exit code. Parsers return it; only main exits.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <variant>

namespace chat {

struct ExitNow {
  int code = 0;         // 0 after --help
  std::string message;  // for stdout when code is 0, for stderr otherwise
};

template <typename Config>
using ParsedConfig = std::variant<Config, ExitNow>;

// app.parse(argc, argv), with --help and parse errors turned into ExitNow
// carrying CLI11's own text (the help, or the error and a pointer to --help).
std::optional<ExitNow> parse_command_line(CLI::App& app, int argc, const char* const* argv);

// Prints `exit_now.message` where it belongs and returns its code: for main.
int report(const ExitNow& exit_now);

}  // namespace chat
