// SIGHUP reads the keys file (JWT_KEYS_FILE) again: an operator rotates the
// secret that signs tokens without restarting anything (docs/DEPLOY.md).
// A file that does not read well leaves the keys as they were.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <memory>
#include <string>

#include "server/common/tokens.h"

namespace chat {

class TokenKeysReload {
 public:
  // `name` starts each line it logs ("backend", "session").
  TokenKeysReload(boost::asio::io_context& io, std::string keys_file,
                  std::shared_ptr<TokenKeys> keys, std::string name);
  void stop() { signals_.cancel(); }

 private:
  void wait();
  void reload();

  boost::asio::signal_set signals_;
  const std::string keys_file_;
  const std::shared_ptr<TokenKeys> keys_;
  const std::string name_;
};

}  // namespace chat
