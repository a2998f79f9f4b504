// Admission control of the backend's public API: a token bucket per client
// address and per user for logins, room creations and room look-ups, each
// refusal a 429 with Retry-After and counted by limit
// (chat_backend_admission_refusals_total{limit}). The per-address check runs
// before a request is parsed or its token verified, so a flood costs little.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "metrics/metrics.h"
#include "server/backend/config.h"
#include "server/common/admission.h"
#include "server/common/http_server.h"
#include "server/common/rate_limiter.h"

namespace chat {

enum class ApiAction { login, create_room, find_room };

class ApiAdmission {
 public:
  ApiAdmission(ApiLimits limits, AdmissionOptions options, prometheus::Registry& registry);

  // Who sent `request` (its address behind trusted proxies, and whether exempt).
  Caller caller(const web::Request& request) const;
  // nullopt: admitted; else the 429 to answer with. Exempt callers always pass.
  std::optional<web::Response> admit_address(const web::Request& request, const Caller& caller,
                                             ApiAction action);
  std::optional<web::Response> admit_user(const web::Request& request, const Caller& caller,
                                          ApiAction action, std::string_view user_id);
  // The cap on a user's rooms nobody joined yet, for this caller (0: none).
  int unjoined_rooms_max(const Caller& caller) const;
  // Counts a creation refused for the unjoined-rooms cap.
  void count_unjoined_refusal() { unjoined_refusals_.Increment(); }

 private:
  struct Limit {
    Limit(double per_minute, std::size_t keys_max, prometheus::Counter& refusals, std::string what);
    RateLimiter limiter;
    prometheus::Counter& refusals;
    std::string what;  // "logins from this address", for the error
  };
  std::optional<web::Response> admit(Limit& limit, const web::Request& request,
                                     std::string_view key);
  Limit& address_limit(ApiAction action);
  Limit& user_limit(ApiAction action);

  const ApiLimits limits_;
  const AdmissionOptions options_;
  prometheus::Family<prometheus::Counter>& refusals_;
  Limit logins_per_ip_, logins_per_user_;
  Limit creations_per_ip_, creations_per_user_;
  Limit lookups_per_ip_, lookups_per_user_;
  prometheus::Counter& unjoined_refusals_;
};

}  // namespace chat
