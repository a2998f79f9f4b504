#include "server/common/token_keys_reload.h"

#include <csignal>
#include <iostream>

#include "server/common/command_line.h"
#include "logging/log.h"

namespace chat {

TokenKeysReload::TokenKeysReload(boost::asio::io_context& io, std::string keys_file,
                                 std::shared_ptr<TokenKeys> keys, std::string name)
    : signals_(io, SIGHUP),
      keys_file_(std::move(keys_file)),
      keys_(std::move(keys)),
      name_(std::move(name)) {
  wait();
}

void TokenKeysReload::wait() {
  signals_.async_wait([this](boost::system::error_code ec, int) {
    if (ec) return;
    reload();
    wait();
  });
}

void TokenKeysReload::reload() {
  if (keys_file_.empty()) {
    logging::warning("SIGHUP: no JWT_KEYS_FILE to read again (JWT_SECRET is fixed)");
    return;
  }
  auto read = token_keys("", keys_file_, "");
  if (auto* problem = std::get_if<std::string>(&read)) {
    logging::error("SIGHUP: keys kept as they were: " + *problem);
    return;
  }
  const auto& keys = std::get<jwt::Keys>(read);
  logging::info("SIGHUP: " + std::to_string(keys.size()) + " token keys read from " + keys_file_ +
                "; signing with " + keys.front().id);
  keys_->replace(std::move(std::get<jwt::Keys>(read)));
}

}  // namespace chat
