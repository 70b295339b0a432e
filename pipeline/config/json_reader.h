#pragma once

#include "pipeline/config/config.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace es::pipeline {

// "string '0.5'", "number 3", "an array", "null": a JSON value as an error message shows it.
std::string describe(const nlohmann::json& value);

// "a, b or c"
std::string join_choices(const std::vector<std::string_view>& choices);

// The candidate closest to `word` (case and a couple of typos apart), if one is close.
std::optional<std::string_view> nearest(std::string_view word,
                                        const std::vector<std::string_view>& candidates);

// "pipelines" + 0 → "pipelines[0]"
std::string element_path(const std::string& array_path, size_t index);

// Reads the keys of one JSON object of the config, reporting each problem with its JSON path.
// Getters return nullopt (or nullptr) when the key is absent or its value is wrong; absent
// required keys and wrong values are reported.
class ObjectReader {
  public:
    // Reports `object` when it is not an object, and each key not in `known_keys`.
    ObjectReader(const nlohmann::json& object, std::string path,
                 std::vector<std::string_view> known_keys, std::vector<ConfigProblem>& problems);

    bool is_object() const { return m_object.is_object(); }
    bool has(std::string_view key) const;
    // The JSON path of `key` in this object; of the object itself when `key` is empty.
    std::string path(std::string_view key = {}) const;
    void problem(std::string_view key, std::string message) const;

    const nlohmann::json* value(std::string_view key, bool required = false) const;
    std::optional<std::string> string(std::string_view key, bool required = false) const;
    std::optional<bool> boolean(std::string_view key) const;
    std::optional<double> number(std::string_view key, double min, double max,
                                 bool required = false) const;
    std::optional<int64_t> integer(std::string_view key, int64_t min, int64_t max,
                                   bool required = false) const;
    const nlohmann::json* array(std::string_view key, bool required = false) const;
    const nlohmann::json* object(std::string_view key, bool required = false) const;

    // A string that must be one of `values`, spelt as to_string(value) spells it.
    template <typename Enum>
    std::optional<Enum> choice(std::string_view key, std::initializer_list<Enum> values,
                               bool required = false) const {
        std::vector<std::string_view> names;
        for (Enum value : values)
            names.push_back(to_string(value));
        const auto index = choice_index(key, names, required);
        if (!index) return std::nullopt;
        return values.begin()[*index];
    }

  private:
    std::optional<size_t> choice_index(std::string_view key,
                                       const std::vector<std::string_view>& names,
                                       bool required) const;
    // Reports a missing required key and returns nullptr; the value otherwise.
    const nlohmann::json* find(std::string_view key, bool required,
                               const std::string& expected) const;
    void wrong(std::string_view key, const std::string& expected,
               const nlohmann::json& found) const;

    const nlohmann::json& m_object;
    std::string m_path;
    std::vector<ConfigProblem>& m_problems;
};

}  // namespace es::pipeline
