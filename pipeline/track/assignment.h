#pragma once

#include <span>
#include <vector>

namespace es::pipeline {

// Minimum-cost assignment of the rows of a cost matrix to its columns: the Hungarian method in
// its shortest-augmenting-path form with dual potentials, as Jonker-Volgenant augment (without
// their initialization heuristics); O(n²m) for n ≤ m.
// Keeps its buffers between calls: no allocation once they have grown to the largest matrix.
class Assignment {
  public:
    // `cost` holds rows × cols finite values, row-major. Returns each row's column, or -1 for the
    // rows left over when rows > cols; every row (rows ≤ cols) or every column (rows > cols) is
    // assigned. Valid until the next call.
    std::span<const int> solve(std::span<const double> cost, int rows, int cols);

  private:
    // Assigns each of `rows` ≤ `cols` rows of cost(row, col); m_column_row[1 + col] = 1 + row.
    template <typename Cost>
    void solve_rows(int rows, int cols, const Cost& cost);

    std::vector<double> m_row_potential;
    std::vector<double> m_column_potential;
    std::vector<double> m_min_slack;
    std::vector<int> m_column_row;
    std::vector<int> m_previous_column;
    std::vector<char> m_visited;
    std::vector<int> m_row_column;
};

}  // namespace es::pipeline
