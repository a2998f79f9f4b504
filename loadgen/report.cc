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

void Report::check_share(const std::string& name, std::uint64_t part, std::uint64_t whole,
                         double share_min, const std::string& detail) {
  bool pass = whole > 0 && static_cast<double>(part) >= share_min * static_cast<double>(whole);
  checks.push_back({name, pass ? Check::Status::pass : Check::Status::fail, detail,
                    Check::Combine::share, part, whole, share_min});
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

const char* combine_name(Check::Combine combine) {
  switch (combine) {
    case Check::Combine::all: return "all";
    case Check::Combine::any: return "any";
    case Check::Combine::share: return "share";
  }
  return "all";
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
    boost::json::object item{{"name", check.name},
                             {"status", status_name(check.status)},
                             {"detail", check.detail}};
    if (check.combine != Check::Combine::all) item["combine"] = combine_name(check.combine);
    if (check.combine == Check::Combine::share) {
      item["part"] = check.part;
      item["whole"] = check.whole;
      item["share_min"] = check.share_min;
    }
    check_array.push_back(std::move(item));
  }
  root["checks"] = std::move(check_array);
  boost::json::object error_object;
  for (const auto& [kind, count] : errors) error_object[kind] = count;
  root["errors"] = std::move(error_object);
  boost::json::array samples;
  for (const auto& sample : error_samples) samples.push_back(boost::json::string(sample));
  root["error_samples"] = std::move(samples);
  if (!raw.empty()) root["raw"] = raw;
  return root;
}

namespace {

std::string text_of(const boost::json::object& object, std::string_view key) {
  auto* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

std::uint64_t count_of(const boost::json::value* value) {
  if (value == nullptr) return 0;
  if (value->is_uint64()) return value->get_uint64();
  if (value->is_int64() && value->get_int64() >= 0) {
    return static_cast<std::uint64_t>(value->get_int64());
  }
  if (value->is_double() && value->get_double() >= 0) {
    return static_cast<std::uint64_t>(value->get_double());
  }
  return 0;
}

std::optional<Check> check_from_json(const boost::json::value& json) {
  if (!json.is_object()) return std::nullopt;
  const auto& item = json.get_object();
  Check check;
  check.name = text_of(item, "name");
  check.detail = text_of(item, "detail");
  auto status = text_of(item, "status");
  if (status == "PASS") {
    check.status = Check::Status::pass;
  } else if (status == "FAIL") {
    check.status = Check::Status::fail;
  } else if (status == "SKIP") {
    check.status = Check::Status::skip;
  } else {
    return std::nullopt;
  }
  auto combine = text_of(item, "combine");
  if (combine == "any") check.combine = Check::Combine::any;
  if (combine == "share") {
    check.combine = Check::Combine::share;
    check.part = count_of(item.if_contains("part"));
    check.whole = count_of(item.if_contains("whole"));
    if (auto* share = item.if_contains("share_min"); share && share->is_number()) {
      check.share_min = share->to_number<double>();
    }
  }
  return check;
}

}  // namespace

std::optional<Report> Report::from_json(const boost::json::value& json, std::string& error) {
  if (!json.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  const auto& root = json.get_object();
  auto* figure_object = root.if_contains("figures");
  auto* check_array = root.if_contains("checks");
  if (!figure_object || !figure_object->is_object() || !check_array || !check_array->is_array()) {
    error = "no figures or checks in it";
    return std::nullopt;
  }
  Report report;
  report.scenario = text_of(root, "scenario");
  report.target = text_of(root, "target");
  report.stopped_by = text_of(root, "stopped_by");
  if (auto* elapsed = root.if_contains("elapsed_s"); elapsed && elapsed->is_number()) {
    report.elapsed_s = elapsed->to_number<double>();
  }
  for (const auto& [name, value] : figure_object->get_object()) {
    report.figures.emplace_back(std::string(name), value);
  }
  for (const auto& item : check_array->get_array()) {
    auto check = check_from_json(item);
    if (!check) {
      error = "a check without a name and status: " + boost::json::serialize(item);
      return std::nullopt;
    }
    report.checks.push_back(std::move(*check));
  }
  if (auto* errors = root.if_contains("errors"); errors && errors->is_object()) {
    for (const auto& [kind, count] : errors->get_object()) {
      report.errors[std::string(kind)] = count_of(&count);
    }
  }
  if (auto* samples = root.if_contains("error_samples"); samples && samples->is_array()) {
    for (const auto& sample : samples->get_array()) {
      if (sample.is_string()) report.error_samples.emplace_back(sample.get_string());
    }
  }
  if (auto* raw = root.if_contains("raw"); raw && raw->is_object()) report.raw = raw->get_object();
  return report;
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
