#include "pipeline/publish/saved_sequence.h"

#include "inference/core/error.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace es::pipeline {

SavedSequenceNumbers::SavedSequenceNumbers(std::filesystem::path path) : m_path(std::move(path)) {
    std::error_code error;
    if (std::filesystem::exists(m_path, error)) {
        std::ifstream file(m_path);
        std::stringstream text;
        text << file.rdbuf();
        const auto json = nlohmann::json::parse(text.str(), nullptr, false);
        if (!file || !json.is_object() || !json.contains("next") || !json["next"].is_object())
            throw_bad_input(
                "seq state {}: expected {{\"next\": {{SOURCE: NUMBER, ...}}}}; remove the file "
                "to number messages from 0 again",
                m_path.string());
        for (const auto& [source, next] : json["next"].items()) {
            if (!next.is_number_unsigned())
                throw_bad_input("seq state {}: next.{} is not a whole number", m_path.string(),
                                source);
            m_next[source] = next.get<uint64_t>();
        }
    }
    if (const std::string problem = save(); !problem.empty())
        throw_runtime("seq state {} cannot be written in folder {}: {}", m_path.string(),
                      m_path.parent_path().string(), problem);
}

uint64_t SavedSequenceNumbers::next(const std::string& source) {
    std::lock_guard lock(m_mutex);
    const uint64_t seq = m_next[source]++;
    const std::string problem = save();
    if (problem.empty()) {
        if (m_failing) spdlog::info("seq state {}: saved again", m_path.string());
        m_failing = false;
        return seq;
    }
    ++m_failed_saves;
    if (!m_failing)
        spdlog::error(
            "seq state {} cannot be saved ({}); numbering goes on, but a restart may "
            "reuse numbers",
            m_path.string(), problem);
    m_failing = true;
    return seq;
}

uint64_t SavedSequenceNumbers::failed_saves() const {
    std::lock_guard lock(m_mutex);
    return m_failed_saves;
}

std::string SavedSequenceNumbers::save() const {
    const std::string text = nlohmann::json{{"next", m_next}}.dump() + "\n";
    std::filesystem::path temporary = m_path;
    temporary += ".tmp";
    {
        std::ofstream file(temporary, std::ios::trunc);
        if (!file) return std::strerror(errno);
        file << text;
        file.close();
        if (!file) return std::strerror(errno ? errno : EIO);
    }
    std::error_code error;
    std::filesystem::rename(temporary, m_path, error);
    return error ? error.message() : std::string();
}

}  // namespace es::pipeline
