// Comma-separated exports (readers.hpp), split into fields by libcsv (Debian libcsv-dev: RFC
// 4180 quoting, fields across lines), fed line by line so that every row keeps its line.
//   - The audit log downloaded from the Entra admin center as CSV
//     (https://learn.microsoft.com/en-us/entra/identity/monitoring-health/howto-download-logs):
//     Learn does not list the columns; the download's header names them ("Date (UTC)",
//     "CorrelationId", "Service", "Category", "Activity", "Result", "ResultReason", "ActorType",
//     ..., "ActorUserPrincipalName", ..., "Target1Type", "Target1DisplayName",
//     "Target1ObjectId", "Target1UserPrincipalName", ..., "AdditionalDetail1Key",
//     "AdditionalDetail1Value", ...), so columns are found by name, in any order.
//   - Event Viewer's "Save All Events As" CSV: a header of five names ("Level,Date and Time,
//     Source,Event ID,Task Category") and rows with a sixth, unnamed field holding the event's
//     description; times in the exporting machine's locale and local time (en-US: 3/2/2026
//     9:15:00 AM), which ReadOptions::eventLogUtcOffsetMinutes turns into UTC.
#include "readers.hpp"

#include <csv.h>
#include <map>

namespace wblab::evidence::detail {

namespace {

struct Row {
    std::vector<std::string> fields;
    int line = 0;
};

struct Splitter {
    std::vector<Row> rows;
    Row current;
    int line = 1;
};

void onField(void* data, std::size_t size, void* state) {
    auto& s = *static_cast<Splitter*>(state);
    if (s.current.fields.empty()) {
        s.current.line = s.line;
    }
    s.current.fields.emplace_back(data != nullptr ? static_cast<const char*>(data) : "", size);
}

void onRow(int, void* state) {
    auto& s = *static_cast<Splitter*>(state);
    if (!s.current.fields.empty()) {
        s.rows.push_back(std::move(s.current));
    }
    s.current = Row{};
}

Expected<std::vector<Row>> splitRows(std::string_view text, const std::string& name) {
    csv_parser parser;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
        return makeError(ErrorCode::Internal, "libcsv could not start");
    }
    Splitter s;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        end = end == std::string_view::npos ? text.size() : end + 1;
        const auto chunk = text.substr(start, end - start);
        if (csv_parse(&parser, chunk.data(), chunk.size(), onField, onRow, &s) != chunk.size()) {
            const std::string why = csv_strerror(csv_error(&parser));
            csv_free(&parser);
            return errorAt(name, s.line, "not valid CSV (" + why + "): a quote out of place?");
        }
        ++s.line;
        start = end;
    }
    const int finished = csv_fini(&parser, onField, onRow, &s);
    csv_free(&parser);
    if (finished != 0) {
        return errorAt(name, s.line - 1, "not valid CSV: a quoted field is not closed");
    }
    return s.rows;
}

/// Column positions by lower-cased name.
std::map<std::string, std::size_t> columnsOf(const Row& header) {
    std::map<std::string, std::size_t> columns;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        columns.emplace(lower(trim(header.fields[i])), i);
    }
    return columns;
}

Expected<std::string> readAuditCsv(const std::vector<Row>& rows,
                                   const std::string& name,
                                   Evidence& into) {
    const auto columns = columnsOf(rows[0]);
    for (const char* required : {"date (utc)", "activity", "result"}) {
        if (columns.count(required) == 0) {
            return errorAt(name,
                           rows[0].line,
                           std::string("the header lacks '") + required +
                               "': expected the audit log download of the Entra admin center");
        }
    }
    auto cell = [&](const Row& r, const char* column) -> std::string {
        auto it = columns.find(column);
        return it == columns.end() || it->second >= r.fields.size() ? std::string()
                                                                    : trim(r.fields[it->second]);
    };
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const Row& r = rows[i];
        if (r.fields.size() != rows[0].fields.size()) {
            return errorAt(name,
                           r.line,
                           "this row has " + std::to_string(r.fields.size()) +
                               " fields, the header " + std::to_string(rows[0].fields.size()));
        }
        AuditRecord a;
        a.where = SourcePos{name, r.line, 0};
        const std::string date = cell(r, "date (utc)");
        auto time = parseIsoTime(date);
        if (!time) {
            time = parseUsDateTime(date);
        }
        if (!time) {
            return errorAt(name,
                           r.line,
                           "Date (UTC): expected a time like 2026-03-02T09:15:00.1234567Z, got '" +
                               date + "'");
        }
        a.time = *time;
        a.correlationId = cell(r, "correlationid");
        a.service = cell(r, "service");
        a.category = cell(r, "category");
        a.activity = cell(r, "activity");
        a.result = lower(cell(r, "result"));
        a.resultReason = cell(r, "resultreason");
        a.actorUpn = cell(r, "actoruserprincipalname");
        a.targetUpn = cell(r, "target1userprincipalname");
        a.targetDisplayName = cell(r, "target1displayname");
        for (int n = 1; n <= 10; ++n) {
            const std::string key =
                cell(r, ("additionaldetail" + std::to_string(n) + "key").c_str());
            if (!key.empty()) {
                a.details.emplace_back(
                    key, cell(r, ("additionaldetail" + std::to_string(n) + "value").c_str()));
            }
        }
        into.audits.push_back(std::move(a));
    }
    return "audit log CSV (Entra admin center download), " + std::to_string(rows.size() - 1) +
           " entries";
}

Expected<std::string> readEventCsv(const std::vector<Row>& rows,
                                   const std::string& name,
                                   Evidence& into,
                                   const ReadOptions& options) {
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const Row& r = rows[i];
        if (r.fields.size() < 5 || r.fields.size() > 6) {
            return errorAt(name,
                           r.line,
                           "expected Level, Date and Time, Source, Event ID, Task Category and "
                           "the description; this row has " +
                               std::to_string(r.fields.size()) + " fields");
        }
        AgentEvent e;
        e.where = SourcePos{name, r.line, 0};
        const std::string date = trim(r.fields[1]);
        auto time = parseUsDateTime(date);
        if (!time) {
            time = parseIsoTime(date);
        }
        if (!time) {
            return errorAt(name,
                           r.line,
                           "Date and Time: expected an en-US time like 3/2/2026 9:15:00 AM or "
                           "2026-03-02 09:15:00, got '" +
                               date + "'");
        }
        e.time = *time + static_cast<std::int64_t>(options.eventLogUtcOffsetMinutes) * 60;
        e.source = trim(r.fields[2]);
        auto id = parseInteger(r.fields[3]);
        if (!id || *id < 0 || *id > 65535) {
            return errorAt(name, r.line, "Event ID: expected a number, got '" + r.fields[3] + "'");
        }
        e.id = static_cast<int>(*id);
        e.text = r.fields.size() == 6 ? trim(r.fields[5]) : std::string();
        into.events.push_back(std::move(e));
    }
    return "Event Viewer CSV, " + std::to_string(rows.size() - 1) + " events";
}

}  // namespace

Expected<std::string> readCsv(std::string_view text,
                              const std::string& name,
                              Evidence& into,
                              const ReadOptions& options) {
    WBLAB_TRY_ASSIGN(auto rows, splitRows(text, name), "");
    if (rows.empty()) {
        return errorAt(name, 1, "an empty CSV file");
    }
    const auto columns = columnsOf(rows[0]);
    if (columns.count("date (utc)") != 0) {
        return readAuditCsv(rows, name, into);
    }
    if (columns.count("level") != 0 && columns.count("date and time") != 0 &&
        columns.count("event id") != 0) {
        return readEventCsv(rows, name, into, options);
    }
    return errorAt(name,
                   rows[0].line,
                   "unknown CSV header: expected the audit log download (Date (UTC), Activity, "
                   "Result, ...) or Event Viewer's export (Level, Date and Time, Source, Event "
                   "ID, Task Category)");
}

}  // namespace wblab::evidence::detail
