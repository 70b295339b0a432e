#include "pipeline/flow/snapshot_writer.h"

#include "inference/core/error.h"

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace es::pipeline {

void write_snapshot(const SnapshotOptions& options, const FrameResult& result, cv::Mat& image) {
    const cv::Scalar colour(0, 255, 0);
    const int thickness = std::max(1, image.cols / 400);
    for (const auto& object : result.objects) {
        const cv::Rect box(object.x, object.y, object.w, object.h);
        cv::rectangle(image, box, colour, thickness);
        const std::string text = fmt::format("{} {:.2f}", object.label, object.confidence);
        int baseline = 0;
        const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, 0.5, 1, &baseline);
        const cv::Point origin(box.x, std::max(size.height + 2, box.y - 2));
        cv::rectangle(image, origin + cv::Point(0, baseline),
                      origin + cv::Point(size.width, -size.height - 2), colour, cv::FILLED);
        cv::putText(image, text, origin, cv::FONT_HERSHEY_SIMPLEX, 0.5, cv::Scalar(0, 0, 0), 1);
    }
    const auto path =
        options.dir / fmt::format("{}-{}-{:06d}.jpg", result.pipeline, result.source, result.frame);
    if (!cv::imwrite(path.string(), image))
        throw_runtime("cannot write snapshot {}", path.string());
}

}  // namespace es::pipeline
