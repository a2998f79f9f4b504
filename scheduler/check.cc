#include "scheduler/check.h"

#include <cstdio>
#include <cstdlib>

namespace sched {

void check_failed(const char* condition, std::string_view message, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: check failed: %s: %.*s\n", file, line, condition,
               static_cast<int>(message.size()), message.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace sched
