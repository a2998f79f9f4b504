// Configuration parsing: the command lines of the backend
// (parse_backend_config), the session server (parse_session_config), the
// load generator (loadgen::parse_config) and the simulator
// (sim::parse_options). The first byte picks the parser; the rest, split at
// newlines, is argv after the program name. The environment variables the
// parsers read are cleared first, so that an input means one thing.
// Invariants: a parser returns (settings, or a reason and an exit code)
// and never throws; settings it returns pass the checks it promises (a
// secret long enough, an advertised host, a valid load-generator config).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "loadgen/config.h"
#include "server/backend/config.h"
#include "server/common/tokens.h"
#include "server/session/config.h"
#include "sim/options.h"

namespace {

constexpr std::size_t kArgsMax = 24;

// Keeps --help and error text off the fuzzer's output while a parser runs.
class Quiet {
 public:
  Quiet() : out_(std::cout.rdbuf(&sink_)), err_(std::cerr.rdbuf(&sink_)) {}
  ~Quiet() {
    std::cout.rdbuf(out_);
    std::cerr.rdbuf(err_);
  }

 private:
  std::stringbuf sink_;
  std::streambuf* out_;
  std::streambuf* err_;
};

void clear_environment() {
  for (const char* name : {"PORT", "JWT_SECRET", "ADVERTISED_HOST", "ADMIN_TOKEN", "STATIC_DIR",
                           "SESSION_SERVER_HOST", "SESSION_ADMIN_HOSTS", "SESSION_BINARY",
                           "HATHORA_APP_ID", "HATHORA_TOKEN", "HATHORA_REGION"}) {
    unsetenv(name);
  }
}

void parse_backend(int argc, char** argv) {
  auto parsed = chat::parse_backend_config(argc, argv);
  if (auto* config = std::get_if<chat::BackendConfig>(&parsed)) {
    FUZZ_CHECK(!chat::secret_problem(config->jwt_secret));
  } else {
    FUZZ_CHECK(std::get<chat::ExitNow>(parsed).code != 0 ||
               !std::get<chat::ExitNow>(parsed).message.empty());
  }
}

void parse_session(int argc, char** argv) {
  auto parsed = chat::parse_session_config(argc, argv);
  if (auto* config = std::get_if<chat::SessionConfig>(&parsed)) {
    FUZZ_CHECK(!chat::secret_problem(config->jwt_secret));
    FUZZ_CHECK(!config->advertised_host.empty());
  }
}

void parse_loadgen(int argc, char** argv) {
  auto parsed = loadgen::parse_config(argc, argv);
  if (!parsed.config) return;
  FUZZ_CHECK(parsed.exit_code == 0);
  FUZZ_CHECK(loadgen::validate(*parsed.config).empty());
}

void parse_sim(int argc, char** argv) {
  auto parsed = sim::parse_options(argc, argv);
  if (auto* options = std::get_if<sim::Options>(&parsed)) {
    FUZZ_CHECK(options->start_delay_ms_max >= options->start_delay_ms_min);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool cleared = (clear_environment(), true);
  (void)cleared;
  if (size == 0) return 0;
  static const char* const programs[] = {"backend", "session", "loadgen", "sim"};
  const unsigned which = data[0] % 4;
  std::vector<std::string> args{programs[which]};
  std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::istringstream lines(rest);
  for (std::string arg; args.size() < kArgsMax && std::getline(lines, arg);) args.push_back(arg);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const int argc = static_cast<int>(args.size());

  Quiet quiet;
  switch (which) {
    case 0:
      parse_backend(argc, argv.data());
      break;
    case 1:
      parse_session(argc, argv.data());
      break;
    case 2:
      parse_loadgen(argc, argv.data());
      break;
    case 3:
      parse_sim(argc, argv.data());
      break;
  }
  return 0;
}
