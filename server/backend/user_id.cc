#include "server/backend/user_id.h"

#include <cstdint>

namespace chat {
namespace {

// Decodes one UTF-8 code point at `i`; false for invalid sequences.
bool next_code_point(std::string_view text, std::size_t& i, std::uint32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  int extra = 0;
  if (lead < 0x80) {
    extra = 0;
  } else if ((lead & 0xE0) == 0xC0) {
    extra = 1;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
  } else {
    return false;
  }
  if (i + static_cast<std::size_t>(extra) >= text.size()) return false;
  cp = extra == 0 ? lead : lead & (0x3F >> extra);
  for (int k = 1; k <= extra; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past Unicode are not UTF-8.
  static constexpr std::uint32_t smallest[] = {0, 0x80, 0x800, 0x10000};
  if (cp < smallest[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  i += static_cast<std::size_t>(extra) + 1;
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

UserIdCheck check_user_id(std::string_view raw, std::size_t chars_max) {
  while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  if (raw.empty()) return {std::nullopt, "userId is empty: choose a name of 1 to 32 characters"};
  std::size_t chars = 0;
  for (std::size_t i = 0; i < raw.size();) {
    std::uint32_t cp = 0;
    if (!next_code_point(raw, i, cp)) return {std::nullopt, "userId is not valid UTF-8"};
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      return {std::nullopt, "userId contains control characters"};
    }
    ++chars;
  }
  if (chars > chars_max) {
    return {std::nullopt, "userId is longer than " + std::to_string(chars_max) + " characters"};
  }
  return {std::string(raw), ""};
}

}  // namespace chat
