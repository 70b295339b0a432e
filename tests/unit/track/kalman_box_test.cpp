// The box Kalman filter on boxes moving at constant velocity, at even and uneven times.
#include "pipeline/track/kalman_box.h"

#include <doctest/doctest.h>

#include <cmath>
#include <random>

using namespace es::pipeline;

namespace {

// A 0.06 × 0.2 box whose centre moves from (0.2, 0.4) at (0.15, -0.05) per second and whose
// height grows by 0.02 per second, keeping its aspect ratio.
Box moving_box(double time_s) {
    const float height = static_cast<float>(0.2 + 0.02 * time_s);
    const float width = 0.3f * height;
    const float x = static_cast<float>(0.2 + 0.15 * time_s);
    const float y = static_cast<float>(0.4 - 0.05 * time_s);
    return {x - 0.5f * width, y - 0.5f * height, x + 0.5f * width, y + 0.5f * height};
}

float largest_edge_error(const Box& a, const Box& b) {
    return std::max({std::abs(a.x_min - b.x_min), std::abs(a.y_min - b.y_min),
                     std::abs(a.x_max - b.x_max), std::abs(a.y_max - b.y_max)});
}

}  // namespace

TEST_CASE("kalman box: a box at constant velocity is predicted a second ahead after a few frames") {
    KalmanBox filter(moving_box(0.0), KalmanBoxNoise{});
    const double dt = 1.0 / 30.0;
    for (int frame = 1; frame <= 10; ++frame) {
        filter.predict(dt);
        filter.update(moving_box(frame * dt));
    }
    CHECK(filter.mean()[4] == doctest::Approx(0.15).epsilon(0.05));
    CHECK(filter.mean()[5] == doctest::Approx(-0.05).epsilon(0.1));
    // A second ahead the box has moved 0.15 across: the prediction is within 0.01 of it, where
    // the last box would be 0.15 off.
    const double ahead = 10 * dt + 1.0;
    CHECK(largest_edge_error(filter.predicted_box(1.0), moving_box(ahead)) < 0.01f);
    CHECK(largest_edge_error(filter.box(), moving_box(10 * dt)) < 0.002f);
    // predicted_box leaves the filter as it was; predict moves it there.
    const Box predicted = filter.predicted_box(1.0);
    filter.predict(1.0);
    CHECK(largest_edge_error(filter.box(), predicted) < 1e-6f);
}

TEST_CASE("kalman box: updates at uneven times, with skipped frames, track the motion") {
    std::mt19937 random(3);
    std::uniform_real_distribution<double> gap(0.01, 0.25);
    KalmanBox filter(moving_box(0.0), KalmanBoxNoise{});
    double time_s = 0.0;
    for (int update = 0; update < 12; ++update) {
        const double dt = gap(random);
        time_s += dt;
        filter.predict(dt);
        filter.update(moving_box(time_s));
    }
    // A filter that took every update as one frame apart would have a velocity off by the ratio
    // of the mean gap to 1/30 s, about 4×.
    CHECK(filter.mean()[4] == doctest::Approx(0.15).epsilon(0.05));
    CHECK(filter.mean()[7] == doctest::Approx(0.02).epsilon(0.25));
    CHECK(largest_edge_error(filter.predicted_box(0.5), moving_box(time_s + 0.5)) < 0.006f);
}

TEST_CASE("kalman box: uncertainty grows with the time predicted and shrinks with an update") {
    KalmanBox filter(moving_box(0.0), KalmanBoxNoise{});
    const double initial = filter.covariance()[0];
    filter.predict(0.5);
    const double after_half_second = filter.covariance()[0];
    KalmanBox other(moving_box(0.0), KalmanBoxNoise{});
    other.predict(0.1);
    CHECK(after_half_second > other.covariance()[0]);
    CHECK(other.covariance()[0] > initial);
    filter.update(moving_box(0.5));
    CHECK(filter.covariance()[0] < after_half_second);
    // A detection is believed more than a half-second-old guess: the centre moves most of the
    // way to it.
    const double measured_x = 0.2 + 0.15 * 0.5;
    CHECK(std::abs(filter.mean()[0] - measured_x) < 0.2 * std::abs(0.2 - measured_x));
}

TEST_CASE("kalman box: hold_size stops the height from changing") {
    KalmanBox filter(moving_box(0.0), KalmanBoxNoise{});
    for (int frame = 1; frame <= 20; ++frame) {
        filter.predict(0.1);
        filter.update(moving_box(frame * 0.1));
    }
    CHECK(filter.mean()[7] > 0.01);
    filter.hold_size();
    const Box now = filter.box();
    const Box later = filter.predicted_box(2.0);
    CHECK(later.y_max - later.y_min == doctest::Approx(now.y_max - now.y_min));
    CHECK(later.x_min > now.x_min + 0.25f);
}
