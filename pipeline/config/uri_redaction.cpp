#include "pipeline/config/uri_redaction.h"

#include <algorithm>

namespace es::pipeline {

std::string redact_uri(std::string_view text) {
    std::string redacted;
    size_t copied = 0;
    for (size_t separator = text.find("://"); separator != std::string_view::npos;
         separator = text.find("://", separator + 3)) {
        const size_t authority = separator + 3;
        // Where the URI ends in a message. The user information ends at the URI's last '@',
        // not at its first '/': a password may hold '/', '?' or '#' that were not escaped.
        const size_t end = std::min(text.find_first_of("\"'` \t\r\n<>", authority), text.size());
        const size_t at = text.substr(0, end).rfind('@');
        if (at == std::string_view::npos || at < authority) continue;
        redacted.append(text.substr(copied, authority - copied));
        redacted += "***";
        copied = at;
        separator = at;
    }
    redacted.append(text.substr(copied));
    return redacted;
}

}  // namespace es::pipeline
