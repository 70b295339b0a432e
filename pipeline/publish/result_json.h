#pragma once

#include "pipeline/publish/frame_result.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace es::pipeline {

// The published message: one line of JSON (no newline) in DL Streamer's gvametaconvert form,
// plus `seq`.
std::string result_json(const FrameResult& result, uint64_t seq);
// A track event's message, its object in the form of result_json()'s objects; `zone` only for
// "enter" and "leave".
std::string event_json(const EventResult& event, uint64_t seq);

// `seq` of the messages: 0, 1, 2 ... per source, so subscribers see gaps and duplicates.
class SequenceNumbers {
  public:
    uint64_t next(const std::string& source);

  private:
    std::mutex m_mutex;
    std::map<std::string, uint64_t> m_next;
};

}  // namespace es::pipeline
