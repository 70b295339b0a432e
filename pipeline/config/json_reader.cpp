#include "pipeline/config/json_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

namespace es::pipeline {
namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// Optimal string alignment distance (Levenshtein plus transpositions), ignoring case.
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
    for (size_t i = 0; i <= a.size(); ++i)
        d[i][0] = i;
    for (size_t j = 0; j <= b.size(); ++j)
        d[0][j] = j;
    for (size_t i = 1; i <= a.size(); ++i)
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]))
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

std::string format_bound(double value) {
    return fmt::format("{}", value);
}

std::string number_range(double min, double max, bool integer) {
    const char* what = integer ? "an integer" : "a number";
    const double unbounded = integer ? static_cast<double>(std::numeric_limits<int64_t>::max())
                                     : std::numeric_limits<double>::max();
    if (max >= unbounded) return fmt::format("{} >= {}", what, format_bound(min));
    return fmt::format("{} from {} to {}", what, format_bound(min), format_bound(max));
}

}  // namespace

std::string describe(const nlohmann::json& value) {
    switch (value.type()) {
        case nlohmann::json::value_t::null:
            return "null";
        case nlohmann::json::value_t::object:
            return "an object";
        case nlohmann::json::value_t::array:
            return "an array";
        case nlohmann::json::value_t::string: {
            std::string text = value.get<std::string>();
            if (text.size() > 60) text = text.substr(0, 57) + "...";
            return fmt::format("string '{}'", text);
        }
        case nlohmann::json::value_t::boolean:
            return value.get<bool>() ? "true" : "false";
        default:
            return "number " + value.dump();
    }
}

std::string join_choices(const std::vector<std::string_view>& choices) {
    std::string text;
    for (size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) text += i + 1 == choices.size() ? " or " : ", ";
        text += choices[i];
    }
    return text;
}

std::optional<std::string_view> nearest(std::string_view word,
                                        const std::vector<std::string_view>& candidates) {
    const size_t allowed = word.size() <= 3 ? 1 : word.size() <= 5 ? 2 : 3;
    std::optional<std::string_view> best;
    size_t best_distance = allowed + 1;
    for (std::string_view candidate : candidates) {
        const size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best;
}

std::string element_path(const std::string& array_path, size_t index) {
    return fmt::format("{}[{}]", array_path, index);
}

ObjectReader::ObjectReader(const nlohmann::json& object, std::string path,
                           std::vector<std::string_view> known_keys,
                           std::vector<ConfigProblem>& problems)
    : m_object(object), m_path(std::move(path)), m_problems(problems) {
    if (!m_object.is_object()) {
        m_problems.push_back({m_path, "expected an object, found " + describe(m_object)});
        return;
    }
    for (const auto& [key, value] : m_object.items()) {
        if (std::find(known_keys.begin(), known_keys.end(), key) != known_keys.end()) continue;
        if (known_keys.empty())
            problem(key, "unknown key; this object takes no keys");
        else if (const auto near = nearest(key, known_keys))
            problem(key, fmt::format("unknown key; did you mean '{}'?", *near));
        else
            problem(key, "unknown key; expected " + join_choices(known_keys));
    }
}

bool ObjectReader::has(std::string_view key) const {
    return m_object.is_object() && m_object.contains(key);
}

std::string ObjectReader::path(std::string_view key) const {
    if (key.empty()) return m_path;
    if (m_path.empty()) return std::string(key);
    return fmt::format("{}.{}", m_path, key);
}

void ObjectReader::problem(std::string_view key, std::string message) const {
    m_problems.push_back({path(key), std::move(message)});
}

void ObjectReader::wrong(std::string_view key, const std::string& expected,
                         const nlohmann::json& found) const {
    problem(key, fmt::format("expected {}, found {}", expected, describe(found)));
}

const nlohmann::json* ObjectReader::find(std::string_view key, bool required,
                                         const std::string& expected) const {
    if (!m_object.is_object()) return nullptr;
    const auto it = m_object.find(key);
    if (it == m_object.end()) {
        if (required) problem(key, "missing; expected " + expected);
        return nullptr;
    }
    return &*it;
}

const nlohmann::json* ObjectReader::value(std::string_view key, bool required) const {
    return find(key, required, "a value");
}

std::optional<std::string> ObjectReader::string(std::string_view key, bool required) const {
    const auto* value = find(key, required, "a string");
    if (!value) return std::nullopt;
    if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
        wrong(key, "a non-empty string", *value);
        return std::nullopt;
    }
    return value->get<std::string>();
}

std::optional<bool> ObjectReader::boolean(std::string_view key) const {
    const auto* value = find(key, false, "true or false");
    if (!value) return std::nullopt;
    if (!value->is_boolean()) {
        wrong(key, "true or false", *value);
        return std::nullopt;
    }
    return value->get<bool>();
}

std::optional<double> ObjectReader::number(std::string_view key, double min, double max,
                                           bool required) const {
    const std::string expected = number_range(min, max, false);
    const auto* value = find(key, required, expected);
    if (!value) return std::nullopt;
    if (!value->is_number() || value->get<double>() < min || value->get<double>() > max ||
        !std::isfinite(value->get<double>())) {
        wrong(key, expected, *value);
        return std::nullopt;
    }
    return value->get<double>();
}

std::optional<int64_t> ObjectReader::integer(std::string_view key, int64_t min, int64_t max,
                                             bool required) const {
    const std::string expected =
        number_range(static_cast<double>(min), static_cast<double>(max), true);
    const auto* value = find(key, required, expected);
    if (!value) return std::nullopt;
    const bool integral =
        value->is_number_integer() ||
        (value->is_number_float() && std::trunc(value->get<double>()) == value->get<double>() &&
         std::abs(value->get<double>()) < 9e15);
    if (!integral) {
        wrong(key, expected, *value);
        return std::nullopt;
    }
    const int64_t number = value->is_number_unsigned()
                               ? static_cast<int64_t>(std::min<uint64_t>(
                                     value->get<uint64_t>(), std::numeric_limits<int64_t>::max()))
                           : value->is_number_integer()
                               ? value->get<int64_t>()
                               : static_cast<int64_t>(value->get<double>());
    if (number < min || number > max) {
        wrong(key, expected, *value);
        return std::nullopt;
    }
    return number;
}

const nlohmann::json* ObjectReader::array(std::string_view key, bool required) const {
    const auto* value = find(key, required, "an array");
    if (!value) return nullptr;
    if (!value->is_array()) {
        wrong(key, "an array", *value);
        return nullptr;
    }
    return value;
}

const nlohmann::json* ObjectReader::object(std::string_view key, bool required) const {
    const auto* value = find(key, required, "an object");
    if (!value) return nullptr;
    if (!value->is_object()) {
        wrong(key, "an object", *value);
        return nullptr;
    }
    return value;
}

std::optional<size_t> ObjectReader::choice_index(std::string_view key,
                                                 const std::vector<std::string_view>& names,
                                                 bool required) const {
    const std::string expected = join_choices(names);
    const auto* value = find(key, required, expected);
    if (!value) return std::nullopt;
    if (!value->is_string()) {
        wrong(key, expected, *value);
        return std::nullopt;
    }
    const auto& text = value->get_ref<const std::string&>();
    for (size_t i = 0; i < names.size(); ++i)
        if (names[i] == text) return i;
    std::string message = fmt::format("unsupported value '{}'; expected {}", text, expected);
    if (const auto near = nearest(text, names))
        message += fmt::format(" (did you mean '{}'?)", *near);
    problem(key, std::move(message));
    return std::nullopt;
}

}  // namespace es::pipeline
