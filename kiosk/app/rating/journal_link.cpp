#include "rating/journal_link.hpp"

namespace hcp::ui {

hcp::Result<hcp::SubmitResult, hcp::SubmitFailure> JournalLink::submit(const hcp::RatingDraft& draft) {
    auto result = m_inner.submit(draft);
    std::lock_guard lock(m_mutex);
    std::string all;
    for (const auto& no : draft.case_nos) all += (all.empty() ? "" : ",") + no;
    for (const auto& no : draft.case_nos) {
        if (result.ok()) {
            const bool local = result.value().outcome == hcp::SubmitOutcome::stored_locally;
            m_journal.push_back(std::string(local ? "stored_locally " : "stored ") + no +
                                " level=" + std::to_string(hcp::to_int(draft.level)) +
                                " options=" + std::to_string(draft.option_codes.size()) +
                                " text=" + (draft.text.empty() ? "no" : "yes") +
                                " target=" + std::string(hcp::to_string(draft.target)) + " cases=" + all);
        } else {
            m_journal.push_back("refused " + no + " " + result.error().detail);
        }
    }
    return result;
}

void JournalLink::record_not_rated(const std::string& case_no, int window) {
    m_inner.record_not_rated(case_no, window);
    std::lock_guard lock(m_mutex);
    m_journal.push_back("not_rated " + case_no + " window=" + std::to_string(window));
}

std::vector<std::string> JournalLink::journal() const {
    std::lock_guard lock(m_mutex);
    return m_journal;
}

}  // namespace hcp::ui
