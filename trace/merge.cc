#include "trace/merge.h"

#include <algorithm>
#include <memory>
#include <queue>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "trace/reader.h"
#include "trace/writer.h"

namespace trace {
namespace {

// "name.7" -> ("name", 7); anything else -> (itself, 0).
std::pair<std::string, int> split_rotation(const std::string& path) {
  const std::size_t dot = path.rfind('.');
  if (dot == std::string::npos || dot + 1 == path.size() || path.size() - dot > 6) {
    return {path, 0};
  }
  int number = 0;
  for (std::size_t i = dot + 1; i < path.size(); ++i) {
    if (path[i] < '0' || path[i] > '9') return {path, 0};
    number = number * 10 + (path[i] - '0');
  }
  return {path.substr(0, dot), number};
}

int kind_rank(EventKind kind) {
  switch (kind) {
    case EventKind::create:
      return 0;
    case EventKind::join:
      return 1;
    case EventKind::message:
      return 2;
    case EventKind::leave:
      return 3;
  }
  return 4;
}

// One process's events, its files read one after the other.
class SourceReader {
 public:
  SourceReader(const MergeSource& source, MergeResult& result, const MergeOptions& options)
      : source_(source), result_(result), options_(options) {}

  // The next good event, or false at the end; bad lines go to the result.
  bool next() {
    while (index_ < source_.streams.size()) {
      if (!reader_) reader_ = std::make_unique<Reader>(*source_.streams[index_]);
      const ReadResult read = reader_->next(event);
      if (read == ReadResult::end) {
        reader_.reset();
        ++index_;
        continue;
      }
      if (read == ReadResult::bad_line) {
        bad(reader_->last_error().describe());
        continue;
      }
      if (event.time_ms < last_time_ms_) {
        bad("time goes backwards between rotated files (" + std::to_string(event.time_ms) +
            " after " + std::to_string(last_time_ms_) + "): give them all, or check their order");
        continue;
      }
      last_time_ms_ = event.time_ms;
      return true;
    }
    return false;
  }

  Event event;

 private:
  void bad(const std::string& what) {
    ++result_.bad_lines;
    if (result_.errors.size() < options_.errors_max) {
      result_.errors.push_back(source_.name + " (file " + std::to_string(index_ + 1) + " of " +
                               std::to_string(source_.streams.size()) + "): " + what);
    }
  }

  const MergeSource& source_;
  MergeResult& result_;
  const MergeOptions& options_;
  std::size_t index_ = 0;
  std::unique_ptr<Reader> reader_;
  std::int64_t last_time_ms_ = 0;
};

}  // namespace

std::vector<std::vector<std::string>> group_rotated_files(const std::vector<std::string>& paths) {
  std::vector<std::string> bases;
  std::unordered_map<std::string, std::vector<std::pair<int, std::string>>> members;
  for (const std::string& path : paths) {
    auto [base, number] = split_rotation(path);
    auto& group = members[base];
    if (group.empty()) bases.push_back(base);
    group.emplace_back(number, path);
  }
  std::vector<std::vector<std::string>> groups;
  for (const std::string& base : bases) {
    auto& group = members[base];
    // The highest number is the oldest file; the unnumbered one (0) the newest.
    std::sort(group.begin(), group.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? (a.first == 0 ? false : b.first == 0 ? true : a.first > b.first)
                                : a.second < b.second;
    });
    groups.emplace_back();
    for (auto& [number, path] : group) groups.back().push_back(path);
  }
  return groups;
}

MergeResult merge(const std::vector<MergeSource>& sources, std::ostream& output,
                  const MergeOptions& options) {
  MergeResult result;
  std::vector<std::unique_ptr<SourceReader>> readers;
  for (const MergeSource& source : sources) {
    readers.push_back(std::make_unique<SourceReader>(source, result, options));
  }
  // Heads of the sources, earliest first: (time, kind rank, source index).
  using Head = std::tuple<std::int64_t, int, std::size_t>;
  std::priority_queue<Head, std::vector<Head>, std::greater<>> heads;
  auto push_next = [&](std::size_t i) {
    if (readers[i]->next()) {
      heads.emplace(readers[i]->event.time_ms, kind_rank(readers[i]->event.kind), i);
    }
  };
  for (std::size_t i = 0; i < readers.size(); ++i) push_next(i);
  if (!heads.empty()) result.origin_ms = options.start_at_zero ? std::get<0>(heads.top()) : 0;

  Writer writer(output);
  std::unordered_set<std::string> rooms_created;
  std::set<std::pair<std::string, std::string>> joined;  // (room, user)
  std::int64_t first_ms = -1;
  while (!heads.empty()) {
    const std::size_t i = std::get<2>(heads.top());
    heads.pop();
    Event& event = readers[i]->event;
    event.time_ms -= result.origin_ms;
    if (auto error = writer.write(event)) {
      result.errors.push_back("writing the merged trace: " + error->describe());
      ++result.bad_lines;
      return result;
    }
    if (first_ms < 0) first_ms = event.time_ms;
    result.duration_ms = event.time_ms - first_ms;
    ++result.events;
    ++result.by_kind[static_cast<std::size_t>(event.kind)];
    switch (event.kind) {
      case EventKind::create:
        rooms_created.insert(event.room);
        break;
      case EventKind::join:
        result.joins_of_rooms_not_created += !rooms_created.contains(event.room);
        joined.emplace(event.room, event.user);
        break;
      case EventKind::leave:
        joined.erase({event.room, event.user});
        break;
      case EventKind::message:
        result.messages_not_joined += !joined.contains({event.room, event.user});
        break;
    }
    push_next(i);
  }
  return result;
}

}  // namespace trace
