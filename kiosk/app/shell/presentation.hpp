#pragma once
// The language and text size of the screen. A citizen may change both (the header's buttons);
// the next citizen starts from the terminal's defaults (--lang, --large-text). Main thread only.
#include "shell/i18n.hpp"

namespace hcp::ui {

class Presentation {
public:
    Presentation(I18n& i18n, Lang lang, bool large_text);

    I18n& i18n() noexcept { return m_i18n; }
    void set_lang(Lang lang) noexcept { m_i18n.set_lang(lang); }
    void switch_lang() noexcept;

    bool large_text() const noexcept { return m_large_text; }
    // A new text size needs a new font atlas: rebuild_pending() until the shell calls rebuilt().
    void set_large_text(bool on) noexcept;
    bool rebuild_pending() const noexcept { return m_rebuild; }
    void rebuilt() noexcept { m_rebuild = false; }

    // Back to the terminal's defaults, for the next citizen.
    void restore_defaults() noexcept;

private:
    I18n& m_i18n;
    Lang m_default_lang;
    bool m_default_large;
    bool m_large_text;
    bool m_rebuild = false;
};

}  // namespace hcp::ui
