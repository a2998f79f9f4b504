// What both binaries do with their process: take all the file descriptors
// they are allowed, and run their io_context on a few threads such that a
// handler that throws is logged instead of taking the process (and, for the
// backend, every local session server) down.
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace chat {

// Raises the soft limit on open files to the hard limit; returns the limit
// now in force. Each connection is a descriptor: the default soft limit
// (often 1024) would refuse clients long before the machine's limit.
std::uint64_t raise_open_files_limit();

// Connections a listener may hold with `open_files_max` descriptors: all
// but a reserve for everything else (files, the admin listener, timers,
// outgoing calls), which a flood must not take.
std::size_t connections_within(std::uint64_t open_files_max);

// Runs `io` on `threads` threads (this one included) until it stops. An
// exception escaping a handler is logged with `name` and the thread goes on
// running: the other connections are not the handler's to lose.
void run_io_threads(boost::asio::io_context& io, int threads, std::string_view name);

}  // namespace chat
