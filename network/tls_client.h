// The one place that sets up TLS for our clients (HTTPS and WSS): a context
// that verifies peers, and a connection that names and checks its host.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "network/result.h"

namespace network {

// A client context that verifies peer certificates against the system's CAs,
// plus those in `ca_file` (PEM) when it is not empty. Shared: every stream made
// from it needs it alive.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(
    const std::string& ca_file = {});

// Before the handshake of a client connection to `host` (a name or an
// address, without brackets): sends the name (SNI, for names only, as RFC 6066
// asks) and makes the handshake fail unless the certificate names this host.
// Returns what went wrong, or an empty string.
[[nodiscard]] std::string prepare_tls_client(SSL* ssl, const std::string& host);

}  // namespace network
