#include "scheduler/fleets/local_fleet.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>

#include "scheduler/fleets/local_fleet_state.h"
#include "logging/log.h"

namespace sched {

namespace net = boost::asio;

namespace {

// Two ports the kernel just had free (held together, so they differ): the
// child binds them a moment later, for clients and for operators. nullopt
// (never an exception out of io.run()) when there are none, e.g. when the
// backend is out of file descriptors.
std::optional<std::pair<unsigned short, unsigned short>> free_ports(const std::string& address,
                                                                    std::string& error) {
  boost::system::error_code ec;
  auto ip = net::ip::make_address(address, ec);
  net::io_context io;
  net::ip::tcp::acceptor first(io), second(io);
  net::ip::tcp::endpoint endpoint(ip, 0);
  for (auto* acceptor : {&first, &second}) {
    if (!ec) acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->bind(endpoint, ec);
  }
  if (ec) {
    error = "no free port on " + address + ": " + ec.message();
    return std::nullopt;
  }
  return std::pair{first.local_endpoint().port(), second.local_endpoint().port()};
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

}  // namespace

LocalFleet::LocalFleet(net::io_context& io, LocalFleetOptions options)
    : io_(io), options_(std::move(options)), client_(io.get_executor()), reap_timer_(io) {
  if (!options_.state_file.empty()) {
    std::string error;
    auto recorded = read_fleet_state(options_.state_file, error);
    if (!error.empty()) logging::error("local fleet: " + error);
    std::lock_guard lock(mutex_);
    for (const auto& server : recorded) {
      if (adopt_locked({server.id, server.host, server.admin_host, server.pid})) {
        logging::info("local fleet adopted session server " + server.id + " (pid " +
                      std::to_string(server.pid) + ") from " + options_.state_file);
      }
    }
    record_locked();
  }
  schedule_reap();
}

bool LocalFleet::adopt(const RunningServer& server) {
  std::lock_guard lock(mutex_);
  if (children_.contains(server.id)) return true;
  if (!adopt_locked(server)) return false;
  record_locked();
  return true;
}

bool LocalFleet::adopt_locked(const RunningServer& server) {
  if (!session_process_alive(server.pid, options_.session_binary)) return false;
  Child child{static_cast<int>(server.pid),     server.host, server.admin_host,
              std::chrono::steady_clock::now(), true,        true};
  children_[server.id] = child;
  // New ids continue after the adopted ones: an id never comes back.
  std::uint64_t number = local_id_number(server.id);
  std::uint64_t seen = started_count_.load();
  while (number > seen && !started_count_.compare_exchange_weak(seen, number)) {
  }
  return true;
}

std::vector<RunningServer> LocalFleet::running_servers() const {
  std::lock_guard lock(const_cast<std::mutex&>(mutex_));
  std::vector<RunningServer> running;
  for (const auto& [id, child] : children_) {
    if (child.adopted && child.ready)
      running.push_back({id, child.host, child.admin_host, child.pid});
  }
  return running;
}

void LocalFleet::record_locked() {
  if (options_.state_file.empty() || left_running_) return;
  std::vector<RecordedServer> servers;
  for (const auto& [id, child] : children_) {
    servers.push_back({id, child.pid, child.host, child.admin_host});
  }
  std::string error;
  if (!write_fleet_state(options_.state_file, servers, error)) {
    logging::error("local fleet: " + error);
  }
}

bool LocalFleet::exited_locked(const Child& child, int& status) {
  if (!child.adopted) return waitpid(child.pid, &status, WNOHANG) == child.pid;
  // Not our child: its exit status goes to its own parent (or init).
  if (session_process_alive(child.pid, options_.session_binary)) return false;
  status = 0;
  return true;
}

void LocalFleet::leave_running() {
  std::lock_guard lock(mutex_);
  left_running_ = true;  // the record stays as it is, for the next backend
  children_.clear();
  stopping_.clear();
  reap_timer_.cancel();
}

LocalFleet::~LocalFleet() { stop_all(); }

void LocalFleet::set_callbacks(Ready ready, Failed failed) {
  ready_ = std::move(ready);
  failed_ = std::move(failed);
}

int LocalFleet::spawn(unsigned short port, unsigned short admin_port) {
  std::string host = options_.address + ":" + std::to_string(port);
  std::vector<std::string> args = {options_.session_binary,
                                   "--address",
                                   options_.address,
                                   "--port",
                                   std::to_string(port),
                                   "--advertised-host",
                                   host,
                                   "--admin-address",
                                   options_.address,
                                   "--admin-port",
                                   std::to_string(admin_port)};
  args.insert(args.end(), options_.session_args.begin(), options_.session_args.end());
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  // The backend's environment, with the secrets set from its settings.
  std::vector<std::string> environment;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    std::string_view entry(*variable);
    if (entry.starts_with("JWT_SECRET=") || entry.starts_with("JWT_KEYS_FILE=") ||
        entry.starts_with("ADMIN_TOKEN=")) {
      continue;
    }
    environment.emplace_back(entry);
  }
  if (!options_.jwt_secret.empty()) environment.push_back("JWT_SECRET=" + options_.jwt_secret);
  if (!options_.jwt_keys_file.empty()) {
    environment.push_back("JWT_KEYS_FILE=" + options_.jwt_keys_file);
  }
  if (!options_.admin_token.empty()) environment.push_back("ADMIN_TOKEN=" + options_.admin_token);
  std::vector<char*> envp;
  for (auto& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  std::string log_path = options_.log_dir.empty()
                             ? ""
                             : options_.log_dir + "/session-" + std::to_string(port) + ".log";

  pid_t pid = fork();
  if (pid == 0) {
    // In the child: only async-signal-safe calls until exec. A session of its
    // own: the terminal's Ctrl-C for the backend does not reach it, and it
    // outlives the backend (see local_fleet.h).
    setsid();
    if (!log_path.empty()) {
      int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
      }
    }
    // Nothing of the backend's goes with it: not its listening sockets (the
    // child would hold the backend's port), not its clients' connections
    // (they would never see a FIN when the backend closes them).
    close_range(3, ~0U, 0);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  return pid;
}

// Numbered, not named by port: the kernel hands ports out again, and a
// server id must never come back while the scheduler may remember it.
ServerId LocalFleet::next_server_id() { return "local-" + std::to_string(++started_count_); }

bool LocalFleet::start_server(const ServerId& id) {
  std::string error;
  auto ports = free_ports(options_.address, error);
  if (!ports) {
    logging::error("local fleet cannot start a session server: " + error);
    return false;
  }
  auto [port, admin_port] = *ports;
  int pid = spawn(port, admin_port);
  if (pid < 0) {
    logging::error("local fleet cannot fork a session server: " +
                   std::string(std::strerror(errno)));
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    children_[id] = {pid, options_.address + ":" + std::to_string(port),
                     options_.address + ":" + std::to_string(admin_port),
                     std::chrono::steady_clock::now()};
    record_locked();
  }
  logging::info("local fleet started session server " + id + " (pid " + std::to_string(pid) + ")");
  net::post(io_, [this, id] { probe(id); });
  return true;
}

// Asks /healthz every 50 ms until the child answers or the start times out.
void LocalFleet::probe(const ServerId& id) {
  std::string host;
  std::chrono::steady_clock::time_point started;
  {
    std::lock_guard lock(mutex_);
    auto it = children_.find(id);
    if (it == children_.end()) return;  // stopped meanwhile
    host = it->second.host;
    started = it->second.started;
  }
  network::HttpRequest request;
  request.url = "http://" + host + "/healthz";
  request.timeout = std::chrono::milliseconds(500);
  client_.async_fetch(request, [this, id, host, started](network::HttpResponse response) {
    if (response.answered() && response.status == 200) {
      RunningServer server{id, host, "", 0};
      {
        std::lock_guard lock(mutex_);
        auto it = children_.find(id);
        if (it == children_.end()) return;  // exited or stopped meanwhile: the reaper tells
        it->second.ready = true;
        server.admin_host = it->second.admin_host;
        server.pid = it->second.pid;
      }
      if (ready_) ready_(server);
      return;
    }
    if (std::chrono::steady_clock::now() - started > options_.start_timeout) {
      // Stopped, so that a server that comes up late cannot hold rooms the
      // scheduler has already placed elsewhere.
      stop_child(id);
      if (failed_) failed_(id, "did not answer /healthz in time: " + response.error);
      return;
    }
    auto timer = std::make_shared<net::steady_timer>(io_, std::chrono::milliseconds(50));
    timer->async_wait([this, id, timer](boost::system::error_code ec) {
      if (!ec) probe(id);
    });
  });
}

void LocalFleet::stop_server(const ServerId& id) {
  // Idle, or drained: either way it holds no clients the scheduler still counts.
  logging::info("local fleet stopping session server " + id);
  stop_child(id);
}

void LocalFleet::stop_child(const ServerId& id) {
  std::lock_guard lock(mutex_);
  auto it = children_.find(id);
  if (it == children_.end()) return;
  kill(it->second.pid, SIGTERM);
  // An adopted process is not ours to reap: its parent (or init) does.
  if (!it->second.adopted) stopping_.push_back(it->second.pid);
  children_.erase(it);
  record_locked();
}

// Collects exited children every second, so none is left a zombie.
void LocalFleet::schedule_reap() {
  reap_timer_.expires_after(std::chrono::seconds(1));
  reap_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    struct Exited {
      ServerId id;
      int status;
      bool was_ready;
    };
    std::vector<Exited> exited;
    {
      std::lock_guard lock(mutex_);
      std::erase_if(stopping_, [](int pid) { return waitpid(pid, nullptr, WNOHANG) != 0; });
      const std::size_t before = children_.size();
      for (auto it = children_.begin(); it != children_.end();) {
        int status = 0;
        if (exited_locked(it->second, status)) {
          exited.push_back({it->first, status, it->second.ready});
          it = children_.erase(it);
        } else {
          ++it;
        }
      }
      if (children_.size() != before) record_locked();
    }
    for (const auto& [id, status, was_ready] : exited) {
      if (!was_ready) {
        // It never came up (a bad binary, a port taken, a bad flag): say so
        // now rather than after the start timeout.
        if (failed_)
          failed_(id, "exited before answering /healthz (" + describe_exit(status) + ")");
        continue;
      }
      logging::warning("session server " + id + " exited unexpectedly (" + describe_exit(status) +
                       "); its rooms will be placed again");
    }
    schedule_reap();
  });
}

void LocalFleet::stop_all() {
  std::vector<int> pids, adopted;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, child] : children_) (child.adopted ? adopted : pids).push_back(child.pid);
    pids.insert(pids.end(), stopping_.begin(), stopping_.end());
    children_.clear();
    stopping_.clear();
    record_locked();
  }
  for (int pid : pids) kill(pid, SIGTERM);
  for (int pid : adopted) kill(pid, SIGTERM);
  for (int pid : pids) waitpid(pid, nullptr, 0);
  // Not our children: wait until they are gone (their drain takes a few seconds).
  for (int pid : adopted) {
    for (int i = 0; i < 300 && session_process_alive(pid, options_.session_binary); ++i) {
      usleep(50 * 1000);
    }
  }
  reap_timer_.cancel();
}

}  // namespace sched
