// The only translation unit that instantiates Beast's WebSocket stream.
#include "server/session/websocket_session.h"

#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <vector>

#include "server/room/client_frame.h"
#include "server/session/corked_socket.h"
#include "server/session/subprotocol.h"

namespace chat {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

namespace {

RoomTime now() { return {std::chrono::system_clock::now(), std::chrono::steady_clock::now()}; }

WireMode wire_mode_of(const web::Request& request) {
  auto it = request.find(beast::http::field::sec_websocket_protocol);
  return it == request.end() ? WireMode::seed_snapshots : choose_wire_mode(it->value());
}

}  // namespace

class WebSocketSession : public Member,
                         public DrainableSession,
                         public std::enable_shared_from_this<WebSocketSession> {
 public:
  // The plain socket, not Beast's tcp_stream: the WebSocket stream keeps its
  // own timer for handshake and idle timeouts, and each idle connection is
  // smaller without the second pair of timers.
  WebSocketSession(tcp::socket socket, SessionClaims claims, WireMode mode,
                   std::shared_ptr<SessionHub> hub)
      : hub_(std::move(hub)),
        metrics_(hub_->session_metrics()),
        ws_(std::move(socket), metrics_, hub_->config().cork_delay),
        claims_(std::move(claims)),
        mode_(mode),
        events_(mode != WireMode::seed_snapshots) {
    metrics_.connections.Increment();
  }

  // The last handler has let go. Normally the read loop has left the room by
  // now; a session whose handlers were destroyed unrun (the io_context
  // stopped at the end of the shutdown grace) leaves here, so no room keeps
  // a pointer to it.
  ~WebSocketSession() override {
    leave_room();
    metrics_.connections.Decrement();
    hub_->remove(this);
  }

  const std::string& user_id() const override { return claims_.user_id; }
  bool wants_events() const override { return events_; }

  void start(web::Request request) {
    hub_->add(shared_from_this());
    ws_.next_layer().set_owner(weak_from_this());
    const SessionConfig& config = hub_->config();
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = std::chrono::seconds(30);
    timeouts.idle_timeout = config.idle_timeout;  // silence before the peer is dropped
    timeouts.keep_alive_pings = true;             // ping an idle peer, so a live one stays
    ws_.set_option(timeouts);
    ws_.read_message_max(config.frame_bytes_max);
    ws_.auto_fragment(false);
    ws_.text(true);
    std::string_view subprotocol = subprotocol_of(mode_);
    ws_.set_option(
        websocket::stream_base::decorator([subprotocol](websocket::response_type& response) {
          response.set(beast::http::field::server, "scalable-chat-session");
          if (!subprotocol.empty()) {
            response.set(beast::http::field::sec_websocket_protocol, subprotocol);
          }
        }));
    ws_.async_accept(request,
                     beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
  }

  // Any thread, with the room's lock held: enqueue only. The socket writes
  // at the end of this thread's turn of the event loop.
  void deliver(const Frame& frame, Delivery delivery) override {
    std::optional<std::size_t> queued = ws_.next_layer().enqueue(frame, delivery);
    if (queued && *queued > hub_->config().send_queue_bytes_max) drop_slow();
  }

  std::size_t queued_bytes() const override { return ws_.next_layer().queued_bytes(); }

  void close_for(CloseReason reason) override {
    net::dispatch(ws_.get_executor(), [self = shared_from_this(), reason] {
      if (reason == CloseReason::room_moving) {
        self->close_with(websocket::close_code::service_restart, "Room moving");
      } else {
        self->close_with(websocket::close_code::going_away, "Server shutting down");
      }
    });
  }

 private:
  void on_accept(beast::error_code ec) {
    if (ec) return;  // the peer went away during the handshake
    metrics_.connections_total.Increment();
    // SIGTERM came during the handshake: close_all_going_away could not
    // close a stream that was not open yet.
    if (hub_->draining()) {
      return close_with(websocket::close_code::going_away, "Server shutting down");
    }
    // A room new to this server first loads its history (a crash or a move
    // brought it here); the join waits for that, back on this strand.
    hub_->rooms().open(claims_.room_id, now(), [self = shared_from_this()] {
      net::dispatch(self->ws_.get_executor(), [self] { self->join_room(); });
    });
  }

  void join_room() {
    if (close_sent_ || !ws_.is_open()) return;  // drained or gone while the room loaded
    auto admission = hub_->rooms().join(claims_.room_id, *this, now());
    switch (admission.result) {
      case JoinResult::joined:
        room_ = admission.room;
        record(trace::EventKind::join);
        return do_read();
      case JoinResult::room_full:
        metrics_.rejected("room_full").Increment();
        return close_with(websocket::close_code::policy_error, "Room is full");
      case JoinResult::duplicate_user:
        metrics_.rejected("duplicate_user").Increment();
        return close_with(websocket::close_code::policy_error, "Duplicate user");
      case JoinResult::server_full:
        metrics_.rejected("server_full").Increment();
        return close_with(websocket::close_code::try_again_later, "Server is full");
    }
  }

  // Reads into a small fixed chunk and assembles the message, rather than
  // letting Beast size a dynamic buffer for every pending read: most
  // connections sit idle in a read, and this keeps each about 1 KB smaller.
  void do_read() {
    ws_.async_read_some(net::buffer(chunk_),
                        beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t bytes) {
    if (ec) {
      if (ec == websocket::error::message_too_big) {
        metrics_.rejected("frame_too_big").Increment();
      } else if (ec == websocket::error::bad_frame_payload) {
        metrics_.rejected("invalid_utf8").Increment();
      }
      return leave_room();
    }
    message_.append(chunk_.data(), bytes);
    if (!ws_.is_message_done()) return do_read();
    on_message();
    message_.clear();
    if (message_.capacity() > 4096) message_.shrink_to_fit();  // most connections idle
    do_read();
  }

  void on_message() {
    metrics_.messages_received.Increment();
    // A read that completes after a close took the session out of its room
    // has nobody to go to. Once closed for refusals, nothing more is read.
    if (!room_ || refused_too_often_) return;
    auto started = std::chrono::steady_clock::now();
    PostResult result = post_to_room();
    metrics_.broadcast_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    switch (result) {
      case PostResult::too_long:
        return metrics_.rejected("message_too_long").Increment();
      case PostResult::rate_limited:
        return metrics_.rejected("rate_limited").Increment();
      case PostResult::empty:
        return metrics_.rejected("empty_message").Increment();
      case PostResult::binary:
        return metrics_.rejected("binary_frame").Increment();
      case PostResult::invalid_frame:
        return metrics_.rejected("invalid_frame").Increment();
      case PostResult::duplicate:
        return metrics_.duplicates.Increment();
      case PostResult::moving:
        return metrics_.rejected("room_moving").Increment();
      case PostResult::refused_too_often:
        // Refused frames cost the server reads and checks: a client that
        // keeps sending them is broken or hostile, and is let go.
        metrics_.rejected("too_many_refusals").Increment();
        refused_too_often_ = true;
        return close_with(websocket::close_code::policy_error, "Too many refused messages");
      case PostResult::accepted:
        return record(trace::EventKind::message, posted_bytes_);
      case PostResult::not_in_room:  // left meanwhile: not a refusal anyone saw
        return;
    }
  }

  PostResult post_to_room() {
    if (!ws_.got_text()) return room_->post_binary(*this, now());
    posted_bytes_ = message_.size();
    if (mode_ != WireMode::events_v2) return room_->post(*this, message_, now());
    auto message = parse_client_message(message_);
    if (!message) return room_->post_invalid(*this, now());
    posted_bytes_ = message->text.size();  // the text's size, not its frame's
    return room_->post(*this, *message, now());
  }

  void leave_room() {
    if (!room_) return;
    room_->leave(*this, now());
    room_.reset();
    record(trace::EventKind::leave);
  }

  // --record-trace: the recorder copies the ids and returns; the writing is
  // its own thread's.
  void record(trace::EventKind kind, std::size_t bytes = 0) {
    if (auto* recorder = hub_->trace_recorder()) {
      recorder->record(kind, claims_.room_id, claims_.user_id, static_cast<std::uint32_t>(bytes));
    }
  }

  // A client that stopped reading: its socket is closed (a close frame could
  // not reach it). Any thread; the closing is the strand's.
  void drop_slow() {
    ws_.next_layer().abandon();
    metrics_.rejected("slow_consumer").Increment();
    net::post(ws_.get_executor(), [self = shared_from_this()] { self->ws_.next_layer().close(); });
  }

  // Close frames wait behind a write in flight; Beast sequences them.
  void close_with(websocket::close_code code, const char* reason) {
    if (close_sent_ || !ws_.is_open()) return;
    close_sent_ = true;
    ws_.async_close(websocket::close_reason(code, reason),
                    [self = shared_from_this()](beast::error_code) { self->leave_room(); });
  }

  const std::shared_ptr<SessionHub> hub_;     // first: everything below may use it
  SessionMetrics& metrics_;                   // lives in *hub_
  websocket::stream<CorkedSocket, false> ws_;  // false: no permessage-deflate code or state
  std::array<char, 512> chunk_;               // strand only: what one read brings
  std::string message_;                       // strand only: the message read so far
  const SessionClaims claims_;
  const WireMode mode_;
  const bool events_;
  std::shared_ptr<Room> room_;      // strand only (and the destructor)
  bool close_sent_ = false;         // strand only
  bool refused_too_often_ = false;  // strand only: being closed for it

  std::size_t posted_bytes_ = 0;  // of the message being posted, for the trace
};

void start_websocket_session(beast::tcp_stream stream, web::Request request, SessionClaims claims,
                             std::shared_ptr<SessionHub> hub) {
  auto session = std::make_shared<WebSocketSession>(stream.release_socket(), std::move(claims),
                                                    wire_mode_of(request), std::move(hub));
  session->start(std::move(request));
}

}  // namespace chat
