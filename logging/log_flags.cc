#include "logging/log_flags.h"

#include <map>
#include <string>

namespace logging {

void add_log_flags(CLI::App& app, Options& options) {
  const std::map<std::string, Level> levels{{"debug", Level::debug},
                                            {"info", Level::info},
                                            {"warning", Level::warning},
                                            {"error", Level::error}};
  const std::map<std::string, Format> formats{{"text", Format::text}, {"json", Format::json}};
  app.add_option("--log-level", options.level, "Least level logged: debug, info, warning, error")
      ->transform(CLI::CheckedTransformer(levels, CLI::ignore_case))
      ->default_str("info")
      ->envname("LOG_LEVEL");
  app.add_option("--log-format", options.format,
                 "text (for people) or json (one object a line: time, level, component, "
                 "message; for log collectors)")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case))
      ->default_str("text")
      ->envname("LOG_FORMAT");
}

}  // namespace logging
