// A client's TCP socket with one queue for everything written to it, so a
// WebSocket session sends room events without Beast's per-write machinery.
//
// Why: on loopback and on a busy server almost all of a delivery's cost is
// the write system call and what surrounds it (an `async_write` per frame is
// a handler allocation, a strand post and a completion per event). Here a
// delivery is a frame header and a shared payload appended to the queue; the
// queue is written at the end of the event loop's turn, or after the cork
// delay (uWebSockets' corking), with one gathered `sendmsg` per connection,
// carrying every frame that came for it meanwhile. What the socket does not
// take waits for it to become writable; nothing is written out of order.
//
// Beast's WebSocket stream sits on top (as its next layer) for the handshake,
// reads, pings, pongs and close frames. Its writes are copied into the same
// queue, so control frames and events keep their order, and a close frame is
// the last thing this socket sends: events enqueued after it are dropped.
//
// Threads: `enqueue` and `flush` may be called from any thread (a room
// delivers on the sender's thread); everything else runs on the connection's
// strand. One mutex guards the queue and the descriptor, so no thread writes
// to a descriptor that the strand has closed.
#pragma once

#include <array>
#include <chrono>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/role.hpp>
#include <boost/beast/websocket/teardown.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/room/member.h"
#include "server/session/session_metrics.h"

namespace chat {

class CorkedSocket {
 public:
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using tcp = boost::asio::ip::tcp;

  // `metrics` counts the writes, frames and bytes sent; it outlives us.
  // `cork_delay`: how long frames wait for more before they are written
  // (0: until the end of the turn); the same for every socket of a server.
  CorkedSocket(tcp::socket socket, SessionMetrics& metrics, std::chrono::microseconds cork_delay);
  CorkedSocket(const CorkedSocket&) = delete;
  CorkedSocket& operator=(const CorkedSocket&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  tcp::socket& socket() { return socket_; }
  bool is_open() const { return socket_.is_open(); }

  // Set by the owner to keep itself alive while a flush for it is pending
  // (the owner holds this socket). Called once, before the first enqueue.
  void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

  // Beast reads straight from the socket.
  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    return socket_.async_read_some(buffers, std::forward<Handler>(handler));
  }

  // Beast's own writes (the handshake response, pings, pongs, close frames):
  // copied into the queue and reported written at once; flushed now, since
  // they are few and the peer may be waiting for them.
  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    return boost::asio::async_initiate<Handler, void(boost::system::error_code, std::size_t)>(
        [this](auto completion, const ConstBuffers& data) {
          std::string copy;
          for (auto it = boost::asio::buffer_sequence_begin(data);
               it != boost::asio::buffer_sequence_end(data); ++it) {
            boost::asio::const_buffer piece(*it);
            copy.append(static_cast<const char*>(piece.data()), piece.size());
          }
          std::size_t bytes = copy.size();
          boost::system::error_code ec = append_control(std::move(copy));
          if (!ec) flush();
          auto executor = boost::asio::get_associated_executor(completion, get_executor());
          boost::asio::post(executor, boost::beast::bind_front_handler(std::move(completion), ec,
                                                                         ec ? 0 : bytes));
        },
        handler, buffers);
  }

  // Any thread: queues one text frame. `latest_snapshot` replaces a snapshot
  // that waits unsent. Returns the bytes now queued behind the frame being
  // written (what a send-queue limit applies to), or nothing if the frame
  // was not taken (the socket closed, or a close frame already went ahead).
  // The write happens at the end of this thread's turn of the event loop.
  std::optional<std::size_t> enqueue(const Frame& payload, Delivery delivery);

  // Any thread: writes what the socket takes now, and waits for it to become
  // writable for the rest.
  void flush();

  std::size_t queued_bytes() const;

  // Any thread: nothing more is written; the queue is dropped. The owner
  // then closes the socket on its strand.
  void abandon();

  // Strand: shuts the socket down and closes it; the queue is dropped.
  void close();

  // Strand, at the end of a close handshake: a last try at writing what is
  // queued (the close frame), then no more writes from any thread.
  void stop_writing();

 private:
  struct Chunk {
    std::array<char, 10> header{};  // a data frame's WebSocket header
    std::uint8_t header_size = 0;
    Frame payload;                   // shared by every member it goes to
    std::string control;             // or a copy of one of Beast's writes
    Delivery delivery = Delivery::every_frame;
    std::size_t size() const { return header_size + (payload ? payload->size() : control.size()); }
  };

  // What one flush wrote, counted once the lock is let go.
  struct Written {
    std::size_t writes = 0;       // sendmsg calls that wrote something
    std::size_t data_frames = 0;  // queued frames now wholly written
    std::size_t bytes = 0;        // their payload bytes
  };

  boost::system::error_code append_control(std::string bytes);
  void flush_locked(Written& written);
  void drop_queue_locked();
  void wait_writable_locked();
  void schedule_flush_locked();
  void count(const Written& written);

  tcp::socket socket_;
  SessionMetrics& metrics_;
  const std::chrono::microseconds cork_delay_;
  std::weak_ptr<void> owner_;

  mutable std::mutex mutex_;
  std::vector<Chunk> queue_;  // empty costs nothing, unlike a std::deque
  std::size_t head_ = 0;       // queue_[head_] is the first chunk not wholly written
  std::size_t head_sent_ = 0;  // bytes of it already written
  std::size_t queued_bytes_ = 0;
  bool flush_scheduled_ = false;  // in this turn's list of sockets to flush
  bool waiting_writable_ = false;
  bool close_queued_ = false;  // a close frame is queued: no more data frames
  bool stopped_ = false;       // closed, or the close handshake ended
};

// Beast's customisation points, found by argument-dependent lookup: its idle
// timeout closes through us (so no other thread writes to the closed
// descriptor), and a close handshake's teardown writes the queue first.
void beast_close_socket(CorkedSocket& socket);

void teardown(boost::beast::role_type role, CorkedSocket& socket, boost::system::error_code& ec);

template <class TeardownHandler>
void async_teardown(boost::beast::role_type role, CorkedSocket& socket, TeardownHandler&& handler) {
  socket.stop_writing();
  boost::beast::websocket::async_teardown(role, socket.socket(),
                                          std::forward<TeardownHandler>(handler));
}

}  // namespace chat
