#include "server/session/corked_socket.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <utility>

namespace chat {

namespace net = boost::asio;

namespace {

// The sockets that were given frames during this thread's turn of the event
// loop. The first one posts a flush behind the turn's other handlers, so
// every frame a turn produced for a connection goes out in one write. With a
// cork delay, a timer takes the post's place: what the thread's turns
// produce meanwhile goes out together when it fires.
//
// The posted handler owns the batch (the thread only remembers it weakly):
// if the io_context stops with the flush pending, the sessions it holds are
// let go with the handler, while the io_context still exists.
struct TurnFlush {
  std::mutex mutex;  // the flush may run on another I/O thread
  std::vector<std::pair<std::shared_ptr<void>, CorkedSocket*>> sockets;
  bool taken = false;  // flushed: later frames start a new batch

  void flush_all() {
    std::vector<std::pair<std::shared_ptr<void>, CorkedSocket*>> batch;
    {
      std::lock_guard lock(mutex);
      batch.swap(sockets);
      taken = true;
    }
    for (auto& entry : batch) entry.second->flush();
  }
};

thread_local std::weak_ptr<TurnFlush> this_thread_batch;

// A server-to-client text frame's header: FIN and the text opcode, then the
// payload length in the shortest form (server frames are not masked).
std::uint8_t write_text_header(std::array<char, 10>& header, std::size_t length) {
  header[0] = static_cast<char>(0x81);
  if (length < 126) {
    header[1] = static_cast<char>(length);
    return 2;
  }
  if (length <= 0xFFFF) {
    header[1] = 126;
    header[2] = static_cast<char>(length >> 8);
    header[3] = static_cast<char>(length);
    return 4;
  }
  header[1] = 127;
  for (int i = 0; i < 8; ++i) header[2 + i] = static_cast<char>(length >> (8 * (7 - i)));
  return 10;
}

constexpr unsigned char kCloseFrameFirstByte = 0x88;  // FIN and the close opcode
constexpr std::size_t kChunksPerWrite = 64;           // two iovecs each

}  // namespace

CorkedSocket::CorkedSocket(tcp::socket socket, SessionMetrics& metrics,
                           std::chrono::microseconds cork_delay)
    : socket_(std::move(socket)), metrics_(metrics), cork_delay_(cork_delay) {}

std::optional<std::size_t> CorkedSocket::enqueue(const Frame& payload, Delivery delivery) {
  std::lock_guard lock(mutex_);
  if (stopped_ || close_queued_) return std::nullopt;
  // Only the newest snapshot matters: one still waiting, not begun, gives way.
  if (delivery == Delivery::latest_snapshot && queue_.size() > head_ &&
      queue_.back().delivery == Delivery::latest_snapshot && queue_.back().payload &&
      !(queue_.size() - 1 == head_ && head_sent_ > 0)) {
    Chunk& last = queue_.back();
    queued_bytes_ -= last.size();
    last.header_size = write_text_header(last.header, payload->size());
    last.payload = payload;
    queued_bytes_ += last.size();
    return queued_bytes_ - queue_[head_].size();
  }
  Chunk& chunk = queue_.emplace_back();
  chunk.header_size = write_text_header(chunk.header, payload->size());
  chunk.payload = payload;
  chunk.delivery = delivery;
  queued_bytes_ += chunk.size();
  schedule_flush_locked();
  // What waits behind the frame being written: a slow client is one whose
  // queue grows, not one that is sending a large snapshot.
  return queued_bytes_ - queue_[head_].size();
}

boost::system::error_code CorkedSocket::append_control(std::string bytes) {
  std::lock_guard lock(mutex_);
  if (stopped_) return net::error::broken_pipe;
  // After its close frame a WebSocket endpoint sends nothing more: frames
  // delivered from now on are dropped, not written behind it.
  if (!bytes.empty() && static_cast<unsigned char>(bytes[0]) == kCloseFrameFirstByte) {
    close_queued_ = true;
  }
  Chunk& chunk = queue_.emplace_back();
  chunk.control = std::move(bytes);
  queued_bytes_ += chunk.size();
  return {};
}

void CorkedSocket::schedule_flush_locked() {
  if (flush_scheduled_ || waiting_writable_) return;
  std::shared_ptr<void> owner = owner_.lock();
  if (!owner) return;  // being destroyed: nobody will read what is queued
  flush_scheduled_ = true;
  if (std::shared_ptr<TurnFlush> batch = this_thread_batch.lock()) {
    std::lock_guard lock(batch->mutex);
    if (!batch->taken) {
      batch->sockets.emplace_back(std::move(owner), this);
      return;
    }
  }
  auto batch = std::make_shared<TurnFlush>();
  batch->sockets.emplace_back(std::move(owner), this);
  this_thread_batch = batch;
  if (cork_delay_.count() == 0) {
    net::post(socket_.get_executor(), [batch = std::move(batch)] { batch->flush_all(); });
    return;
  }
  auto timer = std::make_shared<net::steady_timer>(socket_.get_executor(), cork_delay_);
  timer->async_wait([batch = std::move(batch), timer](boost::system::error_code) {
    batch->flush_all();
  });
}

void CorkedSocket::flush() {
  Written written;
  {
    std::lock_guard lock(mutex_);
    flush_scheduled_ = false;
    flush_locked(written);
  }
  count(written);
}

void CorkedSocket::flush_locked(Written& written) {
  if (stopped_ || waiting_writable_) return;  // a writable socket flushes again
  const int fd = socket_.native_handle();
  while (head_ < queue_.size()) {
    std::array<iovec, 2 * kChunksPerWrite> iov;
    std::size_t pieces = 0, offered = 0;
    for (std::size_t i = head_; i < queue_.size() && i < head_ + kChunksPerWrite; ++i) {
      const Chunk& chunk = queue_[i];
      std::size_t skip = i == head_ ? head_sent_ : 0;
      if (skip < chunk.header_size) {
        iov[pieces++] = {const_cast<char*>(chunk.header.data()) + skip, chunk.header_size - skip};
        skip = 0;
      } else {
        skip -= chunk.header_size;
      }
      const std::string& body = chunk.payload ? *chunk.payload : chunk.control;
      if (skip < body.size()) {
        iov[pieces++] = {const_cast<char*>(body.data()) + skip, body.size() - skip};
      }
      offered += chunk.size() - (i == head_ ? head_sent_ : 0);
    }
    msghdr message{};
    message.msg_iov = iov.data();
    message.msg_iovlen = pieces;
    ssize_t sent = ::sendmsg(fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return wait_writable_locked();
      // The peer is gone: the read loop sees it too, and leaves the room.
      stopped_ = true;
      return drop_queue_locked();
    }
    ++written.writes;
    auto left = static_cast<std::size_t>(sent);
    while (left > 0) {
      Chunk& chunk = queue_[head_];
      std::size_t rest = chunk.size() - head_sent_;
      if (left < rest) {
        head_sent_ += left;
        break;
      }
      left -= rest;
      queued_bytes_ -= chunk.size();
      if (chunk.payload) {
        ++written.data_frames;
        written.bytes += chunk.payload->size();
      }
      chunk = Chunk{};  // lets go of the shared payload now
      head_sent_ = 0;
      ++head_;
    }
    if (static_cast<std::size_t>(sent) < offered) return wait_writable_locked();  // full
  }
  queue_.clear();  // keeps its capacity: the next turn's frames reuse it
  head_ = 0;
  if (queue_.capacity() > 64) queue_.shrink_to_fit();  // most connections idle
}

void CorkedSocket::drop_queue_locked() {
  queue_.clear();
  queue_.shrink_to_fit();
  head_ = head_sent_ = queued_bytes_ = 0;
}

void CorkedSocket::wait_writable_locked() {
  if (waiting_writable_) return;
  std::shared_ptr<void> owner = owner_.lock();
  if (!owner) return;
  waiting_writable_ = true;
  // The wait is the socket's Asio state, which belongs to its strand.
  net::post(socket_.get_executor(), [this, owner = std::move(owner)]() mutable {
    if (!socket_.is_open()) return;
    socket_.async_wait(tcp::socket::wait_write,
                       [this, owner = std::move(owner)](boost::system::error_code ec) {
                         Written written;
                         {
                           std::lock_guard lock(mutex_);
                           waiting_writable_ = false;
                           if (!ec) flush_locked(written);
                         }
                         count(written);
                       });
  });
}

void CorkedSocket::count(const Written& written) {
  if (written.writes == 0) return;
  metrics_.socket_writes.Increment(static_cast<double>(written.writes));
  if (written.data_frames == 0) return;
  metrics_.frames_sent.Increment(static_cast<double>(written.data_frames));
  metrics_.deliveries.Increment(static_cast<double>(written.data_frames));
  metrics_.bytes_sent.Increment(static_cast<double>(written.bytes));
}

std::size_t CorkedSocket::queued_bytes() const {
  std::lock_guard lock(mutex_);
  return queued_bytes_;
}

void CorkedSocket::abandon() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  drop_queue_locked();
}

void CorkedSocket::close() {
  abandon();
  boost::system::error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
}

void CorkedSocket::stop_writing() {
  Written written;
  {
    std::lock_guard lock(mutex_);
    waiting_writable_ = false;  // one last try, whatever a wait was for
    flush_locked(written);
    stopped_ = true;
    drop_queue_locked();
  }
  count(written);
}

void beast_close_socket(CorkedSocket& socket) { socket.close(); }

void teardown(boost::beast::role_type role, CorkedSocket& socket, boost::system::error_code& ec) {
  socket.stop_writing();
  boost::beast::websocket::teardown(role, socket.socket(), ec);
}

}  // namespace chat
