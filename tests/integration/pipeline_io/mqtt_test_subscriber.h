#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace mqtt {
class async_client;
}

namespace es::testing {

struct ReceivedMessage {
    std::string topic;
    std::string payload;
    bool retained = false;
};

// A Paho async client subscribed (QoS 1) to `topics`, collecting what arrives. With a
// persistent session the broker keeps its subscription and queues messages while it is away.
class MqttTestSubscriber {
  public:
    // Connects and subscribes, or throws std::runtime_error.
    MqttTestSubscriber(const std::string& broker, const std::string& client_id,
                       std::vector<std::string> topics, bool persistent_session);
    ~MqttTestSubscriber();

    std::vector<ReceivedMessage> messages();
    // Waits until `condition` holds for the messages so far; returns it.
    bool wait_for(const std::function<bool(const std::vector<ReceivedMessage>&)>& condition,
                  std::chrono::milliseconds timeout);

  private:
    std::vector<std::string> m_topics;
    std::unique_ptr<mqtt::async_client> m_client;
    std::mutex m_mutex;
    std::vector<ReceivedMessage> m_messages;
};

}  // namespace es::testing
