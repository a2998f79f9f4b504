#include "loadgen/report.h"

#include <boost/json/serialize.hpp>

#include <charconv>
#include <iomanip>
#include <sstream>

namespace loadgen {

void Report::figure(const std::string& name, boost::json::value value) {
  for (auto& [existing, old] : figures) {
    if (existing == name) {
      old = std::move(value);
      return;
    }
  }
  figures.emplace_back(name, std::move(value));
}

void Report::check(const std::string& name, bool pass, const std::string& detail) {
  checks.push_back({name, pass ? Check::Status::pass : Check::Status::fail, detail});
}

void Report::skip(const std::string& name, const std::string& detail) {
  checks.push_back({name, Check::Status::skip, detail});
}

bool Report::passed() const {
  if (!stopped_by.empty()) return false;
  for (const auto& check : checks) {
    if (check.status == Check::Status::fail) return false;
  }
  return true;
}

namespace {

std::string show(const boost::json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  if (value.is_double()) {
    std::ostringstream out;
    out << std::fixed << std::setprecision(value.get_double() < 100 ? 2 : 0)
        << value.get_double();
    return out.str();
  }
  return boost::json::serialize(value);
}

const char* status_name(Check::Status status) {
  switch (status) {
    case Check::Status::pass: return "PASS";
    case Check::Status::fail: return "FAIL";
    case Check::Status::skip: return "SKIP";
  }
  return "?";
}

}  // namespace

std::string Report::table() const {
  std::ostringstream out;
  out << "loadgen " << scenario << " against " << target << " (" << std::fixed
      << std::setprecision(1) << elapsed_s << " s)";
  if (!stopped_by.empty()) out << "  STOPPED: " << stopped_by << " (partial report)";
  out << "\n\n";
  std::size_t width = 8;
  for (const auto& [name, value] : figures) width = std::max(width, name.size());
  for (const auto& [name, value] : figures) {
    out << "  " << std::left << std::setw(static_cast<int>(width)) << name << "  " << show(value)
        << "\n";
  }
  if (!errors.empty()) {
    out << "\n  errors by kind:\n";
    for (const auto& [kind, count] : errors) out << "    " << kind << ": " << count << "\n";
    for (const auto& sample : error_samples) out << "    e.g. " << sample << "\n";
  }
  out << "\n";
  for (const auto& check : checks) {
    out << "  [" << status_name(check.status) << "] " << check.name;
    if (!check.detail.empty()) out << ": " << check.detail;
    out << "\n";
  }
  out << "\nverdict: " << (passed() ? "PASS" : "FAIL") << "\n";
  return out.str();
}

boost::json::value Report::to_json() const {
  boost::json::object root;
  root["scenario"] = scenario;
  root["target"] = target;
  root["passed"] = passed();
  root["elapsed_s"] = elapsed_s;
  if (!stopped_by.empty()) root["stopped_by"] = stopped_by;
  boost::json::object figure_object;
  for (const auto& [name, value] : figures) figure_object[name] = value;
  root["figures"] = std::move(figure_object);
  boost::json::array check_array;
  for (const auto& check : checks) {
    check_array.push_back(boost::json::object{{"name", check.name},
                                              {"status", status_name(check.status)},
                                              {"detail", check.detail}});
  }
  root["checks"] = std::move(check_array);
  boost::json::object error_object;
  for (const auto& [kind, count] : errors) error_object[kind] = count;
  root["errors"] = std::move(error_object);
  boost::json::array samples;
  for (const auto& sample : error_samples) samples.push_back(boost::json::string(sample));
  root["error_samples"] = std::move(samples);
  return root;
}

namespace {

// A sample's value in the text format: a float, "+Inf", "-Inf" or "NaN".
// nullopt for anything else (a line this reader does not understand is
// left out of the sum rather than guessed at).
std::optional<double> sample_value(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<double> metric_value(std::string_view text, std::string_view selector) {
  auto brace = selector.find('{');
  auto name = selector.substr(0, brace);
  std::vector<std::string_view> labels;  // each k="v"
  if (brace != std::string_view::npos) {
    auto inside = selector.substr(brace + 1);
    if (!inside.empty() && inside.back() == '}') inside.remove_suffix(1);
    while (!inside.empty()) {
      auto comma = inside.find(',');
      if (!inside.substr(0, comma).empty()) labels.push_back(inside.substr(0, comma));
      if (comma == std::string_view::npos) break;
      inside.remove_prefix(comma + 1);
    }
  }
  std::optional<double> total;
  while (!text.empty()) {
    auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.substr(0, name.size()) != name || line.size() == name.size()) continue;
    char next = line[name.size()];
    if (next != ' ' && next != '{') continue;
    auto space = line.find(' ');
    if (next == '{') {
      auto close = line.find('}');
      if (close == std::string_view::npos) continue;
      auto series = line.substr(name.size() + 1, close - name.size() - 1);
      bool all = true;
      for (auto label : labels) {
        auto at = series.find(label);
        bool bounded = at != std::string_view::npos &&
                       (at == 0 || series[at - 1] == ',') &&
                       (at + label.size() == series.size() || series[at + label.size()] == ',');
        all = all && bounded;
      }
      if (!all) continue;
      space = line.find(' ', close);
    } else if (!labels.empty()) {
      continue;
    }
    if (space == std::string_view::npos) continue;
    auto number = line.substr(space + 1);
    number = number.substr(0, number.find(' '));  // a timestamp may follow
    if (auto value = sample_value(number)) total = total.value_or(0) + *value;
  }
  return total;
}

}  // namespace loadgen
