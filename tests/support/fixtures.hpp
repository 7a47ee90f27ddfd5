#pragma once
// A small, realistic hall for tests, benchmarks and fault runs: the shipped catalog, a hall,
// and helpers that create completed cases and rate them through the real store.
#include <filesystem>
#include <string>

#include "hcp/domain/catalog.hpp"
#include "hcp/store/store.hpp"

namespace hcp::test {

struct HallFixture {
    Hall hall{"DEMO-0001", "示范县政务服务中心", "370921000000", HallLevel::county};
    OptionCatalog catalog;
    explicit HallFixture(const std::filesystem::path& assets);
    RatingContext context() const { return RatingContext{hall, catalog}; }
};

// Saves a completed 即办件 numbered `case_no` handled at window 2 by staff 1002 李娜.
Case save_completed_case(Store& store, const std::string& case_no, TimePoint completed_at);

// Rates case `case_no` at completion; the level cycles through all five by `n`, 差评 get an option.
RatingDraft draft_for(const std::string& case_no, int n, TimePoint tapped_at);

// Creates a case and records a rating for it; throws std::runtime_error when the store refuses.
Rating add_rated_case(Store& store, const HallFixture& hall, int n, TimePoint at);

}  // namespace hcp::test
