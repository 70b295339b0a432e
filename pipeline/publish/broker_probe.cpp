#include "pipeline/publish/broker_probe.h"

#include "pipeline/publish/mqtt_publisher.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <memory>
#include <string_view>

namespace es::pipeline {
namespace {

struct Endpoint {
    std::string host;
    std::string port;
};

// HOST and PORT of "SCHEME://HOST[:PORT][/PATH]" (an IPv6 host in brackets).
Endpoint endpoint_of(const std::string& broker) {
    const size_t separator = broker.find("://");
    const std::string scheme = broker.substr(0, separator);
    const size_t start = separator == std::string::npos ? 0 : separator + 3;
    const std::string authority = broker.substr(start, broker.find('/', start) - start);
    const char* port = scheme == "wss"                        ? "443"
                       : scheme == "ws"                       ? "80"
                       : scheme == "ssl" || scheme == "mqtts" ? "8883"
                                                              : "1883";
    Endpoint endpoint{authority, port};
    if (!authority.empty() && authority.front() == '[') {
        const size_t close = authority.find(']');
        endpoint.host = authority.substr(1, close - 1);
        if (close != std::string::npos && close + 1 < authority.size() &&
            authority[close + 1] == ':')
            endpoint.port = authority.substr(close + 2);
    } else if (const size_t colon = authority.rfind(':'); colon != std::string::npos) {
        endpoint.host = authority.substr(0, colon);
        endpoint.port = authority.substr(colon + 1);
    }
    return endpoint;
}

class Socket {
  public:
    // Connected to `endpoint`, or not valid().
    Socket(const Endpoint& endpoint, std::chrono::seconds timeout) {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        if (getaddrinfo(endpoint.host.c_str(), endpoint.port.c_str(), &hints, &found) != 0) return;
        for (const addrinfo* address = found; address && m_fd < 0; address = address->ai_next) {
            m_fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC,
                          address->ai_protocol);
            if (m_fd < 0) continue;
            set_timeout(timeout);
            if (connect(m_fd, address->ai_addr, address->ai_addrlen) != 0) {
                close(m_fd);
                m_fd = -1;
            }
        }
        freeaddrinfo(found);
    }
    ~Socket() {
        if (m_fd >= 0) close(m_fd);
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    bool valid() const { return m_fd >= 0; }
    int fd() const { return m_fd; }
    // Connecting, reading and writing give up after `timeout`.
    void set_timeout(std::chrono::seconds timeout) const {
        const timeval limit{static_cast<time_t>(timeout.count()), 0};
        setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof(limit));
        setsockopt(m_fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit));
    }

  private:
    int m_fd = -1;
};

// The reasons in OpenSSL's error queue of this thread ("tlsv13 alert certificate required"),
// which it empties.
std::string openssl_errors() {
    std::string text;
    while (const unsigned long code = ERR_get_error()) {
        char buffer[256];
        ERR_error_string_n(code, buffer, sizeof(buffer));
        // "error:0A00045C:SSL routines::tlsv13 alert certificate required"
        const std::string_view entry(buffer);
        text += (text.empty() ? "" : "; ") + std::string(entry.substr(entry.rfind(':') + 1));
    }
    return text;
}

std::string describe_verify_result(long result, const std::string& host) {
    const std::string detail = X509_verify_cert_error_string(result);
    switch (result) {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return "the broker's certificate has expired";
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "the broker's certificate is not valid yet";
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return fmt::format("the broker's certificate is not for host '{}' ({})", host, detail);
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return fmt::format("the broker's certificate is not signed by a trusted CA ({})",
                               detail);
        default:
            return fmt::format("the broker's certificate is not accepted ({})", detail);
    }
}

}  // namespace

bool broker_accepts_connections(const std::string& broker, std::chrono::seconds timeout) {
    return Socket(endpoint_of(broker), timeout).valid();
}

std::string tls_failure_reason(const std::string& broker, const MqttTls& tls,
                               std::chrono::seconds timeout) {
    const Endpoint endpoint = endpoint_of(broker);
    const Socket socket(endpoint, timeout);
    if (!socket.valid()) return {};
    ERR_clear_error();
    const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(
        SSL_CTX_new(TLS_client_method()), SSL_CTX_free);
    if (!context) return "OpenSSL cannot start: " + openssl_errors();
    const bool trusted =
        tls.ca_file.empty()
            ? SSL_CTX_set_default_verify_paths(context.get()) == 1
            : SSL_CTX_load_verify_locations(context.get(), tls.ca_file.c_str(), nullptr) == 1;
    if (!trusted) return "the CA certificates cannot be loaded: " + openssl_errors();
    if (!tls.cert_file.empty()) {
        const std::filesystem::path& key = tls.key_file.empty() ? tls.cert_file : tls.key_file;
        if (SSL_CTX_use_certificate_chain_file(context.get(), tls.cert_file.c_str()) != 1 ||
            SSL_CTX_use_PrivateKey_file(context.get(), key.c_str(), SSL_FILETYPE_PEM) != 1)
            return "the client certificate or key cannot be loaded: " + openssl_errors();
    }
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    const std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(context.get()), SSL_free);
    if (!ssl) return "OpenSSL cannot start: " + openssl_errors();
    in6_addr address{};
    const bool is_ip = inet_pton(AF_INET, endpoint.host.c_str(), &address) == 1 ||
                       inet_pton(AF_INET6, endpoint.host.c_str(), &address) == 1;
    if (!is_ip) SSL_set_tlsext_host_name(ssl.get(), endpoint.host.c_str());
    if (tls.verify_hostname) {
        if (is_ip)
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), endpoint.host.c_str());
        else
            SSL_set1_host(ssl.get(), endpoint.host.c_str());
    }
    SSL_set_fd(ssl.get(), socket.fd());
    const int connected = SSL_connect(ssl.get());
    if (const long result = SSL_get_verify_result(ssl.get()); result != X509_V_OK) {
        ERR_clear_error();
        return describe_verify_result(result, endpoint.host);
    }
    if (connected != 1) {
        const std::string errors = openssl_errors();
        return errors.empty() ? std::string{} : "TLS handshake failed: " + errors;
    }
    // With TLS 1.3 a broker refuses the client's certificate after the handshake: the alert
    // arrives with the first read. A broker that accepted the connection waits for CONNECT.
    socket.set_timeout(std::chrono::seconds(1));
    char byte = 0;
    if (SSL_read(ssl.get(), &byte, 1) <= 0) {
        const std::string errors = openssl_errors();
        if (!errors.empty()) return "the broker refused the TLS connection: " + errors;
    }
    return {};
}

}  // namespace es::pipeline
