// Reads iCalendar text on stdin and prints, as JSON, what ical.js (the parser behind several
// calendar clients) makes of it: the calendar's METHOD and name, and each VEVENT's identity,
// UTC instants and people. tests/notifications/test_calendar.py compares this with Python's reading.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

const text = (component, name) => {
  const value = component.getFirstPropertyValue(name);
  return value === null ? null : String(value);
};

const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const people = (name) => vevent.getAllProperties(name).map((property) => ({
    cn: property.getParameter("cn") ?? null,
    value: String(property.getFirstValue()),
    role: property.getParameter("role") ?? null,
    partstat: property.getParameter("partstat") ?? null,
    rsvp: property.getParameter("rsvp") ?? null,
  }));
  return {
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    start_zone: event.startDate.zone ? event.startDate.zone.tzid : null,
    status: text(vevent, "status"),
    summary: event.summary,
    description: event.description,
    location: event.location,
    organizer: people("organizer")[0] ?? null,
    attendees: people("attendee"),
  };
});

process.stdout.write(JSON.stringify({
  method: text(calendar, "method"),
  prodid: text(calendar, "prodid"),
  name: text(calendar, "x-wr-calname"),
  events,
}));
