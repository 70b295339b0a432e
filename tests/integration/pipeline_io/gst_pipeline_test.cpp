#include "pipeline/source/gst_pipeline.h"
#include "tests/integration/pipeline_io/test_media.h"
#include "tests/support/test_data.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace es::pipeline;
using namespace es::testing;

namespace {

// The libav decoders in `bin` and the bins below it, with their max-threads.
std::vector<std::pair<std::string, int>> libav_decoders(GstElement* bin) {
    std::vector<std::pair<std::string, int>> found;
    GstIterator* elements = gst_bin_iterate_recurse(GST_BIN(bin));
    GValue item = G_VALUE_INIT;
    while (gst_iterator_next(elements, &item) == GST_ITERATOR_OK) {
        GstElement* element = GST_ELEMENT(g_value_get_object(&item));
        GstElementFactory* factory = gst_element_get_factory(element);
        if (factory && g_str_has_prefix(GST_OBJECT_NAME(factory), "avdec_")) {
            int threads = -1;
            g_object_get(element, "max-threads", &threads, nullptr);
            found.emplace_back(GST_OBJECT_NAME(factory), threads);
        }
        g_value_reset(&item);
    }
    g_value_unset(&item);
    gst_iterator_free(elements);
    return found;
}

}  // namespace

TEST_CASE("the H.264 decoder of a file source runs on 2 threads, not one per core") {
    const auto dir = temp_dir("gst-pipeline");
    make_clip(dir / "clip.mp4", 10, 320, 240, "x264enc speed-preset=ultrafast ! mp4mux");
    SourceSpec spec;
    spec.id = "clip";
    spec.uri = source_uri(file_uri(dir / "clip.mp4"));
    GstSourcePipeline pipeline(spec, [](Frame&&) {});
    // Decoders are plugged in while the pipeline prerolls.
    REQUIRE(gst_element_set_state(pipeline.pipeline(), GST_STATE_PAUSED) !=
            GST_STATE_CHANGE_FAILURE);
    REQUIRE(gst_element_get_state(pipeline.pipeline(), nullptr, nullptr, 10 * GST_SECOND) ==
            GST_STATE_CHANGE_SUCCESS);
    const auto decoders = libav_decoders(pipeline.pipeline());
    REQUIRE(decoders.size() == 1);
    CHECK(decoders[0].first == "avdec_h264");
    CHECK(decoders[0].second == 2);
}
