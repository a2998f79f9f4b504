#include "server/common/command_line.h"

#include <sys/stat.h>

#include "server/common/tokens.h"

#include <iostream>
#include <sstream>

namespace chat {

std::optional<ExitNow> parse_command_line(CLI::App& app, int argc, const char* const* argv) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::ParseError& error) {
    std::ostringstream out;
    std::ostringstream err;
    int code = app.exit(error, out, err);
    return ExitNow{code, code == 0 ? out.str() : err.str()};
  }
}

void add_admission_flags(CLI::App& app, AdmissionFlags& flags) {
  app.add_option("--trusted-proxies", flags.trusted_proxies,
                 "Comma-separated addresses or CIDR blocks of proxies in front of this server: "
                 "only their X-Forwarded-For is believed (the right-most address in it that is "
                 "not one of them is the client). Empty: the header is ignored")
      ->envname("TRUSTED_PROXIES");
  app.add_option("--admission-exempt", flags.exempt,
                 "Comma-separated addresses or CIDR blocks no rate limit applies to, e.g. "
                 "127.0.0.0/8 for a load generator on this machine")
      ->envname("ADMISSION_EXEMPT");
  app.add_option("--admission-keys-max", flags.keys_max,
                 "Most addresses (or users) each rate limit remembers; the least recently seen "
                 "are forgotten first")
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}));
}

std::variant<AdmissionOptions, std::string> admission_options(const AdmissionFlags& flags) {
  AdmissionOptions options;
  options.keys_max = flags.keys_max;
  auto trusted = AddressSet::parse(flags.trusted_proxies);
  if (auto* error = std::get_if<std::string>(&trusted)) return "--trusted-proxies: " + *error;
  options.trusted_proxies = std::get<AddressSet>(trusted);
  auto exempt = AddressSet::parse(flags.exempt);
  if (auto* error = std::get_if<std::string>(&exempt)) return "--admission-exempt: " + *error;
  options.exempt = std::get<AddressSet>(exempt);
  return options;
}

int report(const ExitNow& exit_now) {
  (exit_now.code == 0 ? std::cout : std::cerr) << exit_now.message;
  if (!exit_now.message.empty() && exit_now.message.back() != '\n') {
    (exit_now.code == 0 ? std::cout : std::cerr) << '\n';
  }
  return exit_now.code;
}

std::variant<jwt::Keys, std::string> token_keys(const std::string& secret,
                                                const std::string& keys_file,
                                                const std::string& peer) {
  if (!secret.empty() && !keys_file.empty()) {
    return "JWT_SECRET and JWT_KEYS_FILE are both set: set one (the keys file for rotation)";
  }
  if (!keys_file.empty()) {
    struct stat info{};
    if (stat(keys_file.c_str(), &info) == 0 && (info.st_mode & 077) != 0) {
      return "JWT_KEYS_FILE " + keys_file + " can be read by others: chmod 600 it";
    }
    return read_keys_file(keys_file);
  }
  if (secret.empty()) {
    return "JWT_SECRET is not set. Set the environment variable JWT_SECRET (or --jwt-secret) to "
           "the secret " + peer + " share, or JWT_KEYS_FILE to a file of keys.";
  }
  if (auto problem = secret_problem(secret)) return *problem;
  return jwt::Keys{{"", secret}};
}

}  // namespace chat
