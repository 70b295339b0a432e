#include "tests/integration/pipeline_io/test_media.h"

#include "pipeline/source/gst_pipeline.h"

#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <vector>

namespace es::testing {

void make_clip(const std::filesystem::path& path, int frames, int width, int height,
               const std::string& encode) {
    pipeline::ensure_gstreamer();
    const std::string launch = "videotestsrc num-buffers=" + std::to_string(frames) +
                               " pattern=ball ! video/x-raw,width=" + std::to_string(width) +
                               ",height=" + std::to_string(height) + ",framerate=30/1 ! " + encode +
                               " ! filesink location=\"" + path.string() + "\"";
    GError* error = nullptr;
    GstElement* pipeline = gst_parse_launch(launch.c_str(), &error);
    if (!pipeline || error) {
        const std::string message = error ? error->message : "unknown";
        g_clear_error(&error);
        if (pipeline) gst_object_unref(pipeline);
        throw std::runtime_error("cannot build '" + launch + "': " + message);
    }
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstBus* bus = gst_element_get_bus(pipeline);
    GstMessage* message = gst_bus_timed_pop_filtered(
        bus, 30 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    const bool ok = message && GST_MESSAGE_TYPE(message) == GST_MESSAGE_EOS;
    if (message) gst_message_unref(message);
    gst_object_unref(bus);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(pipeline);
    if (!ok) throw std::runtime_error("encoding failed: " + launch);
}

void write_truncated(const std::filesystem::path& src, const std::filesystem::path& dst,
                     size_t bytes) {
    std::ifstream in(src, std::ios::binary);
    std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    data.resize(std::min(bytes, data.size()));
    std::ofstream(dst, std::ios::binary)
        .write(data.data(), static_cast<std::streamsize>(data.size()));
}

void write_garbage(const std::filesystem::path& path, size_t bytes) {
    std::mt19937 random(7);
    std::vector<char> data(bytes);
    for (char& byte : data)
        byte = static_cast<char>(random());
    std::ofstream(path, std::ios::binary).write(data.data(), static_cast<std::streamsize>(bytes));
}

std::string file_uri(const std::filesystem::path& path) {
    return "file://" + std::filesystem::absolute(path).string();
}

pipeline::SourceUri source_uri(const std::string& text) {
    pipeline::ParsedSourceUri parsed =
        pipeline::parse_source_uri(text, std::filesystem::current_path());
    if (!parsed.problem.empty()) throw std::invalid_argument(text + ": " + parsed.problem);
    return std::move(parsed.uri);
}

}  // namespace es::testing
