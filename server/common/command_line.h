// What parsing a binary's command line comes to: the settings to run with,
// or a reason to stop now (--help, a bad flag, a missing secret) with the
// text to print and the exit code. Parsers return it; only main exits.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <variant>

#include "server/common/admission.h"
#include "server/common/jwt.h"

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

// The flags of admission control both binaries share, as typed: CIDR lists
// are parsed once the command line is (admission_options).
struct AdmissionFlags {
  std::string trusted_proxies;  // --trusted-proxies
  std::string exempt;           // --admission-exempt
  std::size_t keys_max = 100000;
};
void add_admission_flags(CLI::App& app, AdmissionFlags& flags);
// The parsed options, or what is wrong with a list (naming the flag).
std::variant<AdmissionOptions, std::string> admission_options(const AdmissionFlags& flags);

// The keys tokens are signed and checked with, from JWT_SECRET (one key, no
// id: the seed's) or JWT_KEYS_FILE (ids and secrets, signing key first: for
// rotating the secret with nobody logged out). The keys, or what to fix;
// `peer` is who must share them ("the session servers").
std::variant<jwt::Keys, std::string> token_keys(const std::string& secret,
                                                const std::string& keys_file,
                                                const std::string& peer);

// Prints `exit_now.message` where it belongs and returns its code: for main.
int report(const ExitNow& exit_now);

}  // namespace chat
