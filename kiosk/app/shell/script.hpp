#pragma once
// Scripted runs for tests and demos (--script FILE). One command a line; '#' starts a comment.
//
//   wait-for TEXT        wait (up to 10 s) until a widget labelled TEXT is on screen
//   wait-gone TEXT       wait (up to 10 s) until no widget labelled TEXT is on screen
//   expect TEXT          the settled screen shows TEXT, else the script fails
//   expect-not TEXT      the settled screen does not show TEXT
//   expect-disabled TEXT the button labelled TEXT is shown and disabled
//   tap TEXT             press and release the widget labelled TEXT (its recorded rectangle)
//   swipe up|down        a finger drag over the middle of the screen (up: shows what is below)
//   type TEXT            type TEXT into the focused field
//   shot NAME            write NAME.png into --shots DIR
//   sleep MS             wait MS milliseconds without input (no frames are requested)
//   anything else        handed to the app's hooks: case …, hub online|offline, disk full|ok,
//                        expect-journal TEXT, expect-stored CASE_NO TEXT, hub slow MS,
//                        sh COMMAND (tests), lang zh_CN|en, large-text on|off, report
//
// Labels match exactly first, then as a substring. Runs on the main thread between frames.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <imgui.h>

#include "shell/ui_kit.hpp"

namespace hcp::ui {

// What the runner needs from the app.
class ScriptTarget {
public:
    virtual ~ScriptTarget() = default;
    virtual const std::vector<Labelled>& labels() const = 0;  // of the last presented frame
    virtual std::uint64_t frames_presented() const = 0;
    virtual bool settled() const = 0;                 // no frame pending
    virtual void pointer(ImVec2 pos, bool down) = 0;  // synthetic pointer for the next frames
    virtual void type_text(const std::string& utf8) = 0;
    virtual void request_shot(const std::string& name) = 0;
    virtual bool shot_pending() const = 0;
    virtual void request_frames(int n) = 0;
    virtual ImVec2 display_size() const = 0;
    // Other commands; returns an error message, empty on success.
    virtual std::string command(const std::vector<std::string>& words) = 0;
};

class ScriptRunner {
public:
    using Clock = std::chrono::steady_clock;

    // Throws std::runtime_error when the file cannot be read.
    static ScriptRunner load(const std::filesystem::path& file);

    // Advances as far as it can; returns when it must wait for a frame or for time.
    void advance(ScriptTarget& target, Clock::time_point now);
    // When the runner must be called again even if nothing happens.
    std::optional<Clock::time_point> wake_at() const { return m_wake; }

    bool done() const noexcept { return m_index >= m_lines.size() || m_failed; }
    bool failed() const noexcept { return m_failed; }
    const std::string& error() const noexcept { return m_error; }

private:
    struct Line {
        int number = 0;
        std::string command;
        std::string arg;
    };
    const Labelled* find(const ScriptTarget& target, const std::string& text) const;
    void fail(const ScriptTarget& target, const std::string& message);
    void next(ScriptTarget& target);

    std::vector<Line> m_lines;
    size_t m_index = 0;
    int m_phase = 0;
    std::uint64_t m_frame_mark = 0;  // frames presented when the current phase started
    std::uint64_t m_min_frame = 0;   // labels must come from a frame at least this new
    Clock::time_point m_deadline{};
    std::optional<Clock::time_point> m_wake;
    ImVec2 m_tap{};
    float m_swipe_step = 0.0F;
    bool m_failed = false;
    std::string m_error;
};

}  // namespace hcp::ui
