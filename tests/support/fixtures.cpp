#include "fixtures.hpp"

#include <stdexcept>

namespace hcp::test {

HallFixture::HallFixture(const std::filesystem::path& assets)
    : catalog(OptionCatalog::load_file(assets / "catalog" / "cn-004.toml")) {}

Case save_completed_case(Store& store, const std::string& case_no, TimePoint completed_at) {
    Case c;
    c.case_no = case_no;
    c.item = {"11370921MB1873562E4000153001000", "基本医疗保险参保信息变更登记", "县医疗保障局"};
    c.kind = CaseKind::immediate;
    c.stage = Stage::completed;
    c.window = 2;
    c.staff = {"1002", "李娜"};
    c.applicant.name = PersonalField(PersonalKind::name, "张三丰");
    c.applicant.phone = PersonalField(PersonalKind::phone, "13812341234");
    c.applicant.id_number = PersonalField(PersonalKind::id_number, "110101199003071234");
    c.accepted_at = completed_at - std::chrono::minutes{10};
    c.completed_at = completed_at;
    store.save_case(c);
    return c;
}

RatingDraft draft_for(const std::string& case_no, int n, TimePoint tapped_at) {
    RatingDraft d;
    d.case_nos = {case_no};
    d.level = static_cast<Level>(5 - (n % 5));
    if (is_bad(d.level)) d.option_codes = {"303"};
    d.stage = Stage::completed;
    d.target = RatingTarget::both;
    d.channel = Channel::window_rater;
    d.tapped_at = tapped_at;
    return d;
}

Rating add_rated_case(Store& store, const HallFixture& hall, int n, TimePoint at) {
    std::string case_no = "CASE-" + std::to_string(n);
    save_completed_case(store, case_no, at);
    auto result = store.record_rating(draft_for(case_no, n, at), hall.context());
    if (!result) throw std::runtime_error("rating refused: " + result.error().detail);
    return result.value();
}

}  // namespace hcp::test
