#pragma once
// Private to the scenario module: what a YAML syntax error most likely means. yaml-cpp stops at
// the first thing it cannot parse and says what it expected there ("end of map not found",
// "illegal map value"), often a line after the mistake. People make a few mistakes over and over:
// a tab in the indentation, a line indented to no enclosing block, a key without its colon, an
// unquoted value holding ": ". diagnoseSyntaxError() looks for those in the text and names each
// one at its own line; when it finds none, the parser's message stands, marked as YAML syntax.

#include <string>
#include <vector>

namespace wblab::scenario::detail {

struct SyntaxFinding {
    int line = 0;    ///< 1-based
    int column = 0;  ///< 1-based
    std::string message;
};

/// The likely causes of the syntax error yaml-cpp reported at (line, column) (1-based) with
/// `parserMessage`, in line order; never empty (the parser's own message when nothing better is
/// found). Every tab-indented and every misindented line is a finding of its own.
std::vector<SyntaxFinding> diagnoseSyntaxError(const std::string& text,
                                               int line,
                                               int column,
                                               const std::string& parserMessage);

}  // namespace wblab::scenario::detail
