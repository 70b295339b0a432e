#include "pipeline/calibration/calibration_frames.h"

#include "inference/core/error.h"
#include "pipeline/preprocess/preprocessor.h"
#include "pipeline/source/source.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <filesystem>
#include <set>

namespace es::pipeline {
namespace {

constexpr size_t k_live_stride = 5;
constexpr std::chrono::milliseconds k_pull_timeout{200};
constexpr std::chrono::seconds k_live_patience{20};

// Indices of `count` of `total` items spread evenly, the first included.
std::set<size_t> evenly(size_t total, size_t count) {
    std::set<size_t> picked;
    for (size_t i = 0; i < count; ++i)
        picked.insert(i * total / count);
    return picked;
}

void check_enough(const std::string& source, size_t found, size_t count, const char* what) {
    if (found == 0) throw_bad_input("calibration source {}: no {} found", source, what);
    if (found < count)
        throw_bad_input(
            "calibration source {}: {} {}, fewer than the {} asked for (lower "
            "--subset)",
            source, found, what, count);
}

std::vector<cv::Mat> folder_frames(const std::filesystem::path& folder, size_t count) {
    static const std::set<std::string> extensions{".jpg", ".jpeg", ".png", ".bmp"};
    std::vector<std::filesystem::path> images;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        std::string extension = entry.path().extension().string();
        std::transform(extension.begin(), extension.end(), extension.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (entry.is_regular_file() && extensions.contains(extension))
            images.push_back(entry.path());
    }
    std::sort(images.begin(), images.end());
    check_enough(folder.string(), images.size(), count, "images");
    std::vector<cv::Mat> frames;
    for (const size_t index : evenly(images.size(), count)) {
        cv::Mat image = cv::imread(images[index].string(), cv::IMREAD_COLOR);
        if (image.empty())
            throw_bad_input("calibration image {}: cannot be decoded", images[index].string());
        frames.push_back(std::move(image));
    }
    return frames;
}

SourceSpec spec_of(const std::string& source) {
    const ParsedSourceUri parsed = parse_source_uri(source, std::filesystem::current_path());
    if (!parsed.problem.empty())
        throw_bad_input("calibration source {}: {}", source, parsed.problem);
    if (parsed.uri.kind == SourceKind::file && !std::filesystem::exists(parsed.uri.location))
        throw_bad_input("calibration source {}: no such file or folder", source);
    SourceSpec spec;
    spec.id = "calibration";
    spec.uri = parsed.uri;
    return spec;
}

// Pulls frames until the source ends, handing each with its index to `take`, which returns
// false to stop early.
void read_frames(const SourceSpec& spec, const std::function<bool(size_t, Frame&)>& take) {
    Source reader(spec, RetryPolicy{.stall_timeout = k_live_patience});
    reader.start();
    size_t index = 0;
    auto last_frame = std::chrono::steady_clock::now();
    for (;;) {
        auto frame = reader.pull(k_pull_timeout);
        if (frame) {
            last_frame = std::chrono::steady_clock::now();
            if (!take(index++, *frame)) return;
            continue;
        }
        const SourceStatus status = reader.status();
        if (status.state == SourceState::Ended) return;
        if (status.state == SourceState::Failed ||
            std::chrono::steady_clock::now() - last_frame > k_live_patience)
            throw_bad_input("calibration source {}: {}", spec.uri.text,
                            status.message.empty() ? "no frames" : status.message);
    }
}

}  // namespace

std::vector<cv::Mat> sample_frames(const std::string& source, size_t count) {
    if (count == 0) throw_bad_input("--subset 0: expected at least one frame");
    if (std::filesystem::is_directory(source)) return folder_frames(source, count);
    const SourceSpec spec = spec_of(source);
    std::vector<cv::Mat> frames;
    if (is_live(spec.uri.kind)) {
        read_frames(spec, [&](size_t index, Frame& frame) {
            if (index % k_live_stride == 0) frames.push_back(frame.bgr.clone());
            return frames.size() < count;
        });
        check_enough(source, frames.size(), count, "frames");
        return frames;
    }
    size_t total = 0;
    read_frames(spec, [&](size_t, Frame&) {
        ++total;
        return true;
    });
    check_enough(source, total, count, "frames");
    const std::set<size_t> picked = evenly(total, count);
    read_frames(spec, [&](size_t index, Frame& frame) {
        if (picked.contains(index)) frames.push_back(frame.bgr.clone());
        return frames.size() < count;
    });
    return frames;
}

CalibrationSamples to_samples(const std::vector<cv::Mat>& frames,
                              const PreprocessConfig& preprocess,
                              const std::vector<runtime::PortInfo>& inputs) {
    if (inputs.size() != 1)
        throw_bad_input(
            "quantize: the model has {} inputs; calibration frames fill one image "
            "input",
            inputs.size());
    const runtime::PortInfo& input = inputs[0];
    if (!input.type.shape.is_static())
        throw_bad_input("quantize: input '{}' has a dynamic shape {}: give it one with --shape",
                        input.name, to_string(input.type.shape));
    const Shape shape = input.type.shape.to_shape();
    Preprocessor preprocessor(preprocess, input.type.shape, input.type.type, input.name);
    CalibrationSamples prepared{{}, preprocessor.width(), preprocessor.height()};
    for (const cv::Mat& frame : frames) {
        Tensor tensor(input.type.type, shape);
        preprocessor.run(frame, tensor, 0);
        prepared.samples.push_back({std::move(tensor)});
    }
    return prepared;
}

}  // namespace es::pipeline
