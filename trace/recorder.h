// Records what users do on a live server as a trace (FORMAT.md), off the
// caller's thread: record() copies the event into a bounded buffer under a
// short lock and returns; a writer thread anonymises the ids, orders the
// events by time, writes them with trace::Writer and rotates the file. When
// the buffer is full the event is dropped and counted, never waited for: a
// recording must not slow the traffic it records.
//
// Times are milliseconds since the Unix epoch, so that the files of several
// processes share one clock; the merge tool (merge_main.cc) puts them on one
// time line starting at 0.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "trace/event.h"

namespace trace {

struct RecorderOptions {
  // FILE: written until it holds file_bytes_max, then renamed FILE.1 (FILE.1
  // to FILE.2, ...; the oldest past rotated_files_max is deleted) and a new
  // FILE begun. Each file is a whole trace, header included. "%p" in the
  // name is replaced by the process id, so that servers started alike write
  // a file each.
  std::string path;
  std::uint64_t file_bytes_max = 64ull << 20;
  int rotated_files_max = 4;
  // Events waiting for the writer, at most (each a few dozen bytes). Past
  // it, record() drops.
  std::size_t buffered_events_max = 1 << 16;
  // An event may be recorded up to this long after its time (a room's
  // creation is recorded when it is answered, with the time it was asked
  // for): the writer holds events this long to write them in time order.
  std::chrono::milliseconds reorder_window{1000};
  std::chrono::milliseconds flush_interval{1000};
  // The anonymisation key (anonymise.h): the same in every process of one
  // recording.
  std::string secret;
  // Called (from the recording thread, or the writer's for events too late
  // or the disk full) for each event dropped; and from the writer's thread
  // with each batch written. Both may be empty.
  std::function<void(std::uint64_t)> on_dropped;
  std::function<void(std::uint64_t)> on_written;
};

class Recorder {
 public:
  // Opens FILE (truncating it) and starts the writer; the error says why not.
  static std::unique_ptr<Recorder> open(RecorderOptions options, std::string& error);
  ~Recorder();  // stop()
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  static std::int64_t now_ms();

  // Any thread. Never blocks on the disk.
  void record(EventKind kind, std::string_view room_id, std::string_view user_id,
              std::uint32_t bytes = 0) {
    record_at(now_ms(), kind, room_id, user_id, bytes);
  }
  void record_at(std::int64_t time_ms, EventKind kind, std::string_view room_id,
                 std::string_view user_id, std::uint32_t bytes = 0);

  // Writes what is buffered (whatever its time), closes the file and joins
  // the writer. Events recorded afterwards are dropped.
  void stop();

  std::uint64_t events_written() const { return written_.load(std::memory_order_relaxed); }
  std::uint64_t events_dropped() const { return dropped_.load(std::memory_order_relaxed); }
  const std::string& path() const { return path_; }

 private:
  struct Slot {
    std::int64_t time_ms = 0;
    EventKind kind = EventKind::create;
    std::string room;
    std::string user;
    std::uint32_t bytes = 0;
  };
  class Sink;

  explicit Recorder(RecorderOptions options);
  void run();
  void drop(std::uint64_t count);

  const RecorderOptions options_;
  const std::string path_;      // "%p" replaced
  std::unique_ptr<Sink> sink_;  // the writer thread's only, once it runs

  std::mutex mutex_;  // guards the three below
  std::condition_variable wake_;
  // Filled by record(); swapped with the writer's `taken` each round, so the
  // slots' strings keep their storage and recording does not allocate once
  // warm.
  std::vector<Slot> slots_;
  std::size_t slots_used_ = 0;
  bool stopping_ = false;

  std::atomic<std::uint64_t> written_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::thread writer_;
};

}  // namespace trace
