// JWT parsing and verification (server/common/jwt.*, tokens.*): every
// request to the API and every WebSocket upgrade hands us a token a stranger
// wrote. The first byte picks what the rest is:
//   0: a whole token, as a client would send it (parts, encoding, algorithm)
//   1: "<header JSON>\n<claims JSON>", signed here with the server's secret,
//      so the checks after the signature (time claims, typ, ids) are reached
//   2: a user id, issued as a token and checked back
// Invariants: canonical base64url decodes and re-encodes to itself; no token
// is both a user and a session token; an issued token checks back as itself.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_util.h"
#include "server/common/jwt.h"
#include "server/common/tokens.h"

namespace {

constexpr std::int64_t kNow = 1'800'000'000;
const std::string kSecret(32, 's');
const chat::TokenPolicy kPolicy{kSecret};

std::string signed_token(std::string_view header, std::string_view claims) {
  std::string input =
      chat::jwt::base64url_encode(header) + "." + chat::jwt::base64url_encode(claims);
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data(), &length);
  return input + "." +
         chat::jwt::base64url_encode({reinterpret_cast<const char*>(digest.data()), length});
}

void check_token(std::string_view token) {
  chat::jwt::Verified verified = chat::jwt::verify(token, kSecret, kNow);
  FUZZ_CHECK(verified || verified.claims.empty());
  FUZZ_CHECK(!chat::jwt::describe(verified.error).empty());
  auto user = chat::check_user_token(kPolicy, token, kNow);
  auto session = chat::check_session_token(kPolicy, token, kNow);
  FUZZ_CHECK(user.claims.has_value() == user.error.empty());
  FUZZ_CHECK(session.claims.has_value() == session.error.empty());
  FUZZ_CHECK(!(user.claims && session.claims));
  if (user.claims || session.claims) FUZZ_CHECK(verified);
  if (user.claims) FUZZ_CHECK(!user.claims->user_id.empty());
}

void check_canonical_base64url(std::string_view text) {
  std::string bytes;
  if (chat::jwt::base64url_decode(text, bytes)) {
    FUZZ_CHECK(chat::jwt::base64url_encode(bytes) == text);
  }
}

void check_issued(std::string_view user_id) {
  std::string token = chat::issue_user_token(kPolicy, {std::string(user_id)}, kNow);
  auto user = chat::check_user_token(kPolicy, token, kNow);
  // JSON carries any valid UTF-8; an empty user id is refused by design.
  if (!user_id.empty() && fuzz::valid_utf8(user_id)) {
    FUZZ_CHECK(user.claims && user.claims->user_id == user_id);
  }
  FUZZ_CHECK(!chat::check_session_token(kPolicy, token, kNow).claims);
  FUZZ_CHECK(!chat::check_user_token(kPolicy, token, kNow + 24 * 3600).claims);  // expired
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  check_canonical_base64url(rest);
  switch (data[0] % 3) {
    case 0:
      check_token(rest);
      break;
    case 1: {
      auto newline = rest.find('\n');
      if (newline == std::string_view::npos) return 0;
      check_token(signed_token(rest.substr(0, newline), rest.substr(newline + 1)));
      break;
    }
    case 2:
      check_issued(rest);
      break;
  }
  return 0;
}
