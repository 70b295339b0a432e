#pragma once

#include "pipeline/config/mqtt_naming.h"
#include "pipeline/publish/publisher.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace es::pipeline {

// TLS settings of a broker with a TLS scheme (ssl://, mqtts://, wss://). The broker's
// certificate must chain to a trusted CA, be valid now and name the broker's host.
struct MqttTls {
    std::filesystem::path ca_file;    // CA certificates (PEM); empty: the system's
    std::filesystem::path cert_file;  // client certificate (PEM), for brokers that require one
    std::filesystem::path key_file;   // its private key (PEM)
    // false: the certificate may name any host (logged as a warning); its chain is still checked.
    bool verify_hostname = true;
};

struct MqttOptions {
    std::string broker = "tcp://localhost:1883";  // a scheme of mqtt_schemes(), HOST[:PORT]
    std::string pipeline;                         // fills {pipeline}
    std::string host;                             // fills {host}; empty: mqtt_host_name()
    // Templates (mqtt_naming.h): {host}, {pipeline} and, in `topic` and `events_topic`, {source}.
    std::string topic{k_default_detection_topic};
    std::string events_topic{k_default_events_topic};  // publish_event()
    std::string status_topic{k_default_status_topic};  // retained "online", "offline" by will
    std::string stats_topic{k_default_stats_topic};    // publish_stats()
    // Persisted messages are filed under it, so it must stay the same across restarts to
    // deliver them; it carries the host so that two boxes never share a broker session.
    std::string client_id{k_default_client_id};
    int qos = 1;
    std::string username;
    std::filesystem::path password_file;  // its first line is the password
    std::optional<MqttTls> tls;           // nullopt with a TLS scheme: the defaults of MqttTls
    // Paho's message files and the seq state; empty: default_mqtt_persistence_dir()/<pipeline>.
    std::filesystem::path persistence_dir;
    // Messages kept while the broker is away (100000: about an hour of one 30 fps source);
    // beyond this the oldest are dropped and counted.
    int max_buffered_messages = 100000;
    std::chrono::seconds keep_alive{30};
    // Reconnection delay (Paho counts whole seconds): doubled after each failed attempt ...
    std::chrono::seconds reconnect_min{1};
    std::chrono::seconds reconnect_max{30};  // ... up to this
};

// $STATE_DIRECTORY/mqtt (systemd's StateDirectory=), else $XDG_STATE_HOME/edgesight/mqtt, else
// ~/.local/state/edgesight/mqtt. Throws es::Error (Runtime) when there is no home folder.
std::filesystem::path default_mqtt_persistence_dir();

// Creates `folder` and its missing parents with mode 700; throws es::Error (Runtime) naming it
// unless it is then a folder, not a symbolic link, of this user, that no one else may write to.
void make_private_folder(const std::filesystem::path& folder);

// Publishes to an MQTT broker with Paho: QoS 1 by default, a results topic and an events topic per
// source (each with its own `seq`), a retained status topic ("online" while connected, "offline"
// by last will) and stats topic, automatic reconnection with backoff. Messages not yet
// acknowledged are kept in Paho's offline buffer and its file persistence, so they survive broker
// outages and process restarts; `seq` continues across restarts (SavedSequenceNumbers, in the
// persistence folder).
class MqttPublisher : public Publisher {
  public:
    // Throws es::Error: BadInput for a bad option or an unreadable file, Runtime for a
    // persistence folder that cannot be written. Connects in the background (publishing may
    // start at once).
    explicit MqttPublisher(MqttOptions options);
    ~MqttPublisher() override;

    void publish(const FrameResult& result) override;
    void publish_event(const EventResult& event) override;
    bool flush(std::chrono::milliseconds timeout) override;
    // Publishes "offline" on the status topic, waits briefly for acknowledgements and
    // disconnects; what is still unacknowledged stays persisted for the next start.
    void close() override;

    OutputStats stats() const override;
    const std::filesystem::path& persistence_dir() const;
    const std::string& client_id() const;
    const std::string& status_topic() const;
    const std::string& stats_topic() const;
    // The file that keeps the next seq per source.
    const std::filesystem::path& seq_file() const;

    // Publishes `payload` retained on stats_topic() (QoS 1) while connected; false (nothing
    // sent) when the broker is away or the publisher is closed. Not counted in stats().
    bool publish_stats(const std::string& payload) override;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace es::pipeline
