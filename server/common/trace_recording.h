// --record-trace for both binaries: the flags, and a trace::Recorder whose
// written and dropped events are counted in /metrics
// (chat_trace_events_total{result}). The backend records room creations,
// each session server its joins, leaves and messages (sizes only); the
// per-process files are merged with //trace:merge (trace/FORMAT.md,
// "Recording").
#pragma once

#include <prometheus/registry.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "trace/recorder.h"

namespace chat {

struct TraceRecordingFlags {
  std::string file;                         // --record-trace; empty: no recording
  std::uint64_t file_bytes_max = 64 << 20;  // --record-trace-max-bytes, per file
  int rotated_files_max = 4;                // --record-trace-files
};
void add_trace_recording_flags(CLI::App& app, TraceRecordingFlags& flags);

// The recorder the flags ask for (none without --record-trace), or an error
// for the operator in `error`. `secret` anonymises ids: the JWT secret, which
// every process of one deployment shares, so their tokens agree. Events may
// arrive up to `reorder_window` after their time.
std::shared_ptr<trace::Recorder> start_trace_recording(const TraceRecordingFlags& flags,
                                                       const std::string& secret,
                                                       std::chrono::milliseconds reorder_window,
                                                       prometheus::Registry& registry,
                                                       std::string& error);

}  // namespace chat
