// chatctl's calls to the backend's admin listener, one at a time, waiting
// for each answer. What any call can run into (nobody listening, a missing or
// wrong admin token, the public port given instead) is turned here into a
// message that says what to fix; answers the command must judge come back.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <string>
#include <variant>

#include "network/http_client.h"
#include "server/ctl/ctl_args.h"

namespace chat::ctl {

struct AdminAnswer {
  unsigned status = 0;
  std::string body;
  std::string error;  // the JSON error's text, when the body is {"error": ...}
};

class AdminApi {
 public:
  explicit AdminApi(AdminTarget target);

  // The answer to `method` `path` ("/api/fleet"), or why the command stops.
  std::variant<AdminAnswer, CtlExit> call(
      const std::string& method, const std::string& path,
      std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  const AdminTarget target_;
  boost::asio::io_context io_;
  network::HttpClient client_;
};


}  // namespace chat::ctl
