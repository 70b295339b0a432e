#pragma once

#include <string>

namespace es::testing {

// A TCP connection to 127.0.0.1:port; -1 when nothing listens.
int connect_loopback(int port);

struct HttpResponse {
    std::string head;  // status line and headers
    std::string body;
};

// One HTTP/1.1 GET read to the end of the connection; an empty head when the server cannot be
// reached or did not answer within 10 s.
HttpResponse http_get(int port, const std::string& target);

}  // namespace es::testing
