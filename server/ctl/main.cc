// chatctl: operates a chat deployment through the backend's admin listener.
//   chatctl fleet --admin http://127.0.0.1:8081          the session servers as a table
//   chatctl drain <serverId> --admin URL [--admin-token T] [--timeout S]
//       drains one: its rooms move elsewhere, then it is stopped; waits until
//       it is gone from the fleet and says what moved.
// Exit codes: 0 done, 1 refused or failed, 2 the command line needs fixing.
#include <iostream>
#include <thread>

#include "server/ctl/admin_api.h"
#include "server/ctl/ctl_args.h"
#include "server/ctl/fleet_view.h"
#include "network/percent_encoding.h"

namespace {

using namespace chat::ctl;

int stop(const CtlExit& exit) {
  (exit.code == 0 ? std::cout : std::cerr)
      << exit.message << (exit.message.ends_with('\n') ? "" : "\n");
  return exit.code;
}

// GET /api/fleet, read; or why not.
std::variant<FleetView, CtlExit> get_fleet(AdminApi& api) {
  auto answer = api.call("GET", "/api/fleet");
  if (auto* exit = std::get_if<CtlExit>(&answer)) return *exit;
  const auto& got = std::get<AdminAnswer>(answer);
  if (got.status != 200) {
    return CtlExit{1, "chatctl: GET /api/fleet answered " + std::to_string(got.status) + ": " +
                          (got.error.empty() ? got.body : got.error)};
  }
  auto fleet = parse_fleet(got.body);
  if (!fleet) return CtlExit{1, "chatctl: GET /api/fleet: " + fleet.error()};
  return std::move(fleet).value();
}

int run(const FleetCommand& command) {
  AdminApi api(command.admin);
  auto fleet = get_fleet(api);
  if (auto* exit = std::get_if<CtlExit>(&fleet)) return stop(*exit);
  std::cout << fleet_table(std::get<FleetView>(fleet));
  return 0;
}

int run(const DrainCommand& command) {
  AdminApi api(command.admin);
  const std::string& id = command.server_id;
  auto answer = api.call("POST", "/api/fleet/servers/" + network::percent_encode(id) + "/drain");
  if (auto* exit = std::get_if<CtlExit>(&answer)) return stop(*exit);
  const auto& begun = std::get<AdminAnswer>(answer);
  if (begun.status == 404) {
    return stop({usage_error, "chatctl: " + begun.error + " (`chatctl fleet --admin " +
                                  command.admin.origin + "` lists the servers)"});
  }
  if (begun.status != 202) {
    return stop({1, "chatctl: the backend did not begin the drain (HTTP " +
                        std::to_string(begun.status) +
                        "): " + (begun.error.empty() ? begun.body : begun.error)});
  }
  std::cout << "chatctl: draining " << id << ": " << begun.body << std::endl;

  // The backend asks the session server to hand its rooms over, which takes
  // as long as its clients take to close and its history to be stored.
  const auto deadline = std::chrono::steady_clock::now() + command.timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto fleet_or_exit = get_fleet(api);
    if (auto* exit = std::get_if<CtlExit>(&fleet_or_exit)) {
      if (exit->code == usage_error) return stop(*exit);
      std::cerr << exit->message << " (still waiting)\n";
      continue;
    }
    const auto& fleet = std::get<FleetView>(fleet_or_exit);
    const DrainRow* drain = fleet.latest_drain(id);
    if (drain && drain->state == "failed") {
      return stop(
          {1, "chatctl: " + id + ": " + describe_drain(*drain) + "; the server is ready again"});
    }
    const ServerRow* server = fleet.server(id);
    if (server == nullptr || server->state == "gone") {
      std::cout << "chatctl: " << id << " is drained and stopped"
                << (drain ? ": " + describe_drain(*drain) : std::string()) << "\n"
                << fleet_table(fleet);
      return 0;
    }
  }
  return stop({1, "chatctl: " + id + " is still in the fleet after " +
                      std::to_string(command.timeout.count()) +
                      " s; it keeps draining: `chatctl fleet` shows where it stands"});
}

}  // namespace

int main(int argc, char** argv) {
  auto parsed = parse_ctl_args(argc, argv);
  if (auto* exit = std::get_if<CtlExit>(&parsed)) return stop(*exit);
  return std::visit([](const auto& command) { return run(command); }, std::get<CtlCommand>(parsed));
}
