// One line for each event a core takes and each effect it emits, for
// reading a failing seed's run (--explore-trace): the alternative's name
// and the fields that tell it apart (request, room, server, host, token).
#pragma once

#include <string>

#include "control/effects.h"
#include "control/events.h"

namespace sim::explore {

std::string trace_line(const core::Event& event);
std::string trace_line(const core::Effect& effect);

}  // namespace sim::explore
