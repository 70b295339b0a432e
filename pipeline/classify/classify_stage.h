#pragma once

#include "pipeline/classify/classifier.h"
#include "pipeline/preprocess/preprocessor.h"
#include "pipeline/publish/frame_result.h"
#include "pipeline/track/track_events.h"

#include <opencv2/core/mat.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace es::pipeline {

// The classify stage of one source: runs the classifiers on the crops of the objects of each
// frame, in frame order, and gives the objects their attributes ("tensors").
//
// A detected object is classified by each classifier whose object_labels hold its label when its
// crop (its box in the frame's pixels, clipped to the frame) is at least min_size wide and high.
// A tracked one only every reclassify_interval frames of its track; between runs, and in the
// frames where its box is predicted, it keeps its track's last attributes, forgotten when the
// track ends. The crops of a frame run in one request per classifier (several beyond the
// largest batch), with requests and buffers made once.
class ClassifyStage {
  public:
    // `classifiers` outlive the stage. `events`: report "update" events. Each crop classified is
    // counted in `classified`.
    ClassifyStage(std::span<const Classifier> classifiers, bool events,
                  std::atomic<uint64_t>& classified);

    // Sets the attributes of `result.objects` (tracked or not, with width and height set),
    // cropping from `image`, the frame at the stream's size (empty for a frame without
    // detections); `ended`: the ids of the tracks that ended in this frame. Returns an "update"
    // event for each tracked object whose label changed, valid until the next call.
    std::span<const TrackEvent> run(const cv::Mat& image, FrameResult& result,
                                    std::span<const int64_t> ended);

  private:
    // What a track keeps between frames.
    struct TrackMemory {
        int64_t id = 0;
        std::vector<int> since;  // per classifier: frames since it ran; -1: it never did
        std::vector<ObjectAttribute> attributes;  // every classifier's, at m_offsets
    };
    // One crop for one classifier.
    struct Job {
        size_t object = 0;
        cv::Rect crop;
    };

    void forget(std::span<const int64_t> ended);
    TrackMemory& memory_of(int64_t id);
    TrackMemory* find(int64_t id);
    // The jobs of `result`: whether each object is due, big enough and of the classifier's labels.
    void plan(const cv::Mat& image, const FrameResult& result);
    void classify(size_t c, const cv::Mat& image);
    // Where classifier `c` keeps the attributes of object `object`: its track's memory or, for an
    // untracked object, this frame's.
    std::span<ObjectAttribute> attributes(size_t c, size_t object);
    // Stores crop `item`'s results of classifier `c` for `object`; marks a tracked object whose
    // label changed.
    void store(size_t c, size_t object, const runtime::InferRequest& request, size_t item);
    void assemble(FrameResult& result);
    std::span<const TrackEvent> report(const FrameResult& result);

    std::span<const Classifier> m_classifiers;
    bool m_events;
    std::atomic<uint64_t>& m_classified;
    std::vector<size_t> m_offsets;  // classifier → its first attribute; back(): their count
    std::vector<std::unique_ptr<Preprocessor>> m_preprocessors;  // per classifier
    std::vector<std::vector<runtime::InferRequest>> m_requests;  // per classifier, batch
    std::vector<TrackMemory> m_tracks;                           // ordered by id
    std::vector<TrackMemory> m_spare;                            // of ended tracks
    std::vector<std::vector<Job>> m_jobs;                        // per classifier
    // Per object of the frame: its track's memory (null: untracked), whether each classifier ran
    // on it (object × classifier), their attributes where it is untracked (object × attribute),
    // and whether its label changed.
    std::vector<TrackMemory*> m_object_tracks;
    std::vector<char> m_ran;
    std::vector<ObjectAttribute> m_untracked;
    std::vector<char> m_changed;
    std::vector<ObjectAttribute> m_fresh;  // one crop's attributes as decoded
    std::vector<Detection> m_scratch;
    std::vector<TrackEvent> m_event_list;
    size_t m_event_count = 0;
};

}  // namespace es::pipeline
