#pragma once

#include "pipeline/publish/publisher.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace es::pipeline {

struct MqttTls {
    std::filesystem::path ca_file;    // CA certificates the broker's certificate must chain to
    std::filesystem::path cert_file;  // client certificate (PEM), for brokers that require one
    std::filesystem::path key_file;   // its private key (PEM)
};

struct MqttOptions {
    std::string broker = "tcp://localhost:1883";  // tcp://, mqtt://, ssl:// or mqtts://
    std::string pipeline;                         // fills {pipeline}
    std::string topic = "edgesight/{pipeline}/{source}/detections";
    int qos = 1;
    // Empty: "edgesight-<hostname>-<pipeline>". Persisted messages are filed under it, so it
    // must stay the same across restarts to deliver them.
    std::string client_id;
    std::string username;
    std::filesystem::path password_file;  // its first line is the password
    std::optional<MqttTls> tls;
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
// /var/lib/edgesight/mqtt when /var/lib/edgesight is writable, else a folder under the system
// temp dir.
std::filesystem::path default_mqtt_persistence_dir();

// The retained status topic of a pipeline: "online" while connected, "offline" by last will.
std::string mqtt_status_topic(const std::string& pipeline);

// Publishes to an MQTT broker with Paho: QoS 1 by default, one topic per source, a retained
// status topic with a last will, automatic reconnection with backoff. Messages not yet
// acknowledged are kept in Paho's offline buffer and its file persistence, so they survive
// broker outages and process restarts; `seq` continues across restarts (SavedSequenceNumbers,
// in the persistence folder).
class MqttPublisher : public Publisher {
  public:
    // Throws es::Error: BadInput for a bad option or an unreadable file, Runtime for a
    // persistence folder that cannot be written. Connects in the background (publishing may
    // start at once).
    explicit MqttPublisher(MqttOptions options);
    ~MqttPublisher() override;

    void publish(const FrameResult& result) override;
    bool flush(std::chrono::milliseconds timeout) override;
    // Publishes "offline" on the status topic, waits briefly for acknowledgements and
    // disconnects; what is still unacknowledged stays persisted for the next start.
    void close() override;

    OutputStats stats() const override;
    const std::filesystem::path& persistence_dir() const;
    // The file that keeps the next seq per source.
    const std::filesystem::path& seq_file() const;

    // Publishes `payload` retained on `topic` (QoS 1) while connected; false (nothing sent)
    // when the broker is away or the publisher is closed. Not counted in stats().
    bool publish_retained(const std::string& topic, const std::string& payload) override;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace es::pipeline
