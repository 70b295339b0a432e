#pragma once

#include "pipeline/config/source_uri.h"

#include <filesystem>
#include <string>

namespace es::testing {

// Encodes `frames` frames of GStreamer's moving-ball test pattern at 30 fps into `path`;
// `encode` is the encoder and muxer part of a gst-launch line ("x264enc ! mp4mux").
void make_clip(const std::filesystem::path& path, int frames, int width, int height,
               const std::string& encode);

// Writes the first `bytes` bytes of `src` to `dst`.
void write_truncated(const std::filesystem::path& src, const std::filesystem::path& dst,
                     size_t bytes);

// `bytes` pseudo-random bytes.
void write_garbage(const std::filesystem::path& path, size_t bytes);

std::string file_uri(const std::filesystem::path& path);

// `text` as parse_source_uri() reads it, relative paths from the working folder; throws
// std::invalid_argument with its problem.
pipeline::SourceUri source_uri(const std::string& text);

}  // namespace es::testing
