// Room ids are the capability to join a room, so they are unguessable:
// 80 bits from OpenSSL's CSPRNG, written as 16 lowercase base32 characters
// (a-z, 2-7): URL-safe, case-insensitive, and easy to read out loud.
#pragma once

#include <string>
#include <string_view>

namespace chat {

std::string generate_room_id();
// True for strings that could be a room id of ours or of the seed's
// (letters, digits, '-' and '_', 1 to 64 characters): anything else is
// refused before a lookup.
bool plausible_room_id(std::string_view id);

}  // namespace chat
