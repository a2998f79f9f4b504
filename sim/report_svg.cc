// The plot: servers in use over simulated time, one line per run, against
// the lower bound ceil(active rooms / rooms per server), as plain SVG text.
#include <algorithm>
#include <cmath>
#include <string>

#include "sim/reports.h"

namespace sim {
namespace {

constexpr int kPlotWidth = 690;
constexpr int kHeight = 540;
constexpr int kLeft = 70;  // room for the y labels
// The legend's width follows its longest label: 12 px Helvetica averages
// under 7 px a character, plus the sample line and margins.
constexpr int kLegendCharPx = 7;
constexpr int kLegendMinWidth = 230;
constexpr int kTop = 60;     // title and subtitle
constexpr int kBottom = 60;  // x labels and axis title
constexpr int kPlotHeight = kHeight - kTop - kBottom;

// Colour-blind-safe palette (Okabe and Ito), then a few more.
constexpr const char* kColours[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00",
                                    "#56B4E9", "#F0E442", "#882255", "#44AA99", "#999933"};

std::string escaped(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

// A round step (1, 2 or 5 times a power of ten) giving about `ticks` ticks.
double nice_step(double range, int ticks) {
  const double raw = std::max(range, 1e-9) / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double factor : {1.0, 2.0, 5.0}) {
    if (raw <= factor * magnitude) return factor * magnitude;
  }
  return 10 * magnitude;
}

struct Scale {
  double hours_max = 1;
  double servers_max = 1;
  double x(double hours) const { return kLeft + hours / hours_max * kPlotWidth; }
  double y(double servers) const { return kTop + kPlotHeight * (1 - servers / servers_max); }
};

void write_axes(std::ostream& out, const Scale& scale) {
  const double x_step = nice_step(scale.hours_max, 8);
  for (double h = 0; h <= scale.hours_max + 1e-9; h += x_step) {
    out << "<line x1=\"" << fixed(scale.x(h), 1) << "\" y1=\"" << kTop << "\" x2=\""
        << fixed(scale.x(h), 1) << "\" y2=\"" << kTop + kPlotHeight
        << "\" stroke=\"#e5e5e5\"/>\n<text x=\"" << fixed(scale.x(h), 1) << "\" y=\""
        << kTop + kPlotHeight + 18 << "\" text-anchor=\"middle\">" << fixed(h, x_step < 1 ? 1 : 0)
        << "</text>\n";
  }
  const double y_step = std::max(1.0, nice_step(scale.servers_max, 6));
  for (double s = 0; s <= scale.servers_max + 1e-9; s += y_step) {
    out << "<line x1=\"" << kLeft << "\" y1=\"" << fixed(scale.y(s), 1) << "\" x2=\""
        << kLeft + kPlotWidth << "\" y2=\"" << fixed(scale.y(s), 1)
        << "\" stroke=\"#e5e5e5\"/>\n<text x=\"" << kLeft - 8 << "\" y=\""
        << fixed(scale.y(s) + 4, 1) << "\" text-anchor=\"end\">" << fixed(s, 0) << "</text>\n";
  }
  out << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << kPlotWidth << "\" height=\""
      << kPlotHeight << "\" fill=\"none\" stroke=\"#333\"/>\n"
      << "<text x=\"" << kLeft + kPlotWidth / 2 << "\" y=\"" << kHeight - 18
      << "\" text-anchor=\"middle\">simulated time (hours)</text>\n"
      << "<text transform=\"translate(20," << kTop + kPlotHeight / 2
      << ") rotate(-90)\" text-anchor=\"middle\">servers in use</text>\n";
}

// A step line: each sample's value holds until the next sample starts.
void write_series(std::ostream& out, const Scale& scale, const std::vector<Sample>& samples,
                  double interval_hours, bool lower_bound, const std::string& style) {
  out << "<polyline fill=\"none\" " << style << " points=\"";
  for (std::size_t i = 0; i < samples.size(); ++i) {
    const double value = lower_bound ? samples[i].lower_bound : samples[i].servers;
    const double start = samples[i].time_ms / 3600e3;
    out << fixed(scale.x(start), 1) << ',' << fixed(scale.y(value), 1) << ' '
        << fixed(scale.x(start + interval_hours), 1) << ',' << fixed(scale.y(value), 1) << ' ';
  }
  out << "\"/>\n";
}

void write_legend_entry(std::ostream& out, int row, const std::string& style,
                        const std::string& label) {
  const int x = kLeft + kPlotWidth + 16;
  const int y = kTop + 10 + row * 20;
  out << "<line x1=\"" << x << "\" y1=\"" << y << "\" x2=\"" << x + 24 << "\" y2=\"" << y << "\" "
      << style << "/>\n<text x=\"" << x + 30 << "\" y=\"" << y + 4 << "\">" << escaped(label)
      << "</text>\n";
}

}  // namespace

void write_svg(std::ostream& out, const SweepResult& whole) {
  // With replications, the first seed's runs: one line per setting.
  SweepResult result = whole;
  if (whole.replicated()) {
    result.runs.resize(std::min(whole.runs.size(), whole.points));
    result.seed = whole.replication_seeds.front();
  }
  std::size_t label_chars = std::string("lower bound").size();
  for (const RunReport& run : result.runs) label_chars = std::max(label_chars, run.label().size());
  const int width =
      kLeft + kPlotWidth +
      std::max(kLegendMinWidth, 16 + 30 + kLegendCharPx * static_cast<int>(label_chars) + 16);
  Scale scale;
  double interval_hours = 1;
  for (const RunReport& run : result.runs) {
    if (run.samples.size() >= 2) {
      interval_hours = (run.samples[1].time_ms - run.samples[0].time_ms) / 3600e3;
    }
    if (!run.samples.empty()) {
      scale.hours_max =
          std::max(scale.hours_max, run.samples.back().time_ms / 3600e3 + interval_hours);
    }
    scale.servers_max = std::max<double>(scale.servers_max, run.servers_peak);
  }
  scale.servers_max = std::ceil(scale.servers_max * 1.1);

  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << width << "\" height=\"" << kHeight
      << "\" viewBox=\"0 0 " << width << ' ' << kHeight
      << "\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << kLeft << "\" y=\"24\" font-size=\"16\" font-weight=\"bold\">"
      << "Servers in use per policy against the lower bound ceil(active rooms / rooms per "
         "server)</text>\n<text x=\""
      << kLeft << "\" y=\"42\" font-size=\"11\" fill=\"#555\">seed " << result.seed << "; "
      << escaped(result.workload.substr(0, 160)) << "</text>\n";
  write_axes(out, scale);
  const std::string bound_style = "stroke=\"#000\" stroke-width=\"2\" stroke-dasharray=\"6 4\"";
  int row = 0;
  for (std::size_t i = 0; i < result.runs.size(); ++i) {
    const std::string style =
        std::string("stroke=\"") + kColours[i % std::size(kColours)] + "\" stroke-width=\"1.5\"";
    write_series(out, scale, result.runs[i].samples, interval_hours, false, style);
    write_legend_entry(out, row++, style, result.runs[i].label());
  }
  if (!result.runs.empty()) {
    // The bound depends a little on the run (crashes, refusals); the first
    // run's stands for all.
    write_series(out, scale, result.runs.front().samples, interval_hours, true, bound_style);
    write_legend_entry(out, row++, bound_style, "lower bound");
  }
  out << "</svg>\n";
}

}  // namespace sim
