#include "shell/script.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace hcp::ui {

namespace {

constexpr auto kWaitLimit = std::chrono::seconds(10);

std::string trim(const std::string& s) {
    const auto a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return {};
    const auto b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

std::vector<std::string> words_of(const std::string& command, const std::string& arg) {
    std::vector<std::string> out{command};
    std::istringstream in(arg);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

}  // namespace

ScriptRunner ScriptRunner::load(const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw std::runtime_error("cannot read script " + file.string());
    ScriptRunner r;
    int number = 0;
    for (std::string raw; std::getline(in, raw);) {
        ++number;
        const std::string line = trim(raw);
        if (line.empty() || line[0] == '#') continue;
        const auto sp = line.find(' ');
        Line l;
        l.number = number;
        l.command = line.substr(0, sp);
        l.arg = sp == std::string::npos ? std::string() : trim(line.substr(sp + 1));
        r.m_lines.push_back(std::move(l));
    }
    return r;
}

const Labelled* ScriptRunner::find(const ScriptTarget& target, const std::string& text) const {
    for (const auto& l : target.labels())
        if (l.text == text) return &l;
    for (const auto& l : target.labels())
        if (l.text.find(text) != std::string::npos) return &l;
    return nullptr;
}

void ScriptRunner::fail(const ScriptTarget& target, const std::string& message) {
    m_failed = true;
    std::string seen;
    for (const auto& l : target.labels())
        seen += "\n    [" + l.text + "]" + (l.enabled ? "" : " (disabled)") + (l.visible ? "" : " (off screen)");
    m_error = "line " + std::to_string(m_lines[m_index].number) + ": " + m_lines[m_index].command + " " +
              m_lines[m_index].arg + ": " + message + "\n  on screen:" + seen;
}

void ScriptRunner::next(ScriptTarget& target) {
    ++m_index;
    m_phase = 0;
    m_min_frame = target.frames_presented() + 1;
    target.request_frames(1);
}

void ScriptRunner::advance(ScriptTarget& target, Clock::time_point now) {
    m_wake.reset();
    while (!done()) {
        const Line& line = m_lines[m_index];
        const bool fresh = target.frames_presented() >= m_min_frame && target.settled();
        if (m_phase == 0) {
            m_deadline = now + kWaitLimit;
            m_frame_mark = target.frames_presented();
            m_phase = 1;
            if (line.command == "sleep") {
                m_deadline = now + std::chrono::milliseconds(std::stoi(line.arg));
            }
        }
        if (line.command == "sleep") {
            if (now < m_deadline) {
                m_wake = m_deadline;
                return;
            }
            ++m_index;
            m_phase = 0;
            continue;
        }
        if (line.command == "wait-gone") {
            if (!fresh) {
                m_wake = m_deadline;
                if (now >= m_deadline) fail(target, "no frame was drawn");
                return;
            }
            if (find(target, line.arg) != nullptr) {
                if (now >= m_deadline) {
                    fail(target, "still shown after 10 s");
                    return;
                }
                m_wake = m_deadline;
                return;
            }
            ++m_index;
            m_phase = 0;
            continue;
        }
        if (line.command == "wait-for" || line.command == "expect" || line.command == "expect-not" ||
            line.command == "expect-disabled") {
            if (!fresh) {
                m_wake = m_deadline;
                if (now >= m_deadline) fail(target, "no frame was drawn");
                return;
            }
            const Labelled* l = find(target, line.arg);
            if (line.command == "wait-for") {
                if (l == nullptr) {
                    if (now >= m_deadline) {
                        fail(target, "not shown within 10 s");
                        return;
                    }
                    m_wake = m_deadline;
                    return;
                }
            } else if (line.command == "expect" && l == nullptr) {
                fail(target, "not on screen");
                return;
            } else if (line.command == "expect-not" && l != nullptr) {
                fail(target, "is on screen");
                return;
            } else if (line.command == "expect-disabled" && (l == nullptr || l->enabled)) {
                fail(target, l == nullptr ? "not on screen" : "is enabled");
                return;
            }
            ++m_index;
            m_phase = 0;
            continue;
        }
        if (line.command == "tap") {
            // Phases: 1 find and hover, 2 press, 3 release, 4 let the result settle.
            if (m_phase == 1) {
                if (!fresh) {
                    m_wake = m_deadline;
                    return;
                }
                const Labelled* l = find(target, line.arg);
                if (l == nullptr) {
                    if (now >= m_deadline) {
                        fail(target, "nothing to tap");
                        return;
                    }
                    m_wake = m_deadline;
                    return;
                }
                if (!l->enabled) {
                    fail(target, "is disabled");
                    return;
                }
                if (!l->visible) {
                    fail(target, "is scrolled off screen");
                    return;
                }
                m_tap = ImVec2((l->min.x + l->max.x) / 2.0F, (l->min.y + l->max.y) / 2.0F);
                target.pointer(m_tap, false);
                m_frame_mark = target.frames_presented();
                target.request_frames(1);
                m_phase = 2;
                return;
            }
            if (target.frames_presented() <= m_frame_mark) return;
            m_frame_mark = target.frames_presented();
            if (m_phase == 2) {
                target.pointer(m_tap, true);
                target.request_frames(1);
                m_phase = 3;
                return;
            }
            if (m_phase == 3) {
                target.pointer(m_tap, false);
                target.request_frames(1);
                m_phase = 4;
                return;
            }
            next(target);
            continue;
        }
        if (line.command == "swipe") {
            // Phases: 1 hover, 2 press, 3–8 move in six steps, 9 release, 10 settle.
            if (m_phase == 1) {
                if (line.arg != "up" && line.arg != "down") {
                    fail(target, "swipe up or swipe down");
                    return;
                }
                if (!fresh) {
                    m_wake = m_deadline;
                    return;
                }
                const ImVec2 size = target.display_size();
                m_tap = ImVec2(size.x / 2.0F, size.y * (line.arg == "up" ? 0.75F : 0.35F));
                m_swipe_step = size.y * 0.06F * (line.arg == "up" ? -1.0F : 1.0F);
                target.pointer(m_tap, false);
                m_frame_mark = target.frames_presented();
                target.request_frames(1);
                m_phase = 2;
                return;
            }
            if (target.frames_presented() <= m_frame_mark) return;
            m_frame_mark = target.frames_presented();
            if (m_phase >= 2 && m_phase <= 8) {
                if (m_phase > 2) m_tap.y += m_swipe_step;
                target.pointer(m_tap, true);
                target.request_frames(1);
                ++m_phase;
                return;
            }
            if (m_phase == 9) {
                target.pointer(m_tap, false);
                target.request_frames(1);
                m_phase = 10;
                return;
            }
            next(target);
            continue;
        }
        if (line.command == "type") {
            if (m_phase == 1) {
                target.type_text(line.arg);
                m_frame_mark = target.frames_presented();
                target.request_frames(1);
                m_phase = 2;
                return;
            }
            if (target.frames_presented() <= m_frame_mark) return;
            next(target);
            continue;
        }
        if (line.command == "shot") {
            if (m_phase == 1) {
                if (!fresh) return;
                target.request_shot(line.arg);
                m_phase = 2;
                return;
            }
            if (target.shot_pending()) return;
            ++m_index;
            m_phase = 0;
            continue;
        }
        const std::string err = target.command(words_of(line.command, line.arg));
        if (!err.empty()) {
            fail(target, err);
            return;
        }
        if (line.command == "report" || line.command == "expect-journal") {
            ++m_index;  // read-only: no frame, so figures such as idle frames stay exact
            m_phase = 0;
            continue;
        }
        next(target);
    }
}

}  // namespace hcp::ui
