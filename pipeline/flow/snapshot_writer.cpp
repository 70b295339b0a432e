#include "pipeline/flow/snapshot_writer.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

namespace es::pipeline {
namespace {

// "#17 face 0.93 male age 31": the id, the label and the classifiers' attributes.
std::string caption(const ObjectResult& object) {
    std::string text =
        object.id ? fmt::format("#{} {} {:.2f}", *object.id, object.label, object.confidence)
                  : fmt::format("{} {:.2f}", object.label, object.confidence);
    for (const ObjectAttribute& attribute : object.tensors)
        text += attribute.value ? fmt::format(" {} {:.0f}", attribute.name, *attribute.value)
                                : " " + attribute.label;
    return text;
}

void draw(const FrameResult& result, cv::Mat& image) {
    const int thickness = std::max(1, image.cols / 400);
    for (const auto& object : result.objects) {
        // Predicted boxes (a tracked object not detected in this frame) in yellow.
        const cv::Scalar colour =
            object.predicted ? cv::Scalar(0, 255, 255) : cv::Scalar(0, 255, 0);
        const cv::Rect box(object.x, object.y, object.w, object.h);
        cv::rectangle(image, box, colour, thickness);
        const std::string text = caption(object);
        int baseline = 0;
        const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.5, 1, &baseline);
        const cv::Point origin(box.x, std::max(size.height + 2, box.y - 2));
        cv::rectangle(image, origin + cv::Point(0, baseline),
                      origin + cv::Point(size.width, -size.height - 2), colour, cv::FILLED);
        cv::putText(image, text, origin, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1);
    }
}

}  // namespace

SnapshotWriter::SnapshotWriter(SnapshotOptions options, const std::string& pipeline)
    : m_options(std::move(options)), m_prefix(pipeline + "-") {
    std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> earlier;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(m_options.dir, error)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file(error) && name.starts_with(m_prefix) && name.ends_with(".jpg"))
            earlier.emplace_back(entry.last_write_time(error), entry.path());
    }
    std::sort(earlier.begin(), earlier.end());
    for (const auto& [time, path] : earlier)
        remember(path);
}

void SnapshotWriter::remember(const std::filesystem::path& path) {
    // A looping file source numbers its frames again: the same name is the newest once more.
    const auto same = std::find(m_kept.begin(), m_kept.end(), path);
    if (same != m_kept.end()) m_kept.erase(same);
    m_kept.push_back(path);
    while (m_kept.size() > static_cast<size_t>(std::max(0, m_options.keep))) {
        std::error_code ignored;
        std::filesystem::remove(m_kept.front(), ignored);
        m_kept.pop_front();
    }
}

void SnapshotWriter::write(const FrameResult& result, cv::Mat& image) {
    draw(result, image);
    const auto path =
        m_options.dir / fmt::format("{}{}-{:06d}.jpg", m_prefix, result.source, result.frame);
    bool written = false;
    try {
        written = cv::imwrite(path.string(), image);
    } catch (const cv::Exception&) {
    }
    if (!written) {
        if (!m_failing)
            spdlog::warn(
                "pipeline {}: cannot write snapshot {}; skipping snapshots until one "
                "can be written",
                result.pipeline, path.string());
        m_failing = true;
        return;
    }
    if (m_failing) spdlog::info("pipeline {}: writing snapshots again", result.pipeline);
    m_failing = false;
    remember(path);
}

}  // namespace es::pipeline
