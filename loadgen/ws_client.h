// A bot's WebSocket connection, plain (ws://) or TLS (wss://); both stream
// types are compiled in ws_client.cc only. Small on purpose: a bot holds one
// for its whole life, and a run holds up to ~19,000 of them.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>
#include <string_view>

namespace loadgen {

// Why a connection ended without a close frame from the server.
enum class WsFailure {
  none,  // a close frame (close_code), or we closed it
  resolve,
  socket,
  bind,
  connect,
  tls,
  refused,      // the upgrade was answered with an HTTP status (http_status)
  handshake,    // the upgrade failed otherwise
  subprotocol,  // the server did not echo the subprotocol asked for
  read,
};

struct WsClosed {
  int close_code = 0;       // the server's close frame (0 when none)
  std::string_view reason;  // its reason
  WsFailure failure = WsFailure::none;
  unsigned http_status = 0;  // failure == refused
  std::string_view detail;   // for people: "connect: Connection refused", "http 401: {...}"

  // The report's error category: "ws_close_1008", "ws_http_401", "ws_connect", ...
  std::string category() const;
};

// What a connection reports to its bot (which outlives the connection's work).
class WsHandler {
 public:
  virtual void on_open() = 0;
  virtual void on_frame(std::string_view text) = 0;
  virtual void on_closed(const WsClosed& closed) = 0;

 protected:
  ~WsHandler() = default;
};

class WsConnection {
 public:
  virtual ~WsConnection() = default;
  virtual void send(std::string text) = 0;
  virtual void close() = 0;  // a normal close handshake; on_closed follows
};

struct WsSettings {
  boost::asio::io_context* io = nullptr;
  boost::asio::ssl::context* tls = nullptr;  // non-null: wss://
  // The event subprotocol to ask for (scalable-chat.events.v1 or .v2);
  // empty: the seed's protocol.
  std::string subprotocol = "scalable-chat.events.v1";
  int source_addresses = 0;  // >0: bind to 127.0.0.<first>.. when the host is on loopback
  int source_address_first = 2;
};

// Connects to ws(s)://host_port/?token=... ; bot_index spreads source addresses.
std::shared_ptr<WsConnection> ws_connect(const WsSettings& settings, const std::string& host_port,
                                         const std::string& token, WsHandler* handler,
                                         std::uint32_t bot_index);

}  // namespace loadgen
