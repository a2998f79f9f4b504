#include "scheduler/fleets/local_fleet_state.h"

#include <signal.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sched {

std::vector<RecordedServer> read_fleet_state(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  auto json = boost::json::parse(text.str(), ec);
  if (ec || !json.is_array()) {
    error = path + " is not a JSON array of servers";
    return {};
  }
  std::vector<RecordedServer> servers;
  for (const auto& entry : json.as_array()) {
    const auto* object = entry.if_object();
    const auto* id = object ? object->if_contains("id") : nullptr;
    const auto* pid = object ? object->if_contains("pid") : nullptr;
    const auto* host = object ? object->if_contains("host") : nullptr;
    const auto* admin = object ? object->if_contains("adminHost") : nullptr;
    if (!id || !id->is_string() || !pid || !pid->is_int64() || !host || !host->is_string()) {
      error = path + ": an entry without id, pid and host";
      continue;
    }
    servers.push_back({std::string(id->as_string()), pid->as_int64(),
                       std::string(host->as_string()),
                       admin && admin->is_string() ? std::string(admin->as_string()) : ""});
  }
  return servers;
}

bool write_fleet_state(const std::string& path, const std::vector<RecordedServer>& servers,
                       std::string& error) {
  boost::json::array json;
  for (const auto& server : servers) {
    json.push_back({{"id", server.id},
                    {"pid", server.pid},
                    {"host", server.host},
                    {"adminHost", server.admin_host}});
  }
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << boost::json::serialize(json) << "\n";
    if (!out.flush()) {
      error = "cannot write " + temporary + ": " + std::strerror(errno);
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    error = "cannot rename " + temporary + " to " + path + ": " + ec.message();
    return false;
  }
  return true;
}

bool session_process_alive(long long pid, const std::string& binary) {
  if (pid <= 0 || kill(static_cast<pid_t>(pid), 0) != 0) return false;
  const std::string proc = "/proc/" + std::to_string(pid);
  std::ifstream stat(proc + "/stat");
  std::string line;
  std::getline(stat, line);
  // "pid (comm) S ...": the state letter follows the last ')'.
  auto paren = line.rfind(')');
  if (paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z') {
    return false;
  }
  std::error_code ec;
  auto exe = std::filesystem::read_symlink(proc + "/exe", ec);
  if (ec) return true;  // not ours to inspect (another user): trust the record
  auto wanted = std::filesystem::weakly_canonical(binary, ec);
  // A rebuilt binary shows as "<path> (deleted)": the same program still.
  std::string running = exe.string();
  if (running.ends_with(" (deleted)")) running.resize(running.size() - 10);
  return ec || running == wanted.string() || exe.filename() == wanted.filename();
}

std::uint64_t local_id_number(const ServerId& id) {
  if (!id.starts_with("local-")) return 0;
  return std::strtoull(id.c_str() + 6, nullptr, 10);
}

}  // namespace sched
