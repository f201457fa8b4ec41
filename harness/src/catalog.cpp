// The criteria catalog: parsing (yaml-cpp stays in this file), lookups and the texts that
// `wblab criteria` and `wblab explain CRITERION` print.
#include <wblab/harness/catalog.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

namespace wblab::harness {

extern const char* const kCatalogText;  // generated from criteria/catalog.yaml

namespace {

struct CatalogError {
    SourcePos where;
    std::string message;
};

class CatalogReader {
public:
    explicit CatalogReader(std::string file) : file_(std::move(file)) {}

    SourcePos pos(const YAML::Node& node) const {
        auto mark = node.Mark();
        return SourcePos{file_, mark.line + 1, mark.column + 1};
    }

    [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
        throw CatalogError{pos(node), message};
    }

    std::string text(const YAML::Node& entry, const char* key, const std::string& path) const {
        const auto& node = entry[key];
        if (!node) {
            fail(entry, path + ": missing required key '" + key + "'");
        }
        if (!node.IsScalar() || node.Scalar().empty()) {
            fail(node, path + "." + key + ": expected a non-empty string");
        }
        return node.Scalar();
    }

    void checkKeys(const YAML::Node& entry,
                   const std::string& path,
                   const std::set<std::string>& allowed) const {
        if (!entry.IsMap()) {
            fail(entry, path + ": expected a mapping");
        }
        for (const auto& kv : entry) {
            if (allowed.count(kv.first.Scalar()) == 0) {
                fail(kv.first, path + "." + kv.first.Scalar() + ": unknown key");
            }
        }
    }

private:
    std::string file_;
};

}  // namespace

const Criterion* Catalog::find(const std::string& id) const {
    for (const auto& c : criteria) {
        if (c.id == id) {
            return &c;
        }
    }
    return nullptr;
}

bool Catalog::isExitCriterion(const std::string& id) const {
    return std::any_of(exitCriteria.begin(), exitCriteria.end(), [&](const ExitCriterion& e) {
        return e.id == id;
    });
}

Expected<Catalog> parseCatalog(const std::string& text, const std::string& file) {
    CatalogReader r(file);
    try {
        YAML::Node root = YAML::Load(text);
        r.checkKeys(root, "catalog", {"exit_criteria", "criteria"});
        Catalog catalog;
        const auto& exits = root["exit_criteria"];
        if (!exits || !exits.IsSequence()) {
            r.fail(root, "exit_criteria: expected a list");
        }
        for (std::size_t i = 0; i < exits.size(); ++i) {
            const std::string path = "exit_criteria[" + std::to_string(i) + "]";
            r.checkKeys(exits[i], path, {"id", "title"});
            catalog.exitCriteria.push_back(
                {r.text(exits[i], "id", path), r.text(exits[i], "title", path)});
        }
        const auto& criteria = root["criteria"];
        if (!criteria || !criteria.IsSequence()) {
            r.fail(root, "criteria: expected a list");
        }
        static const std::regex kebab("[a-z][a-z0-9]*(-[a-z0-9]+)*");
        std::set<std::string> ids;
        for (std::size_t i = 0; i < criteria.size(); ++i) {
            const auto& e = criteria[i];
            const std::string path = "criteria[" + std::to_string(i) + "]";
            r.checkKeys(e, path, {"id", "title", "level", "exit", "source", "description"});
            Criterion c;
            c.id = r.text(e, "id", path);
            c.title = r.text(e, "title", path);
            c.level = r.text(e, "level", path);
            c.exitCriterion = r.text(e, "exit", path);
            c.source = r.text(e, "source", path);
            c.description = r.text(e, "description", path);
            c.where = r.pos(e);
            if (!std::regex_match(c.id, kebab)) {
                r.fail(e["id"],
                       path + ".id: expected a short kebab-case id such as wb-reset-applies");
            }
            if (!ids.insert(c.id).second) {
                r.fail(e["id"], path + ".id: '" + c.id + "' is listed twice");
            }
            if (c.level != "required" && c.level != "recommended") {
                r.fail(e["level"], path + ".level: expected required or recommended");
            }
            if (!catalog.isExitCriterion(c.exitCriterion)) {
                r.fail(e["exit"],
                       path + ".exit: '" + c.exitCriterion + "' is not one of the exit_criteria");
            }
            catalog.criteria.push_back(std::move(c));
        }
        return catalog;
    } catch (const CatalogError& e) {
        return Error{ErrorCode::InvalidInput, e.message, e.where};
    } catch (const YAML::Exception& e) {
        return Error{
            ErrorCode::InvalidInput, e.msg, SourcePos{file, e.mark.line + 1, e.mark.column + 1}};
    }
}

const Expected<Catalog>& builtinCatalog() {
    static const Expected<Catalog> catalog = parseCatalog(kCatalogText, "criteria/catalog.yaml");
    return catalog;
}

void attachCatalog(const Catalog& catalog, report::RunResult& run) {
    run.exitCriteria.clear();
    run.catalog.clear();
    for (const auto& e : catalog.exitCriteria) {
        run.exitCriteria.push_back({e.id, e.title});
    }
    for (const auto& c : catalog.criteria) {
        run.catalog.push_back({c.id, c.title, c.level, c.exitCriterion, c.source});
    }
}

std::vector<std::string> scenariosCovering(const std::string& criterionId,
                                           const std::vector<Scenario>& scenarios) {
    std::vector<std::string> out;
    for (const auto& s : scenarios) {
        if (std::find(s.criteria.begin(), s.criteria.end(), criterionId) != s.criteria.end()) {
            out.push_back(s.id);
        }
    }
    return out;
}

std::string criteriaMarkdown(const Catalog& catalog, const std::vector<Scenario>& scenarios) {
    std::ostringstream out;
    out << "# wblab criteria catalog\n\n"
        << "<!-- Generated by `wblab criteria --markdown` from criteria/catalog.yaml and the "
           "bundled scenarios; a test fails when this file differs. Do not edit by hand. -->\n\n"
        << "Each criterion says what a password-writeback implementation (and the cloud around "
           "it) must do, with its source in the project's domain fact sheet (DOMAIN.md "
           "sections), its level (`required` fails its exit criterion, `recommended` only warns) "
           "and the bundled scenarios that cover it. Scenarios name criteria in `criteria:`; "
           "reports give a verdict per criterion and roll them up into the exit criteria of the "
           "Microsoft 365 identity phase. `wblab explain CRITERION` prints one entry.\n\n"
        << catalog.criteria.size() << " criteria, " << scenarios.size()
        << " bundled scenarios.\n\n";
    out << "| exit criterion | criteria | required | covered |\n|---|---|---|---|\n";
    for (const auto& e : catalog.exitCriteria) {
        int n = 0;
        int required = 0;
        int covered = 0;
        for (const auto& c : catalog.criteria) {
            if (c.exitCriterion == e.id) {
                ++n;
                required += c.level == "required" ? 1 : 0;
                covered += scenariosCovering(c.id, scenarios).empty() ? 0 : 1;
            }
        }
        out << "| `" << e.id << "` " << e.title << " | " << n << " | " << required << " | "
            << covered << " |\n";
    }
    for (const auto& e : catalog.exitCriteria) {
        out << "\n## " << e.id << "\n\n" << e.title << ".\n";
        for (const auto& c : catalog.criteria) {
            if (c.exitCriterion != e.id) {
                continue;
            }
            out << "\n### " << c.id << "\n\n**" << c.title << "** (" << c.level << "; DOMAIN.md "
                << c.source << ")\n\n"
                << c.description << "\n\n";
            auto covering = scenariosCovering(c.id, scenarios);
            if (covering.empty()) {
                out << "Covered by: *no bundled scenario yet*\n";
            } else {
                out << "Covered by: ";
                for (std::size_t i = 0; i < covering.size(); ++i) {
                    out << (i ? ", " : "") << "`" << covering[i] << "`";
                }
                out << "\n";
            }
        }
    }
    return out.str();
}

void listCriteria(const Catalog& catalog,
                  const std::vector<Scenario>& scenarios,
                  std::ostream& out) {
    for (const auto& c : catalog.criteria) {
        out << c.id << "\t" << c.level << "\t" << c.exitCriterion << "\t"
            << scenariosCovering(c.id, scenarios).size() << " scenarios\t" << c.title << "\n";
    }
}

void explainCriterion(const Criterion& criterion,
                      const Catalog& catalog,
                      const std::vector<Scenario>& scenarios,
                      std::ostream& out) {
    std::string exitTitle;
    for (const auto& e : catalog.exitCriteria) {
        if (e.id == criterion.exitCriterion) {
            exitTitle = e.title;
        }
    }
    out << criterion.id << ": " << criterion.title << "\n"
        << "  level           " << criterion.level << "\n"
        << "  exit criterion  " << criterion.exitCriterion << " (" << exitTitle << ")\n"
        << "  source          DOMAIN.md " << criterion.source << "\n\n"
        << criterion.description << "\n\n";
    auto covering = scenariosCovering(criterion.id, scenarios);
    if (covering.empty()) {
        out << "No scenario covers it yet.\n";
        return;
    }
    out << "Covered by " << covering.size() << " scenario" << (covering.size() == 1 ? "" : "s")
        << ":\n";
    for (const auto& s : scenarios) {
        if (std::find(covering.begin(), covering.end(), s.id) != covering.end()) {
            out << "  " << s.id << "  " << s.title << "\n";
        }
    }
}

}  // namespace wblab::harness
