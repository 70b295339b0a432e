#pragma once

#include <map>
#include <string>
#include <vector>

namespace es::testing {

struct PrometheusSample {
    std::string name;
    std::map<std::string, std::string> labels;  // unescaped
    double value = 0;
};

// A Prometheus text exposition (format 0.0.4) read strictly: every line a HELP or TYPE comment
// or a sample; each sample after its family's TYPE, with a valid name, labels and value.
struct PrometheusText {
    std::map<std::string, std::string> types;  // family → counter, gauge, histogram ...
    std::vector<PrometheusSample> samples;
    std::vector<std::string> problems;  // "line 3: ...": empty when the text is valid
};

PrometheusText parse_prometheus(const std::string& text);

// Problems of the histograms of `text`: per series, `le` ascending and ending in +Inf, buckets
// cumulative (non-decreasing), +Inf equal to _count, and _sum present.
std::vector<std::string> histogram_problems(const PrometheusText& text);

// The value of the sample `name` with exactly these labels; NaN when absent.
double sample_value(const PrometheusText& text, const std::string& name,
                    const std::map<std::string, std::string>& labels);

}  // namespace es::testing
