// The verdict of a run: figures, checks and errors, printed as a table and
// written as JSON. Asio-free.
#pragma once

#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

namespace loadgen {

struct Check {
  enum class Status { pass, fail, skip };
  std::string name;
  Status status = Status::pass;
  std::string detail;
};

struct Report {
  std::string scenario;
  std::string target;
  std::string stopped_by;  // "", "interrupted (SIGINT)", "timeout"
  double elapsed_s = 0;
  std::vector<std::pair<std::string, boost::json::value>> figures;  // in insertion order
  std::vector<Check> checks;
  std::map<std::string, std::uint64_t> errors;  // by kind
  std::vector<std::string> error_samples;

  void figure(const std::string& name, boost::json::value value);
  void figure(const std::string& name, const std::string& text) {
    figure(name, boost::json::value(boost::json::string(text)));
  }
  void check(const std::string& name, bool pass, const std::string& detail);
  void skip(const std::string& name, const std::string& detail);
  bool passed() const;  // every check passed or skipped, and the run was not cut short
  std::string table() const;
  boost::json::value to_json() const;
};

// The value of a metric in Prometheus text format, summed over the series
// that carry every label of the selector: `name` or `name{k="v",...}`;
// nullopt when no series matches.
std::optional<double> metric_value(std::string_view text, std::string_view name);

}  // namespace loadgen
