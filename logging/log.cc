#include "logging/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <ctime>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace logging {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%eZ %l %n: %v";

spdlog::level::level_enum to_spdlog(Level level) {
  switch (level) {
    case Level::debug:
      return spdlog::level::debug;
    case Level::info:
      return spdlog::level::info;
    case Level::warning:
      return spdlog::level::warn;
    case Level::error:
      return spdlog::level::err;
  }
  return spdlog::level::info;
}

const char* level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::warn:
      return "warning";
    case spdlog::level::err:
      return "error";
    default:
      return "info";
  }
}

// {"time":"...Z","level":"warning","component":"backend","message":"..."}:
// the message escaped as a JSON string, so any text is one valid line.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto since_epoch = msg.time.time_since_epoch();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(msg.time);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char time[32];
    const std::size_t length = std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%S", &utc);
    std::string line = "{\"time\":\"" + std::string(time, length) + "." +
                       std::to_string(1000 + millis).substr(1) + "Z\",\"level\":\"" +
                       level_name(msg.level) + "\",\"component\":" +
                       boost::json::serialize(boost::json::string(
                           std::string_view(msg.logger_name.data(), msg.logger_name.size()))) +
                       ",\"message\":" +
                       boost::json::serialize(boost::json::string(
                           std::string_view(msg.payload.data(), msg.payload.size()))) +
                       "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonFormatter>();
  }
};

std::shared_ptr<spdlog::logger> make_logger(const std::string& component, const Options& options) {
  auto logger =
      std::make_shared<spdlog::logger>(component, std::make_shared<spdlog::sinks::stdout_sink_mt>());
  if (options.format == Format::json) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_formatter(
        std::make_unique<spdlog::pattern_formatter>(kTextPattern, spdlog::pattern_time_type::utc));
  }
  logger->set_level(to_spdlog(options.level));
  // Every line at once: operators tail the log, tests read it as it comes.
  logger->flush_on(spdlog::level::trace);
  return logger;
}

std::mutex logger_mutex;
std::shared_ptr<spdlog::logger>& current() {
  static std::shared_ptr<spdlog::logger> logger = make_logger("process", Options{});
  return logger;
}

std::shared_ptr<spdlog::logger> logger() {
  std::lock_guard lock(logger_mutex);
  return current();
}

// Lines of each kind in the current window, and those left out.
struct Window {
  std::chrono::steady_clock::time_point start;
  int written = 0;
  long long left_out = 0;
};
std::mutex windows_mutex;
std::unordered_map<std::string, Window> windows;

}  // namespace

void configure(const std::string& component, const Options& options) {
  auto made = make_logger(component, options);
  std::lock_guard lock(logger_mutex);
  current() = std::move(made);
}

void write(Level level, std::string_view text) {
  logger()->log(to_spdlog(level), "{}", text);
}

void limited(Level level, std::string_view kind, std::string_view text) {
  limited(level, kind, text, std::chrono::steady_clock::now());
}

void limited(Level level, std::string_view kind, std::string_view text,
             std::chrono::steady_clock::time_point now) {
  long long left_out = 0;
  {
    std::lock_guard lock(windows_mutex);
    auto [found, first] = windows.try_emplace(std::string(kind), Window{now, 0, 0});
    Window& window = found->second;
    if (!first && now - window.start >= kLimitedWindow) {
      left_out = window.left_out;
      window = Window{now, 0, 0};
    }
    if (window.written == kLimitedLines) {
      ++window.left_out;
      return;
    }
    ++window.written;
  }
  if (left_out == 0) return write(level, text);
  write(level, std::string(text) + " (and " + std::to_string(left_out) + " more " +
                   std::string(kind) + " left out of the log in the " +
                   std::to_string(kLimitedWindow.count()) + " s before)");
}

}  // namespace logging
