// The verdict of a run: figures, checks and errors, printed as a table and
// written as JSON. Asio-free.
#pragma once

#include <boost/json/object.hpp>
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
  // How the same check of several worker processes (each with its own rooms)
  // combines into one: `all` must pass (a property of every room), `any`
  // (one worker seeing it is enough, e.g. a fault disconnected someone), or
  // `share`: part / whole summed over the workers at least share_min.
  enum class Combine { all, any, share };
  std::string name;
  Status status = Status::pass;
  std::string detail;
  Combine combine = Combine::all;
  std::uint64_t part = 0, whole = 0;  // share
  double share_min = 0;               // share
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
  // Not shown in the table: what it takes to merge this report with those of
  // other processes (the latency histogram, operations, reconnect times).
  boost::json::object raw;

  void figure(const std::string& name, boost::json::value value);
  void figure(const std::string& name, const std::string& text) {
    figure(name, boost::json::value(boost::json::string(text)));
  }
  void check(const std::string& name, bool pass, const std::string& detail);
  void skip(const std::string& name, const std::string& detail);
  // Passes when part / whole >= share_min (whole 0: fails).
  void check_share(const std::string& name, std::uint64_t part, std::uint64_t whole,
                   double share_min, const std::string& detail);
  bool passed() const;  // every check passed or skipped, and the run was not cut short
  std::string table() const;
  boost::json::value to_json() const;
  // Reads to_json()'s output back; nullopt (and why) when it is not one.
  static std::optional<Report> from_json(const boost::json::value& json, std::string& error);
};

// The value of a metric in Prometheus text format, summed over the series
// that carry every label of the selector: `name` or `name{k="v",...}`;
// nullopt when no series matches.
std::optional<double> metric_value(std::string_view text, std::string_view name);

}  // namespace loadgen
