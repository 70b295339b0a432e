// A stand-in RTSP camera for scripts/soak.sh: `rtsp_camera_process PORT` serves the live test
// pattern of RtspTestServer at rtsp://127.0.0.1:PORT/test until SIGTERM or SIGINT.
#include "tests/support/rtsp_test_server.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: rtsp_camera_process PORT\n");
        return 2;
    }
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before the server's thread starts
    es::testing::RtspTestServer server(std::atoi(argv[1]));
    server.start();
    std::printf("%s\n", server.url().c_str());
    std::fflush(stdout);
    int received = 0;
    sigwait(&signals, &received);
    return 0;
}
