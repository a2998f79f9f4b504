#include "server/backend/api_admission.h"

#include "metrics/families.h"
#include "server/common/http_util.h"

namespace chat {

namespace {

prometheus::Counter& refusals_of(prometheus::Family<prometheus::Counter>& family,
                                 const std::string& limit) {
  return family.Add({{"limit", limit}});
}

}  // namespace

ApiAdmission::Limit::Limit(double per_minute, std::size_t keys_max, prometheus::Counter& refusals,
                           std::string what)
    : limiter(per_minute, keys_max), refusals(refusals), what(std::move(what)) {}

ApiAdmission::ApiAdmission(ApiLimits limits, AdmissionOptions options,
                           prometheus::Registry& registry)
    : limits_(limits),
      options_(std::move(options)),
      refusals_(
          metrics::counter_family(registry, "chat_backend_admission_refusals_total",
                                  "API requests refused with 429 by admission control, by limit.")),
      logins_per_ip_(limits.logins_per_ip_per_minute, options_.keys_max,
                     refusals_of(refusals_, "logins_per_ip"), "logins from this address"),
      logins_per_user_(limits.logins_per_user_per_minute, options_.keys_max,
                       refusals_of(refusals_, "logins_per_user"), "logins as this user"),
      creations_per_ip_(limits.room_creations_per_ip_per_minute, options_.keys_max,
                        refusals_of(refusals_, "room_creations_per_ip"),
                        "rooms created from this address"),
      creations_per_user_(limits.room_creations_per_user_per_minute, options_.keys_max,
                          refusals_of(refusals_, "room_creations_per_user"),
                          "rooms created by this user"),
      lookups_per_ip_(limits.room_lookups_per_ip_per_minute, options_.keys_max,
                      refusals_of(refusals_, "room_lookups_per_ip"),
                      "room look-ups from this address"),
      lookups_per_user_(limits.room_lookups_per_user_per_minute, options_.keys_max,
                        refusals_of(refusals_, "room_lookups_per_user"),
                        "room look-ups by this user"),
      unjoined_refusals_(refusals_of(refusals_, "unjoined_rooms_per_user")) {}

Caller ApiAdmission::caller(const web::Request& request) const {
  return identify_caller(web::peer_address(request), web::forwarded_for(request), options_);
}

ApiAdmission::Limit& ApiAdmission::address_limit(ApiAction action) {
  switch (action) {
    case ApiAction::login:
      return logins_per_ip_;
    case ApiAction::create_room:
      return creations_per_ip_;
    case ApiAction::find_room:
      break;
  }
  return lookups_per_ip_;
}

ApiAdmission::Limit& ApiAdmission::user_limit(ApiAction action) {
  switch (action) {
    case ApiAction::login:
      return logins_per_user_;
    case ApiAction::create_room:
      return creations_per_user_;
    case ApiAction::find_room:
      break;
  }
  return lookups_per_user_;
}

std::optional<web::Response> ApiAdmission::admit_address(const web::Request& request,
                                                         const Caller& caller, ApiAction action) {
  if (caller.exempt) return std::nullopt;
  return admit(address_limit(action), request, caller.key);
}

std::optional<web::Response> ApiAdmission::admit_user(const web::Request& request,
                                                      const Caller& caller, ApiAction action,
                                                      std::string_view user_id) {
  if (caller.exempt) return std::nullopt;
  return admit(user_limit(action), request, user_id);
}

std::optional<web::Response> ApiAdmission::admit(Limit& limit, const web::Request& request,
                                                 std::string_view key) {
  auto retry_after = limit.limiter.take(key, RateLimiter::Clock::now());
  if (!retry_after) return std::nullopt;
  limit.refusals.Increment();
  std::string per_minute = std::to_string(static_cast<long>(limit.limiter.per_minute()));
  return web::too_many_requests(request, *retry_after,
                                "Too many " + limit.what + " (at most " + per_minute +
                                    " a minute); try again in " +
                                    std::to_string(retry_after->count()) + " s");
}

int ApiAdmission::unjoined_rooms_max(const Caller& caller) const {
  return caller.exempt ? 0 : limits_.unjoined_rooms_per_user_max;
}

}  // namespace chat
