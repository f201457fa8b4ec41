// The criteria catalog: parsing with the module's YAML reader, lookups, and the texts that
// `wblab criteria` and `wblab explain CRITERION` print.
#include "yaml_reader.hpp"

#include <wblab/scenario/catalog.hpp>

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

namespace wblab::scenario {

extern const char* const kCatalogText;  // generated from criteria/catalog.yaml

namespace {

using detail::indexPath;
using detail::Reader;

std::string text(const Reader& r,
                 const YAML::Node& entry,
                 const char* key,
                 const std::string& path) {
    r.require(entry, path, {key});
    const auto& node = entry[key];
    if (!node.IsScalar() || node.Scalar().empty()) {
        r.fail(node, path + "." + key, "expected a non-empty string");
    }
    return node.Scalar();
}

std::vector<ExitCriterion> readExitCriteria(const Reader& r, const YAML::Node& root) {
    const auto& exits = root["exit_criteria"];
    if (!exits || !exits.IsSequence()) {
        r.fail(root, "exit_criteria", "expected a list");
    }
    std::vector<ExitCriterion> out;
    for (std::size_t i = 0; i < exits.size(); ++i) {
        const std::string path = indexPath("exit_criteria", i);
        r.checkKeys(exits[i], path, {"id", "title"});
        out.push_back({text(r, exits[i], "id", path), text(r, exits[i], "title", path)});
    }
    return out;
}

Criterion readCriterion(const Reader& r, const YAML::Node& e, const std::string& path) {
    r.checkKeys(e, path, {"id", "title", "level", "subject", "exit", "source", "description"});
    Criterion c;
    c.id = text(r, e, "id", path);
    c.title = text(r, e, "title", path);
    c.level = text(r, e, "level", path);
    c.subject = text(r, e, "subject", path);
    c.exitCriterion = text(r, e, "exit", path);
    c.source = text(r, e, "source", path);
    c.description = text(r, e, "description", path);
    c.where = r.pos(e);
    static const std::regex kebab("[a-z][a-z0-9]*(-[a-z0-9]+)*");
    if (!std::regex_match(c.id, kebab)) {
        r.fail(e["id"], path + ".id", "expected a short kebab-case id such as wb-reset-applies");
    }
    if (c.level != "required" && c.level != "recommended") {
        r.fail(e["level"], path + ".level", "expected required or recommended");
    }
    if (c.subject != "agent" && c.subject != "cloud") {
        r.fail(e["subject"], path + ".subject", "expected agent or cloud");
    }
    return c;
}

Catalog readCatalog(const Reader& r, const YAML::Node& root) {
    r.checkKeys(root, "catalog", {"exit_criteria", "criteria"});
    Catalog catalog;
    catalog.exitCriteria = readExitCriteria(r, root);
    const auto& criteria = root["criteria"];
    if (!criteria || !criteria.IsSequence()) {
        r.fail(root, "criteria", "expected a list");
    }
    std::set<std::string> ids;
    for (std::size_t i = 0; i < criteria.size(); ++i) {
        const std::string path = indexPath("criteria", i);
        Criterion c = readCriterion(r, criteria[i], path);
        if (!ids.insert(c.id).second) {
            r.fail(criteria[i]["id"], path + ".id", "'" + c.id + "' is listed twice");
        }
        if (!catalog.isExitCriterion(c.exitCriterion)) {
            r.fail(criteria[i]["exit"],
                   path + ".exit",
                   "'" + c.exitCriterion + "' is not one of the exit_criteria");
        }
        catalog.criteria.push_back(std::move(c));
    }
    return catalog;
}

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
    try {
        Reader r(file);
        return readCatalog(r, detail::parseYaml(text, file));
    } catch (const detail::LoadError& e) {
        return Error{e.code, e.message, e.where};
    } catch (const detail::LoadErrors& e) {
        const auto& first = e.errors.front();  // one error is all these callers report
        return Error{first.code, first.message, first.where};
    } catch (const YAML::Exception& e) {
        return Error{
            ErrorCode::InvalidInput, e.msg, SourcePos{file, e.mark.line + 1, e.mark.column + 1}};
    }
}

const Expected<Catalog>& builtinCatalog() {
    static const Expected<Catalog> catalog = parseCatalog(kCatalogText, "criteria/catalog.yaml");
    return catalog;
}

namespace criteria {

const std::vector<std::string>& automatic() {
    static const std::vector<std::string> ids = {
        kEncryptedInTransit, kNeverLogged, kAnswersInTime, kConvergence};
    return ids;
}

bool isAutomatic(const std::string& id) {
    const auto& ids = automatic();
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace criteria

}  // namespace wblab::scenario
