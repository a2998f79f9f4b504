#include "server/ctl/admin_api.h"

#include <boost/json/parse.hpp>
#include <optional>

namespace chat::ctl {

namespace {

std::string json_error(const std::string& body) {
  boost::system::error_code ec;
  auto json = boost::json::parse(body, ec);
  const auto* object = ec ? nullptr : json.if_object();
  const auto* error = object ? object->if_contains("error") : nullptr;
  return error && error->is_string() ? std::string(error->as_string()) : std::string();
}

}  // namespace

AdminApi::AdminApi(AdminTarget target)
    : target_(std::move(target)),
      client_(io_.get_executor(), network::HttpClientOptions{.connections_per_origin_max = 1,
                                                             .user_agent = "chatctl"}) {}

std::variant<AdminAnswer, CtlExit> AdminApi::call(const std::string& method,
                                                  const std::string& path,
                                                  std::chrono::milliseconds timeout) {
  network::HttpRequest request;
  request.method = method;
  request.url = target_.origin + path;
  request.bearer = target_.token;
  request.timeout = timeout;
  std::optional<network::HttpResponse> response;
  client_.async_fetch(std::move(request),
                      [&response](network::HttpResponse answer) { response = std::move(answer); });
  io_.restart();
  while (!response && io_.run_one() > 0) {
  }
  if (!response) return CtlExit{1, "chatctl: " + method + " " + path + " got no answer"};
  if (!response->answered()) {
    return CtlExit{1, "chatctl: cannot reach the backend's admin listener at " + target_.origin +
                          ": " + response->error +
                          ". Is the backend running, and is this its admin address? It prints "
                          "it at start: \"backend: admin on http://...\""};
  }
  AdminAnswer answer{response->status, response->body, json_error(response->body)};
  if (answer.status == 401) {
    return CtlExit{usage_error,
                   target_.token.empty()
                       ? "chatctl: the backend wants its admin token: pass --admin-token (or set "
                         "ADMIN_TOKEN) to the backend's ADMIN_TOKEN"
                       : "chatctl: the backend refused the admin token given: --admin-token (or "
                         "ADMIN_TOKEN) must be the backend's ADMIN_TOKEN"};
  }
  if (answer.status == 404 && answer.error.starts_with("No such API route")) {
    return CtlExit{usage_error, "chatctl: " + target_.origin +
                                    " is the backend's public port, not its admin listener: "
                                    "give --admin the address the backend prints as "
                                    "\"backend: admin on http://...\""};
  }
  return answer;
}


}  // namespace chat::ctl
