#pragma once

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

}  // namespace es::testing
