// The servers' log: one line an event, each with a UTC timestamp, a level
// and the component, as text for people or as JSON (one object a line) for
// log collectors. Thread-safe. Events that can come in floods (a refused
// reservation, a client dropped) go through `limited`: a flood costs a few
// lines and a count of the rest, not the disk.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace logging {

enum class Level { debug, info, warning, error };
enum class Format { text, json };

struct Options {
  Level level = Level::info;
  Format format = Format::text;
};

// Names the component ("backend", "session") and sets the level and the
// format; until it is called, lines go out as text at info, as "process".
void configure(const std::string& component, const Options& options);

void write(Level level, std::string_view text);
inline void debug(std::string_view text) { write(Level::debug, text); }
inline void info(std::string_view text) { write(Level::info, text); }
inline void warning(std::string_view text) { write(Level::warning, text); }
inline void error(std::string_view text) { write(Level::error, text); }

// At most kLimitedLines lines of one `kind` in each kLimitedWindow; the
// first line of the next window says how many were left out.
inline constexpr int kLimitedLines = 5;
inline constexpr std::chrono::seconds kLimitedWindow{10};
void limited(Level level, std::string_view kind, std::string_view text);
// The same at a given time (for tests: windows without waiting).
void limited(Level level, std::string_view kind, std::string_view text,
             std::chrono::steady_clock::time_point now);

}  // namespace logging
