#include "pipeline/config/config_checks.h"
#include "pipeline/config/mqtt_naming.h"

#include <fmt/format.h>

#include <unistd.h>

#include <charconv>

namespace es::pipeline {
namespace {

// The scheme of a broker URI, nullptr (reported) when the URI is not one Paho accepts.
const MqttScheme* check_broker_uri(const ObjectReader& reader, const std::string& uri) {
    const MqttScheme* scheme = find_mqtt_scheme(uri);
    if (!scheme) {
        reader.problem("uri", fmt::format("'{}': expected {} followed by HOST[:PORT]", uri,
                                          mqtt_scheme_list()));
        return nullptr;
    }
    const size_t start = scheme->name.size() + 3;
    const std::string authority = uri.substr(start, uri.find('/', start) - start);
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
                                          uri, scheme->name));
        return nullptr;
    }
    return scheme;
}

// A topic or client id template under `key`: only the placeholders that `values` sets, and for
// topics no wildcards. Returns it as written.
std::optional<std::string> checked_template(const ObjectReader& reader, std::string_view key,
                                            const MqttTemplateValues& values, bool is_topic) {
    auto text = reader.string(key);
    if (!text) return std::nullopt;
    const RenderedTemplate rendered = render_mqtt_template(*text, values, is_topic);
    if (!rendered.problem.empty()) {
        reader.problem(key, rendered.problem);
        return std::nullopt;
    }
    return text;
}

std::optional<TlsConfig> check_tls(const ObjectReader& mqtt, const MqttScheme* scheme,
                                   const CheckContext& context, uint64_t& digest) {
    const auto* json = mqtt.object("tls");
    if (!json) return std::nullopt;
    const ObjectReader reader(*json, mqtt.path("tls"), {"ca", "cert", "key", "verify_hostname"},
                              context.problems);
    TlsConfig tls;
    tls.ca = secret_file(reader, "ca", context, digest).value_or("");
    tls.cert = secret_file(reader, "cert", context, digest).value_or("");
    tls.key = secret_file(reader, "key", context, digest).value_or("");
    if (reader.has("cert") != reader.has("key"))
        reader.problem(reader.has("cert") ? "cert" : "key",
                       "a client certificate needs both cert and key");
    if (const auto verify = reader.boolean("verify_hostname")) tls.verify_hostname = *verify;
    if (scheme && !scheme->tls)
        mqtt.problem("tls", fmt::format("the broker uri uses {}://, which does not use TLS; "
                                        "expected {}",
                                        scheme->name, mqtt_scheme_list(true)));
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
    const ObjectReader reader(
        json, path,
        {"uri", "topic", "events_topic", "status_topic", "stats_topic", "qos", "client_id",
         "username", "password_file", "tls", "persistence_dir", "max_buffered"},
        context.problems);
    if (!reader.is_object()) return mqtt;
    if (auto uri = reader.string("uri")) mqtt.uri = *uri;
    const MqttScheme* scheme = check_broker_uri(reader, mqtt.uri);
    // The values only tell which placeholders are allowed where.
    const MqttTemplateValues with_source{"host", pipeline_name, "source"};
    const MqttTemplateValues without_source{"host", pipeline_name, ""};
    if (auto topic = checked_template(reader, "topic", with_source, true)) mqtt.topic = *topic;
    if (auto topic = checked_template(reader, "events_topic", with_source, true)) {
        mqtt.events_topic = *topic;
        // Subscribers find gaps by seq, which counts results and events apart.
        if (mqtt.events_topic == mqtt.topic)
            reader.problem("events_topic", fmt::format("'{}' is the results' topic; expected a "
                                                       "topic of its own",
                                                       *topic));
    }
    if (auto topic = checked_template(reader, "status_topic", without_source, true))
        mqtt.status_topic = *topic;
    if (auto topic = checked_template(reader, "stats_topic", without_source, true))
        mqtt.stats_topic = *topic;
    if (auto client_id = checked_template(reader, "client_id", without_source, false))
        mqtt.client_id = *client_id;
    if (auto qos = reader.integer("qos", 0, 2)) mqtt.qos = static_cast<int>(*qos);
    if (auto username = reader.string("username")) mqtt.username = *username;
    if (auto password_file = secret_file(reader, "password_file", context, mqtt.secrets_digest)) {
        mqtt.password_file = *password_file;
        if (!reader.has("username"))
            reader.problem("password_file",
                           "a password needs a username (MQTT sends no "
                           "password without one)");
    }
    mqtt.tls = check_tls(reader, scheme, context, mqtt.secrets_digest);
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
    const ObjectReader reader(json, path, {"path", "max_bytes", "max_files"}, context.problems);
    if (auto max_bytes = reader.integer("max_bytes", 0, int64_t{1} << 50))
        file.max_bytes = static_cast<uint64_t>(*max_bytes);
    if (auto max_files = reader.integer("max_files", 0, 1000))
        file.max_files = static_cast<int>(*max_files);
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
