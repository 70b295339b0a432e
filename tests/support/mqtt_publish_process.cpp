// Publishes results the way the edgesight service does, as a process a test can kill:
//   mqtt_publish_process BROKER PERSISTENCE_DIR CLIENT_ID PIPELINE SOURCE COUNT [--events] [--wait]
// Publishes COUNT results of SOURCE (with --events, each followed by a track event "new" of track
// id FRAME) and prints "published COUNT". With --wait it then waits for their acknowledgement,
// prints "delivered" and exits; without, it stays until killed.
#include "pipeline/publish/mqtt_publisher.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

int main(int argc, char** argv) {
    if (argc < 7) {
        std::fprintf(stderr,
                     "usage: %s BROKER PERSISTENCE_DIR CLIENT_ID PIPELINE SOURCE COUNT [--events] "
                     "[--wait]\n",
                     argv[0]);
        return 2;
    }
    es::pipeline::MqttOptions options;
    options.broker = argv[1];
    options.persistence_dir = argv[2];
    options.client_id = argv[3];
    options.pipeline = argv[4];
    options.reconnect_min = std::chrono::seconds(1);
    options.reconnect_max = std::chrono::seconds(1);
    const std::string source = argv[5];
    const int count = std::atoi(argv[6]);
    bool events = false;
    bool wait = false;
    for (int i = 7; i < argc; ++i) {
        events |= std::string(argv[i]) == "--events";
        wait |= std::string(argv[i]) == "--wait";
    }

    es::pipeline::MqttPublisher publisher(options);
    for (int i = 0; i < count; ++i) {
        es::pipeline::FrameResult result;
        result.timestamp_ns = 1764133000000000000 + i;
        result.pipeline = options.pipeline;
        result.source = source;
        result.frame = static_cast<uint64_t>(i);
        result.width = 1920;
        result.height = 1080;
        publisher.publish(result);
        if (events) {
            es::pipeline::EventResult event{.timestamp_ns = result.timestamp_ns,
                                            .pipeline = result.pipeline,
                                            .source = source,
                                            .frame = result.frame,
                                            .type = "new",
                                            .zone = {},
                                            .object = {}};
            event.object.id = i;
            publisher.publish_event(event);
        }
    }
    std::printf("published %d\n", count);
    std::fflush(stdout);
    if (wait) {
        const bool delivered = publisher.flush(std::chrono::seconds(20));
        std::printf(delivered ? "delivered\n" : "not delivered\n");
        return delivered ? 0 : 1;
    }
    for (;;)
        std::this_thread::sleep_for(std::chrono::seconds(1));
}
