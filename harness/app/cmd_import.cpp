// `wblab import`: what a customer exported, drafted into a scenario (docs/import.md).
#include "command.hpp"

#include <wblab/evidence/evidence.hpp>
#include <wblab/scenario/loader.hpp>
#include <wblab/support/files.hpp>

#include <filesystem>
#include <iostream>
#include <memory>

namespace wblab::app {

namespace {

struct ImportFlags {
    std::vector<std::string> files;
    std::string output;
    bool pseudonymise = false;
    std::string connector;
    std::string utcOffset = "+00:00";
};

/// "+02:00" as minutes to add for UTC (-120); nullopt for anything else.
std::optional<int> offsetMinutes(const std::string& text) {
    int hours = 0, minutes = 0;
    char sign = '+';
    if (std::sscanf(text.c_str(), "%c%d:%d", &sign, &hours, &minutes) != 3 ||
        (sign != '+' && sign != '-') || hours > 14 || minutes > 59) {
        return std::nullopt;
    }
    const int offset = hours * 60 + minutes;
    return sign == '+' ? -offset : offset;
}

int importCommand(const ImportFlags& f) {
    const auto offset = offsetMinutes(f.utcOffset);
    if (!offset) {
        std::cerr << "wblab: --event-log-utc-offset: expected +HH:MM or -HH:MM, got '"
                  << f.utcOffset << "'\n";
        return kExitUsage;
    }
    evidence::Evidence evidence;
    for (const auto& file : f.files) {
        if (auto read = evidence::readEvidenceFile(file, evidence, {*offset}); !read) {
            printErrors({read.error()});
            return kExitUsage;
        }
    }
    if (f.pseudonymise) {
        evidence::pseudonymise(evidence);
    }
    const std::string id = std::filesystem::path(f.output).stem().string();
    auto draft = evidence::draftScenario(evidence, {id, f.connector});
    if (!draft) {
        printErrors({draft.error()});
        return kExitUsage;
    }
    if (auto written = writeFileAtomically(f.output, draft->yaml); !written) {
        printErrors({written.error()});
        return kExitReports;
    }
    for (const auto& line : evidence.files) {
        std::cout << "read " << line << "\n";
    }
    for (const auto& note : draft->notes) {
        std::cout << "note: " << note << "\n";
    }
    auto loaded = scenario::loadScenario(f.output);
    if (!loaded) {
        std::cerr << "wblab: the draft does not validate (a bug in wblab import): "
                  << loaded.error().describe() << "\n";
        return kExitFailures;
    }
    std::cout << "wrote " << f.output << ": " << loaded->onprem.users.size() << " users, "
              << loaded->steps.size() << " steps; it validates. Next: wblab run " << f.output
              << ", wblab diagnose " << f.output << "\n";
    return kExitPass;
}

}  // namespace

Command addImportCommand(CLI::App& app) {
    auto* cli = app.add_subcommand(
        "import",
        "Draft a scenario from exported evidence: audit log (Graph JSON or CSV), the agent's "
        "Application log (wevtutil XML or Event Viewer CSV), LDIF, risk and policy JSON");
    auto flags = std::make_shared<ImportFlags>();
    cli->add_option("evidence", flags->files, "Exported files (the format is recognised)")
        ->required()
        ->check(CLI::ExistingFile);
    cli->add_option("-o,--output", flags->output, "The scenario file to write (its id: the name)")
        ->required();
    cli->add_flag("--pseudonymise",
                  flags->pseudonymise,
                  "Replace names, UPNs, DNs and ids consistently before drafting");
    cli->add_option("--connector-account",
                    flags->connector,
                    "The AD DS connector account's sAMAccountName (default: MSOL_*)");
    cli->add_option("--event-log-utc-offset",
                    flags->utcOffset,
                    "The UTC offset of the machine that saved an Event Viewer CSV (+HH:MM)")
        ->capture_default_str();
    return {cli, [flags] { return importCommand(*flags); }};
}

}  // namespace wblab::app
