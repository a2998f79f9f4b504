#include "network/tls_client.h"

#include <openssl/x509v3.h>

#include <boost/asio/ip/address.hpp>

namespace network {

namespace ssl = boost::asio::ssl;

Result<std::shared_ptr<ssl::context>> make_tls_client_context(const std::string& ca_file) {
  using R = Result<std::shared_ptr<ssl::context>>;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  context->set_default_verify_paths(ec);
  if (ec) return R::failure("TLS: the system's CA certificates: " + ec.message());
  if (!ca_file.empty()) {
    context->load_verify_file(ca_file, ec);
    if (ec) return R::failure("TLS: cannot load CA file '" + ca_file + "': " + ec.message());
  }
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

std::string prepare_tls_client(SSL* ssl, const std::string& host) {
  boost::system::error_code not_an_address;
  boost::asio::ip::make_address(host, not_an_address);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (!not_an_address) {
    // An address is checked against the certificate's IP entries, and never sent as SNI.
    if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
      return "TLS: cannot check the certificate against the address " + host;
    }
    return {};
  }
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1) {
    return "TLS: cannot send the server name " + host;
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) != 1) {
    return "TLS: cannot check the certificate against the name " + host;
  }
  return {};
}

}  // namespace network
