#include "server/common/static_files.h"

#include <boost/beast/http/field.hpp>
#include <fstream>
#include <sstream>

#include "server/common/http_util.h"
#include "network/percent_encoding.h"

namespace chat::web {

namespace http = boost::beast::http;
namespace fs = std::filesystem;

StaticFiles::StaticFiles(fs::path root) {
  std::error_code ec;
  if (!root.empty() && fs::is_directory(root, ec)) root_ = fs::canonical(root, ec);
}

std::string_view mime_type(const fs::path& path) {
  static const std::pair<std::string_view, std::string_view> types[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
  };
  std::string extension = path.extension().string();
  for (const auto& [ext, type] : types) {
    if (extension == ext) return type;
  }
  return "application/octet-stream";
}

// The file a request target names, or nullopt when it names none (or would
// leave the root: "..", encoded or not, NUL bytes, symlinks pointing out).
std::optional<fs::path> StaticFiles::resolve(std::string_view target) const {
  auto decoded = network::percent_decode(target_path(target));
  if (!decoded || decoded->empty() || decoded->front() != '/' ||
      decoded->find('\0') != std::string::npos || decoded->find('\\') != std::string::npos) {
    return std::nullopt;
  }
  fs::path relative;
  std::istringstream segments(decoded->substr(1));
  std::string segment;
  while (std::getline(segments, segment, '/')) {
    if (segment == "..") return std::nullopt;
    if (segment.empty() || segment == ".") continue;
    relative /= segment;
  }
  if (relative.empty()) relative = "index.html";
  std::error_code ec;
  fs::path full = fs::canonical(root_ / relative, ec);
  if (ec || !fs::is_regular_file(full, ec)) return std::nullopt;
  auto [root_end, _] = std::mismatch(root_.begin(), root_.end(), full.begin(), full.end());
  if (root_end != root_.end()) return std::nullopt;
  return full;
}

Response StaticFiles::serve(const Request& request) const {
  auto file = resolve(request.target());
  if (!file) {
    // Client-side routes (no extension) get the app; missing assets a 404.
    fs::path asked(std::string(target_path(request.target())));
    if (asked.has_extension() || !(file = resolve("/index.html"))) {
      return error_response(request, http::status::not_found, "No such file");
    }
  }
  std::ifstream in(*file, std::ios::binary);
  std::ostringstream content;
  content << in.rdbuf();
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, mime_type(*file));
  // Vite names assets by content hash: they can be cached for ever.
  bool hashed = file->parent_path().filename() == "assets";
  response.set(http::field::cache_control,
               hashed ? "public, max-age=31536000, immutable" : "no-cache");
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(request.keep_alive());
  response.body() = content.str();  // HEAD: the server drops it after sizing
  return response;
}

}  // namespace chat::web
