// Serves a folder (the web client's build) with single-page-app fallback:
// a path that is not a file and has no extension gets index.html, so the
// client's own router handles /room/abc. Never serves outside the folder.
#pragma once

#include <filesystem>
#include <optional>

#include "server/common/http_server.h"

namespace chat::web {

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);
  bool enabled() const { return !root_.empty(); }
  // The answer for a GET or HEAD: the file, index.html, or a 404.
  Response serve(const Request& request) const;

 private:
  std::optional<std::filesystem::path> resolve(std::string_view target) const;
  std::filesystem::path root_;  // canonical; empty when disabled
};

std::string_view mime_type(const std::filesystem::path& path);

}  // namespace chat::web
