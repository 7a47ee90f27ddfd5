#pragma once
// JournalLink: a HubLink decorator that forwards everything to the real link and remembers, one
// line each, what the terminal got back ("stored C1 level=5 …", "not_rated C2 …"). Scripts
// and tests assert on it (`expect-journal`). It keeps every line in memory for the run, levels
// included, so hcp-kiosk wraps its link in one only under --script, never in a hall.
#include <mutex>
#include <string>
#include <vector>

#include "hcp/hub/hub_link.hpp"

namespace hcp::ui {

class JournalLink final : public hcp::HubLink {
public:
    explicit JournalLink(hcp::HubLink& inner) : m_inner(inner) {}

    void subscribe(int window, std::function<void(const hcp::TerminalEvent&)> on_event) override {
        m_inner.subscribe(window, std::move(on_event));
    }
    void unsubscribe() override { m_inner.unsubscribe(); }
    hcp::Result<hcp::SubmitResult, hcp::SubmitFailure> submit(const hcp::RatingDraft& draft) override;
    void record_not_rated(const std::string& case_no, int window) override;
    hcp::HubStatus status() const override { return m_inner.status(); }
    const hcp::OptionCatalog& catalog() const override { return m_inner.catalog(); }

    std::vector<std::string> journal() const;

private:
    hcp::HubLink& m_inner;
    mutable std::mutex m_mutex;
    std::vector<std::string> m_journal;
};

}  // namespace hcp::ui
