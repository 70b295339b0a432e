#include "pipeline/config/mqtt_naming.h"

#include <fmt/format.h>

#include <unistd.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <vector>

namespace es::pipeline {
namespace {

constexpr std::array<MqttScheme, 6> k_schemes = {{{"tcp", false},
                                                  {"mqtt", false},
                                                  {"ws", false},
                                                  {"ssl", true},
                                                  {"mqtts", true},
                                                  {"wss", true}}};

}  // namespace

std::span<const MqttScheme> mqtt_schemes() {
    return k_schemes;
}

const MqttScheme* find_mqtt_scheme(std::string_view uri) {
    const size_t separator = uri.find("://");
    if (separator == std::string_view::npos) return nullptr;
    const std::string_view scheme = uri.substr(0, separator);
    for (const MqttScheme& candidate : k_schemes)
        if (candidate.name == scheme) return &candidate;
    return nullptr;
}

std::string mqtt_scheme_list(bool tls_only) {
    std::vector<std::string> names;
    for (const MqttScheme& scheme : k_schemes)
        if (scheme.tls || !tls_only) names.push_back(fmt::format("{}://", scheme.name));
    std::string list;
    for (size_t i = 0; i < names.size(); ++i)
        list += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    return list;
}

std::string mqtt_topic_level(std::string_view text) {
    std::string level;
    for (const char c : text)
        level += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'
                     ? c
                     : '_';
    return level.empty() ? "unknown" : level;
}

std::string mqtt_host_name() {
    if (const char* host = std::getenv("EDGESIGHT_HOST"); host && *host)
        return mqtt_topic_level(host);
    char name[256] = {};
    if (gethostname(name, sizeof(name) - 1) != 0) return "unknown";
    return mqtt_topic_level(name);
}

RenderedTemplate render_mqtt_template(std::string_view pattern, const MqttTemplateValues& values,
                                      bool is_topic) {
    const std::string expected =
        values.source.empty() ? "{host} or {pipeline}" : "{host}, {pipeline} or {source}";
    RenderedTemplate rendered;
    for (size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (is_topic && (c == '+' || c == '#')) {
            rendered.problem = fmt::format(
                "'{}' has the wildcard '{}'; a published topic names one topic", pattern, c);
            return rendered;
        }
        if (c != '{') {
            rendered.text += c;
            continue;
        }
        const size_t end = pattern.find('}', i);
        const std::string_view name =
            end == std::string_view::npos ? pattern.substr(i) : pattern.substr(i, end - i + 1);
        if (name == "{host}")
            rendered.text += values.host;
        else if (name == "{pipeline}")
            rendered.text += values.pipeline;
        else if (name == "{source}" && !values.source.empty())
            rendered.text += values.source;
        else {
            rendered.problem =
                fmt::format("'{}': unknown placeholder '{}'; expected {}", pattern, name, expected);
            return rendered;
        }
        i += name.size() - 1;
    }
    if (rendered.text.empty()) rendered.problem = fmt::format("'{}' is empty", pattern);
    return rendered;
}

}  // namespace es::pipeline
