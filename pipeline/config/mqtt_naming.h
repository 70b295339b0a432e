#pragma once

#include <span>
#include <string>
#include <string_view>

// What the config check and the MQTT publisher must agree on: the broker URI schemes, the
// placeholders of topics and client ids, and the host name they carry.
namespace es::pipeline {

struct MqttScheme {
    std::string_view name;  // "ssl", as written before "://"
    bool tls = false;       // the connection is TLS: the broker's certificate is verified
};

// Every broker URI scheme Paho accepts: tcp, mqtt, ws, ssl, mqtts, wss.
std::span<const MqttScheme> mqtt_schemes();

// The entry of mqtt_schemes() for `uri`'s scheme (the text before "://"); nullptr when it has
// none of them.
const MqttScheme* find_mqtt_scheme(std::string_view uri);

// "tcp://, mqtt://, ws://, ssl://, mqtts:// or wss://" (tls: only the TLS ones).
std::string mqtt_scheme_list(bool tls_only = false);

// $EDGESIGHT_HOST when set and not empty, else gethostname(); as mqtt_topic_level() makes it.
// `{host}` in topics and client ids.
std::string mqtt_host_name();

// `text` as one topic level: characters other than letters, digits, '-', '_' and '.' (the MQTT
// wildcards '+' and '#', the separator '/', '{', '}', spaces, controls) become '_'; empty
// becomes "unknown".
std::string mqtt_topic_level(std::string_view text);

// The values of the placeholders {host}, {pipeline} and {source}; a template may use only those
// that are set here (`source` is empty for the status and stats topics and client ids).
struct MqttTemplateValues {
    std::string host;
    std::string pipeline;
    std::string source;
};

// A rendered template, or what is wrong with it (`problem` not empty).
struct RenderedTemplate {
    std::string text;
    std::string problem;  // "unknown placeholder '{camera}'; expected {host} or {pipeline}"
};

// Replaces the placeholders. A topic (`is_topic`) may not contain the wildcards '+' or '#' and
// may not render empty.
RenderedTemplate render_mqtt_template(std::string_view pattern, const MqttTemplateValues& values,
                                      bool is_topic);

// Defaults; DESIGN.md's MQTT section.
inline constexpr std::string_view k_default_detection_topic =
    "edgesight/{host}/{pipeline}/{source}/detections";
inline constexpr std::string_view k_default_events_topic =
    "edgesight/{host}/{pipeline}/{source}/events";
inline constexpr std::string_view k_default_status_topic = "edgesight/{host}/{pipeline}/status";
inline constexpr std::string_view k_default_stats_topic = "edgesight/{host}/{pipeline}/stats";
inline constexpr std::string_view k_default_client_id = "edgesight-{host}-{pipeline}";

}  // namespace es::pipeline
