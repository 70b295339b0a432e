#include "pipeline/publish/saved_sequence.h"

#include "inference/core/error.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace es::pipeline {
namespace {

// The file's key of each SeqStream.
constexpr std::array<const char*, 2> k_stream_keys = {"next", "next_events"};

using Numbers = std::array<std::map<std::string, uint64_t>, 2>;

struct SavedState {
    Numbers next;
    uint64_t first = 0;
    std::string text;  // as read
};

std::filesystem::path with_suffix(const std::filesystem::path& path, const char* suffix) {
    std::filesystem::path result = path;
    result += suffix;
    return result;
}

// nullopt when `path` is not a seq state file (empty, cut short, not this JSON).
std::optional<SavedState> read_state(const std::filesystem::path& path) {
    std::ifstream file(path);
    std::stringstream text;
    text << file.rdbuf();
    const auto json = nlohmann::json::parse(text.str(), nullptr, false);
    if (!file || !json.is_object() || !json.contains("next") || !json["next"].is_object())
        return std::nullopt;
    SavedState state;
    state.text = text.str();
    for (size_t stream = 0; stream < k_stream_keys.size(); ++stream) {
        // Files written before events were numbered have no "next_events".
        const char* key = k_stream_keys[stream];
        if (!json.contains(key)) continue;
        if (!json[key].is_object()) return std::nullopt;
        for (const auto& [source, next] : json[key].items()) {
            if (!next.is_number_unsigned()) return std::nullopt;
            state.next[stream][source] = next.get<uint64_t>();
        }
    }
    if (json.contains("first")) {
        if (!json["first"].is_number_unsigned()) return std::nullopt;
        state.first = json["first"].get<uint64_t>();
    }
    return state;
}

std::string errno_text(const char* what, const std::filesystem::path& path) {
    return fmt::format("{} {}: {}", what, path.string(), std::strerror(errno));
}

// Writes `text` to a new file at `path` (never through a link planted there) and syncs it.
std::string write_synced(const std::filesystem::path& path, const std::string& text) {
    constexpr int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    int fd = open(path.c_str(), flags, 0600);
    if (fd < 0 && errno == EEXIST && unlink(path.c_str()) == 0)  // left by a crash
        fd = open(path.c_str(), flags, 0600);
    if (fd < 0) return errno_text("create", path);
    const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool synced = written && fsync(fd) == 0;
    const std::string problem = synced ? "" : errno_text(written ? "sync" : "write", path);
    close(fd);
    return problem;
}

std::string sync_folder(const std::filesystem::path& folder) {
    const int fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno_text("open", folder);
    const std::string problem = fsync(fd) == 0 ? "" : errno_text("sync", folder);
    close(fd);
    return problem;
}

}  // namespace

SavedSequenceNumbers::SavedSequenceNumbers(std::filesystem::path path, uint64_t block)
    : m_path(std::move(path)), m_block(block) {
    load();
    for (size_t stream = 0; stream < m_next.size(); ++stream)
        for (const auto& [source, next] : m_next[stream])
            m_reserved[stream][source] = next + m_block;
    const bool had_state = !m_saved.empty();
    std::string problem = save(m_reserved);
    // Without a state read, a second save leaves `.prev` one save behind the file.
    if (problem.empty() && !had_state) problem = save(m_reserved);
    if (!problem.empty())
        throw_runtime("seq state {} cannot be written in folder {}: {}", m_path.string(),
                      m_path.parent_path().string(), problem);
}

SavedSequenceNumbers::~SavedSequenceNumbers() {
    std::lock_guard lock(m_mutex);
    if (const std::string problem = save(m_next); !problem.empty())
        spdlog::error(
            "seq state {} cannot be saved at close ({}); the next start continues "
            "above the reserved numbers",
            m_path.string(), problem);
}

void SavedSequenceNumbers::load() {
    if (!std::filesystem::exists(m_path)) return;
    if (auto state = read_state(m_path)) {
        m_next = std::move(state->next);
        m_first = state->first;
        m_saved = state->text;
        return;
    }
    const std::filesystem::path corrupt = with_suffix(m_path, ".corrupt");
    const std::filesystem::path previous = with_suffix(m_path, ".prev");
    std::error_code error;
    std::filesystem::rename(m_path, corrupt, error);
    if (error)
        throw_runtime("seq state {} is unreadable and cannot be moved aside to {}: {}",
                      m_path.string(), corrupt.string(), error.message());
    const auto state = read_state(previous);
    if (!state) {
        spdlog::warn(
            "seq state {} is unreadable (moved aside to {}) and {} is missing or unreadable: "
            "seq numbering starts from 0 again",
            m_path.string(), corrupt.string(), previous.string());
        return;
    }
    // The lost file reserved at most one block more than the one it replaced.
    for (size_t stream = 0; stream < state->next.size(); ++stream)
        for (const auto& [source, next] : state->next[stream])
            m_next[stream][source] = next + m_block;
    m_first = state->first + m_block;
    spdlog::warn(
        "seq state {} is unreadable (moved aside to {}): seq numbering continues one "
        "block of {} above {}",
        m_path.string(), corrupt.string(), m_block, previous.string());
}

uint64_t SavedSequenceNumbers::next(const std::string& source, SeqStream stream) {
    const auto index = static_cast<size_t>(stream);
    std::lock_guard lock(m_mutex);
    uint64_t& next = m_next[index].try_emplace(source, m_first).first->second;
    uint64_t& reserved = m_reserved[index][source];
    if (next < reserved) return next++;
    reserved = next + m_block;
    const std::string problem = save(m_reserved);
    if (problem.empty()) {
        if (m_failing) spdlog::info("seq state {}: saved again", m_path.string());
        m_failing = false;
        return next++;
    }
    ++m_failed_saves;
    if (!m_failing)
        spdlog::error(
            "seq state {} cannot be saved ({}); numbering goes on, but a restart may "
            "reuse numbers",
            m_path.string(), problem);
    m_failing = true;
    return next++;
}

uint64_t SavedSequenceNumbers::failed_saves() const {
    std::lock_guard lock(m_mutex);
    return m_failed_saves;
}

std::string SavedSequenceNumbers::save(const Numbers& next) {
    nlohmann::json json{{k_stream_keys[0], next[0]}};
    for (size_t stream = 1; stream < next.size(); ++stream)
        if (!next[stream].empty()) json[k_stream_keys[stream]] = next[stream];
    if (m_first > 0) json["first"] = m_first;
    std::string text = json.dump() + "\n";
    // The file being replaced stays as `.prev`.
    if (!m_saved.empty()) {
        const std::filesystem::path previous = with_suffix(m_path, ".prev");
        const std::filesystem::path previous_temporary = with_suffix(m_path, ".prev.tmp");
        if (std::string problem = write_synced(previous_temporary, m_saved); !problem.empty())
            return problem;
        if (rename(previous_temporary.c_str(), previous.c_str()) != 0)
            return errno_text("rename to", previous);
    }
    const std::filesystem::path temporary = with_suffix(m_path, ".tmp");
    if (std::string problem = write_synced(temporary, text); !problem.empty()) return problem;
    if (rename(temporary.c_str(), m_path.c_str()) != 0) return errno_text("rename to", m_path);
    if (std::string problem =
            sync_folder(m_path.parent_path().empty() ? "." : m_path.parent_path());
        !problem.empty())
        return problem;
    m_saved = std::move(text);
    return {};
}

}  // namespace es::pipeline
