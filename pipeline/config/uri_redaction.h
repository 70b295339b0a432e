#pragma once

#include <string>
#include <string_view>

namespace es::pipeline {

// `text` with the user information of every URI in it (`rtsp://user:pass@host/path`) replaced by
// "***" (`rtsp://***@host/path`): what logs and error messages print instead of a source URI,
// which may carry a camera's password. Text without such a URI is returned as it is.
std::string redact_uri(std::string_view text);

}  // namespace es::pipeline
