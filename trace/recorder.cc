#include "trace/recorder.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <queue>

#include "trace/anonymise.h"
#include "trace/writer.h"

namespace trace {
namespace {

std::string expand_pid(std::string path) {
  for (std::size_t at; (at = path.find("%p")) != std::string::npos;) {
    path.replace(at, 2, std::to_string(::getpid()));
  }
  return path;
}

struct Pending {
  std::int64_t time_ms;
  std::uint64_t sequence;  // ties keep the order events were recorded in
  EventKind kind;
  std::string room;
  std::string user;
  std::uint32_t bytes;
};

struct Later {
  bool operator()(const Pending& a, const Pending& b) const {
    return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.sequence > b.sequence;
  }
};

}  // namespace

// The file side, on the writer thread only: the reorder heap, anonymisation,
// the writer and rotation.
class Recorder::Sink {
 public:
  Sink(const RecorderOptions& options, std::string path)
      : options_(options), path_(std::move(path)), tokens_(options.secret) {}

  bool open(std::string& error) {
    file_ = std::make_unique<std::ofstream>(path_, std::ios::binary | std::ios::trunc);
    if (!*file_) {
      error = "cannot open " + path_ + " for writing";
      return false;
    }
    writer_ = std::make_unique<Writer>(*file_);
    return true;
  }

  std::size_t held() const { return heap_.size(); }

  void add(Pending pending) { heap_.push(std::move(pending)); }

  // Writes the events older than `due_ms` (all of them when it is the
  // largest time); returns how many were written and adds to `dropped`
  // those the disk refused.
  std::uint64_t write_due(std::int64_t due_ms, std::uint64_t& dropped) {
    std::uint64_t written = 0;
    while (!heap_.empty() && heap_.top().time_ms <= due_ms) {
      const Pending& next = heap_.top();
      event_.kind = next.kind;
      // Later than the window allowed: kept, at the last time written,
      // rather than lost or out of order.
      event_.time_ms = std::max(next.time_ms, last_time_ms_);
      event_.room = tokens_.room_token(next.room);
      event_.user = tokens_.user_token(next.user);
      event_.bytes = next.kind == EventKind::message ? next.bytes : 0;
      heap_.pop();
      // Rotated before a write, not after: the newest file is never left
      // with a header alone.
      if (writer_ && writer_->bytes_written() >= options_.file_bytes_max) rotate();
      if (!writer_ || writer_->write(event_)) {
        ++dropped;
        continue;
      }
      last_time_ms_ = event_.time_ms;
      ++written;
    }
    return written;
  }

  void flush() {
    if (file_) file_->flush();
  }

 private:
  // FILE.(n-1) -> FILE.n, ..., FILE -> FILE.1, and a new FILE. A failed
  // rename leaves the file to be truncated: the bound on disk use holds.
  void rotate() {
    writer_.reset();
    file_.reset();
    const int kept = std::max(0, options_.rotated_files_max);
    if (kept == 0) {
      std::remove(path_.c_str());
    } else {
      std::remove((path_ + "." + std::to_string(kept)).c_str());
      for (int n = kept - 1; n >= 1; --n) {
        std::rename((path_ + "." + std::to_string(n)).c_str(),
                    (path_ + "." + std::to_string(n + 1)).c_str());
      }
      std::rename(path_.c_str(), (path_ + ".1").c_str());
    }
    std::string ignored;
    if (!open(ignored)) writer_.reset();  // later events are counted as dropped
    last_time_ms_ = 0;
  }

  const RecorderOptions& options_;
  const std::string path_;
  const Anonymiser tokens_;
  std::priority_queue<Pending, std::vector<Pending>, Later> heap_;
  std::unique_ptr<std::ofstream> file_;
  std::unique_ptr<Writer> writer_;
  std::int64_t last_time_ms_ = 0;
  Event event_;  // reused
};

std::int64_t Recorder::now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::unique_ptr<Recorder> Recorder::open(RecorderOptions options, std::string& error) {
  std::unique_ptr<Recorder> recorder(new Recorder(std::move(options)));
  if (!recorder->sink_->open(error)) return nullptr;
  recorder->writer_ = std::thread([self = recorder.get()] { self->run(); });
  return recorder;
}

Recorder::Recorder(RecorderOptions options)
    : options_(std::move(options)),
      path_(expand_pid(options_.path)),
      sink_(std::make_unique<Sink>(options_, path_)) {}

Recorder::~Recorder() { stop(); }

void Recorder::drop(std::uint64_t count) {
  if (count == 0) return;
  dropped_.fetch_add(count, std::memory_order_relaxed);
  if (options_.on_dropped) options_.on_dropped(count);
}

void Recorder::record_at(std::int64_t time_ms, EventKind kind, std::string_view room_id,
                         std::string_view user_id, std::uint32_t bytes) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && slots_used_ < options_.buffered_events_max) {
      if (slots_used_ == slots_.size()) slots_.emplace_back();
      Slot& slot = slots_[slots_used_++];
      slot.time_ms = time_ms;
      slot.kind = kind;
      slot.room.assign(room_id);
      slot.user.assign(user_id);
      slot.bytes = bytes;
      return;
    }
  }
  drop(1);
}

void Recorder::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

void Recorder::run() {
  // The writer wakes on a short period rather than on every record(): a
  // notify per event would cost the recording threads a futex call each.
  constexpr auto kPeriod = std::chrono::milliseconds(100);
  std::vector<Slot> taken;
  std::uint64_t sequence = 0;
  auto last_flush = std::chrono::steady_clock::now();
  for (bool last_round = false; !last_round;) {
    std::size_t count = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, kPeriod, [this] { return stopping_; });
      last_round = stopping_;
      std::swap(taken, slots_);
      count = slots_used_;
      slots_used_ = 0;
    }
    std::uint64_t dropped = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const Slot& slot = taken[i];
      // The heap is bounded like the buffer: a clock far ahead must not
      // make it grow without end.
      if (sink_->held() >= options_.buffered_events_max) {
        ++dropped;
        continue;
      }
      sink_->add({slot.time_ms, sequence++, slot.kind, slot.room, slot.user, slot.bytes});
    }
    const std::int64_t due_ms =
        last_round ? INT64_MAX : now_ms() - options_.reorder_window.count();
    const std::uint64_t written = sink_->write_due(due_ms, dropped);
    drop(dropped);
    if (written > 0) {
      written_.fetch_add(written, std::memory_order_relaxed);
      if (options_.on_written) options_.on_written(written);
    }
    const auto now = std::chrono::steady_clock::now();
    if (last_round || now - last_flush >= options_.flush_interval) {
      sink_->flush();
      last_flush = now;
    }
  }
  sink_.reset();  // closes the file
}

}  // namespace trace
