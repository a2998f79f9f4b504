#include "loadgen/retry.h"

#include <algorithm>

namespace loadgen {

std::chrono::milliseconds Backoff::delay(int retries_before) const {
  double delay_ms = static_cast<double>(first.count());
  for (int i = 0; i < retries_before && delay_ms < static_cast<double>(max.count()); ++i) {
    delay_ms *= factor;
  }
  auto capped = std::min(delay_ms, static_cast<double>(max.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(capped));
}

}  // namespace loadgen
