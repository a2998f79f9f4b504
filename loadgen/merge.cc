#include "loadgen/merge.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace loadgen {

namespace {

// How a figure of several workers becomes one. A figure that is not a count
// (a ratio, a percentile, a setting) needs its rule here; anything else
// numeric is summed.
enum class Rule { sum, max, first, recomputed };

// Figures given by percentiles of samples each worker keeps in raw as
// <name>_us: <name>_p50_ms, <name>_p99_ms, <name>_max_ms.
const std::vector<std::string> kSampled = {"reconnect", "room_create"};

bool is_sampled(const std::string& figure) {
  for (const auto& name : kSampled) {
    for (const char* suffix : {"_p50_ms", "_p99_ms", "_max_ms"}) {
      if (figure == name + suffix) return true;
    }
  }
  return false;
}

Rule rule_of(const std::string& name) {
  static const std::set<std::string> recomputed = {
      "latency_p50_ms",          "latency_p90_ms",
      "latency_p99_ms",          "latency_p999_ms",
      "latency_max_ms",          "error_rate",
      "memory_per_bot_kb",       "disconnects_by_kind",
      "rejoin_failures_by_kind", "bots_back_within_goal_share"};
  // Every worker sends over the same window (they start together).
  static const std::set<std::string> maximum = {"send_seconds", "failover_goal_s"};
  // Only the worker that ran the fault command has these.
  static const std::set<std::string> first = {"fault_at_s", "fault_command",
                                              "fault_command_exit_code", "fault_command_seconds"};
  if (recomputed.count(name) || is_sampled(name)) return Rule::recomputed;
  if (maximum.count(name)) return Rule::max;
  if (first.count(name)) return Rule::first;
  return Rule::sum;
}

const boost::json::value* find_figure(const Report& report, const std::string& name) {
  for (const auto& [existing, value] : report.figures) {
    if (existing == name) return &value;
  }
  return nullptr;
}

double number(const boost::json::value* value) {
  return value && value->is_number() ? value->to_number<double>() : 0.0;
}

bool is_integer(const boost::json::value& value) { return value.is_uint64() || value.is_int64(); }

boost::json::value combine(const std::vector<const boost::json::value*>& values, Rule rule) {
  if (rule == Rule::first || !values.front()->is_number()) return *values.front();
  bool integers = std::all_of(values.begin(), values.end(),
                              [](const boost::json::value* v) { return is_integer(*v); });
  if (integers) {
    std::int64_t total = 0;
    for (const auto* value : values) {
      auto v = value->to_number<std::int64_t>();
      total = rule == Rule::max ? std::max(total, v) : total + v;
    }
    if (total >= 0) return static_cast<std::uint64_t>(total);
    return total;
  }
  double total = 0;
  for (const auto* value : values) {
    double v = number(value);
    total = rule == Rule::max ? std::max(total, v) : total + v;
  }
  return total;
}

// "ws_read: 3, ws_close_1012: 5", summed kind by kind (run_stats.cc writes them).
std::map<std::string, std::uint64_t> parse_by_kind(std::string_view text) {
  std::map<std::string, std::uint64_t> counts;
  while (!text.empty()) {
    auto comma = text.find(", ");
    auto item = text.substr(0, comma);
    auto colon = item.rfind(": ");
    if (colon != std::string_view::npos) {
      counts[std::string(item.substr(0, colon))] +=
          std::strtoull(std::string(item.substr(colon + 2)).c_str(), nullptr, 10);
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 2);
  }
  return counts;
}

std::string by_kind(const std::map<std::string, std::uint64_t>& counts) {
  std::string text;
  for (const auto& [kind, count] : counts) {
    text += (text.empty() ? "" : ", ") + kind + ": " + std::to_string(count);
  }
  return text;
}

// What the recomputed figures are made of, gathered over the workers.
struct Pooled {
  LatencyHistogram latency;
  std::uint64_t operations = 0;
  std::map<std::string, std::vector<std::uint64_t>> samples_us;  // by kSampled name
};

void pool_raw(const Report& report, Pooled& pooled) {
  if (auto* latency = report.raw.if_contains("latency"))
    add_histogram_json(*latency, pooled.latency);
  if (auto* operations = report.raw.if_contains("operations");
      operations && operations->is_number()) {
    pooled.operations += operations->to_number<std::uint64_t>();
  }
  for (const auto& name : kSampled) {
    auto* samples = report.raw.if_contains(name + "_us");
    if (!samples || !samples->is_array()) continue;
    auto& pooled_samples = pooled.samples_us[name];
    for (const auto& us : samples->get_array()) {
      if (us.is_number()) pooled_samples.push_back(us.to_number<std::uint64_t>());
    }
  }
}

double sum_of(const std::vector<const Report*>& reports, const std::string& name) {
  double total = 0;
  for (const auto* report : reports) total += number(find_figure(*report, name));
  return total;
}

// The value of a recomputed figure over every worker's report.
boost::json::value recompute(const std::string& name, const std::vector<const Report*>& reports,
                             const Pooled& pooled) {
  auto ms = [](std::uint64_t us) { return static_cast<double>(us) / 1000; };
  const auto& latency = pooled.latency;
  if (name == "latency_p50_ms") return ms(latency.percentile_us(0.50));
  if (name == "latency_p90_ms") return ms(latency.percentile_us(0.90));
  if (name == "latency_p99_ms") return ms(latency.percentile_us(0.99));
  if (name == "latency_p999_ms") return ms(latency.percentile_us(0.999));
  if (name == "latency_max_ms") return ms(latency.max_us());
  if (name == "error_rate") {
    return pooled.operations ? sum_of(reports, "errors") / static_cast<double>(pooled.operations)
                             : 0.0;
  }
  if (name == "memory_per_bot_kb") {  // weighted by each worker's bots
    double bytes = 0, bots = 0;
    for (const auto* report : reports) {
      double connected = number(find_figure(*report, "bots_connected_after_ramp"));
      bytes += number(find_figure(*report, name)) * connected;
      bots += connected;
    }
    return bots > 0 ? bytes / bots : 0.0;
  }
  for (const auto& sampled : kSampled) {
    if (name.rfind(sampled + "_", 0) != 0) continue;
    auto found = pooled.samples_us.find(sampled);
    static const std::vector<std::uint64_t> kNone;
    const auto& sorted = found == pooled.samples_us.end() ? kNone : found->second;
    if (name == sampled + "_p50_ms") return nearest_rank_ms(sorted, 0.50);
    if (name == sampled + "_p99_ms") return nearest_rank_ms(sorted, 0.99);
    if (name == sampled + "_max_ms") return sorted.empty() ? 0.0 : ms(sorted.back());
  }
  if (name == "bots_back_within_goal_share") {
    double disconnected = sum_of(reports, "bots_disconnected");
    return disconnected > 0 ? sum_of(reports, "bots_back_within_goal") / disconnected : 0.0;
  }
  // *_by_kind
  std::map<std::string, std::uint64_t> counts;
  for (const auto* report : reports) {
    auto* value = find_figure(*report, name);
    if (value && value->is_string()) {
      for (const auto& [kind, count] : parse_by_kind(value->get_string())) counts[kind] += count;
    }
  }
  return boost::json::string(by_kind(counts));
}

void merge_figures(const std::vector<const Report*>& reports, const Pooled& pooled,
                   Report& merged) {
  std::vector<std::string> names;  // in order of first appearance
  for (const auto* report : reports) {
    for (const auto& [name, value] : report->figures) {
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  for (const auto& name : names) {
    auto rule = rule_of(name);
    if (rule == Rule::recomputed) {
      merged.figure(name, recompute(name, reports, pooled));
      continue;
    }
    std::vector<const boost::json::value*> values;
    for (const auto* report : reports) {
      if (auto* value = find_figure(*report, name)) values.push_back(value);
    }
    merged.figure(name, combine(values, rule));
  }
}

void merge_checks(const std::vector<WorkerOutcome>& workers, Report& merged) {
  std::vector<std::string> names;
  std::map<std::string, std::vector<WorkerCheck>> by_name;
  for (const auto& worker : workers) {
    if (!worker.report) continue;
    for (const auto& check : worker.report->checks) {
      auto& same = by_name[check.name];
      if (same.empty()) names.push_back(check.name);
      same.push_back({worker.index, check});
    }
  }
  for (const auto& name : names) merged.checks.push_back(merge_check(by_name[name]));
}

void merge_errors(const std::vector<WorkerOutcome>& workers, Report& merged) {
  for (const auto& worker : workers) {
    if (!worker.report) continue;
    for (const auto& [kind, count] : worker.report->errors) merged.errors[kind] += count;
    for (const auto& sample : worker.report->error_samples) {
      if (merged.error_samples.size() >= RunStats::kErrorSamplesMax) break;
      merged.error_samples.push_back("worker " + std::to_string(worker.index) + ": " + sample);
    }
  }
}

// So that merged reports can be merged again (runs from several machines).
void keep_raw(const Pooled& pooled, Report& merged) {
  merged.raw["latency"] = histogram_to_json(pooled.latency);
  merged.raw["operations"] = pooled.operations;
  for (const auto& [name, sorted] : pooled.samples_us) {
    boost::json::array samples;
    for (auto us : sorted) samples.push_back(us);
    merged.raw[name + "_us"] = std::move(samples);
  }
}

void check_workers(const std::vector<WorkerOutcome>& workers, Report& merged) {
  std::vector<std::string> failures;
  for (const auto& worker : workers) {
    if (worker.report) continue;
    failures.push_back("worker " + std::to_string(worker.index) + " (rooms " + worker.rooms +
                       "): " + worker.ended + ", no report" +
                       (worker.problem.empty() ? "" : " (" + worker.problem + ")"));
  }
  std::string detail =
      std::to_string(workers.size() - failures.size()) + " of " + std::to_string(workers.size());
  for (const auto& failure : failures) detail += "; " + failure;
  merged.check("every worker process reported", failures.empty(), detail);
}

}  // namespace

std::string merge_details(const std::vector<std::pair<int, std::string>>& details) {
  if (details.empty()) return "";
  static const std::regex kNumber("[0-9]+(\\.[0-9]+)?");
  auto shape = [](const std::string& text) { return std::regex_replace(text, kNumber, "#"); };
  auto template_text = shape(details.front().second);
  bool same = std::all_of(details.begin(), details.end(),
                          [&](const auto& d) { return shape(d.second) == template_text; });
  if (!same) {
    std::string listed;
    for (const auto& [worker, detail] : details) {
      listed += (listed.empty() ? "" : "; ") + ("worker " + std::to_string(worker) + ": " + detail);
    }
    return listed;
  }
  // Sum the numbers position by position.
  std::vector<double> sums;
  std::vector<bool> decimal;
  for (const auto& [worker, detail] : details) {
    std::size_t i = 0;
    for (std::sregex_iterator it(detail.begin(), detail.end(), kNumber), end; it != end;
         ++it, ++i) {
      if (sums.size() <= i) {
        sums.push_back(0);
        decimal.push_back(false);
      }
      sums[i] += std::stod(it->str());
      decimal[i] = decimal[i] || (*it)[1].matched;
    }
  }
  std::ostringstream out;
  const auto& first = details.front().second;
  std::size_t last = 0, i = 0;
  for (std::sregex_iterator it(first.begin(), first.end(), kNumber), end; it != end; ++it, ++i) {
    out << first.substr(last, static_cast<std::size_t>(it->position()) - last);
    if (decimal[i]) {
      out << sums[i];
    } else {
      out << static_cast<std::uint64_t>(std::llround(sums[i]));
    }
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  out << first.substr(last);
  return out.str();
}

Check merge_check(const std::vector<WorkerCheck>& checks) {
  Check merged = checks.front().check;
  std::size_t passed = 0, failed = 0;
  std::uint64_t part = 0, whole = 0;
  std::vector<std::pair<int, std::string>> details, skip_details;
  for (const auto& [worker, check] : checks) {
    passed += check.status == Check::Status::pass;
    failed += check.status == Check::Status::fail;
    part += check.part;
    whole += check.whole;
    auto& into = check.status == Check::Status::skip ? skip_details : details;
    into.emplace_back(worker, check.detail);
  }
  merged.part = part;
  merged.whole = whole;
  // Skipped slices (nothing to judge there) take no part in the verdict.
  merged.detail = merge_details(details.empty() ? skip_details : details);
  if (passed + failed == 0) {
    merged.status = Check::Status::skip;
    return merged;
  }
  switch (merged.combine) {
    case Check::Combine::all:
      merged.status = failed ? Check::Status::fail : Check::Status::pass;
      break;
    case Check::Combine::any:
      merged.status = passed ? Check::Status::pass : Check::Status::fail;
      break;
    case Check::Combine::share:
      merged.status =
          whole > 0 && static_cast<double>(part) >= merged.share_min * static_cast<double>(whole)
              ? Check::Status::pass
              : Check::Status::fail;
      break;
  }
  return merged;
}

Report merge_reports(const std::vector<WorkerOutcome>& workers, const Thresholds& thresholds,
                     const std::string& stopped_by) {
  Report merged;
  std::vector<const Report*> reports;
  Pooled pooled;
  for (const auto& worker : workers) {
    if (!worker.report) continue;
    reports.push_back(&*worker.report);
    pool_raw(*worker.report, pooled);
    if (merged.scenario.empty()) {
      merged.scenario = worker.report->scenario;
      merged.target = worker.report->target;
    }
    if (merged.stopped_by.empty() && !worker.report->stopped_by.empty()) {
      merged.stopped_by =
          "worker " + std::to_string(worker.index) + ": " + worker.report->stopped_by;
    }
  }
  if (!stopped_by.empty()) merged.stopped_by = stopped_by;
  for (auto& [name, samples] : pooled.samples_us) std::sort(samples.begin(), samples.end());
  merged.figure("processes", static_cast<std::uint64_t>(workers.size()));
  merge_figures(reports, pooled, merged);
  merge_checks(workers, merged);
  std::uint64_t errors = 0;
  for (const auto* report : reports)
    errors += static_cast<std::uint64_t>(sum_of({report}, "errors"));
  add_threshold_checks(pooled.latency, errors, pooled.operations, thresholds, merged);
  check_workers(workers, merged);
  merge_errors(workers, merged);
  keep_raw(pooled, merged);
  return merged;
}

}  // namespace loadgen
