#pragma once
// Scenario files written into a private directory for one test.

#include <wblab/scenario/loader.hpp>
#include <wblab/support/files.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

namespace wblab::scenario::test {

struct Files {
    RunDirectory dir = RunDirectory::create("scenario-test").value();

    std::string write(const std::string& name, const std::string& text) {
        const std::string path = dir.path() + "/" + name;
        std::filesystem::create_directories(std::filesystem::path(path).parent_path());
        REQUIRE(writeFileAtomically(path, text));
        return path;
    }

    /// Writes `text` as case.yaml (or `stem`.yaml) and loads it.
    Expected<Scenario> load(const std::string& text, const std::string& stem = "case") {
        return loadScenario(write(stem + ".yaml", text));
    }
};

/// A one-place edit of a valid scenario that the loader must refuse, and where it must say so.
struct BadEdit {
    std::string from;
    std::string to;
    std::string message;
    int line;
};

inline void checkRejected(const std::string& valid, const BadEdit& c) {
    std::string text = valid;
    auto pos = text.find(c.from);
    REQUIRE(pos != std::string::npos);
    text.replace(pos, c.from.size(), c.to);
    Files f;
    auto s = f.load(text);
    INFO(c.to);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::InvalidInput);
    CHECK_THAT(s.error().message, Catch::Contains(c.message));
    REQUIRE(s.error().where);
    CHECK_THAT(s.error().where->file, Catch::EndsWith("/case.yaml"));
    CHECK(s.error().where->line == c.line);
    CHECK(s.error().where->column >= 1);
}

}  // namespace wblab::scenario::test
