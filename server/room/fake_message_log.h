// A MessageLog for tests: it holds every request until the test answers it,
// so a test chooses the order and the outcome of each.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "server/room/message_log.h"

namespace chat::testing {

class FakeMessageLog : public MessageLog {
 public:
  struct Append {
    std::string room_id;
    LoggedMessage message;
    std::function<void(AppendResult)> done;
  };
  struct Load {
    std::string room_id;
    std::size_t count;
    std::function<void(LoadResult)> done;
  };

  void append(const std::string& room_id, LoggedMessage message,
              std::function<void(AppendResult)> done) override {
    appends.push_back({room_id, std::move(message), std::move(done)});
  }
  void load(const std::string& room_id, std::size_t count,
            std::function<void(LoadResult)> done) override {
    loads.push_back({room_id, count, std::move(done)});
  }

  // Answers the waiting append at `index` (0: the oldest).
  void answer(std::size_t index, AppendResult result) {
    Append append = std::move(appends.at(index));
    appends.erase(appends.begin() + static_cast<std::ptrdiff_t>(index));
    if (result == AppendResult::stored) stored[append.room_id].push_back(append.message);
    append.done(result);
  }
  void answer_all(AppendResult result) {
    while (!appends.empty()) answer(0, result);
  }
  // Answers the oldest waiting load with what is stored (or a failure).
  void answer_load(bool ok = true) {
    Load load = std::move(loads.front());
    loads.pop_front();
    LoadResult result{ok, {}};
    if (ok) {
      const auto& messages = stored[load.room_id];
      std::size_t first = messages.size() > load.count ? messages.size() - load.count : 0;
      result.messages.assign(messages.begin() + static_cast<std::ptrdiff_t>(first), messages.end());
    }
    load.done(std::move(result));
  }

  std::deque<Append> appends;  // waiting for an answer, oldest first
  std::deque<Load> loads;
  std::map<std::string, std::vector<LoggedMessage>> stored;  // by room, oldest first
};

}  // namespace chat::testing
