#include "tests/unit/metrics/prometheus_parser.h"

#include <cctype>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

namespace es::testing {
namespace {

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_name(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
    for (char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != ':') return false;
    return true;
}

// "# HELP name text" or "# TYPE name type": {HELP or TYPE, name, rest}; empty when neither.
std::vector<std::string> comment_parts(const std::string& line) {
    if (line.rfind("# HELP ", 0) != 0 && line.rfind("# TYPE ", 0) != 0) return {};
    const size_t name_end = line.find(' ', 7);
    if (name_end == std::string::npos) return {};
    const std::string name = line.substr(7, name_end - 7);
    if (!is_name(name)) return {};
    return {line.substr(2, 4), name, line.substr(name_end + 1)};
}

bool parse_value(const std::string& text, double& value) {
    if (text == "+Inf" || text == "-Inf" || text == "NaN") {
        value = text == "NaN"    ? std::nan("")
                : text == "+Inf" ? std::numeric_limits<double>::infinity()
                                 : -std::numeric_limits<double>::infinity();
        return true;
    }
    if (text.empty()) return false;
    size_t used = 0;
    try {
        value = std::stod(text, &used);
    } catch (...) {
        return false;
    }
    return used == text.size();
}

// Reads `{a="x",b="y"}` from `line` at `pos`; false on a syntax error.
bool parse_labels(const std::string& line, size_t& pos,
                  std::map<std::string, std::string>& labels) {
    ++pos;  // '{'
    while (pos < line.size() && line[pos] != '}') {
        const size_t equals = line.find('=', pos);
        if (equals == std::string::npos) return false;
        const std::string name = line.substr(pos, equals - pos);
        if (!is_name(name) || equals + 1 >= line.size() || line[equals + 1] != '"') return false;
        std::string value;
        size_t i = equals + 2;
        for (; i < line.size() && line[i] != '"'; ++i) {
            if (line[i] != '\\') {
                value += line[i];
                continue;
            }
            if (++i >= line.size()) return false;
            if (line[i] == 'n')
                value += '\n';
            else if (line[i] == '\\' || line[i] == '"')
                value += line[i];
            else
                return false;
        }
        if (i >= line.size() || !labels.emplace(name, value).second) return false;
        pos = i + 1;
        if (pos < line.size() && line[pos] == ',') ++pos;
    }
    if (pos >= line.size()) return false;
    ++pos;  // '}'
    return true;
}

// The family a sample of `name` belongs to, given the declared types.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
    if (types.count(name)) return name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
        const std::string s = suffix;
        if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
            const std::string base = name.substr(0, name.size() - s.size());
            const auto it = types.find(base);
            if (it != types.end() && it->second == "histogram") return base;
        }
    }
    return {};
}

}  // namespace

PrometheusText parse_prometheus(const std::string& text) {
    PrometheusText parsed;
    std::istringstream lines(text);
    std::string line;
    std::set<std::string> helped;
    std::string current;  // the family whose samples may follow
    for (int number = 1; std::getline(lines, line); ++number) {
        const std::string where = "line " + std::to_string(number) + ": ";
        if (line.rfind("#", 0) == 0) {
            const std::vector<std::string> match = comment_parts(line);
            if (match.empty()) {
                parsed.problems.push_back(where + "not a HELP or TYPE comment");
                continue;
            }
            if (match[0] == "HELP") {
                if (!helped.insert(match[1]).second)
                    parsed.problems.push_back(where + "second HELP for " + match[1]);
                continue;
            }
            static const std::set<std::string> kinds = {"counter", "gauge", "histogram", "summary",
                                                        "untyped"};
            if (!kinds.count(match[2]) || !parsed.types.emplace(match[1], match[2]).second)
                parsed.problems.push_back(where + "bad or second TYPE for " + match[1]);
            current = match[1];
            continue;
        }
        PrometheusSample sample;
        size_t pos = line.find_first_of("{ ");
        sample.name = line.substr(0, pos);
        if (!is_name(sample.name) || pos == std::string::npos ||
            (line[pos] == '{' && !parse_labels(line, pos, sample.labels)) || pos >= line.size() ||
            line[pos] != ' ' || !parse_value(line.substr(pos + 1), sample.value)) {
            parsed.problems.push_back(where + "not a sample: " + line);
            continue;
        }
        if (family_of(sample.name, parsed.types) != current || current.empty())
            parsed.problems.push_back(where + sample.name + " outside its family");
        parsed.samples.push_back(std::move(sample));
    }
    if (!text.empty() && text.back() != '\n') parsed.problems.push_back("no final newline");
    return parsed;
}

std::vector<std::string> histogram_problems(const PrometheusText& text) {
    std::vector<std::string> problems;
    for (const auto& [family, type] : text.types) {
        if (type != "histogram") continue;
        // series (labels without le) → its buckets in order of appearance
        std::map<std::map<std::string, std::string>, std::vector<std::pair<double, double>>>
            buckets;
        for (const auto& sample : text.samples) {
            if (sample.name != family + "_bucket") continue;
            auto labels = sample.labels;
            double le = 0;
            if (!labels.count("le") || !parse_value(labels["le"], le)) {
                problems.push_back(family + ": a bucket without a valid le");
                continue;
            }
            labels.erase("le");
            buckets[labels].emplace_back(le, sample.value);
        }
        if (buckets.empty()) problems.push_back(family + ": no buckets");
        for (const auto& [labels, series] : buckets) {
            for (size_t i = 1; i < series.size(); ++i) {
                if (!(series[i].first > series[i - 1].first))
                    problems.push_back(family + ": le not ascending");
                if (series[i].second < series[i - 1].second)
                    problems.push_back(family + ": buckets not cumulative");
            }
            if (!std::isinf(series.back().first))
                problems.push_back(family + ": last bucket is not +Inf");
            if (series.back().second != sample_value(text, family + "_count", labels))
                problems.push_back(family + ": +Inf bucket differs from _count");
            if (std::isnan(sample_value(text, family + "_sum", labels)))
                problems.push_back(family + ": no _sum");
        }
    }
    return problems;
}

double sample_value(const PrometheusText& text, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
    for (const auto& sample : text.samples)
        if (sample.name == name && sample.labels == labels) return sample.value;
    return std::nan("");
}

}  // namespace es::testing
