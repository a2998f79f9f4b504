// The one translation unit that compiles Asio's, Asio SSL's and Beast's
// out-of-line code (see BOOST_*_SEPARATE_COMPILATION in third_party/BUILD).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
