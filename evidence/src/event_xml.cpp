// The Application log as `wevtutil qe Application /f:xml` writes it (readers.hpp): one <Event>
// element per event, one after another without a root element unless /e:NAME added one
// (https://learn.microsoft.com/en-us/windows-server/administration/windows-commands/wevtutil).
// Each event follows the event schema: System/Provider@Name, System/EventID,
// System/TimeCreated@SystemTime, and EventData/Data, where a classic source such as
// PasswordResetService puts its message
// (https://learn.microsoft.com/en-us/windows/win32/wes/eventschema-systempropertiestype-complextype,
// https://learn.microsoft.com/en-us/windows/win32/wes/eventschema-eventdatatype-complextype).
// /f:RenderedXml adds RenderingInfo/Message, which is preferred when present.
#include "readers.hpp"

#include <pugixml.hpp>

namespace wblab::evidence::detail {

namespace {

int lineOf(std::string_view source, const pugi::xml_node& node) {
    const auto offset = node.offset_debug();
    return offset < 0 ? 1 : lineAt(source, static_cast<std::size_t>(offset));
}

std::string messageOf(const pugi::xml_node& event) {
    if (auto message = event.child("RenderingInfo").child("Message"); message) {
        return trim(message.child_value());
    }
    std::string text;
    for (auto data : event.child("EventData").children("Data")) {
        const std::string value = trim(data.child_value());
        if (!value.empty()) {
            text += (text.empty() ? "" : "\n") + value;
        }
    }
    return text;
}

Expected<AgentEvent> eventOf(std::string_view source,
                             const std::string& name,
                             const pugi::xml_node& event) {
    const int line = lineOf(source, event);
    const auto system = event.child("System");
    if (!system) {
        return errorAt(name, line, "<Event> without <System>: expected the event schema");
    }
    AgentEvent e;
    e.where = SourcePos{name, line, 0};
    e.source = system.child("Provider").attribute("Name").value();
    auto id = parseInteger(system.child_value("EventID"));
    if (!id || *id < 0 || *id > 65535) {
        return errorAt(name,
                       lineOf(source, system.child("EventID")),
                       "EventID: expected a number from 0 to 65535, got '" +
                           std::string(system.child_value("EventID")) + "'");
    }
    e.id = static_cast<int>(*id);
    const std::string created = system.child("TimeCreated").attribute("SystemTime").value();
    auto time = parseIsoTime(created);
    if (!time) {
        return errorAt(name,
                       lineOf(source, system.child("TimeCreated")),
                       "TimeCreated SystemTime: expected an ISO 8601 UTC time like "
                       "2026-03-02T09:15:00.000000000Z, got '" +
                           created + "'");
    }
    e.time = *time;
    e.text = messageOf(event);
    return e;
}

}  // namespace

Expected<std::string> readEventXml(std::string_view source,
                                   const std::string& name,
                                   Evidence& into) {
    pugi::xml_document doc;
    const auto parsed = doc.load_buffer(source.data(),
                                        source.size(),
                                        pugi::parse_default | pugi::parse_fragment,
                                        pugi::encoding_utf8);
    if (!parsed) {
        return errorAt(
            name,
            lineAt(source, static_cast<std::size_t>(std::max<std::ptrdiff_t>(parsed.offset, 0))),
            std::string("not well-formed XML (") + parsed.description() +
                "): expected wevtutil qe /f:xml output, one <Event> after another");
    }
    pugi::xml_node parent = doc;
    if (auto first = doc.first_child();
        first && std::string(first.name()) != "Event" && first.child("Event")) {
        parent = first;  // wevtutil qe /e:Events wraps the events in a root element
    }
    int count = 0;
    for (auto node : parent.children()) {
        if (node.type() != pugi::node_element) {
            continue;
        }
        if (std::string(node.name()) != "Event") {
            return errorAt(name,
                           lineOf(source, node),
                           "<" + std::string(node.name()) +
                               ">: expected <Event> elements (wevtutil qe /f:xml)");
        }
        WBLAB_TRY_ASSIGN(auto e, eventOf(source, name, node), "");
        into.events.push_back(std::move(e));
        ++count;
    }
    if (count == 0) {
        return errorAt(name, 1, "no <Event> element: expected wevtutil qe /f:xml output");
    }
    return "wevtutil XML, " + std::to_string(count) + " events";
}

}  // namespace wblab::evidence::detail
