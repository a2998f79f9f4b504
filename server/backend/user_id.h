// Validation of the user ids people choose at login (the seed checks none).
//
// A user id is what other members see, so two ids that look the same must
// be the same id: it is normalised to Unicode NFC (an "é" typed as one code
// point or as "e" plus a combining accent is one name), and characters that
// change how a name looks without being seen are refused: controls, bidi
// overrides and isolates, zero-width and other invisible characters.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat {

struct UserIdCheck {
  std::optional<std::string> user_id;  // trimmed and in NFC, when valid
  std::string error;                   // what to fix, when not
};

// Trims surrounding spaces; refuses empty, invalid UTF-8, control
// characters (Unicode category Cc), line and paragraph separators (Zl, Zp),
// format characters (Cf: bidi controls, zero-width characters, ...) and
// other default-ignorable characters (Hangul fillers, variation selectors
// but after an emoji), and more than `chars_max` characters once in NFC.
UserIdCheck check_user_id(std::string_view raw, std::size_t chars_max = 32);

}  // namespace chat
