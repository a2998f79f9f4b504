// The backend's settings: a plain struct with the seed's defaults, filled
// from flags and the environment in one place (--help lists them).
#pragma once

#include <chrono>
#include <string>

namespace chat {

struct BackendConfig {
  std::string address = "127.0.0.1";
  unsigned short port = 8080;                            // env PORT
  std::string jwt_secret;                                // env JWT_SECRET, required
  std::string session_server_hosts = "localhost:8000";  // env SESSION_SERVER_HOST
  std::string static_dir;                                // env STATIC_DIR: the web client
  int threads = 2;
  std::size_t body_bytes_max = 4 * 1024;
  std::size_t user_id_chars_max = 32;
  std::chrono::seconds user_token_lifetime{24 * 3600};
  std::chrono::seconds session_token_lifetime{300};
};

BackendConfig parse_backend_config(int argc, char** argv);

}  // namespace chat
