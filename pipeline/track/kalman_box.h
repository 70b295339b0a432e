#pragma once

#include "pipeline/postprocess/detection.h"

#include <array>

namespace es::pipeline {

// Standard deviations of the motion model. Those of positions and heights, and of their
// velocities, are in units of the box height; process noise accrues with time, its variance
// growing linearly. The defaults are ByteTrack's per-frame values carried to seconds at 30 fps.
struct KalmanBoxNoise {
    double position = 0.27;           // process: centre and height, per √s
    double velocity = 1.0;            // process: their velocities (per s), per √s
    double aspect = 0.055;            // process: the aspect ratio (not scaled), per √s
    double aspect_velocity = 0.0016;  // process: its velocity (per s), per √s
    double measured_position = 0.05;  // a detection's centre and height
    double measured_aspect = 0.1;     // a detection's aspect ratio (not scaled)
    double initial_velocity = 1.9;    // a new box's velocities (per s) before any motion is seen
};

// A constant-velocity Kalman filter on a box: state (centre x, centre y, aspect ratio w/h,
// height) and their velocities per second, as in SORT and ByteTrack; time-aware, so frames may be
// skipped or arrive at uneven times. Fixed-size state: no allocation.
class KalmanBox {
  public:
    static constexpr int k_measured = 4;
    static constexpr int k_state = 2 * k_measured;
    using State = std::array<double, k_state>;
    using Covariance = std::array<double, k_state * k_state>;  // row-major

    KalmanBox() = default;
    // Starts at a detected box, at rest, uncertain about its velocity.
    KalmanBox(const Box& box, const KalmanBoxNoise& noise);

    // Moves the state `dt_s` seconds on (≤ 0: no change).
    void predict(double dt_s);
    // Corrects the state with a detected box at the current time.
    void update(const Box& box);
    // Forgets the velocities of the aspect ratio and height: a box that is not seen keeps its size.
    void hold_size();

    Box box() const { return to_box(m_mean); }
    // The box `dt_s` seconds on, the filter unchanged.
    Box predicted_box(double dt_s) const;
    const State& mean() const { return m_mean; }
    const Covariance& covariance() const { return m_covariance; }

  private:
    static Box to_box(const State& mean);

    KalmanBoxNoise m_noise;
    State m_mean{};
    Covariance m_covariance{};
};

}  // namespace es::pipeline
