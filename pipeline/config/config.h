#pragma once

#include "pipeline/config/mqtt_naming.h"
#include "pipeline/config/source_uri.h"
#include "pipeline/source/resolution.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The pipeline config (configs/README.md documents the JSON schema): plain structs with
// defaults applied and relative paths resolved against the config's folder.
namespace es::pipeline {

enum class ResizeMode { stretch, letterbox };
enum class ColorOrder { bgr, rgb };
enum class TensorLayout { nchw, nhwc };
enum class PerformanceHint { throughput, latency };
enum class DecoderKind { ssd, yolo, centernet, blazeface, classification };

std::string_view to_string(ResizeMode mode);
std::string_view to_string(ColorOrder order);
std::string_view to_string(TensorLayout layout);
std::string_view to_string(PerformanceHint hint);
std::string_view to_string(DecoderKind kind);

struct SourceConfig {
    std::string id;                        // unique in its pipeline; [A-Za-z0-9_-]
    SourceUri uri;                         // parsed; a file's path resolved
    std::optional<double> fps;             // at most this many frames per second
    bool loop = false;                     // file sources: start again at the end
    bool realtime = false;                 // file sources: pace frames at the file's rate
    std::optional<Resolution> resolution;  // scale to (or ask a camera for) this size

    bool operator==(const SourceConfig&) const = default;
};

struct PreprocessConfig {
    ResizeMode resize = ResizeMode::stretch;
    ColorOrder color = ColorOrder::bgr;
    // Per channel of the model input, in its colour order: value = (pixel - mean) * scale.
    std::array<float, 3> mean{0.0f, 0.0f, 0.0f};
    std::array<float, 3> scale{1.0f, 1.0f, 1.0f};
    std::optional<TensorLayout> layout;  // nullopt: read from the model input's shape

    bool operator==(const PreprocessConfig&) const = default;
};

struct ModelConfig {
    std::filesystem::path path;  // resolved
    std::string device = "AUTO";
    PerformanceHint hint = PerformanceHint::throughput;
    int nireq = 0;                    // infer requests; 0: as many as the hint makes optimal
    std::vector<std::string> labels;  // label_id → name; empty: none given
    DecoderKind decoder = DecoderKind::ssd;
    float threshold = 0.5f;  // minimum confidence of a published result
    int top_k = 1;           // classification: results per frame
    PreprocessConfig preprocess;

    bool operator==(const ModelConfig&) const = default;
};

// Empty paths are unset.
struct TlsConfig {
    std::filesystem::path ca;
    std::filesystem::path cert;
    std::filesystem::path key;
    // false: any name in the broker's certificate is accepted (logged as a warning); its chain
    // is still verified.
    bool verify_hostname = true;

    bool operator==(const TlsConfig&) const = default;
};

struct MqttOutputConfig {
    std::string uri = "tcp://localhost:1883";
    // Templates (mqtt_naming.h): {host}, {pipeline} and, in `topic` and `events_topic`, {source}.
    std::string topic{k_default_detection_topic};
    std::string events_topic{k_default_events_topic};  // track events
    std::string status_topic{k_default_status_topic};  // retained "online"/"offline"
    std::string stats_topic{k_default_stats_topic};    // retained stats JSON
    std::string client_id{k_default_client_id};
    int qos = 1;
    std::string username;  // empty: anonymous
    std::filesystem::path password_file;
    std::optional<TlsConfig> tls;
    std::filesystem::path persistence_dir;  // empty: the publisher's default
    int max_buffered = 100000;              // messages kept while the broker is away
    // Of the password and TLS files' contents: a reload restarts the output when one changed.
    uint64_t secrets_digest = 14695981039346656037ull;

    bool operator==(const MqttOutputConfig&) const = default;
};

struct FileOutputConfig {
    std::filesystem::path path;  // JSON lines, appended
    // Past max_bytes the file rotates to PATH.1 … PATH.<max_files>; 0 bytes: never.
    uint64_t max_bytes = 64 << 20;
    int max_files = 5;

    bool operator==(const FileOutputConfig&) const = default;
};

struct StdoutOutputConfig {
    bool operator==(const StdoutOutputConfig&) const = default;
};

using OutputConfig = std::variant<MqttOutputConfig, FileOutputConfig, StdoutOutputConfig>;

// Multi-object tracking (ByteTrack): detections at the model's threshold start and continue
// tracks; those down to low_threshold only continue them.
struct TrackConfig {
    double max_age_s = 2.0;      // a track unmatched for longer ends
    float low_threshold = 0.1f;  // the decoder keeps detections down to this confidence
    float match_iou = 0.3f;      // least overlap of a track's predicted box and a detection
    int min_hits = 2;            // frames matched before a track is published

    bool operator==(const TrackConfig&) const = default;
};

// A named polygon in fractions of the frame's width and height.
struct ZoneConfig {
    std::string name;
    std::vector<std::array<float, 2>> polygon;

    bool operator==(const ZoneConfig&) const = default;
};

// Track events (new, end, entering and leaving zones), published beside the detections.
struct EventsConfig {
    static constexpr size_t k_max_zones = 64;  // a track's zones are one 64-bit mask

    std::vector<ZoneConfig> zones;

    bool operator==(const EventsConfig&) const = default;
};

// How one output of a classifier becomes an attribute of the objects.
struct ClassifyOutputConfig {
    std::string tensor;               // the model output's name
    std::string name;                 // the attribute's; empty: as ClassifyConfig::outputs says
    std::vector<std::string> labels;  // class scores: label_id → name
    float scale = 1.0f;               // a value: published multiplied by this

    bool operator==(const ClassifyOutputConfig&) const = default;
};

// A second model run on the crops of detected objects; each of its outputs becomes an attribute
// ("tensors") of the objects: class scores a label and confidence, a single number a value.
struct ClassifyConfig {
    std::filesystem::path path;  // resolved
    // Names the attribute of a one-output model and, as "model", every attribute it gives;
    // default: the model file's stem.
    std::string name;
    std::string device = "AUTO";
    std::vector<std::string> labels;         // a one-output model's label_id → name
    std::vector<std::string> object_labels;  // the detected labels it is for; empty: all
    int reclassify_interval = 1;             // tracked objects: frames of a track between runs
    int min_size = 0;  // least width and height, in stream pixels, of a crop classified
    PreprocessConfig preprocess;
    // The outputs published; empty: every output, each attribute named after the model's output
    // (after `name` for a one-output model).
    std::vector<ClassifyOutputConfig> outputs;

    bool operator==(const ClassifyConfig&) const = default;
};

struct PipelineConfig {
    std::string name;  // unique; [A-Za-z0-9_-]
    std::vector<SourceConfig> sources;
    ModelConfig model;
    int inference_interval = 1;  // run the model on every n-th frame of each source
    bool publish_empty = true;   // publish frames without results too
    std::optional<TrackConfig> track;
    std::optional<EventsConfig> events;  // needs `track`
    std::vector<ClassifyConfig> classify;
    std::vector<OutputConfig> outputs;

    bool operator==(const PipelineConfig&) const = default;
};

struct MetricsConfig {
    std::string listen = "127.0.0.1:9464";  // HOST:PORT of the /metrics endpoint; empty: off
};

struct Config {
    std::vector<PipelineConfig> pipelines;
    MetricsConfig metrics;
    int stats_interval = 30;  // seconds between stats messages on MQTT outputs; 0: none
};

// "HOST:PORT" (an IPv6 host in brackets) split in two; nullopt when it is not of that form or
// the port is not 1..65535.
struct ListenAddress {
    std::string host;
    int port = 0;
};
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// One thing wrong with a config: where (a JSON path such as "pipelines[0].sources[1].uri",
// empty for the document itself) and what was expected.
struct ConfigProblem {
    std::string path;
    std::string message;
    // A model file that is missing or cannot be read: `edgesight run` runs the config anyway and
    // retries that pipeline's start until the file is there (a mount that comes up late).
    bool deferred = false;
};

// "pipelines[0].model.threshold: expected ..."
std::string to_string(const ConfigProblem& problem);

// A config read as far as it could be, and everything wrong with it.
struct ConfigCheck {
    Config config;
    std::vector<ConfigProblem> problems;
    bool ok() const { return problems.empty(); }
    // Whether every problem is deferred.
    bool runnable() const;
};

// Validates a config document; relative paths are taken from `base_dir`. Files the config
// names must exist and be readable, and a model's device must be one of `device_names` (those
// of the device registry, devices::device_names()).
ConfigCheck check_config(const nlohmann::json& document, const std::filesystem::path& base_dir,
                         const std::vector<std::string>& device_names);

// Reads and validates a config file; a file that cannot be read or is not JSON is one problem,
// with an empty path. Messages do not repeat the file's name.
ConfigCheck check_config_file(const std::filesystem::path& path,
                              const std::vector<std::string>& device_names);

// The config of a valid file; otherwise throws es::Error (BadInput) listing every problem, one
// per line as "FILE: PATH: MESSAGE".
Config parse_config(const std::filesystem::path& path,
                    const std::vector<std::string>& device_names);

}  // namespace es::pipeline
