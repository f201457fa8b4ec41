// Microsoft Entra Password Protection in the cloud: normalisation, matching and the score of
// concept-password-ban-bad ("How are passwords evaluated"). Pinned by
// simulator/tests/cloud_test.cpp.
#include <wblab/sim/cloud.hpp>

#include <algorithm>
#include <cctype>
#include <iterator>
#include <optional>

namespace wblab::sim {

namespace {

// A sample of the global banned list: the real one is Microsoft's and not published.
const char* const kGlobalBanned[] = {"password",
                                     "welcome",
                                     "letmein",
                                     "qwerty",
                                     "abc123",
                                     "iloveyou",
                                     "monkey",
                                     "dragon",
                                     "football",
                                     "123456"};

// Names shorter than this are not matched ("only enforced for names ... at least four
// characters long"); custom terms have at least four characters, and fuzzy matching of shorter
// ones would match almost anything.
constexpr std::size_t kMinMatchedLength = 4;
constexpr int kPointsToAccept = 5;
// Marks characters already taken by a match, so that no later match spans the gap.
constexpr char kTaken = '\x01';

std::string normalise(const std::string& text) {
    std::string out;
    for (unsigned char c : text) {
        switch (c) {
            case '0':  // the documented substitutions: 0→o, 1→l, $→s, @→a
                out += 'o';
                break;
            case '1':
                out += 'l';
                break;
            case '$':
            case '5':  // 5, 3, 4 and 7 are the lab's own additions ("such as")
                out += 's';
                break;
            case '@':
            case '4':
                out += 'a';
                break;
            case '3':
                out += 'e';
                break;
            case '7':
                out += 't';
                break;
            default:
                out += static_cast<char>(std::tolower(c));
        }
    }
    return out;
}

/// Levenshtein distance of at most one.
bool withinOneEdit(std::string_view a, std::string_view b) {
    if (a.size() > b.size()) {
        std::swap(a, b);
    }
    if (b.size() - a.size() > 1) {
        return false;
    }
    std::size_t i = 0;
    while (i < a.size() && a[i] == b[i]) {
        ++i;
    }
    if (a.size() == b.size()) {
        return a.substr(i + std::min<std::size_t>(1, a.size() - i)) ==
               b.substr(i + std::min<std::size_t>(1, b.size() - i));
    }
    return a.substr(i) == b.substr(i + 1);
}

struct Match {
    std::size_t at;
    std::size_t length;
};

/// The first exact occurrence of the term, else the first window within one edit of it (longest
/// windows first: the match that leaves the fewest points).
std::optional<Match> findTerm(const std::string& text, const std::string& term) {
    if (auto at = text.find(term); at != std::string::npos) {
        return Match{at, term.size()};
    }
    for (std::size_t length : {term.size() + 1, term.size(), term.size() - 1}) {
        for (std::size_t at = 0; at + length <= text.size(); ++at) {
            std::string_view window(text.data() + at, length);
            if (window.find(kTaken) == std::string_view::npos && withinOneEdit(window, term)) {
                return Match{at, length};
            }
        }
    }
    return std::nullopt;
}

}  // namespace

int Cloud::bannedPasswordScore(const std::string& password) const {
    std::vector<std::string> terms;
    for (const char* t : kGlobalBanned) {
        terms.push_back(normalise(t));
    }
    for (const auto& t : settings_.bannedPasswords) {
        terms.push_back(normalise(t));
    }
    // Longer terms first, so that a term inside a longer one is not counted twice.
    std::stable_sort(terms.begin(), terms.end(), [](const std::string& a, const std::string& b) {
        return a.size() > b.size();
    });
    std::string rest = normalise(password);
    int points = 0;
    for (const auto& term : terms) {
        if (term.size() < kMinMatchedLength) {
            continue;
        }
        while (auto match = findTerm(rest, term)) {
            rest.replace(match->at, match->length, match->length, kTaken);
            ++points;  // each banned password found is one point
        }
    }
    // Each remaining character is one point.
    points += static_cast<int>(
        std::count_if(rest.begin(), rest.end(), [](char c) { return c != kTaken; }));
    return points;
}

bool Cloud::containsBannedName(const std::string& password, const CloudUser* user) const {
    // "Substring matching is used on the normalized password to check for the user's first and
    // last name as well as the tenant name", for names of at least four characters.
    const std::string normalised = normalise(password);
    for (const auto* name : {user ? &user->givenName : nullptr,
                             user ? &user->surname : nullptr,
                             &settings_.tenantName}) {
        if (name == nullptr || name->size() < kMinMatchedLength) {
            continue;
        }
        if (normalised.find(normalise(*name)) != std::string::npos) {
            return true;
        }
    }
    return false;
}

bool Cloud::isBanned(const std::string& password, const CloudUser* user) const {
    // The page's own example rejects "p0LL23fb" for the name "Poll" alone, although its score
    // would be five: a name match rejects. Otherwise "a password must be at least five (5)
    // points to be accepted".
    return containsBannedName(password, user) || bannedPasswordScore(password) < kPointsToAccept;
}

}  // namespace wblab::sim
