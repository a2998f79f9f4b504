#include "server/backend/user_id.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <cstdint>
#include <cstdio>
#include <vector>

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

// The code points of `text`, or nullopt when it is not valid UTF-8.
std::optional<std::vector<UChar32>> decode(std::string_view text) {
  std::vector<UChar32> code_points;
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp = 0;
    if (!next_code_point(text, i, cp)) return std::nullopt;
    code_points.push_back(static_cast<UChar32>(cp));
  }
  return code_points;
}

// Tab, CR, LF (as before) and the space separators (U+0020, U+00A0, U+3000...).
bool is_trimmed_space(UChar32 cp) {
  return cp == '\t' || cp == '\n' || cp == '\r' || u_charType(cp) == U_SPACE_SEPARATOR;
}

// "U+202E RIGHT-TO-LEFT OVERRIDE": what a person can look up.
std::string describe(UChar32 cp) {
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
  char name[128];
  UErrorCode status = U_ZERO_ERROR;
  int32_t length = u_charName(cp, U_UNICODE_CHAR_NAME, name, sizeof name, &status);
  if (U_FAILURE(status) || length <= 0) return code;
  return std::string(code) + " " + std::string(name, static_cast<std::size_t>(length));
}

// Variation selectors 15 and 16 choose text or emoji style: part of an emoji
// after one, an invisible mark after anything else.
bool is_emoji_style_selector(UChar32 cp, UChar32 previous) {
  return (cp == 0xFE0E || cp == 0xFE0F) && previous >= 0 &&
         u_hasBinaryProperty(previous, UCHAR_EMOJI);
}

// Why `cp` may not be part of a name, or empty when it may.
std::string refusal(UChar32 cp, UChar32 previous) {
  int8_t category = u_charType(cp);
  if (category == U_CONTROL_CHAR) return describe(cp) + ", a control character";
  if (category == U_LINE_SEPARATOR || category == U_PARAGRAPH_SEPARATOR) {
    return describe(cp) + ", a line break";
  }
  if (u_hasBinaryProperty(cp, UCHAR_BIDI_CONTROL)) {
    return describe(cp) + ", a bidirectional control that changes how text around it reads";
  }
  if (category == U_FORMAT_CHAR) return describe(cp) + ", an invisible formatting character";
  if (u_hasBinaryProperty(cp, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) &&
      !is_emoji_style_selector(cp, previous)) {
    return describe(cp) + ", an invisible character";
  }
  return "";
}

// The NFC normaliser, looked up once. ICU creates it once behind atomics of
// its own, which ThreadSanitizer cannot see (ICU is not instrumented), so a
// second thread's first use looked like a race; a local static makes the
// hand-over visible to it, and saves the lookup on every call.
const icu::Normalizer2* nfc_normalizer() {
  static const icu::Normalizer2* const nfc = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* instance = icu::Normalizer2::getNFCInstance(status);
    return U_SUCCESS(status) ? instance : nullptr;
  }();
  return nfc;
}

}  // namespace

UserIdCheck check_user_id(std::string_view raw, std::size_t chars_max) {
  const std::string empty =
      "userId is empty: choose a name of 1 to " + std::to_string(chars_max) + " characters";
  auto decoded = decode(raw);
  if (!decoded) return {std::nullopt, "userId is not valid UTF-8"};
  std::vector<UChar32>& code_points = *decoded;
  std::size_t begin = 0, end = code_points.size();
  while (begin < end && is_trimmed_space(code_points[begin])) ++begin;
  while (end > begin && is_trimmed_space(code_points[end - 1])) --end;
  if (begin == end) return {std::nullopt, empty};

  icu::UnicodeString name;
  for (std::size_t i = begin; i < end; ++i) {
    std::string why = refusal(code_points[i], i > begin ? code_points[i - 1] : -1);
    if (!why.empty()) return {std::nullopt, "userId contains " + why + ": remove it"};
    name.append(code_points[i]);
  }
  // One spelling per name: "é" as U+00E9 and as "e" + U+0301 become the same.
  const icu::Normalizer2* nfc = nfc_normalizer();
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString normalized = nfc ? nfc->normalize(name, status) : name;
  if (nfc == nullptr || U_FAILURE(status)) {
    return {std::nullopt, "userId could not be normalised: try another name"};
  }
  if (static_cast<std::size_t>(normalized.countChar32()) > chars_max) {
    return {std::nullopt, "userId is longer than " + std::to_string(chars_max) + " characters"};
  }
  std::string user_id;
  normalized.toUTF8String(user_id);
  return {std::move(user_id), ""};
}

}  // namespace chat
