// The Hungarian assignment against brute force over every injective pairing.
#include "pipeline/track/assignment.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

using namespace es::pipeline;

namespace {

// The least total cost over every way to give each row of the smaller side a distinct partner.
double brute_force_minimum(const std::vector<double>& cost, int rows, int cols) {
    const bool by_rows = rows <= cols;
    const int small = by_rows ? rows : cols;
    const int large = by_rows ? cols : rows;
    std::vector<int> order(static_cast<size_t>(large));
    std::iota(order.begin(), order.end(), 0);
    double best = std::numeric_limits<double>::infinity();
    // Every permutation of the larger side, its first `small` entries the partners.
    do {
        double total = 0.0;
        for (int i = 0; i < small; ++i)
            total += by_rows ? cost[static_cast<size_t>(i) * cols + order[i]]
                             : cost[static_cast<size_t>(order[i]) * cols + i];
        best = std::min(best, total);
    } while (std::next_permutation(order.begin(), order.end()));
    return best;
}

}  // namespace

TEST_CASE("assignment: optimal on random square and rectangular matrices, as brute force") {
    std::mt19937 random(12345);
    std::uniform_real_distribution<double> value(-1.0, 5.0);
    std::uniform_int_distribution<int> small_int(0, 3);
    Assignment assignment;
    int checked = 0;
    for (int rows = 1; rows <= 6; ++rows) {
        for (int cols = 1; cols <= 6; ++cols) {
            for (int trial = 0; trial < 20; ++trial) {
                std::vector<double> cost(static_cast<size_t>(rows) * cols);
                // Every other trial of small integers, for ties.
                for (double& c : cost)
                    c = trial % 2 ? value(random) : small_int(random);
                const auto assigned = assignment.solve(cost, rows, cols);
                REQUIRE(assigned.size() == static_cast<size_t>(rows));
                std::vector<char> used(static_cast<size_t>(cols), 0);
                double total = 0.0;
                int pairs = 0;
                for (int row = 0; row < rows; ++row) {
                    const int col = assigned[row];
                    if (col < 0) continue;
                    REQUIRE(col < cols);
                    CHECK_FALSE(used[col]);
                    used[col] = 1;
                    total += cost[static_cast<size_t>(row) * cols + col];
                    ++pairs;
                }
                CHECK(pairs == std::min(rows, cols));
                CHECK(total == doctest::Approx(brute_force_minimum(cost, rows, cols)));
                ++checked;
            }
        }
    }
    CHECK(checked == 720);
}

TEST_CASE("assignment: the optimum where picking the cheapest pair first is worse") {
    // Greedy takes (0,0) = 1, then (1,1) = 10: 11. The optimum is (0,1) + (1,0) = 2 + 3.
    const std::vector<double> cost = {1, 2, 3, 10};
    Assignment assignment;
    const auto assigned = assignment.solve(cost, 2, 2);
    CHECK(assigned[0] == 1);
    CHECK(assigned[1] == 0);
}

TEST_CASE("assignment: more rows than columns leaves the costliest rows out") {
    const std::vector<double> cost = {
        5, 9,  // row 0
        1, 8,  // row 1
        7, 2,  // row 2
    };
    Assignment assignment;
    const auto assigned = assignment.solve(cost, 3, 2);
    CHECK(assigned[0] == -1);
    CHECK(assigned[1] == 0);
    CHECK(assigned[2] == 1);
}

TEST_CASE("assignment: an empty side gives no pairs, a wrong cost count is an error") {
    Assignment assignment;
    CHECK(assignment.solve({}, 0, 4).empty());
    const auto none = assignment.solve({}, 3, 0);
    REQUIRE(none.size() == 3);
    CHECK(std::all_of(none.begin(), none.end(), [](int col) { return col == -1; }));
    const std::vector<double> cost = {1, 2, 3};
    CHECK_THROWS_WITH(assignment.solve(cost, 2, 2), "assignment: 3 costs for a 2×2 matrix");
}
