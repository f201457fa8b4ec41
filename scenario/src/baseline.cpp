// Expected-failure baselines, read with the module's YAML reader (baseline.hpp).
#include "yaml_reader.hpp"

#include <wblab/scenario/baseline.hpp>

#include <set>

namespace wblab::scenario {

namespace {

using detail::Reader;

Baseline readBaseline(const Reader& r, const YAML::Node& root) {
    if (!root.IsMap()) {
        throw detail::LoadError{SourcePos{r.file(), 1, 1},
                                "a baseline is a mapping with 'expected_failures'"};
    }
    r.checkKeys(root, "", {"agent", "expected_failures"});
    const auto& list = root["expected_failures"];
    if (!list || !list.IsSequence()) {
        r.fail(list ? list : root, "expected_failures", "expected a list");
    }
    Baseline baseline;
    baseline.file = r.file();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < list.size(); ++i) {
        const auto& e = list[i];
        const std::string path = detail::indexPath("expected_failures", i);
        if (!e.IsMap() || !e["scenario"]) {
            r.fail(e, path, "needs 'scenario' (and a 'reason')");
        }
        r.checkKeys(e, path, {"scenario", "reason"});
        BaselineEntry entry{r.string(e["scenario"], path + ".scenario"),
                            e["reason"] ? r.string(e["reason"], path + ".reason") : "",
                            r.pos(e).line};
        if (!seen.insert(entry.scenario).second) {
            r.fail(e["scenario"], path + ".scenario", "listed twice");
        }
        baseline.entries.push_back(std::move(entry));
    }
    return baseline;
}

}  // namespace

Expected<Baseline> loadBaseline(const std::string& path) {
    try {
        // The same size limit as scenario files: a baseline is no bigger than the suite.
        const std::string text = detail::readInputFile(path, "baseline file");
        return readBaseline(Reader(path), detail::parseYaml(text, path));
    } catch (const detail::LoadError& e) {
        return Error{e.code, e.message, e.where};
    } catch (const detail::LoadErrors& e) {
        const auto& first = e.errors.front();  // one error is all these callers report
        return Error{first.code, first.message, first.where};
    } catch (const YAML::Exception& e) {
        return Error{
            ErrorCode::InvalidInput, e.msg, SourcePos{path, e.mark.line + 1, e.mark.column + 1}};
    }
}

}  // namespace wblab::scenario
