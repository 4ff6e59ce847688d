package io.weft.codec.jsonpatch;

import static io.weft.codec.jsonpatch.TestJson.create;
import static io.weft.codec.jsonpatch.TestJson.delete;
import static io.weft.codec.jsonpatch.TestJson.hex;
import static io.weft.codec.jsonpatch.TestJson.json;
import static io.weft.codec.jsonpatch.TestJson.save;
import static io.weft.codec.jsonpatch.TestJson.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.weft.api.db.ChangeType;
import io.weft.api.db.spi.CodecEvent;
import io.weft.api.format.Cid;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Byte-for-byte go-threads jsonpatcher bodies. */
class JsonPatchVectorTest {
    private static final long T = 1600000000000000000L;
    private static final String ALICE = "{\"_id\":\"01abc\",\"name\":\"Alice\",\"_mod\":1600000000000000000}";
    private final JsonPatchCodec codec = new JsonPatchCodec();

    /** vectors/records.txt "jsonpatcher create body node" and its CID. */
    @Test
    void createBodyVector() {
        Map<String, String> records = TestJson.records();
        String vector = records.get("jsonpatcher create body node");
        String vectorCid = records.get("jsonpatcher body CID");
        assertEquals("bafyreicbxxljlnhw3riqvzycyq2dgpkoc3at54rr4hvl46ruglt3ibdbgu", vectorCid);

        byte[] body = codec.encode(List.of(create("Persons", "01abc", ALICE)), T);

        assertEquals(vector, hex(body));
        assertEquals(vectorCid, Cid.dagCbor(body).toString());
    }

    @Test
    void createBodyVectorDecodesAndApplies() {
        byte[] body = hex(TestJson.records().get("jsonpatcher create body node"));
        List<CodecEvent> events = codec.decode(body);
        assertEquals(1, events.size());
        CodecEvent e = events.get(0);
        assertEquals(ChangeType.CREATE, e.type());
        assertEquals("Persons", e.collection());
        assertEquals("01abc", e.instanceId());
        assertEquals(T, e.time());
        assertArrayEquals(utf8(ALICE), e.payload());
        assertEquals(json(ALICE), codec.apply(e, null));
    }

    /**
     * A save and a delete in one body. Expected bytes computed independently with the encoder of
     * {@code shared/vectors/derive_record_vectors.py} (same {@code enc} function, same field names):
     * {@code enc({'patches': [{'iD': '01abc', 'collectionName': 'Persons', 'timestamp': t, 'patch': {'type': 1,
     * 'instanceID': '01abc', 'jSONPatch': b'{"name":"Bob","_mod":1600000000000000001,"age":null}'}}, {'iD': '01abd',
     * …, 'patch': {'type': 2, 'instanceID': '01abd', 'jSONPatch': None}}]})} with t = 1600000000000000001.
     */
    @Test
    void saveAndDeleteBody() {
        long t = T + 1;
        byte[] body = codec.encode(List.of(
                save("Persons", "01abc", "{\"_id\":\"01abc\",\"name\":\"Alice\",\"age\":30,\"_mod\":1600000000000000000}",
                        "{\"_id\":\"01abc\",\"name\":\"Bob\",\"_mod\":1600000000000000001}"),
                delete("Persons", "01abd", "{\"_id\":\"01abd\"}")), t);
        assertEquals("a1677061746368657382a4626944653031616263657061746368a3647479706501696a534f4e5061746368583"
                + "47b226e616d65223a22426f62222c225f6d6f64223a313630303030303030303030303030303030312c22616765223a6e"
                + "756c6c7d6a696e7374616e636549446530316162636974696d657374616d701b16345785d8a000016e636f6c6c65637469"
                + "6f6e4e616d6567506572736f6e73a4626944653031616264657061746368a3647479706502696a534f4e5061746368f66a"
                + "696e7374616e636549446530316162646974696d657374616d701b16345785d8a000016e636f6c6c656374696f6e4e616d"
                + "6567506572736f6e73", hex(body));
        assertEquals("bafyreif5vgqqz5a6yqpej2vmgdt4phcymshukkftvn35r77pw3epg4b53i", Cid.dagCbor(body).toString());

        List<CodecEvent> events = codec.decode(body);
        assertEquals(ChangeType.SAVE, events.get(0).type());
        assertEquals(json("{\"_id\":\"01abc\",\"name\":\"Bob\",\"_mod\":1600000000000000001}"),
                codec.apply(events.get(0), json("{\"_id\":\"01abc\",\"name\":\"Alice\",\"age\":30,\"_mod\":1600000000000000000}")));
        assertEquals(ChangeType.DELETE, events.get(1).type());
        assertNull(events.get(1).payload());
        assertNull(codec.apply(events.get(1), json("{\"_id\":\"01abd\"}")));
    }
}
