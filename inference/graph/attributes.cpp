#include "inference/graph/attributes.h"

#include "inference/core/error.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>

namespace es::graph {
namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

std::optional<int64_t> parse_int(std::string_view text) {
    text = trim(text);
    int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

std::optional<double> parse_float(std::string_view text) {
    const std::string copy(trim(text));
    if (copy.empty()) return std::nullopt;
    char* end = nullptr;
    errno = 0;
    const double value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) return std::nullopt;
    return value;
}

template <typename T, typename Parse>
std::vector<T> parse_list(const std::string& key, const std::string& text, Parse parse) {
    std::vector<T> values;
    if (trim(text).empty()) return values;
    size_t start = 0;
    while (true) {
        const size_t comma = text.find(',', start);
        const auto item = std::string_view(text).substr(start, comma - start);
        const auto value = parse(item);
        if (!value)
            throw_bad_input("attribute '{}': cannot parse '{}' as a list of numbers", key, text);
        values.push_back(static_cast<T>(*value));
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return values;
}

}  // namespace

const std::string* Attributes::find(const std::string& key) const {
    for (const auto& [name, value] : m_entries)
        if (name == key) return &value;
    return nullptr;
}

void Attributes::set(const std::string& key, std::string value) {
    for (auto& [name, existing] : m_entries) {
        if (name == key) {
            existing = std::move(value);
            return;
        }
    }
    m_entries.emplace_back(key, std::move(value));
}

void Attributes::erase(const std::string& key) {
    std::erase_if(m_entries, [&](const Entry& entry) { return entry.first == key; });
}

const std::string& Attributes::require(const std::string& key) const {
    const std::string* value = find(key);
    if (!value) throw_bad_input("missing attribute '{}'", key);
    return *value;
}

std::string Attributes::get_string(const std::string& key) const {
    return require(key);
}

std::string Attributes::get_string(const std::string& key, const std::string& fallback) const {
    const std::string* value = find(key);
    return value ? *value : fallback;
}

int64_t Attributes::get_int(const std::string& key) const {
    const std::string& text = require(key);
    const auto value = parse_int(text);
    if (!value) throw_bad_input("attribute '{}': '{}' is not an integer", key, text);
    return *value;
}

int64_t Attributes::get_int(const std::string& key, int64_t fallback) const {
    return has(key) ? get_int(key) : fallback;
}

double Attributes::get_float(const std::string& key) const {
    const std::string& text = require(key);
    const auto value = parse_float(text);
    if (!value) throw_bad_input("attribute '{}': '{}' is not a number", key, text);
    return *value;
}

double Attributes::get_float(const std::string& key, double fallback) const {
    return has(key) ? get_float(key) : fallback;
}

bool Attributes::get_bool(const std::string& key) const {
    std::string text(trim(require(key)));
    std::transform(text.begin(), text.end(), text.begin(), ::tolower);
    if (text == "true" || text == "1") return true;
    if (text == "false" || text == "0") return false;
    throw_bad_input("attribute '{}': '{}' is not a boolean", key, text);
}

bool Attributes::get_bool(const std::string& key, bool fallback) const {
    return has(key) ? get_bool(key) : fallback;
}

std::vector<int64_t> Attributes::get_ints(const std::string& key) const {
    return parse_list<int64_t>(key, require(key), parse_int);
}

std::vector<int64_t> Attributes::get_ints(const std::string& key,
                                          std::vector<int64_t> fallback) const {
    return has(key) ? get_ints(key) : fallback;
}

std::vector<double> Attributes::get_floats(const std::string& key) const {
    return parse_list<double>(key, require(key), parse_float);
}

std::vector<double> Attributes::get_floats(const std::string& key,
                                           std::vector<double> fallback) const {
    return has(key) ? get_floats(key) : fallback;
}

ElementType Attributes::get_element_type(const std::string& key) const {
    const std::string& text = require(key);
    const auto type = element_type_from_string(trim(text));
    if (!type) throw_bad_input("attribute '{}': unknown element type '{}'", key, text);
    return *type;
}

}  // namespace es::graph
