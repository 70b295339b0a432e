#include "tests/integration/pipeline_io/mqtt_test_subscriber.h"

#include "tests/support/child_process.h"

#include <mqtt/async_client.h>

#include <stdexcept>

namespace es::testing {

MqttTestSubscriber::MqttTestSubscriber(const std::string& broker, const std::string& client_id,
                                       std::vector<std::string> topics, bool persistent_session)
    : m_topics(std::move(topics)),
      m_client(std::make_unique<mqtt::async_client>(broker, client_id)) {
    m_client->set_message_callback([this](mqtt::const_message_ptr message) {
        std::lock_guard lock(m_mutex);
        m_messages.push_back(
            {message->get_topic(), message->get_payload_str(), message->is_retained()});
    });
    // A broker that forgot the session (clean start) needs the subscriptions again.
    m_client->set_connected_handler([this](const std::string&) {
        for (const auto& topic : m_topics)
            m_client->subscribe(topic, 1);
    });
    const auto options =
        mqtt::connect_options_builder()
            .clean_session(!persistent_session)
            .automatic_reconnect(std::chrono::milliseconds(100), std::chrono::milliseconds(500))
            .finalize();
    try {
        m_client->connect(options)->wait_for(std::chrono::seconds(5));
        for (const auto& topic : m_topics)
            m_client->subscribe(topic, 1)->wait_for(std::chrono::seconds(5));
    } catch (const mqtt::exception& exception) {
        throw std::runtime_error("test subscriber cannot connect to " + broker + ": " +
                                 exception.what());
    }
}

MqttTestSubscriber::~MqttTestSubscriber() {
    try {
        if (m_client->is_connected()) m_client->disconnect()->wait_for(std::chrono::seconds(2));
    } catch (const mqtt::exception&) {
    }
}

std::vector<ReceivedMessage> MqttTestSubscriber::messages() {
    std::lock_guard lock(m_mutex);
    return m_messages;
}

bool MqttTestSubscriber::wait_for(
    const std::function<bool(const std::vector<ReceivedMessage>&)>& condition,
    std::chrono::milliseconds timeout) {
    return wait_until([&] { return condition(messages()); }, timeout);
}

}  // namespace es::testing
