#include "server/common/trace_recording.h"

#include <prometheus/counter.h>

#include "metrics/families.h"

namespace chat {

void add_trace_recording_flags(CLI::App& app, TraceRecordingFlags& flags) {
  app.add_option("--record-trace", flags.file,
                 "Record what users do here as a trace (trace/FORMAT.md: anonymised ids, "
                 "message sizes, no text) to this file; %p in it is the process id. Merge the "
                 "processes' files with //trace:merge");
  app.add_option("--record-trace-max-bytes", flags.file_bytes_max,
                 "Bytes a trace file grows to before it is rotated to FILE.1, FILE.2, ...")
      ->check(CLI::Range(std::uint64_t{4096}, std::uint64_t{1} << 40));
  app.add_option("--record-trace-files", flags.rotated_files_max,
                 "Rotated trace files kept (the oldest beyond is deleted)")
      ->check(CLI::Range(0, 1000));
}

std::shared_ptr<trace::Recorder> start_trace_recording(const TraceRecordingFlags& flags,
                                                       const std::string& secret,
                                                       std::chrono::milliseconds reorder_window,
                                                       prometheus::Registry& registry,
                                                       std::string& error) {
  if (flags.file.empty()) return nullptr;
  auto& events =
      metrics::counter_family(registry, "chat_trace_events_total",
                              "Events recorded for --record-trace: written, or dropped (the "
                              "recorder's buffer was full, or the disk refused them)");
  trace::RecorderOptions options;
  options.path = flags.file;
  options.file_bytes_max = flags.file_bytes_max;
  options.rotated_files_max = flags.rotated_files_max;
  options.reorder_window = reorder_window;
  options.secret = secret;
  options.on_written = [&written = events.Add({{"result", "written"}})](std::uint64_t n) {
    written.Increment(static_cast<double>(n));
  };
  options.on_dropped = [&dropped = events.Add({{"result", "dropped"}})](std::uint64_t n) {
    dropped.Increment(static_cast<double>(n));
  };
  std::unique_ptr<trace::Recorder> recorder = trace::Recorder::open(options, error);
  if (!recorder) error = "--record-trace: " + error;
  return recorder;
}

}  // namespace chat
