#pragma once

namespace es::pipeline {

// A frame size in pixels (shared by the config and the sources).
struct Resolution {
    int width = 0;
    int height = 0;

    bool operator==(const Resolution&) const = default;
};

}  // namespace es::pipeline
