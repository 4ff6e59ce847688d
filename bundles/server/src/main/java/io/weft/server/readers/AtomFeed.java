package io.weft.server.readers;

import io.weft.api.thread.LogId;
import io.weft.api.thread.ThreadId;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes a thread's newest record ids as an Atom feed (RFC 4287). Entry ids are {@code urn:cid:<record id>}, stable
 * across requests and peers; each entry also names its log and position in Weft's extension namespace
 * {@value #WEFT_NS}. The feed carries ids only, never record contents.
 */
final class AtomFeed {
    static final String ATOM_NS = "http://www.w3.org/2005/Atom";
    static final String WEFT_NS = "urn:weft:atom:1";
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ISO_INSTANT;

    private AtomFeed() {
    }

    /**
     * @param thread      the thread
     * @param entries     newest first
     * @param updated     the feed's {@code updated} time
     * @param selfPath    the feed's own path (no token)
     * @param recordsPath the path of a log's records endpoint
     */
    static byte[] write(ThreadId thread, List<RecentRecords.Entry> entries, Instant updated, String selfPath,
                        Function<LogId, String> recordsPath) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024 + entries.size() * 512);
        try {
            XMLStreamWriter w = XMLOutputFactory.newInstance().createXMLStreamWriter(out, "UTF-8");
            w.writeStartDocument("UTF-8", "1.0");
            w.setDefaultNamespace(ATOM_NS);
            w.setPrefix("weft", WEFT_NS);
            w.writeStartElement(ATOM_NS, "feed");
            w.writeDefaultNamespace(ATOM_NS);
            w.writeNamespace("weft", WEFT_NS);
            text(w, "id", "urn:weft:thread:" + thread);
            text(w, "title", "Weft thread " + thread);
            text(w, "updated", time(updated));
            w.writeEmptyElement(ATOM_NS, "link");
            w.writeAttribute("rel", "self");
            w.writeAttribute("type", "application/atom+xml");
            w.writeAttribute("href", selfPath);
            w.writeStartElement(ATOM_NS, "author");
            text(w, "name", "Weft peer");
            w.writeEndElement();
            w.writeStartElement(ATOM_NS, "generator");
            w.writeCharacters("Weft");
            w.writeEndElement();
            for (RecentRecords.Entry e : entries) {
                w.writeStartElement(ATOM_NS, "entry");
                text(w, "id", "urn:cid:" + e.id());
                text(w, "title", "Record " + e.counter() + " of log " + e.log());
                text(w, "updated", time(e.time()));
                w.writeEmptyElement(ATOM_NS, "link");
                w.writeAttribute("rel", "alternate");
                w.writeAttribute("type", "application/json");
                w.writeAttribute("href", recordsPath.apply(e.log()) + "?offset=" + (e.counter() - 1) + "&limit=1");
                text(w, "summary", "Record " + e.id() + ", number " + e.counter() + " of log " + e.log());
                w.writeStartElement(WEFT_NS, "record");
                w.writeCharacters(e.id().toString());
                w.writeEndElement();
                w.writeStartElement(WEFT_NS, "log");
                w.writeCharacters(e.log().toString());
                w.writeEndElement();
                w.writeStartElement(WEFT_NS, "counter");
                w.writeCharacters(Long.toString(e.counter()));
                w.writeEndElement();
                w.writeEndElement();
            }
            w.writeEndElement();
            w.writeEndDocument();
            w.flush();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing the Atom feed failed", e);
        }
        return out.toByteArray();
    }

    private static void text(XMLStreamWriter w, String name, String value) throws XMLStreamException {
        w.writeStartElement(ATOM_NS, name);
        w.writeCharacters(value);
        w.writeEndElement();
    }

    private static String time(Instant t) {
        return RFC3339.format(t.truncatedTo(ChronoUnit.MILLIS));
    }
}
