#include "server/ctl/ctl_args.h"

#include <CLI/CLI.hpp>
#include <string_view>

#include "network/url.h"

namespace chat::ctl {

namespace {

constexpr const char* kAdminExample = "http://127.0.0.1:8081";

std::string usage_hint(const std::string& command) {
  return "Run `chatctl " + (command.empty() ? std::string() : command + " ") +
         "--help` for the options.";
}

// Options every command takes, filled into `admin` as typed.
void add_admin_options(CLI::App& command, AdminTarget& admin) {
  command
      .add_option("--admin", admin.origin,
                  std::string("The backend's admin listener, e.g. ") + kAdminExample +
                      " (the backend prints it at start: \"backend: admin on http://...\")")
      ->envname("CHATCTL_ADMIN")
      ->required();
  command.add_option("--admin-token", admin.token, "The backend's ADMIN_TOKEN, when it has one")
      ->envname("ADMIN_TOKEN");
}

}  // namespace

network::Result<std::string> admin_origin(const std::string& text) {
  using Origin = network::Result<std::string>;
  const std::string written = text.find("://") == std::string::npos ? "http://" + text : text;
  auto url = network::Url::parse(written);
  const std::string what_to_write =
      std::string("; give the backend's admin listener, like ") + kAdminExample;
  if (!url) return Origin::failure("--admin: " + url.error() + what_to_write);
  if (url->scheme != network::Scheme::http && url->scheme != network::Scheme::https) {
    return Origin::failure("--admin '" + text + "' is not http:// or https://" + what_to_write);
  }
  if (url->target != "/") {
    return Origin::failure("--admin '" + text + "' has a path (" + url->target +
                           "); give the listener alone, like " + kAdminExample);
  }
  return url->origin();
}

std::variant<CtlCommand, CtlExit> parse_ctl_args(int argc, const char* const* argv) {
  CLI::App app{
      "chatctl: operate a chat deployment through the backend's admin listener.\n"
      "Exit codes: 0 done, 1 the backend refused or the operation failed, 2 the command "
      "line needs fixing."};
  app.require_subcommand(1);
  FleetCommand fleet;
  DrainCommand drain;
  int timeout_seconds = static_cast<int>(drain.timeout.count());
  auto* fleet_command = app.add_subcommand("fleet", "List the session servers as a table");
  add_admin_options(*fleet_command, fleet.admin);
  auto* drain_command = app.add_subcommand(
      "drain",
      "Drain a session server: its rooms move to other servers (clients reconnect), then it "
      "is stopped. Waits until it is gone from the fleet, then says what moved");
  drain_command
      ->add_option("serverId", drain.server_id, "The server's id, as `chatctl fleet` lists it")
      ->required();
  add_admin_options(*drain_command, drain.admin);
  drain_command
      ->add_option("--timeout", timeout_seconds,
                   "Seconds to wait for the server to be gone before giving up (it keeps "
                   "draining)")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();

  // CLI11 would only say that a command is required.
  if (argc >= 2 && argv[1][0] != '-' && std::string_view(argv[1]) != "fleet" &&
      std::string_view(argv[1]) != "drain") {
    return CtlExit{usage_error, "chatctl: unknown command '" + std::string(argv[1]) +
                                    "'; the commands are fleet and drain.\n" + usage_hint("")};
  }
  std::string command_name;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    return CtlExit{0, app.help()};
  } catch (const CLI::CallForAllHelp&) {
    return CtlExit{0, app.help("", CLI::AppFormatMode::All)};
  } catch (const CLI::ParseError& error) {
    // The help of the subcommand that was asked for, if any.
    for (auto* command : {fleet_command, drain_command}) {
      if (command->parsed()) command_name = command->get_name();
    }
    if (command_name.empty() && error.get_name() == "RequiredError" && argc < 2) {
      return CtlExit{usage_error,
                     "chatctl: say what to do: `chatctl fleet --admin URL` or "
                     "`chatctl drain <serverId> --admin URL`.\n" +
                         usage_hint("")};
    }
    return CtlExit{usage_error,
                   "chatctl: " + std::string(error.what()) + "\n" + usage_hint(command_name)};
  }
  for (auto* command : {fleet_command, drain_command}) {
    if (command->parsed()) command_name = command->get_name();
  }
  AdminTarget& admin = command_name == "fleet" ? fleet.admin : drain.admin;
  auto origin = admin_origin(admin.origin);
  if (!origin) return CtlExit{usage_error, "chatctl: " + origin.error()};
  admin.origin = origin.value();
  if (command_name == "fleet") return CtlCommand{fleet};
  if (drain.server_id.empty() || drain.server_id.find('/') != std::string::npos) {
    return CtlExit{usage_error, "chatctl: '" + drain.server_id +
                                    "' is not a server id; `chatctl fleet --admin URL` lists "
                                    "them (the id column)"};
  }
  drain.timeout = std::chrono::seconds(timeout_seconds);
  return CtlCommand{drain};
}

}  // namespace chat::ctl
