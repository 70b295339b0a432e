#include "pipeline/track/assignment.h"

#include "inference/core/error.h"

#include <limits>

namespace es::pipeline {

// Index 0 of the column arrays is a virtual column holding the row being inserted; rows and
// columns are 1-based in them.
template <typename Cost>
void Assignment::solve_rows(int rows, int cols, const Cost& cost) {
    constexpr double k_infinity = std::numeric_limits<double>::infinity();
    m_row_potential.assign(static_cast<size_t>(rows) + 1, 0.0);
    m_column_potential.assign(static_cast<size_t>(cols) + 1, 0.0);
    m_column_row.assign(static_cast<size_t>(cols) + 1, 0);
    m_previous_column.assign(static_cast<size_t>(cols) + 1, 0);
    for (int row = 1; row <= rows; ++row) {
        m_column_row[0] = row;
        m_min_slack.assign(static_cast<size_t>(cols) + 1, k_infinity);
        m_visited.assign(static_cast<size_t>(cols) + 1, 0);
        int column = 0;
        // Dijkstra over reduced costs until a free column is reached.
        do {
            m_visited[column] = 1;
            const int current_row = m_column_row[column];
            double delta = k_infinity;
            int next_column = 0;
            for (int j = 1; j <= cols; ++j) {
                if (m_visited[j]) continue;
                const double slack = cost(current_row - 1, j - 1) - m_row_potential[current_row] -
                                     m_column_potential[j];
                if (slack < m_min_slack[j]) {
                    m_min_slack[j] = slack;
                    m_previous_column[j] = column;
                }
                if (m_min_slack[j] < delta) {
                    delta = m_min_slack[j];
                    next_column = j;
                }
            }
            for (int j = 0; j <= cols; ++j) {
                if (m_visited[j]) {
                    m_row_potential[m_column_row[j]] += delta;
                    m_column_potential[j] -= delta;
                } else {
                    m_min_slack[j] -= delta;
                }
            }
            column = next_column;
        } while (m_column_row[column] != 0);
        // Flip the augmenting path back to the virtual column.
        do {
            const int previous = m_previous_column[column];
            m_column_row[column] = m_column_row[previous];
            column = previous;
        } while (column != 0);
    }
}

std::span<const int> Assignment::solve(std::span<const double> cost, int rows, int cols) {
    if (rows < 0 || cols < 0 || cost.size() != static_cast<size_t>(rows) * cols)
        throw_runtime("assignment: {} costs for a {}×{} matrix", cost.size(), rows, cols);
    m_row_column.assign(static_cast<size_t>(rows), -1);
    if (rows == 0 || cols == 0) return m_row_column;
    if (rows <= cols) {
        solve_rows(rows, cols, [&](int row, int col) { return cost[row * cols + col]; });
        for (int col = 1; col <= cols; ++col)
            if (m_column_row[col] != 0) m_row_column[m_column_row[col] - 1] = col - 1;
    } else {
        // The transpose: its rows are our columns.
        solve_rows(cols, rows, [&](int col, int row) { return cost[row * cols + col]; });
        for (int row = 1; row <= rows; ++row)
            if (m_column_row[row] != 0) m_row_column[row - 1] = m_column_row[row] - 1;
    }
    return m_row_column;
}

}  // namespace es::pipeline
