#pragma once

#include "inference/core/element_type.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace es::graph {

// The `data` attributes of a layer, in file order, as text. Typed getters parse on demand and
// throw es::Error (BadInput) naming the attribute when the text is malformed.
class Attributes {
  public:
    using Entry = std::pair<std::string, std::string>;

    Attributes() = default;
    Attributes(std::initializer_list<Entry> entries) : m_entries(entries) {}

    bool has(const std::string& key) const { return find(key) != nullptr; }
    const std::string* find(const std::string& key) const;
    void set(const std::string& key, std::string value);
    void erase(const std::string& key);
    const std::vector<Entry>& entries() const { return m_entries; }

    std::string get_string(const std::string& key) const;
    std::string get_string(const std::string& key, const std::string& fallback) const;
    int64_t get_int(const std::string& key) const;
    int64_t get_int(const std::string& key, int64_t fallback) const;
    double get_float(const std::string& key) const;
    double get_float(const std::string& key, double fallback) const;
    bool get_bool(const std::string& key) const;
    bool get_bool(const std::string& key, bool fallback) const;
    // Comma-separated lists ("1,2,3" or "1, 2, 3"); an empty string is an empty list.
    std::vector<int64_t> get_ints(const std::string& key) const;
    std::vector<int64_t> get_ints(const std::string& key, std::vector<int64_t> fallback) const;
    std::vector<double> get_floats(const std::string& key) const;
    std::vector<double> get_floats(const std::string& key, std::vector<double> fallback) const;
    ElementType get_element_type(const std::string& key) const;

    bool operator==(const Attributes&) const = default;

  private:
    const std::string& require(const std::string& key) const;

    std::vector<Entry> m_entries;
};

}  // namespace es::graph
