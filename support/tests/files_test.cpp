#include <wblab/support/files.hpp>

#include <catch2/catch.hpp>

#include <filesystem>

using namespace wblab;

TEST_CASE("A run directory is private and removed with its owner", "[support][files]") {
    std::string path;
    {
        auto dir = RunDirectory::create("unit");
        REQUIRE(dir);
        path = dir->path();
        REQUIRE(std::filesystem::is_directory(path));
        auto perms = std::filesystem::status(path).permissions();
        CHECK((perms & std::filesystem::perms::others_all) == std::filesystem::perms::none);
        REQUIRE(writeFileAtomically(path + "/x.txt", "content"));
    }
    CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("A kept run directory survives its owner", "[support][files]") {
    std::string path;
    {
        auto dir = RunDirectory::create("unit");
        REQUIRE(dir);
        path = dir->path();
        dir->keep();
    }
    CHECK(std::filesystem::exists(path));
    removeTree(path);
}

TEST_CASE("writeFileAtomically replaces the whole file and leaves no temporary behind",
          "[support][files]") {
    auto dir = RunDirectory::create("unit");
    REQUIRE(dir);
    const std::string file = dir->path() + "/report.xml";
    REQUIRE(writeFileAtomically(file, "first version, longer"));
    REQUIRE(writeFileAtomically(file, "second"));
    auto text = readFile(file);
    REQUIRE(text);
    CHECK(*text == "second");
    int entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir->path())) {
        ++entries;
    }
    CHECK(entries == 1);
}

TEST_CASE("writeFileAtomically reports a directory it cannot write", "[support][files]") {
    auto dir = RunDirectory::create("nowrite");
    REQUIRE(dir);
    // A folder that does not exist: nothing creates it on the way.
    auto result = writeFileAtomically(dir->path() + "/missing/report.xml", "x");
    REQUIRE_FALSE(result);
    CHECK(result.error().code == ErrorCode::Io);
}

TEST_CASE("ldapiUrlFor percent-encodes the socket path", "[support][files]") {
    CHECK(ldapiUrlFor("/tmp/wblab-ds-AB12/ldapi") == "ldapi://%2Ftmp%2Fwblab-ds-AB12%2Fldapi");
}

TEST_CASE("An error with a position describes itself as file:line:column", "[support]") {
    Error e{ErrorCode::InvalidInput, "unknown key", SourcePos{"a.yaml", 3, 5}};
    CHECK(e.describe() == "a.yaml:3:5: unknown key");
    CHECK(makeError(ErrorCode::Io, "plain").describe() == "plain");
}
