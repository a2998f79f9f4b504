#include "server/backend/config.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <thread>

namespace chat {

BackendConfig parse_backend_config(int argc, char** argv) {
  BackendConfig config;
  config.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App app{"Backend: login, room creation and room lookup for the chat (stateless)."};
  app.option_defaults()->always_capture_default();
  app.add_option("--address", config.address, "Address to listen on");
  app.add_option("--port", config.port, "Port to listen on")->envname("PORT");
  app.add_option("--jwt-secret", config.jwt_secret, "HS256 secret shared with session servers")
      ->envname("JWT_SECRET");
  app.add_option("--session-server-host", config.session_server_hosts,
                 "Comma-separated host:port list of static session servers")
      ->envname("SESSION_SERVER_HOST");
  app.add_option("--static-dir", config.static_dir,
                 "Folder of the web client's build, served at / (empty: none)")
      ->envname("STATIC_DIR");
  app.add_option("--threads", config.threads, "I/O threads")->check(CLI::Range(1, 256));
  app.add_option("--body-bytes-max", config.body_bytes_max, "Largest request body accepted")
      ->check(CLI::Range(256, 1 << 20));
  int user_hours = static_cast<int>(config.user_token_lifetime.count() / 3600);
  app.add_option("--user-token-hours", user_hours, "Lifetime of a login token, in hours")
      ->check(CLI::Range(1, 24 * 365));
  int session_seconds = static_cast<int>(config.session_token_lifetime.count());
  app.add_option("--session-token-seconds", session_seconds,
                 "Lifetime of a token to connect to a room, in seconds")
      ->check(CLI::Range(10, 86400));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  if (config.jwt_secret.empty()) {
    std::cerr << "backend: JWT_SECRET is not set. Set the environment variable JWT_SECRET (or "
                 "--jwt-secret) to the secret the session servers check tokens with.\n";
    std::exit(2);
  }
  config.user_token_lifetime = std::chrono::hours(user_hours);
  config.session_token_lifetime = std::chrono::seconds(session_seconds);
  return config;
}

}  // namespace chat
