#include "pipeline/config/config_checks.h"

#include <fmt/format.h>

#include <unistd.h>

#include <charconv>

namespace es::pipeline {
namespace {

bool is_tls_scheme(const std::string& scheme) {
    return scheme == "ssl" || scheme == "mqtts" || scheme == "wss";
}

// The scheme of a broker URI ("tcp"), empty (reported) when the URI is not one Paho accepts.
std::string check_broker_uri(const ObjectReader& reader, const std::string& uri) {
    const size_t separator = uri.find("://");
    const std::string scheme = separator == std::string::npos ? "" : uri.substr(0, separator);
    if (scheme != "tcp" && scheme != "mqtt" && scheme != "ws" && !is_tls_scheme(scheme)) {
        reader.problem("uri", fmt::format("'{}': expected tcp://, ssl://, mqtt://, mqtts://, ws:// "
                                          "or wss:// followed by HOST[:PORT]",
                                          uri));
        return {};
    }
    const std::string authority =
        uri.substr(separator + 3, uri.find('/', separator + 3) - (separator + 3));
    const size_t colon = authority.rfind(':');
    const std::string host = authority.substr(0, colon);
    bool port_ok = true;
    if (colon != std::string::npos) {
        const std::string port_text = authority.substr(colon + 1);
        int port = 0;
        const auto [end, error] =
            std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
        port_ok = error == std::errc() && end == port_text.data() + port_text.size() && port > 0 &&
                  port < 65536;
    }
    if (host.empty() || !port_ok) {
        reader.problem("uri", fmt::format("'{}': expected {}://HOST[:PORT] with a port from 1 "
                                          "to 65535",
                                          uri, scheme));
        return {};
    }
    return scheme;
}

// Publishing topics: no wildcards, and only the {pipeline} and {source} placeholders.
void check_topic(const ObjectReader& reader, const std::string& topic) {
    if (topic.find_first_of("+#") != std::string::npos) {
        reader.problem("topic", fmt::format("'{}' has a wildcard ('+' or '#'); a published "
                                            "topic names one topic",
                                            topic));
        return;
    }
    for (size_t open = topic.find('{'); open != std::string::npos;
         open = topic.find('{', open + 1)) {
        const size_t close = topic.find('}', open);
        const std::string name =
            close == std::string::npos ? topic.substr(open) : topic.substr(open, close - open + 1);
        if (name != "{pipeline}" && name != "{source}") {
            reader.problem("topic", fmt::format("'{}': unknown placeholder '{}'; expected "
                                                "{{pipeline}} or {{source}}",
                                                topic, name));
            return;
        }
    }
}

std::optional<TlsConfig> check_tls(const ObjectReader& mqtt, const std::string& scheme,
                                   const CheckContext& context) {
    const auto* json = mqtt.object("tls");
    if (!json) return std::nullopt;
    const ObjectReader reader(*json, mqtt.path("tls"), {"ca", "cert", "key"}, context.problems);
    TlsConfig tls;
    tls.ca = readable_file(reader, "ca", false, context).value_or("");
    tls.cert = readable_file(reader, "cert", false, context).value_or("");
    tls.key = readable_file(reader, "key", false, context).value_or("");
    if (reader.has("cert") != reader.has("key"))
        reader.problem(reader.has("cert") ? "cert" : "key",
                       "a client certificate needs both cert and key");
    if (!scheme.empty() && !is_tls_scheme(scheme))
        mqtt.problem("tls", fmt::format("the broker uri uses {}://, which does not use TLS; "
                                        "expected ssl://, mqtts:// or wss://",
                                        scheme));
    return tls;
}

// The folder exists and is writable, or can be created: its nearest existing ancestor is a
// writable folder.
void check_persistence_dir(const ObjectReader& reader, const std::filesystem::path& dir) {
    std::error_code error;
    std::filesystem::path existing = dir;
    while (!existing.empty() && !std::filesystem::exists(existing, error) &&
           existing != existing.parent_path())
        existing = existing.parent_path();
    if (existing.empty()) return;
    if (!std::filesystem::is_directory(existing, error))
        reader.problem("persistence_dir",
                       existing == dir ? fmt::format("{}: exists and is not a folder", dir.string())
                                       : fmt::format("{}: cannot be created, {} is not a folder",
                                                     dir.string(), existing.string()));
    else if (access(existing.c_str(), W_OK | X_OK) != 0)
        reader.problem("persistence_dir",
                       fmt::format("{}: {} is not writable", dir.string(),
                                   existing == dir ? "the folder" : existing.string()));
}

MqttOutputConfig check_mqtt(const nlohmann::json& json, const std::string& path,
                            const std::string& pipeline_name, const CheckContext& context) {
    MqttOutputConfig mqtt;
    mqtt.client_id = "edgesight-" + pipeline_name;
    const ObjectReader reader(json, path,
                              {"uri", "topic", "qos", "client_id", "username", "password_file",
                               "tls", "persistence_dir", "max_buffered"},
                              context.problems);
    if (!reader.is_object()) return mqtt;
    if (auto uri = reader.string("uri")) mqtt.uri = *uri;
    const std::string scheme = check_broker_uri(reader, mqtt.uri);
    if (auto topic = reader.string("topic")) {
        check_topic(reader, *topic);
        mqtt.topic = *topic;
    }
    if (auto qos = reader.integer("qos", 0, 2)) mqtt.qos = static_cast<int>(*qos);
    if (auto client_id = reader.string("client_id")) mqtt.client_id = *client_id;
    if (auto username = reader.string("username")) mqtt.username = *username;
    if (auto password_file = readable_file(reader, "password_file", false, context)) {
        mqtt.password_file = *password_file;
        if (!reader.has("username"))
            reader.problem("password_file",
                           "a password needs a username (MQTT sends no "
                           "password without one)");
    }
    mqtt.tls = check_tls(reader, scheme, context);
    if (auto dir = reader.string("persistence_dir")) {
        mqtt.persistence_dir = resolve_path(context, *dir);
        check_persistence_dir(reader, mqtt.persistence_dir);
    }
    if (auto max_buffered = reader.integer("max_buffered", 1, 10'000'000))
        mqtt.max_buffered = static_cast<int>(*max_buffered);
    return mqtt;
}

FileOutputConfig check_file(const nlohmann::json& json, const std::string& path,
                            const CheckContext& context) {
    FileOutputConfig file;
    const ObjectReader reader(json, path, {"path"}, context.problems);
    const auto text = reader.string("path", true);
    if (!text) return file;
    file.path = resolve_path(context, *text);
    std::error_code error;
    if (std::filesystem::is_directory(file.path, error))
        reader.problem("path", fmt::format("{}: is a folder; expected a file to append JSON "
                                           "lines to",
                                           file.path.string()));
    else if (!std::filesystem::is_directory(file.path.parent_path(), error))
        reader.problem("path", fmt::format("{}: folder {} does not exist", file.path.string(),
                                           file.path.parent_path().string()));
    return file;
}

}  // namespace

OutputConfig check_output(const nlohmann::json& json, const std::string& path,
                          const std::string& pipeline_name, const CheckContext& context) {
    const std::vector<std::string_view> kinds = {"mqtt", "file", "stdout"};
    if (!json.is_object() || json.size() != 1) {
        context.problems.push_back(
            {path,
             fmt::format("expected an object with one key, {}; found {}", join_choices(kinds),
                         json.is_object() ? fmt::format("{} keys", json.size()) : describe(json))});
        return StdoutOutputConfig{};
    }
    const std::string kind = json.begin().key();
    const nlohmann::json& body = json.begin().value();
    const std::string body_path = path + "." + kind;
    if (kind == "mqtt") return check_mqtt(body, body_path, pipeline_name, context);
    if (kind == "file") return check_file(body, body_path, context);
    if (kind == "stdout") {
        const ObjectReader reader(body, body_path, {}, context.problems);
        return StdoutOutputConfig{};
    }
    std::string message =
        fmt::format("unknown output '{}'; expected {}", kind, join_choices(kinds));
    if (const auto near = nearest(kind, kinds))
        message += fmt::format(" (did you mean '{}'?)", *near);
    context.problems.push_back({body_path, std::move(message)});
    return StdoutOutputConfig{};
}

}  // namespace es::pipeline
