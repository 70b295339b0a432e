#include "pipeline/publish/mqtt_publisher.h"

#include "inference/core/error.h"
#include "pipeline/publish/broker_probe.h"
#include "pipeline/publish/result_json.h"
#include "pipeline/publish/saved_sequence.h"

#include <mqtt/async_client.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

namespace es::pipeline {

namespace {

// `pattern` with its placeholders replaced; throws for a bad template.
std::string render(const std::string& pattern, const MqttTemplateValues& values, bool is_topic,
                   const char* what) {
    RenderedTemplate rendered = render_mqtt_template(pattern, values, is_topic);
    if (!rendered.problem.empty()) throw_bad_input("MQTT {} {}", what, rendered.problem);
    return std::move(rendered.text);
}

std::string read_password(const std::filesystem::path& path) {
    std::ifstream file(path);
    if (!file) throw_bad_input("MQTT password file {} cannot be read", path.string());
    std::string password;
    std::getline(file, password);
    if (!password.empty() && password.back() == '\r') password.pop_back();
    return password;
}

void check_readable(const std::filesystem::path& path, const char* what) {
    if (!path.empty() && !std::ifstream(path))
        throw_bad_input("MQTT TLS {} {} cannot be read", what, path.string());
}

// A failed connect's code: Paho's (negative) or the broker's CONNACK refusal (MQTT 3.1.1).
std::string connect_failure(int code) {
    switch (code) {
        case 1:
            return "the broker refused the protocol version";
        case 2:
            return "the broker refused the client id";
        case 3:
            return "the broker is unavailable";
        case 4:
            return "bad user name or password";
        case 5:
            return "not authorized";
        default:
            return mqtt::exception::error_str(code);
    }
}

// "<client id>.seq.json", with characters that do not belong in a file name replaced by '_'.
std::string seq_file_name(const std::string& client_id) {
    std::string name = client_id;
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
            c = '_';
    return name + ".seq.json";
}

}  // namespace

std::filesystem::path default_mqtt_persistence_dir() {
    // systemd sets it for StateDirectory=, a ':'-separated list.
    if (const char* state = std::getenv("STATE_DIRECTORY"); state && *state && *state != ':')
        return std::filesystem::path(std::string_view(state).substr(0, std::strcspn(state, ":"))) /
               "mqtt";
    if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
        return std::filesystem::path(state) / "edgesight" / "mqtt";
    const char* home = std::getenv("HOME");
    if (!home || !*home) {
        const passwd* user = getpwuid(geteuid());
        home = user ? user->pw_dir : nullptr;
    }
    if (!home || !*home)
        throw_runtime(
            "no folder for the MQTT persistence: set persistence_dir in the config, "
            "or HOME, XDG_STATE_HOME or STATE_DIRECTORY");
    return std::filesystem::path(home) / ".local" / "state" / "edgesight" / "mqtt";
}

void make_private_folder(const std::filesystem::path& folder) {
    std::filesystem::path partial;
    for (const auto& part : folder) {
        partial /= part;
        if (!part.empty() && mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST)
            throw_runtime("MQTT persistence folder {} cannot be created: {}: {}", folder.string(),
                          partial.string(), std::strerror(errno));
    }
    struct stat info {};
    if (lstat(folder.c_str(), &info) != 0)
        throw_runtime("MQTT persistence folder {}: {}", folder.string(), std::strerror(errno));
    if (S_ISLNK(info.st_mode))
        throw_runtime("MQTT persistence folder {} is a symbolic link; refusing to follow it",
                      folder.string());
    if (!S_ISDIR(info.st_mode))
        throw_runtime("MQTT persistence folder {} is not a folder", folder.string());
    if (info.st_uid != geteuid())
        throw_runtime("MQTT persistence folder {} belongs to user id {}, not to this user ({})",
                      folder.string(), info.st_uid, geteuid());
    if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        throw_runtime(
            "MQTT persistence folder {} can be written by other users (mode {:o}); "
            "expected mode 700",
            folder.string(), info.st_mode & 0777);
}

// Paho reports an action's end to a listener object; this one forwards it to a function.
class ActionListener : public mqtt::iaction_listener {
  public:
    explicit ActionListener(std::function<void(const mqtt::token&, bool)> done)
        : m_done(std::move(done)) {}
    void on_success(const mqtt::token& token) override { m_done(token, true); }
    void on_failure(const mqtt::token& token) override { m_done(token, false); }

  private:
    std::function<void(const mqtt::token&, bool)> m_done;
};

struct MqttPublisher::Impl {
    enum class Connection { Connecting, Connected, Lost };

    explicit Impl(MqttOptions options_);
    ~Impl();

    // A client on the persistence folder, with the messages it holds from earlier runs (those
    // are not in `pending`: a takeover before they are delivered loses them).
    std::unique_ptr<mqtt::async_client> make_client() const;
    void connect();
    // Paho C 1.3.12 frees the topic and payload of a QoS 1 or 2 message whose write fails as
    // the connection drops, yet keeps the message, resends it at each reconnection and writes it
    // to its persistence folder (eclipse-paho/paho.mqtt.c#1310): the broker closes every
    // connection on the garbage, and nothing is delivered again. So a new client with an empty
    // store takes over, handed the messages not yet delivered from their copies in `pending`,
    // when Paho reports such a write, and after `k_stalled_attempts` connection attempts without
    // one that lasted `k_lasting_connection` while the broker accepts TCP connections (a failed
    // resend is not reported).
    static constexpr int k_stalled_attempts = 3;
    static constexpr auto k_lasting_connection = std::chrono::seconds(5);
    void delivery_failed();
    void connection_attempt();
    void start_takeover(bool only_if_broker_is_up);  // with takeover_mutex held
    void take_over(bool only_if_broker_is_up);       // on its own thread
    std::filesystem::path paho_store() const;
    void finished(uint64_t index, bool was_delivered);
    // Logs when the messages waiting for the broker reach or leave the offline buffer's limit.
    void check_buffer_level();
    void set_connection(Connection state, const std::string& reason);
    // `pattern` rendered for `source`; throws for a bad template.
    std::string topic_of(const std::string& pattern, const std::string& source,
                         const char* what) const;
    // Hands one message to Paho, kept in `pending` until delivered; with publish_mutex held and
    // the publisher open.
    void send(const std::string& topic, std::string payload);

    // The reason of a failed connection; for TLS brokers, found by a handshake of our own.
    std::string connect_failure_reason(const mqtt::token& token) const;

    const MqttOptions options;
    const std::filesystem::path persistence_dir;
    const MqttTemplateValues names;  // {host} and {pipeline}
    const std::string status_topic;
    const std::string stats_topic;
    const std::string client_id;
    const MqttScheme* const scheme;
    std::unique_ptr<mqtt::async_client> client;
    // Each message carries its index (in publishing order) as Paho's user context.
    ActionListener delivery_listener{[this](const mqtt::token& token, bool was_delivered) {
        if (was_delivered || options.qos == 0)
            finished(reinterpret_cast<uintptr_t>(token.get_user_context()), was_delivered);
        else
            delivery_failed();  // the message stays pending for the client that takes over
    }};
    ActionListener connect_listener{[this](const mqtt::token& token, bool connected) {
        if (!connected) set_connection(Connection::Connecting, connect_failure_reason(token));
    }};

    // Serializes seq numbering with publishing so messages leave in seq order (per topic).
    std::mutex publish_mutex;
    std::unique_ptr<SavedSequenceNumbers> sequence;
    bool closed = false;
    bool rejecting = false;

    mutable std::mutex pending_mutex;
    std::condition_variable all_delivered;
    // The messages handed to Paho and not yet finished, by index.
    std::map<uint64_t, mqtt::const_message_ptr> pending;
    uint64_t next_index = 0;
    uint64_t dropped_oldest = 0;
    bool buffer_full = false;
    std::atomic<uint64_t> published{0}, delivered{0}, rejected{0};

    mutable std::mutex connection_mutex;
    Connection connection = Connection::Connecting;
    std::string last_problem;  // logged once until it changes

    std::mutex takeover_mutex;
    std::chrono::steady_clock::time_point connected_at;
    int stalled_attempts = 0;
    bool taking_over = false;
    std::thread takeover_thread;
};

MqttPublisher::Impl::Impl(MqttOptions options_)
    : options(std::move(options_)),
      persistence_dir(options.persistence_dir.empty()
                          ? default_mqtt_persistence_dir() / options.pipeline
                          : options.persistence_dir),
      names{options.host.empty() ? mqtt_host_name() : mqtt_topic_level(options.host),
            options.pipeline, ""},
      status_topic(render(options.status_topic, names, true, "status topic")),
      stats_topic(render(options.stats_topic, names, true, "stats topic")),
      client_id(render(options.client_id, names, false, "client id")),
      scheme(find_mqtt_scheme(options.broker)) {
    if (!scheme)
        throw_bad_input("MQTT broker '{}': expected {} followed by HOST[:PORT]", options.broker,
                        mqtt_scheme_list());
    if (options.qos < 0 || options.qos > 2)
        throw_bad_input("MQTT qos {} (expected 0, 1 or 2)", options.qos);
    if (options.max_buffered_messages < 1)
        throw_bad_input("MQTT max_buffered {} (expected 1 or more)", options.max_buffered_messages);
    // Subscribers find gaps by seq, which counts results and events apart.
    if (topic_of(options.events_topic, "source", "events topic") ==
        topic_of(options.topic, "source", "topic"))
        throw_bad_input("MQTT events topic '{}' is the results' topic; expected a topic of its own",
                        options.events_topic);
    if (options.tls && !scheme->tls)
        throw_bad_input("MQTT broker '{}': TLS options need a broker URI with {}", options.broker,
                        mqtt_scheme_list(true));
    if (options.tls) {
        check_readable(options.tls->ca_file, "CA file");
        check_readable(options.tls->cert_file, "certificate file");
        check_readable(options.tls->key_file, "key file");
    }
    if (scheme->tls && !options.tls.value_or(MqttTls{}).verify_hostname)
        spdlog::warn(
            "MQTT {}: the broker's host name is not verified (tls.verify_hostname is false): "
            "any broker with a certificate from a trusted CA is accepted",
            options.broker);
    make_private_folder(persistence_dir);
    sequence = std::make_unique<SavedSequenceNumbers>(persistence_dir / seq_file_name(client_id));
    client = make_client();
}

MqttPublisher::Impl::~Impl() {
    {
        std::lock_guard lock(takeover_mutex);
        taking_over = true;  // no new takeover
    }
    if (takeover_thread.joinable()) takeover_thread.join();
    client.reset();  // first: its callbacks use the members below
}

std::unique_ptr<mqtt::async_client> MqttPublisher::Impl::make_client() const {
    // Paho 1.3 counts the message being added against its limit, keeping one fewer.
    mqtt::create_options create(MQTTVERSION_3_1_1, options.max_buffered_messages + 1);
    create.set_send_while_disconnected(true, /*anyTime=*/true);
    create.set_delete_oldest_messages(true);
    create.set_restore_messages(true);
    try {
        return std::make_unique<mqtt::async_client>(options.broker, client_id, create,
                                                    persistence_dir.string());
    } catch (const mqtt::exception& exception) {
        throw_bad_input("MQTT broker '{}' (client id '{}'): {}", options.broker, client_id,
                        exception.what());
    }
}

void MqttPublisher::Impl::connect() {
    auto connect = mqtt::connect_options_builder()
                       .clean_session(false)  // unacknowledged messages outlive reconnections
                       .keep_alive_interval(options.keep_alive)
                       .connect_timeout(std::chrono::seconds(10))
                       .automatic_reconnect(options.reconnect_min, options.reconnect_max)
                       .will(mqtt::message(status_topic, "offline", 1, true))
                       .finalize();
    if (!options.username.empty()) connect.set_user_name(options.username);
    if (!options.password_file.empty()) connect.set_password(read_password(options.password_file));
    if (scheme->tls) {
        // Paho checks the chain (enable_server_cert_auth) during the handshake and the host
        // name (verify) after it. No OpenSSL error handler: Paho C++ 1.2 hands Paho C a pointer
        // to this ssl_options object, which set_ssl() copies, so the handler would be called on
        // a destroyed object; tls_failure_reason() tells the reason instead.
        const MqttTls tls = options.tls.value_or(MqttTls{});
        mqtt::ssl_options ssl;
        if (!tls.ca_file.empty()) ssl.set_trust_store(tls.ca_file.string());
        if (!tls.cert_file.empty()) ssl.set_key_store(tls.cert_file.string());
        if (!tls.key_file.empty()) ssl.set_private_key(tls.key_file.string());
        ssl.set_enable_server_cert_auth(true);
        ssl.set_verify(tls.verify_hostname);
        connect.set_ssl(std::move(ssl));
    }
    mqtt::async_client& current = *client;
    current.set_connected_handler([this, &current](const std::string&) {
        {
            std::lock_guard lock(takeover_mutex);
            connected_at = std::chrono::steady_clock::now();
        }
        set_connection(Connection::Connected, {});
        try {
            current.publish(status_topic, "online", 6, 1, true);
        } catch (const mqtt::exception& exception) {
            spdlog::warn("MQTT {}: cannot publish status: {}", options.broker, exception.what());
        }
    });
    current.set_connection_lost_handler([this](const std::string& cause) {
        {
            std::lock_guard lock(takeover_mutex);
            if (std::chrono::steady_clock::now() - connected_at >= k_lasting_connection)
                stalled_attempts = 0;
        }
        set_connection(Connection::Lost, cause.empty() ? "connection lost" : cause);
    });
    current.set_update_connection_handler([this](mqtt::connect_data&) {
        connection_attempt();
        return false;  // the connect data stay as they are
    });
    try {
        client->connect(connect, nullptr, connect_listener);
    } catch (const mqtt::exception& exception) {
        throw_bad_input("MQTT broker '{}': {}", options.broker, exception.what());
    }
}

void MqttPublisher::Impl::delivery_failed() {
    std::lock_guard lock(takeover_mutex);
    if (!taking_over) start_takeover(false);
}

void MqttPublisher::Impl::connection_attempt() {
    std::lock_guard lock(takeover_mutex);
    if (++stalled_attempts >= k_stalled_attempts && !taking_over) start_takeover(true);
}

void MqttPublisher::Impl::start_takeover(bool only_if_broker_is_up) {
    stalled_attempts = 0;
    taking_over = true;
    if (takeover_thread.joinable()) takeover_thread.join();  // done: `taking_over` was false
    takeover_thread =
        std::thread([this, only_if_broker_is_up] { take_over(only_if_broker_is_up); });
}

void MqttPublisher::Impl::take_over(bool only_if_broker_is_up) {
    if (!only_if_broker_is_up ||
        broker_accepts_connections(options.broker, std::chrono::seconds(2))) {
        std::lock_guard publishing(publish_mutex);
        if (!closed) {
            spdlog::warn("MQTT {}: {}; a new client takes over the messages not yet delivered",
                         options.broker,
                         only_if_broker_is_up ? "the broker is up but closes every connection"
                                              : "a message could not be written");
            try {
                client->disconnect()->wait_for(std::chrono::seconds(1));
            } catch (const mqtt::exception&) {
                // not connected: it only stops reconnecting
            }
            client.reset();
            std::error_code ignored;
            std::filesystem::remove_all(paho_store(), ignored);
            try {
                client = make_client();
                connect();
                std::map<uint64_t, mqtt::const_message_ptr> messages;
                {
                    std::lock_guard lock(pending_mutex);
                    messages = pending;
                }
                for (const auto& [index, message] : messages)
                    client->publish(message, reinterpret_cast<void*>(static_cast<uintptr_t>(index)),
                                    delivery_listener);
            } catch (const std::exception& error) {
                spdlog::error("MQTT {}: {}; publishing stops", options.broker, error.what());
                client.reset();
                closed = true;
            }
        }
    }
    std::lock_guard lock(takeover_mutex);
    taking_over = false;
}

std::filesystem::path MqttPublisher::Impl::paho_store() const {
    // CLIENTID-HOST-PORT: the URI without its scheme, with ':' made '-'.
    std::string name = client_id + "-" + options.broker.substr(options.broker.find("://") + 3);
    std::replace(name.begin(), name.end(), ':', '-');
    return persistence_dir / name;
}

std::string MqttPublisher::Impl::connect_failure_reason(const mqtt::token& token) const {
    const int code = token.get_return_code();
    // Paho reports every TLS failure as one code (and a wrong host name with no OpenSSL error).
    if (scheme->tls && code < 0) {
        const std::string reason = tls_failure_reason(
            options.broker, options.tls.value_or(MqttTls{}), std::chrono::seconds(5));
        if (!reason.empty()) return "TLS: " + reason;
    }
    return connect_failure(code);
}

void MqttPublisher::Impl::finished(uint64_t index, bool was_delivered) {
    std::lock_guard lock(pending_mutex);
    if (was_delivered) {
        ++delivered;
        // Paho drops the oldest message of a full buffer without reporting it. It sends a
        // client's messages in order (those in flight at a reconnection first), and the broker
        // acknowledges them in order, so the older messages still pending were dropped.
        const auto older = pending.lower_bound(index);
        dropped_oldest += static_cast<uint64_t>(std::distance(pending.begin(), older));
        pending.erase(pending.begin(), older);
    }
    pending.erase(index);
    check_buffer_level();
    all_delivered.notify_all();
}

void MqttPublisher::Impl::check_buffer_level() {
    // Paho drops the oldest message of a full buffer without reporting it; so does `pending`.
    const auto limit = static_cast<size_t>(options.max_buffered_messages);
    for (; pending.size() > limit; ++dropped_oldest)
        pending.erase(pending.begin());
    const bool full = pending.size() == limit;
    if (full == buffer_full) return;
    buffer_full = full;
    if (full)
        spdlog::warn("MQTT {}: buffer full ({} messages), dropping oldest", options.broker,
                     options.max_buffered_messages);
    else
        spdlog::info("MQTT {}: buffer no longer full; {} oldest messages dropped so far",
                     options.broker, dropped_oldest);
}

void MqttPublisher::Impl::set_connection(Connection state, const std::string& reason) {
    std::lock_guard lock(connection_mutex);
    if (state == connection && reason == last_problem) return;
    connection = state;
    last_problem = reason;
    switch (state) {
        case Connection::Connected:
            spdlog::info("MQTT {}: connected", options.broker);
            break;
        case Connection::Lost:
            spdlog::warn("MQTT {}: {}; reconnecting, messages are kept until then", options.broker,
                         reason);
            break;
        case Connection::Connecting:
            spdlog::warn("MQTT {}: cannot connect ({}); retrying, messages are kept until then",
                         options.broker, reason);
            break;
    }
}

MqttPublisher::MqttPublisher(MqttOptions options)
    : m_impl(std::make_unique<Impl>(std::move(options))) {
    m_impl->connect();
    spdlog::debug("MQTT {}: persistence in {}", m_impl->options.broker,
                  m_impl->persistence_dir.string());
}

MqttPublisher::~MqttPublisher() {
    close();
}

std::string MqttPublisher::Impl::topic_of(const std::string& pattern, const std::string& source,
                                          const char* what) const {
    return render(pattern, {names.host, names.pipeline, source}, true, what);
}

void MqttPublisher::Impl::send(const std::string& topic, std::string payload) {
    auto message = mqtt::make_message(topic, std::move(payload), options.qos, false);
    uint64_t index = 0;
    {
        std::lock_guard pending_lock(pending_mutex);
        index = next_index++;
        pending.emplace(index, message);
        check_buffer_level();
    }
    try {
        client->publish(message, reinterpret_cast<void*>(static_cast<uintptr_t>(index)),
                        delivery_listener);
        ++published;
        rejecting = false;
    } catch (const mqtt::exception& exception) {
        finished(index, false);
        ++rejected;
        if (!rejecting)
            spdlog::error("MQTT {}: message to {} rejected: {}", options.broker, topic,
                          exception.what());
        rejecting = true;
    }
}

void MqttPublisher::publish(const FrameResult& result) {
    Impl& impl = *m_impl;
    std::lock_guard lock(impl.publish_mutex);
    if (impl.closed) throw_runtime("MQTT {}: publish after close", impl.options.broker);
    const std::string topic = impl.topic_of(impl.options.topic, result.source, "topic");
    impl.send(topic, result_json(result, impl.sequence->next(result.source, SeqStream::results)));
}

void MqttPublisher::publish_event(const EventResult& event) {
    Impl& impl = *m_impl;
    std::lock_guard lock(impl.publish_mutex);
    if (impl.closed) throw_runtime("MQTT {}: publish after close", impl.options.broker);
    const std::string topic =
        impl.topic_of(impl.options.events_topic, event.source, "events topic");
    impl.send(topic, event_json(event, impl.sequence->next(event.source, SeqStream::events)));
}

bool MqttPublisher::flush(std::chrono::milliseconds timeout) {
    Impl& impl = *m_impl;
    std::unique_lock lock(impl.pending_mutex);
    return impl.all_delivered.wait_for(lock, timeout, [&] { return impl.pending.empty(); });
}

void MqttPublisher::close() {
    Impl& impl = *m_impl;
    {
        std::lock_guard lock(impl.publish_mutex);
        if (impl.closed) return;
        impl.closed = true;
    }
    const bool connected = stats().connected;
    try {
        auto offline = impl.client->publish(impl.status_topic, "offline", 7, 1, true);
        if (connected) {
            flush(std::chrono::seconds(5));
            offline->wait_for(std::chrono::seconds(2));
            impl.client->disconnect()->wait_for(std::chrono::seconds(2));
        }
    } catch (const mqtt::exception& exception) {
        spdlog::debug("MQTT {}: close: {}", impl.options.broker, exception.what());
    }
}

OutputStats MqttPublisher::stats() const {
    const Impl& impl = *m_impl;
    OutputStats stats{.output = "mqtt " + impl.options.broker,
                      .published = impl.published,
                      .delivered = impl.delivered,
                      .failed_saves = impl.sequence->failed_saves()};
    {
        std::lock_guard lock(impl.pending_mutex);
        stats.pending = impl.pending.size();
        stats.dropped = impl.rejected + impl.dropped_oldest;
    }
    std::lock_guard lock(impl.connection_mutex);
    stats.connected = impl.connection == Impl::Connection::Connected;
    return stats;
}

const std::filesystem::path& MqttPublisher::persistence_dir() const {
    return m_impl->persistence_dir;
}

const std::filesystem::path& MqttPublisher::seq_file() const {
    return m_impl->sequence->path();
}

const std::string& MqttPublisher::client_id() const {
    return m_impl->client_id;
}

const std::string& MqttPublisher::status_topic() const {
    return m_impl->status_topic;
}

const std::string& MqttPublisher::stats_topic() const {
    return m_impl->stats_topic;
}

bool MqttPublisher::publish_stats(const std::string& payload) {
    Impl& impl = *m_impl;
    std::lock_guard lock(impl.publish_mutex);
    if (impl.closed || !stats().connected) return false;
    try {
        impl.client->publish(mqtt::make_message(impl.stats_topic, payload, 1, true));
        return true;
    } catch (const mqtt::exception& exception) {
        spdlog::debug("MQTT {}: stats message to {}: {}", impl.options.broker, impl.stats_topic,
                      exception.what());
        return false;
    }
}

}  // namespace es::pipeline
