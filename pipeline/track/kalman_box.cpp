#include "pipeline/track/kalman_box.h"

#include <algorithm>
#include <cmath>

namespace es::pipeline {
namespace {

constexpr int k_measured = KalmanBox::k_measured;
constexpr int k_state = KalmanBox::k_state;
// Heights are kept above this so that the aspect ratio and the noise stay finite.
constexpr double k_min_height = 1e-4;

using Measurement = std::array<double, k_measured>;

Measurement measure(const Box& box) {
    const double height = std::max<double>(box.y_max - box.y_min, k_min_height);
    return {0.5 * (box.x_min + box.x_max), 0.5 * (box.y_min + box.y_max),
            (box.x_max - box.x_min) / height, height};
}

double& at(KalmanBox::Covariance& matrix, int row, int col) {
    return matrix[row * k_state + col];
}

}  // namespace

KalmanBox::KalmanBox(const Box& box, const KalmanBoxNoise& noise) : m_noise(noise) {
    const Measurement z = measure(box);
    std::copy(z.begin(), z.end(), m_mean.begin());
    // Twice a detection's deviation where measured; initial_velocity (aspect: ten times its
    // process noise) for the motion.
    const double height = z[3];
    const double position = 2.0 * m_noise.measured_position * height;
    const double velocity = m_noise.initial_velocity * height;
    const State deviation = {position, position, 2.0 * m_noise.measured_aspect,  position,
                             velocity, velocity, 10.0 * m_noise.aspect_velocity, velocity};
    for (int i = 0; i < k_state; ++i)
        at(m_covariance, i, i) = deviation[i] * deviation[i];
}

void KalmanBox::predict(double dt_s) {
    if (dt_s <= 0.0) return;
    const double height = std::max(m_mean[3], k_min_height);
    for (int i = 0; i < k_measured; ++i)
        m_mean[i] += dt_s * m_mean[k_measured + i];
    // P = F P Fᵀ + Q with F = [I dt·I; 0 I]: first the rows (F P), then the columns (· Fᵀ).
    for (int i = 0; i < k_measured; ++i)
        for (int col = 0; col < k_state; ++col)
            at(m_covariance, i, col) += dt_s * at(m_covariance, k_measured + i, col);
    for (int row = 0; row < k_state; ++row)
        for (int i = 0; i < k_measured; ++i)
            at(m_covariance, row, i) += dt_s * at(m_covariance, row, k_measured + i);
    const double position = m_noise.position * height;
    const double velocity = m_noise.velocity * height;
    const State deviation = {position, position, m_noise.aspect,          position,
                             velocity, velocity, m_noise.aspect_velocity, velocity};
    for (int i = 0; i < k_state; ++i)
        at(m_covariance, i, i) += deviation[i] * deviation[i] * dt_s;
}

void KalmanBox::update(const Box& box) {
    const Measurement z = measure(box);
    const double height = std::max(m_mean[3], k_min_height);
    const double position = m_noise.measured_position * height;
    const Measurement noise = {position * position, position * position,
                               m_noise.measured_aspect * m_noise.measured_aspect,
                               position * position};
    // S = H P Hᵀ + R, the top-left block plus R; its Cholesky factor L (S = L Lᵀ).
    std::array<double, k_measured * k_measured> lower{};
    for (int row = 0; row < k_measured; ++row) {
        for (int col = 0; col <= row; ++col) {
            double sum = at(m_covariance, row, col) + (row == col ? noise[row] : 0.0);
            for (int k = 0; k < col; ++k)
                sum -= lower[row * k_measured + k] * lower[col * k_measured + k];
            lower[row * k_measured + col] =
                row == col ? std::sqrt(std::max(sum, 1e-18)) : sum / lower[col * k_measured + col];
        }
    }
    // Kᵀ = S⁻¹ H P, column by column of H P (the top rows of P), by two triangular solves.
    std::array<double, k_measured * k_state> gain_t{};
    for (int col = 0; col < k_state; ++col) {
        Measurement y{};
        for (int row = 0; row < k_measured; ++row) {
            double sum = at(m_covariance, row, col);
            for (int k = 0; k < row; ++k)
                sum -= lower[row * k_measured + k] * y[k];
            y[row] = sum / lower[row * k_measured + row];
        }
        for (int row = k_measured - 1; row >= 0; --row) {
            double sum = y[row];
            for (int k = row + 1; k < k_measured; ++k)
                sum -= lower[k * k_measured + row] * gain_t[k * k_state + col];
            gain_t[row * k_state + col] = sum / lower[row * k_measured + row];
        }
    }
    Measurement innovation{};
    for (int i = 0; i < k_measured; ++i)
        innovation[i] = z[i] - m_mean[i];
    for (int row = 0; row < k_state; ++row)
        for (int k = 0; k < k_measured; ++k)
            m_mean[row] += gain_t[k * k_state + row] * innovation[k];
    // P -= K H P, where H P, the top rows of P, is read from a copy as P changes.
    std::array<double, k_measured * k_state> top{};
    for (int row = 0; row < k_measured; ++row)
        for (int col = 0; col < k_state; ++col)
            top[row * k_state + col] = at(m_covariance, row, col);
    for (int row = 0; row < k_state; ++row)
        for (int col = 0; col < k_state; ++col) {
            double sum = 0.0;
            for (int k = 0; k < k_measured; ++k)
                sum += gain_t[k * k_state + row] * top[k * k_state + col];
            at(m_covariance, row, col) -= sum;
        }
    // Keep P symmetric against rounding.
    for (int row = 0; row < k_state; ++row)
        for (int col = 0; col < row; ++col) {
            const double mean = 0.5 * (at(m_covariance, row, col) + at(m_covariance, col, row));
            at(m_covariance, row, col) = mean;
            at(m_covariance, col, row) = mean;
        }
}

void KalmanBox::hold_size() {
    m_mean[k_measured + 2] = 0.0;
    m_mean[k_measured + 3] = 0.0;
}

Box KalmanBox::predicted_box(double dt_s) const {
    State mean = m_mean;
    if (dt_s > 0.0)
        for (int i = 0; i < k_measured; ++i)
            mean[i] += dt_s * mean[k_measured + i];
    return to_box(mean);
}

Box KalmanBox::to_box(const State& mean) {
    const double height = std::max(mean[3], k_min_height);
    const double width = std::max(mean[2], 0.0) * height;
    return {static_cast<float>(mean[0] - 0.5 * width), static_cast<float>(mean[1] - 0.5 * height),
            static_cast<float>(mean[0] + 0.5 * width), static_cast<float>(mean[1] + 0.5 * height)};
}

}  // namespace es::pipeline
