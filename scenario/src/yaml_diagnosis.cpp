// What a YAML syntax error most likely means (yaml_diagnosis.hpp). A light model of block YAML:
// each line's indentation, whether it is a list item, whether it holds a key and whether that
// key opens a block below it; block scalars and multi-line flow collections are skipped.
#include "yaml_diagnosis.hpp"

#include <algorithm>
#include <optional>
#include <sstream>
#include <utility>

namespace wblab::scenario::detail {

namespace {

/// One line of the file as the model sees it.
struct Line {
    int number = 0;       ///< 1-based
    int indent = 0;       ///< leading spaces
    int tabColumn = 0;    ///< 1-based column of a tab among the leading whitespace, or 0
    std::string content;  ///< without indentation, trailing comment and trailing spaces
};

/// Walks `text` outside quotes, keeping the flow-bracket depth: `visit(index, char, depth)` sees
/// every character outside quotes (brackets after the depth changed) and returns true to stop.
/// Returns the index where it stopped (npos if it did not) and the depth reached.
template <typename Visit>
std::pair<std::size_t, int> scanOutsideQuotes(const std::string& text, Visit visit) {
    char quote = 0;
    int depth = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (quote != 0) {
            quote = c == quote ? 0 : quote;
            continue;
        }
        if (c == '"' || c == '\'') {
            quote = c;
            continue;
        }
        depth += (c == '[' || c == '{') ? 1 : (c == ']' || c == '}') ? -1 : 0;
        if (visit(i, c, depth)) {
            return {i, depth};
        }
    }
    return {std::string::npos, depth};
}

/// The text without a trailing comment ('#' at the start or after a space, outside quotes).
std::string withoutComment(const std::string& text) {
    const auto [hash, depth] = scanOutsideQuotes(text, [&](std::size_t i, char c, int) {
        return c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t');
    });
    return hash == std::string::npos ? text : text.substr(0, hash);
}

std::vector<Line> linesOf(const std::string& text) {
    std::vector<Line> lines;
    std::istringstream in(text);
    int number = 0;
    for (std::string raw; std::getline(in, raw);) {
        Line line;
        line.number = ++number;
        std::size_t i = 0;
        for (; i < raw.size() && (raw[i] == ' ' || raw[i] == '\t'); ++i) {
            if (raw[i] == '\t' && line.tabColumn == 0) {
                line.tabColumn = static_cast<int>(i) + 1;
            }
        }
        line.indent = static_cast<int>(i);
        line.content = withoutComment(raw.substr(i));
        while (!line.content.empty() &&
               (line.content.back() == ' ' || line.content.back() == '\t' ||
                line.content.back() == '\r')) {
            line.content.pop_back();
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

/// Where "key:" ends in `content` (the colon's index), outside quotes and brackets; npos if the
/// line holds no key.
std::size_t keyColon(const std::string& content) {
    return scanOutsideQuotes(content,
                             [&](std::size_t i, char c, int depth) {
                                 return c == ':' && depth == 0 &&
                                        (i + 1 == content.size() || content[i + 1] == ' ');
                             })
        .first;
}

/// Brackets opened minus brackets closed, outside quotes.
int bracketBalance(const std::string& text) {
    return scanOutsideQuotes(text, [](std::size_t, char, int) { return false; }).second;
}

/// A line's structure: list item dashes stripped, the key (if any) and its value.
struct Shape {
    bool item = false;
    int contentColumn = 0;  ///< 0-based column where the content after "- " starts
    bool hasKey = false;
    std::string value;        ///< after "key: "
    bool opensBlock = false;  ///< "key:" with nothing after it, or a lone "-"
};

Shape shapeOf(const Line& line) {
    Shape shape;
    std::string rest = line.content;
    shape.contentColumn = line.indent;
    while (rest == "-" || rest.rfind("- ", 0) == 0) {
        shape.item = true;
        std::size_t skip = 1;
        while (skip < rest.size() && rest[skip] == ' ') {
            ++skip;
        }
        shape.contentColumn += static_cast<int>(skip);
        rest = rest.substr(std::min(skip, rest.size()));
    }
    if (shape.item && rest.empty()) {
        shape.opensBlock = true;
        return shape;
    }
    const auto colon = keyColon(rest);
    if (colon != std::string::npos) {
        shape.hasKey = true;
        shape.value = rest.substr(std::min(colon + 2, rest.size()));
        shape.opensBlock = shape.value.empty() || shape.value[0] == '&' || shape.value[0] == '!';
    }
    return shape;
}

std::string columnsText(const std::vector<int>& levels) {
    std::string out;
    for (std::size_t i = 0; i < levels.size(); ++i) {
        out += (i == 0 ? "" : i + 1 == levels.size() ? " or " : ", ") + std::to_string(levels[i]);
    }
    return out;
}

/// The model's walk through the lines: open blocks, and which of them are mappings.
class IndentationModel {
public:
    /// A finding for `line` when its indentation fits no open block, else nothing; then the
    /// model moves on to the line.
    std::optional<SyntaxFinding> step(const Line& line, const Shape& shape);

private:
    struct Level {
        int column = 0;
        bool mapping = false;
    };

    std::optional<SyntaxFinding> judge(const Line& line, const Shape& shape) const;

    std::vector<Level> levels_;
    std::optional<int> openedAt_;  ///< the column of the key or dash that opened a block
    bool openedByKey_ = false;
    std::string previous_;
};

std::optional<SyntaxFinding> IndentationModel::judge(const Line& line, const Shape& shape) const {
    const int at = line.indent;
    if (openedAt_ && (at > *openedAt_ || (openedByKey_ && at == *openedAt_ && shape.item))) {
        return std::nullopt;  // the first line of the block the previous line opened
    }
    std::vector<int> open;
    for (const auto& level : levels_) {
        open.push_back(level.column);
        if (level.column == at) {
            if (level.mapping && !shape.item && !shape.hasKey) {
                return SyntaxFinding{line.number,
                                     at + 1,
                                     "'" + line.content +
                                         "' has no colon: the lines beside it are 'key: value' "
                                         "pairs, and a key needs ': ' (with a space) after it"};
            }
            return std::nullopt;
        }
    }
    if (levels_.empty() && at == 0) {
        return std::nullopt;
    }
    std::string message = "indentation: this line is indented " + std::to_string(at) +
                          (at == 1 ? " space" : " spaces") +
                          ", which lines up with no block above it";
    if (!levels_.empty() && at > levels_.back().column) {
        message += " (the line above, '" + previous_ +
                   "', already has its value and opens no block; indent this line as its "
                   "siblings are, or move the value above onto its own lines)";
    } else {
        message += " (the blocks that enclose it are indented " + columnsText(open) + " spaces)";
    }
    return SyntaxFinding{line.number, at + 1, message};
}

std::optional<SyntaxFinding> IndentationModel::step(const Line& line, const Shape& shape) {
    auto finding = judge(line, shape);
    const int at = line.indent;
    while (!levels_.empty() && levels_.back().column > at) {
        levels_.pop_back();
    }
    if (levels_.empty() || levels_.back().column != at) {
        levels_.push_back({at, false});
    }
    if (shape.item) {
        if (shape.hasKey) {
            levels_.push_back({shape.contentColumn, true});
        }
    } else if (shape.hasKey) {
        levels_.back().mapping = true;
    }
    openedAt_.reset();
    if (shape.opensBlock) {
        openedAt_ = shape.item && !shape.hasKey ? at : shape.contentColumn;
        openedByKey_ = shape.hasKey;
    }
    previous_ = line.content;
    return finding;
}

bool isBlockScalarHeader(const std::string& value) {
    return !value.empty() && (value[0] == '|' || value[0] == '>');
}

bool skippable(const Line& line) {
    return line.content.empty() || line.content[0] == '#' || line.content == "---" ||
           line.content == "...";
}

/// The indentation and missing-colon findings on the lines from `first` to `last` (1-based),
/// walking the model over every line before them.
std::vector<SyntaxFinding> structuralFindings(const std::vector<Line>& lines, int first, int last) {
    std::vector<SyntaxFinding> findings;
    IndentationModel model;
    std::optional<int> scalarAbove;  // inside a block scalar whose key is at this column
    int flowDepth = 0;
    for (const auto& line : lines) {
        if (line.number > last) {
            break;
        }
        if (skippable(line) || line.tabColumn != 0) {
            continue;
        }
        if (scalarAbove && line.indent > *scalarAbove) {
            continue;
        }
        scalarAbove.reset();
        if (flowDepth > 0) {
            flowDepth += bracketBalance(line.content);
            continue;
        }
        const Shape shape = shapeOf(line);
        auto finding = model.step(line, shape);
        if (finding && line.number >= first) {
            findings.push_back(std::move(*finding));
        }
        if (shape.hasKey && isBlockScalarHeader(shape.value)) {
            scalarAbove = line.indent;
        }
        flowDepth = std::max(0, bracketBalance(shape.hasKey ? shape.value : line.content));
    }
    return findings;
}

/// "key: a: b": the value holds ": ", which YAML reads as another key.
std::optional<SyntaxFinding> unquotedColon(const Line& line) {
    const Shape shape = shapeOf(line);
    if (!shape.hasKey || shape.value.empty() || shape.value[0] == '"' || shape.value[0] == '\'') {
        return std::nullopt;
    }
    if (keyColon(shape.value) == std::string::npos) {
        return std::nullopt;
    }
    return SyntaxFinding{
        line.number,
        static_cast<int>(line.content.size() - shape.value.size()) + line.indent + 1,
        "the value '" + shape.value +
            "' holds ': ', which YAML reads as another key: put the value in "
            "quotes"};
}

/// The content line before line `number` (1-based), or `number` itself when there is none.
int previousContentLine(const std::vector<Line>& lines, int number) {
    for (int n = number - 1; n >= 1; --n) {
        if (n <= static_cast<int>(lines.size()) && !skippable(lines[n - 1])) {
            return n;
        }
    }
    return number;
}

}  // namespace

std::vector<SyntaxFinding> diagnoseSyntaxError(const std::string& text,
                                               int line,
                                               int column,
                                               const std::string& parserMessage) {
    const auto lines = linesOf(text);
    std::vector<SyntaxFinding> findings;
    for (const auto& l : lines) {
        if (l.tabColumn != 0 && !l.content.empty()) {
            findings.push_back({l.number,
                                l.tabColumn,
                                "a tab in the indentation: YAML indents with spaces only "
                                "(replace the tab with spaces)"});
        }
    }
    if (findings.empty()) {
        const int last = std::min<int>(line, static_cast<int>(lines.size()));
        findings = structuralFindings(lines, previousContentLine(lines, line), last);
    }
    if (findings.empty() && line >= 1 && line <= static_cast<int>(lines.size())) {
        if (auto colon = unquotedColon(lines[line - 1])) {
            findings.push_back(std::move(*colon));
        }
    }
    if (findings.empty()) {
        return {{line, column, "YAML syntax error: " + parserMessage}};
    }
    if (findings.front().line != line) {
        findings.front().message += " (the YAML parser stopped at line " + std::to_string(line) +
                                    ": " + parserMessage + ")";
    }
    return findings;
}

}  // namespace wblab::scenario::detail
