#include "shell/presentation.hpp"

namespace hcp::ui {

Presentation::Presentation(I18n& i18n, Lang lang, bool large_text)
    : m_i18n(i18n), m_default_lang(lang), m_default_large(large_text), m_large_text(large_text) {
    m_i18n.set_lang(lang);
}

void Presentation::switch_lang() noexcept {
    m_i18n.set_lang(m_i18n.lang() == Lang::en ? Lang::zh_CN : Lang::en);
}

void Presentation::set_large_text(bool on) noexcept {
    // The atlas is rebuilt between frames (the shell asks rebuild_pending()), never inside one.
    m_large_text = on;
    m_rebuild = true;
}

void Presentation::restore_defaults() noexcept {
    m_i18n.set_lang(m_default_lang);
    if (m_large_text != m_default_large) set_large_text(m_default_large);
}

}  // namespace hcp::ui
