#include "sim/start_delays.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

namespace sim {
namespace {

[[noreturn]] void refuse(const std::string& name, int line_number, const std::string& why,
                         const std::string& line) {
  throw StartDelayError(name + " line " + std::to_string(line_number) + ": " + why + ": \"" + line +
                        "\"");
}

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

StartDelayDistribution StartDelayDistribution::parse(std::istream& input, const std::string& name) {
  std::vector<double> values;
  std::map<double, double> cumulative_by_bound;  // le -> count, summed over series
  std::string raw;
  int line_number = 0;
  while (std::getline(input, raw)) {
    ++line_number;
    const std::string line = trimmed(raw);
    if (line.empty() || line[0] == '#') continue;
    const bool number = std::isdigit(static_cast<unsigned char>(line[0])) || line[0] == '.' ||
                        line[0] == '-' || line[0] == '+';
    if (!number) {
      // Prometheus text (a metric name never starts with a digit): only
      // histogram buckets count.
      const auto brace = line.find("_bucket{");
      if (brace == std::string::npos) continue;
      const auto le = line.find("le=\"", brace);
      const auto close = line.find('}', brace);
      if (le == std::string::npos || close == std::string::npos) {
        refuse(name, line_number, "a _bucket line without le=\"...\"", line);
      }
      const auto le_end = line.find('"', le + 4);
      const std::string bound_text = line.substr(le + 4, le_end - le - 4);
      double bound = 0;
      if (bound_text == "+Inf") {
        bound = std::numeric_limits<double>::infinity();
      } else if (!parse_number(bound_text, bound)) {
        refuse(name, line_number, "le is not a number", line);
      }
      std::istringstream rest(line.substr(close + 1));
      std::string count_text;
      rest >> count_text;
      double count = 0;
      if (!parse_number(count_text, count) || count < 0) {
        refuse(name, line_number, "the bucket's count is not a number", line);
      }
      cumulative_by_bound[bound] += count;
      continue;
    }
    double seconds = 0;
    if (!parse_number(line, seconds) || seconds < 0 || !std::isfinite(seconds)) {
      refuse(name, line_number, "expected a start-up delay in seconds (0 or more)", line);
    }
    values.push_back(seconds);
  }
  StartDelayDistribution distribution;
  if (!values.empty() && !cumulative_by_bound.empty()) {
    throw StartDelayError(name + ": mixes a list of seconds with histogram buckets; use one");
  }
  if (!values.empty()) {
    std::sort(values.begin(), values.end());
    for (double value : values) distribution.bins_.push_back({value, value, 1});
    distribution.total_weight_ = static_cast<double>(values.size());
    return distribution;
  }
  distribution.histogram_ = true;
  double previous_bound = 0;
  double previous_count = 0;
  double largest_finite = 0;
  for (const auto& [bound, cumulative] : cumulative_by_bound) {
    const double count = cumulative - previous_count;
    if (count < 0) throw StartDelayError(name + ": bucket counts must not decrease with le");
    if (std::isfinite(bound)) largest_finite = bound;
    const double high = std::isfinite(bound) ? bound : largest_finite;
    const double low = std::isfinite(bound) ? previous_bound : largest_finite;
    if (count > 0) distribution.bins_.push_back({low, high, count});
    distribution.total_weight_ += count;
    previous_bound = high;
    previous_count = cumulative;
  }
  if (distribution.total_weight_ <= 0) {
    throw StartDelayError(name + ": no start-up delays (no numbers, or histogram buckets all 0)");
  }
  return distribution;
}

StartDelayDistribution StartDelayDistribution::open(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw StartDelayError("cannot open start delay file " + path);
  return parse(file, path);
}

std::int64_t StartDelayDistribution::sample_ms(Rng& rng) const {
  double pick = uniform01(rng) * total_weight_;
  const Bin* chosen = &bins_.back();
  for (const Bin& bin : bins_) {
    if (pick < bin.weight) {
      chosen = &bin;
      break;
    }
    pick -= bin.weight;
  }
  const double seconds =
      chosen->low_s + (histogram_ ? uniform01(rng) * (chosen->high_s - chosen->low_s) : 0);
  return static_cast<std::int64_t>(std::llround(seconds * 1e3));
}

std::int64_t StartDelayDistribution::min_ms() const {
  return static_cast<std::int64_t>(std::llround(bins_.front().low_s * 1e3));
}

std::int64_t StartDelayDistribution::max_ms() const {
  return static_cast<std::int64_t>(std::llround(bins_.back().high_s * 1e3));
}

std::string StartDelayDistribution::describe() const {
  std::ostringstream out;
  if (histogram_) {
    out << "histogram of " << total_weight_ << " starts in " << bins_.size() << " buckets, "
        << min_ms() / 1e3 << " to " << max_ms() / 1e3 << " s";
  } else {
    out << bins_.size() << " measured delays, " << min_ms() / 1e3 << " to " << max_ms() / 1e3
        << " s";
  }
  return out.str();
}

}  // namespace sim
