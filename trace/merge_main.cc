// trace merge: one trace from the files the backend and each session server
// recorded (--record-trace), in time order, starting at 0.
//   bazel run //trace:merge -- --out merged.trace backend.trace session-*.trace
// Exit 0: written; 1: a bad input line or a file that cannot be read or
// written (nothing is left at --out); 2: bad usage.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "trace/event.h"
#include "trace/merge.h"

namespace {

constexpr const char* kUsage =
    "usage: merge --out FILE [--keep-times] TRACE...\n"
    "  Merges traces recorded by the backend and the session servers (--record-trace)\n"
    "  into one, ordered by time. A process's rotated files (FILE.2 FILE.1 FILE) are\n"
    "  read oldest first, as one. --keep-times keeps the recorded Unix milliseconds\n"
    "  instead of starting the merged trace at 0.\n";

// Under `bazel run` the working directory is the runfiles tree: relative
// names are the caller's.
std::string from_caller(const std::string& path) {
  const char* caller = std::getenv("BUILD_WORKING_DIRECTORY");
  if (!caller || path.empty() || path[0] == '/') return path;
  return std::string(caller) + "/" + path;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out;
  trace::MergeOptions options;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--out" && i + 1 < argc) {
      out = from_caller(argv[++i]);
    } else if (arg.rfind("--out=", 0) == 0) {
      out = from_caller(arg.substr(6));
    } else if (arg == "--keep-times") {
      options.start_at_zero = false;
    } else if (arg.rfind("--", 0) == 0) {
      std::cerr << "merge: unknown flag " << arg << "\n" << kUsage;
      return 2;
    } else {
      inputs.push_back(from_caller(arg));
    }
  }
  if (out.empty() || inputs.empty()) {
    std::cerr << "merge: give --out FILE and at least one trace\n" << kUsage;
    return 2;
  }
  std::vector<std::unique_ptr<std::ifstream>> files;
  std::vector<trace::MergeSource> sources;
  for (const auto& group : trace::group_rotated_files(inputs)) {
    trace::MergeSource source{group.back(), {}};
    for (const std::string& path : group) {
      files.push_back(std::make_unique<std::ifstream>(path, std::ios::binary));
      if (!*files.back()) {
        std::cerr << "merge: cannot read " << path << "\n";
        return 1;
      }
      source.streams.push_back(files.back().get());
    }
    sources.push_back(std::move(source));
  }
  // Written beside --out and renamed at the end, so a failed merge leaves
  // no half trace where a replay would pick it up.
  const std::string partial = out + ".partial";
  std::ofstream output(partial, std::ios::binary | std::ios::trunc);
  if (!output) {
    std::cerr << "merge: cannot write " << partial << "\n";
    return 1;
  }
  const trace::MergeResult result = trace::merge(sources, output, options);
  output.close();
  if (result.bad_lines > 0 || !output) {
    for (const std::string& error : result.errors) std::cerr << "merge: " << error << "\n";
    std::cerr << "merge: " << result.bad_lines << " bad lines; nothing written to " << out
              << "\n";
    std::remove(partial.c_str());
    return 1;
  }
  if (std::rename(partial.c_str(), out.c_str()) != 0) {
    std::cerr << "merge: cannot rename " << partial << " to " << out << "\n";
    return 1;
  }
  std::cerr << "merge: " << result.events << " events from " << sources.size() << " processes ("
            << result.by_kind[0] << " create, " << result.by_kind[1] << " join, "
            << result.by_kind[2] << " leave, " << result.by_kind[3] << " message) over "
            << result.duration_ms / 1000.0 << " s into " << out << "\n";
  if (result.joins_of_rooms_not_created > 0 || result.messages_not_joined > 0) {
    std::cerr << "merge: note: " << result.joins_of_rooms_not_created
              << " joins of rooms no creation names, " << result.messages_not_joined
              << " messages from users not joined then (a process's file missing, or events "
                 "dropped: see chat_trace_events_total{result=\"dropped\"})\n";
  }
  return 0;
}
