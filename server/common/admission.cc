#include "server/common/admission.h"

namespace chat {

Caller identify_caller(std::string_view peer, std::string_view forwarded_for,
                       const AdmissionOptions& options) {
  auto address = client_address(peer, forwarded_for, options.trusted_proxies);
  if (!address) return {"unknown", "unknown", false};
  return {rate_key(*address), address->to_string(), options.exempt.contains(*address)};
}

}  // namespace chat
