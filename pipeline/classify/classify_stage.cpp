#include "pipeline/classify/classify_stage.h"

#include <algorithm>
#include <cmath>

namespace es::pipeline {
namespace {

// `box` in the pixels of a `width` × `height` image, its corners rounded as set_box() rounds
// them, clipped to the image.
cv::Rect crop_of(const Box& box, int width, int height) {
    const auto pixel = [](float fraction, int size) {
        return std::clamp(static_cast<int>(std::lround(fraction * static_cast<float>(size))), 0,
                          size);
    };
    const int x_min = pixel(box.x_min, width);
    const int y_min = pixel(box.y_min, height);
    return {x_min, y_min, std::max(0, pixel(box.x_max, width) - x_min),
            std::max(0, pixel(box.y_max, height) - y_min)};
}

}  // namespace

ClassifyStage::ClassifyStage(std::span<const Classifier> classifiers, bool events,
                             std::atomic<uint64_t>& classified)
    : m_classifiers(classifiers), m_events(events), m_classified(classified) {
    m_offsets.push_back(0);
    size_t most_attributes = 0;
    for (const Classifier& classifier : classifiers) {
        m_offsets.push_back(m_offsets.back() + classifier.attributes().size());
        most_attributes = std::max(most_attributes, classifier.attributes().size());
        const runtime::PortInfo& input = classifier.by_batch().front().inputs()[0];
        m_preprocessors.push_back(std::make_unique<Preprocessor>(
            classifier.config().preprocess, input.type.shape, input.type.type, input.name));
        auto& requests = m_requests.emplace_back();
        for (const runtime::CompiledModel& model : classifier.by_batch())
            requests.push_back(model.create_infer_request());
    }
    m_jobs.resize(classifiers.size());
    m_fresh.resize(most_attributes);
}

std::span<const TrackEvent> ClassifyStage::run(const cv::Mat& image, FrameResult& result,
                                               std::span<const int64_t> ended) {
    forget(ended);
    plan(image, result);
    for (size_t c = 0; c < m_classifiers.size(); ++c)
        classify(c, image);
    assemble(result);
    return report(result);
}

void ClassifyStage::forget(std::span<const int64_t> ended) {
    for (const int64_t id : ended) {
        TrackMemory* track = find(id);
        if (!track) continue;
        m_spare.push_back(std::move(*track));
        m_tracks.erase(m_tracks.begin() + (track - m_tracks.data()));
    }
}

ClassifyStage::TrackMemory* ClassifyStage::find(int64_t id) {
    const auto at = std::lower_bound(
        m_tracks.begin(), m_tracks.end(), id,
        [](const TrackMemory& track, int64_t wanted) { return track.id < wanted; });
    return at != m_tracks.end() && at->id == id ? &*at : nullptr;
}

ClassifyStage::TrackMemory& ClassifyStage::memory_of(int64_t id) {
    const auto at = std::lower_bound(
        m_tracks.begin(), m_tracks.end(), id,
        [](const TrackMemory& track, int64_t wanted) { return track.id < wanted; });
    if (at != m_tracks.end() && at->id == id) return *at;
    TrackMemory track;
    if (!m_spare.empty()) {
        track = std::move(m_spare.back());
        m_spare.pop_back();
    }
    track.id = id;
    track.since.assign(m_classifiers.size(), -1);
    track.attributes.resize(m_offsets.back());
    return *m_tracks.insert(at, std::move(track));
}

void ClassifyStage::plan(const cv::Mat& image, const FrameResult& result) {
    const size_t objects = result.objects.size();
    const size_t classifiers = m_classifiers.size();
    // Every track first: adding one moves the others.
    for (const ObjectResult& object : result.objects)
        if (object.id) memory_of(*object.id);
    m_object_tracks.assign(objects, nullptr);
    m_ran.assign(objects * classifiers, 0);
    m_changed.assign(objects, 0);
    if (m_untracked.size() < objects * m_offsets.back())
        m_untracked.resize(objects * m_offsets.back());
    for (auto& jobs : m_jobs)
        jobs.clear();
    for (size_t i = 0; i < objects; ++i) {
        const ObjectResult& object = result.objects[i];
        TrackMemory* track = object.id ? find(*object.id) : nullptr;
        m_object_tracks[i] = track;
        for (size_t c = 0; c < classifiers; ++c) {
            const ClassifyConfig& config = m_classifiers[c].config();
            if (track && track->since[c] >= 0) ++track->since[c];
            if (object.predicted || image.empty() || !m_classifiers[c].applies_to(object.label))
                continue;
            if (track && track->since[c] >= 0 && track->since[c] < config.reclassify_interval)
                continue;
            const cv::Rect crop = crop_of(object.bounding_box, image.cols, image.rows);
            if (crop.empty() || std::min(crop.width, crop.height) < config.min_size) continue;
            m_jobs[c].push_back({i, crop});
        }
    }
}

void ClassifyStage::classify(size_t c, const cv::Mat& image) {
    const std::vector<Job>& jobs = m_jobs[c];
    std::vector<runtime::InferRequest>& requests = m_requests[c];
    Preprocessor& preprocessor = *m_preprocessors[c];
    for (size_t done = 0; done < jobs.size();) {
        // The smallest batch that takes the crops left, else the largest.
        const size_t left = jobs.size() - done;
        size_t variant = 0;
        while (variant + 1 < requests.size() && (size_t{1} << variant) < left)
            ++variant;
        const size_t count = std::min(left, size_t{1} << variant);
        runtime::InferRequest& request = requests[variant];
        for (size_t k = 0; k < count; ++k)
            preprocessor.run(image(jobs[done + k].crop), request.input(0), k);
        request.infer();
        for (size_t k = 0; k < count; ++k)
            store(c, jobs[done + k].object, request, k);
        m_classified += count;
        done += count;
    }
}

std::span<ObjectAttribute> ClassifyStage::attributes(size_t c, size_t object) {
    const size_t first = m_offsets[c];
    const size_t count = m_offsets[c + 1] - first;
    if (TrackMemory* track = m_object_tracks[object])
        return {track->attributes.data() + first, count};
    return {m_untracked.data() + object * m_offsets.back() + first, count};
}

void ClassifyStage::store(size_t c, size_t object, const runtime::InferRequest& request,
                          size_t item) {
    const std::span<ObjectAttribute> fresh(m_fresh.data(), m_offsets[c + 1] - m_offsets[c]);
    m_classifiers[c].decode(request, item, fresh, m_scratch);
    const std::span<ObjectAttribute> kept = attributes(c, object);
    if (TrackMemory* track = m_object_tracks[object]) {
        for (size_t a = 0; a < fresh.size(); ++a)
            if (!fresh[a].value && (track->since[c] < 0 || fresh[a].label_id != kept[a].label_id))
                m_changed[object] = 1;
        track->since[c] = 0;
    }
    std::copy(fresh.begin(), fresh.end(), kept.begin());
    m_ran[object * m_classifiers.size() + c] = 1;
}

void ClassifyStage::assemble(FrameResult& result) {
    for (size_t i = 0; i < result.objects.size(); ++i) {
        const TrackMemory* track = m_object_tracks[i];
        const auto has = [&](size_t c) {
            return track ? track->since[c] >= 0 : m_ran[i * m_classifiers.size() + c] != 0;
        };
        size_t count = 0;
        for (size_t c = 0; c < m_classifiers.size(); ++c)
            count += has(c) ? m_offsets[c + 1] - m_offsets[c] : 0;
        std::vector<ObjectAttribute>& tensors = result.objects[i].tensors;
        tensors.resize(count);
        auto at = tensors.begin();
        for (size_t c = 0; c < m_classifiers.size(); ++c)
            if (has(c)) {
                const std::span<ObjectAttribute> kept = attributes(c, i);
                at = std::copy(kept.begin(), kept.end(), at);
            }
    }
}

std::span<const TrackEvent> ClassifyStage::report(const FrameResult& result) {
    m_event_count = 0;
    if (!m_events) return {};
    for (size_t i = 0; i < result.objects.size(); ++i) {
        if (!m_changed[i]) continue;
        const ObjectResult& object = result.objects[i];
        if (m_event_count == m_event_list.size()) m_event_list.emplace_back();
        TrackEvent& event = m_event_list[m_event_count++];
        event.type = TrackEventType::updated;
        event.track_id = *object.id;
        event.label_id = object.label_id;
        event.label = object.label;
        event.zone.clear();
        event.box = object.bounding_box;
        event.confidence = object.confidence;
        event.tensors = object.tensors;
    }
    return {m_event_list.data(), m_event_count};
}

}  // namespace es::pipeline
