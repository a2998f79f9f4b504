#include "server/redis/testing/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace chat::redis::testing {

namespace {

// The kernel's pick of a free port. Another process could take it before
// redis-server binds it; start() then fails with redis-server's message.
std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::string temporary_directory() {
  const char* dir = std::getenv("TEST_TMPDIR");  // Bazel's, cleaned after the test
  return dir ? dir : "/tmp";
}

std::string file_contents(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

}  // namespace

RedisServer::RedisServer(std::string password)
    : password_(std::move(password)), port_(free_loopback_port()) {
  output_path_ = temporary_directory() + "/redis-" + std::to_string(port_) + ".log";
  start();
}

RedisServer::~RedisServer() { kill(); }

RedisUrl RedisServer::url() const {
  return *RedisUrl::parse("redis://127.0.0.1:" + std::to_string(port_));
}

void RedisServer::start() {
  std::string port = std::to_string(port_);
  std::vector<std::string> args{"redis-server",
                                "--port",
                                port,
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--dir",
                                temporary_directory()};
  if (!password_.empty()) {
    args.push_back("--requirepass");
    args.push_back(password_);
  }
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  int spawned = posix_spawnp(&pid, "redis-server", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    throw std::runtime_error(
        "cannot start redis-server (is it installed? apt-get install "
        "redis-server): " +
        std::string(std::strerror(spawned)));
  }
  pid_ = pid;

  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("redis-server exited at start: " + file_contents(output_path_));
    }
    try {
      if (command({"PING"}) == "PONG") return;
    } catch (const std::runtime_error&) {
      // not listening yet
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill();
  throw std::runtime_error("redis-server not answering PING on port " + port +
                           " within 10 s: " + file_contents(output_path_));
}

void RedisServer::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

void RedisServer::freeze() {
  if (pid_ > 0) ::kill(pid_, SIGSTOP);
}

void RedisServer::thaw() {
  if (pid_ > 0) ::kill(pid_, SIGCONT);
}

void RedisServer::restart() {
  kill();
  start();
}

std::string RedisServer::command(const std::vector<std::string>& args) const {
  timeval timeout{2, 0};
  std::unique_ptr<redisContext, ContextFree> context(
      redisConnectWithTimeout("127.0.0.1", port_, timeout));
  if (!context || context->err) {
    throw std::runtime_error("cannot reach redis-server on port " + std::to_string(port_) +
                             (context ? std::string(": ") + context->errstr : std::string()));
  }
  redisSetTimeout(context.get(), timeout);
  if (!password_.empty()) {
    freeReplyObject(redisCommand(context.get(), "AUTH %b", password_.data(), password_.size()));
  }
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  std::unique_ptr<redisReply, ReplyFree> reply(static_cast<redisReply*>(
      redisCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!reply)
    throw std::runtime_error("no reply from redis-server: " + std::string(context->errstr));
  switch (reply->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      return std::string(reply->str, reply->len);
    case REDIS_REPLY_ERROR:
      return "error: " + std::string(reply->str, reply->len);
    case REDIS_REPLY_INTEGER:
      return std::to_string(reply->integer);
    case REDIS_REPLY_NIL:
      return "(nil)";
    case REDIS_REPLY_ARRAY:
      return "array of " + std::to_string(reply->elements);
  }
  return "reply type " + std::to_string(reply->type);
}

}  // namespace chat::redis::testing
