// CorkedSocket on a real loopback TCP connection, each rule the way it can
// break: frames of one turn in one write and in order, partial writes and
// the wait for writability (a peer that does not read, small buffers), a
// snapshot replaced only while wholly unsent, the close frame last, nothing
// after close. The test reads the peer's side itself and decodes frames.
#include "server/session/corked_socket.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace chat {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Frame frame_of(std::string text) { return std::make_shared<const std::string>(std::move(text)); }

// Server frames as the peer reads them: opcode and payload.
struct ReadFrame {
  unsigned opcode = 0;
  std::string payload;
};

class CorkedSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tcp::acceptor acceptor(io_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    tcp::socket client(io_);
    client.connect(acceptor.local_endpoint());
    tcp::socket server = acceptor.accept();
    peer_ = client.release();
    // Small buffers on both sides, so a few frames fill them.
    const int small = 16384;
    ::setsockopt(server.native_handle(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    ::setsockopt(peer_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    socket_ =
        std::make_shared<CorkedSocket>(std::move(server), metrics_, std::chrono::microseconds(0));
    socket_->set_owner(socket_);
  }
  void TearDown() override {
    socket_->close();
    ::close(peer_);
  }

  // Runs the handlers that are ready (a turn's flush, a writable wait).
  void turn() {
    io_.restart();
    io_.poll();
  }

  // Reads what has arrived, without waiting longer than `wait_ms` for more.
  std::size_t read_available(int wait_ms) {
    std::size_t total = 0;
    for (;;) {
      pollfd ready{peer_, POLLIN, 0};
      if (::poll(&ready, 1, wait_ms) <= 0) return total;
      char buffer[65536];
      ssize_t got = ::recv(peer_, buffer, sizeof buffer, 0);
      if (got <= 0) {
        peer_closed_ = true;
        return total;
      }
      received_.append(buffer, static_cast<std::size_t>(got));
      total += static_cast<std::size_t>(got);
    }
  }

  // Reads until `frames` whole frames have come (or the peer closed), with
  // the server's turns run in between. Gives up only when many turns in a
  // row bring nothing (the server stopped writing), whatever the speed.
  std::vector<ReadFrame> read_frames(std::size_t frames) {
    for (int idle = 0; idle < 2000;) {
      auto decoded = decode();
      if (decoded.size() >= frames || peer_closed_) return decoded;
      turn();
      idle = read_available(1) > 0 ? 0 : idle + 1;
    }
    ADD_FAILURE() << "the server stopped writing with " << decode().size() << " of " << frames
                  << " frames sent";
    return decode();
  }

  std::vector<ReadFrame> decode() const {
    std::vector<ReadFrame> frames;
    std::size_t at = 0;
    while (received_.size() - at >= 2) {
      const auto* bytes = reinterpret_cast<const unsigned char*>(received_.data()) + at;
      std::size_t length = bytes[1] & 0x7F, header = 2;
      if (length == 126) {
        if (received_.size() - at < 4) break;
        length = (std::size_t{bytes[2]} << 8) | bytes[3];
        header = 4;
      } else if (length == 127) {
        if (received_.size() - at < 10) break;
        length = 0;
        for (int i = 0; i < 8; ++i) length = (length << 8) | bytes[2 + i];
        header = 10;
      }
      if (received_.size() - at < header + length) break;
      frames.push_back({bytes[0] & 0x0Fu, received_.substr(at + header, length)});
      at += header + length;
    }
    return frames;
  }

  double writes() const { return metrics_.socket_writes.Value(); }

  net::io_context io_;
  prometheus::Registry registry_;
  SessionMetrics metrics_{registry_};
  std::shared_ptr<CorkedSocket> socket_;
  int peer_ = -1;
  std::string received_;
  bool peer_closed_ = false;
};

TEST_F(CorkedSocketTest, FramesOfOneTurnGoOutInOneWriteInTheirOrder) {
  for (int i = 0; i < 10; ++i)
    socket_->enqueue(frame_of("m" + std::to_string(i)), Delivery::every_frame);
  EXPECT_EQ(writes(), 0) << "nothing is written before the end of the turn";
  turn();
  EXPECT_EQ(writes(), 1);
  const auto frames = read_frames(10);
  ASSERT_EQ(frames.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(frames[i].opcode, 1u) << "a text frame";
    EXPECT_EQ(frames[i].payload, "m" + std::to_string(i));
  }
}

TEST_F(CorkedSocketTest, WhatAFullSocketDoesNotTakeWaitsAndGoesOutWholeAndInOrder) {
  // Far more than the buffers hold, in frames with 2- and 4-byte headers
  // (the half-sent snapshot below has the 8-byte length).
  std::vector<std::string> sent;
  for (int i = 0; i < 60; ++i) {
    sent.push_back(std::string(i % 3 == 0   ? 100
                               : i % 3 == 1 ? 3000
                                            : 20000,
                               static_cast<char>('a' + i % 26)));
    socket_->enqueue(frame_of(sent.back()), Delivery::every_frame);
  }
  turn();
  EXPECT_GT(socket_->queued_bytes(), 0u) << "the peer reads nothing yet: the rest waits";
  const auto frames = read_frames(sent.size());
  ASSERT_EQ(frames.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(frames[i].payload, sent[i]) << i;
  EXPECT_EQ(socket_->queued_bytes(), 0u);
  EXPECT_GT(writes(), 1) << "it took several writes, each after the socket became writable";
}

TEST_F(CorkedSocketTest, ASocketFullBeforeTheFlushIsWaitedForToo) {
  // Filled by hand first, so the flush's very first sendmsg finds no room
  // (EAGAIN), rather than a partial write.
  const int fd = socket_->socket().native_handle();
  const std::string filler(4096, 'x');
  std::size_t filled = 0;
  for (;;) {
    ssize_t sent = ::send(fd, filler.data(), filler.size(), MSG_DONTWAIT);
    if (sent <= 0) break;
    filled += static_cast<std::size_t>(sent);
  }
  socket_->enqueue(frame_of("after the filler"), Delivery::every_frame);
  turn();
  EXPECT_EQ(writes(), 0);
  while (received_.size() < filled) read_available(1);
  received_.erase(0, filled);
  const auto frames = read_frames(1);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].payload, "after the filler");
}

TEST_F(CorkedSocketTest, AWaitingSnapshotGivesWayToANewerOne) {
  socket_->enqueue(frame_of("event"), Delivery::every_frame);
  socket_->enqueue(frame_of("snapshot 1"), Delivery::latest_snapshot);
  socket_->enqueue(frame_of("snapshot 2"), Delivery::latest_snapshot);
  turn();
  const auto frames = read_frames(2);
  read_available(50);
  ASSERT_EQ(decode().size(), 2u);
  EXPECT_EQ(frames[0].payload, "event");
  EXPECT_EQ(frames[1].payload, "snapshot 2");
}

TEST_F(CorkedSocketTest, ASnapshotHalfSentIsNotReplacedButFollowed) {
  const std::string big(1 << 18, 's');  // more than the buffers: only part of it goes out
  socket_->enqueue(frame_of(big), Delivery::latest_snapshot);
  turn();
  ASSERT_GT(socket_->queued_bytes(), 0u);
  socket_->enqueue(frame_of("newer"), Delivery::latest_snapshot);
  const auto frames = read_frames(2);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].payload, big) << "the half-sent snapshot is finished, not cut";
  EXPECT_EQ(frames[1].payload, "newer");
}

TEST_F(CorkedSocketTest, TheCloseFrameIsTheLastThingSent) {
  socket_->enqueue(frame_of("before"), Delivery::every_frame);
  const std::string close_frame = {static_cast<char>(0x88), 2, 0x03, static_cast<char>(0xE8)};
  bool written = false;
  socket_->async_write_some(net::buffer(close_frame),
                            [&](boost::system::error_code ec, std::size_t) { written = !ec; });
  EXPECT_FALSE(socket_->enqueue(frame_of("after"), Delivery::every_frame).has_value());
  turn();
  EXPECT_TRUE(written);
  const auto frames = read_frames(2);
  read_available(50);
  const auto all = decode();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].payload, "before");
  EXPECT_EQ(all[1].opcode, 8u) << "then the close frame, and nothing after it";
}

TEST_F(CorkedSocketTest, NothingIsWrittenAfterClose) {
  socket_->enqueue(frame_of("queued"), Delivery::every_frame);
  socket_->close();
  EXPECT_FALSE(socket_->enqueue(frame_of("late"), Delivery::every_frame).has_value());
  turn();
  read_frames(1);  // until the peer sees the connection closed
  EXPECT_TRUE(peer_closed_);
  EXPECT_TRUE(decode().empty());
  EXPECT_EQ(writes(), 0);
}

}  // namespace
}  // namespace chat
