#include "server/common/command_line.h"

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

int report(const ExitNow& exit_now) {
  (exit_now.code == 0 ? std::cout : std::cerr) << exit_now.message;
  if (!exit_now.message.empty() && exit_now.message.back() != '\n') {
    (exit_now.code == 0 ? std::cout : std::cerr) << '\n';
  }
  return exit_now.code;
}

}  // namespace chat
