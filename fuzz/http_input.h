// Raw bytes to HTTP requests, as the servers' HttpServer reads them (Beast's
// request parser, the same body and header limits), and the checks every
// answer must pass whatever was asked.
//
// A fuzzer cannot forge an HMAC, so inputs name tokens by placeholder:
// each "@NAME@" in the bytes becomes the value the target gives for NAME
// (a valid user token, a session token, the admin secret...), which lets
// the corpus reach what lies behind authentication.
#pragma once

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "server/common/http_server.h"

namespace fuzz {

inline std::string substitute(std::string_view raw,
                              const std::map<std::string, std::string>& values) {
  std::string out(raw);
  for (const auto& [name, value] : values) {
    const std::string placeholder = "@" + name + "@";
    for (auto at = out.find(placeholder); at != std::string::npos;
         at = out.find(placeholder, at + value.size())) {
      out.replace(at, placeholder.size(), value);
    }
  }
  return out;
}

// The request in `bytes` (which may be followed by anything), or nullopt
// when the server would not get that far (a parse error, a limit).
inline std::optional<chat::web::Request> parse_request(std::string_view bytes,
                                                       std::size_t body_bytes_max = 4 * 1024) {
  namespace http = boost::beast::http;
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(body_bytes_max);
  parser.header_limit(16 * 1024);
  if (bytes.empty()) return std::nullopt;  // a connection closed before a byte
  boost::asio::const_buffer buffer(bytes.data(), bytes.size());
  boost::beast::error_code ec;
  while (!parser.is_done()) {
    if (buffer.size() == 0) {
      parser.put_eof(ec);  // the peer closed: the server sees the end of the stream
      break;
    }
    std::size_t used = parser.put(buffer, ec);
    buffer += used;
    if (ec == http::error::need_more) {
      // The parser has seen every byte there is (it may leave some unused
      // to see them again with the next ones): the stream ends here. Giving
      // it the same bytes again is what Beast's own read never does.
      ec = {};
      buffer = {};
      continue;
    }
    if (ec || used == 0) break;
  }
  if (ec || !parser.is_done()) return std::nullopt;
  chat::web::Request request = parser.release();
  // As HttpServer does: the connection's address, never the client's claim of it.
  request.erase(chat::web::peer_address_field);
  request.set(chat::web::peer_address_field, "192.0.2.7");
  return request;
}

// An answer goes on the wire as one well-formed response: serialised and
// read back, it is the same status and body (no header injection, no body
// that disagrees with its length); a JSON body is JSON, in UTF-8.
inline void check_wire_form(const chat::web::Response& response) {
  namespace http = boost::beast::http;
  chat::web::Response copy = response;
  copy.prepare_payload();
  std::ostringstream wire;
  wire << copy;
  std::string text = wire.str();
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(64 * 1024 * 1024);
  boost::beast::error_code ec;
  std::size_t used = parser.put(boost::asio::buffer(text), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  FUZZ_CHECK(!ec);
  FUZZ_CHECK(parser.is_done());
  FUZZ_CHECK(used == text.size());
  FUZZ_CHECK(parser.get().result_int() == copy.result_int());
  FUZZ_CHECK(parser.get().body() == copy.body());
  if (copy[http::field::content_type] == "application/json") {
    boost::beast::error_code json_error;
    boost::json::parse(copy.body(), json_error);  // strict: UTF-8 too
    FUZZ_CHECK(!json_error);
  }
}

}  // namespace fuzz
