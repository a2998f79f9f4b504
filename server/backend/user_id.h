// Validation of the user ids people choose at login (the seed checks none).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace chat {

struct UserIdCheck {
  std::optional<std::string> user_id;  // trimmed, when valid
  std::string error;                   // what to fix, when not
};

// Trims surrounding white space; refuses empty, over `chars_max` characters,
// control characters and invalid UTF-8.
UserIdCheck check_user_id(std::string_view raw, std::size_t chars_max = 32);

}  // namespace chat
