// The builder chains prometheus-cpp asks for, written once: a family by its
// name and help, or the one series of a family without labels.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <string>

namespace metrics {

prometheus::Family<prometheus::Counter>& counter_family(prometheus::Registry& registry,
                                                        const std::string& name,
                                                        const std::string& help);
prometheus::Family<prometheus::Gauge>& gauge_family(prometheus::Registry& registry,
                                                    const std::string& name,
                                                    const std::string& help);
prometheus::Family<prometheus::Histogram>& histogram_family(prometheus::Registry& registry,
                                                            const std::string& name,
                                                            const std::string& help);

// The family's one series, for figures without labels.
prometheus::Counter& counter(prometheus::Registry& registry, const std::string& name,
                             const std::string& help);
prometheus::Gauge& gauge(prometheus::Registry& registry, const std::string& name,
                         const std::string& help);

}  // namespace metrics
