#pragma once

#include <chrono>
#include <string>

namespace es::pipeline {

struct MqttTls;

// Whether `broker` ("SCHEME://HOST[:PORT]") accepts a TCP connection within `timeout`.
bool broker_accepts_connections(const std::string& broker, std::chrono::seconds timeout);

// Why a TLS connection to `broker` ("ssl://HOST[:PORT]", "mqtts://", "wss://") fails with the
// settings of `tls`, found by a TLS handshake of its own with OpenSSL and the same checks Paho
// makes: "the broker's certificate has expired", "the broker's certificate is not for host
// 'HOST'", "the broker's certificate is not signed by a trusted CA (unable to get local issuer
// certificate)", or OpenSSL's error (a refused client certificate, ...). Empty when the
// handshake succeeds or the broker cannot be reached at all. Waits at most `timeout` per step.
std::string tls_failure_reason(const std::string& broker, const MqttTls& tls,
                               std::chrono::seconds timeout);

}  // namespace es::pipeline
