#include <wblab/support/secrets.hpp>

#include <catch2/catch.hpp>

#include <memory>
#include <set>

using namespace wblab;

namespace {

std::string base64(const std::string& in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], t[v & 63]};
    }
    if (i + 1 == in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += {t[v >> 18], t[(v >> 12) & 63], '=', '='};
    } else if (i + 2 == in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) |
                     (static_cast<unsigned char>(in[i + 1]) << 8);
        out += {t[v >> 18], t[(v >> 12) & 63], t[(v >> 6) & 63], '='};
    }
    return out;
}

std::string hex(const std::string& in, bool upper) {
    const char* d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    for (unsigned char c : in) {
        out += {d[c >> 4], d[c & 15]};
    }
    return out;
}

std::set<std::string> formsFound(const SecretScanner& scan, const std::string& text) {
    std::set<std::string> out;
    for (const auto& f : scan.find(text)) {
        out.insert(toString(f.form));
    }
    return out;
}

const std::string kPw = "Cloud-Reset-2026!";

}  // namespace

TEST_CASE("A secret is found plain, escaped, base64 at any alignment, hex and UTF-16",
          "[support][secrets]") {
    SecretScanner scan(std::vector<Secret>{{kPw, "the new password"}});
    CHECK(formsFound(scan, "log: " + kPw + " end") == std::set<std::string>{"plain"});
    // base64 of the password inside a longer blob, at each of the three byte alignments
    for (const std::string prefix : {"", "x", "xy", "xyz", "wxyz"}) {
        INFO(prefix);
        const std::string blob = base64(prefix + kPw + "tail");
        CHECK(formsFound(scan, "token=" + blob) == std::set<std::string>{"base64"});
    }
    CHECK(formsFound(scan, hex(kPw, false)) == std::set<std::string>{"hex"});
    CHECK(formsFound(scan, "0x" + hex(kPw, true)) == std::set<std::string>{"hex"});
    std::string le, be;
    for (char c : kPw) {
        le += {c, '\0'};
        be += {'\0', c};
    }
    CHECK(formsFound(scan, "\xff\xfe" + le) == std::set<std::string>{"UTF-16"});
    CHECK(formsFound(scan, be) == std::set<std::string>{"UTF-16"});
    CHECK(formsFound(scan, "pw=Cloud-Reset-2026%21") == std::set<std::string>{"escaped"});
    CHECK(scan.find("Cloud-Reset-2025! and nothing else").empty());
}

TEST_CASE("JSON escapes of a secret with quotes or non-ASCII characters are found",
          "[support][secrets]") {
    SecretScanner scan(std::vector<Secret>{{"P\"ä\\ss-wörd", "pw"}});
    CHECK(scan.any(R"({"pw": "P\"ä\\ss-wörd"})"));
    CHECK(scan.any(R"({"pw": "P\"\u00e4\\ss-w\u00f6rd"})"));
    CHECK_FALSE(scan.any(R"({"pw": "P\"a\\ss-word"})"));
}

TEST_CASE("Short secrets are ignored rather than found everywhere", "[support][secrets]") {
    SecretScanner scan(std::vector<Secret>{{"a", "one letter"}, {"", "empty"}, {"Ab1!x", "five"}});
    CHECK(scan.empty());
    CHECK(scan.find("a banana").empty());
    CHECK(scan.redact("a banana") == "a banana");
}

TEST_CASE("Redaction replaces every form and leaves the rest", "[support][secrets]") {
    SecretScanner scan(std::vector<Secret>{{kPw, "new"}, {"Seed-Passw0rd-1", "seed"}});
    const std::string text = "id '" + kPw + "' then " + hex("Seed-Passw0rd-1", false) + ".";
    CHECK(scan.redact(text) == "id '[redacted]' then [redacted].");
    // Overlapping forms collapse into one span.
    CHECK(scan.redact(kPw + kPw) == "[redacted]");
}

TEST_CASE("A stream scan finds a secret split across chunks once", "[support][secrets]") {
    auto scan = std::make_shared<SecretScanner>(std::vector<Secret>{{kPw, "new"}});
    SecretStream stream(scan);
    const std::string text = std::string(100, 'x') + kPw + std::string(5, 'y') + kPw;
    for (std::size_t at = 0; at < text.size(); at += 7) {
        stream.feed(std::string_view(text).substr(at, 7));
    }
    REQUIRE(stream.findings().size() == 2);
    CHECK(stream.findings()[0].offset == 100);
    CHECK(stream.findings()[1].offset == 100 + kPw.size() + 5);
    CHECK(stream.bytes() == text.size());
}

TEST_CASE("A joined scanner finds every part's secrets, a value in two parts once, for the first",
          "[support][secrets]") {
    auto now = std::make_shared<const SecretScanner>(
        std::vector<Secret>{{"Shared-Passw0rd!", "now's"}, {"Only-Now-Pw1", "now only"}});
    auto earlier = std::make_shared<const SecretScanner>(std::vector<Secret>{
        {"Early-Passw0rd-1", "earlier"}, {"Shared-Passw0rd!", "earlier shared"}});
    auto scanner = SecretScanner::joined({now, nullptr, earlier});
    REQUIRE(scanner->secrets().size() == 4);
    const std::string text =
        "x " + base64("Early-Passw0rd-1") + " y Shared-Passw0rd! z Only-Now-Pw1";
    const auto found = scanner->find(text);
    std::vector<std::string> labels;
    for (const auto& f : found) {
        labels.push_back(scanner->secrets()[f.secret].label);
    }
    // In text order across the parts; the shared value once, with the first part's label.
    CHECK(labels == std::vector<std::string>{"earlier", "now's", "now only"});
    CHECK(scanner->any("Only-Now-Pw1"));
    CHECK_FALSE(scanner->any("nothing secret here"));
    CHECK(scanner->redact(text).find("Passw0rd") == std::string::npos);
    CHECK(SecretScanner::joined({nullptr})->empty());
    // A stream over the joined scanner keeps enough between chunks for the longest part.
    SecretStream stream(scanner);
    stream.feed("..Early-Pass");
    stream.feed("w0rd-1..");
    REQUIRE(stream.findings().size() == 1);
    CHECK(scanner->secrets()[stream.findings()[0].secret].label == "earlier");
    CHECK(stream.findings()[0].offset == 2);
}

TEST_CASE("The process redactor knows every secret added to it", "[support][secrets]") {
    Redactor r;
    CHECK(r.redact("x " + kPw) == "x " + kPw);
    r.add(std::vector<std::string>{kPw, "a"});
    CHECK(r.redact("x " + kPw) == "x [redacted]");
    CHECK(r.redact("a b") == "a b");
    r.clear();
    CHECK(r.redact(kPw) == kPw);
}

TEST_CASE("Secrets added one at a time are all redacted, overlapping ones as one span",
          "[support][secrets]") {
    Redactor r;
    std::vector<std::string> added;
    // Added and used in turn, as a run does (a scenario's passwords, then each request's): the
    // redactor's generations merge at various sizes along the way.
    for (int i = 0; i < 100; ++i) {
        added.push_back("Gen-Secret-" + std::to_string(i * 7919) + "!");
        r.add(added.back());
        CHECK(r.redact("now " + added.back()) == "now [redacted]");
    }
    for (const auto& secret : added) {
        CHECK(r.redact("<" + secret + ">") == "<[redacted]>");
        CHECK(r.redact(base64(secret)).find("[redacted]") != std::string::npos);
    }
    // One secret inside another, added far apart (in different generations): one span.
    r.add("Gen-Secret-0!-and-more");
    CHECK(r.redact("a Gen-Secret-0!-and-more b") == "a [redacted] b");
    CHECK(r.redact("Gen-Secret-7919!Gen-Secret-15838!") == "[redacted]");
}

TEST_CASE("Printable text escapes control characters and invalid UTF-8", "[support][secrets]") {
    CHECK(printable("ok \xc3\xa4") == "ok \xc3\xa4");
    CHECK(printable("\x1b[31mred\r\n") == "\\x1b[31mred\\x0d\\x0a");
    CHECK(printable("a\nb\tc", true) == "a\nb\tc");
    CHECK(printable("\xc2\x85 \xff \xc0\x80") == "\\u0085 \\xff \\xc0\\x80");
    CHECK(printable("\x7f") == "\\x7f");
}
