// GET /api/fleet: the fleet as the control core sees it (its servers, the
// drains it remembers), in the JSON docs/PROTOCOL.md shows.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "control/control_core.h"

namespace chat {

// `lease`: how this backend stands with the fleet lease, as the caller
// knows it.
boost::json::object describe_fleet(const core::ControlCore& core, const std::string& fleet_name,
                                   boost::json::object lease);

}  // namespace chat
