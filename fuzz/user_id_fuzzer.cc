// User-id validation (server/backend/user_id.*): the name in a login body,
// any bytes at all. The first byte sets the length limit (1 to 64).
// Invariants: an accepted id is valid UTF-8 within the limit, and checking
// it again accepts it unchanged (one spelling per name: NFC is a fixed
// point, and nothing refused appears after normalising).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "server/backend/user_id.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chars_max = 1 + data[0] % 64;
  std::string_view raw(reinterpret_cast<const char*>(data) + 1, size - 1);
  chat::UserIdCheck check = chat::check_user_id(raw, chars_max);
  FUZZ_CHECK(check.user_id.has_value() == check.error.empty());
  if (!check.user_id) return 0;
  const std::string& user_id = *check.user_id;
  FUZZ_CHECK(!user_id.empty());
  FUZZ_CHECK(fuzz::valid_utf8(user_id));
  FUZZ_CHECK(user_id.front() != ' ' && user_id.back() != ' ');
  chat::UserIdCheck again = chat::check_user_id(user_id, chars_max);
  FUZZ_CHECK(again.user_id && *again.user_id == user_id);
  return 0;
}
