// A Concat whose inputs already lie where they belong in its output (along the outermost axis
// longer than 1, or along blocked channels) takes no step: its inputs' buffers become parts of
// its own, and the profile says "in place".
#include "tests/support/device_testing.h"

#include <algorithm>

using namespace es;
using namespace es::testing;

namespace {

const graph::Attributes k_channels = {{"axis", "1"}};

struct ConcatCase {
    const char* name;
    bool in_place;  // for the Concat named "concat" (and "outer" where there is one)
    std::function<void(GraphBuilder&)> build;
};

const std::vector<ConcatCase> k_cases = {
    {"channels of plain values from a primitive and a reference kernel", true,
     [](GraphBuilder& g) {
         const auto a = g.op("Sigmoid", {g.input(PartialShape{1, 3, 4, 5})});
         const auto b = g.op("Floor", {g.input(PartialShape{1, 5, 4, 5})});
         g.output(g.op("ReLU", {g.op("Concat", {a, b}, k_channels, "concat")}));
     }},
    {"a Concat of a Concat", true,
     [](GraphBuilder& g) {
         const auto a = g.op("Sigmoid", {g.input(PartialShape{1, 2, 3, 3})});
         const auto b = g.op("Tanh", {g.input(PartialShape{1, 4, 3, 3})});
         const auto c = g.op("Floor", {g.input(PartialShape{1, 3, 3, 3})});
         const auto inner = g.op("Concat", {a, b}, k_channels, "concat");
         g.output(g.op("Exp", {g.op("Concat", {c, inner}, k_channels, "outer")}));
     }},
    {"a residual Add reading the Concat's output after a convolution of it", true,
     [](GraphBuilder& g) {
         const auto a = g.op("Sigmoid", {g.input(PartialShape{1, 4, 6, 6})});
         const auto b = g.op("Floor", {g.input(PartialShape{1, 4, 6, 6})});
         const auto concat = g.op("Concat", {a, b}, k_channels, "concat");
         const auto y = g.op("Convolution", {concat, g.constant({8, 8, 1, 1})},
                             {{"strides", "1,1"}, {"pads_begin", "0,0"}, {"pads_end", "0,0"}});
         g.output(g.op("Add", {y, concat}));
     }},
    {"along an inner axis of plain values: parts are strided", false,
     [](GraphBuilder& g) {
         const auto a = g.op("Sigmoid", {g.input(PartialShape{1, 2, 3, 5})});
         const auto b = g.op("Floor", {g.input(PartialShape{1, 2, 4, 5})});
         g.output(g.op("ReLU", {g.op("Concat", {a, b}, {{"axis", "2"}}, "concat")}));
     }},
    {"an input that another node reads too", false,
     [](GraphBuilder& g) {
         const auto a = g.op("Sigmoid", {g.input(PartialShape{1, 3, 4, 5})});
         const auto b = g.op("Floor", {g.input(PartialShape{1, 5, 4, 5})});
         g.output(g.op("ReLU", {g.op("Concat", {a, b}, k_channels, "concat")}));
         g.output(g.op("Exp", {a}));
     }},
    {"a Concat that is a model output", false,
     [](GraphBuilder& g) {
         const auto a = g.op("Sigmoid", {g.input(PartialShape{1, 3, 4, 5})});
         const auto b = g.op("Floor", {g.input(PartialShape{1, 5, 4, 5})});
         g.output(g.op("Concat", {a, b}, k_channels, "concat"));
     }},
};

}  // namespace

TEST_CASE("a Concat whose inputs lie where they belong in its output takes no step") {
    for (const ConcatCase& test : k_cases) {
        const std::string name = test.name;
        CAPTURE(name);
        GraphBuilder g;
        test.build(g);
        const auto model = g.finish();
        const auto cpu = check_against_reference(
            "CPU", model, {random_inputs(*model, 5), random_inputs(*model, 6)}, 1e-5,
            {.profile = true});
        for (const char* concat : {"concat", "outer"}) {
            // The Concat's own row: a reorder of its output for a reader has its name too.
            const auto row = std::find_if(
                cpu[0].profile.begin(), cpu[0].profile.end(),
                [&](const auto& layer) { return layer.name == concat && layer.type == "Concat"; });
            if (row == cpu[0].profile.end()) continue;  // no such node in this case
            CAPTURE(concat);
            CAPTURE(row->implementation);
            CHECK((row->implementation == "in place") == test.in_place);
        }
    }
}
