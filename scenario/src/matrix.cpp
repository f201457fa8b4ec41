// Parameter matrices (`matrix:`): `${name}` replaced as text, one scenario per row.
#include "loading.hpp"

#include <algorithm>
#include <cctype>

namespace wblab::scenario::detail {

namespace {

constexpr std::size_t kMaxMatrixRows = 64;

/// Where `${name}` occurs in the text: (offset, length, name).
struct ParameterUse {
    std::size_t offset;
    std::size_t length;
    std::string name;
};

std::vector<ParameterUse> parameterUses(const std::string& text) {
    std::vector<ParameterUse> uses;
    for (std::size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at + 2)) {
        std::size_t end = at + 2;
        while (end < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '_')) {
            ++end;
        }
        if (end < text.size() && text[end] == '}' && end > at + 2) {
            uses.push_back({at, end + 1 - at, text.substr(at + 2, end - at - 2)});
        }
    }
    return uses;
}

SourcePos positionOf(const std::string& file, const std::string& text, std::size_t offset) {
    int line = 1;
    int column = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else {
            ++column;
        }
    }
    return SourcePos{file, line, column};
}

std::string matrixValue(const Reader& r, const YAML::Node& node, const std::string& path) {
    if (!node.IsScalar()) {
        r.fail(node, path, "a matrix value is a plain value (a number, word or true/false)");
    }
    const std::string value = r.string(node, path);
    if (value.empty() || value.size() > 64 ||
        value.find_first_of("\n\r{}[],#&*!|>'\"%@`") != std::string::npos) {
        r.fail(node, path, "a matrix value is 1 to 64 characters without YAML punctuation");
    }
    return value;
}

void checkParameterName(const Reader& r, const YAML::Node& node, const std::string& path) {
    const std::string name = r.string(node, path);
    bool ok = !name.empty() && std::isdigit(static_cast<unsigned char>(name[0])) == 0;
    for (char c : name) {
        ok = ok && (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_');
    }
    if (!ok) {
        r.fail(
            node, path, "a parameter name is letters, digits and '_' (not starting with a digit)");
    }
}

/// Every combination of the listed values, the first name varying slowest.
Matrix readCombinations(const Reader& r, const YAML::Node& node) {
    Matrix m;
    if (node.size() == 0) {
        r.fail(node, "matrix", "expected at least one parameter");
    }
    std::vector<std::vector<std::string>> values;
    std::size_t combinations = 1;
    for (const auto& kv : node) {
        checkParameterName(r, kv.first, "matrix");
        const std::string name = kv.first.Scalar();
        const std::string path = "matrix." + name;
        if (!kv.second.IsSequence() || kv.second.size() == 0) {
            r.fail(kv.second, path, "expected a list of values");
        }
        std::vector<std::string> list;
        for (std::size_t i = 0; i < kv.second.size(); ++i) {
            list.push_back(matrixValue(r, kv.second[i], indexPath(path, i)));
        }
        combinations *= list.size();
        if (combinations > kMaxMatrixRows) {
            r.fail(node, "matrix", "expands to more than 64 scenarios");
        }
        m.names.push_back(name);
        values.push_back(std::move(list));
    }
    for (std::size_t n = 0; n < combinations; ++n) {
        MatrixRow row;
        std::size_t rest = n;
        std::size_t stride = combinations;
        for (std::size_t k = 0; k < values.size(); ++k) {
            stride /= values[k].size();
            row.emplace_back(m.names[k], values[k][rest / stride]);
            rest %= stride;
        }
        m.rows.push_back(std::move(row));
    }
    return m;
}

/// Explicit rows, each naming the same parameters as the first, in order.
Matrix readRows(const Reader& r, const YAML::Node& node) {
    Matrix m;
    if (node.size() > kMaxMatrixRows) {
        r.fail(node, "matrix", "expands to more than 64 scenarios");
    }
    for (std::size_t i = 0; i < node.size(); ++i) {
        const auto& rowNode = node[i];
        const std::string path = indexPath("matrix", i);
        r.requireMap(rowNode, path);
        MatrixRow row;
        std::vector<std::string> names;
        for (const auto& kv : rowNode) {
            checkParameterName(r, kv.first, path);
            names.push_back(kv.first.Scalar());
            row.emplace_back(kv.first.Scalar(),
                             matrixValue(r, kv.second, path + "." + kv.first.Scalar()));
        }
        if (i == 0) {
            m.names = names;
        } else if (names != m.names) {
            r.fail(rowNode, path, "every row names the same parameters as the first, in order");
        }
        m.rows.push_back(std::move(row));
    }
    return m;
}

}  // namespace

Matrix readMatrix(const Reader& r, const YAML::Node& node) {
    if (node.IsMap()) {
        return readCombinations(r, node);
    }
    if (!node.IsSequence() || node.size() == 0) {
        r.fail(node, "matrix", "expected a mapping of parameter lists or a list of rows");
    }
    return readRows(r, node);
}

std::string maskParameters(std::string text) {
    for (const auto& use : parameterUses(text)) {
        text.replace(use.offset, use.length, std::string(use.length, '_'));
    }
    return text;
}

void checkParameters(const std::string& file,
                     const std::string& text,
                     const std::vector<std::string>& names) {
    for (const auto& use : parameterUses(text)) {
        if (std::find(names.begin(), names.end(), use.name) == names.end()) {
            throw LoadError{
                positionOf(file, text, use.offset),
                "unknown parameter '${" + use.name + "}'" +
                    (names.empty() ? " (the scenario has no matrix)" : " (not in the matrix)")};
        }
    }
}

void checkParametersUsed(const Reader& r,
                         const YAML::Node& node,
                         const std::string& text,
                         const Matrix& m) {
    const auto uses = parameterUses(text);
    for (const auto& name : m.names) {
        bool used = std::any_of(
            uses.begin(), uses.end(), [&](const ParameterUse& u) { return u.name == name; });
        if (!used) {
            r.fail(node, "matrix", "parameter '" + name + "' is never used as ${" + name + "}");
        }
    }
}

Substituted substituteParameters(const std::string& file,
                                 const std::string& text,
                                 const MatrixRow& row) {
    std::vector<std::string> names;
    for (const auto& kv : row) {
        names.push_back(kv.first);
    }
    checkParameters(file, text, names);
    Substituted out;
    std::size_t at = 0;
    for (const auto& use : parameterUses(text)) {
        out.text.append(text, at, use.offset - at);
        for (const auto& [name, value] : row) {
            if (name == use.name) {
                out.uses.emplace_back(name, out.text.size());
                out.text += value;
            }
        }
        at = use.offset + use.length;
    }
    out.text.append(text, at, std::string::npos);
    return out;
}

}  // namespace wblab::scenario::detail
